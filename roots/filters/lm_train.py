"""``roots lm train``: a SentencePiece model and a Kneser–Ney n-gram ARPA model from a text file.

Each non-empty line of the text file is one training sentence. Lines get the perplexity
normalisation of ``roots.filters.perplexity`` (so training and scoring see the same text), a
SentencePiece unigram model is trained on them (one thread, so the model is the same on every
machine), and the pieces feed the project's modified Kneser–Ney estimator (``kneser_ney``), which
writes an ARPA file KenLM loads. Outputs are named like the ROOTS (edugp) models:
``<out>/<lang>.sp.model`` and ``<out>/<lang>.arpa``.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roots.atomic import write_bytes
from roots.errors import UserError
from roots.filters.kneser_ney import train_arpa
from roots.filters.perplexity import perplexity_normalize, pieces_line
from roots.filters.yamledit import load_document, save_document, set_key


@dataclass(frozen=True)
class TrainedLm:
    sentencepiece_model: Path
    kenlm_model: Path
    sentences: int
    tokens: int
    vocab_size: int
    order: int


def read_sentences(text_file: Path) -> list[str]:
    """Normalised non-empty lines of a UTF-8 text file (undecodable bytes become U+FFFD)."""
    if not text_file.is_file():
        raise UserError(
            f"{text_file}: text file not found; pass a UTF-8 text file with one sentence per line"
        )
    with open(text_file, encoding="utf-8", errors="replace") as handle:
        lines = [perplexity_normalize(line) for line in handle]
    lines = [line for line in lines if line]
    if not lines:
        raise UserError(f"{text_file}: no text to train on; pass a file with at least one non-empty line")
    return lines


def train_sentencepiece(sentences: list[str], vocab_size: int, path: Path) -> Any:
    """Train a SentencePiece unigram model on ``sentences``; ``vocab_size`` is a soft limit for small corpora."""
    import sentencepiece as spm

    model = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=model,
            vocab_size=vocab_size,
            model_type="unigram",
            hard_vocab_limit=False,
            num_threads=1,
            minloglevel=2,
        )
    except RuntimeError as exc:
        raise UserError(f"--vocab-size {vocab_size}: SentencePiece training failed ({exc})") from None
    write_bytes(path, model.getvalue())
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


def train_lm(
    text_file: Path, lang: str, out_dir: Path, *, order: int = 3, vocab_size: int = 8000
) -> TrainedLm:
    """Train ``<out_dir>/<lang>.sp.model`` and ``<out_dir>/<lang>.arpa`` from ``text_file``."""
    if order < 2:
        raise UserError(f"--order {order}: KenLM needs at least a bigram model; use --order 2 or more")
    sentences = read_sentences(text_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    sp_path = out_dir / f"{lang}.sp.model"
    arpa_path = out_dir / f"{lang}.arpa"
    processor = train_sentencepiece(sentences, vocab_size, sp_path)
    tokenised = [pieces_line(processor, sentence).split() for sentence in sentences]
    train_arpa(tokenised, order, arpa_path)
    tokens = sum(len(pieces) for pieces in tokenised)
    return TrainedLm(sp_path, arpa_path, len(sentences), tokens, processor.get_piece_size(), order)


def update_language_config(config_path: Path, trained: TrainedLm) -> None:
    """Point ``filters.perplexity`` of a language YAML at the trained models (paths relative to the YAML)
    and enable the filter; every other key and comment is kept."""
    data = load_document(config_path)
    base = config_path.resolve().parent
    for key, path in (
        ("kenlm_model", trained.kenlm_model),
        ("sentencepiece_model", trained.sentencepiece_model),
    ):
        set_key(data, ("filters", "perplexity", key), os.path.relpath(path.resolve(), base))
    set_key(data, ("filters", "perplexity", "enabled"), True)
    save_document(config_path, data)
