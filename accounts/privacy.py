"""The privacy notice (个人信息保护法) and the consents given to it.

The notice is the legal text shown at registration, in Chinese as published;
``NOTICE_VERSION`` changes whenever its wording does, and every consent keeps
the version the person agreed to.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import select

from accounts.models import Consent, ConsentKind, User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_

NOTICE_VERSION = "2026-12-01"

NOTICE_TITLE = "个人信息保护告知书"

# (heading, paragraphs) in the order of the notice.
NOTICE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "一、我们是谁",
        (
            "本系统由活动主办单位（区委宣传部及承办、协办单位）用于征文、评选活动的报名、评审和结果公布。"
            "主办单位是您个人信息的处理者，联系方式见各活动通知。",
        ),
    ),
    (
        "二、我们收集哪些个人信息",
        (
            "注册时：用户名、真实姓名、手机号码、电子邮箱（选填）、所在单位或工作单位、登录密码（仅保存不可逆的散列值）。",
            "投稿时：作品标题、正文及您上传的文件、所选文体和组别、诚信承诺；青少年组还有监护人的姓名、与作者的关系及同意记录。",
            "使用时：登录时间、IP 地址和浏览器信息（用于账户安全，您可在个人资料页查看并注销其他设备的登录）。",
        ),
    ),
    (
        "三、我们为什么收集",
        (
            "用于核实作者身份、受理和审核投稿、匿名评审、公布获奖结果、颁发证书、联系您处理异议以及保障系统安全。"
            "我们不会将您的个人信息用于上述目的以外的用途，也不会出售或向无关第三方提供。",
        ),
    ),
    (
        "四、谁能看到",
        (
            "评委只看到作品的匿名编号和已去除身份信息的评审稿，看不到您的姓名、单位和联系方式。",
            "主办、承办单位的工作人员和您所在单位的联络员可以看到您的报名信息，用于审核和统计。",
            "获奖作品的作者姓名、单位和作品标题将按活动通知公开公示；未获奖作品不公开。",
        ),
    ),
    (
        "五、保存多久",
        (
            "账户信息保存至您注销账户为止。活动归档后，主办单位设定保存期限；期限届满后，"
            "未获奖作品的作者姓名、联系方式、作品正文和文件将被删除或匿名化，仅保留匿名的评分、编号、字数和操作记录。"
            "获奖作品因结果已公开，按档案管理规定保存。",
        ),
    ),
    (
        "六、您的权利",
        (
            "您有权查阅、复制您的个人信息（在个人资料页可下载系统保存的您的全部信息），有权更正不准确的信息，"
            "有权撤回同意、要求删除或注销账户（撤回同意不影响此前基于同意已进行的处理）。"
            "如需行使上述权利或有疑问、投诉，请联系活动主办单位。",
        ),
    ),
    (
        "七、未成年人",
        (
            "不满十四周岁的未成年人的个人信息属于敏感个人信息。青少年组投稿须取得其父母或其他监护人的同意，"
            "并由监护人填写姓名和与作者的关系。",
        ),
    ),
)

GUARDIAN_RELATIONS = ("父亲", "母亲", "其他监护人")


def notice_text() -> str:
    """The whole notice as plain text (the personal-data download carries it)."""
    lines = [NOTICE_TITLE, f"版本：{NOTICE_VERSION}", ""]
    for heading, paragraphs in NOTICE_SECTIONS:
        lines.append(heading)
        lines.extend(paragraphs)
        lines.append("")
    return "\n".join(lines)


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record_consent(user: User, *, version: str = NOTICE_VERSION) -> Consent:
    """The person agreed to the privacy notice of ``version``."""
    if version != NOTICE_VERSION:
        raise UserError(N_("The privacy notice has changed. Please read it again."))
    consent = Consent(user_id=user.id, kind=ConsentKind.PRIVACY, notice_version=version, ip=_ip())
    audit.record(
        "privacy.consent",
        user,
        actor=user,
        changes={"notice_version": [None, version]},
    )
    db.session.add(consent)
    return consent


def check_guardian_consent(guardian_name: str | None, relation: str | None, agreed: bool) -> None:
    """Refuse a youth group's entry without its guardian's name, relation and consent."""
    if not agreed or not (guardian_name or "").strip() or relation not in GUARDIAN_RELATIONS:
        raise UserError(N_("A youth group entry needs a guardian's name, relation and consent."))


def record_guardian_consent(entry, *, guardian_name: str, relation: str, agreed: bool) -> Consent | None:
    """A guardian agreed to a minor's entry (once per entry; a later edit keeps the first consent)."""
    check_guardian_consent(guardian_name, relation, agreed)
    if db.session.scalar(select(Consent.id).where(Consent.submission_id == entry.id).limit(1)) is not None:
        return None
    consent = Consent(
        user_id=entry.author_id,
        kind=ConsentKind.GUARDIAN,
        notice_version=NOTICE_VERSION,
        submission_id=entry.id,
        guardian_name=guardian_name.strip()[:64],
        guardian_relation=relation,
        ip=_ip(),
    )
    db.session.add(consent)
    audit.record("privacy.guardian_consent", entry, changes={"guardian_relation": [None, relation]})
    return consent
