"""One language's scorer: ROOTS modifications, then every statistic, for a batch of documents.

Used by the filter stage and by the dashboard's "test your own text"::

    scorer = LanguageScorer.for_language("en", Path("configs/languages"))
    table = scorer.score(["Some text …"])          # modified text + all statistic columns
    reasons = scorer.drop_reasons(table)             # first failing filter per row, or None
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from roots.filters.decide import first_failing_filter
from roots.filters.language_config import LanguageConfig
from roots.filters.modifications import modify
from roots.filters.registry import LanguageRegistry, LoadedLanguage, config_relative
from roots.filters.statistics import (
    character_repetition_ratios,
    special_characters_ratios,
    word_list_ratios,
    word_repetition_ratios,
)
from roots.filters.wordlists import WordList, load_flagged_words, load_stopwords
from roots.filters.words import WordBatch, WordExtractor

if TYPE_CHECKING:
    from roots.filters.lid import LanguageDetector

STATISTIC_FIELDS: tuple[pa.Field, ...] = (
    pa.field("number_words", pa.int64()),
    pa.field("character_repetition_ratio", pa.float64()),
    pa.field("word_repetition_ratio", pa.float64()),
    pa.field("special_characters_ratio", pa.float64()),
    pa.field("stopwords_ratio", pa.float64()),
    pa.field("flagged_words_ratio", pa.float64()),
    pa.field("lang_id_score", pa.float64()),
    pa.field("perplexity", pa.float64()),
)
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
        perplexity = config.filters.perplexity
        self.kenlm_model = config_relative(perplexity.kenlm_model, loaded.path)
        self.sentencepiece_model = config_relative(perplexity.sentencepiece_model, loaded.path)
        self.words = WordExtractor(
            config.segmenter,
            model=self.sentencepiece_model if config.segmenter == "sentencepiece" else None,
            roots_compat=config.roots_compat,
        )
        self.stopwords: WordList | None = load_stopwords(
            config.filters.stopwords.list, config.lang, loaded.path
        )
        self.flagged_words: WordList | None = load_flagged_words(
            config.filters.flagged_words.list, loaded.path
        )
        self.detector = detector
        self._perplexity = None
        if self.kenlm_model is not None and self.sentencepiece_model is not None:
            from roots.filters.perplexity import PerplexityScorer

            self._perplexity = PerplexityScorer(self.kenlm_model, self.sentencepiece_model)

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
        columns: dict[str, list[np.ndarray]] = {name: [] for name in STATISTIC_COLUMNS}
        for lo, hi in _chunks(modified, BATCH_CHARS):
            for name, values in self._columns(modified[lo:hi]).items():
                columns[name].append(values)
        return Scored(modified, {name: _concat(parts) for name, parts in columns.items()}, errors)

    def _columns(self, texts: list[str]) -> dict[str, np.ndarray]:
        filters = self.config.filters
        words = self.words.batch(texts)
        return {
            "number_words": words.counts.astype(np.int64),
            "character_repetition_ratio": character_repetition_ratios(
                texts, filters.character_repetition.n, filters.character_repetition.variant
            ),
            "word_repetition_ratio": word_repetition_ratios(words, filters.word_repetition.n),
            "special_characters_ratio": special_characters_ratios(texts),
            "stopwords_ratio": self._list_ratios(words, self.stopwords),
            "flagged_words_ratio": self._list_ratios(words, self.flagged_words),
            "lang_id_score": self._lang_id_scores(texts),
            "perplexity": self._perplexities(texts),
        }

    def _list_ratios(self, words: WordBatch, word_list: WordList | None) -> np.ndarray:
        if word_list is None:
            return np.full(len(words), np.nan)
        aug = self.config.words_augmentation
        return word_list_ratios(
            words, word_list.words, aug.group_sizes if aug else (), aug.join_char if aug else ""
        )

    def _lang_id_scores(self, texts: list[str]) -> np.ndarray:
        if self.detector is None or not texts:
            return np.full(len(texts), np.nan)
        return np.asarray(self.detector.score(texts, self.config.lang), dtype=np.float64)

    def _perplexities(self, texts: list[str]) -> np.ndarray:
        if self._perplexity is None or not texts:
            return np.full(len(texts), np.nan)
        return np.asarray(self._perplexity.perplexity(texts), dtype=np.float64)

    def score(self, texts: Sequence[str]) -> pa.Table:
        """A table of the modified ``text`` and every statistic column (null: not available)."""
        scored = self.compute(texts)
        return statistics_table(scored.texts, scored.columns)

    def drop_reasons(self, table: pa.Table | Mapping[str, np.ndarray]) -> np.ndarray:
        """First failing filter per row (None: kept), from a ``score`` table or statistic columns."""
        if isinstance(table, pa.Table):
            columns = {
                name: _to_numpy(table.column(name))
                for name in STATISTIC_COLUMNS
                if name in table.column_names
            }
        else:
            columns = dict(table)
        return first_failing_filter(columns, self.config.filters)

    def notes(self) -> list[str]:
        """Filters that pass every document for lack of a resource (for the run summary)."""
        filters = self.config.filters
        out = []
        if filters.stopwords.enabled and self.stopwords is None:
            out.append("stopwords: no stop-word list for this language, filter passed")
        if filters.flagged_words.enabled and self.flagged_words is None:
            out.append("flagged_words: no flagged-word list configured, filter passed")
        if filters.perplexity.enabled and self._perplexity is None:
            out.append("perplexity: no KenLM/SentencePiece model configured, filter passed")
        return out


def scoring_detector(
    registry: LanguageRegistry, loaded: LoadedLanguage, lid_model: str | None
) -> LanguageDetector:
    """The detector that scores ``loaded``'s language: the configured languages, or the stand-in config alone."""
    from roots.filters.lid import LanguageDetector

    configs = {loaded.config.lang: loaded.config} if loaded.fallback else registry.configs()
    return LanguageDetector(configs, lid_model)


def statistics_table(texts: list[str], columns: Mapping[str, np.ndarray]) -> pa.Table:
    """``text`` plus the statistic columns as Arrow (NaN becomes null)."""
    arrays = {"text": pa.array(texts, pa.string())}
    for field in STATISTIC_FIELDS:
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
