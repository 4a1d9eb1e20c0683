"""Stop-word and flagged-word lists of a language.

* stop words: ``stopwordsiso`` (an offline package; ``list: stopwordsiso``) or a file;
* flagged words: only a file the user supplies (roots ships none).

A file holds one entry per line (UTF-8; blank lines and lines starting with ``#`` are ignored; entries
are lowercased because ROOTS compares lowercased words). A path is relative to the language YAML's folder.
A language without a list gets ``None``: the filter then passes every document and the run summary says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from roots.errors import UserError
from roots.filters.paths import config_relative

if TYPE_CHECKING:
    from roots.filters.language_config import WordsAugmentation
    from roots.filters.words import WordBatch

STOPWORDSISO = "stopwordsiso"


@dataclass(frozen=True)
class WordList:
    """A loaded word list and where it came from (for the run summary and the stage fingerprint)."""

    words: frozenset[str]
    source: str
    digest: str


def _digest(words: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest()[:16]


def read_word_file(path: Path, *, key: str, config_path: Path) -> WordList:
    """Entries of a word-list file; a missing file is a ``UserError`` naming the YAML and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"{config_path}: {key} = {str(path)!r}: file not found; fix the path (relative to the YAML)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{config_path}: {key}: cannot read {path} ({exc}); it must be UTF-8 text, one word per line"
        ) from None
    words = frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return WordList(words, str(path), _digest(words))


def load_stopwords(value: str | None, lang: str, config_path: Path) -> WordList | None:
    """The stop words configured by ``filters.stopwords.list`` (None when there are none for ``lang``)."""
    if value is None:
        return None
    if value == STOPWORDSISO:
        import stopwordsiso

        if not stopwordsiso.has_lang(lang):
            return None
        words = frozenset(w.lower() for w in stopwordsiso.stopwords(lang))
        return WordList(words, f"stopwordsiso {version('stopwordsiso')} ({lang})", _digest(words))
    path = config_relative(value, config_path)
    assert path is not None  # value is not None
    return read_word_file(path, key="filters.stopwords.list", config_path=config_path)


def load_flagged_words(value: str | None, config_path: Path) -> WordList | None:
    """The user's flagged-word list from ``filters.flagged_words.list`` (None when not configured)."""
    if value is None:
        return None
    path = config_relative(value, config_path)
    assert path is not None  # value is not None
    return read_word_file(path, key="filters.flagged_words.list", config_path=config_path)


def list_ratios(
    words: WordBatch, word_list: WordList | None, augmentation: WordsAugmentation | None
) -> np.ndarray:
    """Per document, the share of its words (and augmented n-grams) in ``word_list``; NaN without a list."""
    from roots.filters.statistics import word_list_ratios

    if word_list is None:
        return np.full(len(words), np.nan)
    sizes = augmentation.group_sizes if augmentation else ()
    join = augmentation.join_char if augmentation else ""
    return word_list_ratios(words, word_list.words, sizes, join)
