"""Full-text search: every word matches, filters, highlighted and escaped snippets, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from newsdesk.ingest.models import Source
from newsdesk.pipeline.extract import Extracted
from newsdesk.stories.models import Article
from newsdesk.stories.search import Filters, search
from newsdesk.stories.service import store_article

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def add(
    source: Source, slug: str, title: str, text: str, at: datetime = NOW, section: str = ""
) -> Article:
    page = Extracted(
        url=f"https://{slug}.example/a",
        canonical_url=f"https://{slug}.example/a",
        title=title,
        text=text,
        word_count=len(text.split()),
    )
    article = store_article(page, source_id=source.pk, now=at, feed_time=at, section=section)
    assert article is not None
    return article


@pytest.fixture
def corpus() -> dict[str, Article]:
    alpha = Source.objects.create(url="https://alpha.example/feed", title="Alpha")
    beta = Source.objects.create(url="https://beta.example/feed", title="Beta")
    return {
        "flood": add(
            alpha,
            "f",
            "River floods Port Calloway",
            "Water covered the harbour district after the river burst its banks. "
            "Residents were moved to school halls.",
            section="World",
        ),
        "bridge": add(
            beta,
            "b",
            "Harbour bridge opens to traffic",
            "The new bridge across the harbour opened on Saturday after nine years.",
            NOW - timedelta(days=3),
            section="Business",
        ),
        "rates": add(
            beta,
            "r",
            "Central bank raises rates",
            "The bank raised its main rate by half a point <b>today</b>.",
            NOW - timedelta(days=1),
            section="Business",
        ),
    }


def test_every_word_must_match(corpus) -> None:
    assert {a.pk for a, _ in search("harbour").hits} == {corpus["flood"].pk, corpus["bridge"].pk}
    assert [a.pk for a, _ in search("harbour bridge").hits] == [corpus["bridge"].pk]
    assert search("harbour volcano").total == 0


def test_prefix_match_on_the_last_word_and_no_operator_injection(corpus) -> None:
    assert [a.pk for a, _ in search("calloway riv").hits] == [corpus["flood"].pk]
    for hostile in ['" OR 1', "NEAR(", "*", "rates AND NOT x", "') --"]:
        search(hostile)  # no exception: operators are never passed through


def test_filters(corpus) -> None:
    business = Filters(section="Business")
    assert {a.pk for a, _ in search("the", business).hits} == {
        corpus["bridge"].pk,
        corpus["rates"].pk,
    }
    alpha = Filters(source_id=corpus["flood"].source_id)
    assert [a.pk for a, _ in search("the", alpha).hits] == [corpus["flood"].pk]
    recent = Filters(since=NOW - timedelta(days=2))
    assert corpus["bridge"].pk not in {a.pk for a, _ in search("the", recent).hits}


def test_snippets_are_highlighted_and_escaped(corpus) -> None:
    _, snippet = search("rate").hits[0]
    assert "<mark>rate</mark>" in snippet
    assert "<b>" not in snippet  # escaped (SQLite) or dropped as markup (PostgreSQL)


def test_updates_and_deletes_reach_the_index(corpus) -> None:
    flood = corpus["flood"]
    flood.title = "Volcano erupts"
    flood.save()
    assert [a.pk for a, _ in search("volcano").hits] == [flood.pk]
    flood.delete()
    assert search("volcano").total == 0


def test_search_page_and_twin(corpus, client: Client) -> None:
    html = client.get("/search", {"q": "harbour", "section": "Business"}).content.decode()
    assert "Harbour bridge opens to traffic" in html and "River floods" not in html
    assert "<mark>" in html
    data = client.get("/search.json", {"q": "harbour"}).json()
    assert data["total"] == 2 and data["hits"][0]["snippet"]
    assert client.get("/search", {"q": "<script>alert(1)</script>"}).status_code == 200


def test_paging(client: Client) -> None:
    source = Source.objects.create(url="https://many.example/feed", title="Many")
    for i in range(25):
        add(
            source,
            f"m{i}",
            f"Storm report number {i}",
            "The storm reached the coast.",
            NOW - timedelta(hours=i),
        )
    first = client.get("/search.json", {"q": "storm"}).json()
    assert first["total"] == 25 and first["pages"] == 2 and len(first["hits"]) == 20
    second = client.get("/search.json", {"q": "storm", "page": 2}).json()
    assert len(second["hits"]) == 5 and second["previous"] and not second["next"]


def test_broad_queries_rank_the_newest_matches_then_list_the_rest(monkeypatch) -> None:
    """Past search.BROAD matches, only the newest are ranked by relevance (the cost of
    ranking grows with the matches); every match is still listed once, across pages."""
    from newsdesk.stories import search as engine

    monkeypatch.setattr(engine, "BROAD", 3)
    source = Source.objects.create(url="https://wide.example/feed", title="Wide")
    titles = ["Storm", "Storm storm storm", "Calm", "Calm", "Storm storm", "Calm", "Quiet"]
    stored = [
        add(source, f"w{i}", f"{t} day {i}", "The storm reached the coast.", NOW + timedelta(i))
        for i, t in enumerate(titles)
    ]
    ids = [a.pk for a in stored]
    hits = [a.pk for a, _ in search("storm", per_page=20).hits]
    assert search("storm").total == 7
    # The newest three (ids[4:]) by relevance, the stormiest title first (ties: newest);
    # then the older ones, newest first.
    assert hits == [ids[4], ids[6], ids[5], ids[3], ids[2], ids[1], ids[0]]
    paged = [a.pk for page in range(1, 5) for a, _ in search("storm", page=page, per_page=2).hits]
    assert paged == hits
    monkeypatch.setattr(engine, "BROAD", 100)
    assert [a.pk for a, _ in search("storm").hits][:2] == [ids[1], ids[4]]


def test_postgresql_stops_counting_a_broad_search(monkeypatch, client: Client) -> None:
    """PostgreSQL counts matches row by row, so past PG_COUNT_CAP the page says "more than";
    SQLite counts inside its index and gives the exact figure."""
    from newsdesk.stories import search as engine

    monkeypatch.setattr(engine, "PG_COUNT_CAP", 3)
    source = Source.objects.create(url="https://wide.example/feed", title="Wide")
    for i in range(7):
        add(source, f"w{i}", f"Storm day {i}", "The storm reached the coast.", NOW + timedelta(i))
    results = search("storm", per_page=2)
    page = client.get("/search?q=storm").content.decode()
    data = client.get("/search.json?q=storm").json()
    if connection.vendor == "postgresql":
        assert (results.total, results.more, results.pages) == (3, True, 2)
        assert "More than 3 results" in page and data["more"] is True
        newest = [a.title for a, _ in results.hits]
        assert newest == ["Storm day 6", "Storm day 5"]  # the newest matches, ranked
    else:
        assert (results.total, results.more) == (7, False)
        assert "7 results" in page and data["more"] is False


def test_the_migrated_schema_keeps_the_index_in_step() -> None:
    """Every migration leaves the search index maintained by the database itself (a later
    migration that rebuilds the article table on SQLite would drop the FTS triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                "'stories_article'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert {
                "stories_article_fts_ai",
                "stories_article_fts_ad",
                "stories_article_fts_au",
            } <= names
        else:
            cursor.execute(
                "SELECT is_generated FROM information_schema.columns "
                "WHERE table_name = 'stories_article' AND column_name = 'search_vector'"
            )
            assert cursor.fetchone()[0] == "ALWAYS"
