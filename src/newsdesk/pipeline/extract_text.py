"""Bounded parsing and the main-text cascade: trafilatura's fast path, full mode on doubt.

Limits make the cost of one page bounded without reading a clock: at most
:data:`MAX_HTML_CHARS` characters are parsed, lxml caps nesting depth, and a tree with
more than :data:`MAX_ELEMENTS` elements is cut after that many (document order). With
these limits the worst page costs well under two seconds on one core.
"""

from __future__ import annotations

import logging
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.baseline import html2txt
from trafilatura.utils import is_dubious_html, repair_faulty_html

log = logging.getLogger(__name__)

MAX_HTML_CHARS = 3_000_000
MAX_ELEMENTS = 30_000
# The fast path is trusted unless its text covers less than this share of the page's
# visible text: then it probably stopped at a wrong container, and the full cascade
# (readability and justext comparison) runs.
FALLBACK_SHARE = 0.15
_BINARY_SHARE = 0.05
_SKIPPED = {"script", "style", "noscript", "template", "svg"}
_COUNT_NODES = etree.XPath(
    "count(descendant-or-self::*|descendant-or-self::comment()"
    "|descendant-or-self::processing-instruction())"
)

# Subtrees that every text extractor in the cascade discards (trafilatura's cleaning,
# its baseline and page measure, readability, justext) and that the metadata readers
# are done with once :func:`page_metadata` ran. JSON scripts stay: trafilatura reads
# JSON-LD (article bodies, forum markup).
_INERT = etree.XPath("//script[not(contains(@type, 'json'))] | //style | //svg[not(ancestor::svg)]")


def _html_parser() -> etree.HTMLParser:
    """trafilatura's parser settings, with every element an :class:`HtmlElement`.

    lxml.html's own parser picks each element's class in a Python callback, run for
    every element proxy that the extractors create (millions per thousand pages); the
    default lookup does the same in C. Only the form helpers of lxml.html
    (``FormElement.inputs`` and the like) are lost, and nothing here uses them.
    """
    parser = etree.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    lookup = etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _html_parser()


def looks_binary(html: str) -> bool:
    """True when the start of ``html`` is mostly control or replacement characters."""
    head = html[:4096]
    odd = sum(1 for ch in head if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return odd > _BINARY_SHARE * max(len(head), 1)


def bound_tree(tree: HtmlElement, limit: int = MAX_ELEMENTS) -> bool:
    """Cut ``tree`` after its ``limit``-th element; True when something was cut."""
    if _COUNT_NODES(tree) <= limit:  # counted in C, without an element proxy each
        return False
    cut = None
    for index, element in enumerate(tree.iter()):
        if index == limit:
            cut = element
            break
    if cut is None:
        return False
    node = cut
    while node is not None:
        parent = node.getparent()
        if parent is not None:
            for sibling in list(node.itersiblings()):
                parent.remove(sibling)
        node = parent
    parent = cut.getparent()
    if parent is not None:
        parent.remove(cut)
    return True


def _fromstring(html: str | bytes) -> HtmlElement | None:
    try:
        tree = fromstring(html, parser=_PARSER)
    except (etree.LxmlError, ValueError, TypeError) as err:
        log.debug("lxml could not parse the page: %s", err)
        return None
    return tree if isinstance(tree, HtmlElement) else None


def load_html(html: str) -> HtmlElement | None:
    """The page as a tree, as ``trafilatura.utils.load_html`` parses it (same repairs, same
    fallback to bytes, same rejection of non-HTML), with the element lookup of
    :func:`_html_parser`."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    retried = False
    try:
        tree = fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, retried = _fromstring(html.encode("utf8", "surrogatepass")), True
    except (etree.LxmlError, TypeError) as err:
        log.debug("lxml could not parse the page: %s", err)
        tree = None
    if (tree is None or len(tree) < 1) and not retried:
        tree = _fromstring(html.encode("utf8", "surrogatepass"))
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree if isinstance(tree, HtmlElement) else None


def drop_inert(tree: HtmlElement) -> int:
    """Remove scripts (other than JSON), styles and SVG drawings, keeping the text that
    follows them; return how many subtrees went. Fewer nodes make each of the
    extractors' whole-tree XPath searches and copies cheaper."""
    inert = _INERT(tree)
    for element in inert:
        element.drop_tree()
    return len(inert)


def parse_page(html: str) -> HtmlElement | None:
    """The page as a bounded lxml tree, or None for empty, binary or unparsable input."""
    if not isinstance(html, str) or not html.strip() or looks_binary(html):
        return None
    html = html[:MAX_HTML_CHARS].replace("\x00", "")
    try:
        tree = load_html(html)
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as err:
        log.debug("page could not be parsed: %s", err)
        return None
    if tree is None or not isinstance(tree, HtmlElement):
        return None
    if bound_tree(tree):
        log.debug("page cut at %d elements", MAX_ELEMENTS)
    return tree


def _solid(text: str) -> int:
    """Characters of ``text`` that are not whitespace."""
    return len("".join(text.split()))


def visible_length(tree: HtmlElement) -> int:
    """Non-blank characters outside scripts and styles (an upper bound of the page text)."""
    body = tree.find("body")
    root = body if body is not None else tree
    hidden = sum(_solid(el.text or "") for el in root.iter(*_SKIPPED))
    return _solid(root.text_content()) - hidden


def _trafilatura_text(tree: HtmlElement, url: str, fast: bool) -> str:
    """trafilatura's text of a copy of ``tree`` ("" when it finds none)."""
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, fast=fast, include_comments=False, include_tables=True
        )
    except (ValueError, TypeError, RecursionError) as err:
        log.debug("trafilatura failed on %s: %s", url, err)
        return ""
    if doc is None:
        return ""
    return str((doc.get("text") if isinstance(doc, dict) else doc.text) or "")


def needs_fallback(text: str, tree: HtmlElement) -> bool:
    """True when the fast text covers too little of the page to be the whole article."""
    if not text:
        return True
    solid = _solid(text)
    if solid >= FALLBACK_SHARE * visible_length(tree):
        return False
    # The cheap measure over-counts; confirm with trafilatura's own page text.
    return solid < FALLBACK_SHARE * _solid(html2txt(tree))


def main_text(tree: HtmlElement, url: str) -> tuple[str, dict[str, Any]]:
    """The article text of ``tree`` and notes on how it was found."""
    text = _trafilatura_text(tree, url, fast=True)
    if not needs_fallback(text, tree):
        return text, {"text_method": "fast"}
    full = _trafilatura_text(tree, url, fast=False)
    if full:
        return full, {"text_method": "full"}
    return text, {"text_method": "fast"}
