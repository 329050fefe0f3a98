"""Demo data: "寻找最美科技工作者" at the expert review, and "临渭标杆" open for nominations.

The first programme shows every kind of dossier an organiser meets: eligible ones
the demo ``judge`` has scored (and one still to score), one returned to its unit
with the reason, one rejected, one awaiting the check and a unit's draft; quotas,
composition rules, a rubric, the demo ``committee`` member and a 联审 department.
The second is open, so the demo ``coordinator`` (区科技局) can fill in a dossier.
Names and deeds are invented.
"""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from accounts.models import Unit
from core.extensions import db
from core.i18n import SHANGHAI
from core.storage import store_bytes
from nominations.models import (
    CompositionRule,
    ExpertReview,
    FileKind,
    JointUnit,
    MemberRole,
    Nomination,
    NominationFile,
    NominationStatus,
    Programme,
    ProgrammeCriterion,
    ProgrammeKind,
    ProgrammeMember,
    ProgrammeStage,
    Quota,
    ReviewStep,
    RuleOp,
    RuleSubject,
    Sex,
    StepKind,
)

MAIN_TITLE = "寻找最美科技工作者"
OPEN_TITLE = "2026年度“临渭标杆”推荐评选"
ORGANISER = "中共临渭区委宣传部　临渭区科学技术局"
ELIGIBILITY = (
    "全区各行业、各领域长期从事科技研发、技术推广、科学普及等工作的一线科技工作者，"
    "政治立场坚定，恪守科学道德，近五年内事迹突出、群众公认；领导干部原则上不超过推荐总数的20%。"
)
QUOTAS = (
    ("区科技局", 2),
    ("区教育局", 1),
    ("区卫计局", 1),
    ("区农业局", 1),
    ("杜桥街道", 1),
    ("临渭区人民医院", 1),
    ("渭南高新科技有限公司", 2),
)
RUBRIC = (
    ("事迹突出", 40, "近五年工作实绩、获得的表彰和群众评价。"),
    ("创新贡献", 30, "技术创新、成果转化和推广应用的实际成效。"),
    ("示范引领", 20, "在行业和群众中的带动作用与社会影响。"),
    ("材料规范", 10, "推荐表填写完整、事迹材料真实具体。"),
)
RETURN_REASON = "主要事迹缺少近三年的具体数据（诊疗人次、开展新技术项目数等），请补充后重新提交。"
REJECT_REASON = "不符合推荐条件：参加工作未满五年。"

