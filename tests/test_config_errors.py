"""User errors get one clear line naming file and key, a non-zero exit, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_roots


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _one_line_error(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("run_dir: r\nsources: []\nfliter: {}\n", ["pipeline.yaml", "unknown key 'fliter'", "filter"]),
        ("run_dir: r\nworkers: many\n", ["pipeline.yaml", "workers", "'many'", "integer"]),
        ("run_dir: r\nworkers: 0\n", ["pipeline.yaml", "workers", "greater than or equal to 1"]),
        ("sources: []\n", ["pipeline.yaml", "missing required key 'run_dir'"]),
        (
            "run_dir: r\nsources:\n  - type: wrac\n    paths: [x]\n",
            ["pipeline.yaml", "sources[0]", "'wrac'", "warc"],
        ),
        (
            "run_dir: r\nsources:\n  - type: jsonl\n    paths: [nope.jsonl]\n",
            ["pipeline.yaml", "sources[0].paths", "nope.jsonl", "does not exist"],
        ),
        (
            "run_dir: r\nsources:\n  - type: jsonl\n    paths: ['*.nothing']\n",
            ["sources[0].paths", "matches no file"],
        ),
        (
            "run_dir: r\nsources:\n  - type: jsonl\n    path: [a]\n",
            ["unknown key 'sources[0].path'", "paths"],
        ),
        ("run_dir: r\nfilter:\n  languages_dir: 3\n", ["filter.languages_dir", "string"]),
        ("run_dir: r\nexecutor: spark\n", ["executor", "'spark'", "'local' or 'ray'"]),
        ("run_dir: [unclosed\n", ["pipeline.yaml", "not valid YAML", "line"]),
        ("- just\n- a list\n", ["pipeline.yaml", "expected a mapping"]),
    ],
)
def test_bad_pipeline_yaml_gets_one_clear_line(tmp_path, yaml_text, expected):
    line = _one_line_error(run_roots("run", str(_write(tmp_path, yaml_text)), cwd=tmp_path))
    for fragment in expected:
        assert fragment in line, line


def test_missing_pipeline_file(tmp_path):
    line = _one_line_error(run_roots("run", str(tmp_path / "absent.yaml")))
    assert "absent.yaml" in line and "not found" in line


def test_missing_run_directory(tmp_path):
    line = _one_line_error(run_roots("filter", str(tmp_path / "norun")))
    assert "norun" in line and "roots extract" in line


def test_missing_input_file_on_command_line(tmp_path):
    line = _one_line_error(
        run_roots("extract", "jsonl", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "r"))
    )
    assert "x.jsonl" in line and "does not exist" in line


def test_every_command_has_help():
    for command in (
        [],
        ["extract"],
        ["extract", "jsonl"],
        ["extract", "hf"],
        ["extract", "warc"],
        ["extract", "pdf"],
        ["filter"],
        ["dedup"],
        ["export"],
        ["export", "megatron"],
        ["dashboard"],
        ["run"],
        ["demo"],
    ):
        result = run_roots(*command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage:" in result.stdout
