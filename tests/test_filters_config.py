"""Language configs: the shipped ROOTS thresholds, validation messages, default fallback, word lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from roots.errors import UserError
from roots.filters.decide import first_failing_filter
from roots.filters.language_config import Filters, load_language_config
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import LanguageScorer
from roots.filters.wordlists import load_stopwords

LANGUAGES = Path(__file__).resolve().parents[1] / "configs" / "languages"

# ROOTS parameters_filtering.py values as restated in the reference table (roots-filters.md §2.7):
# length_word_max, number_words min/max, char rep n/max, word rep n/max, special max, stop min, flagged max,
# lang id min, perplexity max
ROOTS_TABLE = {
    "default": (50, 10, 100000, 10, 0.2, 5, 0.3, 0.4, 0.1, 0.1, 0.7, 10000),
    "ar": (25, 20, 100000, 10, 0.2, 5, 0.34, 0.3, 0.07, 0.03, 0.81, 2300),
    "bn": (20, 33, 100000, 10, 0.13, 5, 0.21, 0.45, 0.002, 0.001, 0.95, 2000),
    "ca": (20, 15, 100000, 10, 0.2, 5, 0.4, 0.25, 0.25, 0.1, 0.8, 2500),
    "en": (25, 20, 100000, 10, 0.106, 5, 0.19, 0.4, 0.3, 0.01, 0.8, 1500),
    "es": (25, 16, 100000, 10, 0.14, 5, 0.25, 0.34, 0.4, 0.01, 0.8, 1300),
    "eu": (28, 8, 100000, 10, 0.2, 5, 0.4, 0.31, 0.05, 0.1, 0.7, 3000),
    "fr": (45, 13, 100000, 10, 0.14, 5, 0.13, 0.34, 0.27, 0.008, 0.8, 1770),
    "hi": (25, 38, 100000, 10, 0.18, 5, 0.47, 0.45, 0.01, 0.005, 0.9, 1517),
    "id": (30, 15, 100000, 10, 0.15, 5, 0.2, 0.34, 0.15, 0.01, 0.7, 5000),
    "pt": (19, 19, 100000, 10, 0.25, 5, 0.98, 0.35, 0.2, 0.007, 0.6, 3038),
    "ur": (20, 25, 100000, 10, 0.19, 7, 0.5, 0.25, 0.01, 0.025, 0.9, 1495),
    "vi": (25, 30, 100000, 10, 0.15, 5, 0.2, 0.34, 0.08, 0.005, 0.9, 1600),
    "zh": (1000, 1, 1000000, 3, 0.2, 5, 0.96, 0.3, 0.1691, 0.001, 0.85, 2095),
}


@pytest.mark.parametrize("lang", sorted(ROOTS_TABLE))
def test_shipped_configs_carry_the_roots_thresholds(lang: str) -> None:
    path = LANGUAGES / f"{lang}.yaml"
    config = load_language_config(path)
    f, m = config.filters, config.modifications
    got = (
        m.length_word_max,
        f.number_words.min,
        f.number_words.max,
        f.character_repetition.n,
        f.character_repetition.max,
        f.word_repetition.n,
        f.word_repetition.max,
        f.special_characters.max,
        f.stopwords.min,
        f.flagged_words.max,
        f.lang_id.min,
        f.perplexity.max,
    )
    assert got == ROOTS_TABLE[lang]
    assert config.roots_compat and f.character_repetition.variant == "roots"
    assert "parameters_filtering.py" in path.read_text(encoding="utf-8")  # names its source
    assert f.flagged_words.list is None and f.stopwords.list == "stopwordsiso"
    assert not f.perplexity.enabled and f.perplexity.kenlm_model is None
    word_removal = lang not in ("zh", "default")
    assert m.remove_words_with_incorrect_substrings is word_removal and m.remove_long_words is word_removal
    augmentation = {"zh": ([2], ""), "vi": ([2], " ")}.get(lang)
    got_aug = (
        (config.words_augmentation.group_sizes, config.words_augmentation.join_char)
        if config.words_augmentation
        else None
    )
    assert got_aug == augmentation


def _copy_languages(tmp_path: Path) -> Path:
    target = tmp_path / "languages"
    shutil.copytree(LANGUAGES, target)
    return target


def _edit(path: Path, change: dict) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "filters.character_repetition.max",
            1.5,
            "filters.character_repetition.max = 1.5: Input should be less than or equal to 1",
        ),
        (
            "filters.character_repetition.variant",
            "new",
            "filters.character_repetition.variant = 'new': Input should be 'roots' or 'fixed'",
        ),
        (
            "filters.number_words.min",
            -3,
            "filters.number_words.min = -3: Input should be greater than or equal to 0",
        ),
        (
            "filters.stopwords.minimum",
            0.2,
            "unknown key 'filters.stopwords.minimum'; allowed keys here: enabled, list, min",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_file_key_and_range(
    tmp_path: Path, key: str, value: object, expected: str
) -> None:
    languages = _copy_languages(tmp_path)
    _edit(languages / "en.yaml", {key: value})
    with pytest.raises(UserError) as info:
        LanguageRegistry(languages)
    message = str(info.value)
    assert "\n" not in message
    assert message == f"{languages / 'en.yaml'}: {expected}"


def test_file_name_and_lang_must_agree(tmp_path: Path) -> None:
    languages = _copy_languages(tmp_path)
    _edit(languages / "en.yaml", {"lang": "fr"})
    with pytest.raises(UserError, match="en.yaml: lang = 'fr' but the file is named en.yaml"):
        LanguageRegistry(languages)


def test_default_yaml_is_required_and_stands_in_for_unknown_languages(tmp_path: Path) -> None:
    registry = LanguageRegistry(LANGUAGES)
    de = registry.get("de")
    assert de.fallback and de.path.name == "default.yaml"
    assert de.config.lang == "de" and de.config.language_id.label == "de"
    assert de.config.filters == registry.default.config.filters
    assert not registry.get("en").fallback
    languages = _copy_languages(tmp_path)
    (languages / "default.yaml").unlink()
    with pytest.raises(UserError, match="no default.yaml"):
        LanguageRegistry(languages)


def test_stopwords_from_stopwordsiso_or_a_file_relative_to_the_yaml(tmp_path: Path) -> None:
    config_path = tmp_path / "xx.yaml"
    iso = load_stopwords("stopwordsiso", "vi", config_path)
    assert iso is not None and "bao giờ" in iso.words and iso.source.startswith("stopwordsiso")
    assert load_stopwords("stopwordsiso", "xx", config_path) is None  # stopwordsiso has no such language
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "stop.txt").write_text("# my list\nThe\n\n of \n", encoding="utf-8")
    own = load_stopwords("lists/stop.txt", "en", config_path)
    assert own is not None and own.words == frozenset({"the", "of"})
    with pytest.raises(UserError) as info:
        load_stopwords("lists/missing.txt", "en", config_path)
    assert str(info.value).startswith(f"{config_path}: filters.stopwords.list = ")


def test_missing_lists_make_filters_pass_and_are_reported(tmp_path: Path) -> None:
    languages = _copy_languages(tmp_path)
    (languages / "flagged.txt").write_text("badword\n", encoding="utf-8")
    _edit(
        languages / "en.yaml",
        {"filters.flagged_words.list": "flagged.txt", "filters.perplexity.enabled": True},
    )
    scorer = LanguageScorer(LanguageRegistry(languages).get("en"))
    assert scorer.filter("flagged_words").word_list.words == {"badword"}
    # 8 words, one of them flagged → 1 / 8 > en's max 0.01; the filters before it in ROOTS order are
    # switched off (this short text would fail number_words and, under the roots variant, character_repetition)
    scored = scorer.compute(["One BADWORD in a sentence of eight words."])
    assert scored.columns["flagged_words_ratio"].tolist() == [1 / 8]
    off = {name: {"enabled": False} for name in ("number_words", "character_repetition", "stopwords")}
    filters = Filters.model_validate(scorer.config.filters.model_dump() | off)
    assert first_failing_filter(scored.columns, filters).tolist() == ["flagged_words"]
    assert scorer.notes() == ["perplexity: no KenLM/SentencePiece model configured, filter passed"]
    yo = LanguageScorer(LanguageRegistry(languages).get("xx"))  # default.yaml stands in; no stop words for xx
    assert yo.notes() == [
        "stopwords: no stop-word list for this language, filter passed",
        "flagged_words: no flagged-word list configured, filter passed",
    ]
