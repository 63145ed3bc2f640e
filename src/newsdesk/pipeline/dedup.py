"""Copy detection: exact copies (same canonical URL or same words) and near-copies.

Near-copies (syndicated wire text, lightly edited) are found with MinHash LSH over 3-word
shingles (datasketch's permutations, banded here in plain dictionaries); every LSH candidate
is verified with the actual Jaccard similarity of the two shingle sets before it counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

import numpy as np
from datasketch import MinHash

_SCHEME = "affine32"
NUM_PERM = 32
BANDS = (8, 4)  # b bands of r rows of the NUM_PERM MinHash values
# datasketch's fixed (seeded) permutations, shared by every process.
_PERM_A, _PERM_B = MinHash(num_perm=NUM_PERM, scheme=_SCHEME, hashfunc=int).permutations
_WIDTH = 4 * BANDS[1]  # bytes of one band (32-bit values)
_CUTS = [(i * _WIDTH, (i + 1) * _WIDTH) for i in range(BANDS[0])]


def words_key(hashes: tuple[int, ...] | list[int]) -> bytes:
    """A short digest of an article's word sequence (case, spacing and punctuation ignored)."""
    data = np.array(hashes, dtype=np.uint64).tobytes()
    return hashlib.blake2b(data, digest_size=12).digest()


def band_values(shingles: np.ndarray) -> list[bytes]:
    """The LSH band values of a shingle set: slices of its MinHash signature.

    The signature is the minimum of each affine permutation of the (already well mixed)
    shingle hashes. Empty for an empty set.
    """
    if not shingles.size:
        return []
    raw = (shingles[:, None] * _PERM_A + _PERM_B).min(axis=0).tobytes()
    return [raw[start:end] for start, end in _CUTS]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct values."""
    if not a.size or not b.size:
        return 0.0
    both = np.intersect1d(a, b, assume_unique=True).size
    return both / (a.size + b.size - both)


class CopyDetector:
    """Remembers recent articles and says which earlier one a new article copies.

    Bands are :data:`BANDS` (b, r): the :data:`NUM_PERM` MinHash values split into b bands
    of r rows, which finds pairs at Jaccard 0.7 nine times in ten and at 0.8 98 times in
    100, while pairs below 0.3 rarely reach the (exact) verification.
    """

    def __init__(self, threshold: float = 0.7, min_shingles: int = 12) -> None:
        """``threshold``: Jaccard similarity of shingle sets that makes a near-copy."""
        self.threshold = threshold
        self.min_shingles = min_shingles
        self._buckets: list[dict[bytes, dict[Hashable, None]]] = [{} for _ in _CUTS]
        self._bands: dict[Hashable, list[bytes]] = {}
        self._by_url: dict[str, Hashable] = {}
        self._by_words: dict[bytes, Hashable] = {}
        self._shingles: dict[Hashable, np.ndarray] = {}
        self._keys: dict[Hashable, tuple[str, bytes]] = {}

    def __len__(self) -> int:
        """How many articles are remembered."""
        return len(self._keys)

    def find(
        self, url: str, digest: bytes, shingles: np.ndarray, bands: list[bytes] | None = None
    ) -> tuple[Hashable | None, float]:
        """The remembered article this one copies, with its similarity, or (None, 0.0).

        ``bands``: :func:`band_values` of ``shingles`` when already computed.
        """
        if url and url in self._by_url:
            return self._by_url[url], 1.0
        if digest in self._by_words:
            return self._by_words[digest], 1.0
        if shingles.size < self.min_shingles or not self._shingles:
            return None, 0.0
        found: dict[Hashable, None] = {}
        values = band_values(shingles) if bands is None else bands
        for buckets, value in zip(self._buckets, values, strict=True):
            bucket = buckets.get(value)
            if bucket:
                found.update(bucket)
        best, best_score = None, 0.0
        for key in found:
            score = jaccard(shingles, self._shingles[key])
            if score >= self.threshold and score > best_score:
                best, best_score = key, score
        return best, best_score

    def add(
        self,
        key: Hashable,
        url: str,
        digest: bytes,
        shingles: np.ndarray,
        bands: list[bytes] | None = None,
    ) -> None:
        """Remember an article so that later copies of it are found."""
        if key in self._keys:
            return
        self._keys[key] = (url, digest)
        if url:
            self._by_url.setdefault(url, key)
        self._by_words.setdefault(digest, key)
        if shingles.size >= self.min_shingles:
            self._shingles[key] = shingles
            values = self._bands[key] = band_values(shingles) if bands is None else bands
            for buckets, value in zip(self._buckets, values, strict=True):
                bucket = buckets.get(value)
                if bucket is None:
                    buckets[value] = {key: None}
                else:
                    bucket[key] = None

    def remove(self, key: Hashable) -> None:
        """Forget an article (it left the time window)."""
        url, digest = self._keys.pop(key, ("", b""))
        if url and self._by_url.get(url) == key:
            del self._by_url[url]
        if self._by_words.get(digest) == key:
            del self._by_words[digest]
        if self._shingles.pop(key, None) is not None:
            for buckets, value in zip(self._buckets, self._bands.pop(key), strict=True):
                bucket = buckets[value]
                del bucket[key]
                if not bucket:
                    del buckets[value]
