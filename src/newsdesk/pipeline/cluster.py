"""Streaming story clustering: each article joins an existing story or starts a new one.

Articles arrive one at a time. Each becomes a TF-IDF vector over word stems, with headline
words counted twice and an IDF learned online from the stream at the level of stories (a
word that keeps coming back inside one big story stays distinctive; a word found in many
stories does not). A copy or near-copy of a remembered article joins that article's story.
Any other article is scored against the stories that share its strongest terms (an
inverted index): a blend of cosine-to-centroid and mean cosine to the members (so a
sprawling topic blob does not swallow every article that mentions its main name), or the
mean of its two best matches among the story's latest articles, whichever is higher. Articles
close in time get a bonus, distant ones fade. The best story above the threshold wins
(a lower one for an article of few terms, such as a headline alone, whose cosines run
low); otherwise the article starts a new story. A story that has grown is merged with any story
whose centroid has come close to its own. Stories whose last article is older than the
window are forgotten, so memory is bounded by the window.

Speed: article vectors keep their terms heaviest first (their strongest terms are a prefix),
each story keeps the divisor of its centroid score, the inverted index holds ordered sets
(results do not depend on the hash seed), and the hot loops run in C where possible.

Reading an article (:func:`featurise`: words, stems, shingles, MinHash bands) is kept
apart from placing it (:meth:`StoryClusterer.add`), so that the reading can run in
parallel worker processes and only the placing runs one at a time.

Pure: no clock (time is the articles' own dates), no I/O, plain data in and out.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, compress, islice
from operator import itemgetter, mul
from typing import Any

import numpy as np

from newsdesk.pipeline.dedup import CopyDetector, band_values, words_key
from newsdesk.pipeline.textfeatures import analyse, shingle_hashes

DAY = 86_400.0
Vector = dict[int, float]
_first = itemgetter(0)


@dataclass(frozen=True)
class Params:
    """Constants of the clusterer; one set serves every kind of stream."""

    threshold: float = 0.30  # score needed to join a story
    short_threshold: float = 0.15  # ... for an article of fewer than short_terms terms
    short_terms: int = 12  # (a headline alone: few words, so lower cosines)
    title_weight: float = 2.0  # a headline word counts this many times
    max_words: int = 200  # words of body text read (the lead carries the event)
    shingle_words: int = 150  # words shingled for copy detection
    link: float = 0.75  # 0: cosine to the centroid; 1: mean cosine to the members
    knn: int = 2  # ... or the mean of this many best matches among recent members
    recent: int = 12  # latest member vectors kept per story for that
    knn_candidates: int = 2  # best-scoring stories also checked member by member
    doc_terms: int = 40  # terms kept per article vector
    story_terms: int = 96  # terms kept per story centroid
    index_terms: int = 10  # strongest terms of each article posted for its story
    query_terms: int = 6  # strongest article terms used to find candidate stories
    max_postings: int = 100  # terms listed for more stories than this are not queried
    max_candidates: int = 6  # stories scored per article
    merge_threshold: float = 0.55  # centroid cosine at which two stories become one
    time_bonus: float = 1.0  # similarity gain for articles published at the same moment
    bonus_half_life_days: float = 0.25  # ... halving over this gap
    half_life_days: float = 7.0  # similarity halves over this gap
    bits: int = 21  # document-frequency table of 2**bits slots
    idf_horizon: float = 500_000.0  # counts are halved when this many stories were seen
    near_copy: float = 0.7  # Jaccard similarity of shingle sets that makes a near-copy


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the clusterer reads from one article, computed without any shared state.

    ``terms``: stem hash -> term-frequency weight, 1 + log(count) with headline words
    counted ``title_weight`` times; ``digest``: hash of the word
    sequence (exact copies); ``shingles``: sorted 3-word shingle hashes and ``bands`` their
    MinHash LSH band values (near-copies); ``url``: the article's URL.
    """

    terms: dict[int, float]
    digest: bytes
    shingles: np.ndarray
    bands: list[bytes]
    url: str = ""


