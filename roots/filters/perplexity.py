"""Perplexity of documents under a KenLM n-gram model over SentencePiece pieces (ROOTS §2.6).

For each document: ROOTS normalisation (remove non-printing characters — which deletes newlines
without inserting a space, so a document is one line —, strip, uniform whitespace, digits to 0,
unicode punctuation to ASCII; no lowercasing), SentencePiece pieces joined by single spaces, then per
line ``log10`` score from ``kenlm.Model.score`` (with ``<s>`` and ``</s>``) and length ``#pieces + 1``:
``pp = 10 ** (-Σ score / Σ length)``, rounded to 0.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roots.errors import UserError
from roots.filters.normalization import normalize

_KENLM: dict[str, Any] = {}
_SENTENCEPIECE: dict[str, Any] = {}


def perplexity_normalize(text: str) -> str:
    """The normalisation ROOTS applies before SentencePiece for perplexity (and ``roots lm train`` too)."""
    return normalize(
        text,
        remove_non_printing=True,
        strip=True,
        lower=False,
        uniform_whitespace=True,
        digits_to_zero=True,
        unicode_punctuation=True,
    )


def load_kenlm(path: str | Path) -> Any:
    """A KenLM model (ARPA or binary), loaded once per process."""
    key = str(path)
    if key not in _KENLM:
        if not Path(key).is_file():
            raise UserError(f"{key}: KenLM model not found; fix filters.perplexity.kenlm_model")
        import kenlm

        config = kenlm.Config()
        config.show_progress = False  # no progress bar or "build a binary" advice on stderr
        config.arpa_complain = kenlm.ARPALoadComplain.NONE
        try:
            _KENLM[key] = kenlm.Model(key, config)
        except OSError as exc:
            raise UserError(f"{key}: not a KenLM model ({exc}); fix filters.perplexity.kenlm_model") from None
    return _KENLM[key]


def load_sentencepiece(path: str | Path) -> Any:
    """A SentencePiece processor, loaded once per process."""
    key = str(path)
    if key not in _SENTENCEPIECE:
        if not Path(key).is_file():
            raise UserError(
                f"{key}: SentencePiece model not found; fix filters.perplexity.sentencepiece_model"
            )
        import sentencepiece

        try:
            _SENTENCEPIECE[key] = sentencepiece.SentencePieceProcessor(model_file=key)
        except (OSError, RuntimeError) as exc:
            raise UserError(
                f"{key}: not a SentencePiece model ({exc}); fix filters.perplexity.sentencepiece_model"
            ) from None
    return _SENTENCEPIECE[key]


def pieces_line(processor: Any, text: str) -> str:
    """A normalised text as SentencePiece pieces joined by single spaces (the KenLM input)."""
    return " ".join(processor.encode(text, out_type=str))


class PerplexityScorer:
    """Scores documents with one language's KenLM + SentencePiece models (paths only: cheap to pickle)."""

    def __init__(self, kenlm_model: Path, sentencepiece_model: Path) -> None:
        self.kenlm_model = Path(kenlm_model)
        self.sentencepiece_model = Path(sentencepiece_model)

    def perplexity(self, texts: Sequence[str]) -> list[float]:
        model = load_kenlm(self.kenlm_model)
        processor = load_sentencepiece(self.sentencepiece_model)
        out = []
        for text in texts:
            doc = pieces_line(processor, perplexity_normalize(text))
            score = 0.0
            length = 0
            for line in doc.split("\n"):
                score += model.score(line)
                length += len(line.split()) + 1
            out.append(round(10.0 ** (-score / length), 1))
        return out
