"""Read feeds (RSS, Atom, RDF, JSON Feed via feedparser) and OPML lists."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import feedparser
from lxml import etree

from newsdesk.pipeline.urls import canonical_url

# Complaints feedparser makes about headers, not about the document itself.
BENIGN = (
    feedparser.CharacterEncodingOverride,
    feedparser.NonXMLContentType,
    feedparser.CharacterEncodingUnknown,
)


class FeedError(ValueError):
    """A document is not a usable feed; the message says why."""


class NotAFeedError(FeedError):
    """The document is something else, typically an HTML page."""


class MalformedFeedError(FeedError):
    """The document looks like a feed but cannot be read."""


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: where the article is and what the feed says about it."""

    url: str
    guid: str
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, its site link and its entries in feed order."""

    title: str
    link: str
    entries: tuple[FeedEntry, ...] = field(default_factory=tuple)


def _entry_time(entry: dict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _entry(entry: dict, base_url: str) -> FeedEntry | None:
    link = entry.get("link") or ""
    if not link:
        links = [x.get("href", "") for x in entry.get("links", []) if x.get("href")]
        link = links[0] if links else ""
    url = canonical_url(link, base_url)
    if not url:
        return None
    return FeedEntry(
        url=url,
        guid=str(entry.get("id") or url)[:500],
        title=str(entry.get("title", "")).strip(),
        summary=str(entry.get("summary", "")).strip(),
        published=_entry_time(entry),
        categories=tuple(str(t.get("term", "")) for t in entry.get("tags", []) if t.get("term")),
    )


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _json_time(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_json_feed(body: bytes, base_url: str) -> Feed:
    """Parse a JSON Feed (version 1 or 1.1); raise MalformedFeedError when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise MalformedFeedError(f"malformed JSON feed: {err}") from err
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise NotAFeedError("not a feed: JSON without a jsonfeed.org version")
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        url = canonical_url(str(item.get("url") or item.get("external_url") or ""), base_url)
        if not url:
            continue
        entries.append(
            FeedEntry(
                url=url,
                guid=str(item.get("id") or url)[:500],
                title=str(item.get("title") or "").strip(),
                summary=str(item.get("summary") or item.get("content_text") or "").strip(),
                published=_json_time(item.get("date_published") or item.get("date_modified") or ""),
                categories=tuple(str(t) for t in item.get("tags") or [] if t),
            )
        )
    return Feed(
        title=str(data.get("title", "")).strip(),
        link=canonical_url(str(data.get("home_page_url") or ""), base_url),
        entries=tuple(entries),
    )


def parse_feed(body: bytes, base_url: str, content_type: str = "") -> Feed:
    """Parse feed bytes; raise NotAFeedError or MalformedFeedError with a clear reason."""
    if not body.strip():
        raise MalformedFeedError("empty document")
    if body.lstrip()[:1] == b"{" or "json" in content_type:
        return parse_json_feed(body, base_url)
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    entries = [e for e in (_entry(x, base_url) for x in parsed.entries) if e is not None]
    if not parsed.version and not entries:
        if _looks_like_html(body) or "html" in content_type:
            raise NotAFeedError("not a feed: the URL returns an HTML page")
        reason = parsed.get("bozo_exception") or "unknown format"
        raise NotAFeedError(f"not a feed: {reason}")
    if parsed.bozo and not entries and not isinstance(parsed.get("bozo_exception"), BENIGN):
        raise MalformedFeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    meta = parsed.feed
    return Feed(
        title=str(meta.get("title", "")).strip(),
        link=canonical_url(str(meta.get("link", "")), base_url),
        entries=tuple(entries),
    )


@dataclass(frozen=True)
class Outline:
    """One feed in an OPML list, with the folder it was filed under."""

    url: str
    title: str = ""
    folder: str = ""


def read_opml(body: bytes) -> list[Outline]:
    """The feeds listed in an OPML document, folders kept; raise FeedError if unreadable."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as err:
        raise FeedError(f"not an OPML file: {err}") from err
    if root.tag != "opml":
        raise FeedError(f"not an OPML file: root element is <{root.tag}>")
    outlines = []
    for node in root.iter("outline"):
        url = node.get("xmlUrl") or ""
        if not url:
            continue
        parent = node.getparent()
        folder = ""
        if parent is not None and parent.tag == "outline" and not parent.get("xmlUrl"):
            folder = parent.get("title") or parent.get("text") or ""
        title = node.get("title") or node.get("text") or ""
        outlines.append(Outline(url=url.strip(), title=title.strip(), folder=folder.strip()))
    return outlines


def write_opml(outlines: list[Outline], title: str = "newsdesk sources") -> str:
    """An OPML 2.0 document listing ``outlines``, grouped into folders."""
    folders: dict[str, list[Outline]] = {}
    for item in outlines:
        folders.setdefault(item.folder, []).append(item)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{escape(title)}</title></head>",
        "  <body>",
    ]
    for folder, items in sorted(folders.items()):
        indent = "    "
        if folder:
            lines.append(f"    <outline text={quoteattr(folder)} title={quoteattr(folder)}>")
            indent = "      "
        for item in items:
            lines.append(
                f'{indent}<outline type="rss" text={quoteattr(item.title or item.url)} '
                f"title={quoteattr(item.title or item.url)} xmlUrl={quoteattr(item.url)}/>"
            )
        if folder:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
