"""Tokenizer training: BLOOM-style byte-level BPE, exact round trips on every script, alpha-weighted sampling."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

import pytest
from tokenizers import Tokenizer

from roots.export.tokenizer import resolve_tokenizer
from roots.export.tokenizer_train import _copies, repeat_factors
from tests.conftest import REPO, run_roots
from tests.export_helpers import EMOJI_TEXT, SCRIPT_SAMPLES, corpus_rows, make_run, train_small_tokenizer

HARD_TEXTS = [
    EMOJI_TEXT,
    unicodedata.normalize("NFD", "Ọjọ́ Àbámẹ́ta — café"),  # decomposed accents must stay decomposed
    "tabs\tand  double  spaces\n\nnew paragraph\r\n",
    "زبان\u200cها و \u200fعلامت",  # ZWNJ and a right-to-left mark
    "ภาษาไทย ኢትዮጵያ 한국어 ᐃᓄᒃᑎᑐᑦ",  # scripts the tokenizer never saw: byte-level still covers them
    "",
]


@pytest.fixture(scope="module")
def tokenizer_path(tmp_path_factory):
    return train_small_tokenizer(tmp_path_factory.mktemp("tok"), vocab_size=600)


@pytest.mark.parametrize("text", [*SCRIPT_SAMPLES.values(), *HARD_TEXTS], ids=[*SCRIPT_SAMPLES, *range(6)])
def test_round_trip_is_exact(tokenizer_path, text):
    tok = Tokenizer.from_file(str(tokenizer_path))
    ids = tok.encode(text).ids
    assert tok.decode(ids, skip_special_tokens=False) == text
    assert all(i >= 4 for i in ids)  # text never turns into special tokens


def test_bloom_layout_special_ids_and_no_normaliser(tokenizer_path):
    data = json.loads(tokenizer_path.read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(tokenizer_path))
    assert [tok.token_to_id(t) for t in ("<unk>", "<s>", "</s>", "<pad>")] == [0, 1, 2, 3]
    assert data["normalizer"] is None and data["model"]["type"] == "BPE"
    assert data["decoder"]["type"] == "ByteLevel"
    assert tok.get_vocab_size() == 600
    spec = resolve_tokenizer(tokenizer_path)
    assert (spec.eod_id, spec.eod_token, spec.vocab_size) == (2, "</s>", 600)


def test_training_is_deterministic_across_processes(tmp_path, tokenizer_path):
    code = (
        "import sys; from pathlib import Path; from tests.export_helpers import train_small_tokenizer; "
        "print(train_small_tokenizer(Path(sys.argv[1]), 600))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, check=True, capture_output=True)
    assert (tmp_path / "tokenizer" / "tokenizer.json").read_bytes() == tokenizer_path.read_bytes()


def test_alpha_sampling_upsamples_small_languages():
    share, factors = repeat_factors({"en": 9_000, "sw": 1_000}, alpha=0.5, sample_chars=10_000)
    # p ∝ (0.9^0.5, 0.1^0.5) = (0.75, 0.25): en is used 0.75·10000/9000 times, sw 0.25·10000/1000 times
    assert share == pytest.approx({"en": 0.75, "sw": 0.25})
    assert factors == pytest.approx({"en": 0.75 * 10_000 / 9_000, "sw": 2.5})
    copies = [_copies(f"doc{i}", 2.5) for i in range(2000)]
    assert set(copies) == {2, 3} and sum(copies) / len(copies) == pytest.approx(2.5, abs=0.05)


def test_cli_trains_a_folder_that_names_its_eos(tmp_path):
    _, run = make_run(tmp_path / "run", corpus_rows(4))
    result = run_roots(
        "tokenizer", "train", str(run.root), "--vocab-size", "400", "--out", str(tmp_path / "tok")
    )
    assert result.returncode == 0, result.stderr
    assert "vocabulary 400" in result.stdout and " sw:" in result.stdout
    config = json.loads((tmp_path / "tok" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["eos_token"] == "</s>" and config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert resolve_tokenizer(tmp_path / "tok").eod_id == 2


def test_cli_errors_are_one_line(tmp_path):
    result = run_roots("tokenizer", "train", str(tmp_path / "nope"), "--vocab-size", "400", "--out", "x.json")
    assert (
        result.returncode == 2
        and result.stderr.count("\n") == 1
        and "run directory not found" in result.stderr
    )
