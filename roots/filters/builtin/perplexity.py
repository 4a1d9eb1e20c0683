"""ROOTS ``perplexity``: how surprised a KenLM model of the language is by the text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from roots.filters.derive import quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Language, Statistic
from roots.filters.paths import file_identity


class PerplexityConfig(FilterConfig):
    enabled: bool = False
    max: float = Field(10_000, gt=0)
    kenlm_model: str | None = Field(None, description="KenLM model (.arpa or .bin), relative to this YAML")
    sentencepiece_model: str | None = Field(
        None, description="SentencePiece model used to tokenize for KenLM"
    )


class Perplexity(Filter):
    name = "perplexity"
    Config = PerplexityConfig
    statistics = (Statistic("perplexity"),)
    bounds = ("max",)
    derive = (
        DeriveRule(
            "max", "ceil(q95 * 1.1)", lambda v: math.ceil(quantile(v, 0.95) * 1.1), needs_nonzero=True
        ),
    )
    label = "Perplexity (how unusual the text looks)"
    measures = (
        "How surprised a language model trained on Wikipedia in this language is by the text. Low "
        "values look like fluent, encyclopedic prose; very high values are gibberish, lists or "
        "machine-generated text. Needs a KenLM model; without one this filter removes nothing."
    )
    unit = "Perplexity"
    step = 1
    ratio = False
    in_every_config = True
    config: PerplexityConfig

    def __init__(self, config: FilterConfig, language: Language) -> None:
        super().__init__(config, language)
        kenlm = language.resolve(self.config.kenlm_model)
        pieces = language.resolve(self.config.sentencepiece_model)
        self.scorer = None
        if kenlm is not None and pieces is not None:
            from roots.filters.perplexity import PerplexityScorer

            self.scorer = PerplexityScorer(kenlm, pieces)

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        if self.scorer is None or not batch.texts:
            return {"perplexity": np.full(len(batch), np.nan)}
        return {"perplexity": np.asarray(self.scorer.perplexity(batch.texts), dtype=np.float64)}

    def note(self) -> str | None:
        if self.config.enabled and self.scorer is None:
            return "perplexity: no KenLM/SentencePiece model configured, filter passed"
        return None

    @classmethod
    def resources(cls, config: FilterConfig, language: Language) -> Any:
        assert isinstance(config, PerplexityConfig)
        return {
            "kenlm": file_identity(language.resolve(config.kenlm_model)),
            "sentencepiece": file_identity(language.resolve(config.sentencepiece_model)),
        }
