"""Story summaries: sentence splitting, the summariser, the CLI twin, and the job that
writes versioned summaries shown on story pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils.html import escape

from newsdesk.cli import main
from newsdesk.pipeline.sentences import split_sentences
from newsdesk.pipeline.summarize import Params, summarize, summarize_file
from newsdesk.stories import summaries
from newsdesk.stories.models import Story, StorySummary
from newsroom import FLOOD, FLOOD_2, Newsroom, build, outlet, store

# Three outlets' reports of one invented event, written for these tests.
QUAKE = [
    {
        "id": "a1",
        "source": "Alpha Times",
        "url": "https://alpha.example/quake",
        "title": "Earthquake of magnitude 6.1 strikes Valdoria, dozens injured",
        "text": (
            "An earthquake of magnitude 6.1 struck the mountain province of Valdoria on "
            "Tuesday morning, injuring dozens of people and damaging hundreds of buildings. "
            "The quake hit at 7:42 a.m. near the town of Brena, the national seismic "
            "institute said. Rescue teams searched collapsed houses in Brena through the day. "
            "Our newsletter brings you the day's news every morning."
        ),
    },
    {
        "id": "b1",
        "source": "Beta News",
        "url": "https://beta.example/valdoria",
        "title": "Valdoria earthquake damages hundreds of buildings",
        "text": (
            "A strong earthquake shook Valdoria province on Tuesday, damaging hundreds of "
            "buildings and injuring at least 40 people, officials said. Gov. Lena Marsh "
            "declared a state of emergency in Brena and two neighbouring towns. Schools "
            "across the province will stay closed on Wednesday while engineers inspect them."
        ),
    },
    {
        "id": "c1",
        "source": "Gamma Daily",
        "url": "https://gamma.example/q",
        "title": "Quake injures 40 in Valdoria",
        "text": (
            "At least 40 people were injured when a magnitude 6.1 earthquake struck Valdoria "
            "on Tuesday, the province's governor said. Is the region ready for a bigger one? "
            "The governor declared a state of emergency as engineers began to inspect schools "
            "and the old bridge over the Sela river, which was closed to traffic and..."
        ),
    },
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gov. Ron Ade signed it on Friday. The order took effect. He said so!",
            ["Gov. Ron Ade signed it on Friday.", "The order took effect.", "He said so!"],
        ),
        (
            "The U.S. Senate voted 50-49. It passed at 10 a.m. Tuesday.",
            ["The U.S. Senate voted 50-49.", "It passed at 10 a.m. Tuesday."],
        ),
        (
            "It grew in the U.S. The president said \u201cno.\u201d Then J. K. Rowe spoke.",
            ["It grew in the U.S.", "The president said \u201cno.\u201d", "Then J. K. Rowe spoke."],
        ),
        (
            "Prices rose 2.5%. Acme Inc. said sales fell. See No. 5.",
            ["Prices rose 2.5%.", "Acme Inc. said sales fell.", "See No. 5."],
        ),
        (
            "First paragraph without a stop\n\nSecond one.",
            ["First paragraph without a stop", "Second one."],
        ),
        ("", []),
    ],
)
def test_sentences_split_at_stops_but_not_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_every_sentence_cites_the_article_it_comes_from() -> None:
    summary = summarize(QUAKE, Params(words=70))
    by_id = {a["id"]: a for a in QUAKE}
    assert summary.sentences
    for sentence in summary.sentences:
        article = by_id[sentence.article_id]
        assert sentence.text in " ".join(article["text"].split())
        assert sentence.outlet == article["source"]
        assert sentence.url == article["url"]


def test_summary_draws_on_several_outlets_within_the_budget() -> None:
    summary = summarize(QUAKE, Params(words=70))
    assert len({s.article_id for s in summary.sentences}) >= 2
    assert 35 <= summary.word_count <= 77  # the budget, passed by at most a tenth


def test_fragments_questions_and_asides_are_left_out() -> None:
    text = summarize(QUAKE, Params(words=200)).text
    assert "ready for a bigger one" not in text  # a question
    assert "closed to traffic and..." not in text  # cut off
    assert "newsletter" not in text  # no other outlet says anything like it, and it is last


@pytest.mark.parametrize(
    ("opening", "kept"),
    [
        ("VALDORIA CITY (AP) \u2014 An earthquake", "An earthquake"),
        ("BRENA, Valdoria \u2014 An earthquake", "An earthquake"),
        ("(Beta) An earthquake", "An earthquake"),
        ("NATO Secretary General Ana Ruiz said an earthquake", "NATO Secretary General"),
    ],
)
def test_a_wire_dateline_is_not_part_of_the_sentence(opening: str, kept: str) -> None:
    text = f"{opening} of magnitude 6.1 struck the province of Valdoria on Tuesday."
    article = {**QUAKE[0], "text": text}
    sentences = [s.text for s in summarize([article, QUAKE[1]], Params(words=200)).sentences]
    first = next(s for s in sentences if "magnitude 6.1 struck the province" in s)
    assert first.startswith(kept) and first in text


def test_no_two_sentences_say_the_same_thing() -> None:
    twins = [
        {**QUAKE[0], "id": "x", "source": "X"},
        {**QUAKE[0], "id": "y", "source": "Y", "title": "Quake in Valdoria"},
        QUAKE[1],
    ]
    texts = [s.text for s in summarize(twins, Params(words=120)).sentences]
    assert len(texts) == len(set(texts))


def test_headline_is_the_most_representative_and_credited() -> None:
    summary = summarize(QUAKE)
    assert summary.headline in {a["title"] for a in QUAKE}
    chosen = next(a for a in QUAKE if a["id"] == summary.headline_id)
    assert (summary.headline, summary.headline_outlet) == (chosen["title"], chosen["source"])
    # An off-topic headline is never the representative one.
    odd = [*QUAKE, {"id": "z", "source": "Z", "title": "Football club signs new coach", "text": ""}]
    assert summarize(odd).headline_id != "z"


def test_empty_and_textless_stories() -> None:
    assert summarize([]).sentences == ()
    only_title = summarize([{"id": 1, "title": "A headline alone", "text": ""}])
    assert (only_title.headline, only_title.sentences) == ("A headline alone", ())


def test_summarize_file_groups_by_story_and_drops_copies() -> None:
    records = [{**a, "story": "quake", "date": f"2026-05-0{i + 1}"} for i, a in enumerate(QUAKE)]
    records.append({**QUAKE[1], "id": "copy", "story": "quake", "date": "2026-05-09"})
    records.append({"id": "solo", "story": "other", "title": "Solo", "text": FLOOD})
    rows = summarize_file(records, Params(words=60))
    assert [r["story"] for r in rows] == ["quake", "other"]
    assert "copy" not in {s["id"] for s in rows[0]["sentences"]}
    assert {s["id"] for s in rows[1]["sentences"]} == {"solo"}


def test_cli_prints_one_line_per_story(tmp_path, capsys) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(json.dumps({**a, "story": 7}) for a in QUAKE) + "\n", encoding="utf-8"
    )
    assert main(["summarize", str(path), "--words", "50"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["story"] == 7 and row["headline"] in {a["title"] for a in QUAKE}
    assert row["summary"] == " ".join(s["text"] for s in row["sentences"])
    assert {s["id"] for s in row["sentences"]} <= {"a1", "b1", "c1"}


def test_cli_rejects_bad_input(tmp_path, capsys) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    assert main(["summarize", str(path)]) == 2
    assert "not JSON" in capsys.readouterr().err
    assert main(["summarize", str(path), "--words", "0"]) == 2


# --- stored summaries ----------------------------------------------------------------


@pytest.fixture
def newsroom(db) -> Newsroom:
    return build()


@pytest.mark.django_db
def test_job_writes_a_cited_summary_and_clears_the_mark(newsroom: Newsroom) -> None:
    story = newsroom.flood
    assert Story.objects.get(pk=story.pk).summary_due
    assert summaries.summarize_due() >= 3
    version = StorySummary.objects.get(story=story)
    article_ids = {newsroom.alpha.pk, newsroom.beta.pk}
    assert version.sentences and {s["article_id"] for s in version.sentences} <= article_ids
    assert all(s["text"] in FLOOD + FLOOD_2 for s in version.sentences)
    assert Story.objects.get(pk=story.pk).title == version.headline
    assert not Story.objects.filter(summary_due=True).exists()
    assert summaries.summarize_due() == 0


@pytest.mark.django_db
def test_a_new_article_makes_a_new_version_and_keeps_the_old(newsroom: Newsroom) -> None:
    summaries.summarize_due()
    summaries.summarize_due()  # nothing changed: no new version
    assert StorySummary.objects.filter(story=newsroom.flood).count() == 1
    later = store(
        outlet("epsilon"),
        "Port Calloway flood: water recedes, 300 homes damaged",
        "Water began to recede in Port Calloway's Harbour district on Tuesday after the river "
        "burst its banks, leaving about 300 homes damaged. The mayor said the state of "
        "emergency would stay in force while crews pumped out flooded streets and basements.",
        "flood-recedes",
        newsroom.now,
    )
    assert later.story_id == newsroom.flood.pk
    assert Story.objects.get(pk=newsroom.flood.pk).summary_due
    summaries.summarize_due()
    versions = list(StorySummary.objects.filter(story=newsroom.flood))
    assert len(versions) == 2
    assert versions[0].article_count == 3 and versions[1].article_count == 2


@pytest.mark.django_db
def test_story_page_shows_summary_citations_credits_and_sources(
    newsroom: Newsroom, client: Client
) -> None:
    summaries.summarize_due()
    version = StorySummary.objects.get(story=newsroom.flood)
    page = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    for sentence in version.sentences:
        assert escape(sentence["text"]) in page
        assert f'class="cite" href="/article/{sentence["article_id"]}"' in page
    assert "Alpha: by Ana Reyes and Bo Lind." in page
    assert f'href="{newsroom.alpha.canonical_url}"' in page
    assert f'href="{newsroom.beta.canonical_url}"' in page
    data = client.get(f"/story/{newsroom.flood.pk}.json").json()
    assert [s["text"] for s in data["summary"]["sentences"]] == [
        s["text"] for s in version.sentences
    ]


@pytest.mark.django_db
def test_story_page_before_any_summary_shows_the_lead_report(
    newsroom: Newsroom, client: Client
) -> None:
    page = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "story-summary" not in page
    assert FLOOD.split(".")[0] in page


@pytest.mark.django_db
def test_merged_story_is_not_summarised(newsroom: Newsroom) -> None:
    from newsdesk.stories.clustering import merge_stories

    merge_stories(newsroom.flood.pk, [newsroom.rates.pk])
    summaries.summarize_due()
    assert not StorySummary.objects.filter(story=newsroom.rates).exists()
    assert StorySummary.objects.filter(story=newsroom.flood).exists()


LANDSLIDE_A = (
    "A landslide buried part of a village near Cusco, Peru, on Sunday, and at least 14 "
    "people were killed, said Governor Rosa Quispe. About 200 homes were destroyed, and the "
    "Red Cross sent teams from Lima to help the survivors."
)
LANDSLIDE_B = (
    "At least 16 people were killed when a landslide struck a village outside Cusco in Peru "
    "on Sunday, Governor Rosa Quispe told reporters. The Red Cross said 200 homes were "
    "destroyed and that rescuers from Lima had reached the area."
)


@pytest.fixture
def landslide(db) -> Story:
    from django.utils import timezone

    from newsdesk.stories import clustering

    clustering._ASSIGNERS.clear()
    now = timezone.now()
    a = store(outlet("andes"), "Landslide near Cusco kills 14", LANDSLIDE_A, "a", now)
    b = store(outlet("pacific"), "Peru landslide: 16 dead near Cusco", LANDSLIDE_B, "b", now)
    assert a.story_id == b.story_id
    clustering._ASSIGNERS.clear()
    summaries.summarize_due()
    return Story.objects.get(pk=a.story_id)


@pytest.mark.django_db
def test_key_figures_are_aligned_and_disagreements_shown(landslide: Story) -> None:
    figures = StorySummary.objects.get(story=landslide).figures
    by_key = {row["key"]: row for row in figures}
    killed = by_key["kill"]
    assert {(v["outlet"], v["value"]) for v in killed["values"]} == {
        ("Andes", 14.0),
        ("Pacific", 16.0),
    }
    assert killed["agree"] is False
    homes = next(row for row in figures if row["counted"].endswith("homes"))
    assert homes["agree"] is True and len(homes["values"]) == 2


@pytest.mark.django_db
def test_places_people_and_organisations_get_pages(landslide: Story, client: Client) -> None:
    from newsdesk.stories.models import Entity

    named = {(e.kind, e.name) for e in Entity.objects.filter(stories=landslide)}
    assert {("place", "Cusco"), ("place", "Peru"), ("place", "Lima")} <= named
    assert ("person", "Rosa Quispe") in named
    assert ("organisation", "Red Cross") in named
    cusco = Entity.objects.get(kind="place", name="Cusco")
    assert cusco.country_code == "PE" and cusco.latitude is not None
    page = client.get(cusco.get_absolute_url())
    assert page.status_code == 200 and escape(landslide.title) in page.content.decode()
    data = client.get(cusco.get_absolute_url() + ".json").json()
    assert [s["id"] for s in data["stories"]] == [landslide.pk]
    story_page = client.get(f"/story/{landslide.pk}").content.decode()
    assert f'href="{cusco.get_absolute_url()}"' in story_page
    assert "Key figures" in story_page and "Outlets differ" in story_page
    assert client.get("/place/no-such-place").status_code == 404


@pytest.mark.django_db
def test_entities_are_replaced_when_the_story_is_summarised_again(landslide: Story) -> None:
    from newsdesk.stories.models import StoryEntity

    before = StoryEntity.objects.filter(story=landslide).count()
    summaries.summarize_story(landslide)
    assert StoryEntity.objects.filter(story=landslide).count() == before > 0


@pytest.mark.django_db
def test_an_editors_title_survives_later_summaries(newsroom: Newsroom, admin_client) -> None:
    story = newsroom.flood
    summaries.summarize_due()
    url = f"/admin/stories/story/{story.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "title": "Port Calloway under water",
            "articles-TOTAL_FORMS": "0",
            "articles-INITIAL_FORMS": "0",
        }
    )
    for key in ("published_at", "updated_at"):
        moment = getattr(story, key)
        data[f"{key}_0"], data[f"{key}_1"] = (
            moment.strftime("%Y-%m-%d"),
            moment.strftime("%H:%M:%S"),
        )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Story.objects.get(pk=story.pk).title_pinned
    Story.objects.filter(pk=story.pk).update(summary_due=True, title="Port Calloway under water")
    store(
        outlet("zeta"),
        "Port Calloway flood: 300 homes hit as river bursts banks",
        "About 300 homes flooded in Port Calloway's Harbour district when the river burst its "
        "banks, and the mayor declared a state of emergency as the water kept rising.",
        "z",
        newsroom.now,
    )
    summaries.summarize_due()
    assert Story.objects.get(pk=story.pk).title == "Port Calloway under water"


@pytest.mark.django_db
def test_a_story_no_outlet_filed_is_filed_by_its_places(landslide: Story) -> None:
    assert Story.objects.get(pk=landslide.pk).section == "World"  # Peru, Cusco, Lima
    figures = StorySummary.objects.get(story=landslide).figures
    assert "people killed" in {row["counted"] for row in figures}


@pytest.mark.parametrize(
    ("codes", "expected"),
    [(["US", "US", "FR"], "US"), (["FR", "DE"], "Europe"), (["PE"], "World"), ([], "")],
)
def test_region_section_follows_the_country_named_most(codes: list[str], expected: str) -> None:
    from newsdesk.pipeline.places import Place

    places = [
        Place(f"P{i}", "city", code, "", 0.0, 0.0, i, 1, f"p{i}") for i, code in enumerate(codes)
    ]
    assert summaries.region_section(places) == expected


@pytest.mark.django_db
def test_cards_and_feeds_carry_the_summary(newsroom: Newsroom, client: Client) -> None:
    before = client.get("/feed.json").json()
    summaries.summarize_due()
    text = " ".join(s["text"] for s in StorySummary.objects.get(story=newsroom.flood).sentences)
    front = client.get("/index.json").json()
    card = next(c for c in front["top"] if c["id"] == newsroom.flood.pk)
    assert card["summary_text"] == text
    section = client.get("/section/world").content.decode()
    assert escape(" ".join(text.split()[:8])) in section
    item = next(i for i in client.get("/feed.json").json()["items"] if i["title"] == card["title"])
    assert item["summary"] == text and escape(text) in item["content_html"]
    old = next(i for i in before["items"] if i["id"] == item["id"])
    assert old.get("summary") != text  # before the job, the lead's description was used


@pytest.mark.django_db
def test_the_periodic_job_summarises_due_stories(newsroom: Newsroom) -> None:
    from newsdesk.stories.tasks import summarize_stories

    assert summarize_stories.call_local() == 3  # flood, rates, bridge
    assert StorySummary.objects.count() == 3
    assert summarize_stories.call_local() == 0
