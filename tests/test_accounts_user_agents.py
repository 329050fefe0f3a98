"""Signed-in browsers read as "iPhone · 微信", not as raw user-agent strings."""

from __future__ import annotations

import pytest

from accounts.user_agents import describe, is_local

IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)

CASES = [
    (IPHONE_WECHAT, ["iPhone", "WeChat"]),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        ["iPhone", "Safari"],
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        ["iPad", "Chrome"],
    ),
    (
        "Mozilla/5.0 (Linux; Android 12; HarmonyOS; ALN-AL00; HMSCore 6.13.0.302) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.6.300 Mobile Safari/537.36",
        ["HarmonyOS", "Huawei Browser"],
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560",
        ["Android", "WeChat"],
    ),
    (
        "Mozilla/5.0 (Linux; U; Android 13; zh-cn; 2211133C Build/TKQ1.220905.001) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.118 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.8.220115",
        ["Android", "Xiaomi Browser"],
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 Edg/120.0.0.0",
        ["Windows", "Edge"],
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36",
        ["Windows", "Chrome"],
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 "
        "Safari/537.36 QQBrowser/11.5.5240.400",
        ["Windows", "QQ Browser"],
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15",
        ["Mac", "Safari"],
    ),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", ["Linux", "Firefox"]),
    ("curl/8.5.0", ["Program"]),
    ("", ["Other browser"]),
    (None, ["Other browser"]),
]


@pytest.mark.parametrize("ua,expected", CASES)
def test_common_browsers_are_named(ua, expected):
    assert describe(ua) == expected


def test_private_addresses_are_the_local_network():
    assert is_local("192.168.1.20") and is_local("10.0.0.1") and is_local("127.0.0.1") and is_local("::1")
    assert not is_local("61.150.43.1")
    assert not is_local("") and not is_local(None) and not is_local("not an address")


def test_profile_lists_browsers_in_words(app, make_user, login):
    user = make_user("author")
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = IPHONE_WECHAT
    login(client, user)
    page = client.get("/profile").get_data(as_text=True)
    assert "iPhone · 微信" in page
    assert "MicroMessenger" not in page
    assert "本机或内网" in page  # the test client comes from 127.0.0.1
