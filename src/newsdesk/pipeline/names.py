"""People and organisations named in a story's articles: rules, or a spaCy model if installed.

:func:`find_names` returns both kinds (:func:`find_people` and :func:`find_organisations`
filter it). If spaCy and an English pipeline (``en_core_web_sm``, ``_md``, ``_lg`` or
``_trf``, looked for once, lazily, never downloaded) can be imported, its PERSON and ORG
entities are used; otherwise, or with ``use_model=False`` (or :data:`USE_MODEL` set to
False), these rules over the capitalised runs of :mod:`newsdesk.pipeline.entities`:

- Organisations first. A run holding a head word ("Inc", "Corp", "Bank", "Ministry",
  "University", "Party", "Department", "Agency", "Council", "Committee", "Court", "Post",
  "Times", ...) gives an organisation from the capitalised words before the head through the
  last head, plus an "of/for/on ..." complement after it ("Ministry of Defence", "Reserve Bank
  of India", "Centers for Disease Control and Prevention"), and a country code or an
  "X of" part before ("US Forest Service", "Port of Rotterdam Authority"). A nationality
  opening two or three name words that speak ("Deutsche Bahn said", "British Airways
  told") makes an organisation, since no person's name opens so. A few institutions stand alone
  ("Congress", "the Kremlin", "Reuters", "the House"), as do one-word banks ("Bundesbank").
  One to three words after a cue ("the utility Oncor", "shares in Halvorsen", "analysts at
  Goldman Sachs", and the next name joined by "and") or before "shares" ("Tesla shares") are
  one too, as are names described as one: "the Aslef union", "IQAir, a Swiss monitoring
  company", "ScotRail, which" (unless the name is a place). A possessive before a head
  stays in the name ("Federal Public Prosecutor's Office", "People's Party") unless what
  owns it is a place ("Hong Kong's Hospital Authority"). All-capital words of 2-6
  letters (NATO, FBI, CDC, WHO) are acronyms, except common ones (CEO, GDP, TV, US state
  codes, Roman numerals).
- Then people. Words after a title ("President", "Gov.", "Sen.", "Prime Minister", "Dr.",
  "Foreign Minister") or a role word ("spokeswoman Jane Doe", "a spokesman, Oleksandr
  Petrenko,") are a name (a lone surname only after a title such as "President" or "Mr.").
  So are two or three capitalised words next to "said"/"told"/"according to", before ", who"
  or ", a/an/the <role>" or ", <role> of", or joined by "and" to a given name and surname
  ("Evelyn Matthei and Jeannette Jara"); four after a role ("director Nguyen Thi Lan
  Huong"); particles count for none ("Khaled bin Saeed al-Harbi"); and two to five
  starting with a known given name (a list of about a
  thousand across cultures, src/newsdesk/data/given_names.txt). Such a person (with no
  title) whose name is a place ("New York said"), or who has no given name and a country or
  state in the name ("Southern California Edison said"), is dropped: the gazetteer of
  :mod:`newsdesk.pipeline.places` tells.
- Merging. A lone surname ("Biden said", "President Biden") counts for the full name that
  ends with it, and a lone one-word organisation name ("Tesla's recall") for it. A shorter
  organisation name that ends a longer one ("Defence Ministry", "Russian Defence Ministry"),
  an acronym in brackets after a name or matching its initials (CDC, EU: a form, not one
  more mention), and a cue-found first word ("Halvorsen") count for the longer one.

A capital that proves nothing (the first word of a sentence that is a common word, or a
title-case headline word) does not start a name unless it is a title, a role, a head word,
or a given name before another capitalised word. An all-capitals text is skipped.

Limits: a one-word company with no cue ("Petrobras suspended work") is missed; team names
("Toronto Argonauts") are not recognised; an organisation that speaks under a name that
looks personal ("Cal Fire said") is taken for a person.

Pure apart from reading the given-names list (package data) and, to vet people, the
gazetteer: each once, lazily. The word lists are in :mod:`newsdesk.pipeline.names_words`;
merging mentions into entities is in :mod:`newsdesk.pipeline.names_merge`.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from newsdesk.pipeline.entities import (
    CONNECTORS,
    FUNCTION_WORDS,
    MONTHS,
    WEEKDAYS,
    Entity,
    Story,
    Token,
    read_story,
)
from newsdesk.pipeline.names_context import (
    apposition,
    cue_after,
    given_names,
    org_cue,
    person_cue,
    role_before,
    shares_after,
    speech_after,
    speech_before,
)
from newsdesk.pipeline.names_merge import Mention, merge_organisations, merge_people
from newsdesk.pipeline.names_words import (
    ACRONYM_STOP,
    ACRONYM_WORDS,
    COMPLEMENT_LINKS,
    COMPOUND_ENDINGS,
    COUNTRY_PREFIXES,
    DEMONYMS,
    FOREIGN_DEMONYMS,
    HEADS_WITH_COMPLEMENT,
    HONORIFICS,
    KNOWN_ORGS,
    NEEDS_PREFIX,
    NOT_NAME_WORDS,
    ORG_HEADS,
    PARTICLES,
    ROLE_WORDS,
    SOLO_TITLES,
    THE_ONLY_ORGS,
    TITLES,
)

USE_MODEL = True  # use a spaCy English model when one is importable
MODEL_NAMES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")


@dataclass(frozen=True, slots=True)
class NameScan:
    """A story's people and organisations, and where they were named."""

    entities: tuple[Entity, ...]
    covered: frozenset[tuple[int, int]]  # (doc, token index) inside a name
    surnames: frozenset[str]  # people's last names, so a lone "Jackson" is no place


