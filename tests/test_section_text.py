"""Sections read from an article's own words when its outlet declares none."""

from __future__ import annotations

import pytest

from newsdesk.pipeline.section_text import section_from_text, votes
from newsdesk.stories.sections import section_for


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Striker scores twice as champions win the league",
            "The coach praised his players after the match at a packed stadium.",
            "Sports",
        ),
        (
            "Central bank raises interest rates again",
            "Inflation stays high; markets and investors expected a smaller move by the bank.",
            "Business",
        ),
        (
            "Hospital reports rise in measles infections",
            "Doctors urged parents to vaccinate children as the outbreak spread.",
            "Health",
        ),
        (
            "Police arrest suspect after shooting",
            "Prosecutors charged the man with murder; he will appear before a jury.",
            "Crime",
        ),
        (
            "Space agency launches telescope to study distant galaxy",
            "Astronomers say the spacecraft will reach its orbit next month.",
            "Science",
        ),
        (
            "Singer's new album tops the charts",
            "The band begins a concert tour after the film premiere.",
            "Culture",
        ),
        ("Town council opens new bridge", "The crossing cuts journeys by half.", ""),
        ("", "", ""),
    ],
)
def test_words_point_to_a_section(title: str, text: str, expected: str) -> None:
    assert section_from_text(title, text) == expected


def test_a_close_call_gives_no_section() -> None:
    # One sports word and one business word: neither clearly ahead.
    title = "Stadium sale"
    tally = votes(title, "")
    assert tally.get("Sports") and tally.get("Business")
    assert section_from_text(title) == ""


def test_headline_words_count_twice() -> None:
    assert votes("inflation", "")["Business"] == 2 * votes("", "inflation")["Business"]


def test_declared_label_and_url_come_before_the_words() -> None:
    sport = "Striker scores twice as champions win the league"
    assert section_for(["Business"], "https://x.example/a", title=sport) == "Business"
    assert section_for([], "https://x.example/business/a", title=sport) == "Business"
    assert section_for(["Harbour"], "https://x.example/a", title=sport) == "Harbour"
    assert section_for([], "https://x.example/a", title=sport) == "Sports"
    assert section_for([], "https://x.example/a", title=sport, language="de") == ""
