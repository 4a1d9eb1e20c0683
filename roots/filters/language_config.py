"""Per-language filter configuration: one YAML per language in ``configs/languages/<code>.yaml``.

Per-language behaviour is data, not code: thresholds, switches, n-gram lengths, segmenter, which
language identifier and label decide the language, word-list files and LM paths all live here.
Paths inside a language YAML are relative to that YAML's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from roots.configbase import StrictModel, format_validation_error
from roots.errors import UserError
from roots.langcode import LANG_CODE_HELP, check_lang_code, is_lang_code, path_inside

Ratio = float  # documented as 0..1 where used; bounds are given per field


class Switch(StrictModel):
    enabled: bool = True


class NumberWords(Switch):
    min: int = Field(10, ge=0)
    max: int = Field(100_000, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> NumberWords:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class CharacterRepetition(Switch):
    n: int = Field(10, ge=1, le=50, description="character n-gram length")
    max: float = Field(0.2, ge=0, le=1)
    variant: Literal["roots", "fixed"] = Field(
        "roots",
        description="'roots': k = min(floor(sqrt(D)), D - R), as used to build ROOTS (before 2022-07-19); "
        "'fixed': k = min(floor(sqrt(D)), R), the later fix",
    )


class WordRepetition(Switch):
    n: int = Field(5, ge=1, le=50, description="word n-gram length")
    max: float = Field(0.3, ge=0, le=1)


class SpecialCharacters(Switch):
    max: float = Field(0.4, ge=0, le=1)


class StopWords(Switch):
    min: float = Field(0.1, ge=0, le=1)
    list: str | None = Field(
        "stopwordsiso",
        description="a word-list file (one per line, relative to this YAML), 'stopwordsiso', or null",
    )


class FlaggedWords(Switch):
    max: float = Field(0.1, ge=0, le=1)
    list: str | None = Field(
        None, description="a user-supplied word-list file (one per line); null: filter passes"
    )


class LangId(Switch):
    min: float = Field(0.7, ge=0, le=1, description="minimum identifier score for this language")


class Perplexity(Switch):
    enabled: bool = False
    max: float = Field(10_000, gt=0)
    kenlm_model: str | None = Field(None, description="KenLM model (.arpa or .bin), relative to this YAML")
    sentencepiece_model: str | None = Field(
        None, description="SentencePiece model used to tokenize for KenLM"
    )


class Filters(StrictModel):
    """The eight ROOTS filters, in ROOTS order (the first failing one is a document's drop_reason)."""

    number_words: NumberWords = Field(default_factory=NumberWords)
    character_repetition: CharacterRepetition = Field(default_factory=CharacterRepetition)
    word_repetition: WordRepetition = Field(default_factory=WordRepetition)
    special_characters: SpecialCharacters = Field(default_factory=SpecialCharacters)
    stopwords: StopWords = Field(default_factory=StopWords)
    flagged_words: FlaggedWords = Field(default_factory=FlaggedWords)
    lang_id: LangId = Field(default_factory=LangId)
    perplexity: Perplexity = Field(default_factory=Perplexity)


FILTER_ORDER: tuple[str, ...] = tuple(Filters.model_fields)


class Modifications(StrictModel):
    """ROOTS document modifications, applied before any statistic is computed (output keeps them)."""

    uniform_whitespace: bool = True
    replace_unicode_punctuation: bool = True
    remove_words_with_incorrect_substrings: bool = False
    incorrect_word_substrings: list[str] = Field(
        default_factory=lambda: ["http", "www", ".com", "href", "//"]
    )
    remove_long_words: bool = False
    length_word_max: int = Field(50, ge=1)


class WordsAugmentation(StrictModel):
    """Extra word n-grams for the stop-word/flagged-word ratios (ROOTS: zh groups of 2 joined by '', vi by ' ')."""

    group_sizes: list[int] = Field(default_factory=lambda: [2])
    join_char: str = ""


class LanguageId(StrictModel):
    identifier: Literal["fasttext", "cld2", "py3langid", "declared"] = Field(
        "fasttext",
        description="which identifier decides this language; 'declared': none knows it, documents keep the "
        "language their source declares (disable filters.lang_id for such a language)",
    )
    label: str | None = Field(
        None, description="the identifier's label for this language (fastText: 'en', cld2: 'en', …)"
    )

    @model_validator(mode="after")
    def _label_given(self) -> LanguageId:
        if self.identifier != "declared" and not self.label:
            raise ValueError(f"identifier {self.identifier!r} needs a label (the identifier's code for it)")
        return self


class Pii(StrictModel):
    enabled: bool = True


class LanguageConfig(StrictModel):
    lang: str = Field(description="language code used in the run (ROOTS/BLOOM code, e.g. 'en', 'zh', 'sw')")
    name: str = ""
    roots_compat: bool = Field(
        False, description="statistics exactly as ROOTS computed them (the 13 tuned languages)"
    )
    derived: bool = Field(
        False, description="thresholds derived from statistics, not yet reviewed by a native speaker"
    )
    provenance: str = Field("", description="where the thresholds come from")
    segmenter: Literal["whitespace", "jieba", "sentencepiece", "vi_syllables", "thai", "japanese"] = (
        "whitespace"
    )
    language_id: LanguageId
    modifications: Modifications = Field(default_factory=Modifications)
    words_augmentation: WordsAugmentation | None = None
    filters: Filters = Field(default_factory=Filters)
    pii: Pii = Field(default_factory=Pii)

    @field_validator("lang")
    @classmethod
    def _lang_code(cls, value: str) -> str:
        if value != DEFAULT_CONFIG and not is_lang_code(value):
            raise ValueError(f"not a language code; use {LANG_CODE_HELP}")
        return value


DEFAULT_CONFIG = "default"


def load_language_config(path: Path) -> LanguageConfig:
    """Read and validate one language YAML; a bad value is a one-line ``UserError`` naming file and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read language config ({exc.strerror})") from None
    return parse_config(text, path)


def parse_config(text: str, source: Path | str) -> LanguageConfig:
    """Validate a language YAML's text; problems are one-line ``UserError``s naming the file and key."""
    import yaml

    try:
        # libyaml's loader where PyYAML has it: every worker reads every language YAML, 10x faster in C
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a mapping (lang, language_id, filters, …)")
    try:
        return LanguageConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(source, exc, LanguageConfig)) from None


def language_config_path(languages_dir: Path, lang: str) -> Path:
    """``<languages_dir>/<lang>.yaml``; a malformed code (``../x``, ``/etc/x``) is a ``UserError``."""
    if lang != DEFAULT_CONFIG:
        check_lang_code(lang, f"language {lang!r}")
    return path_inside(languages_dir, f"{lang}.yaml")


def language_files(languages_dir: Path) -> list[Path]:
    """The language YAMLs of a folder; hidden files (a killed save's ``.tmp-*``, editor backups) are not."""
    return sorted(p for p in Path(languages_dir).glob("*.yaml") if not p.name.startswith("."))
