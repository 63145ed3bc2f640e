"""Score article extraction on the shared evaluation sets and time it on one core.

Usage::

    python benchmarks/extract.py [--data DIR] [--limit N]
        [--extractor ours|trafilatura|trafilatura-fast] [--reference trafilatura]
        [--sets trafilatura-eval,wcxb-dev] [--details FILE]

``--reference trafilatura`` runs trafilatura over the same pages after ours, in the same
process, and adds its report and the ratios (speed, F1 differences) to the JSON line.

The pages are third-party material: they are read from ``--data`` (default
``/work/shared/data/extraction``) and never copied anywhere. Every page is loaded and
decoded (with the pipeline's own decoder) before timing starts; the timed call is the
whole extraction (text and metadata for ``ours``; ``trafilatura.extract`` with default
settings, or with ``fast=True``, for the trafilatura runs, whose metadata comes from an
untimed ``trafilatura.extract_metadata`` pass).

Scores, as ``/work/shared/data/README.md`` defines them:

* trafilatura-eval, snippet rule: whitespace squashed, ``with`` snippets found are tp,
  missing are fn, ``without`` snippets found are fp, summed over the corpus.
* wcxb-dev, bag of words: lowercase ``\\w+`` words, multiset overlap; per page P, R, F1
  (empty output scores 0); the mean F1 over pages. 4-word windows: the same with multisets
  of overlapping 4-word windows, F1 from the mean P and the mean R.
* Metadata, on pages whose truth has the field: title share = normalised exact match
  (whitespace squashed, casefolded); date share = same calendar day (``YYYY-MM-DD``);
  author share = token F1 >= 0.5 between casefolded ``\\w+`` tokens (of two letters or more)
  of all extracted names and of the reference author string.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsdesk.pipeline.decode import decode_text

DEFAULT_DATA = Path("/work/shared/data/extraction")
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


@dataclass
class Page:
    """One evaluation page with its references."""

    corpus: str
    key: str
    url: str
    html: str
    truth: dict[str, Any]


@dataclass
class Output:
    """What an extractor returned for one page, and how long the call took."""

    text: str = ""
    title: str = ""
    date: str = ""
    authors: tuple[str, ...] = ()
    seconds: float = 0.0
    cpu: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- loading


def _read_gz(path: Path) -> str:
    return decode_text(gzip.decompress(path.read_bytes()))


def load_trafilatura_eval(root: Path, limit: int | None) -> list[Page]:
    """Pages of trafilatura's evaluation set, in the order of ``evaldata.json``."""
    base = root / "trafilatura-eval"
    data = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, truth in list(data.items())[:limit]:
        name = truth["file"] + ".gz"
        path = base / "cache" / name
        if not path.exists():
            path = base / "eval" / name
        if not path.exists():
            continue
        pages.append(Page("trafilatura-eval", truth["file"], url, _read_gz(path), truth))
    return pages


def load_wcxb(root: Path, limit: int | None) -> list[Page]:
    """Article pages of the WCXB development split, in file order."""
    base = root / "wcxb-dev" / "dev"
    pages = []
    for path in sorted((base / "html").glob("*.html.gz"))[:limit]:
        key = path.name.split(".")[0]
        record = json.loads((base / "ground-truth" / f"{key}.json").read_text(encoding="utf-8"))
        truth = dict(record["ground_truth"])
        truth["date"] = truth.get("publish_date")
        pages.append(Page("wcxb-dev", key, record.get("url", ""), _read_gz(path), truth))
    return pages


# ---------------------------------------------------------------- extractors


def _ours() -> Callable[[Page], Output]:
    from newsdesk.pipeline.extract import extract

    def run(page: Page) -> Output:
        start, cpu = time.perf_counter(), time.process_time()
        result = extract(page.html, page.url)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        date = result.date or ""
        return Output(result.text, result.title, date, result.authors, seconds, cpu, result.extras)

    return run


def _trafilatura(fast: bool) -> Callable[[Page], Output]:
    import trafilatura

    def run(page: Page) -> Output:
        start, cpu = time.perf_counter(), time.process_time()
        text = trafilatura.extract(page.html, url=page.url, fast=fast) or ""
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        meta = trafilatura.extract_metadata(page.html, default_url=page.url)
        authors = tuple(a.strip() for a in (meta.author or "").split(";") if a.strip())
        return Output(text, meta.title or "", meta.date or "", authors, seconds, cpu)

    return run


EXTRACTORS: dict[str, Callable[[], Callable[[Page], Output]]] = {
    "ours": _ours,
    "trafilatura": lambda: _trafilatura(fast=False),
    "trafilatura-fast": lambda: _trafilatura(fast=True),
}


