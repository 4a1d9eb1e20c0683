"""Hugging Face ``datasets`` input: local files, a dataset folder, a ``save_to_disk`` folder, or a hub name.

Work units are row ranges of ``rows_per_shard`` (memory-mapped Arrow, so a worker reads only its
rows), or, with ``streaming``, one unit per data file of the ``IterableDataset``. Locators are
``<dataset>:<split>#r<row>`` (streaming: ``#s<shard>r<row>``; with an id column: ``#id=<value>``).
Offline (the CLI sets ``HF_HUB_OFFLINE=1``) a hub name fails at once with a one-line message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from roots.errors import UserError
from roots.sources.base import ExtractError, Item, Source
from roots.sources.config import HfSource
from roots.sources.files import expand_paths

BUILDERS = {
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json.gz": "json",
    ".jsonl.gz": "json",
    ".csv": "csv",
    ".csv.gz": "csv",
    ".arrow": "arrow",
    ".txt": "text",
}
_LOADED: dict[str, Any] = {}  # per-process cache: every unit of a dataset reuses one memory-mapped load


class HfReader(Source):
    kind = "hf"
    config: HfSource

    @cached_property
    def dataset_name(self) -> str:
        """The dataset part of locators: a local path's file or folder name, or the hub name."""
        cfg = self.config
        name = Path(cfg.path).name if Path(cfg.path).exists() else cfg.path
        return f"{name}/{cfg.config}:{cfg.split}" if cfg.config else f"{name}:{cfg.split}"

    def units(self) -> list[dict[str, Any]]:
        dataset = load(self.config)
        self._check_columns(dataset.column_names)
        if _is_streamed(dataset):
            return [{"shard": i, "shards": dataset.num_shards} for i in range(dataset.num_shards)]
        rows, step = dataset.num_rows, self.config.rows_per_shard
        repeats = _repeated_ids(dataset, self.config.id_column) if self.config.id_column else {}
        return [
            {
                "start": s,
                "stop": min(s + step, rows),
                "repeats": {str(r): f for r, f in repeats.items() if s <= r < s + step},
            }
            for s in range(0, max(rows, 1), step)
        ]

    def _check_columns(self, columns: list[str] | None) -> None:
        if columns is None:  # a streamed dataset whose columns are known only when read
            return
        cfg = self.config
        wanted: dict[str, list[str | None]] = {
            "text_column": [cfg.text_column],
            "id_column": [cfg.id_column],
            "url_column": [cfg.url_column],
        }
        wanted["meta_columns"] = list(cfg.meta_columns or [])
        for key, names in wanted.items():
            for name in names:
                if name is not None and name not in columns:
                    raise UserError(
                        f"hf {key}: the dataset {cfg.path!r} has no column {name!r}; its columns are "
                        f"{', '.join(columns)}"
                    )

    def _meta_columns(self, available: list[str]) -> list[str]:
        cfg = self.config
        if cfg.meta_columns is not None:  # the id column is always kept: it names the row
            return list(dict.fromkeys([*([cfg.id_column] if cfg.id_column else []), *cfg.meta_columns]))
        return [c for c in available if c not in {cfg.text_column, cfg.url_column}]

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        dataset = load(self.config)
        if "shard" in unit:
            shard = dataset.shard(num_shards=unit["shards"], index=unit["shard"])
            meta_columns: list[str] | None = None
            for row_no, row in enumerate(shard):
                meta_columns = meta_columns if meta_columns is not None else self._meta_columns(list(row))
                yield self._row(
                    row, meta_columns, f"s{unit['shard']}r{row_no}", {"shard": unit["shard"], "row": row_no}
                )
            return
        cfg = self.config
        meta_columns = self._meta_columns(dataset.column_names)
        wanted = [cfg.text_column, cfg.id_column, cfg.url_column, *meta_columns]
        columns = list(dict.fromkeys(c for c in wanted if c))
        table = dataset.select_columns(columns).with_format("arrow")[unit["start"] : unit["stop"]]
        values = {c: table.column(c).to_pylist() for c in columns}
        repeats = unit.get("repeats", {})
        for j in range(table.num_rows):
            row_no = unit["start"] + j
            item = self._row({c: values[c][j] for c in columns}, meta_columns, f"r{row_no}", {"row": row_no})
            first = repeats.get(str(row_no))
            if first is not None and not isinstance(item, ExtractError):
                detail = f"{cfg.id_column!r} repeats the id of row {first}; only the first is kept"
                item = ExtractError(f"{self.dataset_name}#r{row_no}", "duplicate_id", detail, cfg.lang)
            yield item

    def _row(
        self, row: dict[str, Any], meta_columns: list[str], position: str, where: dict[str, int]
    ) -> Item:
        cfg = self.config
        lang = cfg.lang
        key = row.get(cfg.id_column) if cfg.id_column else None
        locator = f"{self.dataset_name}#id={key}" if key is not None else f"{self.dataset_name}#{position}"
        text = row.get(cfg.text_column)
        if not isinstance(text, str):
            detail = f"column {cfg.text_column!r} is {type(text).__name__ if text is not None else 'null'}"
            return ExtractError(locator, "missing_text", detail, lang)
        if not text.strip():
            return ExtractError(locator, "empty_text", "", lang)
        url = row.get(cfg.url_column) if cfg.url_column else None
        meta = {c: row.get(c) for c in meta_columns}
        meta.update({"dataset": self.dataset_name, **where})
        return self.document(locator, text, url=url if isinstance(url, str) else None, meta=meta)


