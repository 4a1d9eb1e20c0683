"""`roots thresholds derive`: the formulas, and derivation from a real `roots extract` + `roots filter` run."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from roots.cli import main
from roots.filters.derive import MIN_VALUES, derive_thresholds
from roots.filters.language_config import load_language_config
from roots.filters.yamledit import load_document, save_document, set_key

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "roots" / "demo" / "texts"


def test_formulas_on_known_distributions() -> None:
    n = 101
    ramp = np.linspace(0.0, 1.0, n)  # q05 = 0.05, q95 = 0.95, median 0.5
    columns = {
        "number_words": np.arange(3, 3 + n),  # q05 = 8
        "character_repetition_ratio": ramp * 0.2,  # q95 0.19 + 0.05
        "word_repetition_ratio": ramp * 0.5,  # q95 0.475 + 0.05
        "special_characters_ratio": ramp * 0.41,  # q95 0.3895 + 0.05
        "stopwords_ratio": ramp * 0.6,  # q05 0.03 / 2
        "flagged_words_ratio": ramp * 0.01,  # q99 0.0099 + 0.005
        "lang_id_score": 0.5 + ramp * 0.5,
        "perplexity": 100 + ramp * 1000,  # q95 1050 × 1.1
    }
    derived = derive_thresholds(columns)
    lid = 0.75 - float(np.std(0.5 + ramp * 0.5))
    assert derived.values == {
        ("number_words", "min"): 8,
        ("character_repetition", "max"): 0.24,
        ("word_repetition", "max"): 0.525,
        ("special_characters", "max"): 0.44,
        ("stopwords", "min"): 0.015,
        ("flagged_words", "max"): pytest.approx(0.015, abs=1e-3),
        ("lang_id", "min"): round(lid, 2),
        ("perplexity", "max"): math.ceil(1050 * 1.1),
    }
    assert set(derived.counts.values()) == {n}


def test_derived_cutoffs_are_never_stricter_than_the_roots_default() -> None:
    clean = {  # statistics of very clean text would give cutoffs stricter than ROOTS's default
        "number_words": [500] * 20,
        "character_repetition_ratio": [0.01] * 20,
        "word_repetition_ratio": [0.0] * 20,
        "special_characters_ratio": [0.1] * 20,
        "stopwords_ratio": [0.9] * 20,
    }
    junk = {name: [1.0] * 20 for name in clean} | {"number_words": [1] * 20}
    assert derive_thresholds(clean).values == {
        ("number_words", "min"): 10,
        ("character_repetition", "max"): 0.2,
        ("word_repetition", "max"): 0.3,
        ("special_characters", "max"): 0.4,
        ("stopwords", "min"): 0.1,
    }
    assert derive_thresholds(junk).values == {  # and never more lenient than any ROOTS-tuned language
        ("number_words", "min"): 1,
        ("character_repetition", "max"): 0.25,
        ("word_repetition", "max"): 0.98,
        ("special_characters", "max"): 0.45,
        ("stopwords", "min"): 0.1,
    }


def test_missing_values_too_few_values_and_absent_resources_are_skipped() -> None:
    derived = derive_thresholds(
        {
            "number_words": [5, None, 7, float("nan")],  # only 2 real values
            "stopwords_ratio": [float("nan")] * 10,  # no stop-word list for the language
            "flagged_words_ratio": [0.0] * 10,
            "lang_id_score": [0.99, 0.98, 0.97, 0.2],
        }
    )
    assert set(derived.values) == {("lang_id", "min")}
    assert f"need {MIN_VALUES}" in derived.skipped[("number_words", "min")]
    assert "no list/model" in derived.skipped[("stopwords", "min")]
    assert "no list/model" in derived.skipped[("flagged_words", "max")]
    assert "no character_repetition_ratio column" in derived.skipped[("character_repetition", "max")]


def _paragraphs(lang: str) -> list[str]:
    return [p.strip() for p in (TEXTS / f"{lang}.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def filtered_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real run: Swahili and English documents (no declared language) extracted and filtered."""
    root = tmp_path_factory.mktemp("derive")
    languages = root / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    sw = _paragraphs("sw")
    texts = sw + [s + "." for p in sw for s in p.split(". ") if len(s.split()) > 12] + _paragraphs("en")
    corpus = root / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8"
    )
    run_dir = root / "run"
    assert main(["extract", "jsonl", str(corpus), "--out", str(run_dir), "--workers", "1"]) == 0
    assert main(["filter", str(run_dir), "--languages-dir", str(languages), "--workers", "1"]) == 0
    return run_dir, languages


