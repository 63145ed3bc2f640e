"""Sitemaps (index, stories with images, Google News) and robots.txt."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from lxml import etree

from newsdesk.stories import clustering
from newsroom import TRICKY_TITLE, Newsroom, build

pytestmark = pytest.mark.django_db
BASE = "http://testserver"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


def xml(client: Client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)  # raises on malformed XML


def urls(root: etree._Element) -> dict[str, etree._Element]:
    return {u.findtext("sm:loc", namespaces=NS): u for u in root.findall("sm:url", NS)}


def test_sitemap_index_points_at_every_sitemap(newsroom: Newsroom, client: Client) -> None:
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    locations = [s.findtext("sm:loc", namespaces=NS) for s in root.findall("sm:sitemap", NS)]
    assert locations == [f"{BASE}/sitemap-stories.xml", f"{BASE}/sitemap-news.xml"]
    for location in locations:
        assert client.get(location.removeprefix(BASE)).status_code == 200
    lastmod = root.findtext("sm:sitemap/sm:lastmod", namespaces=NS)
    assert datetime.fromisoformat(lastmod) == newsroom.rates.updated_at


def test_stories_sitemap_lists_every_story_with_its_lead_image(
    newsroom: Newsroom, client: Client
) -> None:
    root = xml(client, "/sitemap-stories.xml")
    assert root.tag == f"{{{NS['sm']}}}urlset"
    entries = urls(root)
    stories = (newsroom.rates, newsroom.flood, newsroom.bridge)
    assert list(entries) == [f"{BASE}/story/{s.pk}" for s in stories]
    for story in stories:
        lastmod = entries[f"{BASE}/story/{story.pk}"].findtext("sm:lastmod", namespaces=NS)
        assert datetime.fromisoformat(lastmod) == story.updated_at
    images = {
        loc: [i.findtext("image:loc", namespaces=NS) for i in u.findall("image:image", NS)]
        for loc, u in entries.items()
    }
    assert images == {
        f"{BASE}/story/{newsroom.rates.pk}": [],
        f"{BASE}/story/{newsroom.flood.pk}": [BASE + newsroom.image],
        f"{BASE}/story/{newsroom.bridge.pk}": [],
    }


def test_merged_stories_leave_the_sitemap(newsroom: Newsroom, client: Client) -> None:
    clustering.merge_stories(newsroom.flood.pk, [newsroom.rates.pk])
    entries = urls(xml(client, "/sitemap-stories.xml"))
    assert f"{BASE}/story/{newsroom.rates.pk}" not in entries
    assert f"{BASE}/story/{newsroom.flood.pk}" in entries


def test_news_sitemap_has_the_last_two_days(newsroom: Newsroom, client: Client) -> None:
    root = xml(client, "/sitemap-news.xml")
    entries = urls(root)
    # The ten-day-old bridge story is not news any more.
    assert list(entries) == [
        f"{BASE}/story/{newsroom.rates.pk}",
        f"{BASE}/story/{newsroom.flood.pk}",
    ]
    for story in (newsroom.rates, newsroom.flood):
        news = entries[f"{BASE}/story/{story.pk}"].find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS) == "newsdesk"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        assert news.findtext("news:title", namespaces=NS) == story.title
        published = news.findtext("news:publication_date", namespaces=NS)
        assert datetime.fromisoformat(published) == story.published_at
    rates = entries[f"{BASE}/story/{newsroom.rates.pk}"]
    assert rates.findtext("news:news/news:title", namespaces=NS) == TRICKY_TITLE
    flood = entries[f"{BASE}/story/{newsroom.flood.pk}"]
    assert flood.findtext("image:image/image:loc", namespaces=NS) == BASE + newsroom.image


def test_sitemaps_are_valid_when_the_site_is_empty(client: Client) -> None:
    assert urls(xml(client, "/sitemap-stories.xml")) == {}
    assert urls(xml(client, "/sitemap-news.xml")) == {}
    assert len(xml(client, "/sitemap.xml").findall("sm:sitemap", NS)) == 2


def test_a_sitemap_page_past_the_end_is_404(newsroom: Newsroom, client: Client) -> None:
    assert client.get("/sitemap-stories.xml?p=2").status_code == 404
    assert client.get("/sitemap-stories.xml?p=x").status_code == 404


def test_sitemaps_use_the_configured_public_url(
    newsroom: Newsroom, client: Client, settings
) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_URL": "https://news.example.org"}
    index = xml(client, "/sitemap.xml")
    assert index.findtext("sm:sitemap/sm:loc", namespaces=NS) == (
        "https://news.example.org/sitemap-stories.xml"
    )
    assert f"https://news.example.org/story/{newsroom.flood.pk}" in urls(
        xml(client, "/sitemap-news.xml")
    )


def test_robots_txt(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert not [
        line for line in lines if line.startswith("Disallow") and line != "Disallow: /admin/"
    ]