def find_names(texts: Sequence[str], *, use_model: bool | None = None) -> list[Entity]:
    """People and organisations of one story's texts, most mentioned first."""
    return list(scan(read_story(texts), use_model=use_model).entities)


def find_people(texts: Sequence[str], *, use_model: bool | None = None) -> list[Entity]:
    """People named in one story's texts, most mentioned first."""
    return [e for e in find_names(texts, use_model=use_model) if e.kind == "person"]


def find_organisations(texts: Sequence[str], *, use_model: bool | None = None) -> list[Entity]:
    """Organisations named in one story's texts, most mentioned first."""
    return [e for e in find_names(texts, use_model=use_model) if e.kind == "organisation"]


def scan(
    story: Story,
    *,
    use_model: bool | None = None,
    place_kind: Callable[[str], str] | None = None,
) -> NameScan:
    """Names of a read story, with the tokens they cover (for the place finder's veto).

    A person found without a title is dropped if the whole name is a place ("New York
    said") or, unless it starts with a given name, if a word of it is a country or a US
    state ("Southern California Edison said"). `place_kind` tells the kind of place a name
    is, or "" (by default: the gazetteer of newsdesk.pipeline.places, loaded on first use).
    """
    model = _load_model() if (USE_MODEL if use_model is None else use_model) else None
    found = _model_mentions(story, model) if model is not None else _rule_mentions(story)
    kind_of = place_kind or _gazetteer_kind
    found = [m for m in found if m.kind != "person" or m.titled or not _placelike(m, kind_of)]
    found += _surname_mentions(story, found)
    covered = frozenset((m.doc, i) for m in found for i in range(m.first, m.last + 1))
    people = [m for m in found if m.kind == "person"]
    surnames = frozenset(m.name.split()[-1] for m in people)
    entities = merge_people(people) + merge_organisations(
        [m for m in found if m.kind == "organisation"]
    )
    entities.sort(key=lambda e: (-e.mentions, e.name))
    return NameScan(tuple(entities), covered, surnames)


# The rules


def _rule_mentions(story: Story) -> list[Mention]:
    """Mentions found by the rules: runs first, then acronyms outside them."""
    found: list[Mention] = []
    for run in story.runs:
        found.extend(_run_mentions(_trim(run, story), story))
    taken = {(m.doc, i) for m in found for i in range(m.first, m.last + 1)}
    found.extend(_acronyms(story, taken, found))
    return found


def _trim(run: Sequence[Token], story: Story) -> list[Token]:
    """The run without a leading word whose capital proves nothing."""
    tokens = list(run)
    while tokens and tokens[0].text in CONNECTORS:
        tokens.pop(0)
    if tokens and story.ambiguous(tokens[0]) and not _strong_start(tokens):
        tokens.pop(0)
    while tokens and tokens[0].text in CONNECTORS:
        tokens.pop(0)
    return tokens


def _strong_start(tokens: Sequence[Token]) -> bool:
    """Does a sentence-initial word still count: a title, a role, a head, or a given name?"""
    first = tokens[0]
    if first.text in TITLES or first.text in ORG_HEADS or first.lower in ROLE_WORDS:
        return True
    return first.text in given_names() and len(tokens) > 1 and tokens[1].titlecase