# ---------------------------------------------------------------- scoring


def squash(text: str) -> str:
    """Whitespace runs as one space, ends trimmed."""
    return _SPACE.sub(" ", text).strip()


def snippet_counts(text: str, truth: dict[str, Any]) -> tuple[int, int, int]:
    """(tp, fn, fp) of one page under the snippet rule."""
    flat = squash(text)
    found = [bool(flat) and squash(s) in flat for s in truth.get("with", [])]
    polluted = [bool(flat) and squash(s) in flat for s in truth.get("without", [])]
    return sum(found), len(found) - sum(found), sum(polluted)


def _prf(overlap: int, produced: int, expected: int) -> tuple[float, float]:
    precision = overlap / produced if produced else 0.0
    recall = overlap / expected if expected else 1.0
    return precision, recall


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def words(text: str) -> list[str]:
    """Lowercased ``\\w+`` words."""
    return _WORD.findall(text.lower())


def bag_scores(text: str, truth_text: str, n: int) -> tuple[float, float]:
    """(P, R) over multisets of n-word windows; empty output gives (0, 0)."""
    out, ref = words(text), words(truth_text)
    out_bag = Counter(tuple(out[i : i + n]) for i in range(len(out) - n + 1))
    ref_bag = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
    if not out_bag:
        return 0.0, 0.0
    overlap = sum((out_bag & ref_bag).values())
    return _prf(overlap, sum(out_bag.values()), sum(ref_bag.values()))


def _norm_title(text: str) -> str:
    return squash(text).casefold()


def _name_tokens(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.casefold()) if len(w) > 1 and not w.isdigit())


def author_match(found: Iterable[str], reference: str) -> bool:
    """Token F1 >= 0.5 between extracted names and the reference author string."""
    got, ref = _name_tokens(" ".join(found)), _name_tokens(reference)
    overlap = sum((got & ref).values())
    if not overlap:
        return False
    return _f1(overlap / sum(got.values()), overlap / sum(ref.values())) >= 0.5


@dataclass
class Tally:
    """Running sums for one corpus."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    word: list[tuple[float, float]] = field(default_factory=list)
    gram: list[tuple[float, float]] = field(default_factory=list)
    meta: dict[str, list[bool]] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add_meta(self, name: str, ok: bool) -> None:
        """Record one metadata comparison."""
        self.meta.setdefault(name, []).append(ok)


def score_page(page: Page, out: Output, tally: Tally) -> dict[str, Any]:
    """Add one page's scores to ``tally``; return them for the details file."""
    truth, row = page.truth, {"corpus": page.corpus, "key": page.key, "url": page.url}
    tp, fn, fp = snippet_counts(out.text, truth)
    tally.tp, tally.fn, tally.fp = tally.tp + tp, tally.fn + fn, tally.fp + fp
    row.update(tp=tp, fn=fn, fp=fp, seconds=round(out.seconds, 4), cpu=round(out.cpu, 4))
    if truth.get("main_content"):
        word, gram = (bag_scores(out.text, truth["main_content"], n) for n in (1, 4))
        tally.word.append(word)
        tally.gram.append(gram)
        row.update(word_p=word[0], word_r=word[1], word_f1=_f1(*word))
    if (truth.get("title") or "").strip():
        tally.add_meta("title", _norm_title(out.title) == _norm_title(truth["title"]))
        row.update(title=out.title, title_truth=truth["title"])
    if (truth.get("date") or "").strip():
        tally.add_meta("date", out.date[:10] == str(truth["date"])[:10])
        row.update(date=out.date, date_truth=truth["date"])
    reference = truth.get("author") or ""
    if isinstance(reference, list):
        reference = "; ".join(reference)
    if reference.strip():
        tally.add_meta("author", author_match(out.authors, reference))
        row.update(authors=out.authors, author_truth=reference)
    tally.seconds.append(out.seconds)
    tally.cpu.append(out.cpu)
    return row