def _repeated_ids(dataset: Any, column: str) -> dict[int, int]:
    """Rows whose (non-null) id an earlier row has, mapped to that first row: ids must stay unique."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = dataset.select_columns([column]).with_format("arrow")[:].column(column)
    table = pa.table({"id": ids, "row": pa.array(np.arange(len(ids)))}).filter(pc.is_valid(ids))
    firsts = table.group_by("id").aggregate([("row", "min")])
    joined = table.join(firsts, "id").filter(pc.not_equal(pc.field("row"), pc.field("row_min")))
    return dict(zip(joined.column("row").to_pylist(), joined.column("row_min").to_pylist(), strict=True))


def load(config: HfSource) -> Any:
    """The dataset a config names (``Dataset`` or ``IterableDataset``), loaded once per process."""
    key = config.model_dump_json()
    if key not in _LOADED:
        _LOADED[key] = _load(config)
    return _LOADED[key]


def _load(config: HfSource) -> Any:
    import datasets

    datasets.disable_progress_bars()
    datasets.utils.logging.set_verbosity(
        datasets.utils.logging.CRITICAL
    )  # failures become one UserError line
    path = Path(config.path).expanduser()
    kwargs: dict[str, Any] = {
        "split": config.split,
        "streaming": config.streaming,
        "cache_dir": config.cache_dir,
    }
    try:
        if config.data_files:
            files = [str(p) for p in expand_paths(config.data_files, key="hf data_files")]
            builder = config.path if config.path in set(BUILDERS.values()) else _builder(files[0])
            return datasets.load_dataset(builder, name=config.config, data_files=files, **kwargs)
        if path.is_file():
            return datasets.load_dataset(_builder(str(path)), data_files=[str(path)], **kwargs)
        if path.is_dir() and ((path / "state.json").exists() or (path / "dataset_dict.json").exists()):
            return _from_disk(path, config.split)
        if path.is_dir():
            return datasets.load_dataset(str(path), name=config.config, **kwargs)
        return datasets.load_dataset(config.path, name=config.config, **kwargs)
    except UserError:
        raise
    except datasets.exceptions.DatasetGenerationError as exc:
        raise UserError(_generation_error(config, exc)) from None
    except (
        ConnectionError,
        FileNotFoundError,
        ValueError,
        OSError,
        datasets.exceptions.DatasetNotFoundError,
    ) as exc:
        raise UserError(_load_error(config, exc)) from None


def _is_streamed(dataset: Any) -> bool:
    import datasets

    return isinstance(dataset, datasets.IterableDataset)


def _from_disk(path: Path, split: str) -> Any:
    import datasets

    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        if split not in loaded:
            raise UserError(f"hf split: {path} has no split {split!r}; its splits are {', '.join(loaded)}")
        return loaded[split]
    return loaded


def _builder(file_name: str) -> str:
    name = file_name.lower()
    for suffix, builder in BUILDERS.items():
        if name.endswith(suffix):
            return builder
    raise UserError(
        f"hf path: cannot tell the format of {file_name}; use a {', '.join(sorted(BUILDERS))} file"
    )


def _offline() -> bool:
    return any(
        os.environ.get(v, "").lower() in {"1", "true", "yes", "on"}
        for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


def _generation_error(config: HfSource, exc: Exception) -> str:
    """A data file ``datasets`` cannot parse (e.g. a malformed jsonl line): one line, and what to do."""
    cause = exc.__cause__ or exc.__context__ or exc
    first_line = (str(cause).strip().splitlines() or [""])[0]
    hint = (
        "; `roots extract jsonl` reads jsonl line by line and records malformed lines as errors"
        if any(str(config.path).endswith(s) for s in (".json", ".jsonl", ".ndjson", ".jsonl.gz", ".json.gz"))
        or config.path == "json"
        else "; fix or remove the broken file"
    )
    return f"hf path {config.path!r}: datasets cannot read it ({type(cause).__name__}: {first_line}){hint}"


def _load_error(config: HfSource, exc: Exception) -> str:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if not Path(config.path).exists() and _offline():
        return (
            f"hf path {config.path!r}: not a local file or folder, and the Hugging Face Hub is offline "
            "(HF_HUB_OFFLINE=1); give a local dataset (data files, a dataset folder or a save_to_disk folder), "
            "or set HF_HUB_OFFLINE=0 on a machine with network access"
        )
    return f"hf path {config.path!r}: cannot load the dataset ({first_line})"