def featurise(doc: dict, params: Params | None = None) -> ArticleFeatures:
    """Read one article (``title``, ``text``, ``url``) as the clusterer sees it.

    Deterministic and free of shared state, so it can run in any process ahead of
    :meth:`StoryClusterer.add`, outside whatever lock serialises the placing.
    """
    p = params or Params()
    feats = analyse(
        doc.get("title") or "",
        doc.get("text") or "",
        title_weight=p.title_weight,
        max_words=p.max_words,
    )
    shingles = shingle_hashes(feats.shingle_source(p.shingle_words))
    log = math.log
    tf = {t: 1.0 + log(c) for t, c in feats.terms.items()}
    return ArticleFeatures(
        tf, words_key(feats.hashes), shingles, band_values(shingles), doc.get("url") or ""
    )


@dataclass(frozen=True)
class Assignment:
    """Where one article went: its story, the article it copies (if any) and the score."""

    id: Hashable
    story: Hashable
    copy_of: Hashable | None
    score: float


@dataclass(eq=False, slots=True)
class _Story:
    """A live story: centroid of its articles' vectors and what the indexes hold for it."""

    key: Hashable
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0
    size: int = 0
    last: float | None = None
    posted: set[int] = field(default_factory=set)
    members: list[Hashable] = field(default_factory=list)
    recent: deque = field(default_factory=deque)
    aliases: list[Hashable] = field(default_factory=list)
    refined: int = 0  # size at the last refinement
    scale: float = 0.0  # norm ** (1 - link) * size ** link, the centroid score's divisor


