"""What a fetched document is (feed, sitemap, HTML page), and the feeds an HTML page names."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
    "application/xml",
}
# Where sites usually keep their feed when the home page does not say.
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/all.atom.xml",
    "/feed/",
)
_ARTICLE_TYPE = re.compile(
    r'og:type"?\s+content="article|"@type"\s*:\s*"(?:News|Blog|Report)?(?:Article|Posting)"', re.I
)


def document_kind(body: bytes, content_type: str = "") -> str:
    """'sitemap', 'feed' or 'html' (anything else is left to the feed parser to judge)."""
    head = body[:4096].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if head.startswith((b"<!doctype html", b"<html")) or (
        "html" in content_type and b"<rss" not in head and b"<feed" not in head
    ):
        return "html"
    return "feed"


def feed_links(html: str, base: str) -> list[str]:
    """Feed URLs a page announces with <link rel="alternate" type="...">, in page order."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found = []
    for link in tree.xpath('//link[@href and contains(@rel, "alternate")]'):
        if (link.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES - {
            "text/xml",
            "application/xml",
            "application/json",
        }:
            url = urljoin(base, link.get("href"))
            if url not in found:
                found.append(url)
    return found


def common_feed_urls(base: str) -> list[str]:
    """Likely feed addresses on the site of ``base``."""
    parts = urlsplit(base)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in COMMON_FEED_PATHS]


def looks_like_article(html: str, url: str, prose_words: int, min_words: int) -> bool:
    """True when a page is one article rather than a home or section page."""
    if _ARTICLE_TYPE.search(html[:100_000]):
        return True
    depth = len([p for p in urlsplit(url).path.split("/") if p])
    return depth >= 2 and prose_words >= min_words
