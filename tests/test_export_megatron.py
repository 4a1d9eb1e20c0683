"""Conformance with megatron-core: byte identity with its IndexedDatasetBuilder, IndexedDataset reading,
GPTDataset and BlendedDataset built over the export.

The reference writer is megatron-core's ``IndexedDatasetBuilder`` fed the way ``tools/preprocess_data.py``
feeds it (document level, ``--append-eod``), with tokens from megatron-core's own HuggingFaceTokenizer:
preprocess_data.py itself is not in the megatron-core wheel and no Megatron-LM source tree is reachable
from this machine, so the loop below follows its documented encoder.
"""

from __future__ import annotations

import filecmp
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

warnings.filterwarnings("ignore", message=".*Transformer Engine and Apex.*")
indexed_dataset = pytest.importorskip(
    "megatron.core.datasets.indexed_dataset",
    reason="megatron-core is not installed (CI installs it: pip install torch==2.13.0 && pip install megatron-core)",
)

from tests.export_helpers import (  # noqa: E402
    EMOJI_TEXT,
    corpus_rows,
    make_run,
    run_export,
    texts_of,
    train_small_tokenizer,
)

EOD = 2


@pytest.fixture(scope="module")
def tokenizer_path(tmp_path_factory) -> Path:
    return train_small_tokenizer(tmp_path_factory.mktemp("tok"), vocab_size=600)


def megatron_preprocess(encode: Callable[[str], list[int]], eod: int, vocab_size: int, texts, prefix) -> None:
    """preprocess_data.py's document-level encoder (no sentence splitting, --append-eod) feeding
    megatron-core's own IndexedDatasetBuilder, with the dtype from megatron-core's DType.optimal_dtype."""
    builder = indexed_dataset.IndexedDatasetBuilder(
        f"{prefix}.bin", dtype=indexed_dataset.DType.optimal_dtype(vocab_size)
    )
    for text in texts:
        ids = list(encode(text))
        lengths = [len(ids)] if ids else []
        if ids:
            ids.append(eod)
            lengths[-1] += 1
        builder.add_document(ids, lengths)
    builder.finalize(f"{prefix}.idx")


def _reference_tokenizer(kind: str, tokenizer_path: Path) -> tuple[Callable[[str], list[int]], int, int]:
    """(encode, eod, vocab_size) as Megatron sees the tokenizer.

    ``megatron-hf``: megatron-core's HuggingFaceTokenizer (transformers AutoTokenizer over the saved folder,
    ``tokenizer(text).input_ids``, ``eos_token`` as EOD, ``len(tokenizer)`` as vocabulary), which is what
    preprocess_data.py's ``--tokenizer-type HuggingFaceTokenizer`` uses. ``tokenizers``: the raw file.
    """
    if kind == "megatron-hf":
        from megatron.core.tokenizers.text.libraries import HuggingFaceTokenizer

        hf = HuggingFaceTokenizer(str(tokenizer_path.parent), include_special_tokens=True)
        return hf.text_to_ids, hf.eod, hf.vocab_size
    tok = Tokenizer.from_file(str(tokenizer_path))
    return (lambda text: tok.encode(text).ids), EOD, tok.get_vocab_size()


def _rows() -> list[tuple[str, str | None, str]]:
    rows = corpus_rows(6)
    rows.insert(7, ("", "en", "web"))  # tokenizes to nothing: a 0-sequence document, no EOD
    rows.append((EMOJI_TEXT + " again", "yo", "web"))
    return rows


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tokenizer_path):
    config, run = make_run(tmp_path_factory.mktemp("run") / "run", _rows(), shard_size=8)
    run_export(config, workers=2, tokenizer=str(tokenizer_path), rows_per_shard=1)
    return run


@pytest.mark.parametrize(
    ("kind", "vocab_size"),
    [("megatron-hf", None), ("tokenizers", None), ("tokenizers", 250_680)],
    ids=["megatron-hf-tokenizer", "uint16", "int32-bloom-size"],
)
def test_byte_identical_to_megatron_core_builder(tmp_path, tokenizer_path, kind, vocab_size):
    encode, eod, real_vocab = _reference_tokenizer(kind, tokenizer_path)
    config, run = make_run(tmp_path / "run", _rows(), shard_size=8)
    tokenizer = tokenizer_path.parent if kind == "megatron-hf" else tokenizer_path
    run_export(config, tokenizer=str(tokenizer), vocab_size=vocab_size, rows_per_shard=3)
    out = run.stage("export").path
    langs = sorted(p.name.removesuffix("_text_document.idx") for p in out.glob("*_text_document.idx"))
    assert len(langs) == 10
    for lang in langs:
        reference = tmp_path / f"ref_{lang}"
        texts = texts_of(run, None if lang == "und" else lang)
        megatron_preprocess(encode, eod, vocab_size or real_vocab, texts, reference)
        for ext in (".bin", ".idx"):
            ours = out / f"{lang}_text_document{ext}"
            assert filecmp.cmp(f"{reference}{ext}", ours, shallow=False), ours


