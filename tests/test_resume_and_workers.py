"""Kill-and-resume byte identity (real SIGKILL) and identical output for 1 and N workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, tree_bytes, write_jsonl_corpus


def _pipeline(tmp: Path, corpus: Path, run_dir: Path, workers: int) -> Path:
    path = tmp / f"pipeline-{run_dir.name}.yaml"
    path.write_text(
        f"run_dir: {run_dir}\nworkers: {workers}\nfilter: null\ndedup: null\n"
        f"sources:\n  - type: jsonl\n    paths: [{corpus}]\n    lines_per_shard: 20\n",
        encoding="utf-8",
    )
    return path


def _cmd(pipeline: Path) -> list[str]:
    return [sys.executable, "-m", "roots", "run", str(pipeline)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_jsonl_corpus(tmp_path_factory.mktemp("c") / "big.jsonl", 6000, bad_every=97)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("ref")
    run_dir = tmp / "run"
    subprocess.run(_cmd(_pipeline(tmp, corpus, run_dir, 1)), check=True, cwd=REPO, capture_output=True)
    return tree_bytes(run_dir)


@pytest.mark.parametrize("workers", [2, 3])
def test_n_workers_give_the_same_bytes_as_one(tmp_path, corpus, reference, workers):
    run_dir = tmp_path / "run"
    subprocess.run(
        _cmd(_pipeline(tmp_path, corpus, run_dir, workers)), check=True, cwd=REPO, capture_output=True
    )
    assert tree_bytes(run_dir) == reference


@pytest.mark.parametrize("kill_after_markers", [1, 40, 150])
def test_sigkill_mid_stage_then_rerun_is_byte_identical(tmp_path, corpus, reference, kill_after_markers):
    run_dir = tmp_path / "run"
    pipeline = _pipeline(tmp_path, corpus, run_dir, 2)
    proc = subprocess.Popen(
        _cmd(pipeline), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    markers = run_dir / "extract" / "_done"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if markers.is_dir() and len(list(markers.glob("part-*.json"))) >= kill_after_markers:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the run finished before it could be killed; make the corpus larger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (run_dir / "extract" / "stats.json").exists()  # killed mid-stage

    resumed = subprocess.run(_cmd(pipeline), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stderr
    assert tree_bytes(run_dir) == reference
    assert not list(run_dir.rglob(".tmp-*"))
