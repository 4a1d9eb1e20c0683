"""C4's line filter edits the text (a text-modifying filter): removed lines are counted per document, the
other statistics see the edited text, switched off it only measures, and the filter stage keeps the edit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import LanguageScorer
from tests.conftest import REPO, run_roots

FARM = "The farmers of the valley wait for the river to go down before they plant the seeds."
PAGE = "\n".join(["Welcome", "Please enable JavaScript to view this page.", FARM, "Home | About | Contact"])


def _languages(root: Path, lang: str, c4: dict, roots_filters: bool = True) -> Path:
    languages = root / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    path = languages / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not roots_filters:
        for section in data["filters"].values():
            section["enabled"] = False
    data["filters"]["c4_lines"] = c4
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return languages


def test_lines_are_removed_and_counted(tmp_path: Path) -> None:
    scorer = LanguageScorer(LanguageRegistry(_languages(tmp_path, "en", {})).get("en"))
    scored = scorer.compute([PAGE, FARM])
    assert scored.texts == [FARM, FARM]
    assert scored.columns["c4_removed_lines"].tolist() == [3, 0]
    removed = (
        len("Welcome")
        + len("Please enable JavaScript to view this page.")
        + len("Home | About | Contact")
        + 3
    )
    assert scored.columns["c4_removed_char_ratio"].tolist() == [removed / len(PAGE), 0.0]
    # the other statistics are computed on the edited text
    assert scored.columns["number_words"].tolist() == [len(FARM.split())] * 2


def test_switched_off_it_only_measures(tmp_path: Path) -> None:
    scorer = LanguageScorer(LanguageRegistry(_languages(tmp_path, "en", {"enabled": False})).get("en"))
    scored = scorer.compute([PAGE])
    assert scored.texts == [PAGE]
    assert scored.columns["c4_removed_lines"].tolist() == [3]
    assert scorer.drop_reasons(scored.columns).tolist()[0] != "c4_lines"


def test_words_per_line_use_the_language_segmenter(tmp_path: Path) -> None:
    scorer = LanguageScorer(LanguageRegistry(_languages(tmp_path, "zh", {"phrases": []})).get("zh"))
    long_line = "这个村子位于一个宽阔山谷的边缘，住在那里的大多数人世世代代都在耕种同样的田地。"
    scored = scorer.compute(["你好。\n" + long_line])
    assert scored.texts == [long_line]  # "你好。" is one jieba word (+ punctuation): fewer than 3
    assert scored.columns["c4_removed_lines"].tolist() == [1]


def test_the_filter_stage_keeps_the_edited_text_and_removes_over_max(tmp_path: Path) -> None:
    languages = _languages(tmp_path, "en", {"max": 0.5}, roots_filters=False)
    menu = "\n".join([f"Menu item number {i}" for i in range(10)] + [FARM])  # most characters in menu lines
    (tmp_path / "en.jsonl").write_text(
        "".join(json.dumps({"text": t}) + "\n" for t in [PAGE, menu, FARM]), encoding="utf-8"
    )
    run = tmp_path / "run"
    for args in (
        ["extract", "jsonl", str(tmp_path / "en.jsonl"), "--lang", "en", "--out", str(run), "--workers", "1"],
        ["filter", str(run), "--languages-dir", str(languages), "--workers", "1"],
    ):
        done = run_roots(*args)
        assert done.returncode == 0, done.stderr
    kept = [
        r for p in sorted((run / "filter" / "kept").glob("*.parquet")) for r in pq.read_table(p).to_pylist()
    ]
    removed = [
        r
        for p in sorted((run / "filter" / "removed").glob("*.parquet"))
        for r in pq.read_table(p).to_pylist()
    ]
    assert sorted(r["text"] for r in kept) == [FARM, FARM]  # PAGE lost 3 lines, under half its characters
    assert [r["c4_removed_lines"] for r in kept if r["c4_removed_lines"]] == [3]
    assert [(r["drop_reason"], r["c4_removed_lines"]) for r in removed] == [("c4_lines", 10)]