def test_indexed_dataset_reads_every_sequence_and_boundary(exported, tokenizer_path):
    tok = Tokenizer.from_file(str(tokenizer_path))
    prefix = exported.stage("export").path / "en_text_document"
    dataset = indexed_dataset.IndexedDataset(str(prefix))
    texts = texts_of(exported, "en")
    expected = [tok.encode(t).ids + [EOD] for t in texts if t]
    assert len(dataset) == len(expected) == len(texts) - 1
    for i, ids in enumerate(expected):
        assert np.array(dataset[i]).tolist() == ids
    assert np.array(dataset.get(1, offset=2, length=3)).tolist() == expected[1][2:5]
    boundaries = np.array(dataset.document_indices).tolist()
    assert len(boundaries) == len(texts) + 1 and boundaries[-1] == len(expected)
    assert boundaries.count(boundaries[texts.index("") + 1]) == 2  # the empty document repeats a boundary
    assert dataset.sequence_lengths.dtype == np.int32 and dataset.index.dtype == np.uint16
    del dataset


class _Tokenizer:
    """What GPTDataset needs from a tokenizer (vocab_size, eod, pad, unique_identifiers)."""

    vocab_size = 600
    eod = EOD
    pad = 3
    unique_identifiers = {"class": "roots-test", "vocab": 600}


def _gpt_config(blend, cache: Path | None):
    from megatron.core.datasets.gpt_dataset import GPTDatasetConfig

    return GPTDatasetConfig(
        random_seed=1234,
        sequence_length=16,
        blend=blend,
        split="100,0,0",
        path_to_cache=str(cache) if cache else None,
        reset_position_ids=False,
        reset_attention_mask=False,
        eod_mask_loss=False,
        tokenizer=_Tokenizer(),
    )


def test_gpt_dataset_samples_are_windows_of_the_exported_token_stream(exported, tmp_path):
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset

    prefix = str(exported.stage("export").path / "fr_text_document")
    config = _gpt_config(([prefix], None), tmp_path / "cache")
    train, _, _ = BlendedMegatronDatasetBuilder(GPTDataset, [60, None, None], lambda: True, config).build()
    assert len(train) >= 60
    sequences = [np.array(s) for s in indexed_dataset.IndexedDataset(prefix)]
    stream = np.concatenate([sequences[d] for d in train.document_index])
    starts = np.concatenate([[0], np.cumsum([len(sequences[d]) for d in train.document_index])])
    for k in range(len(train)):
        sample = train[k]
        tokens, labels = sample["tokens"].numpy(), sample["labels"].numpy()
        assert tokens.shape == (16,) and (labels[:-1] == tokens[1:]).all()
        doc_pos, offset = train.sample_index[train.shuffle_index[k]]
        start = starts[doc_pos] + offset
        assert np.concatenate([tokens, labels[-1:]]).tolist() == stream[start : start + 17].tolist()
    assert any((train[k]["tokens"].numpy() == EOD).any() for k in range(len(train)))


def test_data_path_txt_builds_a_blended_dataset(exported):
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset
    from megatron.core.datasets.utils import get_blend_from_list

    out = exported.stage("export").path
    blend = get_blend_from_list((out / "data_path.txt").read_text(encoding="utf-8").split())
    assert len(blend[0]) == 10 and sum(blend[1]) == pytest.approx(1.0, abs=1e-8)
    config = _gpt_config(blend, None)  # 0.16.1 needs a process group to cache a blend: build it uncached
    train, _, _ = BlendedMegatronDatasetBuilder(GPTDataset, [40, 0, 0], lambda: True, config).build()
    assert len(train) >= 40  # megatron rounds each dataset's share up
    used = {int(train[k]["dataset_id"]) for k in range(len(train))}
    assert len(used) >= 5
    weights = json.loads((out / "blend.json").read_text(encoding="utf-8"))["languages"]
    assert sum(w["weight"] for w in weights.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("vocab_size", [65_499, 65_500])
def test_dtype_boundary_matches_megatron_optimal_dtype(tmp_path, vocab_size):
    from roots.export.indexed import DatasetWriter

    docs = [[vocab_size - 1, 5, EOD], [], [7, vocab_size - 2, EOD]]
    with DatasetWriter(tmp_path / "ours", vocab_size) as writer:
        for doc in docs:
            writer.add_document(doc, [len(doc)] if doc else [])
    megatron_preprocess(lambda t: docs[int(t)][:-1], EOD, vocab_size, ["0", "1", "2"], tmp_path / "ref")
    for ext in (".bin", ".idx"):
        assert filecmp.cmp(tmp_path / f"ours{ext}", tmp_path / f"ref{ext}", shallow=False)
    dataset = indexed_dataset.IndexedDataset(str(tmp_path / "ours"))
    assert dataset.index.dtype == indexed_dataset.DType.optimal_dtype(vocab_size)
    assert [np.array(dataset[i]).tolist() for i in range(len(dataset))] == [d for d in docs if d]
    del dataset