# (unit, name, sex, birth, politics, education, workplace, position, leader, frontline, status, scores)
DOSSIERS = (
    (
        "区科技局",
        "陈思远",
        Sex.MALE,
        (1979, 4),
        "中共党员",
        "硕士研究生",
        "临渭区科技服务中心",
        "高级工程师",
        False,
        True,
        NominationStatus.ELIGIBLE,
        (36, 27, 18, 9),
    ),
    (
        "区科技局",
        "刘雅琴",
        Sex.FEMALE,
        (1986, 9),
        "九三学社社员",
        "博士研究生",
        "临渭区科技服务中心",
        "副研究员",
        False,
        True,
        NominationStatus.ELIGIBLE,
        None,
    ),
    (
        "区教育局",
        "王晓燕",
        Sex.FEMALE,
        (1982, 2),
        "中共党员",
        "大学本科",
        "临渭区第二中学",
        "物理教师、一级教师",
        False,
        True,
        NominationStatus.ELIGIBLE,
        (34, 25, 19, 9),
    ),
    (
        "区农业局",
        "李建军",
        Sex.MALE,
        (1975, 11),
        "中共党员",
        "大学本科",
        "临渭区农业技术推广中心",
        "站长、推广研究员",
        True,
        True,
        NominationStatus.ELIGIBLE,
        (37, 28, 17, 8),
    ),
    (
        "杜桥街道",
        "孙立新",
        Sex.MALE,
        (1980, 6),
        "群众",
        "大专",
        "杜桥街道农业综合服务站",
        "农艺师",
        False,
        True,
        NominationStatus.ELIGIBLE,
        (31, 24, 16, 9),
    ),
    (
        "区卫计局",
        "张振华",
        Sex.MALE,
        (1977, 3),
        "中共党员",
        "硕士研究生",
        "临渭区人民医院",
        "心内科主任、主任医师",
        True,
        False,
        NominationStatus.RETURNED,
        None,
    ),
    (
        "渭南高新科技有限公司",
        "赵敏",
        Sex.FEMALE,
        (1998, 5),
        "共青团员",
        "硕士研究生",
        "渭南高新科技有限公司",
        "研发工程师",
        False,
        True,
        NominationStatus.REJECTED,
        None,
    ),
    (
        "临渭区人民医院",
        "周婷",
        Sex.FEMALE,
        (1988, 8),
        "中共党员",
        "大学本科",
        "临渭区人民医院",
        "护士长、主管护师",
        False,
        True,
        NominationStatus.DRAFT,
        None,
    ),
)
SUMMARIES = {
    "陈思远": "扎根科技服务一线十五年，牵头建成全区首个农业科技成果转化平台，推动转化成果二十三项。",
    "刘雅琴": "带领团队研发果蔬保鲜新工艺，帮助十余家合作社降低损耗三成以上。",
    "王晓燕": "坚持科技创新教育二十年，指导学生获省级以上科技创新奖项四十余项。",
    "李建军": "推广小麦玉米绿色高产技术，累计示范面积十二万亩，带动农户增收三千余万元。",
    "孙立新": "常年奔走田间地头，建立“田间课堂”培训模式，培训新型职业农民两千余人次。",
    "张振华": "率先在全区开展心脏介入诊疗新技术，挽救了大量急危重症患者的生命。",
    "赵敏": "参与企业新型传感器研发，取得实用新型专利两项。",
    "周婷": "在护理岗位上勤勉敬业，推行延续护理服务，深受患者好评。",
}
DEEDS = (
    "{name}同志始终把“科技为民”作为自己的工作信条。参加工作以来，{pronoun}长期坚守在{workplace}，"
    "把论文写在大地上，把成果送到群众手中。",
    "面对基层技术力量薄弱的现实，{pronoun}主动牵头组建技术服务小分队，常年深入镇村、企业和学校，"
    "开展技术指导和科学普及，累计服务群众一万余人次，解决生产生活中的实际技术难题两百余个。",
    "在重大任务面前，{pronoun}勇挑重担、冲锋在前。近三年，{pronoun}主持或参与区级以上科研项目五项，"
    "获得市级科学技术奖两项，相关成果在全区推广应用，产生了良好的经济效益和社会效益。",
    "{pronoun}注重传帮带，先后带出青年技术骨干十余名，其中多人已成长为单位业务中坚。"
    "{pronoun}的事迹多次被区融媒体中心报道，在干部群众中引起强烈反响。",
)


