"""How each stage grows with the corpus: time and peak memory of extract → filter → dedup → export.

Input: ``--docs N`` generated multilingual documents (the 15 demo languages, 3–6 hand-written paragraphs each
with ~6 % of the words edited, planted exact and near duplicates: ``pipeline_corpus.make_pages``) written as
``.jsonl.gz`` files of 50 000 documents. Each stage runs as the user runs it, a fresh ``roots`` process:

    roots extract jsonl CORPUS --out RUN      roots filter RUN      roots dedup RUN
    roots tokenizer train RUN --vocab-size 32000 --sample-chars 50000000      roots export megatron RUN

Printed per stage: wall seconds, CPU seconds of the whole process tree, peak RSS of the whole process tree
(summed over the processes, sampled every 50 ms; shared pages count once per process), documents in and out. With several sizes (``--docs 10000 100000``) a second table gives
each figure's growth factor from one size to the next, to extrapolate (linear growth: the factor equals the
size ratio).

Run: ``python benchmarks/bench_scale.py --docs 10000 100000 [--workers 2] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import measure  # noqa: E402
from pipeline_corpus import make_pages  # noqa: E402

DOCS_PER_FILE = 50_000
STAGES = ("extract", "filter", "dedup", "tokenizer", "export")


def write_corpus(folder: Path, docs: int) -> int:
    """``docs`` documents as jsonl.gz files; returns the characters written."""
    folder.mkdir(parents=True, exist_ok=True)
    pages, _ = make_pages(docs)
    chars = 0
    for start in range(0, docs, DOCS_PER_FILE):
        with gzip.open(folder / f"part-{start // DOCS_PER_FILE:04d}.jsonl.gz", "wt", encoding="utf-8") as out:
            for page in pages[start : start + DOCS_PER_FILE]:
                out.write(json.dumps({"text": page.text, "url": page.url}, ensure_ascii=False) + "\n")
                chars += len(page.text)
    return chars


def commands(corpus: Path, run: Path, workers: int) -> dict[str, list[str]]:
    roots = [sys.executable, "-m", "roots"]
    w = ["--workers", str(workers)]
    tokenizer = run / "tokenizer"
    return {
        "extract": [*roots, "extract", "jsonl", str(corpus), "--out", str(run), *w],
        "filter": [*roots, "filter", str(run), *w],
        "dedup": [*roots, "dedup", str(run), *w],
        "tokenizer": [
            *roots,
            "tokenizer",
            "train",
            str(run),
            "--vocab-size",
            "32000",
            "--sample-chars",
            "50000000",
            "--out",
            str(tokenizer),
        ],  # fmt: skip
        "export": [*roots, "export", "megatron", str(run), "--tokenizer", str(tokenizer), *w],
    }


def counts(run: Path, stage: str) -> tuple[int | None, int | None]:
    path = run / ("dedup" if stage == "tokenizer" else stage) / "stats.json"
    if stage == "tokenizer" or not path.exists():
        return None, None
    totals = json.loads(path.read_text(encoding="utf-8"))["totals"]
    return totals["in"]["docs"], totals["kept"]["docs"]


def run_size(docs: int, workers: int, base: Path) -> dict[str, dict[str, float | int | None]]:
    corpus, run = base / f"corpus-{docs}", base / f"run-{docs}"
    started = time.time()
    chars = write_corpus(corpus, docs)
    print(f"# {docs} documents, {chars / 1e6:.0f} M characters generated in {time.time() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    results: dict[str, dict[str, float | int | None]] = {}
    for stage, cmd in commands(corpus, run, workers).items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        measured = measure(cmd)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        docs_in, docs_out = counts(run, stage)
        results[stage] = {
            "wall": measured.wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mb": measured.peak_rss / 2**20,
            "in": docs_in,
            "out": docs_out,
        }
        print(f"# {docs}: {stage} done in {measured.wall:.0f} s", file=sys.stderr)
    results["_corpus"] = {"docs": docs, "chars": chars}
    return results


def table(sizes: dict[int, dict[str, dict]]) -> str:
    lines = [
        "| docs | stage | wall s | CPU s | peak RSS, process tree (MB) | docs in | docs out |",
        "|---|---|---|---|---|---|---|",
    ]
    for docs, results in sizes.items():
        for stage in STAGES:
            r = results[stage]
            lines.append(
                f"| {docs:,} | {stage} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:.0f} | "
                f"{_count(r['in'])} | {_count(r['out'])} |"
            )
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def growth(sizes: dict[int, dict[str, dict]]) -> str:
    ordered = sorted(sizes)
    lines = ["| stage | size × | wall × | CPU × | peak RSS × |", "|---|---|---|---|---|"]
    for small, large in zip(ordered, ordered[1:], strict=False):
        for stage in STAGES:
            a, b = sizes[small][stage], sizes[large][stage]
            lines.append(
                f"| {stage} ({small:,} → {large:,}) | {large / small:.0f} | {b['wall'] / a['wall']:.2f} | "
                f"{b['cpu'] / max(a['cpu'], 1e-9):.2f} | {b['peak_mb'] / a['peak_mb']:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="roots-scale-"))
    try:
        sizes = {docs: run_size(docs, args.workers, base) for docs in args.docs}
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(table(sizes))
    if len(sizes) > 1:
        print()
        print(growth(sizes))
    print(json.dumps({str(k): v for k, v in sizes.items()}))


if __name__ == "__main__":
    main()