def parse_time(value: Any) -> float | None:
    """Seconds since the epoch of an ISO date string, datetime or number; None if missing."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def dot(a: Vector, b: Vector) -> float:
    """Inner product of two sparse vectors."""
    return sum([a[t] * b[t] for t in a.keys() & b.keys()])


def strongest(vector: Vector, n: int) -> list[int]:
    """The ``n`` heaviest terms of a sparse vector."""
    if len(vector) <= n:
        return list(vector)
    return sorted(vector, key=vector.__getitem__, reverse=True)[:n]


def unit(vector: Vector) -> Vector:
    """The vector scaled to unit length (unchanged when empty)."""
    norm = math.sqrt(sum(map(mul, vector.values(), vector.values())))
    return {t: w / norm for t, w in vector.items()} if norm else vector


def _top(counts: dict[Hashable, int], limit: int) -> list[Hashable]:
    """The ``limit`` keys with the highest counts, ties in insertion order (all keys, in
    insertion order, when there are no more than ``limit``).

    The same as ``Counter.most_common`` but with the loops in C: most keys count once,
    so only the few counted more than once are sorted.
    """
    if len(counts) <= limit:
        return list(counts)
    multi = list(compress(counts, map((1).__lt__, counts.values())))
    if len(multi) >= limit:
        return sorted(multi, key=counts.__getitem__, reverse=True)[:limit]
    multi.sort(key=counts.__getitem__, reverse=True)
    once = compress(counts, map((1).__eq__, counts.values()))
    return multi + list(islice(once, limit - len(multi)))


class StoryClusterer:
    """Online story clustering with copy detection over a sliding time window."""

    def __init__(
        self,
        window_days: float | None = 3.0,
        story_key: Callable[[dict], Hashable] | None = None,
        **params: Any,
    ) -> None:
        """``window_days`` None or 0 keeps every story; ``params`` override :class:`Params`.

        ``story_key`` names a new story from its first article (default: the article id).
        """
        self.params = p = Params(**params)
        self.window = window_days * DAY if window_days else None
        self.story_key = story_key or (lambda doc: doc["id"])
        self._mask = (1 << p.bits) - 1
        self.story_freq = array("f", bytes(4 << p.bits))
        self._log_freq = array("f", bytes(4 << p.bits))  # log(story_freq + 1), kept in step
        self.n_stories = 0.0
        self.stories: dict[Hashable, _Story] = {}
        self.index: dict[int, dict[Hashable, None]] = {}  # term -> stories (ordered set)
        self.aliases: dict[Hashable, Hashable] = {}
        self.story_of: dict[Hashable, Hashable] = {}
        self.copies = CopyDetector(threshold=p.near_copy)
        self.origin: dict[Hashable, Hashable] = {}
        self.merges: list[tuple[Hashable, Hashable]] = []
        self.now: float | None = None
        self._story_heap: list[tuple[float, int, Hashable]] = []
        self._doc_heap: list[tuple[float, int, Hashable]] = []
        self._seq = 0

    # ----------------------------------------------------------------- public API

    def add(
        self,
        doc: dict,
        story: Hashable | None = None,
        features: ArticleFeatures | None = None,
    ) -> Assignment:
        """Place one article; with ``story`` given, record it there without deciding.

        ``features`` are the article's :func:`featurise` output when already computed
        (they must come from the same parameters); else they are computed here.
        """
        when = parse_time(doc.get("date"))
        self._advance(when)
        when = when if when is not None else self.now
        feats = features if features is not None else featurise(doc, self.params)
        vector = self._vectorise(feats.terms)
        original, score = self.copies.find(feats.url, feats.digest, feats.shingles, feats.bands)
        if original is not None:
            original = self.origin.get(original, original)
        if story is not None:
            key, score = self.resolve(story), 1.0
        elif original is not None and original in self.story_of:
            key = self.story_of[original]
        else:
            key, score = self._choose(vector, when)
            key = self.story_key(doc) if key is None else key
        grown = self._record(doc["id"], key, vector, when)
        if story is None and grown:
            self._refine(key)
        self.copies.add(doc["id"], feats.url, feats.digest, feats.shingles, feats.bands)
        if original is not None:
            self.origin[doc["id"]] = original
        self._remember_doc(doc["id"], when)
        return Assignment(doc["id"], self.resolve(key), original, round(score, 4))

    def merge(self, keep: Hashable, gone: Hashable) -> None:
        """Fold story ``gone`` into story ``keep`` (an editor's decision, or a refinement)."""
        keep, gone = self.resolve(keep), self.resolve(gone)
        if keep == gone:
            return
        self.aliases[gone] = keep
        target = self._story(keep)
        target.aliases.append(gone)
        lost = self.stories.pop(gone, None)
        if lost is None:
            return
        for term in lost.posted:
            self.index[term].pop(gone, None)
        for term, weight in lost.centroid.items():
            target.centroid[term] = target.centroid.get(term, 0.0) + weight
        target.size += lost.size
        target.members.extend(lost.members)
        target.aliases.extend(lost.aliases)
        target.recent.extend(lost.recent)
        while len(target.recent) > self.params.recent:
            target.recent.popleft()
        for member in lost.members:
            self.story_of[member] = keep
        if lost.last is not None and (target.last is None or lost.last > target.last):
            target.last = lost.last
            self._schedule(target)
        self._post(target, lost.posted)
        self._finish_centroid(target, exact=True)

    def resolve(self, story: Hashable) -> Hashable:
        """The live name of a story that may have been merged into another."""
        while story in self.aliases:
            story = self.aliases[story]
        return story

    def drain_merges(self) -> list[tuple[Hashable, Hashable]]:
        """Automatic merges ``(keep, gone)`` made since the last call, oldest first."""
        done, self.merges = self.merges, []
        return done

    @property
    def active_articles(self) -> int:
        """Articles whose stories are still inside the window."""
        return len(self.story_of)

    # ----------------------------------------------------------------- scoring

    def _vectorise(self, tf: dict[int, float]) -> Vector:
        """The article's unit-length TF-IDF vector (IDF over stories seen so far).

        Its terms come heaviest first, so that the strongest ``n`` are its first ``n``.
        """
        lf, mask = self._log_freq, self._mask
        top = math.log(self.n_stories + 2.0) + 1.0
        weights = {t: w * (top - lf[t & mask]) for t, w in tf.items()}
        order = sorted(weights, key=weights.__getitem__, reverse=True)[: self.params.doc_terms]
        norm = math.sqrt(sum([weights[t] ** 2 for t in order]))
        return {t: weights[t] / norm for t in order} if norm else {t: weights[t] for t in order}

    def _candidates(self, terms: Iterable[int], limit: int) -> list[Hashable]:
        """Stories sharing the most of the given (strongest) terms, best first."""
        index, most = self.index, self.params.max_postings
        lists = []
        for term in terms:
            postings = index.get(term)
            if postings and len(postings) <= most:
                lists.append(postings)
        if not lists:
            return []
        if len(lists) == 1:
            return list(islice(lists[0], limit))
        return _top(Counter(chain.from_iterable(lists)), limit)

    def _similarity(self, vector: Vector, story: _Story, when: float | None) -> float:
        """How well an article fits a story's centroid (between centroid and mean link)."""
        score = dot(vector, story.centroid) / story.scale if story.scale else 0.0
        return self._timed(score, story, when) if when is not None else score

    def _nearest(self, vector: Vector, story: _Story, when: float | None) -> float:
        """The mean similarity of the article to its best matches among recent members."""
        sims = sorted([dot(vector, v) for v in story.recent], reverse=True)[: self.params.knn]
        return self._timed(sum(sims) / len(sims), story, when) if sims else 0.0

    def _timed(self, score: float, story: _Story, when: float | None) -> float:
        """A similarity raised for articles close in time and faded for distant ones."""
        if when is None or story.last is None or not score:
            return score
        p = self.params
        gap = abs(when - story.last) / DAY
        score *= 1.0 + p.time_bonus * 0.5 ** (gap / p.bonus_half_life_days)
        return score * 0.5 ** (gap / p.half_life_days)

    def _choose(self, vector: Vector, when: float | None) -> tuple[Hashable | None, float]:
        """The best story for a new article, or (None, best score) when none is close."""
        p = self.params
        stories, similarity = self.stories, self._similarity
        keys = self._candidates(islice(vector, p.query_terms), p.max_candidates)
        if not keys:
            return None, 0.0
        scored = [(similarity(vector, stories[key], when), key) for key in keys]
        scored.sort(key=_first, reverse=True)
        best_score, best = scored[0]
        threshold = p.threshold if len(vector) >= p.short_terms else p.short_threshold
        if p.knn and best_score < 1.5 * threshold:  # a clear winner needs no second look
            for score, key in scored[: p.knn_candidates]:
                story = stories[key]
                if story.size > 1 and score > 0.0:
                    near = self._nearest(vector, story, when)
                    if near > best_score:
                        best, best_score = key, near
        if best_score < threshold:
            return None, best_score
        return best, best_score

    def _refine(self, key: Hashable) -> None:
        """Merge into story ``key`` the stories whose centroids have come close to its own."""
        story = self.stories[key]
        if story.size < story.refined * 1.5 + 1:
            return
        story.refined = story.size
        if not story.norm:
            return
        centroid, least = story.centroid, self.params.merge_threshold * story.norm
        query = strongest(centroid, self.params.query_terms)
        for other in self._candidates(query, self.params.max_candidates):
            target = self.stories.get(other)
            if target is None or target is story or not target.norm:
                continue
            if dot(centroid, target.centroid) / target.norm >= least:
                keep, gone = (key, other) if story.size >= target.size else (other, key)
                self.merges.append((keep, gone))
                self.merge(keep, gone)
                return

    # ------------------------------------------------------------- bookkeeping

    def _story(self, key: Hashable) -> _Story:
        """The live story called ``key``, created empty when new."""
        story = self.stories.get(key)
        if story is None:
            story = self.stories[key] = _Story(key)
        return story

    def _record(self, doc_id: Hashable, key: Hashable, vector: Vector, when) -> bool:
        """Add an article to a story; True when the story already had articles."""
        story = self._story(key)
        p = self.params
        centroid, sf, lf, mask = story.centroid, self.story_freq, self._log_freq, self._mask
        grown = story.size > 0
        if not grown:
            self.n_stories += 1.0
            if self.n_stories > p.idf_horizon:
                self._halve_counts()
        length = 1.0 if vector else 0.0  # article vectors are unit length (or empty)
        story.norm = math.sqrt(max(story.norm**2 + 2.0 * dot(vector, centroid) + length, 0.0))
        for term, weight in vector.items():
            if term in centroid:
                centroid[term] += weight
            else:
                slot = term & mask
                sf[slot] += 1.0
                lf[slot] = math.log(sf[slot] + 1.0)
                centroid[term] = weight
        story.size += 1
        story.members.append(doc_id)
        story.recent.append(dict(islice(vector.items(), p.index_terms * 2)))
        if len(story.recent) > p.recent:
            story.recent.popleft()
        self.story_of[doc_id] = key
        if when is not None and (story.last is None or when > story.last):
            story.last = when
            self._schedule(story)
        self._post(story, islice(vector, p.index_terms))
        self._finish_centroid(story)
        return grown

    def _halve_counts(self) -> None:
        """Forget half of the story counts so the IDF follows the recent stream."""
        freq = np.frombuffer(self.story_freq, dtype=np.float32)
        freq *= 0.5
        np.log(freq + 1.0, out=np.frombuffer(self._log_freq, dtype=np.float32))
        self.n_stories *= 0.5

    def _post(self, story: _Story, terms: Iterable[int]) -> None:
        """List the story under each of ``terms`` in the inverted index."""
        for term in terms:
            if term not in story.posted:
                story.posted.add(term)
                postings = self.index.get(term)
                if postings is None:
                    self.index[term] = {story.key: None}
                else:
                    postings[story.key] = None

    def _finish_centroid(self, story: _Story, *, exact: bool = False) -> None:
        """Prune the centroid to its strongest terms; recompute the norm when needed."""
        limit = self.params.story_terms
        if len(story.centroid) > 2 * limit:
            story.centroid = {t: story.centroid[t] for t in strongest(story.centroid, limit)}
            exact = True
        if exact:
            values = story.centroid.values()
            story.norm = math.sqrt(sum(map(mul, values, values)))
        link = self.params.link
        story.scale = story.norm ** (1.0 - link) * story.size**link

    def _schedule(self, story: _Story) -> None:
        """Queue a story for eviction once its last article leaves the window."""
        if self.window and story.last is not None:
            self._seq += 1
            heapq.heappush(self._story_heap, (story.last, self._seq, story.key))

    def _remember_doc(self, doc_id: Hashable, when: float | None) -> None:
        """Queue an article for removal from the copy detector when it leaves the window."""
        if self.window and when is not None:
            self._seq += 1
            heapq.heappush(self._doc_heap, (when, self._seq, doc_id))

    def _advance(self, when: float | None) -> None:
        """Move the stream clock forward and forget what fell out of the window."""
        if when is None or (self.now is not None and when <= self.now):
            return
        self.now = when
        if not self.window:
            return
        horizon = when - self.window
        while self._doc_heap and self._doc_heap[0][0] < horizon:
            doc_id = heapq.heappop(self._doc_heap)[2]
            self.copies.remove(doc_id)
            self.origin.pop(doc_id, None)
        while self._story_heap and self._story_heap[0][0] < horizon:
            last, _, key = heapq.heappop(self._story_heap)
            story = self.stories.get(key)
            if story is not None and story.last == last:
                self._evict(story)

    def _evict(self, story: _Story) -> None:
        """Forget a story whose last article is older than the window."""
        del self.stories[story.key]
        for term in story.posted:
            postings = self.index[term]
            postings.pop(story.key, None)
            if not postings:
                del self.index[term]
        for member in story.members:
            self.story_of.pop(member, None)
        for alias in story.aliases:
            self.aliases.pop(alias, None)


def cluster_records(
    records: Iterable[dict], window_days: float | None = 3.0, settle: int = 0, **params: Any
) -> Iterator[dict]:
    """Cluster a stream of articles; yields ``{id, story, copy_of?}`` in input order.

    With ``settle`` > 0 each result waits for that many later articles, so that story
    merges made meanwhile are reflected in the story it names.
    """
    clusterer = StoryClusterer(window_days=window_days, **params)
    pending: deque[Assignment] = deque()
    for record in records:
        pending.append(clusterer.add(record))
        while len(pending) > settle:
            yield _result(clusterer, pending.popleft())
    while pending:
        yield _result(clusterer, pending.popleft())


def _result(clusterer: StoryClusterer, done: Assignment) -> dict:
    """The output record of one assignment, naming the story's current name."""
    out: dict[str, Any] = {"id": done.id, "story": clusterer.resolve(done.story)}
    if done.copy_of is not None:
        out["copy_of"] = done.copy_of
    return out


def final_assignments(records: Iterable[dict], window_days: float | None = 3.0) -> list[dict]:
    """Cluster a whole stream; every record's story as it stands at the end (merges applied).

    Returns ``{id, story, copy_of?}`` in input order, for files and batch use.
    """
    clusterer = StoryClusterer(window_days=window_days)
    done: list[Assignment] = []
    merged_into: dict[Hashable, Hashable] = {}
    for record in records:
        done.append(clusterer.add(record))
        for keep, gone in clusterer.drain_merges():
            merged_into[gone] = keep

    def final(story: Hashable) -> Hashable:
        while story in merged_into:
            story = merged_into[story]
        return story

    out = []
    for item in done:
        row: dict[str, Any] = {"id": item.id, "story": final(item.story)}
        if item.copy_of is not None:
            row["copy_of"] = item.copy_of
        out.append(row)
    return out
