"""Stages: functions of one input shard to output shards, run by any executor.

A stage never writes its own outputs: ``process`` returns a ``ShardOutput`` and ``run_shard`` writes
the tables atomically, then the shard's error records, then the completion marker (which also holds
the shard's counts and the identities of its inputs). ``roots.inputs`` alone decides which shards are
done, so a run killed at any moment resumes where it stopped and produces byte-identical output.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from roots.atomic import sweep_temporaries, write_json, write_jsonl, write_parquet, write_text
from roots.inputs import Work, fingerprint, invalidate, plan_work
from roots.layout import RunLayout, StageDir
from roots.partitioned import SUFFIX as PARTITIONED_SUFFIX
from roots.partitioned import PartitionedTable, write_partitioned
from roots.stats import StageStats
from roots.storage import as_path, makedirs


@dataclass(frozen=True)
class ShardTask:
    """One unit of work: output shard ``index`` made from the JSON-serialisable ``payload``."""

    index: int
    payload: Mapping[str, Any]


@dataclass
class ShardOutput:
    """What processing one shard produced. ``tables`` maps a subdirectory (``None``, ``kept``, ``removed``) to rows;
    a ``PartitionedTable`` (rows for several receiving tasks) is written as one indexed ``.arrows`` file."""

    tables: dict[str | None, pa.Table | PartitionedTable] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    stats: StageStats = field(default_factory=StageStats)


class Stage(ABC):
    """A pipeline step mapped over shards. Subclasses must be picklable (they travel to worker processes)."""

    #: subdirectory of the run this stage writes (e.g. ``filter`` or ``dedup/_signatures``)
    subdir: str

    def output_dir(self, run: RunLayout) -> StageDir:
        return StageDir(run.root / self.subdir)

    @abstractmethod
    def inputs(self, run: RunLayout) -> dict[str, Any]:
        """Everything every shard's output depends on, by name: configuration (JSON values), files read
        (``Path``) and earlier stages' output (``roots.inputs.Upstream``). A change redoes the shards."""

    def shard_inputs(self, task: ShardTask) -> dict[str, Any]:
        """Inputs of one shard only (e.g. the one upstream shard it reads); its payload is always one."""
        return {}

    @abstractmethod
    def plan(self, run: RunLayout) -> list[ShardTask]:
        """The shards of this stage, deterministic for a given run and configuration."""

    @abstractmethod
    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        """Turn one shard of input into output tables, error records and counts."""

    def finalize(self, run: RunLayout, stats: StageStats) -> None:
        """An optional global step after every shard is done (e.g. merging, reports)."""

    def check_balance(self) -> bool:
        """Whether ``in = kept + removed + errors`` must hold for this stage's stats."""
        return True

    @property
    def display_name(self) -> str:
        return self.subdir


def run_shard(stage: Stage, run_root: str, task: ShardTask, inputs: dict[str, str]) -> dict[str, Any]:
    """Process one shard and commit its outputs atomically; returns the shard's stats as a dict.

    Runs in a worker (process or Ray task): everything it needs travels in its arguments.
    """
    run = RunLayout(as_path(run_root))
    sdir = stage.output_dir(run)
    out = stage.process(run, task)
    for kind, table in sorted(out.tables.items(), key=lambda kv: kv[0] or ""):
        if isinstance(table, PartitionedTable):
            write_partitioned(sdir.part(task.index, kind).with_suffix(PARTITIONED_SUFFIX), table)
        else:
            write_parquet(sdir.part(task.index, kind), table)
    write_jsonl(sdir.shard_errors(task.index), out.errors)
    stats = out.stats.to_dict()
    marker = {"fingerprint": fingerprint(inputs), "inputs": inputs, "stats": stats}
    write_json(sdir.marker(task.index), marker)
    return stats


