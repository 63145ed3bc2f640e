"""What story and article pages tell link previews and search engines, and conditional GET."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils.http import http_date
from lxml import html as lxml_html

from newsdesk.stories.models import Story
from newsroom import TRICKY_TITLE, Newsroom, build, outlet, store

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


def page(client: Client, url: str) -> lxml_html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def json_ld(tree: lxml_html.HtmlElement) -> dict:
    (script,) = tree.xpath("//head/script[@type='application/ld+json']")
    return json.loads(script.text)


def meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """<meta property|name=... content=...> of the head."""
    return {
        (m.get("property") or m.get("name")): m.get("content")
        for m in tree.xpath("//head/meta[@content]")
    }


def test_story_page_has_news_article_json_ld(newsroom: Newsroom, client: Client) -> None:
    tree = page(client, f"/story/{newsroom.flood.pk}")
    data = json_ld(tree)
    url = f"{BASE}/story/{newsroom.flood.pk}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == newsroom.flood.title
    assert data["datePublished"] == newsroom.flood.published_at.isoformat()
    assert data["dateModified"] == newsroom.flood.updated_at.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "Ana Reyes"},
        {"@type": "Person", "name": "Bo Lind"},
    ]
    assert data["image"] == [BASE + newsroom.image]
    assert data["publisher"] == {"@type": "Organization", "name": "newsdesk", "url": f"{BASE}/"}
    assert data["isBasedOn"] == [
        "https://alpha.example/news/flood.html",
        "https://beta.example/floods",
    ]
    assert data["mainEntityOfPage"]["@id"] == url


def test_article_page_has_news_article_json_ld(newsroom: Newsroom, client: Client) -> None:
    data = json_ld(page(client, f"/article/{newsroom.beta.pk}"))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == newsroom.beta.title
    assert data["isBasedOn"] == ["https://beta.example/floods"]
    assert data["datePublished"] == newsroom.beta.published_at.isoformat()
    assert data["url"] == f"{BASE}/article/{newsroom.beta.pk}"
    # No byline: the outlet stands as the author.
    assert data["author"] == [{"@type": "Organization", "name": "Beta"}]
    assert "image" not in data


def test_json_ld_cannot_break_out_of_its_script(newsroom: Newsroom, client: Client) -> None:
    response = client.get(f"/story/{newsroom.rates.pk}")
    source = response.content.decode()
    assert "<script>alert(1)" not in source
    tree = lxml_html.fromstring(response.content)
    assert len(tree.xpath("//script")) == 1
    assert json_ld(tree)["headline"] == TRICKY_TITLE


def test_story_page_has_open_graph_twitter_and_canonical(
    newsroom: Newsroom, client: Client
) -> None:
    tree = page(client, f"/story/{newsroom.flood.pk}")
    url = f"{BASE}/story/{newsroom.flood.pk}"
    assert tree.xpath("//head/link[@rel='canonical']/@href") == [url]
    tags = meta(tree)
    assert tags["og:type"] == "article"
    assert tags["og:title"] == newsroom.flood.title
    assert tags["og:url"] == url
    assert tags["og:site_name"] == "newsdesk"
    assert tags["og:image"] == BASE + newsroom.image
    assert tags["og:image:alt"] == "Boats in a flooded street"
    assert tags["og:description"] == "About 300 homes were flooded in the Harbour district."
    assert tags["article:published_time"] == newsroom.flood.published_at.isoformat()
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:title"] == newsroom.flood.title
    assert tags["twitter:image"] == BASE + newsroom.image


def test_article_page_without_image_gets_a_summary_card(newsroom: Newsroom, client: Client) -> None:
    tree = page(client, f"/article/{newsroom.gamma.pk}")
    assert tree.xpath("//head/link[@rel='canonical']/@href") == [
        f"{BASE}/article/{newsroom.gamma.pk}"
    ]
    tags = meta(tree)
    assert tags["twitter:card"] == "summary"
    assert "og:image" not in tags
    assert tags["og:title"] == TRICKY_TITLE
    assert tags["og:description"].startswith("The central bank raised")


def test_canonical_follows_the_configured_public_url(
    newsroom: Newsroom, client: Client, settings
) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_URL": "https://news.example.org"}
    tree = page(client, f"/story/{newsroom.flood.pk}")
    url = f"https://news.example.org/story/{newsroom.flood.pk}"
    assert tree.xpath("//head/link[@rel='canonical']/@href") == [url]
    assert meta(tree)["og:url"] == url
    assert json_ld(tree)["publisher"]["url"] == "https://news.example.org/"


def _urls(n: Newsroom) -> list[str]:
    return [
        "/",
        "/index.json",
        f"/story/{n.flood.pk}",
        f"/story/{n.flood.pk}.json",
        f"/article/{n.alpha.pk}",
        f"/article/{n.alpha.pk}.json",
        "/feed.rss",
        "/feed.atom",
        "/feed.json",
        f"/story/{n.flood.pk}/feed.rss",
        f"/story/{n.flood.pk}/feed.atom",
        f"/story/{n.flood.pk}/feed.json",
        "/sitemap.xml",
        "/sitemap-stories.xml",
        "/sitemap-news.xml",
        "/robots.txt",
    ]


def test_a_second_request_with_the_etag_gets_304(newsroom: Newsroom, client: Client) -> None:
    etags = set()
    for url in _urls(newsroom):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Cache-Control"] == "public, max-age=60", url
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), url
        etags.add(etag)
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "public, max-age=60"
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200, url
    # Every representation has its own validator (the HTML page and its JSON twin differ).
    assert len(etags) == len(_urls(newsroom))


def test_if_modified_since_gets_304_until_the_story_changes(
    newsroom: Newsroom, client: Client
) -> None:
    url = f"/story/{newsroom.flood.pk}"
    first = client.get(url)
    assert first["Last-Modified"] == http_date(newsroom.flood.updated_at.timestamp())
    since = first["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    assert (
        client.get("/", headers={"If-Modified-Since": client.get("/")["Last-Modified"]}).status_code
        == 304
    )
    # A new outlet's report on the flood changes the story, its feed and the front page.
    store(
        outlet("epsilon"),
        "Port Calloway flood: hundreds of homes evacuated by boat",
        "The river burst its banks in Port Calloway, flooding about 300 homes in the Harbour "
        "district; emergency crews evacuated residents by boat as the mayor declared a state "
        "of emergency and water levels kept rising.",
        "flood",
        newsroom.now + timedelta(minutes=5),
    )
    assert Story.objects.get(pk=newsroom.flood.pk).article_count == 3
    later = client.get(url, headers={"If-Modified-Since": since, "If-None-Match": first["ETag"]})
    assert later.status_code == 200
    assert later["ETag"] != first["ETag"]
    assert "epsilon.example/flood" in later.content.decode()


def test_the_etag_follows_the_data_not_only_the_clock(newsroom: Newsroom, client: Client) -> None:
    """An editor's retitling leaves updated_at alone, but the page must not answer 304."""
    url = f"/story/{newsroom.flood.pk}/feed.json"
    etag = client.get(url)["ETag"]
    Story.objects.filter(pk=newsroom.flood.pk).update(title="Port Calloway flood")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["title"].startswith("Port Calloway flood ·")


def test_unknown_pages_stay_404_and_uncached(client: Client) -> None:
    response = client.get("/story/999999", headers={"If-None-Match": "*"})
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_pages_refuse_writes(newsroom: Newsroom, client: Client) -> None:
    assert client.post("/").status_code == 405
    assert client.post(f"/story/{newsroom.flood.pk}/feed.rss").status_code == 405
    assert client.head("/feed.json").status_code == 200
