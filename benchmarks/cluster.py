"""Benchmark of the story-clustering stage (newsdesk.pipeline.cluster).

    python benchmarks/cluster.py [--data DIR ...] [--speed-articles N] [--no-speed]

Each ``--data`` is one evaluation set under shared/data/clustering (default: all three
found there). The data is third-party material: it is read from there, never copied.

- allsides-2021-dev: in date order (ties in a fixed shuffled order), with a 1-day and a
  3-day window, and once with no window and no dates at all.
- allsides-neus-dev: shuffled with a fixed seed (the file lists each story's articles
  together), no dates, no window.
- uci-news-aggregator-subset: titles only, shuffled with a fixed seed, no dates, no window.

Scores are BCubed (headline) and pairwise P/R/F1 of the stories as they stand after the
whole stream (automatic merges applied), with BCubed F1 at arrival time beside them. Then
a synthetic speed test: a stream of perturbed copies of the real records, generated in
memory, with dates spread so that the window holds all of them, timed on one core.
Ends with one JSON line summarising every figure.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.pipeline.cluster import Params, StoryClusterer, featurise  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clustering"
SEED = 13
Variant = tuple[str, list[dict], dict[str, str], float | None]


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def shuffled(records: list[dict]) -> list[dict]:
    """The records in a fixed pseudo-random order."""
    out = list(records)
    random.Random(SEED).shuffle(out)
    return out


def pick(record: dict, fields: tuple[str, ...]) -> dict:
    """Only the named fields of a record: what the clusterer may see."""
    return {k: record[k] for k in fields if record.get(k) not in (None, "")}


def allsides_2021(folder: Path) -> list[Variant]:
    """The dated set, with windows of 1 and 3 days, and undated with no window."""
    records = sorted(shuffled(read_jsonl(folder / "articles.jsonl")), key=lambda r: r["date"])
    gold = {r["id"]: r["cluster"] for r in records}
    dated = [pick(r, ("id", "title", "text", "date", "url", "source")) for r in records]
    undated = [pick(r, ("id", "title", "text", "url", "source")) for r in records]
    name = folder.name
    return [
        (f"{name} window=1d", dated, gold, 1.0),
        (f"{name} window=3d", dated, gold, 3.0),
        (f"{name} no window, no dates", undated, gold, None),
    ]


def allsides_neus(folder: Path) -> list[Variant]:
    """Undated leads, shuffled, no window."""
    records = shuffled(read_jsonl(folder / "articles.jsonl"))
    gold = {r["id"]: r["cluster"] for r in records}
    docs = [pick(r, ("id", "title", "text")) for r in records]
    return [(f"{folder.name} no window", docs, gold, None)]


def uci_subset(folder: Path) -> list[Variant]:
    """Headlines only, shuffled, no dates, no window."""
    records = shuffled(read_jsonl(folder / "headlines.jsonl"))
    gold = {r["id"]: r["cluster"] for r in records}
    docs = [pick(r, ("id", "title", "url", "source")) for r in records]
    return [(f"{folder.name} titles, shuffled, no window", docs, gold, None)]


LOADERS: dict[str, Callable[[Path], list[Variant]]] = {
    "allsides-2021-dev": allsides_2021,
    "allsides-neus-dev": allsides_neus,
    "uci-news-aggregator-subset": uci_subset,
}


def bcubed(gold: dict, pred: dict) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a predicted clustering against gold stories."""
    gold_size, pred_size = Counter(gold.values()), Counter(pred.values())
    both = Counter((gold[i], pred[i]) for i in gold)
    precision = sum(both[gold[i], pred[i]] / pred_size[pred[i]] for i in gold) / len(gold)
    recall = sum(both[gold[i], pred[i]] / gold_size[gold[i]] for i in gold) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise(gold: dict, pred: dict) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over all unordered pairs of documents."""

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp = pairs(Counter((gold[i], pred[i]) for i in gold))
    predicted, actual = pairs(Counter(pred.values())), pairs(Counter(gold.values()))
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cluster(docs: list[dict], window: float | None) -> tuple[dict, dict, float]:
    """Stories at arrival time, stories after the stream (merges applied), and seconds."""
    clusterer = StoryClusterer(window_days=window)
    arrival: dict[str, object] = {}
    merged_into: dict[object, object] = {}
    start = time.perf_counter()
    for doc in docs:
        arrival[doc["id"]] = clusterer.add(doc).story
        for keep, gone in clusterer.drain_merges():
            merged_into[gone] = keep
    seconds = time.perf_counter() - start

    def final(story: object) -> object:
        while story in merged_into:
            story = merged_into[story]
        return story

    return arrival, {i: final(s) for i, s in arrival.items()}, seconds


def peak_memory(docs: list[dict], window: float | None) -> float:
    """Peak traced memory in MiB while clustering ``docs`` (a separate, slower run)."""
    tracemalloc.start()
    cluster(docs, window)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def evaluate(name: str, docs: list[dict], gold: dict, window: float | None) -> dict:
    """Scores, speed and memory of one set variant; prints a summary line."""
    arrival, final, seconds = cluster(docs, window)
    bp, br, bf = bcubed(gold, final)
    pp, pr, pf = pairwise(gold, final)
    result = {
        "articles": len(docs),
        "stories_gold": len(set(gold.values())),
        "stories_found": len(set(final.values())),
        "bcubed_p": round(bp, 4),
        "bcubed_r": round(br, 4),
        "bcubed_f1": round(bf, 4),
        "bcubed_f1_at_arrival": round(bcubed(gold, arrival)[2], 4),
        "pairwise_p": round(pp, 4),
        "pairwise_r": round(pr, 4),
        "pairwise_f1": round(pf, 4),
        "articles_per_s": round(len(docs) / seconds),
        "peak_mib": round(peak_memory(docs, window), 1),
    }
    print(
        f"{name}: BCubed P {bp:.3f} R {br:.3f} F1 {bf:.3f} "
        f"(at arrival {result['bcubed_f1_at_arrival']:.3f}) | pairwise P {pp:.3f} R {pr:.3f} "
        f"F1 {pf:.3f} | {result['stories_found']} stories for {result['stories_gold']} | "
        f"{result['articles_per_s']} articles/s, peak {result['peak_mib']} MiB",
        flush=True,
    )
    return result


def synthetic_stream(seeds: list[dict], count: int, window_days: float) -> Iterator[dict]:
    """``count`` perturbed copies of real records, dated evenly across ``window_days``.

    Each article takes a random real record, replaces about a third of its words with
    words of other records and keeps the rest, so copies of one record read like several
    outlets covering one event; about one in ten is a light edit (a near-copy).
    """
    rng = random.Random(SEED)
    vocabulary = [w for r in seeds[:2000] for w in (r.get("title") or "").split()]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=window_days) / count

    def perturb(text: str, rate: float) -> str:
        words = text.split()
        return " ".join(rng.choice(vocabulary) if rng.random() < rate else w for w in words)

    for i in range(count):
        seed = rng.choice(seeds)
        rate = 0.03 if rng.random() < 0.1 else 0.33
        yield {
            "id": f"syn{i}",
            "title": perturb(seed.get("title") or "", rate),
            "text": perturb(seed.get("text") or "", rate),
            "url": f"https://synthetic.example/{i}",
            "date": (start + i * step).isoformat(),
        }


def speed_test(seeds: list[dict], count: int, window_days: float = 3.0) -> dict:
    """Articles per second and bytes per active article with ``count`` articles in window.

    Timed three ways on one core: the whole ``add`` (reading and placing), reading alone
    (:func:`featurise`, which the pipeline runs in parallel workers outside the lock) and
    placing alone (``add`` given the features: the part that runs one at a time).
    """
    docs = list(synthetic_stream(seeds, count, window_days))
    clusterer = StoryClusterer(window_days=window_days)
    start = time.perf_counter()
    for doc in docs:
        clusterer.add(doc)
        clusterer.drain_merges()
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    features = [featurise(doc) for doc in docs]
    reading = time.perf_counter() - start
    placed = StoryClusterer(window_days=window_days)
    start = time.perf_counter()
    for doc, feats in zip(docs, features, strict=True):
        placed.add(doc, features=feats)
        placed.drain_merges()
    placing = time.perf_counter() - start
    del features
    copies = len(clusterer.origin)
    tracemalloc.start()
    measured = StoryClusterer(window_days=window_days)
    for doc in docs:
        measured.add(doc)
        measured.drain_merges()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    active = measured.active_articles
    result = {
        "articles": count,
        "active_articles": active,
        "stories": len(clusterer.stories),
        "copies_found": copies,
        "articles_per_s": round(count / seconds),
        "featurise_per_s": round(count / reading),
        "assign_per_s": round(count / placing),
        "bytes_per_active_article": round(used / max(active, 1)),
    }
    print(
        f"synthetic: {count} articles in a {window_days:g}-day window, "
        f"{result['articles_per_s']} articles/s on one core (reading alone "
        f"{result['featurise_per_s']}/s, placing alone {result['assign_per_s']}/s), "
        f"{active} active articles, {result['bytes_per_active_article']} bytes each, "
        f"{result['stories']} stories, {copies} copies",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark over the chosen sets and print the JSON summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", type=Path, help="a set folder (repeatable)")
    parser.add_argument("--speed-articles", type=int, default=100_000)
    parser.add_argument("--no-speed", action="store_true", help="skip the synthetic test")
    args = parser.parse_args(argv)
    folders = args.data or [DEFAULT_DATA / name for name in LOADERS]
    summary: dict[str, object] = {"bench": "cluster", "params": asdict(Params())}
    sets: dict[str, dict] = {}
    seeds: list[dict] = []
    for folder in folders:
        loader = LOADERS.get(folder.name)
        if loader is None or not folder.is_dir():
            print(f"skipped {folder}: not a known set", file=sys.stderr)
            continue
        for name, docs, gold, window in loader(folder):
            sets[name] = evaluate(name, docs, gold, window)
            seeds.extend(d for d in docs if d.get("text"))
    summary["sets"] = sets
    if not args.no_speed and seeds:
        summary["speed"] = speed_test(seeds, args.speed_articles)
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
