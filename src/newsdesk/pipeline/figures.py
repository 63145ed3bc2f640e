"""Key figures of an article (numbers and what they count), aligned across a story's outlets.

Pure functions over English text: no Django, no I/O, no clock. Regular expressions and
small word lists (in :mod:`newsdesk.pipeline.figures_words`; the numbers are read by
:mod:`newsdesk.pipeline.figures_read`); no parser, no model.

Method
------
1. Masking. Words holding a URL or an e-mail address are overwritten with spaces (only
   when the text has a marker such as "://", "@", ".com"), so offsets stay the text's.
2. Candidates. A regular expression finds numbers in digits ("12,000", "1.2"), with the
   currency sign before them ("$", "US$", "€", "£", "¥", "₹"); another, shaped as a trie
   for speed, numbers in words ("three", "twenty-five", "two dozen", "a hundred and
   fifty", "half a million"). A scale may follow
   ("million", "-million", "bn", "m" glued after money). A lone "one" is never a figure;
   vague plurals ("dozens of", "tens of thousands") are none either.
3. Rejection, from the characters and words around the number:
   - codes: digits glued to letters or marks ("3rd", "1990s", "G7", "A320", "COVID-19",
     "H5N1", "14B", "#3"), number-dash-number ("3-1", "2023-24"), "24/7", "1.2.3";
   - clock times and phone numbers: digits around a colon ("10:30"), "a.m."/"pm"/"GMT"
     after, a leading "+" or zero, a number followed by another ("+44 20 7946 0958");
   - years: a plain four-digit number from 1000 to 2100 ("in 2024", "the 1999 side");
   - dates: a month name just before or after ("March 3", "3 March 2024");
   - durations: a time unit after ("30 years", "12-hour", "7-year-old"), so
     ages are never reported ("aged 45" and "45-year-old" alike), nor are sentences;
   - labels: a capitalised word just before, unless it starts the sentence ("Article 5",
     "Boeing 737", "Room 101", "FTSE 100"), or a label word ("page 4", "call 111");
   - multipliers and ratios ("2.5 times", "1 in 5"), and tallies ("a vote of 9 to 4", "by
     2,314 votes to 2,298").
4. What is counted, first match wins:
   - a measure after the number: percent ("45%", "45 per cent"), percentage points, a
     currency word ("dollars", "euros", "pounds"), a unit ("square miles", "km", "mph",
     "41C", "26.2-mile", "cubic metres", "barrels"). What it measures is the lower-case
     phrase after "of" (or "in", for money: "$1.2 billion in aid"), or an acronym after
     "of" ("2.9% of GDP"), else right after it ("a 12% raise"), else the noun before the
     number (see the last rule; an area may also be "on" it: "crops on 60,000
     hectares"); else nothing but the unit;
   - a counted phrase after the number: up to five words ending at the first plural or
     collective noun ("12,000 North Korean soldiers", "300 police officers", "4,500 cabin
     crew"), possibly after "of (the) N" or "and/to N" ("187 of the 350 seats", "between
     200 and 300 people");
   - a hyphenated word ("nine-member committee" -> "member", "5,000-strong crowd");
   - a casualty or event participle alone: "4,000 killed", "1,000 have been killed";
   - a casualty verb before: "killed 96";
   - the noun before the number, joined by a preposition or a verb of change: "groups of
     50", "the death toll rose to 315", "inflation rose to 6.8%", "Tickets cost £45".
   A number for which none of these holds is not reported.
5. The key that aligns one quantity across outlets is the lower-case Porter2 stem
   (PyStemmer "english") of the counted head noun: "soldiers" -> "soldier", "residents"
   -> "resid". Casualty words give two keys whatever the noun: killed, died, dead, deaths,
   fatalities, "death toll", a preceding "killed"/"killing" -> "kill"; injured, wounded,
   hurt, injuries -> "injur". A generic noun (people, persons, others, individuals) takes
   the stem of the verb that says what happened to it: a participle ("300 people were
   evacuated" -> "evacu"), a past tense after ("15,000 people marched" -> "march"), an
   infinitive after ("forcing 2,000 people to flee" -> "flee"), else a past tense before
   ("police arrested 37 people" -> "arrest"); verbs that say nothing ("aged", "said",
   "surveyed") leave "peopl". Measures are keyed by a unit code ("usd", "eur", "gbp",
   "percent", "pp", "sq mi", "sq km", "km", "mi", "m", "m3", "bbl", "mph", "degc", "t",
   ...) prefixed with the stem of what they measure when the text names it: "$1.2 billion
   in aid" -> "aid/usd", "52% of the vote" -> "vote/percent", "$30m" alone -> "usd".
   A bare "$" and "dollars" are taken as US dollars.

Each figure keeps its qualifier ("at least", "more than", "nearly", "about", "up to",
"between", ...) lower-cased, its sentence, and the offset of its first character.

``align_figures`` takes, per article of a story, the first figure of each key, and says
whether the outlets agree (values within a relative tolerance, 1% by default).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from newsdesk.pipeline.figures_read import (
    _kept,
    _Number,
    _plural,
    _read_digits,
    _read_words,
    _sentence_start,
    _stem,
    _stops_phrase,
)
from newsdesk.pipeline.figures_words import (
    _ABBREVIATIONS,
    _AREA_UNITS,
    _CASUALTY,
    _CASUALTY_NOUNS,
    _CASUALTY_STATES,
    _COLLECTIVE,
    _CONNECT,
    _CURRENCIES,
    _DETERMINERS,
    _DIGITS,
    _EVENT_PARTICIPLES,
    _FOLLOWING,
    _GENERIC,
    _GENERIC_AFTER,
    _HYPHEN_REJECT,
    _HYPHEN_UNITS,
    _HYPHEN_WORD,
    _IN,
    _LABELS,
    _LOOKBACK,
    _LOOKBACK_CHARS,
    _LOOKBACK_ON,
    _MULTIPLIER,
    _NEXT_LOWER,
    _NEXT_WORD,
    _NOT_EVENT_VERBS,
    _OF,
    _OF_ACRONYM,
    _OF_THE,
    _RANGE,
    _RATIO,
    _SCALE_EXP,
    _SCALE_WORD,
    _SENTENCE_CHARS,
    _SENTENCE_END,
    _TALLY_AFTER,
    _TALLY_BEFORE,
    _TIME_UNITS,
    _UNIT_NAMES,
    _URL_CHARS,
    _URL_MARKER,
    _URL_MARKERS,
    _VERB_NOUNS,
    _VOTES_TO_AFTER,
    _VOTES_TO_BEFORE,
    _WORDS,
)

# --- public types ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number of a text and what it counts.

    ``text`` is the figure as written ("12,000", "$1.2 billion", "45%", "200 square miles",
    "two dozen"); ``counted`` what it counts as written ("North Korean soldiers", "aid"),
    or the unit when nothing is named ("square miles", "percent"); ``key`` the normalised
    key (see the module docstring); ``unit`` the unit code, "" for plain counts.
    """

    value: float
    text: str
    counted: str
    key: str
    qualifier: str
    sentence: str
    start: int
    unit: str = ""


