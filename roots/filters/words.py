"""Words of a document (reference §2.4) and the segmenters that produce them.

Segmenters turn text into raw tokens (``get_segmenter``; the dedup stage uses them for shingles):

* ``whitespace`` and ``vi_syllables``: split on space, ``\\n`` and ``\\t`` (ROOTS's split; Vietnamese
  syllable pairs come from ``words_augmentation``, not from the segmenter);
* ``jieba`` (zh; jieba-rs, see ``_jieba_segmenter``), ``sentencepiece`` (ROOTS's zh tokenisation, needs a
  model path), ``thai`` (pythainlp, optional extra) and ``japanese`` (sudachipy, optional extra): word
  segmenters for unspaced scripts.

``WordExtractor`` applies ROOTS's rules on top: for segmenting languages the text is first fully
normalised (non-printing removed, lowercased, digits → 0, …), then every token is lowercased and stripped
of special characters and empty tokens are dropped. ROOTS counts words for the word-count filter without
lowercasing; lowercasing can only change that count when a case-mapped character changes its membership
in the special set, which is checked, so one pass serves both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from roots.errors import UserError
from roots.filters.normalization import normalize
from roots.filters.special_characters import special_characters, special_lookup

Segmenter = Callable[[str], list[str]]
SEGMENTERS = ("whitespace", "vi_syllables", "jieba", "sentencepiece", "thai", "japanese")
SPACED_SEGMENTERS = frozenset({"whitespace", "vi_syllables"})
SENTENCEPIECE_MARKER = "\u2581"


def split_roots(text: str) -> list[str]:
    """ROOTS's split for spaced languages: on space, newline and tab only, empty items dropped."""
    return [w for w in text.replace("\n", " ").replace("\t", " ").split(" ") if w]


def _drop_blank(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t.strip()]


def get_segmenter(name: str, *, model: str | Path | None = None) -> Segmenter:
    """A function text → tokens for the segmenter ``name`` (``model``: the SentencePiece model file)."""
    if name in SPACED_SEGMENTERS:
        return split_roots
    if name == "jieba":
        return _jieba_segmenter()
    if name == "sentencepiece":
        if model is None:
            raise UserError(
                "segmenter 'sentencepiece' needs a model: set filters.perplexity.sentencepiece_model"
            )
        return _sentencepiece_segmenter(str(model))
    if name == "thai":
        return _thai_segmenter()
    if name == "japanese":
        return _japanese_segmenter()
    raise UserError(f"unknown segmenter {name!r}; use one of {', '.join(SEGMENTERS)}")


@cache
def _jieba_segmenter() -> Segmenter:
    """jieba's segmentation (its dictionary, DAG + HMM) as implemented by jieba-rs (``rjieba``).

    The same words as ``jieba.lcut`` on Chinese text, about 30x faster, and no 0.6 s dictionary load per
    process. Mixed ASCII runs can differ (jieba cuts ``7_7`` into three tokens, jieba-rs keeps one).
    """
    import rjieba

    def segment(text: str) -> list[str]:
        return _drop_blank(rjieba.cut(text, True))

    return segment


@cache
def _sentencepiece_segmenter(model: str) -> Segmenter:
    import sentencepiece

    if not Path(model).is_file():
        raise UserError(f"{model}: SentencePiece model not found; fix filters.perplexity.sentencepiece_model")
    processor = sentencepiece.SentencePieceProcessor()
    processor.Load(model)

    def segment(text: str) -> list[str]:
        return processor.EncodeAsPieces(text)

    return segment


def _missing_extra(segmenter: str, package: str) -> UserError:
    return UserError(
        f"segmenter {segmenter!r} needs the optional package {package!r}: pip install 'roots[{segmenter}]'"
    )


@cache
def _thai_segmenter() -> Segmenter:
    try:
        from pythainlp.tokenize import word_tokenize
    except ImportError:
        raise _missing_extra("thai", "pythainlp") from None

    def segment(text: str) -> list[str]:
        return _drop_blank(word_tokenize(text, engine="newmm"))

    return segment


@cache
def _japanese_segmenter() -> Segmenter:
    try:
        from sudachipy import Dictionary
    except ImportError:
        raise _missing_extra("japanese", "sudachipy") from None
    try:
        tokenizer = Dictionary(dict="core").create()
    except Exception as exc:  # sudachidict-core missing or unreadable
        raise UserError(
            f"segmenter 'japanese' needs sudachidict-core: pip install 'roots[japanese]' ({exc})"
        ) from None

    def segment(text: str) -> list[str]:
        return _drop_blank([m.surface() for m in tokenizer.tokenize(text)])

    return segment


@cache
def case_sensitive_specials() -> re.Pattern[str]:
    """Characters whose lowercase form differs in special-set membership (they make the cased word count differ)."""
    specials = special_characters()
    chars = []
    for cp in range(0x110000):
        c = chr(cp)
        low = c.lower()
        if low != c and (c in specials) != all(x in specials for x in low):
            chars.append(c)
    if not chars:
        return re.compile(r"(?!x)x")
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


