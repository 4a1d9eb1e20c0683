"""The Kneser–Ney ARPA writer, PerplexityScorer and `roots lm train`, with real KenLM and SentencePiece."""

from __future__ import annotations

import io
import math
import random
import re
from pathlib import Path

import kenlm
import pytest
import sentencepiece as spm
import yaml

from roots.cli import main
from roots.errors import UserError
from roots.filters.kneser_ney import FALLBACK_DISCOUNTS, count_ngrams, discounts, estimate, train_arpa
from roots.filters.language_config import load_language_config
from roots.filters.lm_train import train_lm
from roots.filters.perplexity import PerplexityScorer, load_kenlm, perplexity_normalize

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "roots" / "demo" / "texts"


def _paragraphs(lang: str) -> list[str]:
    return [p.strip() for p in (TEXTS / f"{lang}.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s]


def _kenlm_prob(model: kenlm.Model, history: list[str], word: str) -> float:
    state = kenlm.State()
    model.NullContextWrite(state) if history else model.BeginSentenceWrite(state)
    for w in history:
        out = kenlm.State()
        model.BaseScore(state, w, out)
        state = out
    return 10 ** model.BaseScore(state, word, kenlm.State())


@pytest.fixture(scope="module")
def english_arpa(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A word trigram model of the demo English text; returns the ARPA path and the vocabulary."""
    path = tmp_path_factory.mktemp("kn") / "en3.arpa"
    sentences = [s.lower().split() for s in _sentences(_paragraphs("en"))]
    model = train_arpa(sentences, 3, path)
    return path, model.vocab


def test_kenlm_loads_the_arpa_and_every_history_is_normalised(english_arpa: tuple[Path, list[str]]) -> None:
    path, vocab = english_arpa
    model = load_kenlm(path)
    assert model.order == 3
    predictable = [w for w in vocab if w != "<s>"]  # <unk> and </s> included
    for history in ([], ["the"], ["of", "the"], ["unseen-word", "the"], ["in", "a"]):
        total = sum(_kenlm_prob(model, history, w) for w in predictable)
        assert total == pytest.approx(1.0, abs=2e-5), history


def test_kenlm_reads_the_same_probabilities_the_estimator_computed(
    english_arpa: tuple[Path, list[str]],
) -> None:
    path, _ = english_arpa
    sentences = [s.lower().split() for s in _sentences(_paragraphs("en"))]
    vocab, counts = count_ngrams(sentences, 3)
    ours = estimate(vocab, counts)
    model = load_kenlm(path)
    for history, word in ((["the"], "river"), (["of", "the"], "year"), (["zzz"], "the"), ([], "every")):
        context = history or ["<s>"]
        assert math.log10(_kenlm_prob(model, history, word)) == pytest.approx(
            ours.logprob(word, context), abs=1e-5
        )


def test_hand_computed_modified_kneser_ney_bigram(tmp_path: Path) -> None:
    """Corpus "a b", "a c", "b c"; every number below is worked out by hand in the comments."""
    path = tmp_path / "tiny.arpa"
    model = train_arpa([["a", "b"], ["a", "c"], ["b", "c"]], 2, path)
    # unigram continuation counts: a 1 (<s>), b 2 (<s>, a), c 2 (a, b), </s> 2 (b, c); total 7
    # count-of-counts t1=1, t2=3, t3=t4=0: Y = 1/7, D1 = 1 - 2·Y·3 = 1/7; D2 = 2 - 3·Y·0/3 = 2 is not in (0, 2),
    # so D2 and D3 fall back to 1.0 and 1.5
    assert model.discounts[0] == pytest.approx((1 / 7, FALLBACK_DISCOUNTS[1], FALLBACK_DISCOUNTS[2]))
    # γ = (D1·1 + D2·3) / 7 = 22/49, spread over 5 predictable words (a b c </s> <unk>): 22/245 each
    # p(a) = (1 - 1/7)/7 + 22/245 = 52/245; p(b) = (2 - 1)/7 + 22/245 = 57/245; p(<unk>) = 22/245
    lm = load_kenlm(path)
    assert _kenlm_prob(lm, ["x"], "a") == pytest.approx(
        52 / 245, rel=1e-5
    )  # unseen context: backs off to p(a)
    assert _kenlm_prob(lm, ["x"], "b") == pytest.approx(57 / 245, rel=1e-5)
    assert _kenlm_prob(lm, ["x"], "zzz") == pytest.approx(22 / 245, rel=1e-5)
    # bigram raw counts 2,1,1,1,2,1,1: t1=5, t2=2 → Y = 5/9, D1 = 1 - 2·(5/9)·(2/5) = 5/9, D2 falls back to 1.0
    # after <s>: a 2, b 1 (total 3) → γ(<s>) = (5/9 + 1.0)/3 = 14/27
    # p(a|<s>) = (2 - 1)/3 + 14/27·52/245 ; p(b|<s>) = (1 - 5/9)/3 + 14/27·57/245
    assert _kenlm_prob(lm, [], "a") == pytest.approx(1 / 3 + 14 / 27 * 52 / 245, rel=1e-5)
    assert _kenlm_prob(lm, [], "b") == pytest.approx(4 / 27 + 14 / 27 * 57 / 245, rel=1e-5)


def test_discounts_follow_the_count_of_counts_formula() -> None:
    adjusted = {(i,): c for i, c in enumerate([1] * 10 + [2] * 4 + [3] * 2 + [4] * 1 + [9] * 3)}
    y = 10 / (10 + 2 * 4)
    assert discounts(adjusted) == pytest.approx((1 - 2 * y * 4 / 10, 2 - 3 * y * 2 / 4, 3 - 4 * y * 1 / 2))


def _sentencepiece(corpus: list[str], vocab_size: int) -> tuple[spm.SentencePieceProcessor, bytes]:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=buffer,
        vocab_size=vocab_size,
        num_threads=1,
        minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_proto=buffer.getvalue()), buffer.getvalue()


def test_perplexity_scorer_matches_a_hand_computed_value(tmp_path: Path) -> None:
    processor, proto = _sentencepiece(_sentences(_paragraphs("fr")), 120)
    sp_path = tmp_path / "fr.sp.model"
    sp_path.write_bytes(proto)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    pieces = [p for p in pieces if p not in {"<unk>", "<s>", "</s>"}]
    logp = {p: -1.0 - (i % 7) * 0.25 for i, p in enumerate(pieces)}  # a hand-made unigram model
    logp |= {"</s>": -0.5, "<unk>": -4.0}
    lines = ["\\data\\", f"ngram 1={len(logp) + 1}", "ngram 2=1", "", "\\1-grams:", "-99\t<s>\t0"]
    lines += [f"{v}\t{w}\t0" for w, v in logp.items()]
    lines += ["", "\\2-grams:", "-0.1\t<s>\t</s>", "", "\\end\\", ""]  # the only bigram never fires below
    arpa = tmp_path / "fr.arpa"
    arpa.write_text("\n".join(lines), encoding="utf-8")

    text = "Le marché ouvre à 7 heures,\nles 12 étals « bio » aussi…"
    normalised = perplexity_normalize(text)
    assert normalised == 'Le marché ouvre à 0 heures,les 00 étals " bio " aussi...'  # \n deleted, digits → 0
    doc = processor.encode(normalised, out_type=str)
    total = sum(logp.get(p, logp["<unk>"]) for p in doc) + logp["</s>"]
    expected = round(10 ** (-total / (len(doc) + 1)), 1)
    assert PerplexityScorer(arpa, sp_path).perplexity([text]) == [expected]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`roots lm train` on the demo English text minus two held-out paragraphs; returns (out dir, text file)."""
    root = tmp_path_factory.mktemp("lm")
    text_file = root / "en.txt"
    text_file.write_text("\n".join(_sentences(_paragraphs("en")[:-2])) + "\n", encoding="utf-8")
    assert (
        main(
            ["lm", "train", str(text_file), "--lang", "en", "--out", str(root / "out"), "--vocab-size", "200"]
        )
        == 0
    )
    return root / "out", text_file


def test_lm_train_scores_in_domain_text_lower_than_shuffled_and_other_language(
    trained: tuple[Path, Path],
) -> None:
    out, _ = trained
    scorer = PerplexityScorer(out / "en.arpa", out / "en.sp.model")
    held_out = _paragraphs("en")[-2:]
    rng = random.Random(0)
    shuffled = [" ".join(rng.sample(p.split(), len(p.split()))) for p in held_out]
    in_domain, scrambled, french = (scorer.perplexity(t) for t in (held_out, shuffled, _paragraphs("fr")[:2]))
    for i in range(2):
        assert in_domain[i] < scrambled[i] < french[i]
    assert load_kenlm(out / "en.arpa").order == 3


def test_lm_train_is_deterministic(trained: tuple[Path, Path], tmp_path: Path) -> None:
    out, text_file = trained
    train_lm(text_file, "en", tmp_path, vocab_size=200)
    for name in ("en.arpa", "en.sp.model"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_update_config_writes_relative_paths_and_keeps_comments(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, text_file = trained
    languages = tmp_path / "languages"
    languages.mkdir()
    original = (REPO / "configs" / "languages" / "sw.yaml").read_text(encoding="utf-8")
    (languages / "sw.yaml").write_text(original, encoding="utf-8")
    args = [
        "lm",
        "train",
        str(text_file),
        "--lang",
        "sw",
        "--out",
        str(tmp_path / "models"),
        "--vocab-size",
        "150",
    ]
    assert main([*args, "--update-config", "--languages-dir", str(languages)]) == 0
    updated = (languages / "sw.yaml").read_text(encoding="utf-8")
    config = load_language_config(languages / "sw.yaml")
    assert config.filters.perplexity.enabled
    assert config.filters.perplexity.kenlm_model == "../models/sw.arpa"
    assert config.filters.perplexity.sentencepiece_model == "../models/sw.sp.model"
    assert updated.splitlines()[:5] == original.splitlines()[:5]  # header comments kept
    before, after = yaml.safe_load(original), yaml.safe_load(updated)
    after["filters"]["perplexity"] = before["filters"]["perplexity"]
    assert after == before  # nothing else changed


def test_lm_train_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lm", "train", str(tmp_path / "missing.txt"), "--lang", "xx", "--out", str(tmp_path)]) == 2
    assert "missing.txt: text file not found" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(UserError, match="no text to train on"):
        train_lm(empty, "xx", tmp_path)
    with pytest.raises(UserError, match="at least a bigram"):
        train_lm(empty, "xx", tmp_path, order=1)
