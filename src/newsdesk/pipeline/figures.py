"""Key figures of an article (numbers and what they count), aligned across a story's outlets.

Pure functions over English text: no Django, no I/O, no clock. Regular expressions and
small word lists; no parser, no model.

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
   - multipliers and ratios ("2.5 times", "1 in 5").
4. What is counted, first match wins:
   - a measure after the number: percent ("45%", "45 per cent"), percentage points, a
     currency word ("dollars", "euros", "pounds"), a unit ("square miles", "km", "mph",
     "41C", "26.2-mile"). What it measures is the lower-case phrase after "of" (or "in",
     for money: "$1.2 billion in aid"), else right after it ("a 12% raise"), else the
     noun before the number (see the last rule); else nothing but the unit;
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
   the stem of its participle ("300 people were evacuated" -> "evacu"). Measures are keyed
   by a unit code ("usd", "eur", "gbp", "percent", "pp", "sq mi", "sq km", "km", "mi",
   "m", "mph", "degc", "t", ...) prefixed with the stem of what they measure when the text
   names it: "$1.2 billion in aid" -> "aid/usd", "52% of the vote" -> "vote/percent",
   "$30m" alone -> "usd". A bare "$" and "dollars" are taken as US dollars.

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

import Stemmer

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


# --- word lists --------------------------------------------------------------------------

_RSQUO, _LSQUO, _LDQUO, _RDQUO, _NDASH = "\u2019", "\u2018", "\u201c", "\u201d", "\u2013"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SMALL_TEXT = """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen
"""
_TENS_TEXT = "twenty thirty forty fifty sixty seventy eighty ninety"
_SMALL = {word: value for value, word in enumerate(_SMALL_TEXT.split(), start=1)}
_SMALL.update({word: 10 * value for value, word in enumerate(_TENS_TEXT.split(), start=2)})
_SCALE_EXP = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALE_ABBR_EXP = {"k": 3, "m": 6, "mn": 6, "bn": 9, "tn": 12, "trn": 12}
_NUMBER_WORDS = frozenset([*_SMALL, *_SCALE_EXP, "hundred", "dozen"])

_MONTHS_TEXT = """
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
"""
_MONTHS = _words(_MONTHS_TEXT)
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_TIME_UNITS = _words("""
    second seconds minute minutes hour hours day days night nights week weeks month months
    year years decade decades century centuries
""")
_STOP = _words("""
    a an the of in on at to for from by with without within into onto over under after before
    since during until against among between across through toward towards per via and or nor
    but so yet if then than as while when where who whom whose which that this these those it
    its they them their he him his she her we our you your i me my us is are was were be been
    being have has had do does did will would can could shall should may might must not no
    also too very just only even still now all both some any many much most more less fewer
    other another such own same each every either neither said says say told according ago
    later earlier apiece times today yesterday tomorrow tonight last next up down out off
    away back about around almost nearly roughly approximately there here what how why
    whether several few exactly
""")
# Words between a noun and the number it measures: "inflation rose to", "a prize of".
_CONNECT = _words("""
    rose rise rises rising risen fell fall falls falling fallen climbed climb climbs climbing
    dropped drop drops dropping jumped jump jumps grew grow grows growing slipped slid
    increased increase increases decreased declined decline declines surged soared plunged
    was is were are be been stood stands stand reached reach reaches reaching hit hits topped
    tops totalled totaled totals totalling totaling running ran runs now cost exceeded exceeds
    has had have worth valued of to at by from up down
""")
# Connectors that are nouns too ("a cost of", "the rise to"): nouns after a determiner.
_VERB_NOUNS = _words("rise fall drop increase decline jump hit cost stand reach")
_DETERMINERS = _words("a an the its their his her this that")
_LABELS = _words("""
    article section chapter clause paragraph page pages flight route room gate platform number
    no nos level phase stage category grade size line bus highway road runway terminal episode
    season round channel district zone lane exit junction precinct volume version model type
    floor apartment suite block row seat call dial code tier division league item figure table
    step game hole lap act title amendment resolution proposition rule verse sector top aged
    age ages
""")
_DOTTED_LABELS = _words("no nos vol art sec p pp fig")
_MEASURE_ADJECTIVES = _words("""
    tall long wide high deep thick away apart ahead behind short below above heavy hot cold
    old across