def _run_mentions(tokens: list[Token], story: Story) -> list[Mention]:
    """Organisations by head words, then people and cue-found organisations in the rest."""
    found: list[Mention] = []
    for piece, org in _split_orgs(tokens):
        if org:
            found.append(_mention("organisation", piece))
            continue
        for segment in _segments(piece):
            found.extend(_segment_mentions(segment, story))
    return found


def _split_orgs(tokens: list[Token]) -> list[tuple[list[Token], bool]]:
    """The run cut into organisation spans (by head words) and the pieces between."""
    out: list[tuple[list[Token], bool]] = []
    start = 0
    at = 0
    while at < len(tokens):
        span = _org_span(tokens, at)
        if span is None:
            at += 1
            continue
        first, last = span
        if first > start:
            out.append((tokens[start:first], False))
        out.append((tokens[first : last + 1], True))
        start = at = last + 1
    if start < len(tokens):
        out.append((tokens[start:], False))
    return out


def _org_span(tokens: list[Token], at: int) -> tuple[int, int] | None:
    """The organisation whose first head word is tokens[at], as (first, last), if any."""
    head = tokens[at]
    if head.text not in ORG_HEADS:
        return None
    first = _extend_left(tokens, at)
    for index in range(at - 1, first - 1, -1):  # "Hong Kong's Hospital Authority"
        if tokens[index].possessive and _gazetteer_kind(_text(tokens[first : index + 1])):
            first = index + 1
            break
    last = at
    for ahead in range(at + 1, len(tokens)):
        if not _prefix_word(tokens[ahead]):
            break
        if tokens[ahead].text in ORG_HEADS:
            last = ahead  # "Senate Appropriations Committee", "Reserve Bank"
    last = _complement(tokens, last)
    if first == last and (head.text in NEEDS_PREFIX or head.text not in KNOWN_ORGS):
        return None
    if first == at and head.text in NEEDS_PREFIX and last == at:
        return None
    return first, last


def _text(tokens: Sequence[Token]) -> str:
    return " ".join(t.text for t in tokens)


def _extend_left(tokens: list[Token], at: int) -> int:
    """The first word of a head's name: its prefix words, through an "of" that joins two
    capitalised parts ("Port of Rotterdam Authority")."""
    first = at
    while first > 0 and _prefix_word(tokens[first - 1], before_head=True):
        first -= 1
    if (
        first < at
        and first >= 2
        and tokens[first - 1].text == "of"
        and _prefix_word(tokens[first - 2])
        and not tokens[first - 2].initial  # "Shares of Taiyo Semiconductor rose"
        and tokens[first - 2].text not in TITLES
    ):
        first -= 2
        while first > 0 and _prefix_word(tokens[first - 1], before_head=True):
            first -= 1
    return first


def _prefix_word(token: Token, *, before_head: bool = False) -> bool:
    """Can this word stand in an organisation's name before a head ("National", "BC")?

    A title word may, right before a head ("Justice Department"), but an honorific may not.
    """
    if token.text in COUNTRY_PREFIXES:
        return before_head
    if not token.capitalised or token.text in CONNECTORS or token.lower in FUNCTION_WORDS:
        return False
    if token.text in TITLES:
        return before_head and token.text not in HONORIFICS
    return True


def _complement(tokens: list[Token], last: int) -> int:
    """Extend a head by "of/for/on ..." words: "Ministry of Defence", "... and Prevention"."""
    if tokens[last].text not in HEADS_WITH_COMPLEMENT:
        return last
    at = last + 1
    if at >= len(tokens) or tokens[at].text not in COMPLEMENT_LINKS:
        return last
    end = last
    while at < len(tokens):
        token = tokens[at]
        if _title_before_name(tokens, at):
            break
        if token.capitalised:
            end = at
        at += 1
    return end


def _title_before_name(tokens: list[Token], at: int) -> bool:
    """A title or role word followed by a name: "... Secretary Jane Doe", not "Court of Justice"."""
    token = tokens[at]
    if token.text not in TITLES and token.lower not in ROLE_WORDS:
        return False
    return at + 1 < len(tokens) and tokens[at + 1].titlecase


