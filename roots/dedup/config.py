"""Configuration of the dedup stage (the ``dedup:`` section of a pipeline YAML)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from roots.configbase import StrictModel

#: P(candidate | Jaccard = threshold) the layout is chosen for when candidates are verified exactly
EXACT_CANDIDATE_PROBABILITY = 0.99


class MinHashConfig(StrictModel):
    """MinHash-LSH near-duplicate detection. ``bands``/``rows`` left empty are chosen for ``threshold``."""

    enabled: bool = True
    threshold: float = Field(
        0.8, gt=0, lt=1, description="Jaccard similarity above which documents are near-duplicates"
    )
    num_perm: int = Field(128, ge=8, le=1024, description="hash functions per signature")
    bands: int | None = Field(None, ge=1, description="LSH bands; default: chosen by `roots dedup-params`")
    rows: int | None = Field(None, ge=1, description="rows (hashes) per band; default: chosen with bands")
    candidate_probability: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="choose bands/rows with the least false-positive area among layouts that make a pair at "
        f"the threshold a candidate with at least this probability; default {EXACT_CANDIDATE_PROBABILITY} with "
        "exact verification, else the weighted choice (false_positive_weight)",
    )
    false_positive_weight: float = Field(
        0.05,
        ge=0,
        le=1,
        description="weight of false positives when choosing bands/rows for estimated or no verification",
    )
    verify: Literal["exact", "estimated", "none"] = Field(
        "exact",
        description="drop candidate pairs below the threshold by their exact Jaccard similarity (shingle sets), "
        "by the estimate from their signatures, or keep every candidate ('none')",
    )
    shingles: Literal["auto", "word", "char"] = Field(
        "auto",
        description="'auto': words from the language's segmenter; character n-grams for languages written without "
        "spaces that have no segmenter (zh, ja, th, …)",
    )
    use_segmenters: bool = Field(
        True,
        description="cut words with the language configs' segmenters (jieba for zh); false: whitespace words, "
        "character n-grams for languages written without spaces (faster for Chinese than word segmentation)",
    )
    word_ngram: int = Field(5, ge=1, le=32, description="words per shingle")
    char_ngram: int = Field(5, ge=1, le=64, description="characters per shingle in character mode")
    seed: int = Field(1, ge=0, description="seed of the hash permutations")

    @field_validator("verify", mode="before")
    @classmethod
    def _verify_flag(cls, value: object) -> object:
        """``verify: true/false`` of earlier configs: the estimate check, or none."""
        if isinstance(value, bool):
            return "estimated" if value else "none"
        return value

    @model_validator(mode="after")
    def _bands_fit(self) -> MinHashConfig:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither (they are then chosen for the threshold)")
        if self.bands is not None and self.rows is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands × rows ({self.bands * self.rows}) must not exceed num_perm ({self.num_perm})"
            )
        return self

    def band_layout(self) -> tuple[int, int]:
        """(bands, rows) as configured or as chosen for the threshold."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        from roots.dedup.params import bands_rows_for_probability, optimal_bands_rows

        target = self.candidate_probability
        if target is None and self.verify == "exact":
            target = EXACT_CANDIDATE_PROBABILITY
        if target is not None:
            choice = bands_rows_for_probability(self.threshold, self.num_perm, target)
        else:
            choice = optimal_bands_rows(
                self.threshold, self.num_perm, self.false_positive_weight, 1 - self.false_positive_weight
            )
        return choice.bands, choice.rows


class RepeatedLinesConfig(StrictModel):
    """ROOTS-style template removal: long lines repeated across many documents of one site or source."""

    enabled: bool = True
    min_chars: int = Field(
        15, ge=1, description="only lines at least this long (after stripping) are counted"
    )
    min_documents: int = Field(
        10, ge=2, description="a line in at least this many distinct documents is removed"
    )


class DedupStageConfig(StrictModel):
    scope: Literal["language", "global"] = Field(
        "language", description="compare documents only within one language, or across the whole corpus"
    )
    exact: bool = Field(
        True, description="exact dedup on text without whitespace, digits and punctuation (ROOTS)"
    )
    url: bool = Field(True, description="documents with the same URL (host + path) are duplicates")
    url_ignore_query: bool = Field(
        False, description="drop the URL query string before comparing (ROOTS did)"
    )
    minhash: MinHashConfig = Field(default_factory=MinHashConfig)
    repeated_lines: RepeatedLinesConfig = Field(default_factory=RepeatedLinesConfig)
    max_items_in_memory: int = Field(
        2_000_000,
        ge=10,
        description="rows (band keys, edges) one task of a grouping step holds; sets the number of partitions",
    )
    batch_docs: int = Field(2_000, ge=1, description="documents hashed together in one vectorised batch")
    languages_dir: str | None = Field(
        None, description="folder of <lang>.yaml configs (segmenter); default: the filter stage's"
    )
    keep_intermediate: bool = Field(
        False, description="keep dedup/_* working files (signatures, keys, edges)"
    )
    report_clusters: int = Field(10, ge=0, description="largest clusters listed per language in the report")
    report_members: int = Field(10, ge=1, description="members listed per reported cluster")
