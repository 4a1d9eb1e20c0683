"""Loading a local Hugging Face ``tokenizers`` tokenizer the way Megatron's HuggingFaceTokenizer sees it.

Megatron tokenizes each document with ``tokenizer(text).input_ids`` (special tokens of the post-processor
included), takes ``eos_token_id`` as EOD, and sizes the token dtype by ``len(tokenizer)`` (the unpadded
vocabulary including added tokens). ``TokenizerSpec`` pins those three facts, so every worker agrees.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

from roots.errors import UserError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

TOKENIZER_FILE = "tokenizer.json"
PARALLELISM_VAR = "TOKENIZERS_PARALLELISM"
EOD_CANDIDATES = ("</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>", "<|im_end|>")


@dataclass(frozen=True)
class TokenizerSpec:
    """A resolved tokenizer: its ``tokenizer.json``, content digest, vocabulary size and EOD id."""

    path: str
    digest: str
    vocab_size: int
    eod_id: int
    eod_token: str


def tokenizer_file(path: Path, key: str = "--tokenizer") -> Path:
    """``tokenizer.json`` itself, or the one inside a tokenizer folder (``save_pretrained`` output)."""
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / TOKENIZER_FILE
    if not path.is_file():
        raise UserError(
            f"{key} {path}: no tokenizer file; pass a tokenizer.json or a folder holding one "
            "(train one with `roots tokenizer train RUN --vocab-size N --out tokenizer.json`)"
        )
    return path


@lru_cache(maxsize=4)
def load_tokenizer(path: str) -> Tokenizer:
    """The tokenizer in ``path`` (cached per process: workers load it once)."""
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(path)
    except Exception as exc:  # tokenizers raises plain Exception on a malformed file
        raise UserError(
            f"{path}: not a Hugging Face tokenizers file ({exc}); pass a tokenizer.json"
        ) from None


def _configured_eos(folder: Path) -> str | None:
    """``eos_token`` from a transformers ``tokenizer_config.json`` beside the tokenizer, if any."""
    config = folder / "tokenizer_config.json"
    if not config.is_file():
        return None
    try:
        eos: Any = json.loads(config.read_text(encoding="utf-8")).get("eos_token")
    except (OSError, json.JSONDecodeError):
        return None
    if isinstance(eos, dict):
        eos = eos.get("content")
    return eos if isinstance(eos, str) else None


def resolve_tokenizer(
    path: str | Path, eod_token: str | None = None, vocab_size: int | None = None
) -> TokenizerSpec:
    """Find the tokenizer file, its EOD token (explicit, else ``eos_token`` of a tokenizer_config.json beside
    it, else the first of ``</s>``, ``<|endoftext|>``… in the vocabulary) and its vocabulary size."""
    file = tokenizer_file(Path(path))
    tokenizer = load_tokenizer(str(file))
    name = eod_token or _configured_eos(file.parent)
    candidates = (name,) if name else EOD_CANDIDATES
    ids = [(t, tokenizer.token_to_id(t)) for t in candidates]
    found = [(t, i) for t, i in ids if i is not None]
    if not found:
        wanted = (
            f"token {name!r} is not in its vocabulary"
            if name
            else f"none of {', '.join(EOD_CANDIDATES)} is in it"
        )
        raise UserError(
            f"{file}: no end-of-document token ({wanted}); set export.eod_token to one of its tokens"
        )
    size = vocab_size or tokenizer.get_vocab_size(with_added_tokens=True)
    largest = max(tokenizer.get_vocab(with_added_tokens=True).values(), default=-1)
    if largest >= size:  # an id >= the vocabulary size would wrap or index past the embedding
        key = "export.vocab_size" if vocab_size else f"{file}: the vocabulary size"
        raise UserError(
            f"{key} = {size} but the tokenizer has token id {largest}; "
            f"set export.vocab_size to at least {largest + 1} (or remove it)"
        )
    eod_name, eod_id = found[0]
    digest = xxhash.xxh3_64_hexdigest(file.read_bytes())
    return TokenizerSpec(str(file.resolve()), digest, size, eod_id, eod_name)


@contextmanager
def one_thread() -> Iterator[None]:
    """Keep tokenizers' own thread pool out of the way while the block runs.

    The executor already runs one shard per core; a Rust thread pool per worker on top of that
    oversubscribes the CPUs. A ``TOKENIZERS_PARALLELISM`` the user set explicitly wins.
    """
    if PARALLELISM_VAR in os.environ:
        yield
        return
    os.environ[PARALLELISM_VAR] = "false"
    try:
        yield
    finally:
        os.environ.pop(PARALLELISM_VAR, None)


def encode(tokenizer: Tokenizer, texts: list[str], add_special_tokens: bool = True) -> list[list[int]]:
    """Token ids of each text (batched in Rust; the same ids as encoding one text at a time)."""
    batch = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)
    with one_thread():
        return [e.ids for e in batch(texts, add_special_tokens=add_special_tokens)]
