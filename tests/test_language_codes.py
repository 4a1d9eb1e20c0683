"""Language codes are checked wherever they enter (CLI, YAML, run data) and never name a path outside
their folder; a killed save's temporary file is never read as a language config (issue 17, items 8-9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roots.errors import UserError
from roots.filters import yamledit
from roots.filters.language_config import language_config_path, parse_config
from roots.filters.registry import LanguageRegistry
from roots.langcode import is_lang_code, path_inside
from roots.schema import make_document
from tests.conftest import REPO, run_roots
from tests.dashboard_fixtures import SW_YAML, add_filter_documents, build_dashboard_run

APP = REPO / "roots" / "visualizer" / "app.py"
HOSTILE = ["../../../x", "/etc/x", "sw/../../x", "x\\..\\y", "", "SW", "s", "sw\n", "sw.yaml"]


@pytest.mark.parametrize("code", ["sw", "fon", "zh-hant", "und"])
def test_language_codes_that_are_accepted(code: str) -> None:
    assert is_lang_code(code)


@pytest.mark.parametrize("code", HOSTILE)
def test_malformed_codes_are_refused_and_name_no_path(tmp_path: Path, code: str) -> None:
    assert not is_lang_code(code)
    with pytest.raises(UserError):
        language_config_path(tmp_path, code)
    with pytest.raises(UserError):
        yamledit.language_file(tmp_path, code)


def test_path_inside_refuses_folder_parts(tmp_path: Path) -> None:
    assert path_inside(tmp_path, "sw.yaml") == tmp_path / "sw.yaml"
    for name in ("../x.yaml", "/etc/x.yaml", "a/b.yaml", ".."):
        with pytest.raises(UserError):
            path_inside(tmp_path, name)


def test_a_yaml_with_a_malformed_lang_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"x\.yaml: lang = '\.\./\.\./x'.*not a language code"):
        parse_config(SW_YAML.replace("lang: sw", "lang: ../../x"), tmp_path / "x.yaml")


def test_cli_refuses_a_malformed_lang_in_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "hello world"}\n', encoding="utf-8")
    result = run_roots("extract", "jsonl", str(corpus), "--out", str(tmp_path / "run"), "--lang", "../../../x")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a language code" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").rglob("*.parquet"))


def test_a_run_with_a_malformed_lang_cannot_make_the_dashboard_write_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run folder someone sent: documents whose lang is ``../../../x`` (as an older extract wrote them)."""
    fixture = build_dashboard_run(tmp_path / "a" / "b" / "c")
    bad = "../../../x"
    docs = [make_document(source="crawl", locator=f"bad#{i}", text="bad doc", lang=bad) for i in range(3)]
    add_filter_documents(fixture, docs)
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    monkeypatch.setenv("ROOTS_DASHBOARD_RUN", str(fixture.run))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["page"] = "Filter tuning"
    at.run()
    assert not at.exception
    assert bad not in " ".join(at.selectbox(key="tune:language").options)
    assert any("malformed language code" in w.value and "'../../../x'" in w.value for w in at.warning)
    at.slider(key="tune:sw:number_words:min").set_value(15).run()
    at.button(key="tune:sw:save").click().run()
    after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".roots-save.lock")
    assert after == before  # sw.yaml rewritten in place, nothing new anywhere (no x.yaml)
    assert not list(tmp_path.rglob("x.yaml"))


def test_a_killed_saves_temporary_file_is_ignored_and_swept(tmp_path: Path) -> None:
    fixture = build_dashboard_run(tmp_path)
    languages = fixture.languages_dir
    (languages / "default.yaml").write_text((REPO / "configs/languages/default.yaml").read_text())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = languages / f".tmp-{int(dead.stdout)}-sw.yaml"
    stale.write_text(SW_YAML[: len(SW_YAML) // 2], encoding="utf-8")  # half written, then killed
    live = languages / f".tmp-{os.getppid()}-yo.yaml"  # a save in flight in another live process
    live.write_text("lang: yo\n", encoding="utf-8")
    registry = LanguageRegistry(languages)  # `roots filter` reads the folder without complaint
    assert sorted(registry.languages) == ["sw", "yo"]
    file = yamledit.language_file(languages, "sw")
    yamledit.save(file, file.text.replace("min: 10 ", "min: 12 "))
    assert not stale.exists() and live.exists()
