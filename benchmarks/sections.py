"""Benchmark of sections read from an article's own words (newsdesk.pipeline.section_text).

    python benchmarks/sections.py [--data FILE]

The UCI News Aggregator subset (shared/data/clustering/uci-news-aggregator-subset, read
from there, never copied) gives each headline a category: business, entertainment, health,
or science and technology. Headlines alone are classified (no text: the hardest case), and
the section given is checked against the category (Technology or Science both count for
science and technology). Prints coverage (share of headlines given a section), precision
(share of those that are right), per-category figures, and the speed, as one JSON line.
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

from newsdesk.pipeline.section_text import section_from_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clustering" / "uci-news-aggregator-subset"
DEFAULT_FILE = DEFAULT_DATA / "headlines.jsonl"
EXPECTED = {
    "b": {"Business"},
    "e": {"Culture"},
    "m": {"Health"},
    "t": {"Technology", "Science"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    records = [r for r in records if r.get("category") in EXPECTED]
    start = time.perf_counter()
    given = [section_from_text(r["title"], r.get("text") or "") for r in records]
    seconds = time.perf_counter() - start
    per: dict[str, Counter[str]] = {}
    for record, section in zip(records, given, strict=True):
        tally = per.setdefault(record["category"], Counter())
        tally["headlines"] += 1
        tally["given"] += bool(section)
        tally["right"] += section in EXPECTED[record["category"]]
    total = sum(per.values(), Counter())
    result = {
        "benchmark": "sections",
        "headlines": total["headlines"],
        "coverage": round(total["given"] / total["headlines"], 4),
        "precision": round(total["right"] / max(1, total["given"]), 4),
        "by_category": {
            c: {
                "headlines": t["headlines"],
                "coverage": round(t["given"] / t["headlines"], 4),
                "precision": round(t["right"] / max(1, t["given"]), 4),
            }
            for c, t in sorted(per.items())
        },
        "headlines_per_s": round(len(records) / seconds),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
