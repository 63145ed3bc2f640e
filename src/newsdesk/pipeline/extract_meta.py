"""Page metadata from one parsed tree: title, authors, publication day, site, categories.

Structured data is read first because publishers write it for machines: JSON-LD
``datePublished``, ``article:published_time`` and similar ``<meta>`` tags, ``itemprop``
and ``<time>`` elements. Heuristics (trafilatura's meta readers, htmldate) only fill
what structured data leaves empty. Nothing here modifies the tree.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar
from copy import deepcopy
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import htmldate.extractors
import py3langid
from htmldate import find_date
from htmldate.extractors import try_date_expr
from lxml import etree
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.xml import delete_element

from newsdesk.pipeline.extract_authors import byline_author, clean_authors, linked_author

log = logging.getLogger(__name__)

# Fixed bounds keep the stage free of the clock: no news page predates 1995.
MIN_DATE = datetime(1995, 1, 1)
MAX_DATE = datetime(2100, 1, 1)
MAX_JSON_LD_CHARS = 300_000

MIN_HEADLINE = 8
H1_TITLE_OVERLAP = 0.1  # share of words an <h1> and the title share to be one headline
_WORD = re.compile(r"\w+")
_TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022\u22c6\u00bb/:-]+\s+|\s*\|\s*")
_DOMAIN = re.compile(r"^\W*[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2,6})\W*$", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\s*((?:19|20)\d\d)[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_ARTICLE_TYPE = re.compile(r"article|posting|report|blog|news|review|recipe", re.IGNORECASE)
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "cxenseparse:recs:publishtime",
)
_PUBLISHED_XPATH = (
    "//*[@itemprop='datePublished']",
    "//time[@pubdate]",
    "//time[@itemprop='datePublished' or contains(@class, 'publish')]",
)

# trafilatura's author search from markup (``trafilatura.metadata.extract_author``,
# 2.3.1), done in one walk over the page instead of a deep copy and five whole-page XPath
# searches (libxml2 evaluates each predicate node by node, and each EXSLT ``re:test`` is
# a call back into Python): 2-3 times faster, the same answer on all 1,783 evaluation
# pages. _discarded and _author_rank test its expressions one for one;
# tests/test_extract_meta.py checks that both agree. Elements it prunes first: comment,
# sidebar, share, date and figure containers, and every <time> and <figure>.
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
# Regular expressions of the original written as substring tests, which are much faster
# on the long class lists of utility-CSS pages: "^comments|comment-?list|ProductReviews"
_DISCARD_ID = ("commentlist", "comment-list", "ProductReviews")
# "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram
# |article-(?:share|support)|print|category|meta-date|meta-reviewer"
_DISCARD_CLASS = (
    "commentlist",
    "comments-list",
    "sidebar",
    "is-hidden",
    "quote",
    "embedly-instagram",
    "article-share",
    "article-support",
    "print",
    "category",
    "meta-date",
    "meta-reviewer",
)
_AUTHOR_TAGS = (
    frozenset({"a", "address", "div", "link", "p", "span", "strong"}),
    frozenset({"a", "div", "h3", "h4", "p", "span"}),
)
_AUTHOR_CLASS = (
    ("authorname", "author-name", "AuthorName", "authorName"),  # author-?name|AuthorName|...
    (
        "author",
        "channel-name",
        "zuozhe",
        "bianji",
        "xiaobian",
        "submitted-by",
        "posted-by",
        "journalist-name",
    ),
    ("Author", "author", "screenname", "writer", "Byline", "byline"),  # [Aa]uthor|...|[Bb]yline
)
_AUTHOR_ID = (("author", "zuozhe", "bianji", "xiaobian"), ("Author", "author"))
AUTHOR_MAX_CHARS = 120


def _has(value: str, parts: tuple[str, ...]) -> bool:
    # a plain loop: any() over a generator costs twice as much as the tests themselves
    for part in parts:  # noqa: SIM110
        if part in value:
            return True
    return False


def _discarded(element: Any, tag: str) -> bool:
    """trafilatura's AUTHOR_DISCARD_XPATHS for one element."""
    if tag in {"time", "figure"}:
        return True
    if tag not in _DISCARD_TAGS:
        return False
    ident, cls = element.get("id") or "", element.get("class") or ""
    return (
        ident == "comments"
        or cls in {"comments", "title", "date"}
        or ident.startswith("comments")
        or _has(ident, _DISCARD_ID)
        or cls.startswith(("comments", "Comments"))
        or _has(cls, _DISCARD_CLASS)
        or "Figure" in (element.get("data-component") or "")
    )


