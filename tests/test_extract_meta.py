"""Metadata and parsing shortcuts agree with the library code they replace (own HTML only)."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html as trafilatura_load_html

from newsdesk.pipeline import extract as ex
from newsdesk.pipeline import extract_meta as em
from newsdesk.pipeline.extract_text import MAX_ELEMENTS, bound_tree, drop_inert, load_html

URL = "http://news.example/a"
PROSE = (
    "The harbour authority said on Tuesday that the new ferry line would open in spring, "
    "after two years of delays caused by the storm damage to the northern pier. "
)


def _page(body: str, head: str = "", lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{attr}><head>{head}</head><body>{body}</body></html>"


PAGES = [
    _page(f"<article><p>{PROSE}</p></article>", "<title>Ferry</title>"),
    '<?xml version="1.0" encoding="utf-8"?>' + _page(f"<p>{PROSE}</p>"),
    f"<div><p>{PROSE}</p><p>{PROSE}</p></div>",
    f"<p>{PROSE}</p>",
    "<html/>\n<body><p>self-closing html tag</p></body>",
    "just some text without any markup at all",
    _page("<form><input name=q><select><option>a</option></select></form>"),
]


@pytest.mark.parametrize("html", PAGES)
def test_pages_parse_as_trafilatura_parses_them(html: str) -> None:
    ours, theirs = load_html(html), trafilatura_load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)
        assert all(isinstance(el, HtmlElement) for el in ours.iter(etree.Element))


def test_bound_tree_counts_comments_and_elements_alike() -> None:
    tree = load_html(_page("<p>x</p>" * (MAX_ELEMENTS - 10)))
    assert tree is not None
    total = sum(1 for _ in tree.iter())
    assert not bound_tree(tree, limit=total)
    assert bound_tree(tree, limit=total - 1)
    assert sum(1 for _ in tree.iter()) == total - 1


def test_drop_inert_keeps_json_ld_and_the_text_after_scripts() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle"}</script><style>p{}</style>'
    body = (
        "<p>before<script>var x = 1;</script> after</p>"
        "<svg><svg><title>icon</title></svg></svg><p>tail kept</p><noscript>no js</noscript>"
    )
    tree = load_html(_page(body, head))
    assert tree is not None
    assert drop_inert(tree) == 3
    text = tree.text_content()
    assert "before after" in text
    assert "var x" not in text and "icon" not in text and "p{}" not in text
    assert "no js" in text and "tail kept" in text
    assert len(tree.xpath('//script[@type="application/ld+json"]')) == 1


AUTHOR_PAGES = [
    # rank 0: rel=author beats a later byline class
    '<div class="byline">By Someone Else</div><a rel="author" href="/x">Jane Harbour</a>',
    # rank 1 within a discarded sidebar is skipped, the one outside is found
    '<aside><div class="sidebar"><span class="author">Side Writer</span></div></aside>'
    '<p><span class="author">Main Writer</span></p>',
    # the byline holds a <time>: its text goes, its tail stays glued to the name
    '<div class="byline">Ana<time datetime="2026-03-12">12 March</time>Lee and Tom Port</div>',
    # a figure credit is not the author
    '<figure><figcaption class="author">Photo Person</figcaption></figure>'
    '<p class="article-writer">Kim Quay</p>',
    # only a comment section names an author
    '<div id="comments"><span class="author-name">Commenter Joe</span></div>',
    # too long to be a name (120 characters or more)
    '<div class="author">' + "word " * 30 + "</div>",
    # data-component and itemprop rules, with a nested discarded span and a child <rel>
    '<section data-component="Byline"><span class="date">Today</span>Pat Mole</section>',
    '<h4 itemprop="author">Lou Dock</h4><strong class="AuthorName">Rae Berth</strong>',
    "<p><rel>me</rel>Sam Jetty</p>",
    "<p>no author named on this page</p>",
]


@pytest.mark.parametrize("body", AUTHOR_PAGES)
def test_markup_author_agrees_with_trafilatura(body: str) -> None:
    tree = load_html(_page(f"<main>{body}<p>{PROSE}</p></main>"))
    assert tree is not None
    assert em.markup_author(tree) == extract_author(tree)


def test_markup_author_reads_past_discarded_parts() -> None:
    tree = load_html(_page(AUTHOR_PAGES[2]))
    assert tree is not None
    assert em.markup_author(tree) == "AnaLee; Tom Port"


@pytest.mark.parametrize(
    ("head", "lang", "languages"),
    [
        ("", "de-CH", ("de", "en")),
        ('<meta property="og:locale" content="fr_FR">', "", ("fr", "en")),
        ('<meta http-equiv="content-language" content="es">', "xx-unknown", ("es", "en")),
        (
            "<title>Die neue Fährlinie öffnet im Frühjahr nach langen Verzögerungen</title>",
            "",
            ("de", "en"),
        ),
        ("", "", ("en",)),
    ],
)
def test_date_languages(head: str, lang: str, languages: tuple[str, ...]) -> None:
    tree = load_html(_page(f"<p>{PROSE}</p>", head, lang))
    assert tree is not None
    assert em.date_languages(tree) == languages


def test_htmldate_gets_a_parser_for_the_page_languages() -> None:
    import htmldate.extractors

    token = em._DATE_LANGUAGES.set(("de", "en"))
    try:
        parser = htmldate.extractors.get_external_parser()
    finally:
        em._DATE_LANGUAGES.reset(token)
    assert parser is em._dateparser_for(("de", "en"))
    assert htmldate.extractors.get_external_parser() is em._dateparser_for(None)


def test_date_written_in_the_page_language() -> None:
    body = f"<article><h1>Neue Fähre</h1><p>Veröffentlicht am 3. März 2024</p><p>{PROSE * 3}</p></article>"
    page = ex.extract(_page(body, lang="de"), "http://news.example/faehre")
    assert page.date == "2024-03-03"