@dataclass(frozen=True)
class WordBatch:
    """The words of a batch of documents, flat: ``words[offsets[i]:offsets[i+1]]`` are document i's words."""

    words: list[str]
    offsets: np.ndarray  # len(documents) + 1
    counts: np.ndarray  # ROOTS word count per document (without lowercasing)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def of_lists(cls, words: Sequence[Sequence[str]]) -> WordBatch:
        """A batch from per-document word lists (counts = list lengths)."""
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return cls([w for ws in words for w in ws], offsets, sizes)

    def of(self, i: int) -> list[str]:
        return self.words[self.offsets[i] : self.offsets[i + 1]]

    def doc_index(self) -> np.ndarray:
        """The document of every word."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))


@cache
def _separator_lookup(any_whitespace: bool) -> np.ndarray:
    table = np.zeros(0x110000, dtype=bool)
    if any_whitespace:
        table[[cp for cp in range(0x110000) if chr(cp).isspace()]] = True
    else:
        table[[ord(" "), ord("\n"), ord("\t")]] = True
    return table


def _stripped_spans(
    joined: str, token_ids: np.ndarray | None, separators: np.ndarray | None = None, extra_strip: str = ""
) -> tuple[list[str], np.ndarray]:
    """Words of ``joined``: per token, the span from its first to its last non-special character.

    Tokens are given by ``token_ids`` (one id per character) or, if None, are the runs between characters
    marked in the ``separators`` lookup table. Returns the words and each word's start position in ``joined``.
    """
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    special = special_lookup()[cps]
    for char in extra_strip:
        special |= cps == ord(char)
    if token_ids is None:
        assert separators is not None
        is_separator = separators[cps]
        special |= is_separator
        token_ids = np.cumsum(is_separator)
    content = np.flatnonzero(~special)
    if not len(content):
        return [], content
    token = token_ids[content]
    first = np.flatnonzero(np.concatenate([[True], token[1:] != token[:-1]]))
    last = np.append(first[1:], len(content)) - 1
    starts, ends = content[first], content[last] + 1
    return [joined[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)], starts


class WordExtractor:
    """ROOTS words of modified documents for one language's segmenter, a whole batch at a time.

    Spaced languages are split and stripped with numpy over the whole batch (a word is the span between
    the first and the last non-special character of a token); segmenting languages are segmented per
    document and stripped the same way.

    ``roots_compat=False`` fixes three quirks: spaced languages split on any Unicode whitespace, segmenting
    languages are only lowercased and whitespace-normalised before segmenting (newlines are not deleted,
    digits kept), and the SentencePiece marker ``▁`` is stripped from pieces.
    """

    def __init__(self, segmenter: str, *, model: str | Path | None = None, roots_compat: bool = True) -> None:
        self.name = segmenter
        self.spaced = segmenter in SPACED_SEGMENTERS
        self.roots_compat = roots_compat
        self._segment = get_segmenter(segmenter, model=model)
        self._extra_strip = SENTENCEPIECE_MARKER if not roots_compat and segmenter == "sentencepiece" else ""

    def _prepare(self, text: str) -> str:
        """What a segmenter sees: ROOTS's full normalisation, or (non-compat) lowercase + uniform spaces."""
        return normalize(
            text,
            remove_non_printing=self.roots_compat,
            strip=True,
            lower=True,
            uniform_whitespace=True,
            digits_to_zero=self.roots_compat,
            unicode_punctuation=self.roots_compat,
        )

    def batch(self, texts: Sequence[str]) -> WordBatch:
        """Lowercased, stripped words of every text, and ROOTS's (cased) word count of each."""
        if self.spaced:
            words, per_doc = self._spaced([t.lower() for t in texts])
            counts = per_doc.copy()
            pattern = case_sensitive_specials()
            for i, text in enumerate(texts):
                if pattern.search(text):
                    counts[i] = self._spaced([text])[1][0]
        else:
            tokens = [self._segment(self._prepare(t)) for t in texts]
            words, per_doc = self._segmented(tokens)
            counts = per_doc
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(per_doc, out=offsets[1:])
        return WordBatch(words, offsets, counts)

    def _spaced(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        joined = "\n".join(texts)  # "\n" separates tokens in both modes, so documents never merge
        separators = _separator_lookup(not self.roots_compat)
        words, starts = _stripped_spans(joined, None, separators)
        doc_starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        return words, np.bincount(np.searchsorted(doc_starts, starts, side="right") - 1, minlength=len(texts))

    def _segmented(self, tokens: list[list[str]]) -> tuple[list[str], np.ndarray]:
        flat = [t for doc in tokens for t in doc]
        lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
        token_doc = np.repeat(np.arange(len(tokens), dtype=np.int64), [len(doc) for doc in tokens])
        token_ids = np.repeat(np.arange(len(flat), dtype=np.int64), lengths)
        words, starts = _stripped_spans("".join(flat), token_ids, extra_strip=self._extra_strip)
        token_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        word_doc = (
            token_doc[np.searchsorted(token_starts, starts, side="right") - 1] if len(starts) else starts
        )
        return words, np.bincount(word_doc, minlength=len(tokens))

    def words(self, text: str) -> tuple[list[str], int]:
        """(lowercased stripped words, number of words as ROOTS counts them without lowercasing)."""
        batch = self.batch([text])
        return batch.words, int(batch.counts[0])


def augment(words: Sequence[str], group_sizes: Sequence[int], join_char: str) -> list[str]:
    """ROOTS words augmentation: every window of ``g`` consecutive words joined by ``join_char``, per ``g``."""
    out: list[str] = []
    for g in group_sizes:
        if g <= 0 or g > len(words):
            continue
        out.extend(
            map(join_char.join, zip(*(words[i : len(words) - g + 1 + i] for i in range(g)), strict=True))
        )
    return out
