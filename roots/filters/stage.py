"""The filter stage (``roots filter RUN``): RUN/extract/ shards → RUN/filter/{kept,removed}/ shards.

Per document, in order:

1. language: the source's declared ``lang`` if any, else the detected one (``LanguageDetector.detect``);
   a document whose language cannot be determined is removed with ``drop_reason = lang_id``
   (its statistics are still computed, with ``default.yaml``, so it can be inspected);
2. the ROOTS modifications of that language's config (the output keeps the modified text);
3. every statistic of every filter the language lists (``roots.filters.catalog``; the eight ROOTS filters
   always) as a column, whether or not the filter is enabled; a filter only other languages list gives null;
   ``lang_id_score`` (also stored as ``lang_score``) is the score of the document's language on the
   modified text, as ROOTS computed it;
4. the first failing enabled filter in filter order becomes ``drop_reason`` (``decide.py``);
5. kept documents get PII redaction when the language enables it (counts in ``stats.json`` ``extra``).

Languages without their own YAML use ``default.yaml``; they are reported on stderr and in ``stats.json``.
One output shard per input shard; the result does not depend on the number of workers.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from roots import packaged
from roots.errors import UserError, plural
from roots.executors import Executor, run_stage
from roots.filters.catalog import FILTERS
from roots.filters.config import FilterStageConfig
from roots.filters.filter import Filter, Language
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import (
    STATISTIC_FIELDS,
    LanguageScorer,
    scoring_detector,
    statistic_fields,
)
from roots.inputs import Upstream, digest, require_finished
from roots.layout import RunLayout
from roots.limits import DEFAULT_MAX_DOCUMENT_BYTES, oversize
from roots.schema import UNKNOWN_LANG, extend_schema
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats
from roots.storage import read_parquet

if TYPE_CHECKING:
    from roots.config import PipelineConfig
    from roots.filters.lid import LanguageDetector

#: the ROOTS filters' output schema; ``lid_label`` is the identifier's own label for a document in no configured
#: language (else null)
FILTER_SCHEMA = extend_schema(
    *STATISTIC_FIELDS, pa.field("drop_reason", pa.string()), pa.field("lid_label", pa.string())
)
UNDETERMINED_REASON = "lang_id"
TOO_LARGE_REASON = "too_large"
log = logging.getLogger(__name__)


def resolve_languages_dir(value: str) -> Path:
    """The languages folder; the default ``configs/languages``, when the working directory has none, is the
    configs shipped with roots (the checkout's, or the installed package's)."""
    path = Path(value).expanduser()
    if path.is_dir():
        return path.resolve()
    if value == FilterStageConfig.model_fields["languages_dir"].default:
        return packaged.languages_dir()
    raise UserError(
        f"filter.languages_dir = {value!r}: folder not found; pass --languages-dir with a folder of <lang>.yaml files"
    )


def language_inputs(registry: LanguageRegistry) -> dict[str, Any]:
    """The filter's inputs from the language folder, by name (``language <lang>``): each language's validated
    config and its filters' resources (word-list digests, model identities). Reading every configured word
    list and model path here also reports a missing file before any work."""
    inputs: dict[str, Any] = {}
    for lang in [*sorted(registry.languages), "default"]:
        loaded = registry.default if lang == "default" else registry.languages[lang]
        language = Language(loaded.config, loaded.path)
        found = {
            spec.name: spec.resources(config, language) for spec, config in loaded.config.filters.configured()
        }
        inputs[f"language {lang}"] = {
            "config": loaded.config.model_dump(mode="json"),
            "resources": {name: value for name, value in found.items() if value is not None},
        }
    return inputs


def stage_filters(registry: LanguageRegistry) -> list[type[Filter]]:
    """The filters some language of the run lists (the ROOTS filters always): they give the stored columns."""
    configs = [item.config for item in [*registry.languages.values(), registry.default]]
    listed = {spec.name for config in configs for spec, _ in config.filters.configured()}
    return [spec for spec in FILTERS if spec.name in listed]


def filter_schema(fields: tuple[pa.Field, ...]) -> pa.Schema:
    """The stage's output schema: the document columns, the statistic columns, then ``drop_reason`` and
    ``lid_label``."""
    return extend_schema(*fields, pa.field("drop_reason", pa.string()), pa.field("lid_label", pa.string()))


class FilterEngine:
    """Per-process state of the stage: configs, the detector and one scorer per language (built lazily)."""

    def __init__(self, languages_dir: Path, lid_model: str | None) -> None:
        self.registry = LanguageRegistry(languages_dir)
        self.fields = statistic_fields(stage_filters(self.registry))
        self.schema = filter_schema(self.fields)
        self.lid_model = lid_model
        self._detector: LanguageDetector | None = None
        self._scorers: dict[str, LanguageScorer] = {}

    @property
    def detector(self) -> LanguageDetector:
        if self._detector is None:
            from roots.filters.lid import LanguageDetector

            self._detector = LanguageDetector(self.registry.configs(), self.lid_model)
        return self._detector

    def scorer(self, lang: str) -> LanguageScorer:
        if lang not in self._scorers:
            loaded = self.registry.get(lang)
            detector = (
                scoring_detector(self.registry, loaded, self.lid_model) if loaded.fallback else self.detector
            )
            self._scorers[lang] = LanguageScorer(loaded, detector)
        return self._scorers[lang]

    def languages(self, texts: list[str], declared: list[str | None]) -> tuple[list[str | None], int]:
        """Declared language where given, else the detected one (None: undetermined); and how many were detected."""
        langs = list(declared)
        todo = [i for i, lang in enumerate(langs) if not lang]
        if todo:
            for i, (lang, _score) in zip(todo, self.detector.detect([texts[i] for i in todo]), strict=True):
                langs[i] = lang
        return langs, len(todo)


_ENGINES: dict[str, FilterEngine] = {}


def engine_for(stage: FilterStage) -> FilterEngine:
    """The process's engine for this stage configuration (rebuilt when the configuration changes)."""
    key = stage.identity
    if key not in _ENGINES:
        _ENGINES.clear()
        _ENGINES[key] = FilterEngine(Path(stage.languages_dir), stage.config.lid_model)
    return _ENGINES[key]


