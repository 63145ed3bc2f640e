"""Extraction of the project's own fixture pages: text without clutter, credits, image."""

from __future__ import annotations

import pytest

from conftest import fixture_html
from newsdesk.pipeline import extract as ex

BASE = "http://news.example"
CLUTTER = [
    "Share on Facebook",
    "Leave a Reply",
    "Post Comment",
    "Your email address will not be published",
    "facebookJumbo",
    "We use cookies",
    "Accept all",
    "Sign up for our morning briefing",
    "Related stories",
    "contributed reporting",
]


@pytest.fixture(scope="module")
def kursk() -> ex.Extracted:
    return ex.extract(
        fixture_html("news/kursk-offensive.html", BASE), f"{BASE}/news/kursk-offensive.html"
    )


def test_article_text_is_kept(kursk: ex.Extracted) -> None:
    assert "About 12,000 soldiers" in kursk.text
    assert "how long this will last" in kursk.text
    assert kursk.word_count > 300


@pytest.mark.parametrize("clutter", CLUTTER)
def test_clutter_is_dropped(kursk: ex.Extracted, clutter: str) -> None:
    assert clutter.lower() not in kursk.text.lower()


def test_headline_and_byline_are_not_repeated_in_text(kursk: ex.Extracted) -> None:
    assert kursk.title == "Army Opens Wide Offensive in Kursk Border Region"
    assert not kursk.text.startswith(kursk.title)
    assert "By Alex Verdane" not in kursk.text


def test_metadata(kursk: ex.Extracted) -> None:
    assert kursk.authors == ("Alex Verdane",)
    assert kursk.contributors == ("Maria Pell", "Tomas Reed")
    assert kursk.date == "2026-11-20"
    assert kursk.language == "en"
    assert kursk.canonical_url == f"{BASE}/news/kursk-offensive.html"


def test_lead_image_with_caption_and_credit(kursk: ex.Extracted) -> None:
    assert kursk.image == f"{BASE}/img/kursk-lead.jpg"
    assert kursk.image_alt == "Soldiers walk past a damaged building near the border"
    assert kursk.image_credit == "Photo: Fixture Agency"
    assert kursk.image_caption.startswith("Soldiers walk past a damaged grain depot")
    assert "Fixture Agency" not in kursk.image_caption


def test_tracking_parameters_leave_the_canonical_url() -> None:
    page = ex.extract(
        fixture_html("news/harbour-bridge.html", BASE),
        f"{BASE}/news/harbour-bridge.html?utm_source=rss&utm_medium=feed",
    )
    assert page.canonical_url == f"{BASE}/news/harbour-bridge.html"
    assert page.contributors == ("Lee Park",)
    assert "Additional reporting" not in page.text


def test_windows_1252_french_page() -> None:
    page = ex.extract(fixture_html("news/paris-greve.html", BASE), f"{BASE}/news/paris-greve.html")
    assert page.language == "fr"
    assert "Grève" in page.title and "à l’arrêt" in page.title
    assert "\ufffd" not in page.text
    assert page.contributors == ("Hélène Marçais",)


def test_a_gallery_has_no_prose() -> None:
    page = ex.extract(fixture_html("video/gallery.html", BASE), f"{BASE}/video/gallery.html")
    assert page.word_count < 20


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Maria Pell and Tomas Reed contributed reporting.", ("Maria Pell", "Tomas Reed")),
        ("A. Kim, B. Lee and C. Ortiz contributed reporting from Kyiv.", None),
        ("Additional reporting by Lee Park.", ("Lee Park",)),
        ("Reporting by Ana Ruiz and Ben Ode; Editing by Cy Dunn", ("Ana Ruiz", "Ben Ode")),
        ("Dan Roe contributed to this report.", ("Dan Roe",)),
        ("The minister said reporting by the press was unfair and biased.", None),
        ("Avec la contribution de Hélène Marçais.", ("Hélène Marçais",)),
    ],
)
def test_contributor_lines(line: str, names: tuple[str, ...] | None) -> None:
    assert ex.contributor_names(line) == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00kursk-01-facebookJumbo.jpg", True), ("IMG_2041.JPG", True), ("A man at a window", False)],
)
def test_file_names_are_recognised(text: str, expected: bool) -> None:
    assert ex.is_file_name(text) is expected


def test_alt_text_that_is_a_file_name_is_dropped() -> None:
    html = (
        "<html><body><article><h1>T</h1><figure><img src='/a/00x-01-jumbo.jpg' "
        "alt='00x-01-jumbo.jpg'><figcaption>A quiet street (Photo: Ann Lee)</figcaption>"
        "</figure><p>" + "word " * 80 + "</p></article></body></html>"
    )
    page = ex.extract(html, BASE + "/a")
    assert page.image == BASE + "/a/00x-01-jumbo.jpg"
    assert page.image_alt == ""
    assert page.image_caption == "A quiet street"
    assert page.image_credit == "Photo: Ann Lee"


@pytest.mark.parametrize("html", ["", "   ", "\x00\x01\x02binary", "<html></html>"])
def test_empty_or_junk_input_gives_an_empty_result(html: str) -> None:
    page = ex.extract(html, BASE + "/x")
    assert page.text == ""
    assert page.word_count == 0
