"""What every dedup step shares: the input shards, the configuration, and the partition counts.

Every step declares the same inputs as the dedup stage (its configuration, the input documents' stage and
the language segmenters, ``DedupPlan.step_inputs``) plus its own parameters, so any change recomputes every
step and an unchanged plan resumes (``roots.inputs`` decides).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roots.dedup.config import DedupStageConfig
from roots.dedup.languages import SegmenterTable
from roots.errors import UserError
from roots.inputs import Upstream
from roots.layout import RunLayout
from roots.stage import ShardTask, Stage

# the layout of the working files (2: one partitioned file per sending task); part of every helper step's
# identity, so working files of an older layout left by an interrupted run are recomputed, never misread
WORKING_LAYOUT = 2


@dataclass(frozen=True)
class DedupPlan:
    config: DedupStageConfig
    inputs: tuple[str, ...]  # input Parquet shards, in shard order
    input_stage: str  # "filter" or "extract"
    input_rows: int
    segmenters: SegmenterTable  # (lang, segmenter, model, spaced) from the language configs
    bands: int
    rows: int

    @property
    def shards(self) -> int:
        return len(self.inputs)

    @property
    def exact_verify(self) -> bool:
        """Whether candidates are verified on their shingle sets (stored by the signature step)."""
        return self.config.minhash.enabled and self.config.minhash.verify == "exact"

    @property
    def signature_hashes(self) -> int:
        """Hash functions per signature: only the LSH bands' when signatures are not used for estimates."""
        return self.bands * self.rows if self.exact_verify else self.config.minhash.num_perm

    @property
    def key_partitions(self) -> int:
        """Partitions of the keys/lines steps, so one partition holds about ``max_items_in_memory`` rows."""
        keys_per_doc = self.bands + 2 if self.config.minhash.enabled else 2
        return max(1, math.ceil(self.input_rows * keys_per_doc / self.config.max_items_in_memory))

    def step_inputs(self) -> dict[str, Any]:
        """What every dedup step depends on (``keep_intermediate`` and ``batch_docs`` change no output)."""
        config = self.config.model_dump(mode="json", exclude={"keep_intermediate", "batch_docs"})
        return {"dedup": config, "documents": Upstream(self.input_stage), "segmenters": list(self.segmenters)}


class DedupStep(Stage):
    """A helper step of dedup writing under ``dedup/_<name>``; it moves data, so it has no document balance."""

    def __init__(self, dplan: DedupPlan) -> None:
        self.dplan = dplan

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        return {**self.dplan.step_inputs(), "step": {"layout": WORKING_LAYOUT, **self.extra_config()}}

    def extra_config(self) -> dict[str, Any]:
        return {}

    def check_balance(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return self.subdir


def tasks(count: int) -> list[ShardTask]:
    return [ShardTask(i, {}) for i in range(count)]


class PartitionedStep(DedupStep):
    """A dedup step with one task per hash partition of its input (``partitions`` is part of its identity)."""

    def __init__(self, dplan: DedupPlan, partitions: int) -> None:
        super().__init__(dplan)
        self.partitions = partitions

    def extra_config(self) -> dict[str, Any]:
        return {"partitions": self.partitions}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.partitions)


def input_files(run: RunLayout) -> tuple[str, list[Path]]:
    """The documents dedup reads: the filter stage's kept shards, else the extract stage's shards."""
    kept = run.stage("filter").parts("kept")
    if kept or run.stage("filter").stats.exists():
        return "filter", kept
    parts = run.stage("extract").parts()
    if parts:
        return "extract", parts
    raise UserError(
        f"{run.root}: no documents to deduplicate (no filter/kept/ or extract/ shards); "
        "run `roots extract …` (and `roots filter`) on this run first"
    )
