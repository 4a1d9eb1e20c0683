"""A plain per-document, pure-Python re-run of the ROOTS filter definitions (roots-filters.md §2.2–§2.6).

Written from the reference's prose, one document at a time, the way the original pipeline works: every
statistic re-extracts the words it needs, n-grams are counted in a dict, characters are tested one by
one. It is the peer of ``bench_filters.py`` and the oracle the tests compare the vectorised code with.
It takes its parameters from a ``LanguageConfig`` so both sides run the same thresholds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from roots.filters.language_config import LanguageConfig
from roots.filters.normalization import normalize
from roots.filters.special_characters import special_characters

SPECIAL = special_characters()


def strip_set(word: str) -> str:
    start, end = 0, len(word)
    while start < end and word[start] in SPECIAL:
        start += 1
    while end > start and word[end - 1] in SPECIAL:
        end -= 1
    return word[start:end]


def split_spaces(text: str) -> list[str]:
    return [w for w in re.split(" |\n|\t", text) if w]


def modify(text: str, config: LanguageConfig) -> str:
    mods = config.modifications
    text = normalize(
        text,
        remove_non_printing=False,
        strip=True,
        lower=False,
        uniform_whitespace=mods.uniform_whitespace,
        digits_to_zero=False,
        unicode_punctuation=mods.replace_unicode_punctuation,
    )
    steps = []
    if mods.remove_words_with_incorrect_substrings:
        steps.append(lambda w: all(s not in strip_set(w) for s in mods.incorrect_word_substrings))
    if mods.remove_long_words:
        steps.append(
            lambda w: len(w) <= mods.length_word_max or 0 < len(strip_set(w)) <= mods.length_word_max
        )
    for keep in steps:
        lines = []
        for line in text.split("\n"):
            parts = [[w for w in part.split(" ") if w and keep(w)] for part in line.split("\t")]
            joined = [" ".join(p) for p in parts if p]
            if joined:
                lines.append("\t".join(joined))
        text = "\n".join(lines)
    return text


def get_words(text: str, lower: bool, segment: Callable[[str], list[str]] | None) -> list[str]:
    if segment is not None:
        text = normalize(
            text,
            remove_non_printing=True,
            strip=True,
            lower=True,
            uniform_whitespace=True,
            digits_to_zero=True,
            unicode_punctuation=True,
        )
        words = segment(text)
    else:
        words = split_spaces(text)
    if lower:
        words = [w.lower() for w in words]
    words = [strip_set(w) for w in words]
    return [w for w in words if w]


def character_repetition(text: str, n: int, variant: str) -> float:
    freq: dict[str, int] = {}
    for i in range(len(text) - n + 1):
        gram = text[i : i + n]
        freq[gram] = freq.get(gram, 0) + 1
    if not freq:
        return 0
    values = sorted(freq.values(), reverse=True)
    distinct = len(values)
    repeated = len([v for v in values if v > 1])
    k = min(int(math.sqrt(distinct)), distinct - repeated if variant == "roots" else repeated)
    return sum(values[:k]) / sum(values)


def word_repetition(words: list[str], n: int) -> float:
    freq: dict[str, int] = {}
    for i in range(len(words) - n + 1):
        gram = " ".join(words[i : i + n])
        freq[gram] = freq.get(gram, 0) + 1
    if not freq:
        return 0
    return sum(v for v in freq.values() if v > 1) / sum(freq.values())


def special_ratio(text: str) -> float:
    if not text:
        return 0
    return len([c for c in text if c in SPECIAL]) / len(text)


def list_ratio(words: list[str], config: LanguageConfig, word_set: frozenset[str]) -> float:
    if not words:
        return 0
    extra: list[str] = []
    aug = config.words_augmentation
    if aug is not None:
        for g in aug.group_sizes:
            extra += [aug.join_char.join(words[i : i + g]) for i in range(len(words) - g + 1)]
    ratio = len([w for w in words + extra if w in word_set]) / len(words)
    return min(ratio, 1.0)


def statistics(
    text: str,
    config: LanguageConfig,
    *,
    stopwords: frozenset[str] | None = None,
    flagged: frozenset[str] | None = None,
    segment: Callable[[str], list[str]] | None = None,
) -> tuple[str, dict[str, float | None]]:
    """The modified text and its statistics (every word-based statistic extracts the words again)."""
    text = modify(text, config)
    filters = config.filters
    return text, {
        "number_words": len(get_words(text, False, segment)),
        "character_repetition_ratio": character_repetition(
            text, filters.character_repetition.n, filters.character_repetition.variant
        ),
        "word_repetition_ratio": word_repetition(get_words(text, True, segment), filters.word_repetition.n),
        "special_characters_ratio": special_ratio(text),
        "stopwords_ratio": list_ratio(get_words(text, True, segment), config, stopwords)
        if stopwords
        else None,
        "flagged_words_ratio": list_ratio(get_words(text, True, segment), config, flagged)
        if flagged
        else None,
    }


def lang_id_score(model, text: str, label: str) -> float:  # noqa: ANN001 - a fastText model
    labels, probs = model.predict(text.lower().replace("\n", " "))
    return float(probs[0]) if labels[0].removeprefix("__label__") == label else 0.0


def keep(
    text: str,
    config: LanguageConfig,
    *,
    stopwords: frozenset[str] | None = None,
    lid_model=None,  # noqa: ANN001
    segment: Callable[[str], list[str]] | None = None,
) -> tuple[str, str | None]:
    """ROOTS's short-circuit decision for one document: (modified text, first failing filter or None)."""
    text = modify(text, config)
    f = config.filters
    if f.number_words.enabled:
        count = len(get_words(text, False, segment))
        if not f.number_words.min <= count <= f.number_words.max:
            return text, "number_words"
    if f.character_repetition.enabled and (
        character_repetition(text, f.character_repetition.n, f.character_repetition.variant)
        > f.character_repetition.max
    ):
        return text, "character_repetition"
    if f.word_repetition.enabled and (
        word_repetition(get_words(text, True, segment), f.word_repetition.n) > f.word_repetition.max
    ):
        return text, "word_repetition"
    if f.special_characters.enabled and special_ratio(text) > f.special_characters.max:
        return text, "special_characters"
    if (
        f.stopwords.enabled
        and stopwords
        and list_ratio(get_words(text, True, segment), config, stopwords) < f.stopwords.min
    ):
        return text, "stopwords"
    label = config.language_id.label or config.lang
    if f.lang_id.enabled and lid_model is not None and lang_id_score(lid_model, text, label) < f.lang_id.min:
        return text, "lang_id"
    return text, None
