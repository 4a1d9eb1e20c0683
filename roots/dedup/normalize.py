"""Text and URL normalisation for duplicate keys.

* exact key: the text without whitespace, digits and punctuation, as ROOTS' catalogue dedup hashed it
  (ROOTS deleted ASCII punctuation; Unicode punctuation ``\\p{P}`` is deleted too, so ``，`` and ``,`` agree);
* MinHash text: lowercase, digits → ``0``, punctuation → space, whitespace collapsed (datatrove-style);
* URL key: host (lowercase, without ``www.``) + path (without trailing ``/``), optionally without the query.
"""

from __future__ import annotations

import functools
import string
import sys
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

import numpy as np
import xxhash

MASK64 = 0xFFFF_FFFF_FFFF_FFFF


CLASS_KEEP, CLASS_SPACE, CLASS_PUNCT, CLASS_DIGIT = 0, 1, 2, 3


def _class_of(char: str) -> int:
    if char.isspace():
        return CLASS_SPACE
    category = unicodedata.category(char)
    if category == "Nd":
        return CLASS_DIGIT
    if category.startswith("P") or char in string.punctuation:
        return CLASS_PUNCT
    return CLASS_KEEP


class _LazyTable:
    """A per-code-point lookup table, filled lazily: the first 0x3000 code points at once, others when
    a batch first uses them. Indexing it with a batch's code points maps every document in one numpy step."""

    EAGER = 0x3000

    def __init__(self, function: Callable[[str], int], dtype: type) -> None:
        self.function = function
        self.table: np.ndarray = np.zeros(sys.maxunicode + 1, dtype=dtype)
        self.known = np.zeros(sys.maxunicode + 1, dtype=bool)
        self._fill(np.arange(self.EAGER))

    def _fill(self, points: np.ndarray) -> None:
        self.table[points] = [self.function(chr(cp)) for cp in points.tolist()]
        self.known[points] = True

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        if len(codes) and codes.max() >= self.EAGER:  # else every code point is known: skip the check
            unknown = codes[~self.known[codes]]
            if len(unknown):
                self._fill(np.unique(unknown))
        return self.table[codes]


@functools.cache
def char_classes() -> _LazyTable:
    """Keep / whitespace / punctuation (Unicode P* and ASCII symbols) / digit for every code point."""
    return _LazyTable(_class_of, np.uint8)


SEPARATOR = 0  # the MinHash code of whitespace and punctuation


def _minhash_code(char: str) -> int:
    """A character as shingles see it: lowercase, digits as ``0``, whitespace and punctuation as SEPARATOR.

    Per character, so the final-sigma rule of ``str.lower`` does not apply: ``ς`` folds to ``σ``, and a
    character whose lowercase is longer than one (``İ``) keeps the first character of it.
    """
    category = _class_of(char)
    if category in (CLASS_SPACE, CLASS_PUNCT) or char == "\0":
        return SEPARATOR
    if category == CLASS_DIGIT:
        return ord("0")
    return ord("σ") if char == "ς" else ord(char.lower()[0])


@functools.cache
def minhash_table() -> _LazyTable:
    return _LazyTable(_minhash_code, np.uint32)


def encode(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of all ``texts`` concatenated, and each text's offsets (length ``len(texts) + 1``)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes, offsets


def select(codes: np.ndarray, offsets: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The kept code points of every document and the new offsets."""
    positions = np.flatnonzero(keep)  # several times faster than a cumulative sum of the mask
    return codes[positions], np.searchsorted(positions, offsets)


def exact_keys(texts: list[str], seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """128-bit keys (hi, lo) of each text without whitespace, digits and punctuation (case kept, as ROOTS).

    ``seeds`` (uint64 per text) separate groups (languages); a text with nothing left has no key (valid False).
    """
    codes, offsets = encode(texts)
    kept, new_offsets = select(codes, offsets, char_classes()(codes) == CLASS_KEEP)
    hi = np.zeros(len(texts), dtype=np.uint64)
    lo = np.zeros(len(texts), dtype=np.uint64)
    valid = new_offsets[1:] > new_offsets[:-1]
    data = memoryview(kept.view(np.uint8).data)  # slices without copies
    bounds = (4 * new_offsets).tolist()
    seed_list = seeds.tolist()
    for i in np.flatnonzero(valid).tolist():
        digest = xxhash.xxh3_128_intdigest(data[bounds[i] : bounds[i + 1]], seed_list[i])
        hi[i], lo[i] = digest >> 64, digest & MASK64
    return hi, lo, valid


def minhash_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lowercased code points with digits as ``0``, a separator mask (whitespace/punctuation) and offsets,
    by one table lookup over the whole batch."""
    codes, offsets = encode(texts)
    codes = minhash_table()(codes)
    return codes, codes == SEPARATOR, offsets


def minhash_text(text: str) -> str:
    """The normalised text shingles are cut from (lowercase, digits as 0, punctuation as space, single spaces)."""
    codes, separators, _ = minhash_codes([text])
    chars = (
        np.where(separators, np.uint32(ord(" ")), codes)
        .astype("<u4")
        .tobytes()
        .decode("utf-32-le", "surrogatepass")
    )
    return " ".join(chars.split())


def url_key(url: str | None, group: str, ignore_query: bool) -> int | None:
    """64-bit key of a URL's host + path (+ query unless ignored); None for a missing or unparsable URL."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host and not path:
        return None
    key = f"{group}\x1f{host}{path}" + ("" if ignore_query or not parts.query else f"?{parts.query}")
    return xxhash.xxh3_64_intdigest(key.encode())


def site_of(url: str | None, source: str | None) -> str:
    """The group whose repeated lines are templates: the URL's host, else the document's source."""
    if url:
        try:
            host = (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
        except ValueError:
            host = ""
        if host:
            return f"host:{host}"
    return f"source:{source or ''}"


def line_keys(text: str, site: str, min_chars: int) -> list[int]:
    """Keys of the distinct lines of ``text`` at least ``min_chars`` long (stripped), within ``site``."""
    keys = {
        xxhash.xxh3_64_intdigest(f"{site}\x1f{stripped}".encode())
        for line in text.split("\n")
        if len(stripped := line.strip()) >= min_chars
    }
    return sorted(keys)


def remove_lines(text: str, site: str, min_chars: int, templates: set[int]) -> tuple[str, int]:
    """``text`` without its template lines, and how many lines were removed."""
    kept: list[str] = []
    removed = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if (
            len(stripped) >= min_chars
            and xxhash.xxh3_64_intdigest(f"{site}\x1f{stripped}".encode()) in templates
        ):
            removed += 1
        else:
            kept.append(line)
    return ("\n".join(kept) if removed else text), removed
