"""Word lists, regular expressions and limits for reading key figures in English text.

The vocabulary of :mod:`newsdesk.pipeline.figures`: number words, months, units, currency
signs, casualty and label words, the regular expressions built from them, and the size
limits the readers use. Constants only (and the two small builders of them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    later earlier apiece times today yesterday tomorrow tonight overnight last next up down
    out off
    away back about around almost nearly roughly approximately there here what how why
    whether several few exactly
""")
# Words between a noun and the number it measures: "inflation rose to", "a prize of".
_CONNECT = _words("""
    rose rise rises rising risen fell fall falls falling fallen climbed climb climbs climbing
    dropped drop drops dropping jumped jump jumps grew grow grows growing slipped slid
    increased increase increases decreased declined decline declines surged soared plunged
    eased ease eases easing edged dipped dips surges soars plunges plummeted tumbled tumbles
    narrowed narrow narrows widened widen widens doubled tripled halved rebounded recovered
    set expected likely due poised forecast projected
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
    "m3": "cubic metres",
    "ft3": "cubic feet",
    "bbl": "barrels",
    "percent": "percent",
    "degc": "degrees Celsius",
    "degf": "degrees Fahrenheit",
}
_UNIT_CODES = {"sq_mi": "sq mi", "sq_km": "sq km", "sq_m": "sq m", "sq_ft": "sq ft", "kmh": "km/h"}
# Areas a noun before the number can be "on": "crops on 60,000 hectares".
_AREA_UNITS = frozenset({"ha", "acre", "sq mi", "sq km", "sq m", "sq ft"})

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
    r"|(?P<m3>\s+cubic\s+met(?:re|er)s?\b|\s?(?:m3|m\u00b3)(?!\w))"
    r"|(?P<ft3>\s+cubic\s+f(?:ee|oo)t\b)"
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
    r"|(?P<bbl>\s+barrels?\b)"
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
    rf"|\s+(?:{_CONNECTORS})){{1,4}}\s+$"
)
# After a generic count: "people marched", "people to evacuate" (not "to be", "to the").
_GENERIC_AFTER = re.compile(
    rf"{_SPACE}(?:(?P<past>[a-z]+ed)\b|to{_SPACE}(?!be\b|the\b|a\b|an\b|have\b)(?P<to>[a-z]{{3,}})\b)"
)
# -ed words that say nothing about what happened to a count of people.
_NOT_EVENT_VERBS = _words("""
    aged based called named used needed said added noted stated reported estimated expected
    included involved concerned related compared listed surveyed polled asked
""")
# A tally is not a count: "by a vote of 9 to 4", "a score of 3 to 1".
_TALLY_BEFORE = re.compile(r"\b(?:votes?|score|tally|margin)[^\S\n]+of[^\S\n]+$", re.IGNORECASE)
# "won by 2,314 votes to 2,298": both numbers of a tally.
_VOTES_TO_AFTER = re.compile(rf"{_SPACE}votes?{_SPACE}to{_SPACE}\d")
_VOTES_TO_BEFORE = re.compile(r"\d[\d,.]*[^\S\n]+votes?[^\S\n]+to[^\S\n]+$")
# "2.9% of GDP": an acronym is what a measure is of.
_OF_ACRONYM = re.compile(r"[^\S\n]+of[^\S\n]+(?:the[^\S\n]+)?([A-Z]{2,5})\b")
_TALLY_AFTER = re.compile(rf"{_SPACE}to{_SPACE}(?:\d+|{_WORD_NUMBER})\b", re.IGNORECASE)
# The noun an area is "on": "damaged crops on 60,000 hectares".
_LOOKBACK_ON = re.compile(
    rf"(?:^|(?<=[^\w{_APOS}-]))(?:(?P<pre>[A-Za-z]+)\s+)?(?P<noun>[a-z]+)\s+on\s+$"
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
