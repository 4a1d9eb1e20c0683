"""The eight ROOTS statistics (§2.6) against hand-computed values, and the batched code against a plain re-run."""

from __future__ import annotations

import random

import numpy as np
import pytest

from benchmarks import reference_filters as ref
from roots.filters.statistics import (
    character_repetition_ratio,
    character_repetition_ratios,
    word_list_ratios,
    word_repetition_ratio,
    word_repetition_ratios,
)
from roots.filters.words import WordBatch, WordExtractor, augment


# ---------------------------------------------------------------- character repetition
def test_periodic_text_where_the_two_variants_differ() -> None:
    # "abababab", n=2: 7 bigrams, ab×4 ba×3 → D=2, R=2, ⌊√2⌋=1
    #   roots: k = min(1, D−R = 0) = 0 → 0 / 7 = 0.0
    #   fixed: k = min(1, R = 2) = 1   → 4 / 7
    assert character_repetition_ratio("abababab", 2, "roots") == 0.0
    assert character_repetition_ratio("abababab", 2, "fixed") == 4 / 7


def test_chinese_periodic_text_with_the_zh_trigram_length() -> None:
    # "哈哈哈哈哈", n=3: 哈哈哈 ×3 → D=1, R=1, ⌊√1⌋=1; roots: k=min(1, 0)=0 → 0; fixed: k=1 → 3/3
    assert character_repetition_ratios(["哈哈哈哈哈"], 3, "roots").tolist() == [0.0]
    assert character_repetition_ratios(["哈哈哈哈哈"], 3, "fixed").tolist() == [1.0]


def test_text_without_repetition_scores_under_the_roots_variant_only() -> None:
    # "abcdef", n=2: ab bc cd de ef → D=5, R=0, ⌊√5⌋=2; roots: k=min(2, 5)=2 → 2/5; fixed: k=min(2, 0)=0 → 0
    assert character_repetition_ratio("abcdef", 2, "roots") == 2 / 5
    assert character_repetition_ratio("abcdef", 2, "fixed") == 0.0
    # the short-document quirk with English's n=10: "hello world" has 2 distinct 10-grams → k=1 → 1/2,
    # far above ROOTS's English cutoff of 0.106
    assert character_repetition_ratio("hello world", 10, "roots") == 0.5


def test_variants_agree_when_they_pick_the_same_k() -> None:
    # "aaaab", n=2: aa×3 ab×1 → D=2, R=1, ⌊√2⌋=1 → k=1 in both → 3/4
    for variant in ("roots", "fixed"):
        assert character_repetition_ratio("aaaab", 2, variant) == 3 / 4


def test_no_ngrams_gives_zero() -> None:
    assert character_repetition_ratios(["", "short"], 10).tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- words and word repetition
def test_english_word_repetition() -> None:
    words, count = WordExtractor("whitespace").words("One two three four five, one two three four five!")
    assert words == ["one", "two", "three", "four", "five"] * 2 and count == 10
    # 6 five-grams: "one two three four five" twice, the four others once → 2 / 6
    assert word_repetition_ratios([words], 5).tolist() == [2 / 6]
    assert word_repetition_ratio(words[:4], 5) == 0.0  # fewer words than n


def test_urdu_word_repetition_uses_seven_grams() -> None:
    words = ["یہ", "ایک", "کتاب", "ہے", "یہ", "ایک", "کتاب", "ہے"]  # 8 words
    # n=7: 2 seven-grams, both distinct → 0; n=4: 5 four-grams, "یہ ایک کتاب ہے" twice → 2 / 5
    assert word_repetition_ratios([words], 7).tolist() == [0.0]
    assert word_repetition_ratios([words], 4).tolist() == [2 / 5]


def test_word_count_is_taken_before_lowercasing() -> None:
    # 'Г' (Cyrillic capital GHE) is one of ROOTS's special characters, 'г' is not: cased the word strips to ""
    words, count = WordExtractor("whitespace").words("Г abc")
    assert words == ["г", "abc"] and count == 1


# ---------------------------------------------------------------- stop words, flagged words, augmentation
def test_vietnamese_stopwords_with_syllable_pairs() -> None:
    words, _ = WordExtractor("vi_syllables").words("Bao giờ của tôi và bạn?")
    assert words == ["bao", "giờ", "của", "tôi", "và", "bạn"]
    pairs = augment(words, [2], " ")
    assert pairs == ["bao giờ", "giờ của", "của tôi", "tôi và", "và bạn"]
    # found: "của", "và" among the 6 words + "bao giờ" among the pairs = 3 → 3 / 6 (pairs not in the denominator)
    stop = frozenset({"của", "và", "bao giờ"})
    assert word_list_ratios(WordBatch.of_lists([words]), stop, [2], " ").tolist() == [3 / 6]
    # a pair never spans two documents: "tôi" ends one document and "và" starts the next
    split = WordBatch.of_lists([["bao", "giờ", "tôi"], ["và", "bạn"]])
    assert word_list_ratios(split, stop, [2], " ").tolist() == [1 / 3, 1 / 2]


