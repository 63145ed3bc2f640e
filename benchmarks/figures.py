"""Benchmark of key-figure extraction (newsdesk.pipeline.figures).

    python benchmarks/figures.py [--fixture PATH] [--repeat N]

Runs the extractor over the hand-annotated fixture (tests/fixtures/figures/articles.json)
and scores it: a predicted figure matches a gold one when value and key are equal (each
gold figure matched at most once). Then times the extractor over the whole set, ``--repeat``
times, on one core, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.pipeline.figures import extract_figures  # noqa: E402

DEFAULT_FIXTURE = ROOT / "tests" / "fixtures" / "figures" / "articles.json"


def load(path: Path) -> list[dict]:
    """The annotated articles of the fixture."""
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


def score(articles: list[dict]) -> tuple[int, int, int]:
    """(matched, predicted, gold) figures over the articles."""
    matched = predicted = gold = 0
    for article in articles:
        truth = Counter((round(f["value"], 6), f["key"]) for f in article["figures"])
        found = Counter((round(f.value, 6), f.key) for f in extract_figures(article["text"]))
        matched += sum((truth & found).values())
        predicted += sum(found.values())
        gold += sum(truth.values())
    return matched, predicted, gold


def seconds_per_pass(texts: list[str], repeat: int) -> float:
    """Fastest of ``repeat`` timed passes over all texts (after one warm-up pass)."""
    for text in texts:
        extract_figures(text)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            extract_figures(text)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    """Score and time the extractor, print the JSON summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--repeat", type=int, default=200, help="timed passes over the set")
    args = parser.parse_args(argv)
    articles = load(args.fixture)
    matched, predicted, gold = score(articles)
    precision = matched / predicted if predicted else 1.0
    recall = matched / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    texts = [article["text"] for article in articles]
    words = sum(len(text.split()) for text in texts)
    elapsed = seconds_per_pass(texts, max(1, args.repeat))
    summary = {
        "benchmark": "figures",
        "articles": len(articles),
        "figures_gold": gold,
        "figures_found": predicted,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "ms_per_article": round(elapsed * 1000 / len(texts), 4),
        "ms_per_1000_words": round(elapsed * 1000 / words * 1000, 4),
    }
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
