"""Docs/s of the whole near-dedup (signatures + LSH + clusters) — roots vs datatrove vs naive datasketch.

All run on the same project-made corpus (≈2.6 KB multilingual documents, ~30 % near-duplicates) in
this one process run, each measured in a fresh process, with comparable parameters: word 5-grams
(Chinese: character 5-grams), 128 permutations, threshold 0.8. roots runs three ways:

* ``roots``: its defaults — exact verification, bands × rows chosen for P(candidate | 0.8) ≥ 0.99 (16 × 6);
* ``roots-16x8``: exact verification with the peers' 16 × 8 layout;
* ``roots-16x8-est``: 16 × 8 with verification by the signature estimate (roots' earlier default);
* ``roots-all``: the stage's full defaults, exact, URL and template-line dedup included;
* ``roots-jieba``: ``roots`` with the repository's language configs, so Chinese is cut into jieba words
  (``segmenter: jieba`` in zh.yaml) instead of characters.

Wall time suffers from other load on the machine; CPU seconds (user + system of the run's process
tree) do not, so docs per CPU-second is the per-core figure. ``--repeat N`` runs every contender N
times, interleaved, and keeps each one's fastest wall time and its smallest CPU time. Peak memory is
the max RSS of each run's processes.

    python benchmarks/bench_dedup_speed.py --docs 20000 --datatrove-docs 1500 --shards 4 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.dedup_corpus import datasketch_clusters, make_corpus, run_roots_dedup, write_run  # noqa: E402

LANGUAGES = Path(__file__).resolve().parents[1] / "configs" / "languages"

BASE = {"exact": False, "url": False, "repeated_lines": {"enabled": False}}
ROOTS = {
    "roots": {**BASE, "minhash": {}},
    "roots-16x8": {**BASE, "minhash": {"bands": 16, "rows": 8}},
    "roots-16x8-est": {**BASE, "minhash": {"bands": 16, "rows": 8, "verify": "estimated"}},
    "roots-all": {},  # the stage's full defaults: exact, URL and near duplicates, and template lines
    "roots-jieba": {**BASE, "languages_dir": str(LANGUAGES), "minhash": {}},
}


def _child(mode: str, workdir: str, docs: int, shards: int, workers: int) -> None:
    """One measured run in a fresh process (so peak RSS is this run's only); prints JSON."""
    rows = make_corpus(docs)
    work = Path(workdir)
    cpu0 = _cpu()
    start = time.perf_counter()
    if mode in ROOTS:
        run = write_run(work / "run", rows, shards, ROOTS[mode])
        cpu0, start = _cpu(), time.perf_counter()  # writing the input run is not measured
        run_roots_dedup(run, ROOTS[mode], workers)
        removed = json.loads((run.root / "dedup" / "stats.json").read_text())["totals"]["removed_total"][
            "docs"
        ]
    elif mode == "datasketch":
        removed = _datasketch(rows)
    else:
        removed = _datatrove(rows, work, workers, start_ref := [0.0, 0.0])
        start, cpu0 = start_ref
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu0
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({"seconds": seconds, "cpu": cpu, "removed": removed, "peak_mib": peak / 1024}))


def _cpu() -> float:
    """CPU seconds of this process and its finished children (robust to other load on the machine)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _datasketch(rows: list[dict]) -> int:
    """datasketch used naively with the peers' 16 × 8 layout: the documents it would remove."""
    return sum(1 for i, root in enumerate(datasketch_clusters(rows, 0.8, 128, params=(16, 8))) if root != i)