# (outlet, article id, value, text as written, qualifier)
FigureValue = tuple[str, Hashable, float, str, str]


@dataclass(frozen=True)
class FigureRow:
    """One quantity of a story as its articles report it (one entry per article)."""

    key: str
    counted: str
    values: tuple[FigureValue, ...]
    agree: bool

    @property
    def outlets(self) -> int:
        """How many distinct outlets report this key."""
        return len({value[0] for value in self.values})


# --- what a number counts ----------------------------------------------------------------


@dataclass
class _Counted:
    """What a figure counts: its phrase as written and its key."""

    counted: str
    key: str


def _lower_phrase(
    masked: str, pos: int, direct: bool, determiner: bool = False
) -> tuple[int, int] | None:
    """Span of up to three lower-case words from ``pos`` (what a measure is of), or None.

    ``direct``: the words follow the number itself, where an -ed word or a verb of change
    is a verb ("35% contained", "28C forced", "60 mph hit") and a final -ing word one too;
    after a ``determiner`` before the number, "rise", "increase" are nouns ("a 45% increase").
    """
    verbs = _CONNECT - _VERB_NOUNS if determiner else _CONNECT
    spans: list[tuple[int, int, str]] = []
    while len(spans) < 3:
        found = _NEXT_LOWER.match(masked, pos)
        if not found:
            break
        word = found.group(1)
        if _stops_phrase(word) or (direct and (word.endswith("ed") or word in verbs)):
            break
        spans.append((found.start(1), found.end(1), word))
        pos = found.end()
        if _plural(word):
            break
    suffixes = ("ed", "ing") if direct else ("ed",)
    while spans and spans[-1][2].endswith(suffixes):
        spans.pop()
    return (spans[0][0], spans[-1][1]) if spans else None