def _rel_me(element: Any) -> bool:
    """XPath ``rel='me'``: a child element <rel> whose text is "me"."""
    return element.find("rel") is not None and any(
        child.text_content() == "me" for child in element.iterchildren("rel")
    )


def _author_rank(element: Any, tag: str) -> int | None:
    """Which of trafilatura's three AUTHOR_XPATHS an element matches first (0-2), or None."""
    if tag == "author":
        return 0
    if not element.attrib:  # most elements: only <x><rel>me</rel></x> could match
        return 0 if tag in _AUTHOR_TAGS[0] and _rel_me(element) else None
    cls, ident = element.get("class") or "", element.get("id") or ""
    itemprop = element.get("itemprop") or ""
    if tag in _AUTHOR_TAGS[0] and (
        element.get("rel") == "author"
        or ident == "author"
        or cls == "author"
        or itemprop == "author name"
        or element.get("data-testid") in {"AuthorCard", "AuthorURL"}
        or _has(cls, _AUTHOR_CLASS[0])
        or _rel_me(element)
    ):
        return 0
    if tag in _AUTHOR_TAGS[1] and (
        cls in {"byline", "username", "byl", "BBL"}
        or "author" in itemprop
        or _has(ident, _AUTHOR_ID[0])
        or _has(cls, _AUTHOR_CLASS[1])
    ):
        return 1
    if (
        "Byline" in (element.get("data-component") or "")
        or "author" in itemprop
        or _has(ident, _AUTHOR_ID[1])
        or _has(cls, _AUTHOR_CLASS[2])
    ):
        return 2
    return None


def _text_without_discarded(element: Any) -> str:
    """The squashed text of ``element`` once its discarded descendants are gone (their
    tails stay, as trafilatura's pruning leaves them)."""
    drop = [d for d in element.iterdescendants() if isinstance(d.tag, str) and _discarded(d, d.tag)]
    if drop:
        originals = list(element.iter())
        position = {node: index for index, node in enumerate(originals)}
        copies = list(deepcopy(element).iter())
        element = copies[0]
        for node in drop:
            delete_element(copies[position[node]])
    return " ".join(" ".join(element.itertext()).split())


def markup_author(tree: Any) -> str | None:
    """The author named in the page's markup (bylines, ``rel=author``, author classes),
    outside comments, sidebars, figures and dates; None when there is none."""
    ranked: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    walk = etree.iterwalk(tree, events=("start",))
    for _, element in walk:
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if element is not tree and _discarded(element, tag):
            walk.skip_subtree()
            continue
        rank = _author_rank(element, tag)
        if rank is not None:
            ranked[rank].append(element)
    for candidates in ranked:
        for element in candidates:
            text = _text_without_discarded(element)
            if 2 < len(text) < AUTHOR_MAX_CHARS:
                return normalize_authors(None, text)
    return None


def parse_day(value: Any) -> str | None:
    """``YYYY-MM-DD`` of a date string (ISO first, then htmldate's parser), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    match = _ISO_DAY.match(value)
    if match:
        day = "-".join(match.groups())
        try:
            datetime.strptime(day, "%Y-%m-%d")
        except ValueError:
            return None
        return day
    try:
        return try_date_expr(value[:100], "%Y-%m-%d", False, MIN_DATE, MAX_DATE)
    except (ValueError, TypeError, OverflowError):
        return None


def _json_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD document, @graph members included (depth-limited)."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _json_objects(data[key], depth + 1)


def json_ld(tree: Any) -> list[dict[str, Any]]:
    """The objects of the page's JSON-LD blocks; broken blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        objects.extend(_json_objects(data))
    return objects


_CLOSED_TIERS = frozenset({"locked", "metered", "premium", "subscriber", "subscription"})


def _closed(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in {"false", "no"})


def paywalled(tree: Any, objects: list[dict[str, Any]]) -> bool:
    """True when the page says its article is for subscribers: JSON-LD
    ``isAccessibleForFree: false`` (on the article or a part of it, Google's markup for
    paywalled content), or ``<meta property="article:content_tier">`` locked or metered."""
    for obj in objects:
        if _closed(obj.get("isAccessibleForFree")):
            return True
        parts = obj.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and _closed(part.get("isAccessibleForFree")):
                return True
    for meta in tree.iterfind(".//meta[@property='article:content_tier']"):
        if (meta.get("content") or "").strip().lower() in _CLOSED_TIERS:
            return True
    return False


