"""Story clustering and copy detection, on small invented articles."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from newsdesk.pipeline.cluster import (
    Assignment,
    StoryClusterer,
    _top,
    cluster_records,
    featurise,
    parse_time,
)
from newsdesk.pipeline.dedup import CopyDetector, jaccard
from newsdesk.pipeline.textfeatures import analyse, shingle_hashes, words

WIRE = (
    "The harbour authority of Port Veldam closed the northern container terminal on Tuesday "
    "after a crane operated by the Kestrel Shipping line collapsed onto the quay, injuring "
    "four dock workers. Inspectors from the national transport board arrived in the "
    "afternoon and said the terminal would stay shut for at least a week while engineers "
    "examine the remaining eleven cranes, which were installed by the same contractor in 2009."
)

# Two events of one topic (a new vaccine policy), on the same day, in different places.
EVENT_A = [
    (
        "Marlow county orders vaccine passes for restaurant staff",
        "Marlow county health officials ordered restaurant and bar staff to show a vaccine "
        "pass from Monday, citing a rise in hospital admissions in Marlow and Dunmere.",
    ),
    (
        "Restaurant workers in Marlow must show vaccine pass, county says",
        "Bar and restaurant workers across Marlow county will need a vaccine pass, health "
        "officials said, after hospital admissions rose in Dunmere and Marlow.",
    ),
    (
        "Marlow restaurant owners push back on staff vaccine pass order",
        "Owners of restaurants in Marlow county criticised the order requiring staff to "
        "carry a vaccine pass, saying Dunmere bars would lose workers.",
    ),
]
EVENT_B = [
    (
        "Teachers in Ostrava province get vaccine booster priority",
        "The Ostrava education ministry moved school teachers to the front of the booster "
        "queue, with health officials promising clinics in every Ostrava district.",
    ),
    (
        "Ostrava puts school teachers first in line for booster shots",
        "School teachers in Ostrava province will receive booster shots first, the "
        "education ministry said, opening district clinics for teachers this week.",
    ),
    (
        "Ostrava teachers union welcomes booster priority for schools",
        "The Ostrava teachers union welcomed the ministry decision giving teachers booster "
        "priority and asked for district clinics near every school.",
    ),
]
FLOOD = [
    (
        "River Tamsin floods Belcourt old town",
        "The River Tamsin burst its banks overnight and flooded the old town of Belcourt, "
        "forcing two hundred residents from their homes as rescue boats moved through the streets.",
    ),
    (
        "Belcourt cleanup begins as Tamsin flood waters recede",
        "Residents of Belcourt began clearing mud from the old town as the Tamsin flood "
        "waters receded, and rescue crews checked homes along the river.",
    ),
    (
        "Belcourt asks for flood aid after River Tamsin damage",
        "The mayor of Belcourt asked for emergency flood aid after the River Tamsin damaged "
        "homes in the old town and the rescue effort ended.",
    ),
]


def doc(i: object, title: str, text: str = "", date: str | None = None, url: str = "") -> dict:
    """An article record as the clusterer takes it."""
    record = {"id": i, "title": title, "text": text, "url": url or f"https://news.example/{i}"}
    if date:
        record["date"] = date
    return record


def test_exact_copies_collapse_by_url_and_by_text() -> None:
    clusterer = StoryClusterer(window_days=None)
    first = clusterer.add(doc("a", "Crane collapse shuts Port Veldam terminal", WIRE))
    same_url = clusterer.add(
        doc("b", "Other headline entirely", "Other words.", url="https://news.example/a")
    )
    same_words = clusterer.add(
        doc(
            "c",
            "crane collapse shuts port veldam terminal!",
            WIRE.upper(),
            url="https://x.example/c",
        )
    )
    assert first.copy_of is None
    assert same_url.copy_of == "a" and same_url.story == first.story
    assert same_words.copy_of == "a" and same_words.story == first.story


def test_near_copy_of_wire_text_joins_the_original() -> None:
    clusterer = StoryClusterer(window_days=None)
    original = clusterer.add(doc("wire", "Crane collapse shuts Port Veldam terminal", WIRE))
    clusterer.add(doc("other", *FLOOD[0]))
    edited = WIRE.replace("four dock workers", "four workers").replace("afternoon", "evening")
    copy = clusterer.add(doc("local", "Port Veldam terminal shut after crane falls", edited))
    copy_of_copy = clusterer.add(doc("again", "Terminal shut", edited + " Updated."))
    assert copy.copy_of == "wire" and copy.story == original.story
    assert copy_of_copy.copy_of == "wire"
    assert 0.7 <= copy.score < 1.0


def test_unrelated_text_is_no_copy() -> None:
    clusterer = StoryClusterer(window_days=None)
    clusterer.add(doc("wire", "Crane collapse shuts Port Veldam terminal", WIRE))
    other = clusterer.add(doc("flood", *FLOOD[0]))
    assert other.copy_of is None


def test_two_events_of_one_topic_stay_apart() -> None:
    articles = [doc(f"a{i}", *a, date="2024-03-04T10:00:00") for i, a in enumerate(EVENT_A)]
    articles += [doc(f"b{i}", *b, date="2024-03-04T11:00:00") for i, b in enumerate(EVENT_B)]
    order = [articles[i] for i in (0, 3, 1, 4, 2, 5)]  # interleaved
    stories = {r["id"]: r["story"] for r in cluster_records(order, window_days=3)}
    assert stories["a0"] == stories["a1"] == stories["a2"]
    assert stories["b0"] == stories["b1"] == stories["b2"]
    assert stories["a0"] != stories["b0"]


def test_developing_story_joins_within_the_window_and_not_beyond() -> None:
    clusterer = StoryClusterer(window_days=3)
    day0 = clusterer.add(doc("f0", *FLOOD[0], date="2024-05-01T08:00:00+00:00"))
    day2 = clusterer.add(doc("f1", *FLOOD[1], date="2024-05-03T09:00:00+00:00"))
    day9 = clusterer.add(doc("f2", *FLOOD[2], date="2024-05-10T09:00:00+00:00"))
    assert day2.story == day0.story
    assert day9.story != day0.story


def test_pinned_assignment_is_recorded_without_deciding() -> None:
    clusterer = StoryClusterer(window_days=None)
    clusterer.add(doc("f0", *FLOOD[0]), story="flood-story")
    clusterer.add(doc("f1", *FLOOD[1]), story="flood-story")
    pinned = clusterer.add(doc("x", *EVENT_A[0]), story="flood-story")
    follow = clusterer.add(doc("f2", *FLOOD[2]))
    assert pinned == Assignment("x", "flood-story", None, 1.0)
    assert follow.story == "flood-story"
    # the editor's decision teaches: a close follow-up of the pinned article goes there too
    assert clusterer.add(doc("a1", *EVENT_A[1])).story == "flood-story"


def test_merge_folds_one_story_into_another() -> None:
    clusterer = StoryClusterer(window_days=None)
    clusterer.add(doc("f0", *FLOOD[0]), story=1)
    clusterer.add(doc("a0", *EVENT_A[0]), story=2)
    clusterer.merge(1, 2)
    assert clusterer.resolve(2) == 1
    assert clusterer.add(doc("a1", *EVENT_A[1])).story == 1
    assert clusterer.add(doc("z", "Anything", "at all"), story=2).story == 1
    assert set(clusterer.stories) == {1}
    assert clusterer.story_of["a0"] == 1


def test_output_follows_input_order_and_names_copies() -> None:
    articles = [doc(f"n{i}", *a) for i, a in enumerate(EVENT_A + FLOOD + EVENT_B)]
    articles.append(doc("dup", "copy", "copy", url=articles[0]["url"]))
    out = list(cluster_records(articles, window_days=None, settle=4))
    assert [r["id"] for r in out] == [a["id"] for a in articles]
    assert out[-1]["copy_of"] == "n0"
    assert all("copy_of" not in r for r in out[:-1])


def test_stories_and_copies_are_evicted_outside_the_window() -> None:
    clusterer = StoryClusterer(window_days=1)
    for i, (title, text) in enumerate(EVENT_A + EVENT_B):
        clusterer.add(doc(f"old{i}", title, text, date="2024-01-01T12:00:00Z"))
    assert clusterer.active_articles == 6
    assert len(clusterer.copies) == 6
    late = clusterer.add(doc("late", *FLOOD[0], date="2024-01-05T12:00:00Z"))
    assert clusterer.active_articles == 1
    assert len(clusterer.copies) == 1
    assert set(clusterer.stories) == {late.story}
    indexed = {key for postings in clusterer.index.values() for key in postings}
    assert indexed == {late.story}
    again = clusterer.add(doc("repeat", *EVENT_A[0], date="2024-01-05T13:00:00Z"))
    assert again.copy_of is None  # its original has been forgotten


def test_no_window_keeps_everything() -> None:
    clusterer = StoryClusterer(window_days=0)
    clusterer.add(doc("f0", *FLOOD[0], date="2020-01-01"))
    clusterer.add(doc("f1", *FLOOD[1], date="2024-01-01"))
    assert clusterer.window is None
    assert clusterer.active_articles == 2


def test_undated_articles_and_missing_fields_are_accepted() -> None:
    out = list(cluster_records([{"id": 1, "title": "Only a headline"}, {"id": 2}], None))
    assert [r["id"] for r in out] == [1, 2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T00:00:00Z", 1704067200.0),
        ("2024-01-01", 1704067200.0),
        ("not a date", None),
        (None, None),
        (5, 5.0),
    ],
)
def test_parse_time(value: object, expected: float | None) -> None:
    assert parse_time(value) == expected


def test_features_are_stable_and_shingles_measure_overlap() -> None:
    one = analyse("Port Veldam", WIRE, title_weight=2.0, max_words=200)
    two = analyse("Port Veldam", WIRE, title_weight=2.0, max_words=200)
    assert one == two
    a = shingle_hashes(one.hashes)
    b = shingle_hashes(analyse("", WIRE[:200], title_weight=2.0, max_words=200).hashes)
    assert jaccard(a, a) == 1.0
    assert 0.0 < jaccard(a, b) < 1.0


def test_top_counts_match_most_common() -> None:
    rng = random.Random(3)
    for _ in range(200):
        counts = Counter(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(0, 40))
        )
        limit = rng.randint(1, 12)
        expected = [key for key, _ in counts.most_common(limit)]
        if len(counts) <= limit:  # all of them: left in arrival order
            expected = list(counts)
        assert _top(counts, limit) == expected


def test_copy_detector_forgets_removed_articles() -> None:
    shingles = shingle_hashes(analyse("", WIRE, title_weight=2.0, max_words=200).hashes)
    detector = CopyDetector()
    detector.add("wire", "", b"w", shingles)
    assert detector.find("", b"other", shingles[1:])[0] == "wire"
    detector.remove("wire")
    assert len(detector) == 0
    assert detector.find("", b"other", shingles[1:]) == (None, 0.0)
    assert not any(detector._buckets)


def test_headlines_alone_of_one_story_join() -> None:
    clusterer = StoryClusterer(window_days=None)
    first = clusterer.add(doc("h0", "Belcourt flood: River Tamsin bursts banks"))
    second = clusterer.add(doc("h1", "Tamsin flood waters reach Belcourt homes"))
    other = clusterer.add(doc("h2", "Marlow county orders vaccine passes for staff"))
    assert second.story == first.story
    assert other.story != first.story


def test_a_figure_is_one_word_so_weekly_reports_differ() -> None:
    assert words("Claims rose to 373,000; rate 2.5%, up from 1.9") == [
        "claims",
        "rose",
        "to",
        "373000",
        "rate",
        "25",
        "up",
        "from",
        "19",
    ]
    one = analyse("Jobless claims rise to 373,000", "", title_weight=2.0, max_words=200)
    two = analyse("Jobless claims rise to 744,000", "", title_weight=2.0, max_words=200)
    assert len(one.terms.keys() - two.terms.keys()) == 1  # the figure, not a shared "000"


def test_features_read_ahead_place_articles_as_reading_inside_add() -> None:
    """Articles read by featurise() (as workers do outside the lock) land where add() puts
    them when it reads them itself: same stories, same copies, same scores."""
    stream = [
        doc(i, title, text, date=f"2024-03-0{1 + i % 3}T10:00:00")
        for i, (title, text) in enumerate(EVENT_A + EVENT_B + FLOOD + [("Crane", WIRE)] * 2)
    ]
    inside, ahead = StoryClusterer(), StoryClusterer()
    read = [featurise(d) for d in stream]
    for record, features in zip(stream, read, strict=True):
        assert inside.add(record) == ahead.add(record, features=features)
    assert inside.story_of == ahead.story_of
    assert len(set(inside.story_of.values())) == 4
    assert read[-1].digest == read[-2].digest and read[-1].bands == read[-2].bands
