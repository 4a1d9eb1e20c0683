"""The shipped language configs: all valid, all 46 ROOTS natural languages covered, derived ones reproducible."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pycld2
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from roots.filters.language_config import load_language_config
from roots.filters.languages import by_code
from roots.filters.registry import LanguageRegistry

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = REPO / "configs" / "languages"
sys.path.insert(0, str(REPO / "scripts"))
# the languages are whatever the folder holds: one YAML each (default.yaml stands in for the others)
BLOOM_LANGUAGES = sorted(
    p.stem for p in LANGUAGES.glob("*.yaml") if p.stem != "default" and not p.stem.startswith("code-")
)
CODE_LANGUAGES = sorted(p.stem for p in LANGUAGES.glob("code-*.yaml"))  # tests/test_filters_code.py
ROOTS_NATURAL_LANGUAGE_COUNT = 46  # ROOTS's own count (BigScience, 2022): Chinese counted twice

# ROOTS's 46 natural languages: the 45 BLOOM codes, with Chinese counted twice (simplified and traditional);
# roots filters both scripts of Chinese with zh.yaml.
ROOTS_46 = {**{code: code for code in BLOOM_LANGUAGES}, "zh-hant": "zh"}
TUNED_BY_ROOTS = {"ar", "bn", "ca", "en", "es", "eu", "fr", "hi", "id", "pt", "ur", "vi", "zh"}
NIGER_CONGO = {
    "ak",
    "bm",
    "ny",
    "fon",
    "ig",
    "ki",
    "ln",
    "lg",
    "nso",
    "rn",
    "rw",
    "sn",
    "st",
    "sw",
    "tn",
    "ts",
}
NIGER_CONGO |= {"tum", "tw", "wo", "xh", "yo", "zu"}
INDIC = {"as", "bn", "gu", "hi", "kn", "ml", "mr", "ne", "or", "pa", "ta", "te", "ur"}
DECLARED_ONLY = {"bm", "fon", "tum", "tw"}  # no offline identifier knows them
EXPECTED_IDENTIFIER = {
    **{code: "fasttext" for code in INDIC | TUNED_BY_ROOTS},
    **{code: "cld2" for code in NIGER_CONGO - DECLARED_ONLY - {"ki"}},
    "ki": "py3langid",
    **{code: "declared" for code in DECLARED_ONLY},
}


def _configs() -> dict[str, object]:
    return {path.stem: load_language_config(path) for path in sorted(LANGUAGES.glob("*.yaml"))}


@pytest.mark.parametrize("path", sorted(LANGUAGES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_yaml_validates(path: Path) -> None:
    config = load_language_config(path)
    assert config.lang == path.stem
    assert config.provenance


def test_the_registry_loads_the_whole_folder() -> None:
    registry = LanguageRegistry(LANGUAGES)
    assert set(registry.configs()) == set(BLOOM_LANGUAGES) | set(CODE_LANGUAGES)


def test_all_46_roots_natural_languages_have_a_config() -> None:
    assert len(ROOTS_46) == ROOTS_NATURAL_LANGUAGE_COUNT == 46
    assert len(NIGER_CONGO) == 22 and len(INDIC) == 13 and len(BLOOM_LANGUAGES) == 45
    assert set(BLOOM_LANGUAGES) == NIGER_CONGO | INDIC | {
        "eu",
        "ca",
        "id",
        "vi",
        "ar",
        "zh",
        "en",
        "fr",
        "pt",
        "es",
    }
    missing = {
        lang for lang, config_code in ROOTS_46.items() if not (LANGUAGES / f"{config_code}.yaml").is_file()
    }
    assert not missing


def test_identifier_per_language_and_offline_lid_coverage() -> None:
    configs = _configs()
    identifiers = {code: configs[code].language_id.identifier for code in BLOOM_LANGUAGES}
    assert identifiers == EXPECTED_IDENTIFIER
    covered = [lang for lang, code in ROOTS_46.items() if identifiers[code] != "declared"]
    assert len(covered) == 42  # ≥ 40 of 46; bm, fon, tum, tw are declared-only


def test_labels_exist_in_their_identifier() -> None:
    cld2_codes = {code for name, code in pycld2.LANGUAGES if name in set(pycld2.DETECTED_LANGUAGES)}
    py3langid_labels = set(LanguageIdentifier.from_model_file(MODEL_FILE).labels)
    for code, config in _configs().items():
        ident, label = config.language_id.identifier, config.language_id.label
        if ident == "cld2":
            assert label in cld2_codes, code
        elif ident == "py3langid":
            assert label in py3langid_labels, code
        elif ident == "declared":
            assert label is None and not config.filters.lang_id.enabled, code


def test_every_language_yaml_holds_its_facts() -> None:
    configs = _configs()
    families = {code: configs[code].family for code in BLOOM_LANGUAGES}
    assert {c for c, f in families.items() if f == "niger-congo"} == NIGER_CONGO
    assert {c for c, f in families.items() if f == "indic"} == INDIC
    assert all(configs[code].name and configs[code].iso639_3 for code in BLOOM_LANGUAGES)
    assert by_code()["sw"].iso639_3 == ("swa", "swh", "swc") and by_code()["yo"].name == "Yoruba"
    assert [code for code in BLOOM_LANGUAGES if not configs[code].spaces_between_words] == ["zh"]
    assert {"ja", "th"} <= set(configs["default"].no_space_languages)


def test_derived_configs_say_where_their_numbers_come_from() -> None:
    configs = _configs()
    for code in set(BLOOM_LANGUAGES) - TUNED_BY_ROOTS:
        config = configs[code]
        assert config.name and config.language_id.why
        assert not config.roots_compat
        if config.derived:
            assert "CLD2 unit-test snippets" in config.provenance and "derive" in config.provenance, code
        else:
            assert config.provenance.startswith("ROOTS default thresholds"), code
    derived = sorted(code for code, config in configs.items() if config.derived)
    assert len(derived) == 25 and {"bm", "fon", "ki", "tum", "ne", "or", "ta"}.isdisjoint(derived)


def test_stop_words_only_where_stopwordsiso_has_the_language() -> None:
    import stopwordsiso

    available = set(stopwordsiso.langs())
    configs = _configs()
    for code in set(BLOOM_LANGUAGES) - TUNED_BY_ROOTS:
        stopwords = configs[code].filters.stopwords
        assert stopwords.enabled == (code in available) == (stopwords.list == "stopwordsiso"), code


def test_shipped_derived_configs_are_reproduced_by_the_script(tmp_path: Path) -> None:
    import derive_language_configs

    copy = tmp_path / "languages"
    shutil.copytree(LANGUAGES, copy)
    derived = [config.lang for config in derive_language_configs.derived_languages(copy)]
    assert set(derived) == set(BLOOM_LANGUAGES) - TUNED_BY_ROOTS
    for code in derived:  # every threshold is rewritten from the language's facts and sample text
        path = copy / f"{code}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("max: 0.", "max: 0.9"), encoding="utf-8")
    derive_language_configs.main(["--languages-dir", str(copy)])
    for path in sorted(LANGUAGES.glob("*.yaml")):
        assert (copy / path.name).read_bytes() == path.read_bytes(), path.name