def test_chinese_pairs_are_joined_without_space_and_the_ratio_is_capped() -> None:
    words = ["我们", "的", "我们", "的"]
    pairs = augment(words, [2], "")
    assert pairs == ["我们的", "的我们", "我们的"]
    # 4 words found + "我们的" twice = 6 → 6 / 4 = 1.5, capped at 1.0; a document without words: 0
    batch = WordBatch.of_lists([words, []])
    assert word_list_ratios(batch, frozenset({"我们", "的", "我们的"}), [2], "").tolist() == [1.0, 0.0]


def test_arabic_words_and_stopword_ratio() -> None:
    words, count = WordExtractor("whitespace").words("ذهب الولد إلى المدرسة في الصباح.")
    assert count == 6 and words[-1] == "الصباح"  # the final '.' is stripped
    assert word_list_ratios(WordBatch.of_lists([words]), frozenset({"إلى", "في"})).tolist() == [2 / 6]


def test_jieba_words_are_normalised_first() -> None:
    # the tokenising path normalises like ROOTS: digits → 0 (then stripped, digits are special), punctuation
    words, count = WordExtractor("jieba").words("我们今天去北京大学，１２３。")
    assert words == ["我们", "今天", "去", "北京大学"] and count == 4


# ---------------------------------------------------------------- batched code = plain re-run
ALPHABETS = ["ab \n", "abcdefgh ij.,!", "哈你好 ，。", "مرحبا ،"]


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(ALPHABETS[i % len(ALPHABETS)]) for _ in range(rng.randint(0, 400)))
        for i in range(count)
    ]


@pytest.mark.parametrize("variant", ["roots", "fixed"])
@pytest.mark.parametrize("n", [1, 3, 10])
def test_batched_character_repetition_equals_the_plain_definition(variant: str, n: int) -> None:
    texts = _random_texts(n, 200)
    got = character_repetition_ratios(texts, n, variant)
    want = [ref.character_repetition(t, n, variant) for t in texts]
    assert got.tolist() == want  # exact floats, not approximately


def test_batched_words_equal_the_plain_definition() -> None:
    rng = random.Random(3)
    pieces = [
        "Word",
        "ГДЕ",
        "Ø",
        "«quoted»",
        "(x)",
        "...",
        "一上",
        "\U0001f44d",
        "e-mail",
        "٣",
        " ",
        "  ",
        "\n",
        "\t",
        "\r",
    ]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(300)]
    batch = WordExtractor("whitespace").batch(texts)
    for i, text in enumerate(texts):
        assert batch.of(i) == ref.get_words(text, True, None), text
        assert batch.counts[i] == len(ref.get_words(text, False, None)), text


def test_hash_collisions_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # a deliberately poor hash (97 values) makes different n-grams collide all the time: the element-wise
    # check must notice and recount those documents exactly
    from roots.filters import statistics

    monkeypatch.setattr(statistics, "_mix", lambda h: (h % np.uint64(97)) << np.uint64(56))
    texts = _random_texts(11, 100)
    for variant in ("roots", "fixed"):
        got = character_repetition_ratios(texts, 3, variant)
        assert got.tolist() == [ref.character_repetition(t, 3, variant) for t in texts]
    words = [ref.get_words(t, True, None) for t in texts]
    assert word_repetition_ratios(words, 2).tolist() == [ref.word_repetition(w, 2) for w in words]


def test_batched_word_repetition_equals_the_plain_definition() -> None:
    words = [ref.get_words(t, True, None) for t in _random_texts(7, 200)]
    for n in (1, 2, 5):
        assert word_repetition_ratios(words, n).tolist() == [ref.word_repetition(w, n) for w in words]


def test_words_with_spaces_are_counted_on_joined_ngrams() -> None:
    # ("a b", "c") and ("a", "b c") join to the same 2-gram "a b c", as in ROOTS
    words = [["a b", "c", "a", "b c"]]
    assert word_repetition_ratios(words, 2).tolist() == [ref.word_repetition(words[0], 2)] == [2 / 3]


def test_all_statistics_match_the_reference_on_real_configs() -> None:
    from pathlib import Path

    from roots.filters.registry import LanguageRegistry
    from roots.filters.scorer import LanguageScorer

    registry = LanguageRegistry(Path(__file__).resolve().parents[1] / "configs" / "languages")
    texts = [
        "  The  cat sat on the mat; see http://example.com for more about cats and mats.\n\n\tThe end.  ",
        "Ceci est un texte français, avec des mots et une URL www.exemple.fr dans une phrase assez longue.",
        "هذا نص عربي قصير، يحتوي على بعض الكلمات المتكررة المتكررة المتكررة المتكررة المتكررة.",
    ]
    for lang, text in zip(["en", "fr", "ar"], texts, strict=True):
        loaded = registry.get(lang)
        scorer = LanguageScorer(loaded)
        scored = scorer.compute([text])
        want_text, want = ref.statistics(text, loaded.config, stopwords=scorer.filter("stopwords").word_list.words)
        assert scored.texts == [want_text]
        for name, value in want.items():
            got = scored.columns[name][0]
            assert (np.isnan(got) and value is None) or got == value, (lang, name)
