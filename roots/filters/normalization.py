"""ROOTS text normalisation primitives (reference §2.2), used by the modifications, zh words and perplexity.

Each step has its own switch; enabled steps run in the fixed ROOTS order: remove non-printing
characters, strip, lowercase, uniform whitespace, digits to ``0``, unicode punctuation to ASCII.
The tables are the same as cc_net's and keep their quirks on purpose (``ROOTS-compatible``):
non-printing removal *deletes* ``\\n`` and ``\\t`` (lines are joined without a space), and the
fullwidth digit one ``１`` becomes ``"``.
"""

from __future__ import annotations

import re

# Code points 0–31 and 127–159 (C0 controls incl. \t \n \r, DEL, C1 controls) are deleted.
NON_PRINTING_CODEPOINTS: tuple[int, ...] = (*range(0, 32), *range(127, 160))
_NON_PRINTING_TABLE = dict.fromkeys(NON_PRINTING_CODEPOINTS)

# Characters that become one ASCII space under "uniform whitespace" (12 code points).
UNIFORM_WHITESPACE_CODEPOINTS: tuple[int, ...] = (
    0x0020,
    0x2009,
    0x200A,
    0x202F,
    0x2005,
    0x3000,
    0x2002,
    0x00A0,
    0x2008,
    0x2003,
    0xFFFC,
    0x0084,
)
_WHITESPACE_TABLE = dict.fromkeys(UNIFORM_WHITESPACE_CODEPOINTS, " ")

# Unicode punctuation → ASCII (34 entries), keyed by code point. Note U+FF11 (fullwidth one) → '"'.
UNICODE_PUNCTUATION: dict[int, str] = {
    0xFF0C: ",",  # ，
    0x3002: ".",  # 。
    0x3001: ",",  # 、
    0x201E: '"',  # „
    0x201D: '"',  # ”
    0x201C: '"',  # “
    0x00AB: '"',  # «
    0x00BB: '"',  # »
    0xFF11: '"',  # １ (quirk kept from the reference table)
    0x300D: '"',  # 」
    0x300C: '"',  # 「
    0x300A: '"',  # 《
    0x300B: '"',  # 》
    0x00B4: "'",  # ´
    0x2236: ":",  # ∶
    0xFF1A: ":",  # ：
    0xFF1F: "?",  # ？
    0xFF01: "!",  # ！
    0xFF08: "(",  # （
    0xFF09: ")",  # ）
    0xFF1B: ";",  # ；
    0x2013: "-",  # –
    0x2014: " - ",  # —
    0xFF0E: ". ",  # ．
    0xFF5E: "~",  # ～
    0x2019: "'",  # ’
    0x2026: "...",  # …
    0x2501: "-",  # ━
    0x3008: "<",  # 〈
    0x3009: ">",  # 〉
    0x3010: "[",  # 【
    0x3011: "]",  # 】
    0xFF05: "%",  # ％
    0x25BA: "-",  # ►
}

_DIGIT_RE = re.compile(r"\d")  # Unicode-aware, like the reference
# scanning with a regex is much faster than translating every character; most texts need no change
_NON_PRINTING_RE = re.compile("[" + re.escape("".join(map(chr, NON_PRINTING_CODEPOINTS))) + "]")
_WHITESPACE_RE = re.compile(
    "[" + re.escape("".join(chr(cp) for cp in UNIFORM_WHITESPACE_CODEPOINTS if cp != 0x20)) + "]"
)
_PUNCTUATION_RE = re.compile("[" + re.escape("".join(map(chr, UNICODE_PUNCTUATION))) + "]")


def remove_non_printing(text: str) -> str:
    """Delete code points 0–31 and 127–159 (newlines and tabs included, no space inserted)."""
    return text.translate(_NON_PRINTING_TABLE) if _NON_PRINTING_RE.search(text) else text


def uniform_whitespace(text: str) -> str:
    """Replace the 12 listed space-like characters by U+0020."""
    return text.translate(_WHITESPACE_TABLE) if _WHITESPACE_RE.search(text) else text


def digits_to_zero(text: str) -> str:
    """Replace every Unicode decimal digit (regex ``\\d``) by ``0``."""
    return _DIGIT_RE.sub("0", text)


def replace_unicode_punctuation(text: str) -> str:
    """Map the 34 listed Unicode punctuation characters to ASCII."""
    return text.translate(UNICODE_PUNCTUATION) if _PUNCTUATION_RE.search(text) else text


def normalize(
    text: str,
    *,
    remove_non_printing: bool,
    strip: bool,
    lower: bool,
    uniform_whitespace: bool,
    digits_to_zero: bool,
    unicode_punctuation: bool,
) -> str:
    """Apply the enabled ROOTS normalisation steps in ROOTS order; an empty text after strip is returned as is."""
    if remove_non_printing:
        text = _remove_non_printing(text)
    if strip:
        text = text.strip()
    if not text:
        return text
    if lower:
        text = text.lower()
    if uniform_whitespace:
        text = _uniform_whitespace(text)
    if digits_to_zero:
        text = _digits_to_zero(text)
    if unicode_punctuation:
        text = _replace_unicode_punctuation(text)
    return text


# ``normalize``'s keyword arguments shadow the step functions' names inside it
_remove_non_printing = remove_non_printing
_uniform_whitespace = uniform_whitespace
_digits_to_zero = digits_to_zero
_replace_unicode_punctuation = replace_unicode_punctuation
