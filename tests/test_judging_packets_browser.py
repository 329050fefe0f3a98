"""The judge's reading packet in the browser: pledge with a declaration, download the packet
PDF and the ZIP of judge copies from the queue, declare a conflict on an entry."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import PASSWORD, setup_round, shot

pytestmark = pytest.mark.browser


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def test_judge_downloads_the_packet_and_declares_a_conflict(page, live_server, db, make_user, make_unit, organiser):
    from judging.models import Conflict, RoundJudge

    round_, comp, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=3, n_judges=2, k=2, accept=False
    )
    judge = judges[0]
    base = live_server
    _login(page, base, judge)
    page.goto(f"{base}/judging/my/{round_.id}")
    page.select_option("select[name='declarations-0-relation']", "relative")
    page.fill("input[name='declarations-0-concerns']", "李小红")
    page.check("input[name=accept]")
    shot(page, "judging_packet_pledge")
    page.click("form button.primary")
    page.wait_for_selector("table.queue")
    shot(page, "judging_packet_queue")

    with page.expect_download() as pdf_download:
        page.click("text=阅读材料（PDF）")
    download = pdf_download.value
    assert download.suggested_filename == f"packet-{round_.id}.pdf"
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    codes = [e.anonymous_code for e in entries]
    assert len(reader.pages) == 3
    assert all(any(code in p.extract_text() for code in codes) for p in reader.pages)

    with page.expect_download() as zip_download:
        page.click("text=评审稿打包（ZIP）")
    with zipfile.ZipFile(zip_download.value.path()) as archive:
        assert sorted(archive.namelist()) == sorted(f"{code}.txt" for code in codes)

    # Declare a conflict on the first entry: it leaves the queue.
    page.locator("table.queue a").first.click()
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.click("text=申报利益冲突")
    page.fill("#conflict-reason", "作者是我的亲属")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('申报冲突')")
    page.wait_for_url(re.compile(rf"/judging/my/{round_.id}$"))
    assert code in page.locator(".flash").inner_text()
    shot(page, "judging_packet_conflict")
    db.session.rollback()
    assert db.session.scalar(select(Conflict.reason).where(Conflict.judge_id == judge.id)) == "作者是我的亲属"
    member = db.session.scalar(select(RoundJudge).where(RoundJudge.user_id == judge.id))
    _login(page, base, organiser)
    page.goto(f"{base}/judging/rounds/{round_.id}")
    assert "亲属：李小红" in page.locator("#judges").inner_text()
    shot(page, "judging_packet_round")
    assert member.declarations == [{"relation": "relative", "concerns": "李小红"}]
