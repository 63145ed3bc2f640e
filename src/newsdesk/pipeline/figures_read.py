"""Reading numbers in text for :mod:`newsdesk.pipeline.figures`: candidates and their rules.

A number candidate (digits or words, with its currency sign, scale, qualifier and unit) is
read into a :class:`_Number`, then kept or rejected as a code, a label, a date, a time or a
year, and its unit read (steps 2, 3 and the measures of step 4 of the method in
:mod:`newsdesk.pipeline.figures`). Also the small word helpers (stem, plural, phrase stop)
that finding what a number counts shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.pipeline.figures_words import (
    _A_BEFORE,
    _A_SCALES,
    _ANOTHER_NUMBER,
    _APOS,
    _COLLECTIVE,
    _CURRENCY_SIGNS,
    _DOTTED_LABELS,
    _LABELS,
    _LDQUO,
    _LSQUO,
    _LY_NOUNS,
    _MAX_DIGITS,
    _MEASURE_ADJECTIVES,
    _MONTHS,
    _NDASH,
    _NEXT_LOWER,
    _NOT_PLURAL,
    _NUMBER_WORDS,
    _QUALIFIER,
    _QUALIFIER_ENDS,
    _QUALIFIER_WORDS,
    _RSQUO,
    _SCALE_ABBR,
    _SCALE_ABBR_EXP,
    _SCALE_EXP,
    _SCALE_WORD,
    _SIGNS,
    _SMALL,
    _STOP,
    _TIME_UNITS,
    _UNIT,
    _UNIT_CODES,
    _WEEKDAYS,
    _WORD_CHARS,
    _WORD_MARKS,
)
from newsdesk.pipeline.textfeatures import stem

# --- small helpers -----------------------------------------------------------------------


def _stem(word: str) -> str:
    """Porter2 stem of a word, lower-cased (textfeatures.stem, memoised there)."""
    return stem(word.lower().strip(_APOS))


def _possessive(word: str) -> bool:
    return word.endswith(("'s", f"{_RSQUO}s"))


def _plural(word: str) -> bool:
    """Whether a lower-case word looks like a plural noun (or a collective one)."""
    if word in _COLLECTIVE:
        return True
    return (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "ous"))
        and not _possessive(word)
        and word not in _NOT_PLURAL
    )


def _stops_phrase(word: str) -> bool:
    """Whether a lower-case word ends a noun phrase (function word, adverb, time word)."""
    if word in _STOP or word in _WEEKDAYS or word in _NUMBER_WORDS or word in _TIME_UNITS:
        return True
    if word in _MEASURE_ADJECTIVES or _possessive(word):
        return True
    if len(word) > 3 and word.capitalize() in _MONTHS:
        return True
    return word.endswith("ly") and len(word) > 4 and word not in _LY_NOUNS


def _sentence_start(text: str, pos: int) -> bool:
    """Whether only blanks and quotes separate ``pos`` from a sentence end or the start."""
    before = text[max(0, pos - 8) : pos].rstrip(f" \t\"'{_LDQUO}{_LSQUO}(")
    return not before or before[-1] in ".!?\n:;"


def _words_value(phrase: str) -> float | None:
    """The value of a number written in words, or None when it is no figure."""
    tokens = [t for t in re.split(r"[\s-]+", phrase.lower()) if t and t != "and"]
    factor = 1.0
    if tokens[:2] == ["half", "a"]:
        factor, tokens = 0.5, ["a", *tokens[2:]]
    if tokens == ["one"] or (len(tokens) == 1 and tokens[0] not in _SMALL):
        return None  # "one of the", a bare "hundred"
    total, current = 0, 0
    for token in tokens:
        if token == "a":
            current = 1
        elif token in _SMALL:
            current += _SMALL[token]
        elif token in ("hundred", "dozen"):
            current = (current or 1) * (100 if token == "hundred" else 12)
        else:
            total += (current or 1) * 10 ** _SCALE_EXP[token]
            current = 0
    return (total + current) * factor


# --- reading a number --------------------------------------------------------------------


@dataclass
class _Number:
    """A number candidate while it is being read."""

    start: int  # first character, currency sign included
    end: int  # after the number, its scale and its unit
    value: float
    lead: int  # start of the qualifier, else ``start``
    qualifier: str = ""
    previous: str = ""  # the word before ``lead``, blanks only between
    unit: str = ""
    unit_text: str = ""
    plain_year: bool = False


def _currency(masked: str, start: int) -> tuple[str, int]:
    """The currency sign just before a number ("$", "US$", "€") and where it starts."""
    sign = masked[start - 1 : start]
    if not sign or sign not in _SIGNS:
        return "", start
    for prefix in ("US", "NZ", "HK", "A", "C") if sign == "$" else ():
        begin = start - 1 - len(prefix)
        if masked[begin : start - 1] == prefix and (begin == 0 or not masked[begin - 1].isalnum()):
            return prefix.lower() + sign, begin
    return sign, start - 1


def _read_digits(masked: str, match: re.Match[str]) -> _Number | None:
    """A number in digits with its currency sign and scale; None when it is a code."""
    digits = match.group()
    currency, start = _currency(masked, match.start())
    end = match.end()
    before = masked[start - 1] if start else " "
    if len(digits) > _MAX_DIGITS or before.isalnum() or before in f"-{_NDASH}/#.,:_&+{_APOS}\\":
        return None
    after = masked[end : end + 2]
    if after[:1] in f",./-{_NDASH}:" and after[1:].isdigit():
        return None  # "1,23", "1.2.3", "3-1", "24/7", "10:30"
    if _ANOTHER_NUMBER.match(masked, end) or (digits[0] == "0" and digits[1:2].isdigit()):
        return None  # groups of a phone number: "+44 20 7946 0958", "(202) 555-0143"
    exponent, unit = 0, _CURRENCY_SIGNS.get(currency, "")
    scale = _SCALE_WORD.match(masked, end)
    abbr = None if scale else _SCALE_ABBR.match(masked, end)
    if scale:
        exponent, end = _SCALE_EXP[scale.group(1).lower()], scale.end()
    elif abbr and _abbreviated_scale(masked, abbr, bool(unit), "." in digits):
        exponent, end = _SCALE_ABBR_EXP[abbr.group(1)], abbr.end()
    elif abbr and abbr.group(1) == "m":
        unit, end = "m", abbr.end()
    value = float(f"{digits.replace(',', '')}e{exponent}")
    plain = not (unit or exponent or "," in digits or "." in digits)
    year = plain and len(digits) == 4 and 1000 <= value <= 2100
    return _Number(start, end, value, start, unit=unit, plain_year=year)


def _abbreviated_scale(masked: str, abbr: re.Match[str], money: bool, decimal: bool) -> bool:
    """Whether "bn"/"m"/"k" glued to a number is a scale; "m" else means metres."""
    letters = abbr.group(1)
    if letters in ("bn", "mn", "tn", "trn") or money:
        return True
    if letters == "k":
        return False
    if decimal:
        return True
    word = _NEXT_LOWER.match(masked, abbr.end())
    if word is None or _plural(word.group(1)):
        return True  # "sales topped 1m.", "5m people"
    return word.group(1) in _STOP and word.group(1) not in _MEASURE_ADJECTIVES


def _read_words(masked: str, match: re.Match[str]) -> _Number | None:
    """A number in words ("three", "two dozen", "half a million")."""
    start, end = match.start(), match.end()
    phrase = match.group()
    article = _A_BEFORE.search(masked, max(0, start - 12), start)
    if article and phrase.split("-")[0].lower() in _A_SCALES:
        start, phrase = (
            article.start(),
            masked[article.start() : end],
        )  # "a dozen", "half a million"
    value = _words_value(phrase)
    if value is None:
        return None
    scale = _SCALE_WORD.match(masked, end)
    if scale and value < 1000:
        value *= 10 ** _SCALE_EXP[scale.group(1).lower()]
        end = scale.end()
    return _Number(start, end, value, start)


def _previous_word(masked: str, pos: int) -> str:
    """The word just before ``pos``, blanks only between; "" when there is none.

    A word ending with a period is the end of the sentence before, unless it is a label
    abbreviation ("No. 10").
    """
    end = pos
    while end > 0 and masked[end - 1] in " \t":
        end -= 1
    start, limit = end, max(0, end - _WORD_CHARS)
    while start > limit and (masked[start - 1].isalnum() or masked[start - 1] in _WORD_MARKS):
        start -= 1
    word = masked[start:end]
    if end == pos or not word[:1].isalpha() or (start == limit and limit > 0):
        return ""
    if word.endswith(".") and word[:-1].lower() not in _DOTTED_LABELS:
        return ""
    return word


def _qualify(masked: str, number: _Number) -> None:
    """Records the qualifier before the number ("at least") and the word before that."""
    previous = _previous_word(masked, number.start)
    if previous.lower() in _QUALIFIER_ENDS:
        found = _QUALIFIER.search(masked, max(0, number.start - 25), number.start)
        if found:
            number.qualifier = " ".join(found.group(1).lower().split())
            number.lead = found.start()
            previous = _previous_word(masked, number.lead)
    number.previous = previous


def _is_label(masked: str, number: _Number) -> bool:
    """Whether the word before makes the number a label, date or age ("Article 5")."""
    word = number.previous.rstrip(".")
    if not word:
        return False
    bare = word[:-2] if _possessive(word) else word
    lower = bare.lower()
    if lower in _LABELS or bare in _MONTHS:
        return True
    if number.qualifier or not bare[:1].isupper() or bare != word:
        return False  # lower case, qualified, or a possessive ("Sunday's 7.1")
    if lower in _STOP or lower in _WEEKDAYS or lower in _QUALIFIER_WORDS:
        return False
    start = masked.rfind(word, max(0, number.lead - _WORD_CHARS - 8), number.lead)
    return not (_sentence_start(masked, start) and bare[1:].islower())


def _read_unit(masked: str, number: _Number) -> bool:
    """Reads the unit after the number; False when a time unit or a month rules it out."""
    found = _UNIT.match(masked, number.end)
    if not found or not found.lastgroup:
        return True
    if found.lastgroup == "reject":
        return False
    if not number.unit:
        number.unit = _UNIT_CODES.get(found.lastgroup, found.lastgroup)
        number.unit_text = found.group().strip(" -")
        number.end = found.end()
    return True


def _kept(masked: str, number: _Number) -> bool:
    """Whether the number survives the label, date, time and year rules."""
    _qualify(masked, number)
    if _is_label(masked, number) or not _read_unit(masked, number):
        return False
    return not (number.plain_year and not number.unit)
