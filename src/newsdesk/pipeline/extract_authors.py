"""Authors: what the metadata readers found, cleaned, else a link to the author's page.

The readers of :mod:`extract_meta` (meta tags, JSON-LD, byline markup) sometimes return a
label instead of a name ("Written By", "The Author", "Updated January"), and many pages
that name their author nowhere in metadata still link the byline to the author's page:
``<a href="/authors/jane-doe">Jane Doe</a>``. Such a link is trusted only when its last
path segment is the link text written as a URL slug, so a menu link to "Authors" or a
teaser "Jane Doe's best recipes" is never taken for a byline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Path folders of author pages: /author/jane-doe, /autoren/max-mustermann, /people/...
_AUTHOR_FOLDER = re.compile(
    r"/(?:authors?|autor(?:en|in|innen)?|auteurs?|autore?s?|autrices?|writers?|journalists?"
    r"|journalist(?:en|in)?|redakteur(?:e|in)?|reporters?|contributors?|columnists?|staff"
    r"|people|profiles?|experten|experts?|team|byline|firma)/([^/?#]+)/?$",
    re.IGNORECASE,
)
# Containers whose links are never the byline: comments, sidebars, footers, menus.
_NOT_BYLINE = re.compile(r"comment|sidebar|footer|widget|related|menu|nav", re.IGNORECASE)
_NOT_BYLINE_TAGS = frozenset({"nav", "footer", "aside"})
# Words that make a "name" a label: "Written By", "The Author", "Updated January 5".
_LABEL_WORDS = _set("""
    written by the author authors admin administrator updated published posted said says
    reviewed edited contributor contributors staff writer editor editors editorial agencies
    agency guest team comments comment share follow read more on at in am um le el
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec name date datum about view posts page
    head extra no none unknown anonymous profile profil
    """)
# A byline's words before the name: "This post was written by", "Zum Profil von".
_NAME_PREFIX = re.compile(
    r"^(?:(?:this\s+)?(?:post|article|story|text|beitrag|artikel)\s+(?:was\s+)?"
    r"(?:written\s+)?(?:by|von)|written\s+by|edited\s+by|posted\s+by|by|von|par|por"
    r"|zum\s+profil\s+von)\s*:?\s+",
    re.IGNORECASE,
)
# What a site name looks like once a reader has made it a "name": "Tagesschau De".
_DOMAIN_END = re.compile(r"\b(?:de|com|net|org|at|ch|it|fr|es|nl|uk|io|info)$", re.IGNORECASE)
# A reader's comment signed "Jane said": never the article's author.
_SPEECH_END = re.compile(r"\b(?:said|says|sagt|schreibt|wrote)$", re.IGNORECASE)
# Words after which a byline goes on with a date: "Jane Doe Last Updated August 1".
_TAIL_WORDS = _set("last updated published posted aktualisiert veröffentlicht")
_DATE_LEADS = _set("on am le el den the")  # "Jane Doe on August 3"
_MONTHS = _set("""
    january february march april may june july august september october november december
    """)
_NAME_WORDS = re.compile(r"^[^\W\d_][\w'\u2019.\-]*$")


def slug(text: str) -> str:
    """``text`` as a URL slug: "Jürgen Weiß" -> "jurgen-weiss"."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_label(name: str) -> bool:
    """True when ``name`` holds no name: only label words, a digit ("Updated 5 May"), no
    letter at all ("©"), a site's address ("Tagesschau De") or a commenter ("Jane said")."""
    words = name.lower().replace(":", " ").split()
    return (
        not words
        or not any(c.isalpha() for c in name)
        or any(c.isdigit() for c in name)
        or all(w in _LABEL_WORDS for w in words)
        or bool(_DOMAIN_END.search(name) or _SPEECH_END.search(name))
    )


def _cut_tail(name: str) -> str:
    """``name`` without what follows it on a byline: "Jane Doe Last Updated August 1",
    "Jane Doe 3" -> "Jane Doe" (kept whole when the name itself would go)."""
    words = name.split()
    for index, word in enumerate(words[1:], start=1):
        lower = word.lower().strip(":,")
        after = words[index + 1].lower() if index + 1 < len(words) else ""
        dated = lower in _MONTHS and after[:1].isdigit()
        dated = dated or (lower in _DATE_LEADS and (after in _MONTHS or after[:1].isdigit()))
        if dated or lower in _TAIL_WORDS or any(c.isdigit() for c in word):
            return " ".join(words[:index])
    return name


def clean_authors(raw: str, title: str = "") -> str:
    """The ";"-joined names of ``raw``, bylines' words around them cut, labels and the
    page's own title left out ("" if none is left)."""
    names = [
        _cut_tail(_NAME_PREFIX.sub("", " ".join(part.split()), count=1)) for part in raw.split(";")
    ]
    # A page's headline taken for its author; a short one may be a person's own page.
    headline = " ".join(title.split()).casefold() if len(title.split()) > 4 else ""
    kept = [n for n in names if n and not is_label(n) and n.casefold() != headline]
    return "; ".join(dict.fromkeys(kept))


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(_NAME_WORDS.match(w) for w in words)


