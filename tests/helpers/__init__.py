"""Builders and constants shared by the test modules (no tests, no fixtures here).

Fixtures live in ``conftest.py``; everything else a test module shares is here.
Import with ``from helpers import ...`` (``helpers.docs`` for manuscripts,
``helpers.judgecopy`` for planted-identity files): pytest puts ``tests/`` on
``sys.path`` because of the rootdir ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import re
import zipfile
from pathlib import Path

from sqlalchemy import select

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PASSWORD = "Correct-Horse-9"
NO_ROUND = 999999
_codes = itertools.count(1)


# --- pages and browser -------------------------------------------------------------


def csrf_token(html: str) -> str | None:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return m.group(1) if m else None


def shot(page, name: str) -> None:
    """Save a named screenshot into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def audit(db, action):
    from core.audit import AuditEntry

    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def follow(client, response):
    """The page a redirect lands on (where the flash message shows)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def refused(app, login, csrf, users, cases, data=None, method="post"):
    """Run (who, url, expected status) rows, each in a fresh client; ``who`` None is anonymous
    (a POST without a CSRF token is a 400; with one, or a GET, goes to the login page)."""
    for who, url, expected in cases:
        client = app.test_client()
        if who is None and method == "post":
            assert client.post(url, data=data or {}).status_code == 400, (who, url)
        if who is not None:
            login(client, users[who])
        if method == "post":
            response = client.post(
                url, data=dict(data or {}, csrf_token=csrf(client, "/login" if who is None else "/"))
            )
        else:
            response = client.get(url)
        assert response.status_code == expected, (who, url, response.status_code)
        if who is None:
            assert "/login" in response.headers["Location"]


# --- essays ------------------------------------------------------------------------

LONG_TEXT = "春风又绿渭河岸，我站在老城墙上眺望远方。十年前这里还是一片低矮的平房，如今高楼林立，街道整洁。" * 3

# Common characters; random text from them shares no 5-gram by chance.
POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
    "收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信"
    "马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
)


def han_text(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(POOL) for _ in range(length))


def now():
    return dt.datetime.now(dt.timezone.utc)


def form_token(html: str) -> str:
    m = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="token"', html)
    assert m, "no submission token in the form"
    return m.group(1)


def entry_data(comp, token, **kw):
    data = {
        "token": token,
        "title": "我的家乡",
        "genre_id": comp.genres[0].id,
        "group_id": comp.groups[0].id,
        "body": LONG_TEXT,
        "pledge": "y",
    }
    data.update(kw)
    return data


def post_entry(client, comp, csrf, path=None, **kw):
    path = path or f"/essays/c/{comp.id}/submit"
    page = client.get(path).get_data(as_text=True)
    data = entry_data(comp, form_token(page), **kw)
    data["csrf_token"] = csrf(client, path)
    return client.post(path, data=data, content_type="multipart/form-data")


def submit_as(client, login, user, comp, csrf, **kw):
    login(client, user)
    response = post_entry(client, comp, csrf, **kw)
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def submit(comp, author, text=LONG_TEXT, token="t1", genre=0, **kw):
    from essays import submission as essay_submission

    extra = {k: kw.pop(k) for k in ("manuscript", "prepared") if k in kw}
    actor = kw.pop("actor", author)
    draft = essay_submission.SubmissionDraft(
        competition=comp,
        author=author,
        token=token,
        title=kw.pop("title", "我的家乡"),
        genre_id=comp.genres[genre].id,
        group_id=comp.groups[0].id if comp.groups else None,
        body_text=text,
        pledge=kw.pop("pledge", True),
        **kw,
    )
    return essay_submission.submit_entry(draft, actor=actor, **extra)


# --- judging -----------------------------------------------------------------------


def judging_competition(db, organiser, *, genres=("散文",), groups=(), code=None):
    from essays.models import Competition, CompetitionStatus, Genre, Group

    now = dt.datetime.now(dt.timezone.utc)
    comp = Competition(
        code=code or f"T{next(_codes):05d}",
        title="喜迎二十大征文",
        theme="家乡",
        status=CompetitionStatus.JUDGING,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=1),
        created_by_id=organiser.id,
    )
    for i, name in enumerate(genres):
        comp.genres.append(Genre(name=name, position=i))
    for i, name in enumerate(groups):
        comp.groups.append(Group(name=name, position=i))
    db.session.add(comp)
    db.session.commit()
    return comp


def make_entry(
    db,
    comp,
    author,
    *,
    unit=None,
    recommending_unit=None,
    genre=None,
    group=None,
    title="我的家乡",
    text="春风又绿渭河岸。",
    judge_title=None,
    judge_text=None,
    code=None,
    judge_file=None,
):
    from essays.models import Submission, SubmissionStatus

    n = next(_codes)
    unit = unit if unit is not None else author.unit
    entry = Submission(
        competition_id=comp.id,
        genre_id=(genre or comp.genres[0]).id,
        group_id=group.id if group else None,
        author_id=author.id,
        unit_id=unit.id if unit else None,
        recommending_unit_id=recommending_unit.id if recommending_unit else None,
        submitted_by_id=author.id,
        title=title,
        body_text=text,
        judge_title=judge_title if judge_title is not None else title,
        judge_text=judge_text if judge_text is not None else text,
        word_count=len(text),
        han_count=len(text),
        anonymous_code=code or f"A{n:04d}X",
        serial=n,
        receipt_number=f"{comp.code}-{n:04d}",
        status=SubmissionStatus.QUALIFIED,
        submitted_at=dt.datetime.now(dt.timezone.utc),
        judge_file_id=judge_file.id if judge_file else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def setup_round(
    db,
    make_user,
    make_unit,
    organiser,
    *,
    n_entries=6,
    n_judges=3,
    k=2,
    criteria=None,
    arbitration="none",
    method="mean",
    leader=False,
    open_=True,
    accept=True,
    **settings,
):
    """A competition with entries from distinct units, a judge pool, a rubric and assignments."""
    from judging import assign_services, judge_services, pool_services, round_services
    from judging.models import Arbitration

    comp = judging_competition(db, organiser)
    judges = [make_user("judge", unit=make_unit()) for _ in range(n_judges)]
    entries = []
    for _ in range(n_entries):
        author = make_user("author", unit=make_unit())
        entries.append(make_entry(db, comp, author))
    leader_user = make_user("judge", unit=make_unit()) if leader else None
    round_ = round_services.create_round(
        comp,
        actor=organiser,
        name="初评",
        k=k,
        method=method,
        arbitration=Arbitration(arbitration),
        leader_id=leader_user.id if leader_user else None,
        **settings,
    )
    round_services.set_criteria(
        round_,
        criteria
        or [
            round_services.CriterionInput("立意", 40, step=1),
            round_services.CriterionInput("语言", 30, step=0.5),
            round_services.CriterionInput("结构", 30, step=1),
        ],
        actor=organiser,
    )
    for judge in judges:
        pool_services.add_judge(round_, judge, actor=organiser)
    if leader_user is not None:
        pool_services.add_judge(round_, leader_user, actor=organiser, capacity=0)
    assign_services.assign_judges(round_, actor=organiser)
    if open_:
        round_services.open_round(round_, actor=organiser)
    if accept:
        for judge in judges + ([leader_user] if leader_user else []):
            judge_services.accept_pledge(round_, judge)
    db.session.commit()
    return round_, comp, judges, entries, leader_user


def values_for(round_, *totals_per_criterion):
    return {str(c.id): v for c, v in zip(round_.criteria, totals_per_criterion)}


# --- exports and publishing --------------------------------------------------------

PLANT = '=HYPERLINK("http://x","y")'  # planted in titles
PHONE = "13800001111"  # the published winner's
EMAIL = "winner@example.cn"


def assert_no_formula(data: bytes) -> None:
    """No cell of any sheet of the .xlsx file is a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


def import_honours(db, organiser, winner, source_id=1):
    from publishing.results import HonourInput, import_honours

    items = [
        HonourInput("first", "一等奖", "李秀英", "区教育局", "科技之光", "征文组", 95, 1, winner.id, 11),
        HonourInput("second", "二等奖", "张伟", "区农业局", "一粒种子", "征文组", 90, 2, None, 12),
    ]
    rs = import_honours("competition", source_id, "2026年科技征文活动", items, organiser, organiser="区委宣传部")
    db.session.commit()
    return rs


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font of the document → whether its file is embedded."""
    from pypdf import PdfReader

    out = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            desc_font = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = desc_font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            out[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out
