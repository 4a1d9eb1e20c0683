"""Megatron indexed datasets ("MMIDIDX" v1): write, merge, read and validate ``.bin``/``.idx`` pairs, no torch.

A dataset is a path prefix ``P`` with two files. ``P.bin`` holds the token ids of every sequence, concatenated,
in the token dtype. ``P.idx`` is, little-endian and unpadded::

    magic b"MMIDIDX\\x00\\x00" | version u64 = 1 | dtype code u8 | S u64 | D u64
    lengths int32[S] | pointers int64[S] (exclusive cumulative sum of length × itemsize) | document_indices int64[D]

``document_indices`` starts at 0 and holds each document's exclusive end sequence, so ``D`` = documents + 1 and
its last entry is ``S``. Megatron's reader checks almost none of this (a truncated ``.bin`` or a wrong dtype code
reads as garbage), so ``validate_dataset`` checks everything, and the writers refuse token ids that would wrap.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from roots.atomic import atomic_open
from roots.storage import as_path, is_remote, open_binary

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER = struct.Struct("<9sQBQQ")  # magic, version, dtype code, sequence count, document-index count
# Megatron's DType codes; token data only ever uses 8 (uint16) and 4 (int32).
DTYPE_CODES: dict[int, np.dtype] = {
    1: np.dtype("u1"),
    2: np.dtype("i1"),
    3: np.dtype("<i2"),
    4: np.dtype("<i4"),
    5: np.dtype("<i8"),
    6: np.dtype("<f8"),
    7: np.dtype("<f4"),
    8: np.dtype("<u2"),
}
TOKEN_DTYPE_CODES = (4, 8)
UINT16_VOCAB_LIMIT = 65_500  # DType.optimal_dtype: uint16 below this vocabulary size, else int32
CHECK_CHUNK = 1 << 24  # tokens per chunk when scanning a .bin for out-of-range ids


class InvalidDataset(ValueError):
    """A ``.bin``/``.idx`` pair that Megatron would misread (the message says what and where)."""


class TokenIdOutOfRange(ValueError):
    """A token id outside ``[0, vocab_size)``: written as is it would wrap or index past the embedding."""


def token_dtype(vocab_size: int) -> np.dtype:
    """The token dtype Megatron picks for a vocabulary: uint16 below 65,500 entries, else int32."""
    if vocab_size < 1:
        raise ValueError(f"vocabulary size must be positive, got {vocab_size}")
    return np.dtype("<u2") if vocab_size < UINT16_VOCAB_LIMIT else np.dtype("<i4")


def dtype_code(dtype: np.dtype) -> int:
    for code, known in DTYPE_CODES.items():
        if known == np.dtype(dtype):
            return code
    raise ValueError(f"{dtype} is not a Megatron token dtype")


def bin_path(prefix: Path | str) -> Path:
    return _with_suffix(prefix, ".bin")


def idx_path(prefix: Path | str) -> Path:
    return _with_suffix(prefix, ".idx")


def _with_suffix(prefix: Path | str, suffix: str) -> Path:
    """``prefix`` + ``suffix`` (the prefix's name may contain dots), local or on object storage."""
    path = as_path(prefix)
    return path.with_name(path.name + suffix)


def check_token_range(tokens: np.ndarray, vocab_size: int, where: str = "") -> None:
    """Refuse ids outside ``[0, vocab_size)`` before they are cast to the (possibly narrower) token dtype."""
    if tokens.size == 0:
        return
    low, high = int(tokens.min()), int(tokens.max())
    if low < 0 or high >= vocab_size:
        bad = high if high >= vocab_size else low
        raise TokenIdOutOfRange(
            f"{where}token id {bad} is outside the vocabulary [0, {vocab_size}); "
            "refusing to write it (it would wrap in the token dtype)"
        )


def index_header(dtype: np.dtype, sequences: int, doc_index_len: int) -> bytes:
    return HEADER.pack(MAGIC, VERSION, dtype_code(dtype), sequences, doc_index_len)


def sequence_pointers(lengths: np.ndarray, itemsize: int, start: int = 0) -> np.ndarray:
    """Byte offset of each sequence: the exclusive cumulative sum of ``length × itemsize`` from ``start``."""
    pointers = np.empty(len(lengths), dtype="<i8")
    if len(lengths):
        pointers[0] = start
        np.cumsum(lengths[:-1].astype(np.int64) * itemsize, out=pointers[1:])
        pointers[1:] += start
    return pointers


@dataclass
class DatasetWriter:
    """Writes one dataset: tokens stream into ``.bin``; the index is written when the writer closes.

    Both files are written atomically; on an exception neither is left behind.
    """

    prefix: Path
    vocab_size: int
    dtype: np.dtype = field(init=False)
    _lengths: list[np.ndarray] = field(default_factory=list, init=False)
    _doc_ends: list[np.ndarray] = field(default_factory=list, init=False)
    _sequences: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.dtype = token_dtype(self.vocab_size)
        self._bin_ctx = atomic_open(bin_path(self.prefix), "wb")
        self._bin = self._bin_ctx.__enter__()

    def add_document(self, tokens: Sequence[int] | np.ndarray, lengths: Sequence[int]) -> None:
        """One document made of sequences of ``lengths`` tokens (Megatron's ``add_document``)."""
        array = np.asarray(tokens, dtype=np.int64)
        lens = np.asarray(lengths, dtype=np.int64)
        if int(lens.sum()) != array.size:
            raise ValueError(
                f"sequence lengths sum to {int(lens.sum())} but the document has {array.size} tokens"
            )
        self._write(array, lens, np.array([self._sequences + lens.size], dtype=np.int64))

    def add_documents(self, tokens: np.ndarray, doc_lengths: np.ndarray) -> None:
        """Many documents of one sequence each; a zero-length document gets no sequence, only a boundary.

        That is what ``preprocess_data.py`` writes for a line that tokenizes to nothing.
        """
        doc_lengths = np.asarray(doc_lengths, dtype=np.int64)
        nonempty = doc_lengths > 0
        ends = self._sequences + np.cumsum(nonempty, dtype=np.int64)
        self._write(np.asarray(tokens), doc_lengths[nonempty], ends)

    def _write(self, tokens: np.ndarray, seq_lengths: np.ndarray, doc_ends: np.ndarray) -> None:
        check_token_range(tokens, self.vocab_size, f"{self.prefix}: ")
        self._bin.write(tokens.astype(self.dtype, copy=False).tobytes())
        self._lengths.append(seq_lengths.astype("<i4"))
        self._doc_ends.append(doc_ends.astype("<i8"))
        self._sequences += int(seq_lengths.size)

    def close(self) -> None:
        """Commit the ``.bin``, then write the ``.idx``."""
        self._bin_ctx.__exit__(None, None, None)
        lengths = np.concatenate([np.zeros(0, "<i4"), *self._lengths])
        doc_indices = np.concatenate([np.zeros(1, "<i8"), *self._doc_ends])
        with atomic_open(idx_path(self.prefix), "wb") as handle:
            handle.write(index_header(self.dtype, len(lengths), len(doc_indices)))
            handle.write(lengths.tobytes())
            handle.write(sequence_pointers(lengths, self.dtype.itemsize).tobytes())
            handle.write(doc_indices.tobytes())

    def abort(self) -> None:
        self._bin_ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


@dataclass(frozen=True)
class Index:
    """The arrays of an ``.idx`` file (views into its bytes)."""

    dtype: np.dtype
    lengths: np.ndarray
    pointers: np.ndarray
    doc_indices: np.ndarray
    trailing_bytes: int

    @property
    def sequences(self) -> int:
        return len(self.lengths)

    @property
    def documents(self) -> int:
        return len(self.doc_indices) - 1


def read_index(prefix: Path | str) -> Index:
    """Parse ``P.idx``; raises ``InvalidDataset`` when the header or the sizes are wrong."""
    path = idx_path(prefix)
    try:
        if is_remote(path):
            data = np.frombuffer(path.read_bytes(), dtype=np.uint8)
        else:
            data = np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
    except FileNotFoundError:
        raise InvalidDataset(f"{path}: missing") from None
    if data.size < HEADER.size:
        raise InvalidDataset(f"{path}: {data.size} bytes, shorter than the {HEADER.size}-byte header")
    magic, version, code, sequences, doc_len = HEADER.unpack(bytes(data[: HEADER.size]))
    if magic != MAGIC:
        raise InvalidDataset(f"{path}: bad magic {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise InvalidDataset(f"{path}: version {version}, expected {VERSION}")
    if code not in DTYPE_CODES:
        raise InvalidDataset(f"{path}: unknown dtype code {code}")
    expected = HEADER.size + 12 * sequences + 8 * doc_len
    if data.size < expected:
        raise InvalidDataset(
            f"{path}: {data.size} bytes, but S={sequences} and D={doc_len} need {expected} (truncated)"
        )
    start = HEADER.size
    lengths = data[start : start + 4 * sequences].view("<i4")
    start += 4 * sequences
    pointers = data[start : start + 8 * sequences].view("<i8")
    start += 8 * sequences
    doc_indices = data[start : start + 8 * doc_len].view("<i8")
    return Index(DTYPE_CODES[code], lengths, pointers, doc_indices, int(data.size - expected))


@dataclass(frozen=True)
class DatasetSummary:
    """What ``validate_dataset`` found in a valid dataset."""

    prefix: str
    dtype: str
    sequences: int
    documents: int
    tokens: int
    max_id: int | None


def validate_dataset(prefix: Path | str, vocab_size: int | None = None) -> DatasetSummary:
    """Check every structural property Megatron relies on; raise ``InvalidDataset`` naming the first problem.

    magic, version, a token dtype code (uint16/int32), ``.idx`` size == 34 + 12·S + 8·D exactly,
    ``document_indices`` from 0 to S and non-decreasing, non-negative lengths, pointers == exclusive cumsum ·
    itemsize, ``.bin`` size == Σ lengths · itemsize, and (with ``vocab_size``) every id in ``[0, vocab_size)``.
    """
    index = read_index(prefix)
    where = idx_path(prefix)
    code = dtype_code(index.dtype)
    if code not in TOKEN_DTYPE_CODES:
        raise InvalidDataset(f"{where}: dtype code {code} ({index.dtype}) is not a token dtype (4 or 8)")
    if index.trailing_bytes:
        raise InvalidDataset(f"{where}: {index.trailing_bytes} trailing bytes after the document indices")
    docs = index.doc_indices
    if len(docs) < 1 or docs[0] != 0:
        raise InvalidDataset(f"{where}: document_indices must start with 0")
    if docs[-1] != index.sequences:
        raise InvalidDataset(
            f"{where}: last document index {int(docs[-1])} != sequence count {index.sequences}"
        )
    if len(docs) > 1 and bool((np.diff(docs) < 0).any()):
        raise InvalidDataset(f"{where}: document_indices decrease")
    if index.sequences and int(index.lengths.min()) < 0:
        raise InvalidDataset(f"{where}: negative sequence length")
    itemsize = index.dtype.itemsize
    if not np.array_equal(index.pointers, sequence_pointers(index.lengths, itemsize)):
        raise InvalidDataset(f"{where}: sequence pointers are not the cumulative sum of the lengths")
    tokens = int(index.lengths.sum(dtype=np.int64))
    data = bin_path(prefix)
    size = data.stat().st_size if data.exists() else -1
    if size != tokens * itemsize:
        found = "missing" if size < 0 else f"{size} bytes"
        raise InvalidDataset(f"{data}: {found}, but the index describes {tokens} tokens × {itemsize} bytes")
    max_id = _scan_ids(data, index.dtype, tokens, vocab_size) if tokens else None
    return DatasetSummary(str(prefix), str(index.dtype), index.sequences, index.documents, tokens, max_id)


def _chunks(data: Path, dtype: np.dtype, tokens: int) -> Iterator[np.ndarray]:
    """The token ids of a ``.bin`` in chunks (mapped locally, streamed from object storage)."""
    if is_remote(data):
        with open_binary(data) as handle:
            for start in range(0, tokens, CHECK_CHUNK):
                count = min(CHECK_CHUNK, tokens - start)
                yield np.frombuffer(handle.read(count * dtype.itemsize), dtype=dtype)
        return
    values = np.memmap(data, dtype=dtype, mode="r", shape=(tokens,))
    for start in range(0, tokens, CHECK_CHUNK):
        yield values[start : start + CHECK_CHUNK]


def _scan_ids(data: Path, dtype: np.dtype, tokens: int, vocab_size: int | None) -> int:
    high = 0
    start = 0
    for chunk in _chunks(data, dtype, tokens):
        bad = (chunk < 0) | (chunk >= vocab_size) if vocab_size is not None else chunk < 0
        if bad.any():
            position = start + int(np.argmax(bad))
            where = f"the vocabulary [0, {vocab_size})" if vocab_size is not None else "0 or more"
            raise InvalidDataset(
                f"{data}: token {position:,} has id {int(chunk[position - start])}, outside {where}; "
                "was it written with another tokenizer?"
            )
        start += len(chunk)
        high = max(high, int(chunk.max()))
    return high


def read_sequences(prefix: Path | str) -> Iterator[np.ndarray]:
    """Every sequence of a dataset as a copied array, in order."""
    index = read_index(prefix)
    values = np.fromfile(bin_path(prefix), dtype=index.dtype)
    itemsize = index.dtype.itemsize
    for pointer, length in zip(index.pointers, index.lengths, strict=True):
        start = int(pointer) // itemsize
        yield values[start : start + int(length)].copy()


def merge_datasets(prefixes: Sequence[Path], out_prefix: Path) -> None:
    """Concatenate datasets in the given order into ``out_prefix``, streaming (like Megatron's ``add_index``).

    The result is byte-identical to writing all their documents in one pass.
    """
    indexes = [read_index(p) for p in prefixes]
    if not indexes:
        raise ValueError("nothing to merge")
    dtype = indexes[0].dtype
    for prefix, index in zip(prefixes, indexes, strict=True):
        if index.dtype != dtype:
            raise InvalidDataset(f"{idx_path(prefix)}: dtype {index.dtype} differs from {dtype}")
    with atomic_open(bin_path(out_prefix), "wb") as out:
        for prefix in prefixes:
            with open_binary(bin_path(prefix)) as part:
                shutil.copyfileobj(part, out, 1 << 22)
    sequences = sum(i.sequences for i in indexes)
    documents = sum(i.documents for i in indexes)
    with atomic_open(idx_path(out_prefix), "wb") as out:
        out.write(index_header(dtype, sequences, documents + 1))
        for index in indexes:
            out.write(np.ascontiguousarray(index.lengths).tobytes())
        offset = 0
        for index in indexes:
            out.write((index.pointers.astype("<i8") + offset).tobytes())
            offset += int(index.lengths.sum(dtype=np.int64)) * dtype.itemsize
        out.write(np.zeros(1, "<i8").tobytes())
        shift = 0
        for index in indexes:
            out.write((index.doc_indices[1:].astype("<i8") + shift).tobytes())
            shift += index.sequences
