"""Key figures (newsdesk.pipeline.figures): extraction, distractors, alignment, robustness.

The fixture tests/fixtures/figures/articles.json holds invented articles annotated by hand;
precision and recall over it must stay at or above 0.9.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.pipeline.figures import Figure, FigureRow, align_figures, extract_figures

FIXTURE = Path(__file__).parent / "fixtures" / "figures" / "articles.json"


def only(text: str) -> Figure:
    """The single figure of a text."""
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def pairs(text: str) -> list[tuple[float, str]]:
    """(value, key) of every figure of a text."""
    return [(f.value, f.key) for f in extract_figures(text)]


# --- the examples of the brief -----------------------------------------------------------


def test_soldiers_with_a_multiword_counted_phrase() -> None:
    figure = only("Pyongyang has sent 12,000 North Korean soldiers to the front.")
    assert (figure.value, figure.text) == (12000, "12,000")
    assert (figure.counted, figure.key, figure.unit) == ("North Korean soldiers", "soldier", "")


@pytest.mark.parametrize(
    ("text", "counted", "qualifier"),
    [
        ("At least 4,000 people were killed in the floods.", "people", "at least"),
        ("The agency said 4,000 killed in the floods.", "killed", ""),
        ("Officials said 4,000 have died since March.", "died", ""),
        ("The floods killed 4,000 people, officials said.", "people", ""),
        ("The death toll rose to 4,000 on Friday.", "death toll", ""),
        ("There were 4,000 deaths in the floods.", "deaths", ""),
    ],
)
def test_casualties_share_one_key(text: str, counted: str, qualifier: str) -> None:
    figure = only(text)
    assert (figure.value, figure.key) == (4000, "kill")
    assert (figure.counted, figure.qualifier) == (counted, qualifier)


def test_injuries_have_their_own_key() -> None:
    assert pairs("About 2,400 people were hurt and 300 were wounded.") == [
        (2400, "injur"),
        (300, "injur"),
    ]


def test_generic_people_take_the_participle() -> None:
    assert pairs("Up to 500 people were evacuated from the valley.") == [(500, "evacu")]
    assert pairs("Some 500 people protested outside.") == [(500, "protest")]


def test_area_unit() -> None:
    figure = only("The fire has burned 200 square miles.")
    assert (figure.value, figure.unit, figure.key) == (200, "sq mi", "sq mi")
    assert (figure.counted, figure.text) == ("square miles", "200 square miles")
    assert only("It burned 200 square miles of forest.").key == "forest/sq mi"


def test_noun_before_the_number() -> None:
    figure = only("The volunteers marched in groups of 50.")
    assert (figure.value, figure.counted, figure.key) == (50, "groups", "group")


@pytest.mark.parametrize(
    ("text", "value", "unit", "key"),
    [
        ("Seoul pledged $1.2 billion in aid.", 1.2e9, "usd", "aid/usd"),
        ("Seoul pledged $1.2bn.", 1.2e9, "usd", "usd"),
        ("A $2 billion factory will open.", 2e9, "usd", "factori/usd"),
        ("Aid agencies sought €500m in emergency funding.", 5e8, "eur", "fund/eur"),
        ("The winners collect a prize of £2.5 million.", 2.5e6, "gbp", "prize/gbp"),
        ("The government released 500 million euros for rebuilding.", 5e8, "eur", "eur"),
        ("The deal is worth 5m euros.", 5e6, "eur", "deal/eur"),
        ("The council approved a $5-million grant.", 5e6, "usd", "grant/usd"),
    ],
)
def test_money(text: str, value: float, unit: str, key: str) -> None:
    figure = only(text)
    assert figure.value == pytest.approx(value)
    assert (figure.unit, figure.key) == (unit, key)


def test_scale_words() -> None:
    figure = only("The city has 3 million residents.")
    assert (figure.value, figure.key, figure.text) == (3e6, "resid", "3 million")
    assert pairs("Half a million people marched.") == [(5e5, "march")]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("It was 45%.", "percent"),
        ("It was 45 percent.", "percent"),
        ("It was 45 per cent.", "percent"),
        ("The party won 45% of the vote.", "vote/percent"),
        ("Turnout was 45 percent.", "turnout/percent"),
        ("The union wants a 45% raise.", "rais/percent"),
    ],
)
def test_percent(text: str, key: str) -> None:
    figure = only(text)
    assert (figure.value, figure.unit, figure.key) == (45, "percent", key)


def test_percentage_points_and_the_noun_behind_them() -> None:
    text = "The bank raised its interest rate by 0.25 percentage points to 4.5% on Thursday."
    assert pairs(text) == [(0.25, "rate/pp"), (4.5, "rate/percent")]


@pytest.mark.parametrize(
    ("text", "value", "key"),
    [
        ("Police arrested two dozen protesters.", 24, "protest"),
        ("Police arrested a dozen protesters.", 12, "protest"),
        ("Officials said three soldiers were captured.", 3, "soldier"),
        ("Twenty-five volunteers came.", 25, "volunt"),
        ("A hundred and fifty volunteers came.", 150, "volunt"),
        ("The ministry ordered two million doses.", 2e6, "dose"),
    ],
)
def test_numbers_in_words(text: str, value: float, key: str) -> None:
    assert pairs(text) == [(value, key)]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("Storms grounded nearly 300 flights.", "nearly"),
        ("Storms grounded more than 300 flights.", "more than"),
        ("Storms grounded at least 300 flights.", "at least"),
        ("Storms grounded about 300 flights.", "about"),
        ("Storms grounded up to 300 flights.", "up to"),
        ("Storms grounded 300 flights.", ""),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    figure = only(text)
    assert (figure.value, figure.key, figure.qualifier) == (300, "flight", qualifier)


def test_homes_more_than() -> None:
    figure = only("The storm destroyed more than 1,000 homes.")
    assert (figure.value, figure.key, figure.qualifier) == (1000, "home", "more than")


def test_of_the_and_ranges() -> None:
    assert pairs("They took 187 of the 350 seats.") == [(187, "seat"), (350, "seat")]
    assert pairs("Between 200 and 300 people attended.") == [(200, "attend"), (300, "attend")]
    assert pairs("From 20 to 30 million people live there.")[0] == (2e7, "peopl")


def test_measure_units() -> None:
    assert pairs("Winds of up to 60 mph hit the coast.") == [(60, "wind/mph")]
    assert pairs("Temperatures reached 41C on Tuesday.") == [(41, "temperatur/degc")]
    assert pairs("The race is run on a 26.2-mile course.") == [(26.2, "cours/mi")]
    assert pairs("Troops must pull back 20 kilometres.") == [(20, "km")]


def test_magnitude_both_ways() -> None:
    assert pairs("A magnitude 7.1 earthquake struck.") == [(7.1, "magnitud")]
    assert pairs("A 7.1-magnitude earthquake struck.") == [(7.1, "magnitud")]


# --- distractors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # years
        "He was elected in 2024.",
        "The club's 1999 side won the cup.",
        "It was popular in the 1990s.",
        "Plans for the 2023-24 season were dropped.",
        # dates
        "The vote is on March 3.",
        "The vote was on 3 March 2024.",
        "Troops arrived on Nov. 3, officials said.",
        # times
        "The meeting starts at 10:30 a.m. in the hall.",
        "The meeting is at 10 a.m. in the hall.",
        "Highlights start at 10pm on Saturday.",
        "She won in 2:18:34.",
        "A ceasefire began at 6:00 GMT.",
        # ordinals
        "She finished 3rd in the race.",
        "He was the first to arrive and the second to leave.",
        "The 38th parallel divides the peninsula.",
        # phone numbers
        "Call 555-0199 or +1 (202) 555-0143 for details.",
        "A hotline, +44 20 7946 0958, was set up.",
        "Anyone with symptoms should call 111.",
        # ages
        "The man, aged 45, was arrested.",
        "A 45-year-old man was arrested.",
        "Striker Joel Amadi, 31, scored twice.",
        "Those aged over 65 were told to stay at home.",
        # labels, models, codes
        "Under Article 5 of the treaty, members must act.",
        "The COVID-19 pandemic hit hard.",
        "The Boeing 737 jets were grounded.",
        "The G7 leaders met in Rome.",
        "Flights KA 212 and KA 409 were grounded.",
        "Traffic on Route 9 and the M25 stalled.",
        "The firm filed for Chapter 11 protection.",
        "The FTSE 100 opened lower.",
        "Cases of H5N1 were found on a farm.",
        "The V8 engine and the Model 3X were dropped.",
        "The polling station 14B closed early.",
        "The 24/7 helpline is busy.",
        "Version 2.1.3 is out.",
        # scores, durations, multipliers, "one"
        "Port Veldam won the final 3-1.",
        "He was sentenced to 12 years in prison.",
        "Talks lasted three days.",
        "Crews are working 12-hour shifts.",
        "Output rose 2.5 times.",
        "One of the prisoners escaped.",
        "Dozens of people and hundreds of homes were affected.",
        "Tens of thousands of people marched.",
        # numbers inside URLs and addresses
        "See https://news.example/2024/03/story-123 for more.",
        "Write to desk3@news.example or visit www.news.example/12-things.",
    ],
)
def test_distractors_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_distractors_beside_a_real_figure() -> None:
    text = (
        "In 2024, 300 people were evacuated on March 3 at 10:30 a.m., the 3rd time since "
        "the COVID-19 pandemic, a 45-year-old official said (call 555-0199)."
    )
    assert pairs(text) == [(300, "evacu")]


# --- the figure record -------------------------------------------------------------------


def test_fields_offset_and_sentence() -> None:
    text = "The bank cut rates on Monday. Since then, nearly 300 flights were cancelled! Fine."
    figure = only(text)
    assert text[figure.start : figure.start + len(figure.text)] == figure.text == "300"
    assert figure.sentence == "Since then, nearly 300 flights were cancelled!"
    assert figure.qualifier == "nearly"
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.value = 1.0  # type: ignore[misc]


def test_currency_sign_is_part_of_the_text_and_offset() -> None:
    text = "Seoul pledged US$1.2 billion in aid."
    figure = only(text)
    assert figure.start == text.index("US$")
    assert figure.text == "US$1.2 billion"


def test_long_sentence_is_cut_around_the_figure() -> None:
    text = "word " * 2000 + "then 300 flights were cancelled " + "word " * 2000
    figure = only(text)
    assert "300 flights" in figure.sentence
    assert len(figure.sentence) <= 600


# --- alignment ---------------------------------------------------------------------------


def article(article_id: str, outlet: str, text: str) -> tuple[str, str, list[Figure]]:
    return article_id, outlet, extract_figures(text)


def test_alignment_agrees_across_spellings() -> None:
    rows = align_figures(
        [
            article("a", "Harbour Post", "Some 12,000 soldiers were sent."),
            article("b", "Daily Meridian", "About 12000 soldiers were sent."),
        ]
    )
    assert len(rows) == 1
    assert (rows[0].key, rows[0].agree, rows[0].outlets) == ("soldier", True, 2)


def test_alignment_disagreement_side_by_side() -> None:
    rows = align_figures(
        [
            article("a", "Harbour Post", "Some 12,000 North Korean soldiers were deployed."),
            article("b", "Daily Meridian", "About 11,000 North Korean soldiers were deployed."),
        ]
    )
    assert rows == [
        FigureRow(
            key="soldier",
            counted="North Korean soldiers",
            values=(
                ("Harbour Post", "a", 12000.0, "12,000", "some"),
                ("Daily Meridian", "b", 11000.0, "11,000", "about"),
            ),
            agree=False,
        )
    ]


def test_alignment_tolerance() -> None:
    def agree(first: str, second: str) -> bool:
        rows = align_figures([article("a", "A", first), article("b", "B", second)])
        return rows[0].agree

    assert agree("It won 52.3% of the vote.", "It won 52 percent of the vote.")  # 0.6%
    assert not agree("A crowd of 61,000 watched.", "A crowd of 60,000 watched.")  # 1.6%
    rows = align_figures(
        [article("a", "A", "A crowd of 61,000."), article("b", "B", "A crowd of 60,000.")],
        tolerance=0.02,
    )
    assert rows[0].agree


def test_alignment_one_figure_per_article_and_key() -> None:
    rows = align_figures(
        [
            article("a", "A", "North Korea sent 12,000 soldiers, and three soldiers were caught."),
            article("b", "B", "Some 12,000 soldiers went."),
        ]
    )
    assert [(v[1], v[2]) for v in rows[0].values] == [("a", 12000), ("b", 12000)]
    assert rows[0].agree


def test_alignment_order_most_outlets_first_then_first_seen() -> None:
    rows = align_figures(
        [
            article("a", "A", "The strike hit 40 towns. It killed 12 people and 3 horses."),
            article("b", "B", "It killed 12 people and hit 41 towns."),
            article("c", "C", "Officials counted 12 dead and 300 damaged homes."),
            article("d", "A", "A second story by outlet A says 12 people were killed."),
        ]
    )
    assert [(row.key, row.outlets) for row in rows] == [
        ("kill", 3),
        ("town", 2),
        ("hors", 1),
        ("home", 1),
    ]
    assert [v[1] for v in rows[0].values] == ["a", "b", "c", "d"]
    assert rows[0].agree and not rows[1].agree


def test_alignment_ties_keep_first_appearance() -> None:
    rows = align_figures(
        [
            article("a", "A", "The strike hit 40 towns and killed 12 people."),
            article("b", "B", "It killed 12 people and hit 40 towns."),
        ]
    )
    assert [row.key for row in rows] == ["town", "kill"]


def test_alignment_is_deterministic_and_empty_safe() -> None:
    inputs = [
        article("a", "A", "It killed 12 people and hit 40 towns."),
        article("b", "B", "It hit 41 towns and killed 12 people."),
    ]
    assert align_figures(inputs) == align_figures(list(inputs))
    assert align_figures([]) == []
    assert align_figures([("x", "A", [])]) == []


def test_alignment_of_a_fixture_story() -> None:
    stories = [a for a in load_fixture() if a["story"] == "troops"]
    rows = align_figures((a["id"], a["outlet"], extract_figures(a["text"])) for a in stories)
    soldiers = next(row for row in rows if row.key == "soldier")
    assert rows[0] is soldiers
    assert soldiers.outlets == 3 and not soldiers.agree
    assert sorted(v[2] for v in soldiers.values) == [11000, 12000, 12000]


# --- robustness --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\n", "no numbers at all here", "0", "$", "%"])
def test_empty_and_trivial_texts(text: str) -> None:
    assert extract_figures(text) == []


def test_a_megabyte_of_digits() -> None:
    assert extract_figures("1234567890" * 100_000) == []


def test_garbage_is_read_without_errors() -> None:
    chars = "0123456789,.-:/$%£€ abcXYZ\n'"
    text = "".join(random.Random(7).choice(chars) for _ in range(200_000))
    for figure in extract_figures(text):
        assert 0 <= figure.start < len(text)
        assert figure.key


def test_repetitive_texts_stay_linear() -> None:
    assert extract_figures("1 " * 50_000) == []
    assert len(extract_figures("three soldiers, " * 5_000)) == 5_000
    assert extract_figures("a" * 200_000 + "1") == []
    assert pairs("@" * 50_000 + " then 3 soldiers") == [(3, "soldier")]


# --- precision and recall over the annotated fixture -------------------------------------


def load_fixture() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["articles"]


def test_fixture_shape() -> None:
    articles = load_fixture()
    assert len(articles) >= 15
    assert len({a["id"] for a in articles}) == len(articles)
    for item in articles:
        sentences = extract_sentence_count(item["text"])
        assert 3 <= sentences <= 8, item["id"]
        assert all({"value", "key", "counted"} <= set(f) for f in item["figures"])


def extract_sentence_count(text: str) -> int:
    """Sentences of a fixture article: ends of sentence followed by a capital or the end."""
    return len(re.findall(r"[.!?](?=\s+[A-Z\"]|\s*$)", text.replace("a.m.", "am")))


def test_precision_and_recall_over_the_fixture() -> None:
    matched = predicted = gold = 0
    for item in load_fixture():
        truth = Counter((round(f["value"], 6), f["key"]) for f in item["figures"])
        found = Counter((round(f.value, 6), f.key) for f in extract_figures(item["text"]))
        matched += sum((truth & found).values())
        predicted += sum(found.values())
        gold += sum(truth.values())
    precision, recall = matched / predicted, matched / gold
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


def test_generic_people_take_the_verb_that_says_what_happened() -> None:
    assert pairs("The storm forced 450,000 people to evacuate.") == [(450000, "evacu")]
    assert pairs("Police arrested 37 people on Saturday.") == [(37, "arrest")]
    # A verb that says nothing of what happened keeps the generic key.
    assert pairs("About 1,000 people surveyed said yes.") == [(1000, "peopl")]
    assert pairs("Some 40 people aged over 90 live there.") == [(40, "peopl")]
    assert pairs("It hopes for 200 people to be there.") == [(200, "peopl")]


def test_volumes_and_areas_named_before() -> None:
    assert pairs("Teams pumped out 5,000 cubic metres of water overnight.") == [(5000, "water/m3")]
    assert pairs("The fire damaged crops on 60,000 hectares.") == [(60000, "crop/ha")]
    assert pairs("Output reached 2 million barrels a day.") == [(2e6, "output/bbl")]


def test_vote_tallies_are_not_figures() -> None:
    assert pairs("The council approved it by a vote of 9 to 4.") == []
    assert pairs("The budget of $2 million passed on a vote of 7 to 2.") == [(2e6, "budget/usd")]


def test_measures_of_an_acronym_and_after_more_verbs_of_change() -> None:
    assert pairs("The deficit will narrow to 2.9% of GDP.") == [(2.9, "gdp/percent")]
    assert pairs("Mortgage rates eased to 4.6% in May.") == [(4.6, "rate/percent")]
    assert pairs("Output is set to fall 11 percent.") == [(11, "output/percent")]


def test_votes_to_votes_is_a_tally() -> None:
    assert pairs("She won by 2,314 votes to 2,298.") == []
    assert pairs("About 2,314 votes were cast.") == [(2314, "vote")]
