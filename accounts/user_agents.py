"""A browser's user-agent string in a few words: "iPhone · 微信", "Windows · Edge".

The list of signed-in browsers shows these instead of the raw string. Only the
browsers and systems people here use are told apart (WeChat and the Chinese
browsers included); anything else reads "Other browser". The words come back
as msgids (``N_``) or proper names; the page translates them.

No location: that needs a GeoIP database, which we do not ship. The address is
shown as it is, with "local network" for private and loopback addresses.
"""

from __future__ import annotations

import ipaddress
import re

from core.i18n_markers import N_

# First match wins: in-app browsers and Chinese browsers say "Chrome" and
# "Safari" too, and Edge and Opera say "Chrome", so they come before those.
_BROWSERS: tuple[tuple[str, str], ...] = (
    (r"curl/|python-requests|Wget/|HeadlessChrome|[Bb]ot\b|spider|crawler", N_("Program")),
    (r"MicroMessenger/", N_("WeChat")),
    (r"\bwxwork/", N_("WeCom")),
    (r"DingTalk/", N_("DingTalk")),
    (r"\bQQ/", "QQ"),
    (r"MQQBrowser/|QQBrowser/", N_("QQ Browser")),
    (r"UCBrowser/|UCWEB", N_("UC Browser")),
    (r"Quark/", N_("Quark")),
    (r"HuaweiBrowser/|HBPC/", N_("Huawei Browser")),
    (r"MiuiBrowser/|XiaoMi/MiuiBrowser", N_("Xiaomi Browser")),
    (r"HeyTapBrowser/", N_("OPPO Browser")),
    (r"VivoBrowser/", N_("vivo Browser")),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"baiduboxapp/|BaiduHD/|BIDUBrowser", N_("Baidu")),
    (r"QihooBrowser|360SE|360EE", N_("360 Browser")),
    (r"SogouMobileBrowser|SE \d.*MetaSr", N_("Sogou Browser")),
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Version/[\d.]+.*Safari/|Mobile/\w+$", "Safari"),
    (r"Trident/|MSIE ", "Internet Explorer"),
)

_SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"\biPhone\b", "iPhone"),
    (r"\biPad\b", "iPad"),
    (r"HarmonyOS|OpenHarmony", N_("HarmonyOS")),
    (r"\bAndroid\b", "Android"),
    (r"Windows Phone", "Windows Phone"),
    (r"Windows NT|Windows", "Windows"),
    (r"Macintosh|Mac OS X", "Mac"),
    (r"CrOS", "ChromeOS"),
    (r"Linux|X11", "Linux"),
)

UNKNOWN_BROWSER = N_("Other browser")
LOCAL_NETWORK = N_("local network")


def describe(user_agent: str | None) -> list[str]:
    """[system, browser] as msgids or names; the system is left out when unknown."""
    text = user_agent or ""
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, text)), None)
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, text)), UNKNOWN_BROWSER)
    return [part for part in (system, browser) if part]


def is_local(address: str | None) -> bool:
    """Whether an address belongs to a private, loopback or link-local network."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local
