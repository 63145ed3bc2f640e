"""Extraction on hostile input, clutter lines, headlines and dates (the project's own HTML)."""

from __future__ import annotations

import time

import pytest

from newsdesk.pipeline import extract as ex
from newsdesk.pipeline.extract_clutter import clutter_reason, drop_clutter
from newsdesk.pipeline.extract_meta import parse_day, strip_site_name
from newsdesk.pipeline.extract_text import MAX_ELEMENTS, bound_tree, parse_page

URL = "http://news.example/a"
PROSE = (
    "The harbour authority said on Tuesday that the new ferry line would open in spring, "
    "after two years of delays caused by the storm damage to the northern pier. "
)


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body>" + "<div>" * 100_000 + "deep text " * 50 + "</div>" * 100_000,
        "<html><body>" + "<div><p>open " * 50_000,
        "<html><body>" + ("<p>" + PROSE * 4 + "</p>\n") * 25_000 + "</body></html>",
        "<html><body><table>" + "<tr><td>a</td><td>b</td></tr>" * 300_000 + "</table>",
        bytes(range(256)).decode("latin-1") * 20_000,
        "\ufffd" * 5000,
    ],
    ids=["nested-100k", "unclosed", "20MB", "huge-table", "binary", "replacement-chars"],
)
def test_hostile_pages_return_quickly_without_raising(html: str) -> None:
    start = time.perf_counter()
    page = ex.extract(html, URL)
    assert time.perf_counter() - start < 10
    assert isinstance(page.text, str)


def test_binary_gives_nothing() -> None:
    assert parse_page(bytes(range(256)).decode("latin-1") * 100) is None
    assert ex.extract("\x00\x01\x02" * 1000, URL).text == ""


def test_xml_declaration_is_parsed() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>' + _page(f"<article><p>{PROSE}</p></article>")
    assert "ferry line" in ex.extract(html, URL).text


def test_bound_tree_cuts_after_the_limit() -> None:
    tree = parse_page(_page("<p>x</p>" * (MAX_ELEMENTS + 500)))
    assert tree is not None
    assert sum(1 for _ in tree.iter()) <= MAX_ELEMENTS
    small = parse_page(_page("<p>x</p>" * 10))
    assert small is not None
    assert not bound_tree(small)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Read more: Ferry fares rise again", "teaser"),
        ("Lesen Sie auch: Neue Fähre für den Hafen", "teaser"),
        ("VEA TAMBIÉN: El puerto abre una nueva línea", "teaser"),
        ("Czytaj też: Nowy prom w porcie", "teaser"),
        ("Photo: Jane Doe/Harbour Agency", "credit"),
        ("© Harbour Agency", "credit"),
        ("Harbour pier at dawn / Getty Images", "credit"),
        ("Sign up for our morning newsletter", "prompt"),
        ("Leave a Reply", "prompt"),
        ("Advertisement", "label"),
        ("Related stories", "label"),
        ("00harbour-01-superJumbo.jpg", "file-name"),
        ("Updated: 12 March 2026, 10:15", "date"),
        ("Mar 12, 2026", "date"),
        ("Auch interessant:", "label"),
        ("Lea: El puerto abre una nueva línea", "teaser"),
        ("Lesen Sie auch die folgenden Beiträge:", "teaser"),
        ("Teilen mit:", "label"),
        ("Table of Contents", "label"),
        ("Kategorie: Hafen", "label"),
        ("Titelbild: Jane Doe/Hafenagentur", "credit"),
        ("Letzte Änderung 14.02.2026", "date"),
        ("Purchases made through our links may earn us a commission.", "prompt"),
        ("Klicken Sie auf den Button, um den Inhalt von www.karten.example zu laden.", "prompt"),
        ("Sie sind aktuell nicht eingeloggt.", "prompt"),
        ("MIRA-Award", ""),
        ("Lea Doe said the ferry would sail at noon on Sunday.", ""),
        (PROSE, ""),
        ("She said the photo by the pier was taken by a tourist on a Sunday afternoon.", ""),
        ("Readers who subscribe to the port newsletter will get timetables, the mayor said.", ""),
    ],
)
def test_clutter_lines(line: str, reason: str) -> None:
    assert clutter_reason(line) == reason


