"""Wall time of the same pipeline with the local executor and with Ray, in one process run.

The corpus: documents of 5–30 demo sentences (roots/demo/texts) in the 13 ROOTS languages of the
filter benchmark, a tenth planted exact duplicates and a tenth near-duplicates, one jsonl file per
language. Both executors run extract → filter → dedup → export (Megatron; the tokenizer is trained
once on the first local run, untimed) in the same run folder, alternating ``--repeat`` times (the best
time per stage is kept), and every output must be byte-identical. Ray is started by the executor itself
(``ray.init(num_cpus=workers)``), as ``roots run --executor ray`` does without ``--ray-address``; its
start-up is reported apart (the local pool's process start is inside its first stage's time).

A last pass runs the local executor with one worker (in-process) and reports CPU seconds (not
inflated by other load, unlike wall time) and peak resident memory per stage, for sizing a cluster.

Run: ``python benchmarks/bench_ray.py [--docs 20000] [--workers 2]``; a one-shard memory probe:
``python benchmarks/bench_ray.py --docs 20000 --languages en --shards-per-language 1 --skip-ray``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ROOTS_PROGRESS", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from benchmarks.bench_filters import LANGS, sentences  # noqa: E402
from roots.config import PipelineConfig, validate_pipeline  # noqa: E402
from roots.executors import Executor, make_executor  # noqa: E402
from roots.layout import RunLayout  # noqa: E402
from roots.packaged import languages_dir  # noqa: E402
from roots.pipeline import save_run_config, stage_module  # noqa: E402
from tests.conftest import tree_bytes  # noqa: E402

STAGES = ("extract", "filter", "dedup", "export")


def documents(lang: str, count: int, rng: random.Random) -> list[str]:
    """``count`` documents of 5–30 demo sentences drawn at random (so few are near-duplicates by
    chance), plus planted duplicates: a tenth exact copies, a tenth copies with one sentence replaced."""
    pool = sentences(lang)
    sep = "" if lang == "zh" else " "
    docs: list[str] = []
    while len(docs) < count:
        kind = rng.random()
        if docs and kind < 0.1:
            docs.append(rng.choice(docs))
        elif docs and kind < 0.2:
            parts = rng.choice(docs).split(sep) if sep else list(rng.choice(docs))
            parts[rng.randrange(len(parts))] = rng.choice(pool)
            docs.append(sep.join(parts))
        else:
            docs.append(sep.join(rng.sample(pool, rng.randint(5, min(30, len(pool))))))
    return docs


def write_corpus(
    folder: Path, docs: int, langs: tuple[str, ...] = LANGS, shards_per_language: int = 4
) -> tuple[list[dict[str, Any]], int]:
    """One jsonl file per language, split in shards; returns the sources and the UTF-8 size of the texts."""
    rng = random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    sources, size = [], 0
    for position, lang in enumerate(langs):
        count = docs // len(langs) + (position < docs % len(langs))
        texts = documents(lang, count, rng)
        lines = [json.dumps({"text": t, "url": f"https://{lang}.example/{i}"}) for i, t in enumerate(texts)]
        path = folder / f"{lang}.jsonl"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        size += sum(len(t.encode()) for t in texts)
        per_shard = max(1, -(-count // shards_per_language))
        sources.append({"type": "jsonl", "lang": lang, "paths": [str(path)], "lines_per_shard": per_shard})
    return sources, size


class PeakMemory:
    """Samples resident memory: of this process only, or of it and all its descendants (a pool, Ray)."""

    def __init__(self, tree: bool = True, every: float = 0.5) -> None:
        self.tree = tree
        self.every = every
        self.largest_process = 0
        self.largest_tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            sizes = [_rss(pid) for pid in (_tree(os.getpid()) if self.tree else [os.getpid()])]
            self.largest_process = max(self.largest_process, *sizes)
            self.largest_tree = max(self.largest_tree, sum(sizes))
            if self._stop.wait(self.every):
                return


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children: unlike wall time, not inflated by other load."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_pipeline(
    config: PipelineConfig,
    executor: Executor,
    stages: tuple[str, ...],
    cpu: dict[str, float] | None = None,
    memory: dict[str, int] | None = None,
) -> dict[str, float]:
    """Wall seconds per stage (the executor is already started); CPU seconds and the peak resident
    memory of any one process during the stage into ``cpu`` and ``memory`` if given."""
    run = save_run_config(config)
    wall = {}
    for stage in stages:
        before = cpu_seconds()
        with PeakMemory(tree=False, every=0.05) as peak:  # cheap: one /proc file per sample
            wall[stage] = timed(lambda s=stage: stage_module(s).run(config, run, executor))
        if cpu is not None:
            cpu[stage] = cpu_seconds() - before
        if memory is not None:
            memory[stage] = peak.largest_process
    return wall


def pipeline_config(
    run_dir: Path, sources: list[dict[str, Any]], executor: str, workers: int, tokenizer: Path | None = None
) -> PipelineConfig:
    data: dict[str, Any] = {
        "run_dir": str(run_dir),
        "executor": executor,
        "workers": workers,
        "sources": sources,
        "filter": {"languages_dir": str(languages_dir())},
    }
    if tokenizer:
        data["export"] = {"format": "megatron", "tokenizer": str(tokenizer)}
    return validate_pipeline(data, "bench_ray")


def run_all(
    run_dir: Path, sources: list[dict[str, Any]], executor_name: str, workers: int, tokenizer: Path, **kw: Any
) -> dict[str, float]:
    """Every stage with one executor; the tokenizer is trained on the dedup output first if missing (untimed)."""
    with make_executor(executor_name, workers) as executor:
        wall = run_pipeline(
            pipeline_config(run_dir, sources, executor_name, workers), executor, STAGES[:3], **kw
        )
        if not tokenizer.exists():
            from roots.export.tokenizer_train import save_tokenizer, train_tokenizer

            save_tokenizer(train_tokenizer(RunLayout(run_dir), 4_000)[0], tokenizer)
        config = pipeline_config(run_dir, sources, executor_name, workers, tokenizer)
        return wall | run_pipeline(config, executor, STAGES[3:], **kw)


def compare_executors(
    tmp: Path, sources: list[dict[str, Any]], workers: int, repeat: int
) -> dict[str, bytes]:
    """Local pool vs. a Ray instance started by the executor, alternating ``repeat`` times in the same run
    folder (the best time of each stage is kept, as other load on the machine only adds); returns the
    local output's bytes."""
    run_dir, tokenizer = tmp / "run", tmp / "tokenizer"
    local: dict[str, float] = {}
    on_ray: dict[str, float] = {}
    startup = shutdown = float("inf")
    reference: dict[str, bytes] = {}
    identical = True
    for _ in range(repeat):
        shutil.rmtree(run_dir, ignore_errors=True)
        times = run_all(run_dir, sources, "local", workers, tokenizer)
        local = {s: min(local.get(s, float("inf")), t) for s, t in times.items()}
        reference = reference or tree_bytes(run_dir)
        identical &= tree_bytes(run_dir) == reference

        shutil.rmtree(run_dir)
        executor = make_executor("ray", workers)
        with PeakMemory() as ray_memory:
            startup = min(startup, timed(executor.connect))  # type: ignore[attr-defined]
            times = run_pipeline(
                pipeline_config(run_dir, sources, "ray", workers, tokenizer), executor, STAGES
            )
            shutdown = min(shutdown, timed(executor.close))
        on_ray = {s: min(on_ray.get(s, float("inf")), t) for s, t in times.items()}
        identical &= tree_bytes(run_dir) == reference

    print(f"\nworkers: {workers}; best of {repeat} alternating runs; outputs byte-identical: {identical}")
    print(f"{'stage':<10}{'local s':>10}{'ray s':>10}{'ray/local':>11}")
    for stage in STAGES:
        print(f"{stage:<10}{local[stage]:>10.2f}{on_ray[stage]:>10.2f}{on_ray[stage] / local[stage]:>11.2f}")
    total_local, total_ray = sum(local.values()), sum(on_ray.values())
    print(f"{'total':<10}{total_local:>10.2f}{total_ray:>10.2f}{total_ray / total_local:>11.2f}")
    print(
        f"ray start-up {startup:.2f} s, shutdown {shutdown:.2f} s; with them ray/local = "
        f"{(total_ray + startup + shutdown) / total_local:.2f}"
    )
    print(f"ray resident memory: whole process tree {ray_memory.largest_tree / 2**20:,.0f} MiB")
    shutil.rmtree(run_dir)
    return reference


