"""Merging a story's mentions of people and organisations into entities (names.py finds them).

A lone surname counts for the full name that ends with it; an organisation's short forms
(its last words, its first word when a cue named it, its initials) and an acronym given in
brackets count for its longest name, and are kept as its aliases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from newsdesk.pipeline.entities import CONNECTORS, Entity, slugify


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a person or an organisation: its words and where they stand."""

    kind: str  # "person" | "organisation"
    name: str
    doc: int
    first: int  # token indices in its text, inclusive
    last: int
    alias_of: str = ""  # an acronym in brackets after this organisation's name
    cue: bool = False  # an organisation found by a cue alone (one word, maybe a short form)
    titled: bool = False  # a person named after a title ("President ...")


def merge_people(mentions: list[Mention]) -> list[Entity]:
    """People with lone surnames counted for the full name that ends with them."""
    counts: Counter[str] = Counter(m.name for m in mentions)
    full = sorted((n for n in counts if " " in n), key=lambda n: (-counts[n], n))
    by_surname: dict[str, str] = {}
    for name in full:
        by_surname.setdefault(name.split()[-1], name)
    merged: Counter[str] = Counter()
    for name, count in counts.items():
        merged[by_surname.get(name, name) if " " not in name else name] += count
    return [Entity(n, "person", c, slugify(n)) for n, c in merged.items()]


def merge_organisations(mentions: list[Mention]) -> list[Entity]:
    """Organisations with short forms and acronyms counted for the longest name."""
    counts: Counter[str] = Counter()
    for m in mentions:  # an acronym in brackets is a form, not another mention
        counts[m.name] += 0 if m.alias_of else 1
    aliases = {m.name: m.alias_of for m in mentions if m.alias_of}
    cued = {m.name for m in mentions if m.cue}
    longer = _LongerForms(sorted(counts, key=lambda n: (-len(n.split()), -counts[n], n)))
    target = {n: aliases.get(n) or longer.of(n, n in cued) or n for n in counts}
    merged: Counter[str] = Counter()
    forms: defaultdict[str, set[str]] = defaultdict(set)
    for name, count in counts.items():
        root = _root(name, target)
        merged[root] += count
        if name != root:
            forms[root].add(name)
    return [
        Entity(n, "organisation", c, slugify(n), tuple(sorted(forms[n]))) for n, c in merged.items()
    ]


def _root(name: str, target: dict[str, str]) -> str:
    """Follow a chain of short forms to the name they stand for."""
    seen = {name}
    while target.get(name, name) != name and target[name] not in seen:
        name = target[name]
        seen.add(name)
    return name


class _LongerForms:
    """Longer organisation names by their endings, first words and initials."""

    def __init__(self, names: list[str]) -> None:  # longest (then most mentioned) first
        self.by_ending: dict[tuple[str, ...], str] = {}
        self.by_first: dict[str, str] = {}
        self.by_initials: dict[str, str] = {}
        for name in names:
            words = tuple(name.split())
            for size in range(2, len(words)):
                self.by_ending.setdefault(words[-size:], name)
            if len(words) > 1:
                self.by_first.setdefault(words[0], name)
                initials = _initials(words)
                for cut in (initials, initials[:-1]):
                    if len(cut) >= 2:
                        self.by_initials.setdefault(cut, name)

    def of(self, name: str, cued: bool) -> str:
        """A longer name this one is a short form of, or ""."""
        words = tuple(name.split())
        if len(words) >= 2:
            return self.by_ending.get(words, "")
        if cued and words[0] in self.by_first:
            return self.by_first[words[0]]
        if name.isupper() and name.isalpha():
            return self.by_initials.get(name, "")
        return ""


def _initials(words: Sequence[str]) -> str:
    """Initials of the capitalised words of a name: "Centers for Disease Control" -> "CDC"."""
    return "".join(w[0] for w in words if w not in CONNECTORS and w[0].isupper())