def test_drop_clutter_keeps_prose() -> None:
    text = "\n".join([PROSE, "Share on Facebook", PROSE, "Read more: Other story"])
    assert drop_clutter(text) == f"{PROSE}\n{PROSE}".strip()


def test_headlines_under_a_teaser_label_go_with_it() -> None:
    text = "\n".join(
        [PROSE, "Related stories", "Harbour fares rise again", "New pier for the old town", PROSE]
    )
    assert drop_clutter(text) == f"{PROSE}\n{PROSE}".strip()
    # Headlines with no label above them are not teasers: the rule needs the label.
    plain = "\n".join([PROSE, "Harbour fares rise again", PROSE])
    assert drop_clutter(plain) == plain.strip()


def test_teasers_and_credits_leave_the_article_text() -> None:
    body = (
        "<article><h1>Ferry line opens in spring</h1>"
        f"<p>{PROSE}</p><p>Read more: Harbour fares rise again</p><p>{PROSE * 2}</p>"
        "<p>Photo: Jane Doe/Harbour Agency</p><p>Sign up for our daily newsletter</p>"
        f"<p>{PROSE}</p></article>"
    )
    page = ex.extract(_page(body, "<title>Ferry line opens in spring | Harbour News</title>"), URL)
    assert "ferry line would open" in page.text
    for clutter in ("Read more", "Jane Doe", "newsletter"):
        assert clutter not in page.text
    assert page.title == "Ferry line opens in spring"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Ferry line opens - Harbour News", "Harbour News", "Ferry line opens"),
        ("Harbour News | Ferry line opens", "Harbour News", "Ferry line opens"),
        ("Ferry line opens - harbour-news.example", "", "Ferry line opens"),
        ("Ferry line opens: what changes", "Harbour News", "Ferry line opens: what changes"),
        # What is kept keeps its own separators.
        ("Ferry \u2013 the new line | Harbour News", "Harbour News", "Ferry \u2013 the new line"),
        ("Ports | Ferry line opens | Harbour News", "Harbour News", "Ports | Ferry line opens"),
    ],
)
def test_site_name_leaves_the_title(title: str, site: str, expected: str) -> None:
    assert strip_site_name(title, site, "http://harbour-news.example/x") == expected


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-03-12T10:15:00+01:00", "2026-03-12"),
        ("2026/03/12", "2026-03-12"),
        ("2026-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_day(value: str | None, day: str | None) -> None:
    assert parse_day(value) == day


def test_date_from_structured_data() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2026-03-12T08:00:00Z", "headline": "Ferry"}</script>'
    )
    page = ex.extract(_page(f"<article><p>{PROSE * 3}</p></article>", head), URL)
    assert page.date == "2026-03-12"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # The visible headline words the page title differently: the headline wins.
        (
            "Ferry line to open in spring after delays | Harbour News",
            "<h1>New ferry line opens in spring</h1>",
            "New ferry line opens in spring",
        ),
        # A logo in an <h1> is the site's name, not the headline.
        (
            "Ferry line opens in spring | Harbour News",
            "<h1>Harbour News</h1>",
            "Ferry line opens in spring",
        ),
        # An <h1> that shares nothing with the title (a menu) is passed over.
        (
            "Ferry line opens in spring | Harbour News",
            "<h1>Main menu</h1>",
            "Ferry line opens in spring",
        ),
    ],
)
def test_headline_prefers_the_visible_h1_that_matches_the_title(
    head: str, body: str, expected: str
) -> None:
    html = _page(f"{body}<article><p>{PROSE}</p><p>{PROSE}</p></article>", f"<title>{head}</title>")
    assert ex.extract(html, "http://harbour-news.example/ferry").title == expected
