"""Benchmark of story summaries (newsdesk.pipeline.summarize) against editors' summaries.

    pip install -e ".[bench]"; python benchmarks/summarize.py [--data DIR ...] [--words N]

Each ``--data`` is a folder with ``articles.jsonl`` (gold ``cluster`` per article) and
``stories.jsonl`` (the editors' ``summary`` per story), read from shared/data/clustering,
never copied. Each story's articles are summarised together, in file order, through the
same code path as ``newsdesk summarize``; ROUGE-1/2/L F1 (Porter stems, the usual
``rouge-score`` settings) against the editors' summary is averaged over stories. Two
baselines run over the same stories in the same run: the first three sentences of one
article (the story's first), and the first sentence of each article.

The summary length is the editors' mean length on the set (rounded to 5 words) unless
``--words`` is given. Ends with a timing of 20-article stories (the summary alone, and
with the key figures, places and names the summary job also finds) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.pipeline.figures import align_figures, extract_figures  # noqa: E402
from newsdesk.pipeline.names import find_names  # noqa: E402
from newsdesk.pipeline.places import find_places  # noqa: E402
from newsdesk.pipeline.sentences import split_sentences  # noqa: E402
from newsdesk.pipeline.summarize import Params, summarize, summarize_file  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clustering"
SETS = ("allsides-2021-dev", "allsides-neus-dev")
Method = Callable[[list[dict]], str]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def lead3(articles: list[dict]) -> str:
    """Baseline: the first three sentences of the story's first article."""
    return " ".join(split_sentences(articles[0].get("text") or "")[:3])


def first_sentences(articles: list[dict]) -> str:
    """Baseline: the first sentence of each article."""
    return " ".join(s[0] for a in articles if (s := split_sentences(a.get("text") or "")))


def score(stories: list[tuple[str, list[dict]]], method: Method) -> dict:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
    lengths = []
    for reference, articles in stories:
        candidate = method(articles)
        lengths.append(len(candidate.split()))
        for name, value in scorer.score(reference, candidate).items():
            totals[name].append(value.fmeasure)
    return {
        "r1": round(statistics.fmean(totals["rouge1"]), 4),
        "r2": round(statistics.fmean(totals["rouge2"]), 4),
        "rl": round(statistics.fmean(totals["rougeL"]), 4),
        "words_mean": round(statistics.fmean(lengths), 1),
    }


def load(folder: Path) -> tuple[list[tuple[str, list[dict]]], list[dict]]:
    """(editors' summary, the story's articles) per story with a summary, and all articles."""
    articles = read_jsonl(folder / "articles.jsonl")
    by_story: dict[str, list[dict]] = {}
    for article in articles:
        by_story.setdefault(article["cluster"], []).append(article)
    stories = [
        (s["summary"], by_story[s["story"]])
        for s in read_jsonl(folder / "stories.jsonl")
        if s.get("summary") and s["story"] in by_story
    ]
    return stories, articles


def evaluate(folder: Path, words: int | None) -> dict:
    stories, articles = load(folder)
    editors = statistics.fmean(len(summary.split()) for summary, _ in stories)
    length = words or max(20, round(editors / 5) * 5)
    records = [{**a, "story": a["cluster"]} for a in articles]
    ours = {row["story"]: row["summary"] for row in summarize_file(records, Params(words=length))}
    by_text = {id(arts): ours[arts[0]["cluster"]] for _, arts in stories}
    return {
        "stories": len(stories),
        "editors_words_mean": round(editors, 1),
        "words": length,
        "ours": score(stories, lambda arts: by_text[id(arts)]),
        "lead3_one_article": score(stories, lead3),
        "first_sentence_each": score(stories, first_sentences),
    }


def timing(folder: Path, size: int = 20, rounds: int = 50) -> dict:
    """Milliseconds to summarise a story of ``size`` articles (articles of several stories)."""
    _, articles = load(folder)
    groups = [articles[i : i + size] for i in range(0, len(articles) - size, size)][:rounds]
    find_places(["Paris"]), find_names(["Jane Doe said"])  # built once per process, not per story
    times, whole = [], []
    for group in groups:
        start = time.perf_counter()
        summarize(group)
        middle = time.perf_counter()
        texts = [f"{a.get('title') or ''}.\n\n{a.get('text') or ''}" for a in group]
        find_places(texts)
        find_names(texts)
        align_figures((a["id"], a.get("source", ""), extract_figures(a["text"])) for a in group)
        end = time.perf_counter()
        times.append((middle - start) * 1000)
        whole.append((end - start) * 1000)
    return {
        "articles": size,
        "stories": len(groups),
        "ms_median": round(statistics.median(times), 2),
        "ms_max": round(max(times), 2),
        "with_figures_and_names_ms_median": round(statistics.median(whole), 2),
        "with_figures_and_names_ms_max": round(max(whole), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", type=Path, help="a set folder (repeatable)")
    parser.add_argument("--words", type=int, help="summary length (default: the editors')")
    args = parser.parse_args(argv)
    folders = args.data or [DEFAULT_DATA / name for name in SETS]
    result: dict = {"benchmark": "summarize"}
    for folder in folders:
        result[folder.name] = evaluate(folder, args.words)
        print(folder.name, json.dumps(result[folder.name]), file=sys.stderr)
    result["speed"] = timing(folders[0])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
