"""Per-language filter configuration: one YAML per language in ``configs/languages/<code>.yaml``.

Per-language behaviour is data, not code: thresholds, switches, n-gram lengths, segmenter, which
language identifier and label decide the language, word-list files and LM paths all live here.
Paths inside a language YAML are relative to that YAML's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from roots.configbase import StrictModel, format_validation_error
from roots.errors import UserError
from roots.filters.filter import Filter, FilterConfig
from roots.langcode import LANG_CODE_HELP, check_lang_code, is_lang_code, path_inside


class FiltersBase(StrictModel):
    """The ``filters:`` section: one entry per filter of ``roots.filters.catalog`` (built-in or plugin).

    The eight ROOTS filters are in every config (their defaults where the YAML omits them); any other
    filter runs only where the YAML lists it. A name no installed filter has is an error naming them.
    """

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data: Any) -> Any:
        from roots.filters import catalog

        if isinstance(data, dict):
            for name in data:
                if name not in catalog.BY_NAME:
                    message = (
                        f"unknown filter {name!r}; installed filters: {catalog.installed()} "
                        "(a plugin filter needs its package installed)"
                    )
                    raise PydanticCustomError("unknown_filter", message.replace("{", "{{").replace("}", "}}"))
        return data

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Filters this config does not list are left out (an installed plugin changes no dump)."""
        return {k: v for k, v in handler(self).items() if v is not None}

    def get(self, name: str) -> FilterConfig | None:
        """The config of filter ``name``, or None when this language does not run it."""
        value = getattr(self, name, None)
        return value if isinstance(value, FilterConfig) else None

    def configured(self) -> list[tuple[type[Filter], FilterConfig]]:
        """The filters this language runs (enabled or not), in filter order, with their configs."""
        from roots.filters import catalog

        out = []
        for f in catalog.FILTERS:
            config = self.get(f.name)
            if config is not None:
                out.append((f, config))
        return out


def _filters_model() -> type[FiltersBase]:
    from roots.filters.catalog import FILTERS

    fields: dict[str, Any] = {}
    for f in FILTERS:
        if f.in_every_config:
            fields[f.name] = (f.Config, Field(default_factory=f.Config))
        else:
            fields[f.name] = (Optional[f.Config], None)  # noqa: UP045 (a runtime type expression)
    return create_model("Filters", __base__=FiltersBase, __module__=__name__, **fields)


if TYPE_CHECKING:
    Filters = FiltersBase
else:
    Filters = _filters_model()

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
    why: str = Field("", description="why this identifier decides the language (for the derived configs)")

    @model_validator(mode="after")
    def _label_given(self) -> LanguageId:
        if self.identifier != "declared" and not self.label:
            raise ValueError(f"identifier {self.identifier!r} needs a label (the identifier's code for it)")
        return self


class Pii(StrictModel):
    enabled: bool = True


class LanguageConfig(StrictModel):
    lang: str = Field(description="language code used in the run (ROOTS/BLOOM code, e.g. 'en', 'zh', 'sw')")
    name: str = Field("", description="the language's English name (dashboard, derived configs)")
    family: Literal["niger-congo", "indic", "other", ""] = Field(
        "", description="its group in the BLOOM model card (niger-congo, indic, other); '' outside BLOOM"
    )
    iso639_3: list[str] = Field(
        default_factory=list,
        description="ISO 639-3 codes (macro-language first) other identifiers use for it: GlotLID's "
        "'swh_Latn' becomes sw",
    )
    spaces_between_words: bool = Field(
        True,
        description="false for scripts written without spaces (zh, ja, th …): without a word segmenter, "
        "dedup shingles such text by characters",
    )
    no_space_languages: list[str] = Field(
        default_factory=list,
        description="default.yaml only: languages without their own YAML that are written without spaces",
    )
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

    @model_validator(mode="after")
    def _defaults_only(self) -> LanguageConfig:
        if self.no_space_languages and self.lang != DEFAULT_CONFIG:
            raise ValueError(
                "no_space_languages belongs in default.yaml; a language with its own YAML sets "
                "spaces_between_words"
            )
        return self


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
