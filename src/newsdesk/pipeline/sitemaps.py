"""Read XML sitemaps, sitemap indexes and Google News sitemaps into feed entries."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from newsdesk.pipeline.feeds import FeedEntry, FeedError
from newsdesk.pipeline.urls import canonical_url

MAX_INFLATED = 50_000_000  # the sitemap protocol's own limit is 50 MB


@dataclass(frozen=True)
class Sitemap:
    """A sitemap's article entries, or (for an index) its child sitemaps, newest first."""

    entries: tuple[FeedEntry, ...] = ()
    children: tuple[str, ...] = ()


def _inflate(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(body, MAX_INFLATED)
    if inflater.unconsumed_tail:
        raise FeedError(f"sitemap inflates beyond {MAX_INFLATED} bytes")
    return out


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _child_text(node: etree._Element, *names: str) -> str | None:
    for child in node.iter():
        if _local(child) in names and child.text:
            return child.text.strip()
    return None


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """Parse a (possibly gzipped) sitemap; raise FeedError when it is not one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(_inflate(body), parser=parser)
    except (etree.XMLSyntaxError, ValueError, OSError, gzip.BadGzipFile) as err:
        raise FeedError(f"not a sitemap: {err}") from err
    if root is None or _local(root) not in {"urlset", "sitemapindex"}:
        raise FeedError("not a sitemap: no <urlset> or <sitemapindex>")
    if _local(root) == "sitemapindex":
        dated = []
        for node in root:
            loc = canonical_url(_child_text(node, "loc") or "", base_url)
            if loc:
                dated.append((_time(_child_text(node, "lastmod")), loc))
        dated.sort(key=lambda x: x[0] or datetime.min.replace(tzinfo=UTC), reverse=True)
        return Sitemap(children=tuple(loc for _, loc in dated))
    entries = []
    for node in root:
        url = canonical_url(_child_text(node, "loc") or "", base_url)
        if not url:
            continue
        published = _time(_child_text(node, "publication_date", "lastmod"))
        entries.append(
            FeedEntry(
                url=url, guid=url, title=_child_text(node, "title") or "", published=published
            )
        )
    entries.sort(key=lambda e: e.published or datetime.min.replace(tzinfo=UTC), reverse=True)
    return Sitemap(entries=tuple(entries))
