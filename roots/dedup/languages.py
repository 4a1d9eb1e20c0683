"""Which shingles each language gets: word n-grams from its segmenter, or character n-grams.

The segmenter comes from ``configs/languages/<lang>.yaml`` (key ``segmenter``) and is loaded from
``roots.filters.words.get_segmenter`` when that module is present. Languages written without spaces
(zh, ja, th, …) fall back to character n-grams when no segmenter is configured or available.
"""

from __future__ import annotations

import functools
from pathlib import Path

from roots.dedup.config import MinHashConfig
from roots.dedup.shingles import Segmenter, ShingleSpec

#: written without spaces between words: whitespace "words" would be whole sentences
NO_SPACE_LANGUAGES = frozenset(
    {"zh", "ja", "th", "lo", "km", "my", "bo", "dz", "yue", "wuu", "cmn", "jpn", "tha"}
)


def base_language(lang: str | None) -> str:
    return (lang or "").replace("_", "-").split("-")[0].lower()


def configured_segmenters(languages_dir: str | None) -> tuple[tuple[str, str], ...]:
    """(lang, segmenter) for every language YAML in ``languages_dir`` (empty if there is none)."""
    if not languages_dir or not Path(languages_dir).is_dir():
        return ()
    import yaml

    found = []
    for path in sorted(Path(languages_dir).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # the filter stage reports broken language files; dedup only needs the segmenter
        if isinstance(data, dict) and isinstance(data.get("segmenter"), str):
            found.append((str(data.get("lang") or path.stem), data["segmenter"]))
    return tuple(found)


@functools.cache
def load_segmenter(name: str) -> Segmenter | None:
    """The filter package's segmenter ``name``, or None if it is not available in this installation."""
    try:
        from roots.filters.words import get_segmenter
    except ImportError:
        return None
    try:
        segmenter = get_segmenter(name)
        segmenter("test")
    except Exception:  # a missing optional model or package: fall back, do not fail the run
        return None
    return segmenter


def shingle_spec(lang: str | None, config: MinHashConfig, segmenters: dict[str, str]) -> ShingleSpec:
    """The shingles of ``lang`` under ``config.shingles`` (auto / word / char)."""
    char = ShingleSpec("char", config.char_ngram)
    if config.shingles == "char":
        return char
    name = segmenters.get(lang or "") or segmenters.get(base_language(lang))
    if name and name != "whitespace" and load_segmenter(name) is not None:
        return ShingleSpec("word", config.word_ngram, name)
    if config.shingles == "auto" and base_language(lang) in NO_SPACE_LANGUAGES:
        return char
    return ShingleSpec("word", config.word_ngram)
