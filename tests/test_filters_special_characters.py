"""The ROOTS special-character set (§2.5): its size and its quirks."""

from __future__ import annotations

import string

from roots.filters.special_characters import (
    EMOJI_FILE,
    HANDMADE_FILE,
    read_codepoints,
    special_characters,
    strip_special,
)
from roots.filters.statistics import special_characters_ratios


def test_effective_set_has_1599_single_characters() -> None:
    handmade = read_codepoints(HANDMADE_FILE)
    emoji = read_codepoints(EMOJI_FILE)
    assert len(set(handmade)) == 189
    assert len(set(emoji)) == 1366
    assert len(special_characters()) == 1599
    # 48 + 189 + 1366 = 1603: the hand-made string shares ©, ®, ™ and ♥ with the emoji
    assert set(handmade) & set(emoji) == {"©", "®", "™", "♥"}
    assert not set(handmade) & set(string.punctuation + string.digits + string.whitespace)


def test_whitespace_cjk_and_kana_quirks() -> None:
    specials = special_characters()
    for char in " \n\t一上士ンツシッー\u00a0\u200b\ufeff\u00ad\u0085":
        assert char in specials, hex(ord(char))
    for char in "a中人\u2581\u200d\ufe0f":  # letters, SentencePiece's ▁, ZWJ and VS16 are not special
        assert char not in specials, hex(ord(char))


def test_multi_code_point_emoji_only_count_by_their_parts() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: 5 code points
    # the three person emoji are single-code-point keys; the two ZWJ are not special: 3 / 5
    assert special_characters_ratios([family]).tolist() == [3 / 5]
    assert strip_special("\U0001f44dgood\u200d") == "good\u200d"


def test_ratio_counts_spaces_and_newlines() -> None:
    # English: "a b\nc" → ' ' and '\n' are special: 2 / 5
    # Arabic:  "مرحبا، بالعالم!" → 15 characters, special: '،' (U+060C), ' ', '!': 3 / 15
    # Chinese: "你好，世界。" → '，' and '。' of 6: 2 / 6;  "一上士" → all three are in the set: 3 / 3
    texts = ["a b\nc", "مرحبا، بالعالم!", "你好，世界。", "一上士", ""]
    assert len(texts[1]) == 15
    assert special_characters_ratios(texts).tolist() == [2 / 5, 3 / 15, 2 / 6, 1.0, 0.0]
