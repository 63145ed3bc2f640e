"""Recognise pages that are not articles however much text they hold: bot challenges,
cookie-consent walls, login walls, paywall stubs and error pages served as 200."""

from __future__ import annotations

import re

_PATTERNS: dict[str, re.Pattern[str]] = {
    "challenge": re.compile(
        r"cf-browser-verification|challenge-platform|cf_chl_|__cf_chl|just a moment\.\.\.|"
        r"checking your browser|attention required!? \| cloudflare|ddos-guard|"
        r"please enable (?:javascript and )?cookies to continue|captcha-delivery|"
        r"are you a robot|verify you are (?:a )?human|px-captcha|_incapsula_resource",
        re.I,
    ),
    "consent": re.compile(
        r"before you continue to|consent\.(?:google|yahoo)\.|we value your privacy|"
        r"manage (?:your )?cookie (?:preferences|settings)|cookies? (?:consent|wall)|"
        r"accept (?:all )?cookies to (?:continue|read)|privacy-mgmt|consent-page",
        re.I,
    ),
    "login_wall": re.compile(
        r"(?:sign|log) ?in to (?:continue|read|view|access)|"
        r"create (?:a )?free account to (?:continue|read)|you must be logged in|"
        r"register to (?:continue|read)",
        re.I,
    ),
    "paywall": re.compile(
        r"subscribe (?:now )?to (?:continue|keep) reading|"
        r"this (?:article|content|story) is (?:only )?(?:available |reserved )?(?:to|for) "
        r"(?:subscribers|members)|already a subscriber\?|"
        r"\"isaccessibleforfree\"\s*:\s*\"?false|unlock (?:this|the full) (?:article|story)",
        re.I,
    ),
    "error_page": re.compile(
        r"<title>[^<]{0,60}(?:404|page not found|not found|error|"
        r"seite nicht gefunden|page introuvable|no encontrada)[^<]{0,60}</title>",
        re.I,
    ),
}
STUB_WORDS = 150  # a real article behind a consent banner or paywall hint has more text


def page_kind(html: str, prose_words: int) -> str | None:
    """'challenge', 'consent', 'login_wall', 'paywall' or 'error_page' for such pages, else None.

    Challenges are refused whatever their length; the others only when the page holds
    little prose, since real articles often carry a cookie banner or a paywall script.
    """
    head = html[:200_000]
    if _PATTERNS["challenge"].search(head) and prose_words < STUB_WORDS * 2:
        return "challenge"
    if prose_words >= STUB_WORDS:
        return None
    for kind in ("error_page", "consent", "login_wall", "paywall"):
        if _PATTERNS[kind].search(head):
            return kind
    return None
