"""Benchmark of the place, person and organisation finders (newsdesk.pipeline.places, .names).

    python benchmarks/entities.py [--fixture FILE] [--repeat N] [--verbose]

Scores the finders (the rules: no spaCy model, even if one is installed) against the
hand-annotated invented articles of tests/fixtures/entities/articles.json. Articles sharing a
story id are one story's texts (titles and bodies) and are scored together, as a set of
distinct places (name and country code) and a set of distinct people and organisations
(name or alias, and kind); precision, recall and F1 are micro-averaged over the stories.
Also times the gazetteer's first build (this process's first call), measures the memory the
built index holds (tracemalloc, a second build), and the time per article of both finders.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.pipeline.names import find_names  # noqa: E402
from newsdesk.pipeline.places import build_gazetteer, find_places, gazetteer, key_of  # noqa: E402

DEFAULT_FIXTURE = ROOT / "tests" / "fixtures" / "entities" / "articles.json"


@dataclass
class Tally:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1, rounded."""
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        total = precision + recall
        f1 = 2 * precision * recall / total if total else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def load_stories(path: Path) -> dict[str, list[dict]]:
    """The fixture's articles grouped by story, in file order."""
    stories: dict[str, list[dict]] = {}
    for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
        stories.setdefault(article["story"], []).append(article)
    return stories


def story_texts(articles: list[dict]) -> list[str]:
    """A story's titles and bodies."""
    return [text for a in articles for text in (a["title"], a["text"])]


def name_form(text: str) -> str:
    """A name as compared: case-folded, no dots, no leading "the"."""
    folded = " ".join(text.casefold().replace(".", "").split())
    return folded.removeprefix("the ")


def gold_places(articles: list[dict]) -> list[frozenset[tuple[str, str]]]:
    """The story's annotated places, each as its set of accepted forms."""
    seen = {(key_of(p["name"]), p["country_code"]) for a in articles for p in a["places"]}
    return [frozenset({place}) for place in sorted(seen)]


def gold_names(articles: list[dict]) -> list[frozenset[tuple[str, str]]]:
    """The story's annotated people and organisations, each as its set of (form, kind)."""
    out: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
    for article in articles:
        for kind, field in (("person", "people"), ("organisation", "organisations")):
            for entry in article[field]:
                name = entry if isinstance(entry, str) else entry["name"]
                aliases = [] if isinstance(entry, str) else entry.get("aliases", [])
                forms = frozenset((name_form(n), kind) for n in [name, *aliases])
                out.setdefault((name_form(name), kind), forms)
    return list(out.values())


def tally(predicted: Iterable[frozenset[tuple[str, str]]], gold: list[frozenset]) -> Tally:
    """Match each prediction to at most one unmatched gold entry sharing a form."""
    result = Tally()
    unmatched = list(gold)
    for forms in predicted:
        hit = next((g for g in unmatched if g & forms), None)
        if hit is None:
            result.fp += 1
        else:
            result.tp += 1
            unmatched.remove(hit)
    result.fn = len(unmatched)
    return result


def predicted_places(texts: list[str]) -> list[frozenset[tuple[str, str]]]:
    """The finder's places of a story, each as its set of forms."""
    places = find_places(texts, use_model=False)
    return [frozenset({(key_of(p.name), p.country_code)}) for p in places]


def predicted_names(texts: list[str]) -> list[frozenset[tuple[str, str]]]:
    """The finder's people and organisations of a story, each as its set of forms."""
    found = find_names(texts, use_model=False)
    return [frozenset((name_form(n), e.kind) for n in (e.name, *e.aliases)) for e in found]


def evaluate(stories: dict[str, list[dict]], verbose: bool = False) -> tuple[Tally, Tally]:
    """Place and name tallies over all stories."""
    places, names = Tally(), Tally()
    for story, articles in stories.items():
        texts = story_texts(articles)
        for total, found, gold in (
            (places, predicted_places(texts), gold_places(articles)),
            (names, predicted_names(texts), gold_names(articles)),
        ):
            one = tally(found, gold)
            total.tp, total.fp, total.fn = total.tp + one.tp, total.fp + one.fp, total.fn + one.fn
            if verbose and (one.fp or one.fn):
                print(f"{story}: {one} found={sorted(map(sorted, found))}", file=sys.stderr)
    return places, names


def index_cost() -> tuple[float, float]:
    """Seconds of the first build (cached), and MB a fresh build holds."""
    started = time.perf_counter()
    gazetteer()
    build_s = time.perf_counter() - started
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    built = build_gazetteer()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del built
    return build_s, held / 1e6


def speed(stories: dict[str, list[dict]], repeat: int) -> float:
    """Milliseconds per article for both finders (the index already built)."""
    articles = sum(len(a) for a in stories.values())
    started = time.perf_counter()
    for _ in range(repeat):
        for story in stories.values():
            texts = story_texts(story)
            find_places(texts, use_model=False)
            find_names(texts, use_model=False)
    return (time.perf_counter() - started) * 1000 / (articles * repeat)


def main(argv: list[str] | None = None) -> int:
    """Score the finders on the fixture and print the JSON summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--repeat", type=int, default=5, help="speed test rounds")
    parser.add_argument("--verbose", action="store_true", help="print each story's misses")
    args = parser.parse_args(argv)
    build_s, index_mb = index_cost()
    stories = load_stories(args.fixture)
    places, names = evaluate(stories, args.verbose)
    summary = {
        "benchmark": "entities",
        "articles": sum(len(a) for a in stories.values()),
        "places": places.scores(),
        "names": names.scores(),
        "index_build_s": round(build_s, 3),
        "index_mb": round(index_mb, 1),
        "ms_per_article": round(speed(stories, args.repeat), 3),
    }
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