def _type_names(obj: dict[str, Any]) -> str:
    kind = obj.get("@type", "")
    return " ".join(kind) if isinstance(kind, list) else str(kind)


def json_ld_date(objects: list[dict[str, Any]]) -> str | None:
    """``datePublished`` of the article object, else of any object."""
    ranked = sorted(objects, key=lambda o: not _ARTICLE_TYPE.search(_type_names(o)))
    for obj in ranked:
        day = parse_day(obj.get("datePublished"))
        if day:
            return day
    return None


def meta_date(tree: Any) -> str | None:
    """Publication day from ``<meta>`` tags, in the order of :data:`_PUBLISHED_META`."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _PUBLISHED_META and key not in found:
            found[key] = meta.get("content") or ""
    for key in _PUBLISHED_META:
        day = parse_day(found.get(key))
        if day:
            return day
    return None


def markup_date(tree: Any) -> str | None:
    """Publication day from ``itemprop="datePublished"`` and ``<time pubdate>`` elements."""
    for xpath in _PUBLISHED_XPATH:
        for node in tree.xpath(xpath)[:3]:
            value = node.get("content") or node.get("datetime") or node.text_content()
            day = parse_day(value)
            if day:
                return day
    return None


# htmldate's last resort for a date written in words ("3. März 2024") is dateparser,
# which by default tries each of its ~200 languages in turn, compiling the regular
# expressions of every language it has not used before (seconds for a fresh process,
# tens of milliseconds a call after that). htmldate (1.11) takes its parser from
# ``htmldate.extractors.get_external_parser``; ours gives it one restricted to the
# page's languages (set around each find_date call), and htmldate's own
# all-languages parser when none is set. Settings as htmldate 1.11 sets them.
_DATEPARSER_SETTINGS = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}
_DATE_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("date_languages", default=None)
_LANGUAGE_CODE = re.compile(r"^\s*([A-Za-z]{2,3})(?![A-Za-z])")


@lru_cache(maxsize=1)
def _dateparser_languages() -> frozenset[str]:
    from dateparser.data.languages_info import language_order

    return frozenset(language_order)


@lru_cache(maxsize=128)
def _dateparser_for(languages: tuple[str, ...] | None) -> Any:
    from dateparser import DateDataParser

    return DateDataParser(
        languages=list(languages) if languages else None, settings=_DATEPARSER_SETTINGS
    )


def _page_dateparser() -> Any:
    """The dateparser htmldate calls: the current page's languages, else all of them."""
    return _dateparser_for(_DATE_LANGUAGES.get())


htmldate.extractors.get_external_parser = _page_dateparser  # type: ignore[assignment]


def language_code(value: str) -> str:
    """``de`` of ``de-CH``, ``pt`` of ``pt_BR``; "" when ``value`` does not start with one."""
    match = _LANGUAGE_CODE.match(value or "")
    return match.group(1).lower() if match else ""


