"""Export the final documents as Hugging Face ``datasets``-loadable Parquet or jsonl shards, per language.

``OUT/<lang>/part-NNNNN.{parquet,jsonl}`` holds the base columns of each shard's documents of that language,
and ``OUT/README.md`` is a dataset card whose ``configs`` make ``load_dataset(OUT)`` load everything and
``load_dataset(OUT, "<lang>")`` load one language.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from roots.atomic import write_parquet, write_text
from roots.export.config import ExportStageConfig
from roots.export.documents import FinalDocuments, dataset_key, plan_row_ranges, read_shard
from roots.layout import RunLayout, shard_name
from roots.schema import BASE_COLUMNS
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

CARD = "README.md"


class DocumentExportStage(Stage):
    """Copies the final documents, split by language, into ``OUT`` (one file per shard and language)."""

    def __init__(self, config: ExportStageConfig, documents: FinalDocuments, out: Path) -> None:
        self.config = config
        self.documents = documents
        self.out = out
        self.suffix = f".{config.format}"
        self.subdir = f"export/_{config.format}"

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        settings = {
            "format": self.config.format,
            "out": str(self.out),
            "rows_per_shard": self.config.rows_per_shard,
        }
        return {"export": settings}

    def shard_inputs(self, task: ShardTask) -> dict[str, Any]:
        return {"documents": self.documents.upstream(task)}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return plan_row_ranges(self.documents.parts, self.config.rows_per_shard)

    def _outputs(self, index: int | None = None) -> list[Path]:
        pattern = shard_name(index, self.suffix) if index is not None else f"part-*{self.suffix}"
        return sorted(self.out.glob(f"*/{pattern}"))

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        table = read_shard(dict(task.payload), list(BASE_COLUMNS))
        table = table.select([c for c in BASE_COLUMNS if c in table.column_names])
        langs = table.column("lang").to_pylist() if "lang" in table.column_names else [None] * table.num_rows
        texts = table.column("text").to_pylist()
        stats = StageStats()
        groups: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            chars = len(texts[row] or "")
            stats.add_in(lang, chars)
            stats.add_kept(lang, chars)
            groups.setdefault(dataset_key(lang, None, False), []).append(row)
        for stale in self._outputs(task.index):
            stale.unlink()
        for key, rows in sorted(groups.items()):
            self._write(self.out / key / shard_name(task.index, self.suffix), table.take(rows))
        return ShardOutput(stats=stats)

    def _write(self, path: Path, table: pa.Table) -> None:
        if self.config.format == "parquet":
            write_parquet(path, table)
        else:
            lines = (json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in table.to_pylist())
            write_text(path, "".join(lines))

    def finalize(self, run: RunLayout, stats: StageStats) -> None:
        planned = {shard_name(t.index, self.suffix) for t in self.plan(run)}
        for path in self._outputs():
            if path.name not in planned:  # left by an earlier, larger plan
                path.unlink()
        languages = sorted({p.parent.name for p in self._outputs()})
        write_text(self.out / CARD, dataset_card(languages, self.suffix))
        stats.extra = {"format": self.config.format, "out": str(self.out), "languages": languages}


def dataset_card(languages: list[str], suffix: str) -> str:
    """A README whose YAML ``configs`` let ``datasets.load_dataset`` pick all languages or one."""
    configs: list[dict[str, Any]] = [
        {
            "config_name": "default",
            "default": True,
            "data_files": [{"split": "train", "path": f"*/*{suffix}"}],
        }
    ]
    configs += [
        {"config_name": lang, "data_files": [{"split": "train", "path": f"{lang}/*{suffix}"}]}
        for lang in languages
    ]
    header = yaml.safe_dump({"configs": configs}, sort_keys=False, allow_unicode=True)
    body = (
        "# roots export\n\nFinal documents of a roots run, one folder per language "
        f"({', '.join(languages) or 'none'}).\n\n"
        "```python\nfrom datasets import load_dataset\n"
        'everything = load_dataset("PATH", split="train")\n'
        f'one_language = load_dataset("PATH", "{languages[0] if languages else "en"}", split="train")\n```\n'
    )
    return f"---\n{header}---\n\n{body}"