def _segments(piece: list[Token]) -> list[list[Token]]:
    """Pieces split at connectors that are no part of a name ("and", "of", "the")."""
    out: list[list[Token]] = []
    current: list[Token] = []
    for token in piece:
        if token.is_word and token.text in CONNECTORS and token.text not in PARTICLES:
            if current:
                out.append(current)
            current = []
        elif token.is_word:
            current.append(token)
        elif current:  # "&": no person's name
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _segment_mentions(segment: list[Token], story: Story) -> list[Mention]:
    """A person after a title, a known or cued organisation, or a cued person."""
    titled = _after_title(segment)
    if titled is not None:
        return [_mention("person", titled, titled=True)] if titled else []
    text = " ".join(t.text for t in segment)
    if text in KNOWN_ORGS or _the_only(segment, story) or _compound_org(segment):
        return [_mention("organisation", segment)]
    if len(segment) <= 3 and (
        org_cue(segment[0], story)
        or shares_after(segment[-1], story)
        or _described_org(segment, story, text)
    ):
        return [_mention("organisation", segment, cue=len(segment) == 1)]
    if _national_org(segment, story):
        return [_mention("organisation", segment)]
    person = _cued_person(segment, story)
    return [_mention("person", person)] if person else []


def _national_org(segment: list[Token], story: Story) -> bool:
    """A nationality and a name, said to speak or act: "Deutsche Bahn said", "British
    Airways told". A person's name never opens with a nationality."""
    if not 2 <= len(segment) <= 3:
        return False
    first = segment[0].text
    if first not in DEMONYMS and first not in FOREIGN_DEMONYMS:
        return False
    if not all(_name_word(t) for t in segment[1:]):
        return False
    last = segment[-1]
    return (
        speech_after(last, story) or speech_before(segment[0], story) or shares_after(last, story)
    )


def _after_title(segment: list[Token]) -> list[Token] | None:
    """Name words after the segment's last title word; None if it has no title word."""
    marks = [i for i, t in enumerate(segment) if t.text in TITLES or _role_start(segment, i)]
    if not marks:
        return None
    name: list[Token] = []
    for token in segment[marks[-1] + 1 :]:
        if not (_name_word(token) or (name and token.text in PARTICLES)):
            break
        name.append(token)
    while name and name[-1].text in PARTICLES:
        name.pop()
    if len(name) == 1 and segment[marks[-1]].text not in SOLO_TITLES:
        return []
    return name[:5]


def _role_start(segment: list[Token], at: int) -> bool:
    """A capitalised role word opening a sentence: "Activist Rohan Mehta"."""
    return at == 0 and segment[0].initial and segment[0].lower in ROLE_WORDS


def _name_word(token: Token) -> bool:
    """Can this word be part of a person's name?"""
    text = token.text
    if len(text) == 2 and text.endswith(".") and text[0].isupper():
        return True  # an initial
    return (
        token.titlecase
        and len(text) > 1
        and token.lower not in FUNCTION_WORDS
        and (token.lower not in MONTHS or text in given_names())
        and token.lower not in WEEKDAYS
        and text not in TITLES
        and text not in ORG_HEADS
        and text not in NOT_NAME_WORDS
        and text not in DEMONYMS
        and text not in KNOWN_ORGS
    )


def _compound_org(segment: list[Token]) -> bool:
    """One word ending in an organisation word: "Bundesbank", "Commerzbank"."""
    if len(segment) != 1 or not segment[0].titlecase:
        return False
    lower = segment[0].lower
    return len(lower) > len("bank") + 2 and lower.endswith(COMPOUND_ENDINGS)


def _the_only(segment: list[Token], story: Story) -> bool:
    """ "the House": a word that is an institution only after a lower-case "the"."""
    if len(segment) != 1 or segment[0].text not in THE_ONLY_ORGS or segment[0].initial:
        return False
    before = story.before(segment[0])
    return before is not None and before.text == "the"


def _cued_person(segment: list[Token], story: Story) -> list[Token]:
    """Two to five name words made a person by a given name, a role, or speech nearby."""
    shaped = 2 <= len(segment) <= 5 and segment[-1].text not in PARTICLES
    if not shaped or not all(_name_word(t) or t.text in PARTICLES for t in segment):
        return []
    if segment[0].text in given_names():
        return segment
    named = sum(1 for t in segment if t.text not in PARTICLES)  # "Khaled bin Saeed al-Harbi": 3
    if named >= 4:  # "Board director Nguyen Thi Lan Huong": a role before must say it
        return segment if role_before(segment[0], story) else []
    return segment if person_cue(segment, story) else []


def _described_org(segment: list[Token], story: Story, text: str) -> bool:
    """An organisation by what follows it ("the Aslef union", "IQAir, a Swiss company"),
    unless the name is a place ("Adana and Osmaniye, the disaster agency AFAD said")."""
    described = cue_after(segment, story) or apposition(segment[-1], story) == "organisation"
    return described and not _gazetteer_kind(text)