def date_languages(tree: Any) -> tuple[str, ...]:
    """Languages to read written dates in: the declared ones (else the title's), and English."""
    declared = [str(tree.get("lang") or "")]
    for meta in tree.iterfind(".//head/meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("property") or "").lower()
        if key in {"content-language", "og:locale"}:
            declared.append(meta.get("content") or "")
    known = _dateparser_languages()
    found: list[str] = []
    for code in map(language_code, declared):
        if code in known and code not in found:
            found.append(code)
    if not found:
        title = " ".join(" ".join(t.text_content() for t in tree.iterfind(".//title")).split())
        if len(title) >= 20:
            found.append(str(py3langid.classify(title[:300])[0]))
    return tuple(dict.fromkeys(code for code in [*found, "en"] if code in known))


def _htmldate(tree: Any, url: str, languages: tuple[str, ...] | None = None) -> str | None:
    token = _DATE_LANGUAGES.set(languages)
    try:
        found = find_date(
            tree, url=url, original_date=True, extensive_search=True, max_date=MAX_DATE
        )
    except (ValueError, TypeError, RecursionError) as err:
        log.debug("htmldate failed: %s", err)
        return None
    finally:
        _DATE_LANGUAGES.reset(token)
    return found or None


def publication_day(tree: Any, url: str) -> str | None:
    """Publication day: htmldate's search (markup, then text), then our readers.

    htmldate's markup search already reads JSON-LD, ``<meta>`` and ``<time>``; measured
    on both evaluation sets it picks the reference day more often than reading
    structured data first (which follows a page's own, sometimes wrong, declarations),
    so our readers only fill pages where htmldate finds nothing. One extensive call:
    its markup stages are the quick search's, and running the quick search first only
    repeated them (with a slightly worse pick) on the pages it failed.
    """
    day = _htmldate(tree, url, date_languages(tree))
    if day:
        return day
    return json_ld_date(json_ld(tree)) or meta_date(tree) or markup_date(tree)


def _similar(part: str, names: list[str]) -> bool:
    """True when a title part is the site's name or host ("SPIEGEL", "spiegel.de")."""
    key = re.sub(r"\W+", "", part.casefold())
    if not key:
        return True
    return any(key == n or (len(key) > 3 and (key in n or n in key)) for n in names if n)


def _site_names(sitename: str, url: str) -> list[str]:
    host = urlsplit(url).hostname or ""
    labels = [label for label in host.split(".") if label not in {"www", "m", "amp"}]
    names = [re.sub(r"\W+", "", sitename.casefold())]
    names += [re.sub(r"\W+", "", label) for label in labels[:-1] if len(label) > 2]
    return names


def strip_site_name(title: str, sitename: str, url: str) -> str:
    """``title`` without a leading or trailing part that names the site."""
    cuts = [(found.start(), found.end()) for found in _TITLE_SEPARATOR.finditer(title)]
    if not cuts:
        return title
    # Part i is title[starts[i]:ends[i]]; what is kept keeps its own separators.
    starts = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(title)]
    parts = [title[a:b] for a, b in zip(starts, ends, strict=True)]
    names = _site_names(sitename, url)
    first, last = 0, len(parts) - 1
    while last > first and (_similar(parts[last], names) or _DOMAIN.search(parts[last])):
        last -= 1
    while last > first and _similar(parts[first], names):
        first += 1
    return title[starts[first] : ends[last]]


def _title_element(tree: Any) -> str:
    element = tree.find(".//head//title")
    return " ".join(element.text_content().split()) if element is not None else ""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def headline(tree: Any, title: str, sitename: str, url: str) -> str:
    """The article's headline, as the page shows it: an ``<h1>`` the page title contains,
    else the ``<h1>`` that shares most words with the title without the site's name (a
    tenth of their words at least: the visible headline often words the title
    differently), else that title, else the first ``<h1>``. An ``<h1>`` that is the
    site's name (a logo) is not taken for being in the title."""
    title = " ".join(title.split())
    names = _site_names(sitename, url)
    h1s = [" ".join(h.text_content().split()) for h in tree.iterfind(".//h1")][:3]
    h1s = [h1 for h1 in h1s if len(h1) >= MIN_HEADLINE]
    for h1 in h1s:
        if h1.casefold() in title.casefold() and not _similar(h1, names):
            return h1
    stripped = strip_site_name(title, sitename, url) if title else ""
    title_words = _words(stripped)
    best, best_share = "", 0.0
    for h1 in h1s:
        h1_words = _words(h1)
        union = len(h1_words | title_words)
        share = len(h1_words & title_words) / union if union else 0.0
        if share > best_share:
            best, best_share = h1, share
    if best and best_share >= H1_TITLE_OVERLAP:
        return best
    return stripped or next(iter(h1s), "")


def page_metadata(tree: Any, url: str) -> dict[str, Any]:
    """Title, author string, day, description, site name and categories of a page."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as err:
        log.debug("JSON-LD metadata failed: %s", err)
    sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@")
    # The <title> before trafilatura's guess, which is the <h1> when a page has one: the
    # headline is chosen between the two (see headline()).
    page_title = meta.title or _title_element(tree) or extract_title(tree) or ""
    title = headline(tree, page_title, sitename, url)
    return {
        "title": title,
        "author": clean_authors(meta.author or markup_author(tree) or "", title)
        or linked_author(tree)
        or byline_author(tree),
        "date": publication_day(tree, url),
        "description": meta.description or "",
        "sitename": sitename,
        # Declared sections only: searching the page for category links costs more than
        # the rest of the metadata together.
        "categories": list(meta.categories or []),
        "image": meta.image or "",
        "paywalled": paywalled(tree, json_ld(tree)),
    }
