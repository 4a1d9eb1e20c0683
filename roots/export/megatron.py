"""The Megatron export: tokenize the final documents shard-parallel, then merge one dataset per language.

Each shard (a run of row groups of one final Parquet file) tokenizes its documents with the run's
tokenizer, appends EOD to every non-empty document (``--append-eod``), and writes one partial dataset per
language (or language and source) to ``export/_shards/part-NNNNN/<key>.{bin,idx}`` plus a ``manifest.json``.
``finalize`` merges each key's partials in shard order into ``OUT/<key>_text_document.{bin,idx}``: exactly
what ``tools/preprocess_data.py --append-eod`` writes for a jsonl of that language's documents in that order.
It then validates every dataset and writes the blend (``data_path.txt``, ``blend.json``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from roots.atomic import write_json
from roots.errors import UserError
from roots.export.config import ExportStageConfig
from roots.export.documents import FinalDocuments, dataset_key, plan_row_ranges, read_shard
from roots.export.indexed import DatasetWriter, TokenIdOutOfRange, merge_datasets, validate_dataset
from roots.export.outputs import ExportedDataset, write_megatron_outputs
from roots.export.tokenizer import TokenizerSpec, encode, load_tokenizer
from roots.layout import RunLayout
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats
from roots.storage import makedirs, remove_tree

SHARDS_DIR = "_shards"
MANIFEST = "manifest.json"
SUFFIX = "_text_document"  # preprocess_data.py names outputs <prefix>_<json key>_<level>


@dataclass(frozen=True)
class EncodedGroup:
    """The documents of one dataset key in one shard, tokenized: flat ids and per-document lengths."""

    tokens: np.ndarray
    lengths: np.ndarray


def encode_documents(
    texts: list[str], spec: TokenizerSpec, append_eod: bool, add_special_tokens: bool
) -> EncodedGroup:
    """Tokenize documents as one sequence each; EOD goes after every non-empty document."""
    ids = encode(load_tokenizer(spec.path), texts, add_special_tokens)
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    tokens = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
    if append_eod and len(ids):
        nonempty = lengths > 0
        ends = np.cumsum(lengths)[nonempty]
        tokens = np.insert(tokens, ends, spec.eod_id)
        lengths = lengths + nonempty
    return EncodedGroup(tokens, lengths)


class MegatronStage(Stage):
    """Tokenizes the final documents into per-shard partial datasets; ``finalize`` merges and validates."""

    subdir = "export"

    def __init__(
        self, config: ExportStageConfig, spec: TokenizerSpec, documents: FinalDocuments, out: Path
    ) -> None:
        self.config = config
        self.spec = spec
        self.documents = documents
        self.out = out

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        settings = self.config.model_dump(
            mode="json", include={"append_eod", "add_special_tokens", "per_source", "rows_per_shard"}
        )
        tokenizer = {
            "digest": self.spec.digest,
            "vocab_size": self.spec.vocab_size,
            "eod_id": self.spec.eod_id,
        }
        return {"export": {"format": "megatron", **settings}, "tokenizer": tokenizer}

    def shard_inputs(self, task: ShardTask) -> dict[str, Any]:
        return {"documents": self.documents.upstream(task)}

    def shard_dir(self, run: RunLayout, index: int) -> Path:
        return self.output_dir(run).path / SHARDS_DIR / f"part-{index:05d}"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        tasks = plan_row_ranges(self.documents.parts, self.config.rows_per_shard)
        sdir = self.output_dir(run)
        for task in tasks:  # a shard whose partial datasets were deleted must be redone
            if not _manifest_complete(self.shard_dir(run, task.index)):
                sdir.marker(task.index).unlink(missing_ok=True)
        return tasks

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        table = read_shard(dict(task.payload), ["id", "text", "lang", "source"])
        texts = _column(table, "text")
        langs = _column(table, "lang")
        sources = _column(table, "source")
        ids = _column(table, "id")
        stats = StageStats()
        errors: list[dict[str, Any]] = []
        groups: dict[str, list[int]] = {}
        for row, (text, lang) in enumerate(zip(texts, langs, strict=True)):
            stats.add_in(lang, len(text or ""))
            if not isinstance(text, str):
                stats.add_error(lang, "missing_text")
                errors.append(_error(task, row, ids[row], "missing_text", "text is null"))
                continue
            groups.setdefault(dataset_key(lang, sources[row], self.config.per_source), []).append(row)
        shard = self.shard_dir(run, task.index)
        remove_tree(shard, ignore_errors=True)
        makedirs(shard)
        manifest: dict[str, dict[str, Any]] = {}
        for key in sorted(groups):
            rows = groups[key]
            encoded = encode_documents(
                [texts[r] for r in rows], self.spec, self.config.append_eod, self.config.add_special_tokens
            )
            try:
                with DatasetWriter(shard / key, self.spec.vocab_size) as writer:
                    writer.add_documents(encoded.tokens, encoded.lengths)
            except TokenIdOutOfRange as exc:
                raise UserError(
                    f"export.tokenizer {self.spec.path}: {exc}; the vocabulary size "
                    f"{self.spec.vocab_size} is too small for this tokenizer (check export.vocab_size)"
                ) from None
            for r in rows:
                stats.add_kept(langs[r], len(texts[r]))
            manifest[key] = {
                "lang": dataset_key(langs[rows[0]], None, False),
                "source": sources[rows[0]] if self.config.per_source else None,
                "documents": len(rows),
                "tokens": int(encoded.lengths.sum()),
            }
        write_json(shard / MANIFEST, manifest)
        return ShardOutput(errors=errors, stats=stats)

    def finalize(self, run: RunLayout, stats: StageStats) -> None:
        tasks = plan_row_ranges(self.documents.parts, self.config.rows_per_shard)
        current = [self.shard_dir(run, t.index) for t in tasks]
        for shard in (self.output_dir(run).path / SHARDS_DIR).glob("part-*"):
            if shard not in current:  # left by an earlier, larger plan
                remove_tree(shard, ignore_errors=True)
        partials: dict[str, list[Path]] = {}
        langs: dict[str, dict[str, Any]] = {}
        for shard in current:
            for key, entry in json.loads((shard / MANIFEST).read_text(encoding="utf-8")).items():
                partials.setdefault(key, []).append(shard / key)
                langs[key] = {"lang": entry["lang"], "source": entry["source"]}
        makedirs(self.out)
        datasets = []
        for key in sorted(partials):
            prefix = self.out / f"{key}{SUFFIX}"
            merge_datasets(partials[key], prefix)
            datasets.append(
                ExportedDataset(key, **langs[key], summary=validate_dataset(prefix, self.spec.vocab_size))
            )
        stats.extra = write_megatron_outputs(run, self.out, self.config, self.spec, datasets)


def _manifest_complete(shard: Path) -> bool:
    manifest = shard / MANIFEST
    if not manifest.is_file():
        return False
    keys = json.loads(manifest.read_text(encoding="utf-8"))
    return all((shard / f"{k}.bin").is_file() and (shard / f"{k}.idx").is_file() for k in keys)


def _column(table: Any, name: str) -> list[Any]:
    return table.column(name).to_pylist() if name in table.column_names else [None] * table.num_rows


def _error(task: ShardTask, row: int, doc_id: str | None, reason: str, detail: str) -> dict[str, Any]:
    locator = f"{Path(task.payload['file']).name}#row={task.payload['start'] + row}"
    return {"stage": "export", "id": doc_id, "locator": locator, "reason": reason, "detail": detail}
