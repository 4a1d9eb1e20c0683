"""FineWeb's line filters (line punctuation, short lines, repeated lines, line breaks per word): multilingual
punctuation, off unless a language YAML lists them, and then like any filter (stage columns, decisions, derive)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from roots.filters.derive import derive_thresholds
from roots.filters.lines import ends_sentence, lines
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import STATISTIC_COLUMNS, LanguageScorer
from tests.conftest import REPO, run_roots

LANGUAGES = REPO / "configs" / "languages"
LINE_FILTERS = {
    "line_punctuation": {"min": 0.5},
    "short_lines": {"max": 0.5, "length": 20},
    "duplicate_line_chars": {"max": 0.2},
    "newline_ratio": {"max": 0.25},
}
COLUMNS = ["line_punctuation_ratio", "short_line_ratio", "duplicate_line_char_ratio", "newline_ratio"]


def _languages(root: Path, langs: tuple[str, ...], roots_filters: bool = True) -> Path:
    languages = root / "languages"
    shutil.copytree(LANGUAGES, languages)
    for lang in langs:
        path = languages / f"{lang}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not roots_filters:  # only the line filters decide
            for section in data["filters"].values():
                section["enabled"] = False
        data["filters"] |= LINE_FILTERS
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return languages


@pytest.mark.parametrize(
    ("line", "ends"),
    [
        ("The market opens at nine.", True),
        ("Is it open?", True),
        ('He said "it is open."', True),
        ("这个村子位于山谷的边缘。", True),
        ("「你好！」", True),
        ("गाँव घाटी के किनारे पर है।", True),
        ("ما هذا؟", True),
        ("یہ گاؤں وادی کے کنارے پر ہے۔", True),
        ("Home | About | Contact", False),
        ("Read more", False),
        ("", False),
    ],
)
def test_sentence_ends_in_every_script(line: str, ends: bool) -> None:
    assert ends_sentence(line) is ends


def test_lines_are_stripped_and_blank_lines_dropped() -> None:
    assert lines("  a \n\n\t b\n  \n") == ["a", "b"]


def test_statistics_on_texts_with_known_values(tmp_path: Path) -> None:
    registry = LanguageRegistry(_languages(tmp_path, ("en", "zh")))
    en = LanguageScorer(registry.get("en"))
    menu = "Home\nAbout us\nContact\nHome\nShop now"
    prose = (
        "The village sits at the edge of a wide valley and the people there have worked the same fields.\n"
        "In the spring the river rises and the farmers wait for the water to go down before they plant."
    )
    table = en.score([menu, prose])
    rows = table.to_pylist()
    assert rows[0]["line_punctuation_ratio"] == 0.0 and rows[1]["line_punctuation_ratio"] == 1.0
    assert rows[0]["short_line_ratio"] == 1.0 and rows[1]["short_line_ratio"] == 0.0
    menu_lines = lines(menu)
    assert rows[0]["duplicate_line_char_ratio"] == pytest.approx(len("Home") / sum(map(len, menu_lines)))
    assert rows[1]["duplicate_line_char_ratio"] == 0.0
    # en's ROOTS modifications keep line breaks out of the words; words as en's segmenter counts them
    words = en.words.batch([menu, prose]).counts
    assert rows[0]["newline_ratio"] == pytest.approx(menu.count("\n") / words[0])
    assert en.drop_reasons(table).tolist()[1] is None
    assert en.drop_reasons(table).tolist()[0] in {"number_words", "line_punctuation"}
    zh = LanguageScorer(registry.get("zh"))
    zh_text = "这个村子位于一个宽阔山谷的边缘，住在那里的大多数人世世代代都在耕种同样的田地。\n春天河水上涨，农民们要等水退了才播种。"
    assert zh.score([zh_text]).to_pylist()[0]["line_punctuation_ratio"] == 1.0


def test_off_unless_a_language_lists_them() -> None:
    registry = LanguageRegistry(LANGUAGES)
    for lang in [*registry.languages, "default"]:
        config = registry.get(lang).config
        assert all(config.filters.get(name) is None for name in LINE_FILTERS), lang
    table = LanguageScorer(registry.get("en")).score(["Some text.\nMore text."])
    assert table.column_names == ["text", *STATISTIC_COLUMNS]  # ROOTS columns only: ROOTS output unchanged


def test_filter_stage_and_derive_with_the_line_filters(tmp_path: Path) -> None:
    languages = _languages(tmp_path, ("en",), roots_filters=False)
    prose = (
        "The village sits at the edge of a wide valley, and most of the people who live there have worked "
        "the same fields for generations. In the spring the river rises and the farmers wait for the water "
        "to go down before they plant. The school was built by the families themselves."
    )
    menu = "\n".join(["Home", "About the village and its people", "Contact the school", "Home"] * 6)
    docs = [prose] * 4 + [menu]
    (tmp_path / "en.jsonl").write_text(
        "".join(json.dumps({"text": t}) + "\n" for t in docs), encoding="utf-8"
    )
    run = tmp_path / "run"
    for args in (
        ["extract", "jsonl", str(tmp_path / "en.jsonl"), "--lang", "en", "--out", str(run), "--workers", "1"],
        ["filter", str(run), "--languages-dir", str(languages), "--workers", "1"],
    ):
        done = run_roots(*args)
        assert done.returncode == 0, done.stderr
    rows = [
        row
        for kind in ("kept", "removed")
        for part in sorted((run / "filter" / kind).glob("part-*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]
    assert sorted(r["drop_reason"] or "kept" for r in rows) == ["kept"] * 4 + ["line_punctuation"]
    assert all(column in rows[0] for column in COLUMNS)
    columns = {c: np.array([r[c] for r in rows], dtype=np.float64) for c in COLUMNS}
    derived = derive_thresholds(columns)
    q05 = float(np.quantile(columns["line_punctuation_ratio"], 0.05))  # of [0, 1, 1, 1, 1]: 0.2
    assert derived.values[("line_punctuation", "min")] == round(min(max(q05, 0.0), 0.12), 3) == 0.12
    assert derived.values[("short_lines", "max")] == 0.67
