"""The run directory: where every stage reads and writes.

```
RUN/
  config.yaml              resolved pipeline configuration of this run
  extract/  part-00000.parquet …  errors.jsonl  stats.json  _done/  _errors/
  filter/   kept/part-*.parquet  removed/part-*.parquet  errors.jsonl  stats.json  _done/  _errors/
  dedup/    kept/  removed/  stats.json …
  export/   …
```
``_done/part-NNNNN.json`` is a shard's completion marker (it also holds the shard's counts, so the
stage's ``stats.json`` can be rebuilt on resume without redoing work); ``_errors/part-NNNNN.jsonl``
holds a shard's error records until the stage merges them into ``errors.jsonl``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from roots.storage import read_parquet

STAGES = ("extract", "filter", "dedup", "export")
CONFIG_FILE = "config.yaml"


def shard_name(index: int, suffix: str = ".parquet") -> str:
    return f"part-{index:05d}{suffix}"


@dataclass(frozen=True)
class StageDir:
    """One stage's subdirectory of a run."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def part(self, index: int, kind: str | None = None) -> Path:
        """The Parquet shard ``index``; ``kind`` is ``kept``/``removed`` for stages that drop documents."""
        base = self.path / kind if kind else self.path
        return base / shard_name(index)

    def marker(self, index: int) -> Path:
        return self.path / "_done" / shard_name(index, ".json")

    def shard_errors(self, index: int) -> Path:
        return self.path / "_errors" / shard_name(index, ".jsonl")

    @property
    def errors(self) -> Path:
        return self.path / "errors.jsonl"

    @property
    def stats(self) -> Path:
        return self.path / "stats.json"

    def parts(self, kind: str | None = None) -> list[Path]:
        """Existing Parquet shards in shard order."""
        base = self.path / kind if kind else self.path
        return sorted(base.glob("part-*.parquet"))

    def read_stats(self) -> dict[str, Any] | None:
        if not self.stats.exists():
            return None
        return json.loads(self.stats.read_text(encoding="utf-8"))

    def read_table(self, kind: str | None = None, columns: list[str] | None = None) -> pa.Table | None:
        """All shards of this stage (or of its ``kind`` subdirectory) as one table; None if there are none."""
        parts = self.parts(kind)
        if not parts:
            return None
        return pa.concat_tables([read_parquet(p, columns=columns) for p in parts], promote_options="default")


@dataclass(frozen=True)
class RunLayout:
    """Paths of one run directory."""

    root: Path

    def stage(self, name: str) -> StageDir:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}; stages are {', '.join(STAGES)}")
        return StageDir(self.root / name)

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    def exists(self) -> bool:
        return self.root.is_dir()

    def final_stage(self) -> str | None:
        """The last stage that has finished (has stats.json), whose kept documents are the run's output."""
        done = [s for s in STAGES if self.stage(s).stats.exists()]
        return done[-1] if done else None

    def documents_dir(self, stage: str) -> tuple[StageDir, str | None]:
        """Where a stage's surviving documents live: ``kept/`` for dropping stages, the stage dir otherwise."""
        sdir = self.stage(stage)
        return (sdir, "kept") if (sdir.path / "kept").is_dir() else (sdir, None)
