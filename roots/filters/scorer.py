"""One language's scorer: ROOTS modifications, then every statistic, for a batch of documents.

Used by the filter stage and by the dashboard's "test your own text"::

    scorer = LanguageScorer.for_language("en", Path("configs/languages"))
    table = scorer.score(["Some text …"])          # modified text + all statistic columns
    reasons = scorer.drop_reasons(table)             # first failing filter per row, or None
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from roots.filters.catalog import FILTERS
from roots.filters.decide import first_failing_filter
from roots.filters.filter import Batch, Filter, Language
from roots.filters.language_config import LanguageConfig
from roots.filters.modifications import modify
from roots.filters.registry import LanguageRegistry, LoadedLanguage, config_relative
from roots.filters.words import WordExtractor

if TYPE_CHECKING:
    from roots.filters.lid import LanguageDetector


def statistic_fields(filters: Iterable[type[Filter]]) -> tuple[pa.Field, ...]:
    """The stored statistic columns of ``filters``, in filter order."""
    return tuple(field for f in filters for field in f.fields())


STATISTIC_FIELDS: tuple[pa.Field, ...] = statistic_fields(f for f in FILTERS if f.in_every_config)
STATISTIC_COLUMNS: tuple[str, ...] = tuple(f.name for f in STATISTIC_FIELDS)
BATCH_CHARS = 1_000_000  # characters per vectorised n-gram pass (bounds memory, not results)


class DocumentError(Exception):
    """A document that could not be scored; ``index`` is its position in the batch."""

    def __init__(self, index: int, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.index, self.reason, self.detail = index, reason, detail


@dataclass(frozen=True)
class Scored:
    """Modified texts and statistic columns of a batch; ``errors`` lists documents that failed."""

    texts: list[str]
    columns: dict[str, np.ndarray]
    errors: list[DocumentError]


class LanguageScorer:
    """Everything needed to score one language; word lists and models are loaded once."""

    def __init__(self, loaded: LoadedLanguage, detector: LanguageDetector | None = None) -> None:
        self.loaded = loaded
        config = self.config
        pieces = getattr(config.filters.get("perplexity"), "sentencepiece_model", None)
        self.words = WordExtractor(
            config.segmenter,
            model=config_relative(pieces, loaded.path) if config.segmenter == "sentencepiece" else None,
            roots_compat=config.roots_compat,
        )
        self.detector = detector
        language = Language(config, loaded.path, detector)
        self.filters: list[Filter] = [
            spec(settings, language) for spec, settings in config.filters.configured()
        ]
        self.fields = statistic_fields(type(f) for f in self.filters)
        self.columns = tuple(field.name for field in self.fields)

    def filter(self, name: str) -> Filter:
        """This language's instance of filter ``name`` (its loaded word lists and models)."""
        for f in self.filters:
            if f.name == name:
                return f
        raise KeyError(f"{self.config.lang} does not run filter {name!r}")

    @property
    def config(self) -> LanguageConfig:
        return self.loaded.config

    @classmethod
    def for_language(
        cls, lang: str, languages_dir: Path | str, *, lid_model: str | None = None
    ) -> LanguageScorer:
        """The scorer of ``lang`` from a folder of language YAMLs (``default.yaml`` if ``lang`` has none)."""
        registry = LanguageRegistry(languages_dir)
        loaded = registry.get(lang)
        return cls(loaded, scoring_detector(registry, loaded, lid_model))

    # ------------------------------------------------------------------ scoring
    def modify(self, texts: Sequence[str]) -> list[str]:
        mods = self.config.modifications
        return [modify(t, mods) for t in texts]

    def compute(self, texts: Sequence[str]) -> Scored:
        """Modify ``texts`` and compute every statistic; a failing document is reported, not raised."""
        modified: list[str] = []
        errors: list[DocumentError] = []
        mods = self.config.modifications
        for i, text in enumerate(texts):
            try:
                new = modify(text, mods)
                new.encode("utf-8")  # a lone surrogate would break the batched statistics: reject it here
                modified.append(new)
            except Exception as exc:  # one bad document must not stop the run
                errors.append(DocumentError(i, "modification_failed", f"{type(exc).__name__}: {exc}"))
                modified.append("")
        columns: dict[str, list[np.ndarray]] = {name: [] for name in self.columns}
        for lo, hi in _chunks(modified, BATCH_CHARS):
            chunk = modified[lo:hi]
            for f in self.filters:  # filters that edit the text run first (switched off: statistics only)
                if f.modifies_text:
                    edited = f.modify(Batch(chunk, self.words.batch))
                    chunk = edited.texts if f.config.enabled else chunk
                    for name, values in edited.columns.items():
                        columns[name].append(values)
            modified[lo:hi] = chunk
            batch = Batch(chunk, self.words.batch)
            for f in self.filters:
                if not f.modifies_text:
                    for name, values in f.compute(batch).items():
                        columns[name].append(values)
        return Scored(modified, {name: _concat(parts) for name, parts in columns.items()}, errors)

    def score(self, texts: Sequence[str]) -> pa.Table:
        """A table of the modified ``text`` and every statistic column (null: not available)."""
        scored = self.compute(texts)
        return statistics_table(scored.texts, scored.columns, self.fields)

    def drop_reasons(self, table: pa.Table | Mapping[str, np.ndarray]) -> np.ndarray:
        """First failing filter per row (None: kept), from a ``score`` table or statistic columns."""
        if isinstance(table, pa.Table):
            columns = {
                name: _to_numpy(table.column(name)) for name in self.columns if name in table.column_names
            }
        else:
            columns = dict(table)
        return first_failing_filter(columns, self.config.filters)

    def notes(self) -> list[str]:
        """Filters that pass every document for lack of a resource (for the run summary)."""
        notes = (f.note() for f in self.filters if f.config.enabled)
        return [note for note in notes if note]


def scoring_detector(
    registry: LanguageRegistry, loaded: LoadedLanguage, lid_model: str | None
) -> LanguageDetector:
    """The detector that scores ``loaded``'s language: the configured languages, or the stand-in config alone."""
    from roots.filters.lid import LanguageDetector

    configs = {loaded.config.lang: loaded.config} if loaded.fallback else registry.configs()
    return LanguageDetector(configs, lid_model)


def statistics_table(
    texts: list[str], columns: Mapping[str, np.ndarray], fields: Iterable[pa.Field] = STATISTIC_FIELDS
) -> pa.Table:
    """``text`` plus the statistic columns as Arrow (NaN becomes null)."""
    arrays = {"text": pa.array(texts, pa.string())}
    for field in fields:
        arrays[field.name] = pa.array(columns[field.name], type=field.type, from_pandas=True)
    return pa.table(arrays)


def _to_numpy(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(np.float64)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)


def _chunks(texts: Sequence[str], max_chars: int) -> Iterator[tuple[int, int]]:
    """Consecutive index ranges whose texts hold at most ``max_chars`` characters (at least one text each)."""
    lo, size = 0, 0
    for i, text in enumerate(texts):
        if i > lo and size + len(text) > max_chars:
            yield lo, i
            lo, size = i, 0
        size += len(text)
    if lo < len(texts):
        yield lo, len(texts)
