"""Site-level boilerplate: lines that repeat across many of one site's articles are template.

A single-page extractor cannot tell that "Sign up for our free morning newsletter to get
the day's top stories." is page furniture: it reads like prose. Across many pages of one
site it gives itself away by repeating. This module holds the pure rules; the counts live
in the database (``newsdesk.stories.site_lines``), which feeds them in.

An article's text is paragraphs separated by "\\n". Each short paragraph (a candidate) is
known by a stable hash of its normalised form, so the database stores integers, not text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Set

# Paragraphs longer than this are never template. Furniture (newsletter prompts, credits,
# "This story was produced in partnership with ...", donation appeals) is one or two
# sentences; an article's own paragraphs are often longer, and a long paragraph that
# repeats is more likely a re-used background passage than page furniture.
MAX_WORDS = 60

# A site must have this many earlier articles counted before any line is judged: with
# fewer, two or three articles on one running event share lines by chance.
MIN_SEEN = 5

# A line must have appeared in at least this many earlier articles of the site: twice can
# be a correction re-run or a follow-up quoting its predecessor; three times is a habit.
MIN_REPEATS = 3

# ...and in at least this share of them. Template appears on most of a site's pages, so
# 20 % leaves room for furniture that changes with the section or the season, while a
# paragraph shared by a handful of articles of a busy site never gets there.
MIN_SHARE = 0.2

_DIGITS = re.compile(r"\d+")
_KEY_MASK = (1 << 63) - 1  # 63 bits: fits a signed 64-bit column as a positive number


def normalise(line: str) -> str:
    """The line casefolded, its whitespace squashed and its digit runs replaced by "0"."""
    return _DIGITS.sub("0", " ".join(line.casefold().split()))


def line_key(line: str) -> int:
    """A stable positive 63-bit hash of the normalised line; never 0 (it counts articles)."""
    digest = hashlib.blake2b(normalise(line).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") & _KEY_MASK) or 1


def _is_candidate(line: str) -> bool:
    words = len(line.split())
    return 0 < words <= MAX_WORDS


def line_keys(text: str) -> dict[int, str]:
    """The text's candidate lines (non-blank, at most MAX_WORDS words) by key, first kept."""
    keys: dict[int, str] = {}
    for line in text.split("\n"):
        if _is_candidate(line):
            keys.setdefault(line_key(line), line)
    return keys


def is_template(count: int, seen: int) -> bool:
    """True for a line found in ``count`` of the site's ``seen`` earlier articles."""
    return seen >= MIN_SEEN and count >= MIN_REPEATS and count / seen >= MIN_SHARE


def template_lines(text: str, counts: Mapping[int, int], seen: int) -> set[int]:
    """Keys of the text's lines that are template, given the site's earlier counts.

    ``counts`` maps a line key to the number of earlier articles of the site holding that
    line; ``seen`` is the number of earlier articles of the site.
    """
    if seen < MIN_SEEN:
        return set()
    return {key for key in line_keys(text) if is_template(counts.get(key, 0), seen)}


def strip_template(text: str, template_keys: Set[int]) -> str:
    """The text without its template lines; unchanged when they hold over half its words.

    When template outweighs the rest, the extractor probably caught the page's furniture
    rather than its article, and keeping that text beats storing almost nothing.
    """
    if not template_keys:
        return text
    lines = text.split("\n")
    drop = [_is_candidate(line) and line_key(line) in template_keys for line in lines]
    removed = sum(len(line.split()) for line, out in zip(lines, drop, strict=True) if out)
    if removed == 0 or 2 * removed > len(text.split()):
        return text
    kept: list[str] = []
    after_drop = False  # a line was dropped since the last kept non-blank line
    for line, out in zip(lines, drop, strict=True):
        if out:
            after_drop = True
            continue
        if not line.strip():
            # The blank separator of a dropped paragraph goes with it.
            if after_drop and (not kept or not kept[-1].strip()):
                continue
        else:
            after_drop = False
        kept.append(line)
    if after_drop:
        while kept and not kept[-1].strip():
            kept.pop()
    return "\n".join(kept)