""")
_QUALIFIER_WORDS = _words("about around nearly almost some over under roughly between")
_GENERIC = _words("people persons others individuals")
_COLLECTIVE = _words("""
    people police children men women staff personnel crew cattle sheep livestock aircraft
    spacecraft youth clergy infantry offspring deer fish militia
""")
_NOT_PLURAL = _words("""
    overseas various previous its this was has is as us thus plus always perhaps besides
    towards afterwards sometimes whereas unless across chaos news lens bus gas analysis
    series species famous serious dangerous numerous
""")
_LY_NOUNS = _words("family assembly supply ally rally reply monopoly anomaly fly")
_CASUALTY = {
    **dict.fromkeys(["killed", "kill", "killing", "kills", "dead", "died"], "kill"),
    **dict.fromkeys(["deaths", "fatalities"], "kill"),
    **dict.fromkeys(["injured", "injuring", "injures", "injuries", "wounded"], "injur"),
    **dict.fromkeys(["wounding", "hurt"], "injur"),
}
_CASUALTY_STATES = _words("killed dead died injured wounded hurt")  # after the number
_CASUALTY_NOUNS = _words("deaths fatalities dead injuries")
_EVENT_PARTICIPLES = _words("""
    evacuated displaced arrested detained rescued missing stranded hospitalised hospitalized
    infected captured abducted kidnapped trapped affected homeless
""")
_HYPHEN_UNITS = {
    **dict.fromkeys(["mile", "miles"], "mi"),
    **dict.fromkeys(["metre", "meter"], "m"),
    **dict.fromkeys(["kilometre", "kilometer", "km"], "km"),
    **dict.fromkeys(["foot", "feet"], "ft"),
    **dict.fromkeys(["tonne", "ton"], "t"),
    **dict.fromkeys(["percent", "per-cent"], "percent"),
    "inch": "in",
    "acre": "acre",
    "hectare": "ha",
    "square-mile": "sq mi",
    "square-kilometre": "sq km",
}
_HYPHEN_REJECT = _words("third thirds fourth fourths fifth fifths quarter quarters half fold odd")
_ABBREVIATIONS = _words("""
    mr mrs ms dr st gen lt col sgt prof rev jr sr no vs etc inc corp co u.s u.k e.g i.e
    jan feb mar apr jun jul aug sep sept oct nov dec
""")
_CURRENCY_SIGNS = {
    "$": "usd",
    "us$": "usd",
    "a$": "aud",
    "c$": "cad",
    "nz$": "nzd",
    "hk$": "hkd",
    "\u20ac": "eur",
    "\u00a3": "gbp",
    "\u00a5": "jpy",
    "\u20b9": "inr",
}
_CURRENCIES = frozenset([*_CURRENCY_SIGNS.values(), "cny"])
_UNIT_NAMES = {
    "usd": "dollars",
    "eur": "euros",
    "gbp": "pounds",
    "jpy": "yen",
    "inr": "rupees",
    "aud": "Australian dollars",
    "cad": "Canadian dollars",
    "nzd": "New Zealand dollars",
    "hkd": "Hong Kong dollars",
    "m": "metres",
    "percent": "percent",
    "degc": "degrees Celsius",
    "degf": "degrees Fahrenheit",
}
_UNIT_CODES = {"sq_mi": "sq mi", "sq_km": "sq km", "sq_m": "sq m", "sq_ft": "sq ft", "kmh": "km/h"}

# --- regular expressions -----------------------------------------------------------------

_APOS = f"'{_RSQUO}"
_SPACE = r"[^\S\n]+"  # blanks within a line


def _trie(words: Iterable[str]) -> str:
    """A regular expression matching any of the words, shaped as a trie (fast to scan)."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


