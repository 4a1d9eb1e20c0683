"""A third-party filter (tests/plugins/roots-shouting, installed with ``pip install -e`` and registered in the
``roots.filters`` entry-point group) behaves like a built-in one: filter stage, derive, dashboard, save-back."""

from __future__ import annotations

import json
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from roots.errors import UserError
from roots.filters import catalog
from roots.filters.language_config import load_language_config, parse_config
from tests.conftest import REPO, run_roots

PLUGIN = REPO / "tests" / "plugins" / "roots-shouting"
APP = REPO / "roots" / "visualizer" / "app.py"
SENTENCES = [
    "The village sits at the edge of a wide valley and the people there have worked the same fields for years.",
    "In the spring the river rises and the farmers wait for the water to go down before they plant the seeds.",
    "The school was built by the families themselves, and the teacher still lives in the small house next to it.",
    "If you want to visit, write to the office and they will tell you when the market is open in the town.",
    "Most of the houses are made of wood, and in the winter the smoke of the stoves hangs over the roofs.",
    "On market days the square is full of people who come from the farms around to sell what they have grown.",
]
SHOUTED = {3, 7, 10}  # documents written in capitals: 1.0 of their letters are upper case
HALF = {5}  # a document with about half of its sentences in capitals


def _documents() -> list[str]:
    docs = []
    for i in range(12):
        parts = [SENTENCES[(i + j) % len(SENTENCES)] for j in range(3)]
        if i in HALF:
            parts = [parts[0].upper(), parts[1].upper(), parts[2]]
        text = " ".join(parts)
        docs.append(text.upper() if i in SHOUTED else text)
    return docs


def _ratio(text: str) -> float:
    up = sum(c.isupper() for c in text)
    return up / (up + sum(c.islower() for c in text))


@pytest.fixture(scope="module", autouse=True)
def plugin_installed() -> None:
    names = {e.name: e for e in entry_points(group="roots.filters")}
    if "shouting" not in names or "shouting" not in catalog.BY_NAME:
        pytest.fail(
            f"the example filter plugin is not installed: pip install -e {PLUGIN} (scripts/test.sh does)"
        )


def _languages(root: Path, shouting: dict | None = None) -> Path:
    languages = root / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    path = languages / "en.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["filters"]["lang_id"]["enabled"] = False  # capitals are about shouting here, not language
    data["filters"]["shouting"] = shouting or {"max": 0.5}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return languages


@pytest.fixture(scope="module")
def filtered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("plugin")
    languages = _languages(root)
    (root / "en.jsonl").write_text(
        "".join(json.dumps({"text": t}) + "\n" for t in _documents()), encoding="utf-8"
    )
    run = root / "run"
    for args in (
        ["extract", "jsonl", str(root / "en.jsonl"), "--lang", "en", "--out", str(run), "--workers", "1"],
        ["filter", str(run), "--languages-dir", str(languages), "--workers", "1"],
    ):
        done = run_roots(*args)
        assert done.returncode == 0, done.stderr
    return run, languages


