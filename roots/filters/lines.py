"""Lines of a document and the sentence-final punctuation of the 46 ROOTS languages' scripts.

Used by the line-based filters (FineWeb's line punctuation, short lines, duplicated lines). A line is a
``\\n``-separated piece of the text, stripped; blank lines are not lines. A line "ends a sentence" when its
last character, after any closing quotes and brackets, is a sentence-final mark of some script:

* Latin, Cyrillic, Greek …: ``. ! ? …`` (and ``‼ ⁇ ⁈ ⁉``);
* CJK: ``。 ！ ？ ．`` and the halfwidth ``｡``;
* Devanagari, Bengali, Gurmukhi, Odia and the other Indic scripts: the danda ``।`` and double danda ``॥``;
* Arabic and Urdu: ``؟`` (question mark), ``۔`` (Urdu full stop), ``؞``; Arabic prose also ends with ``.``;
* Ethiopic ``። ፧ ፨``, Armenian ``։``, Myanmar ``။``, Khmer ``។ ៕``, Tibetan ``། ༎``, Sinhala ``෴``,
  Tamil and Telugu use ``.`` and the danda.

Thai and Lao mark sentences with spaces, so their lines rarely end in a mark (FineWeb-2's Thai config
sets the line-punctuation threshold to 0): configure that filter off, or a 0 threshold, for them.
"""

from __future__ import annotations

SENTENCE_END = frozenset(
    ".!?…‼⁇⁈⁉"  # Latin, Cyrillic, Greek, …
    "。！？．｡"  # CJK full stops and marks (full- and halfwidth)
    "।॥"  # Indic danda, double danda
    "؟۔؞"  # Arabic question mark, Urdu full stop, Arabic triple dot
    "።፧፨"  # Ethiopic
    "։"  # Armenian
    "။"  # Myanmar
    "។៕"  # Khmer
    "།༎"  # Tibetan
    "෴"  # Sinhala
)
CLOSING = frozenset("\"'”’»›」』）)]］】〕〉》")


def lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, stripped."""
    return [line for line in (raw.strip() for raw in text.split("\n")) if line]


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends with sentence-final punctuation (closing quotes and brackets skipped)."""
    end = len(line)
    while end and line[end - 1] in CLOSING:
        end -= 1
    return bool(end) and line[end - 1] in SENTENCE_END