def _measured(text: str, masked: str, number: _Number) -> _Counted:
    """What a measure (money, percent, unit) is of; the unit alone when unnamed."""
    span = None
    of = _OF.match(masked, number.end)
    if of:
        span = _lower_phrase(masked, of.end(), direct=False)
        acronym = None if span else _OF_ACRONYM.match(masked, number.end)
        if acronym:  # "2.9% of GDP"
            return _Counted(acronym.group(1), f"{_stem(acronym.group(1).lower())}/{number.unit}")
    within = _IN.match(masked, number.end) if number.unit in _CURRENCIES else None
    if span is None and within:
        span = _lower_phrase(masked, within.end(), direct=False)
    if span is None:
        determiner = number.previous.lower() in _DETERMINERS
        span = _lower_phrase(masked, number.end, direct=True, determiner=determiner)
    if span is not None:
        phrase = text[span[0] : span[1]]
        return _Counted(phrase, f"{_stem(phrase.rsplit(maxsplit=1)[-1])}/{number.unit}")
    before = _looked_back(text, masked, number)
    if before is not None:
        return _Counted(before.counted, f"{before.key}/{number.unit}")
    written = number.unit_text if number.unit_text[-1:].isalpha() else ""
    return _Counted(written or _UNIT_NAMES.get(number.unit, number.unit), number.unit)


def _looked_back(text: str, masked: str, number: _Number) -> _Counted | None:
    """The noun before a number: "groups of 50", "inflation rose to 6.8%"."""
    previous = number.previous.lower()
    if previous not in _CONNECT and not (previous == "on" and number.unit in _AREA_UNITS):
        return None  # the word just before must join the noun to the number
    lead = number.lead
    pattern = _LOOKBACK_ON if previous == "on" else _LOOKBACK
    found = pattern.search(masked, max(0, lead - _LOOKBACK_CHARS), lead)
    if found is None:
        return None
    noun, pre = found.group("noun"), (found.group("pre") or "")
    lower = noun.lower()
    if (
        _stops_phrase(lower)
        or lower in _LABELS
        or lower.endswith("ed")
        or (lower in _CONNECT and pre.lower() not in _DETERMINERS)
        or (noun[0].isupper() and (pre or not _sentence_start(masked, found.start())))
    ):
        return None
    if lower == "toll" and pre.lower() == "death":
        return _Counted(text[found.start("pre") : found.end("noun")], "kill")
    return _Counted(noun, _CASUALTY[lower] if lower in _CASUALTY_NOUNS else _stem(lower))


def _count_phrase(masked: str, pos: int) -> list[tuple[int, int, str]]:
    """Words of the noun phrase after a count, up to its plural head; [] when none."""
    words: list[tuple[int, int, str]] = []
    while len(words) < 5:
        found = _NEXT_WORD.match(masked, pos)
        if not found or _stops_phrase(found.group(1).lower()):
            return []
        lower = found.group(1).lower()
        words.append((found.start(1), found.end(1), lower))
        pos = found.end()
        if _plural(lower):
            after = _NEXT_WORD.match(masked, pos) if lower in _COLLECTIVE else None
            following = after.group(1).lower() if after else ""
            if after and _plural(following) and not _stops_phrase(following):
                words.append((after.start(1), after.end(1), following))  # police officers
            return words
    return []


def _participle_after(follows: re.Match[str] | None) -> str:
    """The participle after a counted phrase: a casualty word, or passive ("were arrested")."""
    if follows is None:
        return ""
    word = follows.group("word")
    if word in _CASUALTY_STATES or word in _EVENT_PARTICIPLES:
        return word
    return word if follows.group("aux") and word.endswith("ed") else ""


def _share_scale(number: _Number, joined: str) -> None:
    """Gives the low end of a range the scale of the high end: "from 20 to 30 million"."""
    scale = _SCALE_WORD.search(joined)
    if scale and number.value < 1000 and not _OF_THE.match(joined):
        number.value *= 10 ** _SCALE_EXP[scale.group(1).lower()]


def _count_key(head: str, modifiers: list[str], participle: str, casualty: str) -> str:
    """The key of a counted phrase, casualty and participle rules applied."""
    if casualty:
        return casualty
    if participle in _CASUALTY_STATES:
        return _CASUALTY[participle]
    if head in _CASUALTY_NOUNS:
        return _CASUALTY[head]
    if head in _GENERIC:
        for word in modifiers:
            if word.endswith("ed") or word in _EVENT_PARTICIPLES:
                return _CASUALTY.get(word) or _stem(word)
        if participle:
            return _CASUALTY.get(participle) or _stem(participle)
    return _stem(head)


