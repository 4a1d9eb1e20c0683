"""What a Megatron export leaves besides the datasets: the blend (``data_path.txt``, ``blend.json``).

``data_path.txt`` is one line, Megatron's ``--data-path`` value (``w1 prefix1 w2 prefix2 …``, absolute
prefixes). ``blend.json`` holds the token counts, the formula and the parameters the weights came from.
Both go to ``RUN/export/`` and, when the datasets were written elsewhere, beside the datasets too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from roots.atomic import write_json, write_text
from roots.export.blend import FORMULA, blend_weights, data_path_string, format_weight
from roots.export.config import ExportStageConfig
from roots.export.indexed import DatasetSummary, bin_path
from roots.export.tokenizer import TokenizerSpec
from roots.layout import RunLayout

DATA_PATH_FILE = "data_path.txt"
BLEND_FILE = "blend.json"
SUFFIX_GLOB = "*_text_document"


@dataclass(frozen=True)
class ExportedDataset:
    """One merged dataset: its key (file name before ``_text_document``), language, source and contents."""

    key: str
    lang: str
    source: str | None
    summary: DatasetSummary

    @property
    def prefix(self) -> str:
        return self.summary.prefix


def dataset_weights(datasets: list[ExportedDataset], config: ExportStageConfig) -> dict[str, float]:
    """Per-dataset weights: language weights from token counts, split among a language's datasets by tokens."""
    per_lang: dict[str, int] = {}
    for ds in datasets:
        per_lang[ds.lang] = per_lang.get(ds.lang, 0) + ds.summary.tokens
    lang_weights = blend_weights(
        per_lang, config.alpha, config.min_weight, config.max_weight, config.bounds()
    )
    return {
        ds.key: lang_weights[ds.lang] * ds.summary.tokens / per_lang[ds.lang]
        for ds in datasets
        if ds.summary.tokens > 0
    }


def remove_stale_datasets(out: Path, keep: set[str]) -> None:
    """Delete ``*_text_document`` pairs in the run's own export folder that this export did not write."""
    for idx in out.glob(f"{SUFFIX_GLOB}.idx"):
        prefix = str(idx)[: -len(".idx")]
        if prefix not in keep:
            idx.unlink(missing_ok=True)
            bin_path(prefix).unlink(missing_ok=True)


def write_megatron_outputs(
    run: RunLayout, out: Path, config: ExportStageConfig, spec: TokenizerSpec, datasets: list[ExportedDataset]
) -> dict[str, Any]:
    """Write the blend files; return the summary stored as ``extra`` in ``export/stats.json``."""
    run_export = run.stage("export").path
    if out.resolve() == run_export.resolve():
        remove_stale_datasets(out, {ds.prefix for ds in datasets})
    weights = dataset_weights(datasets, config)
    entries = [(weights[ds.key], ds.prefix) for ds in datasets if ds.key in weights]
    data_path = data_path_string(entries)
    languages: dict[str, dict[str, Any]] = {}
    for ds in datasets:
        entry = languages.setdefault(ds.lang, {"tokens": 0, "documents": 0, "weight": 0.0})
        entry["tokens"] += ds.summary.tokens
        entry["documents"] += ds.summary.documents
        entry["weight"] += weights.get(ds.key, 0.0)
    blend = {
        "formula": FORMULA,
        "alpha": config.alpha,
        "min_weight": config.min_weight,
        "max_weight": config.max_weight,
        "weight_bounds": {k: {"min": v[0], "max": v[1]} for k, v in sorted(config.bounds().items())},
        "languages": languages,
        "datasets": [
            {
                "key": ds.key,
                "lang": ds.lang,
                "source": ds.source,
                "prefix": ds.prefix,
                "tokens": ds.summary.tokens,
                "weight": weights.get(ds.key, 0.0),
            }
            for ds in datasets
        ],
        "data_path": data_path,
    }
    for folder in dict.fromkeys([run_export, out]):
        write_text(folder / DATA_PATH_FILE, data_path + "\n")
        write_json(folder / BLEND_FILE, blend)
    return {
        "format": "megatron",
        "out": str(out),
        "tokenizer": spec.path,
        "vocab_size": spec.vocab_size,
        "eod_id": spec.eod_id if config.append_eod else None,
        "dtype": datasets[0].summary.dtype if datasets else None,
        "datasets": {
            ds.key: {**asdict(ds.summary), "weight": format_weight(weights.get(ds.key, 0.0))}
            for ds in datasets
        },
        "tokens": sum(ds.summary.tokens for ds in datasets),
        "data_path": data_path,
    }
