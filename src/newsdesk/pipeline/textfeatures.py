"""Text features for story clustering: stemmed term counts and word-shingle hashes.

Everything here is deterministic (CRC-32 hashing, no per-process hash seed), so features
computed in one process match those computed in another.
"""

from __future__ import annotations

import re
import string
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
import Stemmer

_STOPWORD_TEXT = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anyhow anyone anything anyway anywhere
    are around as at be became because become becomes been before beforehand behind being below
    beside besides between beyond both but by can cannot could did do does doing done down during
    each either else elsewhere enough etc even ever every everyone everything everywhere except
    few for former formerly from further had has have having he hence her here hereafter hereby
    herein hers herself him himself his how however i if in indeed into is it its itself just
    last latter least less made many may me meanwhile might mine more moreover most mostly much
    must my myself namely neither never nevertheless next no nobody none nor not nothing now
    nowhere of off often on once one only onto or other others otherwise our ours ourselves out
    over own per perhaps please put rather re same say said says see seem seemed seeming seems
    several she should since so some somehow someone something sometime sometimes somewhere still
    such than that the their theirs them themselves then thence there thereafter thereby therefore
    therein thereupon these they this those though through throughout thru thus to together too
    toward towards under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither
    who whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves s t d ll m ve don didn doesn isn wasn weren won wouldn couldn shouldn aren hasn
    haven hadn new news like get got make makes according told tells tell
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week
    mr mrs ms dr
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Punctuation, ASCII and common typographic marks, becomes space: words are what remains.
# (A character class substitution: twice as fast as str.translate with a mapping.)
_PUNCTUATION = re.compile(
    "["
    + re.escape(string.punctuation + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb")
    + "]"
).sub
_STEMMER = Stemmer.Stemmer("english")
_STOP_FLAG = 1 << 32  # marks a stop word's hash: it shingles but is no term
_CACHE_LIMIT = 500_000
_word_cache: dict[str, int] = {}
# Odd 64-bit multipliers that mix three word hashes into one shingle hash.
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


@dataclass(frozen=True)
class TextFeatures:
    """One article's words as the clusterer sees them.

    ``terms`` maps a 32-bit term hash (of the stem) to its count, headline words counting
    ``title_weight`` times; ``hashes`` are the hashes of all words in order (title, then
    body), stop words included, for shingling; the body starts at ``body_start``.
    """

    terms: dict[int, float]
    hashes: tuple[int, ...]
    body_start: int = 0

    def shingle_source(self, limit: int, min_body: int = 12) -> tuple[int, ...]:
        """Word hashes to shingle: the body's first ``limit`` words (syndicated copies keep
        the body and rewrite the headline), or the headline too when the body is short."""
        if len(self.hashes) - self.body_start >= min_body:
            return self.hashes[self.body_start : self.body_start + limit]
        return self.hashes[:limit]


_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """The Porter2 stem of a lower-case word, memoised (shared by every stage that stems)."""
    found = _stem_cache.get(word)
    if found is None:
        if len(_stem_cache) > _CACHE_LIMIT:
            _stem_cache.clear()
        found = _stem_cache[word] = _STEMMER.stemWord(word)
    return found


def word_code(word: str) -> int:
    """A stable hash of a lower-case word: its stem's CRC-32, or a flagged one for stop words."""
    code = _word_cache.get(word)
    if code is None:
        if len(_word_cache) > _CACHE_LIMIT:
            _word_cache.clear()
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            code = zlib.crc32(word.encode("utf-8")) | _STOP_FLAG
        else:
            code = zlib.crc32(_STEMMER.stemWord(word).encode("utf-8"))
        _word_cache[word] = code
    return code


# A thousands separator or decimal point between digits: "373,000" and "2.5" stay one word,
# so a figure, which tells one week's report from the next, is one distinctive term.
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,.](?=\d)").sub


def words(text: str) -> list[str]:
    """The lower-case words of ``text``."""
    return _PUNCTUATION(" ", _DIGIT_GROUPS("", text.lower())).split() if text else []


def analyse(title: str, text: str, *, title_weight: float, max_words: int) -> TextFeatures:
    """Term counts and word hashes of one article (body cut at ``max_words`` words)."""
    title_codes = _codes(words(title))
    body_codes = _codes(words(text)[:max_words])
    terms: dict[int, float] = {
        code: count for code, count in Counter(body_codes).items() if code < _STOP_FLAG
    }
    for code, count in Counter(title_codes).items():
        if code < _STOP_FLAG:
            terms[code] = terms.get(code, 0.0) + title_weight * count
    return TextFeatures(terms, tuple(title_codes + body_codes), len(title_codes))


def _codes(tokens: list[str]) -> list[int]:
    """The word codes of a list of words (looked up in C, computed only for new words)."""
    found = list(map(_word_cache.get, tokens))
    if None in found:
        return [word_code(w) if c is None else c for c, w in zip(found, tokens, strict=True)]
    return found  # type: ignore[return-value]


def shingle_hashes(hashes: tuple[int, ...] | list[int]) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the 3-word shingles of a sequence of word hashes."""
    if not hashes:
        return np.empty(0, dtype=np.uint32)
    codes = np.array(hashes, dtype=np.uint64) & np.uint64(0xFFFFFFFF)
    if codes.size < 3:
        codes = np.concatenate([codes, np.zeros(3 - codes.size, dtype=np.uint64)])
    mixed = codes[:-2] * _MIX[0] + codes[1:-1] * _MIX[1] + codes[2:] * _MIX[2]
    return np.unique((mixed >> np.uint64(32)).astype(np.uint32))
