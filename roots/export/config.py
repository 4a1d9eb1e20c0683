"""Configuration of the export stage (the ``export:`` section of a pipeline YAML)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from roots.configbase import StrictModel


class WeightBounds(StrictModel):
    min: float = Field(0.0, ge=0, le=1)
    max: float = Field(1.0, ge=0, le=1)


class ExportStageConfig(StrictModel):
    format: Literal["megatron", "parquet", "jsonl"] = Field(
        "megatron", description="megatron: .bin/.idx per language; parquet/jsonl: datasets-loadable shards"
    )
    out: str | None = Field(
        None, description="output folder; default RUN/export (megatron) or RUN/export/<format>"
    )
    # megatron
    tokenizer: str | None = Field(None, description="tokenizer.json, or a folder holding one (megatron)")
    eod_token: str | None = Field(
        None, description="end-of-document token; default: eos_token of tokenizer_config.json, else </s>"
    )
    vocab_size: int | None = Field(
        None, ge=1, description="vocabulary size deciding the token dtype; default: the tokenizer's"
    )
    append_eod: bool = Field(True, description="append the EOD token to every non-empty document")
    add_special_tokens: bool = Field(
        True, description="apply the tokenizer's post-processor, as Megatron does"
    )
    per_source: bool = Field(False, description="one dataset per language and source instead of per language")
    rows_per_shard: int = Field(
        5_000, ge=1, description="documents per export shard (the unit of parallelism)"
    )
    # blend weights
    alpha: float = Field(0.3, ge=0, le=10, description="sampling exponent: p_i ∝ (n_i/N)^alpha")
    min_weight: float = Field(0.0, ge=0, le=1, description="lower bound of every language's weight")
    max_weight: float = Field(1.0, ge=0, le=1, description="upper bound of every language's weight")
    weight_bounds: dict[str, WeightBounds] = Field(
        default_factory=dict, description="per-language {min, max} overriding min_weight/max_weight"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ExportStageConfig:
        if self.min_weight > self.max_weight:
            raise ValueError(f"min_weight ({self.min_weight}) must not exceed max_weight ({self.max_weight})")
        return self

    def bounds(self) -> dict[str, tuple[float, float]]:
        return {lang: (b.min, b.max) for lang, b in self.weight_bounds.items()}


class TokenizerTrainConfig(StrictModel):
    """Training a BLOOM-style byte-level BPE on the run's final documents (the ``tokenizer:`` section)."""

    vocab_size: int = Field(
        ge=261, description="target vocabulary size (more than 256 bytes + 4 special tokens)"
    )
    out: str | None = Field(
        None,
        description="tokenizer.json, or a folder (then also tokenizer_config.json for transformers/Megatron); "
        "default RUN/tokenizer",
    )
    alpha: float = Field(0.3, ge=0, description="language sampling exponent: p_i ∝ (n_i/N)^alpha")
    sample_chars: int | None = Field(
        None, ge=1, description="characters to train on; default: the corpus size, at most 100M"
    )
    min_frequency: int = Field(2, ge=0, description="pairs seen fewer times are not merged")