class FilterStage(Stage):
    """Language, modifications, statistics and decisions for every extracted document."""

    subdir = "filter"

    def __init__(self, config: FilterStageConfig, languages_dir: Path, languages: dict[str, Any]) -> None:
        self.config = config
        self.languages_dir = str(languages_dir)
        self.languages = languages
        self.identity = digest([self.languages_dir, config.lid_model, languages])

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        lid_model = Path(self.config.lid_model) if self.config.lid_model else None
        limits = {"max_document_bytes": self.config.max_document_bytes}
        return {"filter": limits, "lid model": lid_model, **self.languages}

    def shard_inputs(self, task: ShardTask) -> dict[str, Any]:
        return {"extract shard": Upstream("extract", task.index)}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        parts = require_finished(run, "extract", "filter").parts()
        return [ShardTask(int(p.name.split("-")[1].split(".")[0]), {"input": str(p)}) for p in parts]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        table = read_parquet(task.payload["input"])
        return filter_table(engine_for(self), table, self.config.max_document_bytes)

    def finalize(self, run: RunLayout, stats: StageStats) -> None:
        sdir = self.output_dir(run)
        extras = []
        for task in self.plan(run):
            marker = json.loads(sdir.marker(task.index).read_text(encoding="utf-8"))
            extras.append(marker["stats"].get("extra", {}))
        extra = merge_extras(extras)
        extra["languages_dir"] = self.languages_dir
        stats.extra = extra
        report(extra)


