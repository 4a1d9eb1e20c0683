"""ROOTS normalisation primitives (§2.2) and document modifications (§2.3), quirks included."""

from __future__ import annotations

import pytest

from roots.filters.language_config import Modifications
from roots.filters.modifications import modify
from roots.filters.normalization import UNICODE_PUNCTUATION, normalize

ALL_OFF = dict(
    remove_non_printing=False,
    strip=False,
    lower=False,
    uniform_whitespace=False,
    digits_to_zero=False,
    unicode_punctuation=False,
)


def norm(text: str, **on: bool) -> str:
    return normalize(text, **{**ALL_OFF, **on})


def test_non_printing_removal_deletes_newlines_and_tabs_without_a_space() -> None:
    assert norm("one\ntwo\tthree\x00\x7f\x85four", remove_non_printing=True) == "onetwothreefour"


def test_fullwidth_one_becomes_a_double_quote() -> None:
    assert norm("１", unicode_punctuation=True) == '"'
    assert norm("a，b。c—d…", unicode_punctuation=True) == "a,b.c - d..."
    assert len(UNICODE_PUNCTUATION) == 34


def test_digits_run_before_punctuation_so_fullwidth_one_becomes_zero() -> None:
    # \d is Unicode-aware: '１' (U+FF11) is a digit, and digits→0 runs before the punctuation map
    assert norm("１ ٣ 7", digits_to_zero=True, unicode_punctuation=True) == "0 0 0"


def test_uniform_whitespace_maps_the_twelve_spaces() -> None:
    assert norm("a\u00a0b\u3000c\u2009d\ufffce\u0084f", uniform_whitespace=True) == "a b c d e f"
    assert norm("a\u2028b", uniform_whitespace=True) == "a\u2028b"  # not in the table


def test_strip_then_empty_text_is_returned_before_later_steps() -> None:
    assert norm("  \n ", strip=True, lower=True) == ""
    assert norm("  Ab1 ", strip=True, lower=True, digits_to_zero=True) == "ab0"


def test_steps_run_in_roots_order() -> None:
    # lower runs before uniform whitespace; non-printing removal joins lines before strip
    assert (
        normalize(
            " A\nB\u00a0C ",
            remove_non_printing=True,
            strip=True,
            lower=True,
            uniform_whitespace=True,
            digits_to_zero=True,
            unicode_punctuation=True,
        )
        == "ab c"
    )


EN = Modifications(remove_words_with_incorrect_substrings=True, remove_long_words=True, length_word_max=10)


def test_modifications_collapse_spaces_and_drop_empty_lines_when_word_removal_is_on() -> None:
    assert modify("  a   b \n\n\t c\t\td  ", EN) == "a b\nc\td"


def test_modifications_without_word_removal_only_strip() -> None:
    mods = Modifications(remove_words_with_incorrect_substrings=False, remove_long_words=False)
    assert modify("  a   b \n\n c  ", mods) == "a   b \n\n c"


def test_incorrect_substrings_are_tested_on_the_stripped_word() -> None:
    text = "see http://x.org and (www.y) or example.com, also a//b but «href» and HTTP stays"
    assert modify(text, EN) == "see and or also but and HTTP stays"
    # a word made only of special characters strips to "" and so contains no incorrect substring
    assert modify("a // b", EN) == "a // b"


def test_long_words_pass_when_their_stripped_form_is_short_enough() -> None:
    # "((((word))))" has 12 characters but 4 once stripped; "abcdefghijk" has 11 letters
    assert modify("((((word)))) abcdefghijk (((((((((((( ok", EN) == "((((word)))) ok"


def test_unicode_punctuation_and_uniform_whitespace_switches() -> None:
    mods = Modifications(uniform_whitespace=True, replace_unicode_punctuation=True)
    assert modify("a\u00a0b，１", mods) == 'a b,"'
    off = Modifications(uniform_whitespace=False, replace_unicode_punctuation=False)
    assert modify("a\u00a0b，", off) == "a\u00a0b，"


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_documents_stay_empty(text: str) -> None:
    assert modify(text, EN) == ""
