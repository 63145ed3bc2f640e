"""What the words around a run of capitalised words say it is (the rule recogniser's
context cues): a role or speech verb next to a person ("spokeswoman Jane Doe", "Jane Doe
said"), an organisation noun or share words next to an organisation ("the utility
Oncor", "Tesla shares fell"), what an apposition describes ("IQAir, a Swiss monitoring
company"); and the shipped list of given names. Used by :mod:`newsdesk.pipeline.names`.
"""

from __future__ import annotations

import functools
from importlib import resources

from newsdesk.pipeline.entities import Story, Token
from newsdesk.pipeline.names_words import (
    BEFORE_CUES,
    ORG_CUES,
    ROLE_WORDS,
    SHARE_WORDS,
    SPEECH_VERBS,
    STAFF_WORDS,
)

# Nouns that say what a described name is: "a Swiss monitoring company", "a spokesman".
_KIND_NOUNS = {**dict.fromkeys(ORG_CUES, "organisation"), **dict.fromkeys(ROLE_WORDS, "person")}


@functools.cache
def given_names() -> frozenset[str]:
    """The shipped list of common given names (read once)."""
    data = resources.files("newsdesk.data").joinpath("given_names.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def org_cue(first: Token, story: Story) -> bool:
    """Is the segment introduced as an organisation: "the utility Oncor", "shares in X"?"""
    before = story.before(first)
    if before is None or not before.is_word:
        return False
    if before.text in ORG_CUES:
        return True
    if before.text in ("and", "or"):  # "pilots at Iberia and Vueling"
        previous = _segment_start(story, before)
        return previous is not None and org_cue(previous, story)
    earlier = story.before(first, 2)
    if earlier is None or not earlier.is_word:
        return False
    if before.text in ("in", "of") and earlier.lower in SHARE_WORDS:
        return True
    return before.text == "at" and earlier.lower in STAFF_WORDS


def shares_after(last: Token, story: Story) -> bool:
    """ "Tesla shares fell", "Halvorsen's stock"."""
    after = story.after(last)
    return after is not None and after.is_word and after.text in SHARE_WORDS


def person_cue(segment: list[Token], story: Story) -> bool:
    """A role or a speech verb just before, or speech or an apposition just after."""
    first, last = segment[0], segment[-1]
    return (
        role_before(first, story)
        or _joined_to_person(first, story)
        or speech_before(first, story)
        or speech_after(last, story)
        or _apposition_after(last, story)
    )


def _joined_to_person(first: Token, story: Story) -> bool:
    """ "between Evelyn Matthei and Jeannette Jara": joined by "and" to a given name and
    a surname."""
    link = story.before(first)
    if link is None or link.text != "and":
        return False
    start = _segment_start(story, link)
    if start is None or start.text not in given_names():
        return False
    return 2 <= link.index - start.index <= 3


def _segment_start(story: Story, link: Token) -> Token | None:
    """The first word of the capitalised words just before a linking word, if any."""
    start = None
    token = story.before(link)
    while token is not None and token.titlecase:
        start = token
        token = story.before(token)
    return start


def role_before(first: Token, story: Story) -> bool:
    """ "spokeswoman Jane Doe", "a military spokesman, Oleksandr Petrenko"."""
    before = story.before(first)
    if before is not None and before.text == ",":
        before = story.before(first, 2)
    return before is not None and before.is_word and before.lower in ROLE_WORDS


def speech_before(first: Token, story: Story) -> bool:
    """ "said Veronica Marsh", "according to Jane Doe"."""
    before = story.before(first)
    if before is None or not before.is_word:
        return False
    if before.text == "to":
        earlier = story.before(first, 2)
        return earlier is not None and earlier.text == "according"
    return before.text in BEFORE_CUES


def speech_after(last: Token, story: Story) -> bool:
    """ "Jane Doe said", "Jane Doe told reporters"."""
    after = story.after(last)
    return after is not None and after.is_word and after.text in SPEECH_VERBS


def _apposition_after(last: Token, story: Story) -> bool:
    """ "Jane Doe, who ...", "Jane Doe, a shop owner in ...", "Jane Doe, 45,"."""
    return apposition(last, story) == "person"


def apposition(last: Token, story: Story) -> str:
    """What a comma after a name says it is: "person" ("Jane Doe, who", "Jane Doe, 45,",
    "Jane Doe, a shop owner", "Jane Doe, president of"), "organisation" ("IQAir, a Swiss
    monitoring company", "ScotRail, which", "JobsOhio, the state's development agency"),
    or ""."""
    comma, word = story.after(last), story.after(last, 2)
    if comma is None or comma.text != "," or word is None:
        return ""
    if word.text in ("who", "whose") or word.text.isdigit() or word.lower in ROLE_WORDS:
        return "person"
    if word.text == "which":
        return "organisation"
    kind = ""
    if word.text in ("a", "an", "the"):
        for k in range(3, 8):  # the first noun that says what it is
            token = story.after(last, k)
            if token is None or not token.is_word:
                break
            kind = _KIND_NOUNS.get(token.lower, "")
            if kind:
                break
    return kind


def cue_after(segment: list[Token], story: Story) -> bool:
    """ "the Aslef union", "the Kestrel group": "the", the name, an organisation noun."""
    before, after = story.before(segment[0]), story.after(segment[-1])
    return (
        before is not None
        and before.lower == "the"
        and after is not None
        and after.is_word
        and after.text in ORG_CUES
    )
