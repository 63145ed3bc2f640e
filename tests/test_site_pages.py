"""Section, source and all-sources pages, the front page's blocks, full coverage, timeline
and related stories; each page with its JSON twin."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.test import Client

from newsdesk.stories.models import Article, Story
from newsdesk.stories.sections import section_for, slug, story_section
from newsroom import FLOOD, RATES, Newsroom, build, outlet, store

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("declared", "url", "expected"),
    [
        (["World news"], "", "World"),
        (["International"], "", "World"),
        (["Markets & Economy"], "", "Business"),
        (["U.S."], "", "US"),
        ([""], "https://x.example/sport/football/2026/11/25/cup-final", "Sports"),
        ([], "https://x.example/news/world-news/2026/kursk", "World"),
        ([], "https://x.example/2026/11/25/business/rates.html", "Business"),
        (["Harbour"], "https://x.example/local/bridge", "Harbour"),  # an editor's own folder
        ([], "https://x.example/science", ""),  # the slug itself is no section
        ([], "https://x.example/2026/11/25/story.html", ""),
    ],
)
def test_sections_from_labels_then_url(declared: list[str], url: str, expected: str) -> None:
    assert section_for(declared, url) == expected


def test_story_section_is_the_most_common_and_slugs_are_plain() -> None:
    assert story_section(["", "World", "Europe", "Europe"]) == "Europe"
    assert story_section(["World", "Europe"]) == "World"
    assert story_section(["", ""]) == ""
    assert slug("US") == "us" and slug("Science & Tech") == "science-tech"


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


def test_flood_story_is_filed_under_world(newsroom: Newsroom) -> None:
    assert newsroom.alpha.section == "World"
    assert Story.objects.get(pk=newsroom.flood.pk).section == "World"


def test_section_page_lists_only_its_stories(newsroom: Newsroom, client: Client) -> None:
    html = client.get("/section/world").content.decode()
    assert "<h1>World</h1>" in html
    assert newsroom.flood.title in html
    assert newsroom.rates.title not in html
    data = client.get("/section/world.json").json()
    assert [s["id"] for s in data["stories"]] == [newsroom.flood.pk]
    assert data["stories"][0]["image"]["largest"] == newsroom.image
    assert client.get("/section/nowhere").status_code == 404
    assert client.get("/section/world?page=9").status_code == 404


def test_section_feeds(newsroom: Newsroom, client: Client) -> None:
    for fmt in ("rss", "atom"):
        feed = feedparser.parse(client.get(f"/section/world/feed.{fmt}").content)
        assert not feed.bozo
        assert [e.link for e in feed.entries] == [f"http://testserver/story/{newsroom.flood.pk}"]
    document = client.get("/section/world/feed.json").json()
    assert [i["title"] for i in document["items"]] == [newsroom.flood.title]


def test_navigation_names_the_sections(newsroom: Newsroom, client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<a href="/section/world">World</a>' in html


def test_front_page_ranks_by_outlets_and_recency(newsroom: Newsroom, client: Client) -> None:
    data = client.get("/index.json").json()
    top = [s["id"] for s in data["top"]]
    # The flood (2 outlets, 1-2 hours old) beats the rates story (1 outlet, 30 minutes old);
    # the ten-day-old bridge comes last.
    assert top == [newsroom.flood.pk, newsroom.rates.pk, newsroom.bridge.pk]
    assert data["top"][0]["outlets"] == 2
    # The flood's outlet files it under World; the rates story declares nothing, so its
    # words (a central bank, interest rates, inflation, markets) file it under Business.
    assert data["sections"] == [
        {"name": "World", "url": "/section/world", "stories": [data["top"][0]]},
        {"name": "Business", "url": "/section/business", "stories": [data["top"][1]]},
    ]
    html = client.get("/").content.decode()
    assert "Top stories" in html and "and 1 more outlet" in html


def test_all_sources_and_one_source(newsroom: Newsroom, client: Client) -> None:
    data = client.get("/sources.json").json()
    names = [s["title"] for g in data["groups"] for s in g["sources"]]
    assert sorted(names) == ["Alpha", "Beta", "Delta", "Gamma"]
    alpha = next(s for g in data["groups"] for s in g["sources"] if s["title"] == "Alpha")
    assert alpha["articles"] == 1
    assert 'href="/source/' in client.get("/sources").content.decode()
    page = client.get(alpha["url"] + ".json").json()
    assert [a["id"] for a in page["articles"]] == [newsroom.alpha.pk]
    html = client.get(alpha["url"]).content.decode()
    assert newsroom.alpha.title in html
    assert client.get("/source/999999").status_code == 404


def test_story_coverage_groups_by_outlet_and_folds_copies(newsroom: Newsroom) -> None:
    client = Client()
    # A third outlet reprints alpha's wire copy word for word.
    copy = store(
        outlet("omega"),
        newsroom.alpha.title,
        FLOOD,
        "wire/flood",
        newsroom.now - timedelta(minutes=50),
    )
    assert copy.story_id == newsroom.flood.pk and copy.copy_of_id == newsroom.alpha.pk
    data = client.get(f"/story/{newsroom.flood.pk}.json").json()
    outlets = [g["outlet"] for g in data["coverage"]]
    assert outlets == ["Alpha", "Beta"]
    alpha_entry = data["coverage"][0]["articles"][0]
    assert alpha_entry["copies"] == [
        {"outlet": "Omega", "url": f"/article/{copy.pk}", "source_url": copy.canonical_url}
    ]
    timeline = data["timeline"]
    assert [t["outlet"] for t in timeline] == ["Alpha", "Beta"]
    assert [t["first"] for t in timeline] == [True, False]
    html = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "Also published by" in html and "First report" in html


def test_related_stories_share_subject_words(newsroom: Newsroom, client: Client) -> None:
    # The bridge story names Port Calloway's harbour, like the flood; the rates story doesn't.
    data = client.get(f"/story/{newsroom.flood.pk}.json").json()
    related = [s["id"] for s in data["related"]]
    assert related == [newsroom.bridge.pk]
    article = client.get(f"/article/{newsroom.beta.pk}.json").json()
    assert [s["id"] for s in article["related"]] == [newsroom.bridge.pk]
    assert article["story"]["url"] == f"/story/{newsroom.flood.pk}"
    assert [o["outlet"] for o in article["story"]["other_reports"]] == ["Alpha"]


def test_related_stories_skip_merged_ones(newsroom: Newsroom, client: Client) -> None:
    ferry = (
        "The Port Calloway ferry company cancelled every crossing on Tuesday after a fire in "
        "its engine room. No one was hurt, and the company said repairs would take a week "
        "while passengers were moved to buses running around the bay."
    )
    later = store(outlet("zeta"), "Ferry fire halts crossings", ferry, "ferry", newsroom.now)
    assert later.story_id not in {newsroom.flood.pk, newsroom.bridge.pk, newsroom.rates.pk}
    related = [s["id"] for s in client.get(f"/story/{newsroom.flood.pk}.json").json()["related"]]
    assert later.story_id in related
    Story.objects.filter(pk=later.story_id).update(merged_into=newsroom.bridge)
    related = [s["id"] for s in client.get(f"/story/{newsroom.flood.pk}.json").json()["related"]]
    assert later.story_id not in related and newsroom.bridge.pk in related


def test_story_without_image_gets_a_clean_fallback(newsroom: Newsroom, client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'class="thumb thumb-none"' in html
    rates = client.get(f"/story/{newsroom.rates.pk}").content.decode()
    assert "<figure" not in rates
    assert Article.objects.filter(story=newsroom.rates, image__isnull=False).count() == 0
    assert RATES.split()[1] in rates


def test_related_stories_on_postgresql_query_only_telling_words() -> None:
    """Common words (in more than 2% of articles, by the planner's statistics) are left
    out of the query; words the statistics do not list are rarer than any listed one."""
    import time

    from newsdesk.stories import related

    related._PG_SHARES.update(
        at=time.monotonic(), shares={"storm": 0.3, "coast": 0.05, "calloway": 0.0001}
    )
    words = ["storm", "calloway", "coast", "harbour"]
    assert related.pg_telling(words) == ["harbour", "calloway"]
    assert related.pg_telling(["storm", "coast"]) == ["coast"]  # else the rarest one