def summarise(tally: Tally) -> dict[str, Any]:
    """The figures of one corpus."""
    summary: dict[str, Any] = {"pages": len(tally.seconds)}
    if tally.tp + tally.fn:
        precision, recall = _prf(tally.tp, tally.tp + tally.fp, tally.tp + tally.fn)
        summary["snippet"] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * tally.tp / (2 * tally.tp + tally.fp + tally.fn), 4),
            "tp": tally.tp,
            "fn": tally.fn,
            "fp": tally.fp,
        }
    if tally.word:
        summary["word_f1"] = round(mean(_f1(p, r) for p, r in tally.word), 4)
        summary["word_precision"] = round(mean(p for p, _ in tally.word), 4)
        summary["word_recall"] = round(mean(r for _, r in tally.word), 4)
        gram_p, gram_r = mean(p for p, _ in tally.gram), mean(r for _, r in tally.gram)
        summary["gram4"] = {
            "precision": round(gram_p, 4),
            "recall": round(gram_r, 4),
            "f1": round(_f1(gram_p, gram_r), 4),
        }
    for name, oks in sorted(tally.meta.items()):
        summary[f"{name}_share"] = round(sum(oks) / len(oks), 4)
        summary[f"{name}_pages"] = len(oks)
    summary["speed"] = speed(tally.seconds, tally.cpu)
    return summary


def speed(seconds: list[float], cpu: list[float]) -> dict[str, Any]:
    """Pages per second of CPU time (one core) and of wall time, with the slow tail.

    CPU time is the headline: another job sharing the machine slows the wall clock
    but not the CPU time a call needs.
    """
    ordered, total, cpu_total = sorted(seconds), sum(seconds), sum(cpu)
    return {
        "pages": len(ordered),
        "pages_per_s": round(len(ordered) / cpu_total, 1) if cpu_total else 0.0,
        "pages_per_s_wall": round(len(ordered) / total, 1) if total else 0.0,
        "ms_median": round(1000 * ordered[len(ordered) // 2], 2) if ordered else 0.0,
        "ms_p99": round(1000 * ordered[int(len(ordered) * 0.99)], 1) if ordered else 0.0,
        "ms_max": round(1000 * ordered[-1], 1) if ordered else 0.0,
    }


# ---------------------------------------------------------------- main


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load, extract, score; return the final report (with the reference run and the
    ratios of the two when ``--reference`` names one)."""
    loaders = {"trafilatura-eval": load_trafilatura_eval, "wcxb-dev": load_wcxb}
    sets = [s for s in args.sets.split(",") if s]
    pages = [page for name in sets for page in loaders[name](args.data, args.limit)]
    report = run_one(args, args.extractor, sets, pages, args.details)
    if args.reference:
        other = run_one(args, args.reference, sets, pages, None)
        report["reference"] = other
        report["ratios"] = compare(report, other, sets)
    return report


def compare(ours: dict[str, Any], other: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """Speed ratio and score differences of two runs over the same pages."""
    out: dict[str, Any] = {
        "pages_per_s": round(ours["speed"]["pages_per_s"] / other["speed"]["pages_per_s"], 3)
    }
    for name in sets:
        a, b = ours[name], other[name]
        out[name] = {"snippet_f1_gain": round(a["snippet"]["f1"] - b["snippet"]["f1"], 4)}
        if "word_f1" in a:
            out[name]["word_f1_gain"] = round(a["word_f1"] - b["word_f1"], 4)
            out[name]["gram4_f1_gain"] = round(a["gram4"]["f1"] - b["gram4"]["f1"], 4)
    return out


def run_one(
    args: argparse.Namespace,
    name: str,
    sets: list[str],
    pages: list[Page],
    details: str | None,
) -> dict[str, Any]:
    """One extractor over the loaded pages: scores, speed and memory."""
    rss_loaded = _rss_mb()
    extractor = EXTRACTORS[name]()
    extractor(Page("warm-up", "", "http://warm.up/", "<html><p>warm up</p></html>", {}))
    tallies = {name: Tally() for name in sets}
    rows = []
    for page in pages:
        rows.append(score_page(page, extractor(page), tallies[page.corpus]))
    if details:
        Path(details).write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
        )
    all_seconds = [s for t in tallies.values() for s in t.seconds]
    all_cpu = [s for t in tallies.values() for s in t.cpu]
    return {
        "extractor": name,
        "limit": args.limit,
        **{name: summarise(t) for name, t in tallies.items()},
        "speed": speed(all_seconds, all_cpu),
        "memory": {"rss_after_loading_mb": rss_loaded, "peak_rss_mb": _rss_mb()},
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--extractor", choices=sorted(EXTRACTORS), default="ours")
    parser.add_argument(
        "--reference",
        choices=sorted(EXTRACTORS),
        help="also run this extractor over the same pages and report the ratios",
    )
    parser.add_argument("--sets", default="trafilatura-eval,wcxb-dev")
    parser.add_argument("--details", help="write per-page scores (JSON lines) here")
    report = run(parser.parse_args(argv))
    for name, figures in report.items():
        if isinstance(figures, dict):
            print(f"{name}: {json.dumps(figures)}", file=sys.stderr)
    print(json.dumps(report, separators=(",", ":")))


if __name__ == "__main__":
    main()