def _generic_verb(masked: str, number: _Number, end: int) -> str:
    """What happened to a generic count ("people", "others"), when a verb says it.

    "15,000 people marched", "forcing 450,000 people to evacuate", "Police arrested 37
    people": the past tense after, an infinitive after, else a past tense just before.
    """
    after = _GENERIC_AFTER.match(masked, end)
    if after:
        word = after.group("past") or after.group("to")
        if word and word not in _NOT_EVENT_VERBS:
            return word
    previous = number.previous.lower()
    if previous.endswith("ed") and previous not in _NOT_EVENT_VERBS:
        return previous
    return ""


def _counted(text: str, masked: str, number: _Number) -> _Counted | None:
    """What a count counts, or None when nothing identifiable follows or precedes it."""
    casualty = _CASUALTY.get(number.previous.lower(), "")
    words = _count_phrase(masked, number.end)
    if not words:
        joined = _OF_THE.match(masked, number.end) or _RANGE.match(masked, number.end)
        if joined:
            words = _count_phrase(masked, joined.end())
            if words:
                _share_scale(number, joined.group())
    if not words:
        return _bare(text, masked, number, casualty)
    head = words[-1][2]
    if head in _TIME_UNITS:
        return None
    participle = _participle_after(_FOLLOWING.match(masked, words[-1][1]))
    if head in _GENERIC and not participle and not casualty:
        participle = _generic_verb(masked, number, words[-1][1])
    key = _count_key(head, [w[2] for w in words[:-1]], participle, casualty)
    return _Counted(text[words[0][0] : words[-1][1]], key)


def _bare(text: str, masked: str, number: _Number, casualty: str) -> _Counted | None:
    """A number with no noun after it: a participle, a casualty verb or a noun before."""
    if number.previous.lower() == "magnitude":
        return _Counted(number.previous, _stem("magnitude"))
    follows = _FOLLOWING.match(masked, number.end)
    word = follows.group("word") if follows else ""
    if word in _CASUALTY_STATES:
        return _Counted(word, _CASUALTY[word])
    if word in _EVENT_PARTICIPLES:
        return _Counted(word, _stem(word))
    if casualty:
        return _Counted(number.previous, casualty)
    return _looked_back(text, masked, number)


def _hyphenated(text: str, masked: str, number: _Number, found: re.Match[str]) -> _Counted | None:
    """A number hyphened to a word: "26.2-mile", "nine-member", "5,000-strong crowd"."""
    word = found.group(1).lower()
    first = word.split("-")[0]
    if first in _HYPHEN_REJECT or first in _TIME_UNITS:
        return None
    number.end = found.end()
    if word in _HYPHEN_UNITS and not number.unit:
        number.unit = _HYPHEN_UNITS[word]
        return _measured(text, masked, number)
    if word != "strong":
        return _Counted(found.group(1), _stem(word.split("-")[-1]))
    span = _lower_phrase(masked, number.end, direct=True)
    if span is None:
        return None
    phrase = text[span[0] : span[1]]
    return _Counted(phrase, _stem(phrase.rsplit(maxsplit=1)[-1]))


def _tally(masked: str, number: _Number) -> bool:
    """A number of a vote's tally: "a vote of 9 to 4", "by 2,314 votes to 2,298"."""
    before = max(0, number.lead - 30)
    return bool(
        (
            _TALLY_BEFORE.search(masked, before, number.lead)
            and _TALLY_AFTER.match(masked, number.end)
        )
        or _VOTES_TO_AFTER.match(masked, number.end)
        or _VOTES_TO_BEFORE.search(masked, before, number.lead)
    )


def _what_counted(text: str, masked: str, number: _Number) -> _Counted | None:
    """What a kept number counts or measures; None when it is no figure after all."""
    hyphen = _HYPHEN_WORD.match(masked, number.end)
    if hyphen:
        return _hyphenated(text, masked, number, hyphen)
    glued = masked[number.end : number.end + 1]
    if glued.isalnum() or glued in "/-":
        return None  # "3rd", "1990s", "5G", "3X"
    if number.unit:
        return _measured(text, masked, number)
    ratio = number.previous in ("in", "of") and _RATIO.search(
        masked, max(0, number.lead - 20), number.lead
    )
    if ratio or _MULTIPLIER.match(masked, number.end):
        return None  # "1 in 5", "2.5 times"
    if _tally(masked, number):
        return None  # "a vote of 9 to 4", "by 52 votes to 47": a tally, not a count
    return _counted(text, masked, number)


