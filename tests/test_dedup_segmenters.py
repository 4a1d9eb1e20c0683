"""Shingles from the languages' segmenters: Chinese with the real zh config uses jieba words; a segmenter
whose optional package is not installed falls back to character shingles, says so, and does not fail."""

from __future__ import annotations

import functools
import importlib.util
import json
import random
import shutil

import pyarrow.parquet as pq
import pytest

from roots.config import validate_pipeline
from roots.dedup.config import MinHashConfig
from roots.dedup.languages import configured_segmenters, describe_shingles, load_segmenter, shingle_spec
from roots.dedup.normalize import minhash_text
from roots.dedup.shingles import ShingleSpec, shingle_hashes
from roots.dedup.stage import languages_dir
from tests.conftest import REPO
from tests.dedup_helpers import doc, run_dedup, write_run

LANGUAGES = REPO / "configs" / "languages"
# common two-character words, so that jieba has real words to find (some combine into longer words)
_WORDS = (
    "我们你们他们今天明天昨天北京上海中国世界经济发展社会文化历史科学技术研究学生老师"
    "学校大学医院医生政府国家人民城市农村环境保护问题方法工作生活时间地方朋友家庭孩子"
    "音乐电影新闻报告会议计划市场公司产品价格银行电脑手机网络数据能源交通旅游天气文学"
)
ZH_WORDS = [_WORDS[i : i + 2] for i in range(0, len(_WORDS), 2)]


def _zh_text(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(ZH_WORDS) for _ in range(n)]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


@functools.cache
def _jieba():  # noqa: ANN202
    import jieba

    return jieba.Tokenizer()


def _jieba_words(text: str) -> list[str]:
    """jieba's words of the normalised text, cut here independently of roots."""
    return [w for w in _jieba().lcut(minhash_text(text)) if w.strip()]


def _jieba_5grams(text: str) -> set[tuple[str, ...]]:
    tokens = _jieba_words(text)
    return {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}


def _char_5grams(text: str) -> set[str]:
    chars = minhash_text(text).replace(" ", "")
    return {chars[i : i + 5] for i in range(len(chars) - 4)}


def test_real_zh_config_gives_jieba_word_shingles():
    segmenters = configured_segmenters(LANGUAGES)
    assert ("zh", "jieba", "", False) in segmenters and ("en", "whitespace", "", True) in segmenters
    assert shingle_spec("zh", MinHashConfig(), segmenters) == ShingleSpec("word", 5, "jieba")
    assert describe_shingles("zh", MinHashConfig(), segmenters) == "word 5-grams (jieba)"
    # Vietnamese syllables and whitespace split like the built-in word split: no per-document segmenter call
    assert shingle_spec("vi", MinHashConfig(), segmenters) == ShingleSpec("word", 5)
    off = MinHashConfig(use_segmenters=False)
    assert describe_shingles("zh", off, segmenters) == "character 5-grams (use_segmenters: false)"
    assert describe_shingles("en", off, segmenters) == "word 5-grams"
    text = "".join(_zh_text(random.Random(1), 40))
    hashes, _ = shingle_hashes([text], ShingleSpec("word", 5, "jieba"), load_segmenter("jieba").segmenter)
    words = _jieba_words(text)
    assert len(words) < len(text) / 1.5  # real words, not characters
    assert hashes.tolist() == shingle_hashes([" ".join(words)], ShingleSpec("word", 5))[0].tolist()


def test_languages_dir_defaults_to_the_filters_and_resolves_outside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the filter's default "configs/languages" is relative
    with_filter = validate_pipeline({"run_dir": str(tmp_path), "dedup": {}}, "test")
    assert languages_dir(with_filter) == LANGUAGES
    without = validate_pipeline({"run_dir": str(tmp_path), "filter": None, "dedup": {}}, "test")
    assert languages_dir(without) is None


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    """Chinese originals, two edited copies of each (a cluster of three), and unrelated documents."""
    rng = random.Random(8)
    shards: list[list[dict]] = [[], []]
    clusters = []
    for i in range(5):
        base = _zh_text(rng, 260)
        members = [doc(f"zo{i}", "".join(base), lang="zh")]
        for k in range(2):
            copy = list(base)
            for j in rng.sample(range(len(copy)), 2):
                copy[j] = rng.choice(ZH_WORDS)
            members.append(doc(f"zc{i}-{k}", "".join(copy) + "。", lang="zh"))
        for m, member in enumerate(members):
            shards[(i + m) % 2].append(member)
        clusters.append(members)
    for i in range(6):
        shards[i % 2].append(doc(f"zu{i}", "".join(_zh_text(rng, 260)), lang="zh"))
    run = write_run(tmp_path_factory.mktemp("zh") / "run", shards)
    run_dedup(run, {"languages_dir": str(LANGUAGES)})
    return run, clusters


def test_chinese_near_duplicate_clusters_are_found_through_jieba_words(zh_run):
    run, clusters = zh_run
    rows = [
        *pq.read_table(run.root / "dedup" / "kept").to_pylist(),
        *pq.read_table(run.root / "dedup" / "removed").to_pylist(),
    ]
    by_id = {r["id"]: r for r in rows}
    for members in clusters:
        ids = [m["id"] for m in members]
        assert len({by_id[i]["cluster_id"] for i in ids}) == 1 and by_id[ids[0]]["cluster_size"] == 3
        assert sorted(by_id[i].get("drop_reason") or "kept" for i in ids) == ["kept", *["near_duplicate"] * 2]
    assert all(r["cluster_size"] == 1 for r in rows if r["id"].startswith("zu"))
    stats = json.loads((run.root / "dedup" / "stats.json").read_text())
    assert stats["extra"]["shingles"] == {"zh": "word 5-grams (jieba)"}
    assert stats["extra"]["report"]["zh"]["shingles"] == "word 5-grams (jieba)"


