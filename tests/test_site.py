"""The served pages and their JSON twins, after a real fetch."""

from __future__ import annotations

import pytest
from django.test import Client

from newsdesk.cli import main
from newsdesk.stories.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def fetched(site_server, capsys) -> str:
    base, _ = site_server
    main(["sources", "add", f"{base}/feed.xml"])
    main(["fetch", "--once"])
    capsys.readouterr()
    return base


def test_front_page_lists_the_stories(fetched: str, client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Army Opens Wide Offensive in Kursk Border Region" in html
    assert "Port Calloway Opens Its Long-Delayed Harbour Bridge" in html
    data = client.get("/index.json").json()
    assert len(data["stories"]) == 3


def test_story_page_reads_like_a_news_article(fetched: str, client: Client) -> None:
    article = Article.objects.get(canonical_url=f"{fetched}/news/kursk-offensive.html")
    html = client.get(f"/story/{article.story_id}").content.decode()
    assert "<h1>Army Opens Wide Offensive in Kursk Border Region</h1>" in html
    assert f'Source: <a href="{fetched}/news/kursk-offensive.html"' in html
    assert "Maria Pell and Tomas Reed contributed reporting." in html
    assert "By Alex Verdane" in html
    assert 'alt="Soldiers walk past a damaged building near the border"' in html
    assert "Photo: Fixture Agency" in html
    assert "facebookJumbo" not in html


def test_story_json_twin(fetched: str, client: Client) -> None:
    article = Article.objects.get(canonical_url=f"{fetched}/news/kursk-offensive.html")
    data = client.get(f"/story/{article.story_id}.json").json()
    assert data["title"] == article.title
    lead = data["lead"]
    assert lead["source_url"] == article.canonical_url
    assert lead["contributors"] == ["Maria Pell", "Tomas Reed"]
    assert lead["image"]["credit"] == "Photo: Fixture Agency"
    assert lead["paragraphs"][0].startswith("About 12,000 soldiers")


def test_article_page_and_twin(fetched: str, client: Client) -> None:
    article = Article.objects.get(canonical_url=f"{fetched}/news/paris-greve.html")
    html = client.get(f"/article/{article.pk}").content.decode()
    assert "Grève des transports" in html
    assert client.get(f"/article/{article.pk}.json").json()["language"] == "fr"


def test_unknown_pages_are_404(client: Client) -> None:
    assert client.get("/story/999999").status_code == 404
    assert client.get("/article/999999.json").status_code == 404


def test_empty_site_says_so(client: Client) -> None:
    assert "No stories yet" in client.get("/").content.decode()


def test_health(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_subscriber_articles_are_marked_at_their_source_link(fetched: str, client: Client) -> None:
    closed = Article.objects.get(canonical_url=f"{fetched}/news/harbour-bridge.html")
    open_ = Article.objects.get(canonical_url=f"{fetched}/news/kursk-offensive.html")
    assert closed.paywalled and not open_.paywalled
    html = client.get(f"/article/{closed.pk}").content.decode()
    assert 'rel="noopener">' + closed.canonical_url + '</a> <span class="paywall"' in html
    assert client.get(f"/article/{closed.pk}.json").json()["paywalled"] is True
    story = client.get(f"/story/{open_.story_id}").content.decode()
    assert 'class="paywall"' not in story
    assert client.get(f"/article/{open_.pk}.json").json()["paywalled"] is False
