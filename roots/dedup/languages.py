"""Which shingles each language gets: word n-grams from its segmenter, or character n-grams.

The segmenter comes from ``configs/languages/<lang>.yaml`` (key ``segmenter``; ``sentencepiece`` also
takes ``filters.perplexity.sentencepiece_model``, relative to the YAML), read through the filter stage's
validated ``LanguageRegistry``, and is loaded with
``roots.filters.words.get_segmenter``. Space-separated segmenters (``whitespace``, ``vi_syllables``)
need no segmenter at all: the vectorised word split is the same. Languages written without spaces (their
YAML says ``spaces_between_words: false``; default.yaml's ``no_space_languages`` lists ja, th, … that have
no YAML) fall back to character n-grams when no segmenter is configured, or when the configured one
cannot be loaded (an optional extra not installed): the run goes on, and the reason is recorded in the
stage's statistics (``describe_shingles``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from roots.dedup.config import MinHashConfig
from roots.dedup.shingles import Segmenter, ShingleSpec
from roots.filters.paths import config_relative

#: segmenters that split on whitespace, which the shingle code does itself
SPACED_SEGMENTERS = frozenset({"whitespace", "vi_syllables"})

#: (lang, segmenter name or "", model path or "", written with spaces between words) from the language configs
SegmenterTable = tuple[tuple[str, str, str, bool], ...]


def base_language(lang: str | None) -> str:
    return (lang or "").replace("_", "-").split("-")[0].lower()


def configured_segmenters(languages_dir: str | Path | None, use_segmenters: bool = True) -> SegmenterTable:
    """(lang, segmenter, model, spaced) for every language config, read through the filter stage's validated
    ``LanguageRegistry``; ``default.yaml``'s ``no_space_languages`` add the languages without a YAML that are
    written without spaces. Without a folder (or with ``use_segmenters`` off) only the spacing facts of
    the shipped configs are given, no segmenter."""
    from roots.filters.registry import LanguageRegistry

    if not languages_dir or not Path(languages_dir).is_dir():
        from roots.packaged import languages_dir as shipped

        languages_dir, use_segmenters = shipped(), False
    registry = LanguageRegistry(languages_dir)
    found = []
    for lang, item in sorted(registry.languages.items()):
        config = item.config
        name, model = (config.segmenter, "") if use_segmenters else ("", "")
        pieces = getattr(config.filters.get("perplexity"), "sentencepiece_model", None)
        if use_segmenters and pieces:
            model = str(config_relative(pieces, item.path))
        found.append((lang, name, model, config.spaces_between_words))
    found += [
        (lang, "", "", False)
        for lang in registry.default.config.no_space_languages
        if lang not in registry.languages
    ]
    return tuple(found)


@dataclass(frozen=True)
class LoadedSegmenter:
    segmenter: Segmenter | None
    problem: str | None  # why it could not be loaded


@functools.cache
def load_segmenter(name: str, model: str = "") -> LoadedSegmenter:
    """The filter package's segmenter ``name``, or why it is not available in this installation."""
    try:
        from roots.filters.words import get_segmenter

        segmenter = get_segmenter(name, model=model or None)
        segmenter("test")  # jieba and others load their dictionaries on first use
    except Exception as exc:  # a missing optional package or model: fall back, do not fail the run
        return LoadedSegmenter(None, str(exc) or type(exc).__name__)
    return LoadedSegmenter(segmenter, None)


def _choose(lang: str | None, config: MinHashConfig, segmenters: SegmenterTable) -> tuple[ShingleSpec, str]:
    """The shingles of ``lang`` under ``config.shingles``, and a description for the statistics."""
    char = (ShingleSpec("char", config.char_ngram), f"character {config.char_ngram}-grams")
    words = f"word {config.word_ngram}-grams"
    if config.shingles == "char":
        return char
    table = {entry[0]: entry[1:] for entry in segmenters}
    name, model, spaced = table.get(lang or "") or table.get(base_language(lang)) or ("", "", True)
    name = name if config.use_segmenters else ""
    problem = None
    if name and name not in SPACED_SEGMENTERS:
        loaded = load_segmenter(name, model)
        if loaded.segmenter is not None:
            return ShingleSpec("word", config.word_ngram, name, model), f"{words} ({name})"
        problem = f"segmenter {name!r} unavailable: {loaded.problem}"
    if config.shingles == "auto" and not spaced:
        why = problem or ("no segmenter configured" if config.use_segmenters else "use_segmenters: false")
        return char[0], f"{char[1]} ({why})"
    return ShingleSpec("word", config.word_ngram), words + (f" ({problem})" if problem else "")


def shingle_spec(lang: str | None, config: MinHashConfig, segmenters: SegmenterTable) -> ShingleSpec:
    """The shingles of ``lang`` under ``config.shingles`` (auto / word / char)."""
    return _choose(lang, config, segmenters)[0]


def describe_shingles(lang: str | None, config: MinHashConfig, segmenters: SegmenterTable) -> str:
    """How ``lang`` is shingled, and why (for the statistics): e.g. a segmenter that could not be loaded."""
    return _choose(lang, config, segmenters)[1]
