"""Gopher's quality filters on the language's own words (any segmenter), and the dashboard re-count with every
installed filter switched on at once (more filters than its lookup table covers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import yaml

from roots.filters import catalog
from roots.filters.builtin.duplicate_ngram_chars import duplicate_ngram_share
from roots.filters.builtin.top_ngram_chars import top_ngram_share
from roots.filters.decide import first_failing_filter
from roots.filters.language_config import Filters
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import LanguageScorer
from roots.visualizer.tuning import (
    KEPT,
    TABLE_BITS,
    LanguageColumns,
    reason_name,
    recount,
    settings_from_filters,
)
from tests.conftest import REPO

GOPHER = {
    "mean_word_length": {"min": 3, "max": 10},
    "symbol_words": {"max": 0.1},
    "bullet_lines": {"max": 0.9},
    "ellipsis_lines": {"max": 0.3},
    "alphabetic_words": {"min": 0.8},
    "stopword_count": {"min": 2},
    "duplicate_lines": {"max": 0.3},
    "top_ngram_chars": {"n": 2, "max": 0.2},
    "duplicate_ngram_chars": {"n": 3, "max": 0.15},
}


def _scorer(tmp_path: Path, lang: str) -> LanguageScorer:
    languages = tmp_path / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    path = languages / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["filters"] |= GOPHER
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return LanguageScorer(LanguageRegistry(languages).get(lang))


def test_gopher_statistics_on_english(tmp_path: Path) -> None:
    scorer = _scorer(tmp_path, "en")
    prose = "The farmers of the valley wait for the river to go down before they plant the seeds."
    teaser = "- Read the story of the valley...\n- See the photos #valley #river …\n- 2024 12 31 99 100"
    rows = scorer.score([prose, teaser]).to_pylist()
    words = scorer.words.batch([prose, teaser])
    for i, row in enumerate(rows):
        doc_words = words.of(i)
        assert row["mean_word_length"] == np.mean([len(w) for w in doc_words])
        assert row["alphabetic_word_ratio"] == sum(any(c.isalpha() for c in w) for w in doc_words) / len(
            doc_words
        )
        stop = scorer.filter("stopwords").word_list.words  # type: ignore[attr-defined]
        assert row["stopword_count"] == sum(w in stop for w in doc_words)
    assert rows[0]["bullet_line_ratio"] == 0.0 and rows[1]["bullet_line_ratio"] == 1.0
    assert rows[0]["ellipsis_line_ratio"] == 0.0 and rows[1]["ellipsis_line_ratio"] == 2 / 3
    assert rows[0]["symbol_word_ratio"] == 0.0
    assert rows[1]["symbol_word_ratio"] == 4 / words.counts[1]  # '...', '#valley', '#river', '…'
    assert rows[0]["stopword_count"] >= 2


def test_mean_word_length_uses_the_language_segmenter(tmp_path: Path) -> None:
    scorer = _scorer(tmp_path, "zh")
    text = "这个村子位于一个宽阔山谷的边缘，住在那里的大多数人世世代代都在耕种同样的田地。"
    row = scorer.score([text]).to_pylist()[0]
    words = scorer.words.batch([text]).of(0)
    assert 1 < len(words) < len(text)  # jieba words, not one whitespace "word"
    assert row["mean_word_length"] == np.mean([len(w) for w in words]) < 3  # why zh needs min: 1


def test_recount_with_every_installed_filter_agrees_with_the_stage() -> None:
    rng = np.random.default_rng(7)
    listed: dict[str, dict] = {spec.name: {} for spec in catalog.FILTERS if not spec.in_every_config}
    listed["quality_score"] = {"scorer": "never.imported:here"}  # only the config is needed here
    filters = Filters.model_validate(listed)
    settings = settings_from_filters(filters)
    assert len(settings) > TABLE_BITS  # the np.unique path of the re-count
    n = 3_000
    columns = {}
    for spec in catalog.FILTERS:
        scale = 200.0 if not spec.ratio else 1.0
        values = rng.random(n) * scale
        values[rng.random(n) < 0.1] = np.nan
        columns[spec.column] = values
    result = recount(LanguageColumns(columns, rng.integers(1, 1000, n)), settings)
    stage = first_failing_filter(columns, filters)
    assert [reason_name(c) if c != KEPT else None for c in result.reasons] == list(stage)
    assert result.kept.docs + sum(c.docs for c in result.sequence.values()) == n
    assert set(result.order) == set(settings)


def test_repetition_shares_on_known_word_lists() -> None:
    assert top_ngram_share(["a", "b", "a", "b", "c"], 2) == 4 / 5  # (a, b) twice: 4 of 5 characters
    assert duplicate_ngram_share(["x", "a", "b", "c", "y", "a", "b", "c"], 3) == 6 / 8
    assert duplicate_ngram_share(["a", "b", "c", "d"], 3) == 0.0
    assert np.isnan(top_ngram_share(["a"], 2))


def test_gopher_repetition_through_the_scorer(tmp_path: Path) -> None:
    scorer = _scorer(tmp_path, "en")
    spam = "Buy cheap shoes now.\nBuy cheap shoes now.\nBuy cheap shoes now.\nThe shop opens at nine in the morning."
    row = scorer.score([spam]).to_pylist()[0]
    words = scorer.words.batch([spam]).of(0)
    assert row["duplicate_line_ratio"] == 2 / 4
    assert row["top_ngram_char_ratio"] == top_ngram_share(words, 2) > 0.2
    assert row["duplicate_ngram_char_ratio"] == duplicate_ngram_share(words, 3) > 0.15
    (reason,) = scorer.drop_reasons(scorer.score([spam])).tolist()
    assert reason in catalog.ROOTS_FILTERS  # the ROOTS filters come first in filter order
