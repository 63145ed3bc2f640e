"""Authors when the metadata has none or a label: links to author pages, bylines in text."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from newsdesk.pipeline.extract import extract
from newsdesk.pipeline.extract_authors import byline_author, clean_authors, linked_author

PROSE = "<p>" + "The council met on Tuesday and agreed a new plan for the river. " * 6 + "</p>"


def page(body: str) -> str:
    return f"<html><head><title>Flood plan agreed</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Written By", ""),
        ("The Author", ""),
        ("Updated January", ""),
        ("Staff; Jane Doe", "Jane Doe"),
        ("Cazzy Magennis Last Updated August 1", "Cazzy Magennis"),
        ("Jane Doe on August 3", "Jane Doe"),
        ("Supermove February 8", "Supermove"),
        # Names that hold a month or a particle stay whole.
        ("Theresa May", "Theresa May"),
        ("April Ryan", "April Ryan"),
        ("Marine Le Pen", "Marine Le Pen"),
        ("Jane Doe; Jane Doe", "Jane Doe"),
        ("This post was written by Danielle Park", "Danielle Park"),
        ("Zum Profil von Max Muster", "Max Muster"),
        ("Tagesschau De", ""),  # a site's address made a name
        ("Art Edwards says", ""),  # a reader's comment
        ("©", ""),
        ("View more posts", ""),
        ("Emily Co", "Emily Co"),
        ("Byron Smith", "Byron Smith"),
    ],
)
def test_labels_and_byline_tails_are_cleaned(raw: str, clean: str) -> None:
    assert clean_authors(raw) == clean


def test_the_headline_is_no_author_but_a_short_title_may_be_a_name() -> None:
    title = "Eine realistische Interpretation des Multiplikators"
    assert clean_authors(title, title) == ""
    assert clean_authors("Pamela Anders", "Pamela Anders") == "Pamela Anders"


def test_a_link_to_the_authors_own_page_names_the_author() -> None:
    tree = fromstring(
        page(f'<div class="meta"><a href="/authors/jane-doe">Jane Doe</a></div>{PROSE}')
    )
    assert linked_author(tree) == "Jane Doe"
    accented = '<a href="https://x.example/autor/juergen-weiss-12/">Jürgen Weiß</a>'
    assert linked_author(fromstring(page(accented))) == ""  # "jurgen-weiss" is not the slug
    accented = '<a href="https://x.example/autor/jurgen-weiss-12/">Jürgen Weiß</a>'
    assert linked_author(fromstring(page(accented))) == "Jürgen Weiß"


@pytest.mark.parametrize(
    "body",
    [
        '<a href="/authors/">All authors</a>',  # no name
        '<a href="/authors/jane-doe">Read more from her</a>',  # text is not the slug
        '<footer><a href="/authors/jane-doe">Jane Doe</a></footer>',  # page furniture
        '<div class="sidebar"><a href="/authors/jane-doe">Jane Doe</a></div>',
        '<a href="/topics/jane-doe">Jane Doe</a>',  # not an author page
    ],
)
def test_other_links_are_not_bylines(body: str) -> None:
    assert linked_author(fromstring(page(body + PROSE))) == ""


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("<p>By <span>Jane Doe</span></p>", "Jane Doe"),
        ("<div><span>Von:</span> <strong>Max Muster</strong></div>", "Max Muster"),
        (
            "<p><em>Text von Christian Roth &nbsp; Illustration von Ana Lind</em></p>",
            "Christian Roth",
        ),
        ("<p>Posted on September 21, 2020 by Adi Levin</p>", "Adi Levin"),
        ("<p>Par <b>Marie de la Tour</b></p>", "Marie de la Tour"),
        ("<p>By Jane&nbsp;Doe</p>", "Jane Doe"),
        ("<p>Written by Sam O'Brien | March 3, 2025</p>", "Sam O'Brien"),
    ],
)
def test_bylines_written_as_text(body: str, name: str) -> None:
    assert byline_author(fromstring(page(body + PROSE))) == name


@pytest.mark.parametrize(
    "body",
    [
        "<p>The bridge was built by hand in 1890 and restored later.</p>",  # prose
        "<p>By Monday the river had fallen.</p>",  # not a name
        "<nav><p>By Jane Doe</p></nav>",  # a menu
        '<div class="comments"><p>By Jane Doe</p></div>',  # a reader's comment
        "<p>Von</p><p>Grund auf neu</p>",  # German noun, then lower case
    ],
)
def test_prose_and_furniture_are_not_bylines(body: str) -> None:
    assert byline_author(fromstring(page(body + PROSE))) == ""


def test_extract_takes_the_byline_when_metadata_names_no_one() -> None:
    html = page(
        f"<article><h1>Flood plan agreed</h1><p>By <a href='/x'>Jane Doe</a></p>{PROSE}</article>"
    )
    assert extract(html, "https://news.example/flood").authors == ("Jane Doe",)
    labelled = html.replace("<title>", '<meta name="author" content="Written By"><title>')
    assert extract(labelled, "https://news.example/flood").authors == ("Jane Doe",)


def test_metadata_authors_come_first() -> None:
    html = page(f"<p>By Jane Doe</p>{PROSE}").replace(
        "<title>", '<meta name="author" content="Ola Nordmann"><title>'
    )
    assert extract(html, "https://news.example/flood").authors == ("Ola Nordmann",)


# The paywall flag (with the metadata readers: it is read in the same pass)


@pytest.mark.parametrize(
    ("head", "flag"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>',
            True,
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": "False"}</script>',
            True,
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "hasPart": '
            '{"@type": "WebPageElement", "isAccessibleForFree": false, "cssSelector": ".paid"}}]}</script>',
            True,
        ),
        ('<meta property="article:content_tier" content="locked">', True),
        ('<meta property="article:content_tier" content="metered">', True),
        ('<meta property="article:content_tier" content="free">', False),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": true}</script>',
            False,
        ),
        ("", False),
    ],
)
def test_paywall_flag(head: str, flag: bool) -> None:
    html = page(PROSE).replace("<title>", f"{head}<title>")
    assert extract(html, "https://news.example/flood").paywalled is flag