def _acronyms(story: Story, taken: set[tuple[int, int]], found: list[Mention]) -> list[Mention]:
    """Organisations written as acronyms (NATO, CDC), outside names already found."""
    ends = {(m.doc, m.last): m for m in found if m.kind == "organisation"}
    out: list[Mention] = []
    for row in story.tokens:
        for token in row:
            if (token.doc, token.index) in taken or not _acronym(token.text):
                continue
            owner = _bracketed_after(token, story, ends)
            name = token.text.replace(".", "")
            out.append(Mention("organisation", name, token.doc, token.index, token.index, owner))
    return out


def _acronym(text: str) -> bool:
    """All capitals, 2-6 letters, and not a common abbreviation."""
    letters = text.replace(".", "")
    return (
        2 <= len(letters) <= 6
        and letters.isalpha()
        and letters.isupper()
        and letters not in ACRONYM_STOP
        and (letters.lower() not in FUNCTION_WORDS or letters in ACRONYM_WORDS)
    )


def _bracketed_after(token: Token, story: Story, ends: dict[tuple[int, int], Mention]) -> str:
    """The organisation named just before "(ACRONYM)", if any."""
    opening, closing = story.before(token), story.after(token)
    if opening is None or closing is None or opening.text != "(" or closing.text != ")":
        return ""
    owner = ends.get((token.doc, opening.index - 1))
    return owner.name if owner else ""


def _surname_mentions(story: Story, found: list[Mention]) -> list[Mention]:
    """Lone surnames ("Ortiz told") of people named in full, and later lone mentions of
    one-word organisations ("Tesla's recall")."""
    surnames = {m.name.split()[-1] for m in found if m.kind == "person" and " " in m.name}
    single = {m.name for m in found if m.kind == "organisation" and " " not in m.name}
    taken = {(m.doc, i) for m in found for i in range(m.first, m.last + 1)}
    out: list[Mention] = []
    for run in story.runs:
        tokens = _trim(run, story)
        if len(tokens) != 1 or (tokens[0].doc, tokens[0].index) in taken:
            continue
        token = tokens[0]
        if token.text in surnames:
            out.append(Mention("person", token.text, token.doc, token.index, token.index))
        elif token.text in single and token.titlecase:
            out.append(Mention("organisation", token.text, token.doc, token.index, token.index))
    return out


def _mention(
    kind: str, tokens: Sequence[Token], *, cue: bool = False, titled: bool = False
) -> Mention:
    """A mention of the given words."""
    words = [f"{t.text}'s" if t.possessive else t.text for t in tokens[:-1]]
    name = " ".join([*words, tokens[-1].text])
    first, last = tokens[0].index, tokens[-1].index
    return Mention(kind, name, tokens[0].doc, first, last, cue=cue, titled=titled)


def _gazetteer_kind(name: str) -> str:
    """The kind of place of the gazetteer (loaded on first use) a name is, or ""."""
    from newsdesk.pipeline.places import gazetteer

    return gazetteer().kind_of(name)


def _placelike(person: Mention, kind_of: Callable[[str], str]) -> bool:
    """A person's name that reads as a place, or holds a country or state (no given name)."""
    if kind_of(person.name):
        return True
    words = person.name.split()
    if words[0] in given_names():
        return False
    return any(kind_of(w) in ("country", "state") for w in words)


# The model, when one is installed


@functools.cache
def _load_model() -> Any | None:
    """An installed spaCy English pipeline, or None (looked for once; never downloaded)."""
    try:
        import spacy
    except ImportError:
        return None
    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is None:
            continue
        try:
            return spacy.load(name)
        except (OSError, ImportError, ValueError):
            continue
    return None


def _model_mentions(story: Story, nlp: Any) -> list[Mention]:
    """PERSON and ORG entities of the model, as mentions over the story's tokens."""
    kinds = {"PERSON": "person", "ORG": "organisation"}
    found: list[Mention] = []
    for doc, text in enumerate(story.texts):
        row = story.tokens[doc]
        if not row:
            continue
        starts = [t.start for t in row]
        for ent in nlp(text).ents:
            kind = kinds.get(ent.label_)
            if kind is None:
                continue
            first = bisect.bisect_left(starts, ent.start_char)
            last = bisect.bisect_left(starts, ent.end_char) - 1
            words = [t for t in row[first : last + 1] if t.is_word]
            if kind == "person":
                words = [t for t in words if t.text not in TITLES]
            while words and words[0].lower in FUNCTION_WORDS:
                words.pop(0)
            if words:
                found.append(_mention(kind, words))
    return found
