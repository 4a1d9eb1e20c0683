"""Shared test helpers: run the CLI in-process or as a real subprocess, compare run directories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("ROOTS_PROGRESS", "0")


def run_roots(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real ``roots`` command line in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "roots", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "ROOTS_PROGRESS": "0"},
    )


def tree_bytes(root: Path, exclude: tuple[str, ...] = ("config.yaml",)) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes), for byte-identity comparisons."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in exclude
    }


def write_jsonl_corpus(path: Path, n: int, *, bad_every: int = 0) -> Path:
    """A jsonl file of ``n`` small documents; every ``bad_every``-th line is malformed JSON."""
    import json

    lines = []
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            lines.append('{"text": "unterminated\n')
        else:
            lines.append(
                json.dumps({"text": f"document number {i} " + "word " * (i % 7), "url": f"http://x/{i}"})
                + "\n"
            )
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def jsonl_corpus(tmp_path: Path) -> Path:
    return write_jsonl_corpus(tmp_path / "corpus.jsonl", 120, bad_every=25)
