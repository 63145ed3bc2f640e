"""Outgoing feeds: RSS 2.0, Atom and JSON Feed 1.1 for the front page and for each story."""

from __future__ import annotations

from datetime import datetime

import feedparser
import pytest
from django.test import Client
from lxml import html as lxml_html

from newsroom import TRICKY_TITLE, Newsroom, build

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


def parse(client: Client, url: str, content_type: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize(
    ("url", "content_type", "version"),
    [
        ("/feed.rss", "application/rss+xml", "rss20"),
        ("/feed.atom", "application/atom+xml", "atom10"),
    ],
)
def test_front_feeds_list_the_newest_stories(
    newsroom: Newsroom, client: Client, url: str, content_type: str, version: str
) -> None:
    feed = parse(client, url, content_type)
    assert feed.version == version
    assert feed.feed.title == "newsdesk"
    assert feed.feed.link == f"{BASE}/"
    stories = [newsroom.rates, newsroom.flood, newsroom.bridge]  # newest first
    assert [e.link for e in feed.entries] == [f"{BASE}/story/{s.pk}" for s in stories]
    assert [e.id for e in feed.entries] == [f"{BASE}/story/{s.pk}" for s in stories]
    assert [e.title for e in feed.entries] == [s.title for s in stories]
    assert feed.entries[0].title == TRICKY_TITLE  # plain text, escaped once
    flood = feed.entries[1]
    assert flood.author == "Ana Reyes, Bo Lind"
    assert "https://alpha.example/news/flood.html" in flood.summary
    assert "Reported by 2 outlets." in flood.summary
    published = datetime(*flood.published_parsed[:6]).replace(tzinfo=newsroom.now.tzinfo)
    assert published == newsroom.flood.published_at


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [("feed.rss", "application/rss+xml"), ("feed.atom", "application/atom+xml")],
)
def test_story_feeds_list_each_outlets_article_with_the_original(
    newsroom: Newsroom, client: Client, suffix: str, content_type: str
) -> None:
    feed = parse(client, f"/story/{newsroom.flood.pk}/{suffix}", content_type)
    assert feed.feed.link == f"{BASE}/story/{newsroom.flood.pk}"
    assert newsroom.flood.title in feed.feed.title
    alpha, beta = feed.entries
    assert alpha.link == "https://alpha.example/news/flood.html"
    assert beta.link == "https://beta.example/floods"
    assert alpha.id == f"{BASE}/article/{newsroom.alpha.pk}"
    assert beta.id == f"{BASE}/article/{newsroom.beta.pk}"
    assert alpha.title == f"{newsroom.alpha.title} (Alpha)"
    assert beta.title == f"{newsroom.beta.title} (Beta)"
    assert 'Source: <a href="https://beta.example/floods">Beta</a>' in beta.summary
    assert alpha.author == "Ana Reyes, Bo Lind"
    assert [t.term for t in alpha.tags] == ["World"]


def test_a_story_feed_lists_only_its_own_articles(newsroom: Newsroom, client: Client) -> None:
    feed = parse(client, f"/story/{newsroom.rates.pk}/feed.rss", "application/rss+xml")
    assert [e.link for e in feed.entries] == ["https://gamma.example/rates"]


def _check_json_feed(document: dict, feed_url: str) -> None:
    """The JSON Feed 1.1 rules a reader relies on."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    assert document["feed_url"] == feed_url
    assert document["home_page_url"].startswith(f"{BASE}/")
    assert isinstance(document["items"], list)
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith(("http://", "https://"))
        datetime.fromisoformat(item["date_published"])  # RFC 3339
        for author in item.get("authors", []):
            assert set(author) <= {"name", "url", "avatar"}


def test_front_json_feed(newsroom: Newsroom, client: Client) -> None:
    response = client.get("/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    document = response.json()
    _check_json_feed(document, f"{BASE}/feed.json")
    items = document["items"]
    assert [i["url"] for i in items] == [
        f"{BASE}/story/{s.pk}" for s in (newsroom.rates, newsroom.flood, newsroom.bridge)
    ]
    assert items[0]["title"] == TRICKY_TITLE
    flood = items[1]
    assert flood["image"] == BASE + newsroom.image
    assert flood["authors"] == [{"name": "Ana Reyes"}, {"name": "Bo Lind"}]
    assert flood["summary"] == "About 300 homes were flooded in the Harbour district."
    assert datetime.fromisoformat(flood["date_published"]) == newsroom.flood.published_at
    assert datetime.fromisoformat(flood["date_modified"]) == newsroom.flood.updated_at


def test_story_json_feed(newsroom: Newsroom, client: Client) -> None:
    url = f"/story/{newsroom.flood.pk}/feed.json"
    document = client.get(url).json()
    _check_json_feed(document, BASE + url)
    assert [(i["id"], i["url"]) for i in document["items"]] == [
        (f"{BASE}/article/{newsroom.alpha.pk}", "https://alpha.example/news/flood.html"),
        (f"{BASE}/article/{newsroom.beta.pk}", "https://beta.example/floods"),
    ]
    assert "Source: <a" in document["items"][1]["content_html"]


def test_feeds_are_valid_when_the_site_is_empty(client: Client) -> None:
    assert parse(client, "/feed.rss", "application/rss+xml").entries == []
    assert parse(client, "/feed.atom", "application/atom+xml").entries == []
    _check_json_feed(client.get("/feed.json").json(), f"{BASE}/feed.json")


def test_unknown_story_has_no_feed(client: Client) -> None:
    for suffix in ("feed.rss", "feed.atom", "feed.json"):
        assert client.get(f"/story/999999/{suffix}").status_code == 404


def test_feeds_use_the_configured_public_url(newsroom: Newsroom, client: Client, settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_URL": "https://news.example.org/"}
    feed = parse(client, "/feed.atom", "application/atom+xml")
    assert feed.entries[0].link == f"https://news.example.org/story/{newsroom.rates.pk}"
    assert client.get("/feed.json").json()["feed_url"] == "https://news.example.org/feed.json"


def _alternates(client: Client, url: str) -> dict[str, str]:
    tree = lxml_html.fromstring(client.get(url).content)
    return {
        link.get("href"): link.get("type") for link in tree.xpath("//head/link[@rel='alternate']")
    }


def test_pages_link_their_feeds(newsroom: Newsroom, client: Client) -> None:
    site_feeds = {
        "/feed.rss": "application/rss+xml",
        "/feed.atom": "application/atom+xml",
        "/feed.json": "application/feed+json",
    }
    assert site_feeds.items() <= _alternates(client, "/").items()
    pk = newsroom.flood.pk
    story_feeds = {
        f"/story/{pk}/feed.rss": "application/rss+xml",
        f"/story/{pk}/feed.atom": "application/atom+xml",
        f"/story/{pk}/feed.json": "application/feed+json",
    }
    assert (site_feeds | story_feeds).items() <= _alternates(client, f"/story/{pk}").items()
    assert story_feeds.items() <= _alternates(client, f"/article/{newsroom.beta.pk}").items()
    for href, mime in (site_feeds | story_feeds).items():
        response = client.get(href)
        assert response.status_code == 200 and response["Content-Type"].startswith(mime)
