"""The ROOTS "special characters" set (reference §2.5), used to strip words and for the special-character ratio.

It is the union of Python's ``string.punctuation + string.digits + string.whitespace`` (48 characters,
space, ``\\n`` and ``\\t`` included), ROOTS's hand-made string (189 distinct characters, stored as code
points in ``data/roots_handmade_special_codepoints.txt``) and the emoji of ``emoji==1.6.1``. ROOTS tests
membership one character at a time, so only single-code-point emoji can ever match
(``data/emoji_1_6_1_single_codepoints.txt``, made by ``scripts/generate_emoji_codepoints.py``).
The effective set therefore has 1,599 characters.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

import numpy as np

HANDMADE_FILE = "roots_handmade_special_codepoints.txt"
EMOJI_FILE = "emoji_1_6_1_single_codepoints.txt"
MAIN_SPECIAL_CHARACTERS = string.punctuation + string.digits + string.whitespace


def read_codepoints(name: str) -> list[str]:
    """Characters of a packaged data file with one ``U+XXXX`` per line (``#`` lines and trailing text ignored)."""
    text = resources.files("roots.filters").joinpath("data", name).read_text(encoding="utf-8")
    chars = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            chars.append(chr(int(line.split()[0].removeprefix("U+"), 16)))
    return chars


@cache
def special_characters() -> frozenset[str]:
    """The effective ROOTS special-character set (single characters only)."""
    return (
        frozenset(MAIN_SPECIAL_CHARACTERS)
        | frozenset(read_codepoints(HANDMADE_FILE))
        | frozenset(read_codepoints(EMOJI_FILE))
    )


@cache
def strip_characters() -> str:
    """The set as one string, for ``str.strip``: it tests each end character for membership, exactly like ROOTS."""
    return "".join(sorted(special_characters()))


@cache
def special_lookup() -> np.ndarray:
    """A boolean table over all code points: ``table[ord(c)]`` is True for a special character."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in special_characters()]] = True
    return table


def strip_special(word: str) -> str:
    """Remove special characters from both ends of ``word``."""
    return word.strip(strip_characters())