def per_core(tmp: Path, sources: list[dict[str, Any]], reference: dict[str, bytes] | None) -> None:
    """One worker, in-process: CPU seconds and peak memory per stage, for sizing a cluster."""
    run_dir = tmp / "run"
    cpu: dict[str, float] = {}
    memory: dict[str, int] = {}
    wall = run_all(run_dir, sources, "local", 1, tmp / "tokenizer", cpu=cpu, memory=memory)
    totals = {s: json.loads((run_dir / s / "stats.json").read_text())["totals"] for s in STAGES}
    same = "" if reference is None else f"; byte-identical: {tree_bytes(run_dir) == reference}"
    print(f"\nper core (local, 1 worker, in-process){same}")
    header = ("stage", "docs in", "kept", "MB in", "wall s", "CPU s", "docs/CPU s", "MB/CPU s", "peak MiB")
    print("".join(f"{h:>11}" if i else f"{h:<8}" for i, h in enumerate(header)))
    for stage in STAGES:
        docs, kept = totals[stage]["in"]["docs"], totals[stage]["kept"]["docs"]
        mb = totals[stage]["in"]["chars"] / 1e6
        cells = (f"{docs:,}", f"{kept:,}", f"{mb:.1f}", f"{wall[stage]:.2f}", f"{cpu[stage]:.2f}")
        cells += (f"{docs / cpu[stage]:,.0f}", f"{mb / cpu[stage]:.2f}", f"{memory[stage] / 2**20:,.0f}")
        print(f"{stage:<8}" + "".join(f"{c:>11}" for c in cells))
    print("(MB = 1e6 characters of document text; CPU s = user + system time; peak = resident memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--languages", default=",".join(LANGS), help="comma-separated subset of the 13")
    parser.add_argument("--shards-per-language", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2, help="alternating local/Ray runs; best time kept")
    parser.add_argument("--skip-ray", action="store_true", help="only the per-core pass")
    parser.add_argument("--skip-one-worker", action="store_true", help="skip the per-core pass")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    langs = tuple(args.languages.split(","))
    sources, size = write_corpus(tmp / "corpus", args.docs, langs, args.shards_per_language)
    shards = len(sources) * args.shards_per_language
    print(f"corpus: {args.docs:,} documents, {size / 1e6:.1f} MB of UTF-8 text, {shards} jsonl shards")
    reference = None if args.skip_ray else compare_executors(tmp, sources, args.workers, args.repeat)
    if not args.skip_one_worker:
        per_core(tmp, sources, reference)
    print(f"\nfiles kept in {tmp}")


if __name__ == "__main__":
    main()