def filter_table(
    engine: FilterEngine, table: pa.Table, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
) -> ShardOutput:
    """Filter one shard of documents: returns kept and removed tables, error records and counts.

    A document over ``max_bytes`` gets no language id and no statistics (one document must not stall a
    shard): it is removed as ``too_large`` (counted in ``stats.json`` ``extra.too_large``)."""
    rows = table.to_pylist()
    texts = [r["text"] for r in rows]
    big = {i for i, t in enumerate(texts) if oversize(t, max_bytes)}
    lid_texts = [("" if i in big else t) for i, t in enumerate(texts)]
    langs, detected = engine.languages(lid_texts, [r["lang"] for r in rows])
    n = len(rows)
    out_text: list[str] = list(texts)
    columns = {field.name: np.full(n, np.nan) for field in engine.fields}
    reasons = np.full(n, None, dtype=object)
    failed: dict[int, tuple[str, str]] = {}
    extra: dict[str, Any] = {"detected_language": detected}
    labels: dict[int, str | None] = {}  # row -> identifier label, for rows in no configured language
    groups: dict[str | None, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        if i not in big:
            groups[lang].append(i)
    for lang, idx in groups.items():
        scorer = engine.scorer(lang or UNKNOWN_LANG)
        scored = scorer.compute([texts[i] for i in idx])
        positions = np.asarray(idx)
        for name, values in scored.columns.items():
            columns[name][positions] = values
        group_reasons = scorer.drop_reasons(scored.columns)
        if lang is None:
            group_reasons[:] = UNDETERMINED_REASON
            extra["undetermined_language"] = len(idx)
            found = engine.detector.top_labels([texts[i] for i in idx])
            labels.update(zip(idx, found, strict=True))
            counts = extra.setdefault("undetermined_labels", {})
            for label in found:
                counts[label or UNKNOWN_LANG] = counts.get(label or UNKNOWN_LANG, 0) + 1
        reasons[positions] = group_reasons
        for j, i in enumerate(idx):
            out_text[i] = scored.texts[j]
        for err in scored.errors:
            failed[idx[err.index]] = (err.reason, err.detail)
        if lang is not None:
            _note_language(extra, lang, scorer, len(idx))
    for i in big:
        langs[i], reasons[i] = rows[i]["lang"], TOO_LARGE_REASON
    if big:
        extra["too_large"] = len(big)
    return _assemble(engine, rows, langs, out_text, columns, reasons, failed, extra, labels)


def _note_language(extra: dict[str, Any], lang: str, scorer: LanguageScorer, docs: int) -> None:
    if scorer.loaded.fallback:
        extra.setdefault("default_config", {})[lang] = docs
    notes = scorer.notes()
    if notes:
        extra.setdefault("filters_passed_without_resource", {})[lang] = notes


def _assemble(
    engine: FilterEngine,
    rows: list[dict[str, Any]],
    langs: list[str | None],
    texts: list[str],
    columns: dict[str, np.ndarray],
    reasons: np.ndarray,
    failed: dict[int, tuple[str, str]],
    extra: dict[str, Any],
    labels: dict[int, str | None],
) -> ShardOutput:
    stats = StageStats()
    errors: list[dict[str, Any]] = []
    kept: list[int] = []
    removed: list[int] = []
    pii: dict[str, dict[str, int]] = {}
    for i, row in enumerate(rows):
        lang = langs[i]
        stats.add_in(lang, len(row["text"]))
        if i in failed:
            reason, detail = failed[i]
            stats.add_error(lang, reason, len(row["text"]))
            errors.append(
                {
                    "stage": "filter",
                    "id": row["id"],
                    "source": row["source"],
                    "reason": reason,
                    "detail": detail,
                }
            )
        elif reasons[i] is None:
            if lang is not None and engine.scorer(lang).config.pii.enabled:
                texts[i] = _redact(texts[i], pii.setdefault(lang, {}))
            stats.add_kept(lang, len(texts[i]))
            kept.append(i)
        else:
            stats.add_removed(lang, reasons[i], len(row["text"]))
            removed.append(i)
    if any(pii.values()):
        extra["pii_redactions"] = {lang: counts for lang, counts in pii.items() if counts}
    stats.extra = extra
    tables: dict[str | None, pa.Table] = {
        "kept": _output_table(engine.schema, rows, langs, texts, columns, reasons, labels, kept),
        "removed": _output_table(engine.schema, rows, langs, texts, columns, reasons, labels, removed),
    }
    return ShardOutput(tables=tables, errors=errors, stats=stats)


def _redact(text: str, counts: dict[str, int]) -> str:
    from roots.filters.pii import redact_pii

    new, found = redact_pii(text)
    for tag, count in found.items():
        if count:
            counts[tag] = counts.get(tag, 0) + count
    return new


def _output_table(
    schema: pa.Schema,
    rows: list[dict[str, Any]],
    langs: list[str | None],
    texts: list[str],
    columns: dict[str, np.ndarray],
    reasons: np.ndarray,
    labels: dict[int, str | None],
    indices: list[int],
) -> pa.Table:
    idx = np.asarray(indices, dtype=np.int64)
    data: dict[str, Any] = {
        "id": [rows[i]["id"] for i in indices],
        "text": [texts[i] for i in indices],
        "source": [rows[i]["source"] for i in indices],
        "url": [rows[i]["url"] for i in indices],
        "lang": [langs[i] for i in indices],
        "lang_score": pa.array(columns["lang_id_score"][idx], pa.float64(), from_pandas=True),
        "meta": [rows[i]["meta"] for i in indices],
    }
    for field in schema:
        if field.name not in data and field.name not in ("drop_reason", "lid_label"):
            data[field.name] = pa.array(columns[field.name][idx], field.type, from_pandas=True)
    data["drop_reason"] = [reasons[i] for i in indices]
    data["lid_label"] = [labels.get(i) for i in indices]
    return pa.table(data, schema=schema)


def merge_extras(extras: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum the shards' ``extra`` counters (numbers add, dicts merge, lists union)."""
    out: dict[str, Any] = {}
    for extra in extras:
        _merge_into(out, extra)
    return out


def _merge_into(out: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in sorted(new.items()):
        if isinstance(value, dict):
            _merge_into(out.setdefault(key, {}), value)
        elif isinstance(value, list):
            out[key] = sorted(set(out.get(key, [])) | set(value))
        else:
            out[key] = out.get(key, 0) + value


def report(extra: dict[str, Any]) -> None:
    """The loud part of the summary: default-config languages and filters that passed for lack of a resource."""
    fallback = extra.get("default_config", {})
    if fallback:
        langs = ", ".join(f"{lang} ({docs} docs)" for lang, docs in sorted(fallback.items()))
        log.warning("roots filter: no language config for %s; filtered with default.yaml", langs)
    if extra.get("undetermined_language"):
        count = extra["undetermined_language"]
        found = sorted(extra.get("undetermined_labels", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        log.warning(
            "roots filter: %s in no configured language %s removed (drop_reason %s; identified as %s); "
            "add a <lang>.yaml to the languages folder to keep a language",
            plural(count, "document"),
            "was" if count == 1 else "were",
            UNDETERMINED_REASON,
            ", ".join(f"{label} {n}" for label, n in found) or "nothing",
        )
    by_note: dict[str, list[str]] = defaultdict(list)
    for lang, notes in sorted(extra.get("filters_passed_without_resource", {}).items()):
        for note in notes:
            by_note[note].append(lang)
    for note, names in sorted(by_note.items()):
        log.warning("roots filter: %s for %s", note, ", ".join(names))


def stage_for(config: PipelineConfig, run: RunLayout) -> FilterStage:
    filter_config = config.filter or FilterStageConfig()
    languages_dir = resolve_languages_dir(filter_config.languages_dir)
    return FilterStage(filter_config, languages_dir, language_inputs(LanguageRegistry(languages_dir)))


def run(config: PipelineConfig, run: RunLayout, executor: Executor) -> None:
    """``roots filter RUN``: filter every extracted shard with the configured language YAMLs."""
    run_stage(stage_for(config, run), run, executor)
