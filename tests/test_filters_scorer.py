"""Segmenters and the per-language scorer: jieba, a real SentencePiece model (ROOTS zh), optional extras,
LID and perplexity columns, and the dashboard's "test your own text" path."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from benchmarks import reference_filters as ref
from roots.errors import UserError
from roots.filters.builtin.stopwords import StopWordsConfig as StopWords
from roots.filters.decide import first_failing_filter
from roots.filters.lm_train import train_lm
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import STATISTIC_COLUMNS, LanguageScorer
from roots.filters.words import SENTENCEPIECE_MARKER, WordExtractor, get_segmenter

LANGUAGES = Path(__file__).resolve().parents[1] / "configs" / "languages"
ZH_SENTENCES = [
    "我们今天去北京大学看看。",
    "这是一个很好的地方，有很多学生在这里学习。",
    "北京是中国的首都，也是一个历史悠久的城市。",
    "学生们每天都在图书馆里读书和学习。",
    "今天的天气很好，我们去公园散步吧。",
] * 8


@pytest.fixture(scope="module")
def zh_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small SentencePiece + KenLM pair trained with `roots lm train`'s function on text made here."""
    out = tmp_path_factory.mktemp("lm")
    text = out / "zh.txt"
    text.write_text("\n".join(ZH_SENTENCES) + "\n", encoding="utf-8")
    trained = train_lm(text, "zh", out, order=3, vocab_size=60)
    return trained.sentencepiece_model, trained.kenlm_model


def test_get_segmenter_for_the_dedup_stage() -> None:
    assert get_segmenter("whitespace")("a  b\nc\td e\u00a0f") == ["a", "b", "c", "d", "e\u00a0f"]
    assert get_segmenter("vi_syllables")("bao giờ") == ["bao", "giờ"]
    assert get_segmenter("jieba")("我们今天去北京大学") == ["我们", "今天", "去", "北京大学"]
    with pytest.raises(UserError, match="needs a model"):
        get_segmenter("sentencepiece")
    with pytest.raises(UserError, match="unknown segmenter 'klingon'"):
        get_segmenter("klingon")


def test_jieba_segmenter_cuts_chinese_like_jieba_itself() -> None:
    """The zh segmenter (jieba-rs) gives jieba's own words on the demo's hand-written Chinese paragraphs."""
    import jieba

    from roots.demo.corpus import load_paragraphs

    reference = jieba.Tokenizer()
    segment = get_segmenter("jieba")
    paragraphs = load_paragraphs("zh")
    assert len(paragraphs) >= 5
    for paragraph in paragraphs:
        expected = [w for w in reference.lcut(paragraph) if w.strip()]
        assert segment(paragraph) == expected


def test_roots_compat_splits_on_space_newline_and_tab_only() -> None:
    text = "Un\u2028deux\rtrois\u3000quatre cinq"
    compat, _ = WordExtractor("whitespace").words(text)
    fixed, _ = WordExtractor("whitespace", roots_compat=False).words(text)
    # ROOTS splits on space, \n and \t only: \r and U+3000 are special characters (stripped at word ends only),
    # U+2028 is neither; the non-compat mode splits on every Unicode space
    assert compat == ["un\u2028deux\rtrois\u3000quatre", "cinq"]
    assert fixed == ["un", "deux", "trois", "quatre", "cinq"]


@pytest.mark.parametrize(
    ("name", "package", "text", "tokens"),
    [
        ("thai", "pythainlp", "สวัสดีครับ ผมชื่อสมชาย", ["สวัสดี", "ครับ", "ผม", "ชื่อ", "สม", "ชาย"]),
        ("japanese", "sudachipy", "東京へ行きます。", ["東京", "へ", "行き", "ます", "。"]),
    ],
)
def test_optional_segmenters_segment_or_fail_with_an_install_hint(
    name: str, package: str, text: str, tokens: list[str]
) -> None:
    if importlib.util.find_spec(package) is not None:  # the extra is installed: it must really segment
        assert get_segmenter(name)(text) == tokens
        return
    with pytest.raises(
        UserError, match=rf"needs the optional package '{package}': pip install 'roots\[{name}\]'"
    ):
        get_segmenter(name)