def _rows(run: Path) -> list[dict]:
    return [
        row
        for kind in ("kept", "removed")
        for part in sorted((run / "filter" / kind).glob("part-*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]


def test_the_plugin_comes_from_its_entry_point() -> None:
    (entry,) = [e for e in entry_points(group="roots.filters") if e.name == "shouting"]
    assert entry.dist is not None and entry.dist.name == "roots-shouting"
    assert catalog.BY_NAME["shouting"] is entry.load()
    assert catalog.FILTER_ORDER.index("shouting") > catalog.FILTER_ORDER.index("perplexity")


def test_unknown_filter_names_the_installed_ones() -> None:
    with pytest.raises(UserError) as info:
        parse_config(
            "lang: en\nlanguage_id: {identifier: fasttext, label: en}\nfilters:\n  shoutin: {}\n", "x.yaml"
        )
    message = str(info.value)
    assert message.startswith("x.yaml: ") and "unknown filter 'shoutin'" in message
    assert "shouting" in message and "number_words" in message and "\n" not in message


def test_a_bad_plugin_value_is_a_one_line_error() -> None:
    with pytest.raises(UserError) as info:
        parse_config(
            "lang: en\nlanguage_id: {identifier: fasttext, label: en}\nfilters:\n  shouting: {max: 2}\n",
            "x.yaml",
        )
    assert str(info.value).startswith("x.yaml: filters.shouting.max = 2: ")


def test_the_filter_stage_runs_the_plugin_where_a_yaml_lists_it(filtered: tuple[Path, Path]) -> None:
    run, languages = filtered
    rows = _rows(run)
    en = [r for r in rows if r["lang"] == "en"]
    assert len(en) == 12
    for row in en:
        ratio = _ratio(row["text"])
        assert row["uppercase_ratio"] == pytest.approx(ratio)
        assert (row["drop_reason"] == "shouting") == (ratio > 0.5), row["text"][:40]
    assert sum(r["drop_reason"] == "shouting" for r in en) == len(SHOUTED) + len(HALF)
    # fr.yaml does not list the filter: its documents get no such statistic
    from roots.filters.scorer import LanguageScorer

    fr = LanguageScorer.for_language("fr", languages).score(["Un texte en français, écrit EN CAPITALES."])
    assert "uppercase_ratio" not in fr.column_names
    stats = json.loads((run / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert "shouting" in json.dumps(stats)
    schema = pq.read_schema(next((run / "filter" / "kept").glob("part-*.parquet")))
    assert schema.names.index("uppercase_ratio") == schema.names.index("drop_reason") - 1


def test_derive_writes_the_plugin_threshold(filtered: tuple[Path, Path], tmp_path: Path) -> None:
    run, languages = filtered
    copy = tmp_path / "languages"
    shutil.copytree(languages, copy)
    done = run_roots(
        "thresholds", "derive", str(run), "--lang", "en", "--languages-dir", str(copy), "--write"
    )
    assert done.returncode == 0, done.stderr
    assert "filters.shouting.max" in done.stdout
    config = load_language_config(copy / "en.yaml")
    ratios = sorted(_ratio(t) for t in _documents())
    import numpy as np

    expected = round(min(max(float(np.quantile(ratios, 0.95)) + 0.05, 0.2), 0.9), 3)
    assert config.filters.get("shouting").max == expected  # type: ignore[union-attr]
    assert "derived: clamp(q95 + 0.05, 0.2, 0.9)" in (copy / "en.yaml").read_text(encoding="utf-8")


def test_the_dashboard_tunes_and_saves_the_plugin(
    filtered: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, languages = filtered
    copy = tmp_path / "languages"
    shutil.copytree(languages, copy)
    monkeypatch.setenv("ROOTS_DASHBOARD_RUN", str(run))
    monkeypatch.setenv("ROOTS_DASHBOARD_LANGUAGES_DIR", str(copy))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["page"] = "Filter tuning"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="tune:language").set_value("en").run()
    assert any(m.value == "#### 9. Capital letters (shouting)" for m in at.markdown)
    kept = lambda: int(next(m.value for m in at.metric if m.label == "Documents kept").replace(",", ""))  # noqa: E731
    assert kept() == 12 - len(SHOUTED) - len(HALF)
    at.slider(key="tune:en:shouting:max").set_value(0.9).run()  # the half-shouted document is kept now
    assert kept() == 12 - len(SHOUTED)
    at.selectbox(key="tune:en:examples").set_value("shouting").run()
    assert not at.exception
    at.button(key="tune:en:save").click().run()
    assert not at.exception
    saved = load_language_config(copy / "en.yaml")
    assert saved.filters.get("shouting").max == 0.9  # type: ignore[union-attr]


@pytest.mark.browser
def test_the_dashboard_shows_the_plugin_in_chromium(filtered: tuple[Path, Path]) -> None:
    from playwright.sync_api import expect

    from scripts.dashboard_screenshot import browser_page, free_port, open_tuning, serve

    run, languages = filtered
    with serve(run, free_port(), languages) as url, browser_page(height=4000) as page:
        open_tuning(page, url, "en")
        expect(page.get_by_text("9. Capital letters (shouting)")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("The share of letters that are capitals.", exact=False)).to_be_visible()