def _datatrove(rows: list[dict], work: Path, workers: int, start_ref: list[float]) -> int:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    data = work / "input"
    data.mkdir(parents=True)
    with open(data / "docs.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({"text": row["text"], "id": row["id"]}) + "\n")
    from datatrove.utils.hashing import HashConfig

    # sha1 (as FineWeb): datatrove's xxhash path passes str, which xxhash ≥ 4 rejects
    config = MinhashConfig(
        n_grams=5, num_buckets=16, hashes_per_bucket=8, hash_config=HashConfig(precision=64, hash_fc="sha1")
    )
    start_ref[:] = [time.perf_counter(), _cpu()]
    common = {"workers": workers, "start_method": "fork"}
    stages = [
        LocalPipelineExecutor(
            [JsonlReader(str(data)), MinhashDedupSignature(str(work / "sigs"), config=config)],
            tasks=1,
            logging_dir=str(work / "l1"),
            **common,
        ),
        LocalPipelineExecutor(
            [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)],
            tasks=16,
            logging_dir=str(work / "l2"),
            **common,
        ),
        LocalPipelineExecutor(
            [MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)],
            tasks=1,
            logging_dir=str(work / "l3"),
            **common,
        ),
        LocalPipelineExecutor(
            [
                JsonlReader(str(data)),
                MinhashDedupFilter(str(work / "remove")),
                JsonlWriter(str(work / "out")),
            ],
            tasks=1,
            logging_dir=str(work / "l4"),
            **common,
        ),
    ]
    for stage in stages:
        stage.run()
    kept = sum(1 for path in (work / "out").glob("*.jsonl.gz") for _ in __import__("gzip").open(path, "rt"))
    return len(rows) - kept


def _measure(mode: str, docs: int, shards: int, workers: int) -> dict | str:
    workdir = tempfile.mkdtemp(prefix=f"bench-{mode}-")
    try:
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--workdir",
                workdir,
                "--docs",
                str(docs),
                "--shards",
                str(shards),
                "--workers",
                str(workers),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "ROOTS_PROGRESS": "0"},
        )
        if result.returncode != 0:
            return (result.stderr.strip().splitlines() or ["failed"])[-1]
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _best(outcomes: list[dict | str]) -> dict | str:
    """The fastest wall time and the smallest CPU time of the runs that worked (else the last error)."""
    good = [o for o in outcomes if isinstance(o, dict)]
    if not good:
        return outcomes[-1]
    return {
        **good[0],
        "seconds": min(o["seconds"] for o in good),
        "cpu": min(o["cpu"] for o in good),
        "peak_mib": max(o["peak_mib"] for o in good),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument(
        "--datatrove-docs", type=int, default=1500, help="datatrove is slow: a prefix of the corpus"
    )
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; the best is kept")
    parser.add_argument("--only", help="comma-separated contenders (default: all)")
    parser.add_argument("--child")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.workdir, args.docs, args.shards, args.workers)
        return
    rows = make_corpus(args.docs)
    mean_kb = sum(len(r["text"].encode()) for r in rows) / len(rows) / 1024
    print(
        f"corpus: {args.docs} docs, mean {mean_kb:.1f} KB UTF-8, workers={args.workers}, machine cores={os.cpu_count()}"
    )
    plan = {**dict.fromkeys(ROOTS, args.docs), "datasketch": args.docs, "datatrove": args.datatrove_docs}
    if args.only:
        plan = {mode: docs for mode, docs in plan.items() if mode in args.only.split(",")}
    runs: dict[str, list[dict | str]] = {mode: [] for mode in plan}
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every contender alike
        for mode, docs in plan.items():
            runs[mode].append(_measure(mode, docs, args.shards, args.workers))
    results = {mode: (plan[mode], _best(outcomes)) for mode, outcomes in runs.items()}
    ours = results.get("roots", (0, "not run"))[1]
    for mode, (docs, outcome) in results.items():
        if isinstance(outcome, str):
            print(f"{mode}: unavailable ({outcome})")
            continue
        rate = docs / outcome["seconds"]
        per_cpu = docs / outcome["cpu"]
        line = (
            f"{mode:>14}: {docs} docs in {outcome['seconds']:.2f} s wall = {rate:,.0f} docs/s; "
            f"{outcome['cpu']:.2f} CPU-s = {per_cpu:,.0f} docs per CPU-second; removed {outcome['removed']}; "
            f"peak RSS {outcome['peak_mib']:.0f} MiB"
        )
        if mode in ("datasketch", "datatrove") and isinstance(ours, dict):
            line += f"; roots/{mode} = {(args.docs / ours['cpu']) / per_cpu:.1f}× per CPU-second"
        print(line)


if __name__ == "__main__":
    main()