# --- sentences ---------------------------------------------------------------------------


def _sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start (a period after a known abbreviation ends none)."""
    starts = [0]
    for found in _SENTENCE_END.finditer(text):
        dot = found.start()
        if text[dot] == ".":
            token = text[max(0, dot - 12) : dot].rsplit(None, 1)[-1:]
            word = token[0].lower().lstrip("(\"'") if token else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        starts.append(found.end())
    return starts


def _sentence(text: str, starts: list[int], pos: int) -> str:
    """The sentence holding ``pos``, blanks collapsed; cut around ``pos`` when very long."""
    index = bisect_right(starts, pos) - 1
    start = starts[index]
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    if end - start > _SENTENCE_CHARS:
        start = max(start, pos - _SENTENCE_CHARS // 2)
        end = min(end, start + _SENTENCE_CHARS)
    return " ".join(text[start:end].split())


# --- public functions --------------------------------------------------------------------


def _masked(text: str) -> str:
    """The text with its URLs and e-mail addresses (whole words) blanked."""
    if not any(marker in text for marker in _URL_MARKERS):
        return text
    pieces, done = [], 0
    for marker in _URL_MARKER.finditer(text):
        if marker.start() < done:
            continue
        low = max(done, marker.start() - _URL_CHARS)
        start = max(text.rfind(blank, low, marker.start()) for blank in " \t\n") + 1
        start = max(start, low)
        ends = [text.find(blank, marker.end(), marker.end() + _URL_CHARS) for blank in " \t\n"]
        end = min([e for e in ends if e >= 0] or [min(len(text), marker.end() + _URL_CHARS)])
        pieces += [text[done:start], " " * (end - start)]
        done = end
    return "".join([*pieces, text[done:]])


def extract_figures(text: str) -> list[Figure]:
    """The figures of an English text, in text order."""
    if not text:
        return []
    masked = _masked(text)
    candidates = [(m.start(), _read_digits, m) for m in _DIGITS.finditer(masked)]
    candidates += [(m.start(), _read_words, m) for m in _WORDS.finditer(masked)]
    candidates.sort(key=lambda candidate: candidate[0])
    found: list[tuple[_Number, _Counted]] = []
    for _, read, match in candidates:
        number = read(masked, match)
        if number is None or not _kept(masked, number):
            continue
        counted = _what_counted(text, masked, number)
        if counted is not None:
            found.append((number, counted))
    if not found:
        return []
    starts = _sentence_starts(text)
    return [
        Figure(
            value=number.value,
            text=" ".join(text[number.start : number.end].split()),
            counted=" ".join(counted.counted.split()),
            key=counted.key,
            qualifier=number.qualifier,
            sentence=_sentence(text, starts, number.start),
            start=number.start,
            unit=number.unit,
        )
        for number, counted in found
    ]


def _agree(values: list[float], tolerance: float) -> bool:
    """Whether all values lie within ``tolerance`` of each other, relative to the largest."""
    low, high = min(values), max(values)
    scale = max(abs(low), abs(high))
    return scale == 0 or (high - low) <= tolerance * scale


def align_figures(
    articles: Iterable[tuple[Hashable, str, list[Figure]]], tolerance: float = 0.01
) -> list[FigureRow]:
    """Rows of the figures that count the same thing across the articles of one story.

    ``articles`` holds (article id, outlet name, figures) per article. Each article gives
    its first figure of each key (the earliest in its text). Rows come most-reported first
    (distinct outlets), then in order of first appearance (article order, then offset).
    ``agree`` is False when two values differ by more than ``tolerance`` (relative).
    """
    rows: dict[str, tuple[tuple[int, int], str, list[FigureValue]]] = {}
    for order, (article_id, outlet, figures) in enumerate(articles):
        seen: set[str] = set()
        for figure in sorted(figures, key=lambda f: f.start):
            if not figure.key or figure.key in seen:
                continue
            seen.add(figure.key)
            row = rows.setdefault(figure.key, ((order, figure.start), figure.counted, []))
            row[2].append((outlet, article_id, figure.value, figure.text, figure.qualifier))
    built = [
        FigureRow(key, counted, tuple(values), _agree([v[2] for v in values], tolerance))
        for key, (_, counted, values) in rows.items()
    ]
    return sorted(built, key=lambda row: (-row.outlets, rows[row.key][0]))