_WORD_NUMBER = _trie(_NUMBER_WORDS)
_URL_MARKERS: tuple[str, ...] = (
    "://",
    "www.",
    "@",
    ".com",
    ".org",
    ".net",
    ".gov",
    ".edu",
    ".int",
    ".io",
)
_URL_MARKERS += (".info", ".uk", ".eu", ".example")
_URL_MARKER = re.compile(r"://|www\.|@|\.(?:com|org|net|gov|edu|int|io|info|uk|eu|example)\b")
_ANOTHER_NUMBER = re.compile(r"\)?[^\S\n]+\d")
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SIGNS = "$\u20ac\u00a3\u00a5\u20b9"
_NUMBER_WORD = _trie({w for word in _NUMBER_WORDS for w in (word, word.capitalize())})
_NUMBER_WORD_LOWER = _trie(_NUMBER_WORDS)
_WORDS = re.compile(
    rf"\b{_NUMBER_WORD}(?:(?:-|[^\S\n]+|(?<=undred)[^\S\n]+and[^\S\n]+){_NUMBER_WORD_LOWER}\b)*\b"
)
_A_SCALES = _words("dozen hundred thousand million billion")
_A_BEFORE = re.compile(r"(?:\b(?:[Hh]alf[^\S\n]+)?[Aa])[^\S\n]+$")
_SCALE_WORD = re.compile(r"(?:\s+|-)(thousand|million|billion|trillion)\b", re.IGNORECASE)
_SCALE_ABBR = re.compile(r"(bn|mn|tn|trn|m|k)(?![\w/\u00b2])")
_MONTH_NAMES = _trie(_MONTHS)
_UNIT = re.compile(
    r"(?P<percent>\s?%|\s+per\s?cent\b)"
    r"|(?P<pp>\s+percentage[\s-]points?\b)"
    r"|(?P<usd>\s+(?:US\s+)?dollars\b)"
    r"|(?P<eur>\s+euros?\b)"
    r"|(?P<lb>\s+(?:pounds|lbs?)\b(?=\s+of\b)|\s?lbs?\b)"
    r"|(?P<gbp>\s+pounds(?:\s+sterling)?\b)"
    r"|(?P<jpy>\s+yen\b)"
    r"|(?P<cny>\s+yuan\b)"
    r"|(?P<inr>\s+rupees\b)"
    r"|(?P<sq_mi>\s+square\s+miles?\b|\s?sq\.?\s?mi\b)"
    r"|(?P<sq_km>\s+square\s+kilomet(?:re|er)s?\b|\s?(?:km2|km\u00b2|sq\.?\s?km)(?!\w))"
    r"|(?P<sq_m>\s+square\s+met(?:re|er)s?\b)"
    r"|(?P<sq_ft>\s+square\s+f(?:ee|oo)t\b)"
    r"|(?P<mph>\s?mph\b|\s+miles\s+(?:per|an)\s+hour\b)"
    r"|(?P<kmh>\s?(?:km/h|kph|kmh)\b|\s+kilomet(?:re|er)s\s+(?:per|an)\s+hour\b)"
    r"|(?P<km>\s+kilomet(?:re|er)s?\b|\s?km\b)"
    r"|(?P<mi>\s+miles?\b|mi\b)"
    r"|(?P<m>\s+met(?:re|er)s?\b)"
    r"|(?P<cm>\s+centimet(?:re|er)s?\b|\s?cm\b)"
    r"|(?P<mm>\s+millimet(?:re|er)s?\b|\s?mm\b)"
    r"|(?P<ft>\s+(?:feet|foot)\b|\s?ft\b)"
    r"|(?P<in>\s+inch(?:es)?\b)"
    r"|(?P<acre>\s+acres?\b)"
    r"|(?P<ha>\s+hectares?\b|\s?ha\b)"
    r"|(?P<t>\s+(?:tonnes?|metric\s+tons?|tons)\b)"
    r"|(?P<kg>\s+kilo(?:gram)?s?\b|\s?kg\b)"
    r"|(?P<l>\s+lit(?:re|er)s?\b)"
    r"|(?P<gal>\s+gallons?\b)"
    r"|(?P<degc>\s?\u00b0\s?C\b|C\b|\s+degrees?\s+(?:Celsius|centigrade|C)\b)"
    r"|(?P<degf>\s?\u00b0\s?F\b|F\b|\s+degrees?\s+(?:Fahrenheit|F)\b)"
    r"|(?P<deg>\s+degrees\b)"
    r"|(?P<reject>\s+(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?"
    r"|century|centuries)\b|-(?:year|day|hour|week|month|minute|second|night|decade)s?\b"
    rf"|\s+(?:{_MONTH_NAMES})\b"
    rf"|\s?(?:[ap]\.m\.|[ap]m\b|[AP]M\b|o[{_APOS}]clock\b|GMT\b|UTC\b|BST\b|CET\b))"
)
_QUALIFIER = re.compile(
    r"(?:^|(?<=\W))(at\s+least|at\s+most|more\s+than|less\s+than|fewer\s+than|as\s+many\s+as"
    r"|as\s+much\s+as|as\s+few\s+as|up\s+to|upwards\s+of|in\s+excess\s+of|close\s+to"
    r"|just\s+over|just\s+under|well\s+over|an\s+estimated|estimated|nearly|almost|about"
    r"|around|approximately|roughly|some|over|under|between)\s+$",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(rf"{_SPACE}([A-Za-z][A-Za-z{_APOS}-]*)")
_NEXT_LOWER = re.compile(rf"{_SPACE}([a-z][a-z{_APOS}-]*)")
_HYPHEN_WORD = re.compile(r"-([A-Za-z]+(?:-[A-Za-z]+)?)")
_SOME_NUMBER = rf"(?:\d[\d,.]*|(?:{_WORD_NUMBER})(?:[\s-]+(?:{_WORD_NUMBER}))*)"
_OF_THE = re.compile(
    rf"{_SPACE}of(?:{_SPACE}(?:the|their|its|these|those))?(?:{_SPACE}{_SOME_NUMBER})?(?=\s)",
    re.IGNORECASE,
)
_RANGE = re.compile(
    rf"{_SPACE}(?:and|to|or){_SPACE}{_SOME_NUMBER}(?:{_SPACE}(?:thousand|million|billion))?(?=\s)",
    re.IGNORECASE,
)
_OF = re.compile(rf"{_SPACE}of(?:{_SPACE}(?:the|its|their|all|his|her|this|that|a|an))?(?=\s)")
_IN = re.compile(rf"{_SPACE}in(?=\s)")
_FOLLOWING = re.compile(
    r"(?P<aux>(?:[^\S\n]+(?:were|was|are|is|have|has|had|been|being|be|reportedly|believed"
    r"|feared|confirmed|now|also|later|all|already|since|then)\b){0,4})"
    r"[^\S\n]+(?P<word>[a-z]+)\b"
)
_CONNECTORS = _trie(_CONNECT)
_NOT_NOUNS = _trie(_CONNECT - _VERB_NOUNS)
_LOOKBACK = re.compile(
    rf"(?:^|(?<=[^\w{_APOS}-]))(?:(?P<pre>[A-Za-z]+)\s+)?"
    rf"(?!(?:{_NOT_NOUNS})\s)(?P<noun>[A-Za-z][a-z]+)"
    rf"(?:\s+(?:in|of|at)(?:\s+[A-Z][\w&{_APOS}-]*)+)?"  # "Shares in Kestrel Shipping fell"
    r"(?:\s+by\s+[\d.,]+(?:%|\s+(?:percentage\s+points?|points?|per\s?cent))"
    rf"|\s+(?:{_CONNECTORS})){{1,3}}\s+$"
)
_MULTIPLIER = re.compile(r"[^\S\n]*(?:times|fold|x)\b|[^\S\n]+in[^\S\n]+(?:\d|ten\b)")
_RATIO = re.compile(
    rf"(?:\d|\b(?:{_WORD_NUMBER})){_SPACE}(?:in|out{_SPACE}of){_SPACE}$", re.IGNORECASE
)
_SENTENCE_END = re.compile(
    rf"[.!?\n][.!?]*[\"'{_RDQUO}{_RSQUO})\]]*\s+(?=[\"'{_LDQUO}{_LSQUO}(]?[A-Z0-9])"
)

_QUALIFIER_ENDS = _words("""
    least most than as to of estimated nearly almost about around approximately roughly some
    over under between
""")
_WORD_MARKS = f"{_APOS}&.-_"
_WORD_CHARS = 40
_SENTENCE_CHARS = 600
_URL_CHARS = 500
_MAX_DIGITS = 18
_LOOKBACK_CHARS = 80
_STEM = Stemmer.Stemmer("english").stemWord
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_LIMIT = 50_000


# --- small helpers -----------------------------------------------------------------------


def _stem(word: str) -> str:
    """Porter2 stem of a word, lower-cased, memoised."""
    word = word.lower().strip(_APOS)
    stem = _STEM_CACHE.get(word)
    if stem is None:
        if len(_STEM_CACHE) > _STEM_CACHE_LIMIT:
            _STEM_CACHE.clear()
        stem = _STEM_CACHE[word] = _STEM(word)
    return stem


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
    if number.previous.lower() not in _CONNECT:
        return None  # the word just before must join the noun to the number
    lead = number.lead
    found = _LOOKBACK.search(masked, max(0, lead - _LOOKBACK_CHARS), lead)
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
        for word in [*modifiers, participle]:
            if word.endswith("ed") or word in _EVENT_PARTICIPLES:
                return _CASUALTY.get(word) or _stem(word)
    return _stem(head)


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