def _local_noon(days_ago: int) -> dt.datetime:
    day = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def _photo(seed: int) -> bytes:
    """A plain 2-inch portrait placeholder (a silhouette, no real person)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (295, 413), (214, 226, 240) if seed % 2 else (236, 240, 244))
    draw = ImageDraw.Draw(img)
    draw.ellipse((92, 60, 203, 190), fill=(222, 190, 164))
    draw.rounded_rectangle((48, 210, 247, 440), radius=60, fill=(46 + seed * 9 % 60, 62, 92))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _units() -> dict[str, Unit]:
    return {u.name: u for u in db.session.scalars(select(Unit))}


def _programme(units: dict[str, Unit], **fields) -> Programme:
    today = dt.datetime.now(SHANGHAI).date()
    offsets = fields.pop("offsets")
    programme = Programme(
        kind=ProgrammeKind.INDIVIDUAL,
        organiser_name=ORGANISER,
        eligibility=ELIGIBILITY,
        year=today.year,
        nominate_from=today + dt.timedelta(days=offsets[0]),
        nominate_until=today + dt.timedelta(days=offsets[1]),
        check_until=today + dt.timedelta(days=offsets[2]),
        review_until=today + dt.timedelta(days=offsets[3]),
        notice_from=today + dt.timedelta(days=offsets[4]),
        commend_on=today + dt.timedelta(days=offsets[5]),
        **fields,
    )
    programme.quotas = [Quota(unit_id=units[name].id, places=places) for name, places in QUOTAS if name in units]
    programme.criteria = [
        ProgrammeCriterion(position=i, name=name, maximum=maximum, guidance=guidance)
        for i, (name, maximum, guidance) in enumerate(RUBRIC, start=1)
    ]
    db.session.add(programme)
    db.session.flush()
    return programme


def _dossier(programme: Programme, row: tuple, units: dict[str, Unit], accounts: dict, index: int) -> Nomination:
    unit_name, name, sex, birth, politics, education, workplace, position, leader, frontline, status, _ = row
    pronoun = "他" if sex == Sex.MALE else "她"
    deeds = "\n".join(p.format(name=name, pronoun=pronoun, workplace=workplace) for p in DEEDS)
    submitted = status != NominationStatus.DRAFT
    # RETURNED in the table: returned once at the check, revised, resubmitted and then passed
    # (a programme at the expert review has no dossier still waiting for its check).
    nomination = Nomination(
        programme_id=programme.id,
        unit_id=units[unit_name].id,
        status=NominationStatus.ELIGIBLE if status == NominationStatus.RETURNED else status,
        version=2 if status == NominationStatus.RETURNED else (1 if submitted else 0),
        name=name,
        sex=sex,
        ethnicity="汉族" if index != 4 else "回族",
        birth_month=dt.date(birth[0], birth[1], 1),
        politics=politics,
        education=education,
        workplace=workplace,
        position=position,
        phone=f"1389135{index:04d}",
        is_leader=leader,
        is_frontline=frontline,
        summary=SUMMARIES[name],
        deeds=deeds,
        integrity_confirmed=submitted,
        consent_profile=submitted,
        consent_deeds=submitted and index % 2 == 0,
        created_by_id=getattr(accounts.get("coordinator"), "id", None) if unit_name == "区科技局" else None,
        submitted_at=_local_noon(20) if submitted else None,
    )
    db.session.add(nomination)
    db.session.flush()
    photo = store_bytes(_photo(index), content_type="image/jpeg", original_name="photo.jpg", suffix=".jpg")
    db.session.flush()
    nomination.files.append(NominationFile(kind=FileKind.PHOTO, stored_file_id=photo.id, filename=f"{name}.jpg"))
    return nomination


def _chain(nomination: Nomination, row: tuple, programme: Programme, accounts: dict, units: dict[str, Unit]) -> None:
    """The review steps (and expert scores) a dossier in its status has behind it."""
    status, organiser, judge = nomination.status, accounts.get("organiser"), accounts.get("judge")
    returned_once, scores = row[-2] == NominationStatus.RETURNED, row[-1]
    office = units.get("区委宣传部")

    def step(kind, days_ago, opinion="", signer="", actor=None, unit=None, version=None, changes=None):
        nomination.steps.append(
            ReviewStep(
                kind=kind,
                opinion=opinion,
                signer=signer,
                actor_id=getattr(actor, "id", None),
                unit_id=getattr(unit, "id", None),
                version=version or nomination.version,
                changes=changes or {},
                at=_local_noon(days_ago),
            )
        )

    if status == NominationStatus.DRAFT:
        return
    if returned_once:
        step(StepKind.SUBMIT, 22, nomination.unit_opinion, nomination.unit.name, unit=nomination.unit, version=1)
        step(StepKind.RETURN, 18, RETURN_REASON, "区委宣传部", organiser, office, version=1)
        changes = {"deeds": ["（初稿）", "（补充近三年事迹）"]}
        step(
            StepKind.RESUBMIT, 16, nomination.unit_opinion, nomination.unit.name, unit=nomination.unit, changes=changes
        )
    else:
        step(StepKind.SUBMIT, 20, nomination.unit_opinion, nomination.unit.name, unit=nomination.unit)
    if status == NominationStatus.REJECTED:
        step(StepKind.REJECT, 15, REJECT_REASON, "区委宣传部", organiser, office)
    elif status == NominationStatus.ELIGIBLE:
        step(StepKind.PASS, 15, "经审核，符合推荐条件，同意进入专家评审。", "区委宣传部", organiser, office)
        if judge is not None:
            review = ExpertReview(expert_id=judge.id, assigned_at=_local_noon(12))
            if scores:
                review.values = {str(c.id): float(v) for c, v in zip(programme.criteria, scores)}
                review.total = float(sum(scores))
                review.comment = "事迹真实感人，创新成果突出，示范带动作用明显。"
                review.submitted_at = _local_noon(5)
            nomination.expert_reviews.append(review)


def _seed_main(accounts: dict, units: dict[str, Unit]) -> None:
    programme = _programme(
        units,
        title=MAIN_TITLE,
        honour_title="最美科技工作者",
        approval_ref="渭临评表〔2026〕3号",
        stage=ProgrammeStage.EXPERT_REVIEW,
        offsets=(-40, -18, -10, 10, 16, 30),
        total_places=5,
        required_fields=["photo"],
        deeds_limit=3000,
        summary_limit=300,
        experts_per_dossier=1,
        created_by_id=getattr(accounts.get("organiser"), "id", None),
    )
    programme.rules = [
        CompositionRule(subject=RuleSubject.FEMALE, op=RuleOp.AT_LEAST, percent=30),
        CompositionRule(subject=RuleSubject.LEADER, op=RuleOp.AT_MOST, percent=20),
        CompositionRule(subject=RuleSubject.FRONTLINE, op=RuleOp.AT_LEAST, percent=50),
    ]
    for username, role in (("judge", MemberRole.EXPERT), ("committee", MemberRole.COMMITTEE)):
        if username in accounts:
            programme.members.append(ProgrammeMember(user_id=accounts[username].id, role=role))
    if "区委组织部" in units:
        programme.joint_units.append(JointUnit(unit_id=units["区委组织部"].id))
    db.session.flush()
    for index, row in enumerate(DOSSIERS, start=1):
        if row[0] not in units:
            continue
        nomination = _dossier(programme, row, units, accounts, index)
        _chain(nomination, row, programme, accounts, units)
    db.session.flush()


def _seed_open(accounts: dict, units: dict[str, Unit]) -> None:
    programme = _programme(
        units,
        title=OPEN_TITLE,
        honour_title="临渭标杆",
        approval_ref="渭临评表〔2026〕5号",
        stage=ProgrammeStage.NOMINATING,
        offsets=(-5, 20, 30, 45, 52, 70),
        total_places=3,
        required_fields=["photo", "resident_id"],
        deeds_limit=2000,
        summary_limit=200,
        created_by_id=getattr(accounts.get("organiser"), "id", None),
    )
    programme.quotas = [q for q in programme.quotas if q.places][:4]
    programme.rules = [CompositionRule(subject=RuleSubject.LEADER, op=RuleOp.AT_MOST, percent=20)]
    db.session.flush()


def seed(accounts: dict) -> None:
    """Both programmes, once: a second run finds them by title and adds nothing."""
    existing = set(db.session.scalars(select(Programme.title).where(Programme.title.in_((MAIN_TITLE, OPEN_TITLE)))))
    units = _units()
    if MAIN_TITLE not in existing:
        _seed_main(accounts, units)
    if OPEN_TITLE not in existing:
        _seed_open(accounts, units)
    db.session.flush()