def _outside_furniture(link: Any) -> bool:
    for ancestor in link.iterancestors():
        tag = ancestor.tag
        if not isinstance(tag, str):
            continue
        if tag in _NOT_BYLINE_TAGS:
            return False
        if _NOT_BYLINE.search(f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"):
            return False
    return True


def linked_author(tree: Any) -> str:
    """The first person's name linked to its own author page, outside page furniture."""
    for link in tree.iter("a"):
        href = link.get("href")
        if not href or "/" not in href:
            continue
        found = _AUTHOR_FOLDER.search(unquote(urlsplit(href.strip()).path))
        if found is None:
            continue
        text = " ".join(link.text_content().split()) or " ".join(
            (link.get("aria-label") or "").split()
        )
        if not _looks_like_name(text) or is_label(text):
            continue
        segment = slug(found.group(1).rsplit(".", 1)[0])
        name = slug(text)
        if (segment == name or segment.startswith(f"{name}-")) and _outside_furniture(link):
            return text
    return ""


# A byline's label alone ("By", "Von:", "Text:", "Written by"), the name in the next text.
_BY_LABEL = re.compile(
    r"^(?:(?:written|article|posted|story|text|words|reporting|ein\s+artikel|artikel)\s+)?"
    r"(?:by|von|par|por|door|av)\s*:?$"
    r"|^(?:text|autor|autorin|author|auteur|autore|autora|texto|von|by)\s*:$",
    re.IGNORECASE,
)
# A byline with its name: "By Jane Doe", "Text von Max Muster", "Posted on May 5 by Jane".
_BY_INLINE = re.compile(
    r"^(?:(?:written|article|story|text|words|reporting|ein\s+artikel|artikel)\s+)?"
    r"(?:by|von|par|por|door)\s*:?\s+(?P<a>.+)$"
    r"|^(?:text|autor|autorin|author|auteur|autore|autora|texto)\s*:\s*(?P<b>.+)$"
    r"|^(?:posted|published|updated|veröffentlicht|publié)\b.{0,40}?\b(?:by|von|par)\s+(?P<c>.+)$",
    re.IGNORECASE,
)
_PARTICLES = _set("von van der den de da di du del della le la bin al y zu ter")
_SEPARATORS = re.compile(r"\s*(?:[|\u2022\u00b7,(/]|\s[-\u2013\u2014]\s).*$")
_BYLINE_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav", "footer"})
_BLANKS = re.compile(r"\s{2,}|[^\S ]")
_BYLINE_SEGMENTS = 4000  # text pieces read at most (bylines sit near the top)


def _personal_name(text: str) -> str:
    """``text`` cut at the byline's next field, if what is left reads as a person's name."""
    name = _cut_tail(_SEPARATORS.sub("", text).strip(" :.\u00a0"))
    words = name.split()
    if not 2 <= len(words) <= 4 or len(name) > 60 or is_label(name):
        return ""
    capitals = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not (_NAME_WORDS.match(word) and word[0].isupper()):
            return ""
        capitals += 1
    return name if capitals >= 2 else ""


def _squash(text: str) -> str:
    """Blanks squashed to one space; a run of them holding a no-break space, which pages
    use to set two fields apart ("Text von A &nbsp; &nbsp;Illustration von B"), to " | "."""
    return _BLANKS.sub(_blank, text).strip()


def _blank(run: re.Match[str]) -> str:
    blanks = run.group()
    return " | " if len(blanks) > 1 and "\u00a0" in blanks else " "


def _segments(tree: Any) -> list[str]:
    """The page's text pieces in reading order, outside scripts, menus, footers, comments."""
    body = tree.find("body")
    root = body if body is not None else tree
    pieces: list[str] = []
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, element in walk:
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if tag in _BYLINE_SKIP or _NOT_BYLINE.search(
                f"{element.get('class') or ''} {element.get('id') or ''}"
            ):
                walk.skip_subtree()
                text = None
            else:
                text = element.text
        else:
            text = element.tail
        if text and not text.isspace():
            pieces.append(_squash(text))
            if len(pieces) >= _BYLINE_SEGMENTS:
                break
    return pieces


def byline_author(tree: Any) -> str:
    """The name of the page's first byline written as text: "By Jane Doe", or a label
    ("Von", "Text:", "Written by") followed by the name in the next piece of text."""
    pieces = _segments(tree)
    for index, piece in enumerate(pieces):
        if len(piece) > 120:
            continue
        if _BY_LABEL.match(piece):
            following = next(
                (
                    p
                    for p in pieces[index + 1 : index + 4]
                    if p.strip("|\u2022\u00b7-\u2013\u2014 ")
                ),
                "",
            )
            name = _personal_name(following)
        else:
            found = _BY_INLINE.match(piece)
            name = (
                _personal_name(found.group("a") or found.group("b") or found.group("c"))
                if found
                else ""
            )
        if name:
            return name
    return ""
