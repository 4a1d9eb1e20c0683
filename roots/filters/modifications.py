"""ROOTS document modifications (reference §2.3): applied before any statistic; the output keeps the modified text.

1. normalise: strip, and optionally uniform whitespace and unicode punctuation → ASCII;
2. if a word-level removal is on: split on ``\\n``, then ``\\t``, then ``" "``, drop words that contain an
   incorrect substring (``http``, ``www`` …, tested on the word stripped of special characters) or that are
   too long (unless the stripped word is short enough), then re-join with single separators. As in ROOTS,
   that re-join collapses runs of spaces and drops empty lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from roots.filters.language_config import Modifications
from roots.filters.normalization import normalize
from roots.filters.special_characters import strip_characters


def modify(text: str, mods: Modifications) -> str:
    """The modified document, exactly as ROOTS's ``modifying_documents``."""
    text = normalize(
        text,
        remove_non_printing=False,
        strip=True,
        lower=False,
        uniform_whitespace=mods.uniform_whitespace,
        digits_to_zero=False,
        unicode_punctuation=mods.replace_unicode_punctuation,
    )
    if not (mods.remove_words_with_incorrect_substrings or mods.remove_long_words):
        return text
    keep = _word_filter(mods, text)
    return rejoin(text, keep)


def modify_all(texts: Sequence[str], mods: Modifications) -> list[str]:
    return [modify(t, mods) for t in texts]


def rejoin(text: str, keep: Callable[[str], bool] | None = None) -> str:
    """Split on newline, tab, space; keep the words ``keep`` accepts; re-join with single separators."""
    lines = []
    for line in text.split("\n"):
        parts = []
        for part in line.split("\t"):
            words = (
                [w for w in part.split(" ") if w and keep(w)] if keep else list(filter(None, part.split(" ")))
            )
            if words:
                parts.append(" ".join(words))
        if parts:
            lines.append("\t".join(parts))
    return "\n".join(lines)


def _word_filter(mods: Modifications, text: str) -> Callable[[str], bool] | None:
    """The per-word predicate, or None when no word of ``text`` can be removed (then only whitespace changes)."""
    substrings = tuple(mods.incorrect_word_substrings) if mods.remove_words_with_incorrect_substrings else ()
    substrings = tuple(s for s in substrings if s in text)
    cutoff = mods.length_word_max if mods.remove_long_words else None
    if cutoff is not None and not _long_word_re(cutoff).search(text):
        cutoff = None
    if not substrings and cutoff is None:
        return None
    chars = strip_characters()

    def keep(word: str) -> bool:
        if substrings and any(s in word for s in substrings):
            stripped = word.strip(chars)
            if any(s in stripped for s in substrings):
                return False
        if cutoff is not None and len(word) > cutoff:
            stripped = word.strip(chars)
            return bool(stripped) and len(stripped) <= cutoff
        return True

    return keep


@lru_cache(maxsize=64)
def _long_word_re(cutoff: int) -> re.Pattern[str]:
    """Finds a run of more than ``cutoff`` characters without space, tab or newline (a too-long word)."""
    return re.compile(f"[^ \\t\\n]{{{cutoff + 1},}}")