def _run_columns(run_dir: Path, lang: str) -> dict[str, list[float | None]]:
    rows = []
    for kind in ("kept", "removed"):
        for part in sorted((run_dir / "filter" / kind).glob("part-*.parquet")):
            rows += [r for r in pq.read_table(part).to_pylist() if r["lang"] == lang]
    return {
        name: [r[name] for r in rows]
        for name in rows[0]
        if name not in {"id", "text", "source", "url", "meta"}
    }


def test_derive_prints_values_without_writing(
    filtered_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir, languages = filtered_run
    before = (languages / "sw.yaml").read_bytes()
    assert main(["thresholds", "derive", str(run_dir), "--lang", "sw"]) == 0
    out = capsys.readouterr().out
    expected = derive_thresholds(_run_columns(run_dir, "sw"))
    assert f"{expected.values[('lang_id', 'min')]}" in out and "filters.lang_id.min" in out
    assert "not written" in out
    assert (languages / "sw.yaml").read_bytes() == before


def test_derive_write_stores_the_run_values_and_keeps_everything_else(
    filtered_run: tuple[Path, Path],
) -> None:
    run_dir, languages = filtered_run
    path = languages / "sw.yaml"
    original = path.read_text(encoding="utf-8")
    columns = _run_columns(run_dir, "sw")
    assert len(columns["lang"]) >= 20  # the filter stage assigned the Swahili documents to sw (pycld2)
    expected = derive_thresholds(columns)
    assert (
        main(["thresholds", "derive", str(run_dir), "--lang", "sw", "--write"]) == 0
    )  # languages dir from the run

    updated = path.read_text(encoding="utf-8")
    config = load_language_config(path)
    for (filter_name, field_name), value in expected.values.items():
        assert getattr(getattr(config.filters, filter_name), field_name) == pytest.approx(value)
    assert config.derived and f"{len(columns['lang'])} sw documents" in config.provenance
    assert updated.splitlines()[:5] == original.splitlines()[:5]  # header comments kept
    assert "# derived: clamp(median - std, 0.3, 0.9) of" in updated
    before, after = yaml.safe_load(original), yaml.safe_load(updated)
    for filter_name, field_name in expected.values:
        after["filters"][filter_name][field_name] = before["filters"][filter_name][field_name]
    after["provenance"] = before["provenance"]
    assert after == before  # no other key changed


def test_set_key_keeps_comment_lines_and_roots_order(tmp_path: Path) -> None:
    path = tmp_path / "sw.yaml"
    path.write_text(
        "# header\n"
        "lang: sw\n"
        "language_id:\n"
        "  label: sw\n"
        "filters:\n"
        "  word_repetition:\n"
        "    max: 0.2\n"
        "  perplexity:\n"
        "    enabled: false  # off until a model exists\n"
        "    max: 1000\n"
        "# PII removal\n"
        "pii:\n"
        "  enabled: true\n",
        encoding="utf-8",
    )
    data = load_document(path)
    set_key(data, ("filters", "perplexity", "kenlm_model"), "sw.arpa")
    set_key(data, ("filters", "number_words", "min"), 5, "derived: q05")
    set_key(data, ("derived",), True)
    save_document(path, data)
    assert path.read_text(encoding="utf-8") == (
        "# header\n"
        "lang: sw\n"
        "language_id:\n"
        "  label: sw\n"
        "filters:\n"
        "  number_words:\n"  # a new filter section goes where ROOTS order puts it
        "    min: 5  # derived: q05\n"
        "  word_repetition:\n"
        "    max: 0.2\n"
        "  perplexity:\n"
        "    enabled: false  # off until a model exists\n"
        "    max: 1000\n"
        "    kenlm_model: sw.arpa\n"  # a new key goes last, above the comment of the next section
        "# PII removal\n"
        "pii:\n"
        "  enabled: true\n"
        "derived: true\n"
    )


def test_user_errors_are_one_line(
    filtered_run: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir, languages = filtered_run
    assert main(["thresholds", "derive", str(tmp_path), "--lang", "sw"]) == 2
    assert "no filter output" in capsys.readouterr().err
    assert main(["thresholds", "derive", str(run_dir), "--lang", "xx"]) == 2
    assert "no filtered documents of language 'xx'" in capsys.readouterr().err
    empty = tmp_path / "langs"
    empty.mkdir()
    args = ["thresholds", "derive", str(run_dir), "--lang", "sw", "--write", "--languages-dir", str(empty)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "sw.yaml: language config not found" in err and len(err.strip().splitlines()) == 1