def test_sentencepiece_words_keep_the_marker_in_roots_mode(zh_models: tuple[Path, Path]) -> None:
    sp_model, _ = zh_models
    text = "我们今天去北京大学看看"
    pieces = get_segmenter("sentencepiece", model=sp_model)(text)
    compat, _ = WordExtractor("sentencepiece", model=sp_model).words(text)
    fixed, _ = WordExtractor("sentencepiece", model=sp_model, roots_compat=False).words(text)
    # ▁ (U+2581) is not a special character, so ROOTS's first piece keeps it; the non-compat mode strips it
    assert pieces[0].startswith(SENTENCEPIECE_MARKER) and compat[0] == pieces[0]
    assert not fixed[0].startswith(SENTENCEPIECE_MARKER)
    assert compat == ref.get_words(text, True, get_segmenter("sentencepiece", model=sp_model))


def _zh_config_with_models(tmp_path: Path, models: tuple[Path, Path], **perplexity: object) -> Path:
    languages = tmp_path / "languages"
    shutil.copytree(LANGUAGES, languages)
    sp_model, kenlm_model = models
    path = languages / "zh.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["segmenter"] = "sentencepiece"
    data["filters"]["perplexity"] |= {
        "sentencepiece_model": str(sp_model),
        "kenlm_model": str(kenlm_model),
        **perplexity,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return languages


def test_scorer_fills_every_column_and_decides(tmp_path: Path, zh_models: tuple[Path, Path]) -> None:
    languages = _zh_config_with_models(tmp_path, zh_models, enabled=True, max=1e9)
    scorer = LanguageScorer.for_language("zh", languages)
    texts = ["我们今天去北京大学看看。这是一个很好的地方，有很多学生在这里学习。", "哈哈哈哈哈哈哈哈哈哈哈哈"]
    table = scorer.score(texts)
    assert table.column_names == ["text", *STATISTIC_COLUMNS]
    rows = table.to_pylist()
    assert rows[0]["perplexity"] > 0 and rows[0]["lang_id_score"] > 0.85
    assert rows[0]["stopwords_ratio"] > 0 and rows[0]["flagged_words_ratio"] is None
    # perplexity as `roots lm train`'s scorer computes it: the column is that scorer's output
    from roots.filters.perplexity import PerplexityScorer

    sp_model, kenlm_model = zh_models
    assert [r["perplexity"] for r in rows] == PerplexityScorer(kenlm_model, sp_model).perplexity(texts)
    assert scorer.drop_reasons(table)[0] is None
    # "哈"×12 with n=3 under the roots variant is purely periodic: k = min(1, D - R = 0) = 0 → ratio 0
    assert rows[1]["character_repetition_ratio"] == 0.0


def test_perplexity_threshold_removes(tmp_path: Path, zh_models: tuple[Path, Path]) -> None:
    languages = _zh_config_with_models(tmp_path, zh_models, enabled=True, max=1.0)
    scorer = LanguageScorer(LanguageRegistry(languages).get("zh"))
    scored = scorer.compute(["我们今天去北京大学看看。这是一个很好的地方。"])
    assert scored.columns["perplexity"][0] > 1.0
    assert scorer.drop_reasons(scored.columns).tolist() == ["perplexity"]


def test_lid_score_is_zero_when_the_top_label_is_another_language() -> None:
    scorer = LanguageScorer.for_language("fr", LANGUAGES)
    table = scorer.score(
        ["This is clearly an English sentence about the weather and the sea near the old town."]
    )
    assert table.column("lang_id_score").to_pylist() == [0.0]
    columns = {name: table.column(name).to_numpy(zero_copy_only=False) for name in STATISTIC_COLUMNS}
    filters = scorer.config.filters.model_copy(update={"stopwords": StopWords(enabled=False)})
    assert first_failing_filter(columns, filters).tolist() == ["lang_id"]


def test_unknown_language_scores_with_default_yaml() -> None:
    scorer = LanguageScorer.for_language("de", LANGUAGES)
    assert scorer.loaded.fallback
    text = "Das ist ein ganz normaler deutscher Satz über das Wetter, den Wind und das Meer an der Küste im Norden."
    row = scorer.score([text]).to_pylist()[0]
    assert row["lang_id_score"] > 0.7 and row["number_words"] == 20
    assert np.isfinite(row["stopwords_ratio"])  # stopwordsiso has German


def test_a_document_that_cannot_be_scored_is_reported_not_raised() -> None:
    scorer = LanguageScorer.for_language("en", LANGUAGES)
    scored = scorer.compute(["A fine sentence.", "broken \ud800 surrogate", "Another fine one."])
    assert [(e.index, e.reason) for e in scored.errors] == [(1, "modification_failed")]
    assert scored.columns["number_words"].tolist() == [3, 0, 3]
