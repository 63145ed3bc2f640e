"""Stories in the database: assignment, copies, outlets, growth, editors' merges and splits."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

import newsroom
from newsdesk.cli import main
from newsdesk.ingest.models import Source
from newsdesk.stories import clustering
from newsdesk.stories.models import Article, Story
from newsroom import FLOOD, FLOOD_2, RATES, outlet

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

FLOOD_3 = (
    "Port Calloway's mayor declared a state of emergency on Tuesday as floodwater from the "
    "burst river banks covered the Harbour district. Boats carried residents from about 300 "
    "flooded homes to shelters, and forecasters warned of more rain."
)


def store(source: Source, title: str, text: str, path: str, at: datetime = NOW) -> Article:
    return newsroom.store(source, title, text, path, at)


def test_two_outlets_on_one_event_make_one_story() -> None:
    a = store(
        outlet("alpha"), "River bursts banks in Port Calloway, 300 homes flooded", FLOOD, "flood"
    )
    b = store(
        outlet("beta"),
        "Port Calloway floods: hundreds of homes under water",
        FLOOD_2,
        "floods",
        NOW + timedelta(hours=1),
    )
    c = store(outlet("gamma"), "Central bank raises rates by half a point", RATES, "rates")
    assert a.story_id == b.story_id != c.story_id
    story = Story.objects.get(pk=a.story_id)
    assert story.outlet_count == 2 and story.article_count == 2
    assert story.first_report_id == a.pk


def test_a_wire_copy_collapses_and_does_not_count_as_an_outlet() -> None:
    a = store(outlet("wire"), "River bursts banks in Port Calloway", FLOOD, "w")
    copy = store(
        outlet("reprint"),
        "River bursts banks in Port Calloway",
        FLOOD + " More soon.",
        "r",
        NOW + timedelta(minutes=30),
    )
    assert copy.copy_of_id == a.pk and copy.story_id == a.story_id
    assert Story.objects.get(pk=a.story_id).outlet_count == 1


def test_a_rewrite_naming_its_source_is_linked_and_credits_the_original() -> None:
    original = store(outlet("alpha"), "River bursts banks in Port Calloway", FLOOD, "o")
    rewrite = store(
        outlet("beta"),
        "Port Calloway floods: homes under water",
        FLOOD_2 + "\nSource: Alpha",
        "rw",
        NOW + timedelta(hours=2),
    )
    assert rewrite.story_id == original.story_id
    assert rewrite.based_on_id == original.pk
    assert Story.objects.get(pk=original.story_id).first_report_id == original.pk


def test_a_fast_growing_story_is_developing() -> None:
    reports = [
        ("River bursts banks in Port Calloway", FLOOD),
        ("Port Calloway homes flooded as river bursts banks", FLOOD_2),
        ("Port Calloway flood: mayor declares emergency", FLOOD_3),
    ]
    for i, (title, text) in enumerate(reports):
        article = store(outlet(f"o{i}"), title, text, f"p{i}", NOW + timedelta(minutes=20 * i))
    story = Story.objects.get(pk=article.story_id)
    assert story.outlet_count == 3 and article.copy_of_id is None
    clustering.refresh_story(story, NOW + timedelta(hours=1))
    assert story.developing
    clustering.refresh_story(story, NOW + timedelta(days=2))
    assert not story.developing


def test_editors_merge_sticks_when_the_clusterer_reloads() -> None:
    a = store(outlet("alpha"), "River bursts banks in Port Calloway", FLOOD, "a")
    c = store(outlet("gamma"), "Central bank raises rates by half a point", RATES, "c")
    kept = clustering.merge_stories(a.story_id, [c.story_id])
    assert set(kept.articles.values_list("pk", flat=True)) == {a.pk, c.pk}
    assert Article.objects.filter(story=kept, pinned=True).count() == 2
    assert Story.objects.get(pk=c.story_id).merged_into_id == kept.pk
    # A later rates article lands in the merged story, not in the gone one.
    d = store(
        outlet("delta"),
        "Central bank lifts interest rate by 50 basis points",
        RATES + " Analysts expect one more rise.",
        "d",
        NOW + timedelta(hours=1),
    )
    assert d.story_id == kept.pk


def test_editors_split_sticks() -> None:
    a = store(outlet("alpha"), "River bursts banks in Port Calloway", FLOOD, "a")
    b = store(
        outlet("beta"),
        "Port Calloway floods: homes under water",
        FLOOD_2,
        "b",
        NOW + timedelta(hours=1),
    )
    assert a.story_id == b.story_id
    new = clustering.split_articles([b.pk], NOW)
    b.refresh_from_db()
    assert b.story_id == new.pk != a.story_id and b.pinned
    store(outlet("gamma"), "Central bank raises rates", RATES, "g")
    b.refresh_from_db()
    assert b.story_id == new.pk


def test_story_json_reports_outlets_and_copies(client: Client) -> None:
    a = store(outlet("wire"), "River bursts banks in Port Calloway", FLOOD, "w")
    store(
        outlet("reprint"),
        "River bursts banks in Port Calloway",
        FLOOD,
        "r",
        NOW + timedelta(minutes=5),
    )
    data = client.get(f"/story/{a.story_id}.json").json()
    assert data["outlets"] == 1 and data["article_count"] == 2
    assert data["articles"][1]["copy_of"] == a.pk


def test_a_rolled_back_assignment_leaves_no_phantom_in_the_clusterer(monkeypatch) -> None:
    store(outlet("alpha"), "River bursts banks in Port Calloway", FLOOD, "flood")

    def broken(story: Story, now: datetime) -> None:
        raise RuntimeError("the database went away mid-assignment")

    gamma = outlet("gamma")
    monkeypatch.setattr(clustering, "refresh_story", broken)
    with pytest.raises(RuntimeError):
        store(gamma, "Central bank raises rates by half a point", RATES, "rates")
    # The new story and the article were rolled back: the clusterer, which had them,
    # is dropped and reloaded from what was committed.
    assert clustering.assigner().clusterer is None
    monkeypatch.undo()
    again = store(gamma, "Central bank raises rates by half a point", RATES, "rates")
    assert Story.objects.get(pk=again.story_id).article_count == 1
    assert clustering.assigner().clusterer is not None
    assert set(clustering.assigner().clusterer.story_of) == set(
        Article.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_split_one_event() -> None:
    sources = [outlet(f"s{i}") for i in range(4)]
    texts = [
        FLOOD,
        FLOOD_2,
        FLOOD.replace("Monday night", "late on Monday"),
        FLOOD_2.replace("overnight", "during the night"),
    ]
    errors: list[Exception] = []

    def worker(i: int) -> None:
        try:
            store(
                sources[i],
                f"Port Calloway flood report {i}",
                texts[i],
                f"x{i}",
                NOW + timedelta(minutes=i),
            )
        except Exception as err:
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Article.objects.count() == 4
    assert Article.objects.values("story").distinct().count() == 1


def test_cluster_cli(tmp_path, capsys) -> None:
    rows = [
        {
            "id": "a",
            "title": "River bursts banks in Port Calloway",
            "text": FLOOD,
            "date": "2026-11-20T08:00:00Z",
            "url": "https://a.example/1",
            "source": "A",
        },
        {
            "id": "b",
            "title": "Port Calloway floods",
            "text": FLOOD_2,
            "date": "2026-11-20T09:00:00Z",
            "url": "https://b.example/1",
            "source": "B",
        },
        {
            "id": "c",
            "title": "Central bank raises rates",
            "text": RATES,
            "date": "2026-11-20T10:00:00Z",
            "url": "https://c.example/1",
            "source": "C",
        },
        {
            "id": "d",
            "title": "River bursts banks in Port Calloway",
            "text": FLOOD,
            "date": "2026-11-20T11:00:00Z",
            "url": "https://d.example/1",
            "source": "D",
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert main(["cluster", str(path), "--window-days", "0"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]
    assert out[0]["story"] == out[1]["story"] == out[3]["story"] != out[2]["story"]
    assert out[3]["copy_of"] == "a" and "copy_of" not in out[1]
    path.write_text('{"id": 1}\nnot json\n')
    assert main(["cluster", str(path)]) == 2
    assert "in.jsonl:2" in capsys.readouterr().err
