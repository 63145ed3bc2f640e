"""Feed and OPML reading."""

from __future__ import annotations

import pytest

from fixture_server import FIXTURES
from newsdesk.pipeline import feeds

BASE = "http://news.example"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"__BASE__", BASE.encode())


def test_rss_feed_entries_in_order_with_tracking_removed() -> None:
    feed = feeds.parse_feed(_fixture("feed.xml"), f"{BASE}/feed.xml")
    assert feed.title == "Fixture World News"
    urls = [e.url for e in feed.entries]
    assert urls[0] == f"{BASE}/news/kursk-offensive.html"
    assert f"{BASE}/news/harbour-bridge.html" in urls
    assert all("utm_" not in u for u in urls)
    assert all(e.guid and e.published for e in feed.entries)
    assert len({e.guid for e in feed.entries}) == 4


def test_atom_feed() -> None:
    feed = feeds.parse_feed(_fixture("atom.xml"), f"{BASE}/atom.xml")
    assert len(feed.entries) == 2
    assert feed.entries[0].title


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(feeds.NotAFeedError, match="HTML page"):
        feeds.parse_feed(_fixture("notafeed.html"), f"{BASE}/", "text/html")


def test_malformed_feed() -> None:
    with pytest.raises(feeds.MalformedFeedError, match="malformed"):
        feeds.parse_feed(_fixture("malformed.xml"), f"{BASE}/malformed.xml")


@pytest.mark.parametrize("body", [b"", b"  \n", b"\x89PNG\r\n\x1a\n\x00\x00binary"])
def test_empty_or_binary_is_rejected(body: bytes) -> None:
    with pytest.raises(feeds.FeedError):
        feeds.parse_feed(body, f"{BASE}/x")


def test_opml_round_trip_keeps_folders() -> None:
    outlines = [
        feeds.Outline("https://a.example/rss", "A & Co", "World"),
        feeds.Outline("https://b.example/atom", "B", ""),
        feeds.Outline("https://c.example/feed", "C", "Business"),
    ]
    again = feeds.read_opml(feeds.write_opml(outlines).encode())
    assert sorted(again, key=lambda o: o.url) == outlines


def test_opml_rejects_other_xml_and_entities() -> None:
    with pytest.raises(feeds.FeedError, match="root element"):
        feeds.read_opml(b"<rss><channel/></rss>")
    bomb = (
        b'<!DOCTYPE o [<!ENTITY e SYSTEM "file:///etc/passwd">]><opml><body>'
        b'<outline xmlUrl="http://x.example/&e;"/></body></opml>'
    )
    with pytest.raises(feeds.FeedError, match="external entity"):
        feeds.read_opml(bomb)


def test_an_empty_but_valid_feed_has_no_entries() -> None:
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
    for content_type in ("", "application/rss+xml", "text/html"):
        assert feeds.parse_feed(body, f"{BASE}/f", content_type).entries == ()