def test_pair_similarity_is_the_jaccard_of_jieba_word_5grams(zh_run):
    run, clusters = zh_run
    texts = {m["id"]: m["text"] for members in clusters for m in members}
    pairs = pq.read_table(run.root / "dedup" / "pairs.parquet").to_pylist()
    assert len(pairs) >= len(clusters) * 2
    differs_from_characters = 0
    for pair in pairs:
        a, b = texts[pair["id_a"]], texts[pair["id_b"]]
        words = _jaccard(_jieba_5grams(a), _jieba_5grams(b))
        assert pair["similarity"] == pytest.approx(words, abs=1e-12)
        differs_from_characters += abs(words - _jaccard(_char_5grams(a), _char_5grams(b))) > 1e-3
    assert differs_from_characters == len(pairs)  # so the similarity cannot have come from characters


def _thai(rng: random.Random, n: int) -> str:
    return "".join(chr(0x0E01 + rng.randrange(46)) for _ in range(n))


@pytest.mark.skipif(
    importlib.util.find_spec("pythainlp") is not None or importlib.util.find_spec("sudachipy") is not None,
    reason="needs an installation without the thai and japanese extras",
)
def test_missing_optional_segmenters_fall_back_to_characters_with_a_note(tmp_path):
    languages = tmp_path / "languages"
    languages.mkdir()
    shutil.copy(LANGUAGES / "default.yaml", languages / "default.yaml")
    for lang, segmenter in (("th", "thai"), ("ja", "japanese")):
        (languages / f"{lang}.yaml").write_text(
            f"lang: {lang}\nspaces_between_words: false\nsegmenter: {segmenter}\n"
            "language_id: {identifier: declared}\nfilters: {lang_id: {enabled: false}}\n",
            encoding="utf-8",
        )
    rng = random.Random(4)
    thai = _thai(rng, 500)
    japanese = "".join(chr(0x3041 + rng.randrange(80)) for _ in range(500))
    rows = {
        "t1": doc("t1", thai, lang="th"),
        "t2": doc("t2", thai[:250] + "ก" + thai[251:], lang="th"),
        "t3": doc("t3", _thai(rng, 500), lang="th"),
        "j1": doc("j1", japanese, lang="ja"),
        "j2": doc("j2", japanese[:300] + "。" + japanese[300:], lang="ja"),
    }
    run = write_run(tmp_path / "run", [list(rows.values())])
    run_dedup(run, {"languages_dir": str(languages), "exact": False})
    removed = {r["id"]: r["drop_reason"] for r in pq.read_table(run.root / "dedup" / "removed").to_pylist()}
    assert set(removed.values()) == {"near_duplicate"} and len(removed) == 2
    gone = {name for name, row in rows.items() if row["id"] in removed}
    assert len(gone & {"t1", "t2"}) == 1 and len(gone & {"j1", "j2"}) == 1
    stats = json.loads((run.root / "dedup" / "stats.json").read_text())
    notes = stats["extra"]["shingles"]
    assert notes["th"].startswith("character 5-grams (segmenter 'thai' unavailable")
    assert "pip install 'roots[thai]'" in notes["th"]
    assert notes["ja"].startswith("character 5-grams (segmenter 'japanese' unavailable")
    assert stats["extra"]["report"]["th"]["shingles"] == notes["th"]


def test_sentencepiece_segmenter_takes_the_model_of_the_language_config(tmp_path):
    import io

    import sentencepiece as spm

    rng = random.Random(3)
    buffer = io.BytesIO()
    sentences = ["".join(_zh_text(rng, 30)) for _ in range(300)]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=buffer, vocab_size=120, num_threads=1, minloglevel=2
    )
    languages = tmp_path / "languages"
    (languages / "models").mkdir(parents=True)
    (languages / "models" / "zh.sp.model").write_bytes(buffer.getvalue())
    (languages / "zh.yaml").write_text(
        "lang: zh\nspaces_between_words: false\nsegmenter: sentencepiece\nlanguage_id: {identifier: fasttext, label: zh}\n"
        "filters:\n  perplexity:\n    sentencepiece_model: models/zh.sp.model\n",
        encoding="utf-8",
    )
    shutil.copy(LANGUAGES / "default.yaml", languages / "default.yaml")
    segmenters = configured_segmenters(languages)
    assert segmenters[0] == ("zh", "sentencepiece", str(languages / "models" / "zh.sp.model"), False)
    assert ("th", "", "", False) in segmenters  # default.yaml: no YAML of its own, written without spaces
    assert describe_shingles("zh", MinHashConfig(), segmenters) == "word 5-grams (sentencepiece)"
    spec = shingle_spec("zh", MinHashConfig(), segmenters)
    text = sentences[0]
    pieces = spm.SentencePieceProcessor(model_proto=buffer.getvalue()).EncodeAsPieces(minhash_text(text))
    assert 1 < len(pieces) < len(text)
    hashes, _ = shingle_hashes([text], spec, load_segmenter(spec.segmenter, spec.model).segmenter)
    assert hashes.tolist() == shingle_hashes([" ".join(pieces)], ShingleSpec("word", 5))[0].tolist()
    without_model = (("zh", "sentencepiece", "", False),)
    assert "needs a model" in describe_shingles("zh", MinHashConfig(), without_model)
