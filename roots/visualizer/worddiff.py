"""Word-level differences between two near-duplicate documents, for showing them side by side.

Each text is split into words and the whitespace after them (so the text is rebuilt exactly), the word
sequences are aligned with ``difflib``, and every word not in the common part is marked. The HTML
escapes every character, so a document cannot inject markup.
"""

from __future__ import annotations

import difflib
import html
import re

from roots.visualizer.plaintext import TEXT_STYLE

_TOKEN = re.compile(r"\S+\s*|\s+")
MARK_STYLE = "background: #fde0dd; color: inherit; border-radius: 2px"

Segments = list[tuple[str, bool]]  # (text, differs from the other document)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _merge(segments: Segments) -> Segments:
    out: Segments = []
    for text, changed in segments:
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        else:
            out.append((text, changed))
    return out


def word_diff(a: str, b: str) -> tuple[Segments, Segments]:
    """Both texts as segments, each flagged when its words are missing from or changed in the other text."""
    ta, tb = _tokens(a), _tokens(b)
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in ta], [t.strip() for t in tb], autojunk=False)
    left: Segments = []
    right: Segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        left.extend((t, not same) for t in ta[i1:i2])
        right.extend((t, not same) for t in tb[j1:j2])
    return _merge(left), _merge(right)


def changed_words(segments: Segments) -> int:
    """How many words are marked as different."""
    return sum(len(text.split()) for text, changed in segments if changed)


def diff_html(segments: Segments, lang: str | None = None) -> str:
    """One side of the diff as an HTML block: escaped text, differing words highlighted, ``dir="auto"``."""
    body = "".join(
        f'<mark style="{MARK_STYLE}">{html.escape(text)}</mark>' if changed else html.escape(text)
        for text, changed in segments
    )
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    return f'<div class="roots-text roots-diff" dir="auto"{lang_attr} style="{TEXT_STYLE}">{body}</div>'
