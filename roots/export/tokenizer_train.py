"""Train a BLOOM-style byte-level BPE on a run's final documents, sampling languages with alpha weighting.

BLOOM's tokenizer (a byte-level BPE trained on ROOTS with alpha-weighted languages) is not reachable
offline, so users train their own: no normalisation, a split of the text into words with an optional
leading space and isolated punctuation, byte-level pieces (every byte is in the alphabet, so any text
round-trips exactly), special tokens ``<unk> <s> </s> <pad>`` with ids 0–3 and EOD = ``</s>``.

Sampling: a language with ``n_i`` characters gets the share ``p_i ∝ (n_i/N)^alpha`` of a budget of
``sample_chars`` characters, i.e. each of its documents is used ``f_i = p_i · budget / n_i`` times on
average: ``floor(f_i)`` times, plus once more when a hash of the document id falls below ``frac(f_i)``.
That is deterministic and independent of document order and sharding.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc
import xxhash

from roots.atomic import write_json, write_text
from roots.errors import UserError
from roots.export.blend import sampling_probabilities
from roots.export.documents import FinalDocuments, final_documents
from roots.export.tokenizer import TOKENIZER_FILE
from roots.layout import RunLayout
from roots.schema import lang_key
from roots.storage import parquet_file, read_parquet

if TYPE_CHECKING:
    from tokenizers import Tokenizer

SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<pad>")
EOD_TOKEN = "</s>"
# words with an optional leading space; whitespace and sentence punctuation (Latin, CJK, Devanagari, Arabic)
# become pieces of their own. Built from the description of BLOOM's pre-tokenizer.
SPLIT_PATTERN = r" ?[^\s.,!?…。，、।۔،]+"
DEFAULT_SAMPLE_CHARS = 100_000_000
BATCH = 1_000


@dataclass(frozen=True)
class TrainReport:
    """What the tokenizer was trained on: characters per language, their sampling share and repetition."""

    vocab_size: int
    chars: dict[str, int]
    share: dict[str, float]
    repeat: dict[str, float]
    sampled_chars: int


def bloom_style_tokenizer() -> Tokenizer:
    """An untrained byte-level BPE with BLOOM's layout (no normaliser, byte-level pieces and decoder)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def language_chars(documents: FinalDocuments) -> dict[str, int]:
    """Characters of the final documents per language (``und`` for none)."""
    counts: dict[str, int] = {}
    for part in documents.parts:
        table = read_parquet(part, columns=["text", "lang"])
        lengths = pc.utf8_length(table.column("text")).to_pylist()
        for lang, n in zip(table.column("lang").to_pylist(), lengths, strict=True):
            counts[lang_key(lang)] = counts.get(lang_key(lang), 0) + (n or 0)
    return counts


def repeat_factors(
    chars: dict[str, int], alpha: float, sample_chars: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Sampling shares ``p_i`` and per-document repetition factors ``f_i = p_i · budget / n_i``."""
    share = sampling_probabilities(chars, alpha)
    return share, {lang: share[lang] * sample_chars / chars[lang] for lang in share}


def _copies(doc_id: str, factor: float) -> int:
    whole = math.floor(factor)
    fraction = xxhash.xxh3_64_intdigest(doc_id.encode()) / 2**64
    return whole + (1 if fraction < factor - whole else 0)


def sampled_texts(documents: FinalDocuments, factors: dict[str, float]) -> Iterator[list[str]]:
    """Batches of training texts: every document repeated by its language's factor (see module docstring)."""
    batch: list[str] = []
    for part in documents.parts:
        for record in parquet_file(part).iter_batches(batch_size=BATCH, columns=["id", "text", "lang"]):
            columns = record.to_pydict()
            for doc_id, text, lang in zip(columns["id"], columns["text"], columns["lang"], strict=True):
                if text:
                    batch.extend([text] * _copies(doc_id, factors.get(lang_key(lang), 0.0)))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def train_tokenizer(
    run: RunLayout,
    vocab_size: int,
    alpha: float = 0.3,
    sample_chars: int | None = None,
    min_frequency: int = 2,
) -> tuple[Tokenizer, TrainReport]:
    """Train on the run's final documents with alpha-weighted languages (see module docstring)."""
    from tokenizers import pre_tokenizers, trainers

    if vocab_size <= len(SPECIAL_TOKENS) + 256:
        raise UserError(f"--vocab-size {vocab_size}: must exceed 260 (256 bytes + 4 special tokens)")
    documents = final_documents(run)
    chars = language_chars(documents)
    if not sum(chars.values()):
        raise UserError(f"{run.root}: the final documents ({documents.stage}) hold no text to train on")
    budget = sample_chars or min(sum(chars.values()), DEFAULT_SAMPLE_CHARS)
    share, factors = repeat_factors(chars, alpha, budget)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer = bloom_style_tokenizer()
    tokenizer.train_from_iterator(sampled_texts(documents, factors), trainer)
    sampled = sum(round(factors[lang] * n) for lang, n in chars.items() if lang in factors)
    report = TrainReport(tokenizer.get_vocab_size(), chars, share, factors, sampled)
    return tokenizer, report


def save_tokenizer(tokenizer: Tokenizer, out: Path) -> Path:
    """Write ``out`` if it names a ``.json`` file; otherwise make ``out`` a folder that ``transformers``
    (and so Megatron's HuggingFaceTokenizer) can load: tokenizer.json, tokenizer_config.json,
    special_tokens_map.json. Returns the tokenizer.json path."""
    target = out if out.suffix == ".json" else out / TOKENIZER_FILE
    write_text(target, tokenizer.to_str(pretty=True))
    if out.suffix != ".json":
        names = dict(zip(("unk_token", "bos_token", "eos_token", "pad_token"), SPECIAL_TOKENS, strict=True))
        config: dict[str, Any] = {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": 1_000_000_000,
            "add_prefix_space": False,
            **names,
        }
        write_json(out / "tokenizer_config.json", config)
        write_json(out / "special_tokens_map.json", names)
    return target
