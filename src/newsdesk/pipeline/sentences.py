"""Sentence splitting for news text, by rule: fast, deterministic, no model to download.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets after it)
followed by white space and a capital letter, a digit or an opening quote, unless the word
before the full stop is a known abbreviation ("Gov.", "Jan.", "Inc."), an initial ("J.") or
a dotted acronym ("U.S.") that is not followed by a word that usually opens a sentence.
Paragraph breaks always end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Words after which a full stop is not the end of a sentence (lower case, without the dot).
_ABBREVIATION_TEXT = """
    mr mrs ms dr prof gov sen rep reps sens gen lt col maj capt cmdr adm sgt cpl pvt hon rev
    fr st mt ft jr sr supt insp det atty pres vice amb lt-gov
    jan feb mar apr jun jul aug sep sept oct nov dec
    vs v etc inc corp ltd co bros dept univ assn est approx al ed
    a.m p.m e.g i.e u.s u.k u.n e.u d.c n.y l.a
    ala ariz ark calif colo conn del fla ga ill ind kan ky la mass md mich minn miss mo mont
    neb nev okla ore pa tenn tex va vt wash wis wyo
"""
ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
# After a dotted acronym or a state abbreviation, these words open a new sentence.
_OPENER_TEXT = """
    the a an he she it they we i this that these those but and in on at after its his her
    their there officials police
"""
_OPENERS = frozenset(_OPENER_TEXT.split())
# Abbreviations only before a number: "No. 5", "Fig. 2".
_BEFORE_NUMBER = frozenset(["no", "nos", "fig", "vol", "op", "art"])
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]").fullmatch

_CLOSING = "\"')]\u201d\u2019"
_OPENING = "\"'([\u201c\u2018"
_BOUNDARY = re.compile(
    f"([.!?\u2026]+)([{re.escape(_CLOSING)}]*)\\s+(?=[{re.escape(_OPENING)}]?[A-Z0-9À-ÖØ-Þ])"
)
_PARAGRAPHS = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_WORD_BEFORE = re.compile(r"(\S+)$")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, white space squashed, in order."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    for paragraph in _PARAGRAPHS.split(text or ""):
        flat = " ".join(paragraph.split())
        start = 0
        for match in _BOUNDARY.finditer(flat):
            if match.group(1) == "." and _is_abbreviation(flat, match.start(), match.end()):
                continue
            sentence = flat[start : match.end()].strip()
            if sentence:
                yield sentence
            start = match.end()
        rest = flat[start:].strip()
        if rest:
            yield rest


def _is_abbreviation(flat: str, dot: int, after: int) -> bool:
    """Whether the full stop at ``dot`` closes an abbreviation rather than a sentence."""
    found = _WORD_BEFORE.search(flat, 0, dot)
    if not found:
        return False
    word = found.group(1).lstrip(_OPENING).lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. K. Rowling"
    following = flat[after:].split(" ", 1)[0].strip(_OPENING).lower()
    if word in _BEFORE_NUMBER:
        return following[:1].isdigit()
    dotted = _DOTTED(word) is not None  # "u.s", "a.m"
    if word in ABBREVIATIONS or dotted:
        # "... in the U.S. The president said": an acronym can end a sentence too.
        return not (dotted or len(word) > 3) or following not in _OPENERS
    return False