def shard_files(sdir: StageDir) -> dict[int, list[Path]]:
    """Every ``part-N.*`` file of a stage folder and its subfolders by shard, markers first (two listings)."""
    found: dict[int, list[Path]] = {}
    for pattern in ("*/part-*.*", "part-*.*"):  # ``_done/`` sorts before the data folders' files below
        for path in sorted(sdir.path.glob(pattern), key=lambda p: (p.parent.name != "_done", str(p))):
            index = path.name.split("-")[1].split(".")[0]
            if index.isdigit():
                found.setdefault(int(index), []).append(path)
    return found


def remove_stale_shards(files: dict[int, list[Path]], keep: set[int]) -> None:
    """Delete outputs of shards that are not in the current plan (left by an earlier, larger plan);
    markers first, so that no marker outlives its data."""
    for index, paths in files.items():
        if index not in keep:
            for path in paths:
                path.unlink(missing_ok=True)


def merge_errors(
    sdir: StageDir, indices: list[int], extra: Mapping[int, dict[str, Any]] | None = None
) -> None:
    """Concatenate the shards' error records into ``errors.jsonl`` in shard order.

    ``extra`` maps shards that have no error file of their own (they failed) to one record each.
    """
    extra = extra or {}
    lines: list[str] = []
    for index in sorted(set(indices) | set(extra)):
        if index in extra:
            lines.append(json.dumps(extra[index], ensure_ascii=False, sort_keys=True, default=str))
            continue
        path = sdir.shard_errors(index)
        if path.exists():
            lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line)
    write_text(sdir.errors, "".join(line + "\n" for line in lines))


def record_failed_shards(
    stage: Stage, sdir: StageDir, done: list[int], failed: Mapping[int, Mapping[str, Any]]
) -> None:
    """Write ``errors.jsonl`` of an incomplete stage: the finished shards' records plus one
    ``shard_failed`` record per failed shard (stage, shard, payload, error, tries, traceback).

    No ``stats.json`` is written: the stage is not complete until a re-run finishes the failed shards.
    """
    records = {
        index: {"stage": stage.display_name, "shard": index, "reason": "shard_failed", **info}
        for index, info in failed.items()
    }
    merge_errors(sdir, done, records)


def clear_shard(sdir: StageDir, index: int, files: list[Path]) -> None:
    """Delete a shard's marker, then its files: a marker never outlives its data."""
    sdir.marker(index).unlink(missing_ok=True)
    for path in files:
        path.unlink(missing_ok=True)


def prepare(stage: Stage, run: RunLayout) -> tuple[StageDir, Work]:
    """Plan the stage and find which shards are done; a stage with work to do is invalidated (with every
    later stage) and its shards to redo are cleared."""
    sdir = stage.output_dir(run)
    makedirs(sdir.path)
    sweep_temporaries(sdir.path)
    tasks = stage.plan(run)
    files = shard_files(sdir)
    remove_stale_shards(files, {t.index for t in tasks})
    work = plan_work(stage, run, tasks, sdir)
    if work.reasons:
        invalidate(stage, run, sdir)
        for task in work.todo:
            clear_shard(sdir, task.index, files.get(task.index, []))
    return sdir, work


def complete(
    stage: Stage, run: RunLayout, sdir: StageDir, tasks: list[ShardTask], results: dict[int, dict]
) -> StageStats:
    """Merge shard counts and errors, run the stage's global step, and write ``stats.json`` last."""
    stats = StageStats()
    for task in tasks:
        stats.merge(StageStats.from_dict(results[task.index]))
    merge_errors(sdir, [t.index for t in tasks])
    stage.finalize(run, stats)
    if stage.check_balance() and stats.unbalanced_languages():
        raise RuntimeError(
            f"{stage.display_name}: accounting does not balance for {stats.unbalanced_languages()} "
            "(in != kept + removed + errors); this is a bug in roots"
        )
    payload = {"stage": stage.display_name, "shards": len(tasks), **stats.to_dict()}
    write_json(sdir.stats, payload)
    return stats
