"""A local spam score: no third-party service sees readers' comments.

Each signal adds a weight; the sum is compared with NEWSDESK_COMMENTS_HOLD_SCORE (wait for
a moderator) and NEWSDESK_COMMENTS_SPAM_SCORE (straight to the spam folder). The weights
are chosen so that one strong signal (a duplicate, a blocked word) reaches the default spam
score and one weak signal (shouting, a link-heavy text) only holds the comment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from newsdesk.comments.markup import count_links

DUPLICATE = 1.0
BLOCKED_WORD = 1.0
LINK_DENSITY = 0.5  # more than one link per LINK_WORDS words
LINK_WORDS = 5
ALL_CAPS = 0.5  # mostly capitals, over at least CAPS_LETTERS letters
CAPS_LETTERS = 20
CAPS_SHARE = 0.8
LINK_IN_NAME = 0.5


@dataclass
class Verdict:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append(reason)


def fingerprint(text: str) -> str:
    """The same for texts that differ only in case, spacing and punctuation."""
    normal = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


def blocked_words(setting: str) -> list[str]:
    return [w.strip().lower() for w in setting.split(",") if w.strip()]


def score(text: str, name: str, *, duplicate: bool, blocked: list[str]) -> Verdict:
    """The spam score of a comment and the signals behind it."""
    verdict = Verdict()
    if duplicate:
        verdict.add(DUPLICATE, "duplicate of a recent comment")
    lowered = f"{name}\n{text}".lower()
    for word in blocked:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            verdict.add(BLOCKED_WORD, f"blocked word: {word}")
    links = count_links(text)
    words = len(text.split())
    if links and links * LINK_WORDS > words:
        verdict.add(LINK_DENSITY, "mostly links")
    letters = [c for c in text if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    if len(letters) >= CAPS_LETTERS and upper >= CAPS_SHARE * len(letters):
        verdict.add(ALL_CAPS, "all capitals")
    if count_links(name):
        verdict.add(LINK_IN_NAME, "link in the name")
    return verdict
