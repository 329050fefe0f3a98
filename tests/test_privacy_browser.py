"""Browser journey of issue #13's privacy section: registration with the notice and consent,
then the personal-data download from the profile."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from helpers import shot

pytestmark = pytest.mark.browser


def test_registration_asks_for_consent_and_the_profile_downloads_my_data(page, live_server, db):
    base = live_server
    page.goto(f"{base}/register")
    assert page.locator("#privacy-notice").is_visible()
    page.fill("input[name=username]", "wangfang")
    page.fill("input[name=display_name]", "王芳")
    page.fill("input[name=phone]", "13712345678")
    page.fill("input[name=password]", "Weihe-Spring-2026")
    page.fill("input[name=confirm]", "Weihe-Spring-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "请阅读个人信息保护告知书并同意" in page.content()  # no account without consent
    page.fill("input[name=password]", "Weihe-Spring-2026")
    page.fill("input[name=confirm]", "Weihe-Spring-2026")
    page.check("input[name=consent]")
    shot(page, "privacy-01-register-consent")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/profile")
    with page.expect_download() as info:
        page.click("text=下载我的信息")
    data = info.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        mine = json.loads(z.read("data.json"))
    assert mine["account"]["display_name"] == "王芳"
    assert [c["kind"] for c in mine["consents"]] == ["privacy"]
