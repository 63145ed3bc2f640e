"""Comment text: a small Markdown subset rendered to HTML, then cleaned by an allow-list.

Two independent layers: markdown-it-py with raw HTML off produces only the constructs
enabled below, and nh3 (ammonia) then keeps only the tags, attributes and URL schemes
listed here, whatever the first layer let through. Text is rendered when shown, so a
tightened allow-list applies to old comments too.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "em", "strong", "code", "a", "blockquote", "ul", "ol", "li"}
ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "ol": {"start"}, "*": set()}  # no title, lang
SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# Everything in CommonMark that is not paragraphs, emphasis, code spans, links, quotes, lists.
DISABLED = ["image", "heading", "lheading", "fence", "code", "hr", "table", "html_block"]
DISABLED += ["html_inline", "strikethrough"]

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable(DISABLED)

_LINKISH = re.compile(r"(?i)\b(?:https?://|www\.)|\bmailto:")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """A second look at what nh3 already checked: only http, https and mailto hrefs, and a
    plain number as a list's start."""
    if attribute == "href":
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in SCHEMES else None
    if attribute == "start":
        return value if value.isdigit() and len(value) < 6 else None
    return value


_cleaner = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes=SCHEMES,
    url_relative="deny",
    link_rel=LINK_REL,
    attribute_filter=_keep_attribute,
    strip_comments=True,
)


def render(text: str) -> str:
    """Safe HTML for a comment's text."""
    return _cleaner.clean(_md.render(text))


def count_links(text: str) -> int:
    """Links in a comment as written: Markdown links, autolinks and bare addresses alike."""
    return len(_LINKISH.findall(text))


def plain(text: str) -> str:
    """The text without markup, for e-mails and feed titles."""
    return html.unescape(nh3.clean(render(text), tags=set())).strip()
