"""The MMIDIDX writer, merger and structural validator, checked against the byte layout (no torch needed)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from roots.export.indexed import (
    MAGIC,
    DatasetWriter,
    InvalidDataset,
    TokenIdOutOfRange,
    bin_path,
    idx_path,
    merge_datasets,
    read_index,
    read_sequences,
    token_dtype,
    validate_dataset,
)
from roots.export.megatron import EncodedGroup


def _write(prefix: Path, docs: list[list[int]], vocab: int) -> None:
    lengths = np.array([len(d) for d in docs], dtype=np.int64)
    tokens = np.array([t for d in docs for t in d], dtype=np.int64)
    with DatasetWriter(prefix, vocab) as writer:
        writer.add_documents(tokens, lengths)


def _expected_idx(code: int, lengths: list[int], doc_idx: list[int], itemsize: int) -> bytes:
    pointers = np.concatenate([[0], np.cumsum(np.array(lengths) * itemsize)[:-1]]) if lengths else []
    return (
        MAGIC
        + struct.pack("<QBQQ", 1, code, len(lengths), len(doc_idx))
        + np.array(lengths, "<i4").tobytes()
        + np.array(pointers, "<i8").tobytes()
        + np.array(doc_idx, "<i8").tobytes()
    )


def test_idx_and_bin_bytes_follow_the_layout(tmp_path):
    _write(tmp_path / "d", [[5, 6, 2], [7, 2], [9, 9, 9, 2]], vocab=100)
    assert idx_path(tmp_path / "d").read_bytes() == _expected_idx(8, [3, 2, 4], [0, 1, 2, 3], 2)
    assert bin_path(tmp_path / "d").read_bytes() == np.array([5, 6, 2, 7, 2, 9, 9, 9, 2], "<u2").tobytes()
    assert len(idx_path(tmp_path / "d").read_bytes()) == 34 + 12 * 3 + 8 * 4


@pytest.mark.parametrize(
    ("vocab", "dtype", "code"), [(65_499, "<u2", 8), (65_500, "<i4", 4), (250_680, "<i4", 4)]
)
def test_dtype_switches_at_65500_like_megatron(tmp_path, vocab, dtype, code):
    assert token_dtype(vocab) == np.dtype(dtype)
    _write(tmp_path / "d", [[vocab - 1, 0]], vocab=vocab)
    assert idx_path(tmp_path / "d").read_bytes()[17] == code
    assert [s.tolist() for s in read_sequences(tmp_path / "d")] == [[vocab - 1, 0]]
    assert validate_dataset(tmp_path / "d", vocab).max_id == vocab - 1


def test_a_token_that_would_wrap_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(TokenIdOutOfRange, match="70000"):
        _write(tmp_path / "d", [[1, 2], [70_000]], vocab=65_499)  # 70000 would wrap to 4464 in uint16
    with pytest.raises(TokenIdOutOfRange, match="-1"):
        _write(tmp_path / "e", [[-1]], vocab=250_680)
    assert list(tmp_path.iterdir()) == []


def test_empty_documents_get_a_boundary_but_no_sequence(tmp_path):
    # preprocess_data.py: a line that tokenizes to nothing adds a document with 0 sequences (and no EOD)
    _write(tmp_path / "d", [[4, 2], [], [5, 2], []], vocab=10)
    index = read_index(tmp_path / "d")
    assert index.doc_indices.tolist() == [0, 1, 1, 2, 2]
    assert index.lengths.tolist() == [2, 2]
    assert validate_dataset(tmp_path / "d").documents == 4


def test_an_all_empty_dataset_is_valid(tmp_path):
    _write(tmp_path / "d", [[], []], vocab=10)
    summary = validate_dataset(tmp_path / "d", 10)
    assert (summary.sequences, summary.documents, summary.tokens) == (0, 2, 0)


def test_eod_goes_after_every_nonempty_document_only(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    from roots.export.megatron import encode_documents
    from roots.export.tokenizer import TokenizerSpec

    tok = Tokenizer(models.WordLevel({"<unk>": 0, "</s>": 1, "a": 2, "b": 3}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "tokenizer.json"))
    spec = TokenizerSpec(str(tmp_path / "tokenizer.json"), "x", vocab_size=4, eod_id=1, eod_token="</s>")
    got = encode_documents(["a b", "", "b"], spec, append_eod=True, add_special_tokens=True)
    assert got.tokens.tolist() == [2, 3, 1, 3, 1]
    assert got.lengths.tolist() == [3, 0, 2]
    plain = encode_documents(["a b", "", "b"], spec, append_eod=False, add_special_tokens=True)
    assert isinstance(plain, EncodedGroup) and plain.tokens.tolist() == [2, 3, 3]


def test_merge_equals_writing_everything_in_one_pass(tmp_path):
    docs = [[1, 2, 3], [4], [], [5, 6], [7, 8, 9, 10], [11]]
    _write(tmp_path / "all", docs, vocab=20)
    _write(tmp_path / "p0", docs[:2], vocab=20)
    _write(tmp_path / "p1", docs[2:3], vocab=20)
    _write(tmp_path / "p2", docs[3:], vocab=20)
    merge_datasets([tmp_path / "p0", tmp_path / "p1", tmp_path / "p2"], tmp_path / "merged")
    for path in (bin_path, idx_path):
        assert path(tmp_path / "merged").read_bytes() == path(tmp_path / "all").read_bytes()


def test_merge_refuses_mixed_dtypes(tmp_path):
    _write(tmp_path / "small", [[1]], vocab=100)
    _write(tmp_path / "big", [[1]], vocab=100_000)
    with pytest.raises(InvalidDataset, match="dtype"):
        merge_datasets([tmp_path / "small", tmp_path / "big"], tmp_path / "m")


def _corrupt(prefix: Path, kind: str) -> None:
    idx, data = idx_path(prefix), bin_path(prefix)
    raw = bytearray(idx.read_bytes())
    if kind == "magic":
        raw[0:1] = b"X"
    elif kind == "version":
        raw[9:17] = struct.pack("<Q", 2)
    elif kind == "dtype":
        raw[17] = 7  # float32: Megatron would read silent garbage
    elif kind == "trailing":
        raw += b"\x00"
    elif kind == "truncated_idx":
        raw = raw[:-3]
    elif kind == "pointer":
        raw[34 + 4 * 3 + 8] ^= 1  # second pointer
    elif kind == "last_doc":
        raw[-8:] = struct.pack("<q", 2)
    if kind == "truncated_bin":
        data.write_bytes(data.read_bytes()[:-2])
    elif kind == "wrapped_id":
        values = np.frombuffer(data.read_bytes(), "<u2").copy()
        values[0] = 60_000
        data.write_bytes(values.tobytes())
    else:
        idx.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("magic", "bad magic"),
        ("version", "version 2"),
        ("dtype", "not a token dtype"),
        ("trailing", "trailing bytes"),
        ("truncated_idx", "truncated"),
        ("pointer", "pointers"),
        ("last_doc", "last document index"),
        ("truncated_bin", "index describes"),
        ("wrapped_id", "outside the vocabulary"),
    ],
)
def test_validator_names_each_structural_problem(tmp_path, kind, message):
    _write(tmp_path / "d", [[1, 2], [3, 4, 5], [6]], vocab=1000)
    validate_dataset(tmp_path / "d", 1000)
    _corrupt(tmp_path / "d", kind)
    with pytest.raises(InvalidDataset, match=message):
        validate_dataset(tmp_path / "d", 1000)


def test_validate_command_reports_ok_and_errors(tmp_path):
    from tests.conftest import run_roots

    _write(tmp_path / "d", [[1, 2], [3]], vocab=50)
    ok = run_roots("export", "validate", str(tmp_path / "d"), "--vocab-size", "50")
    assert ok.returncode == 0 and "2 documents" in ok.stdout
    bad = run_roots("export", "validate", str(tmp_path / "d"), "--vocab-size", "3")
    assert bad.returncode == 2 and "outside the vocabulary" in bad.stderr
