"""Run folders: one command per stage at a time (advisory lock), execution settings never taken from a
folder's recorded config, and working files that never go missing under their completion markers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from roots.dedup.tables import DOCS, read_parts
from roots.runlock import lock_path, stage_lock
from tests.conftest import REPO, run_roots
from tests.dedup_helpers import mixed_corpus, run_dedup, write_run
from tests.test_dedup_resume import _corpus


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_second_command_on_a_stage_in_use_gets_one_line(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", mixed_corpus()[0])
    with stage_lock(run.root, "dedup"):
        done = run_roots("dedup", str(run.root), "--workers", "1")
    assert done.returncode == 2
    line = _one_error_line(done.stderr)
    assert f"the dedup stage is being run by pid {os.getpid()} on {socket.gethostname()}" in line
    assert not (run.root / "dedup" / "stats.json").exists()
    assert not lock_path(run.root, "dedup").exists()  # released and removed
    assert run_roots("dedup", str(run.root), "--workers", "1").returncode == 0


def test_two_dedup_commands_at_once_one_runs_the_other_says_so(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", _corpus())
    command = [sys.executable, "-m", "roots", "dedup", str(run.root), "--workers", "2"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = lock_path(run.root, "dedup")
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert first.poll() is None, "the first dedup finished before the second could start"
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert first.wait(timeout=600) == 0, first.stderr.read() if first.stderr else ""
    assert second.returncode == 2
    assert f"is being run by pid {first.pid} on " in _one_error_line(second.stderr)
    assert (run.root / "dedup" / "stats.json").is_file()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", mixed_corpus()[0])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock = lock_path(run.root, "dedup")
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": 0}))
    done = run_roots("dedup", str(run.root), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert f"stale lock of pid {int(dead.stdout)}" in done.stderr
    assert not lock.exists()


def test_execution_settings_of_a_run_folder_are_not_used(tmp_path: Path) -> None:
    """A run folder whose config.yaml names a Ray cluster: later commands run locally all the same."""
    run = write_run(tmp_path / "run", mixed_corpus()[0])
    config = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    config |= {"executor": "ray", "ray_address": "192.0.2.1:6379", "workers": 64, "shard_tries": 1}
    run.config.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = run_roots("dedup", str(run.root))
    assert done.returncode == 0, done.stderr
    assert "ray" not in done.stderr.lower()
    recorded = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    assert (recorded["executor"], recorded["ray_address"]) == ("local", None)  # what this command used


def test_a_missing_working_file_is_an_error_not_an_empty_table(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", mixed_corpus()[0])
    run_dedup(run, {"keep_intermediate": True})
    docs = run.root / "dedup" / "_signatures" / "docs"
    assert len(read_parts(run, "dedup/_signatures", "docs", [0, 1, 2], DOCS)) > 0
    (docs / "part-00001.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="part-00001.parquet"):
        read_parts(run, "dedup/_signatures", "docs", [0, 1, 2], DOCS)


def test_a_killed_cleanup_never_leaves_markers_without_their_data(tmp_path: Path) -> None:
    """The cleanup renames each step folder away before deleting it: a step folder either is whole (markers
    and data) or is gone; a re-run of a finished dedup finishes the cleanup and changes nothing else."""
    from roots.dedup.stage import TRASH, remove_intermediate

    run = write_run(tmp_path / "run", mixed_corpus()[0])
    run_dedup(run, {"keep_intermediate": True})
    root = run.root / "dedup"
    (root / "_pairs_a").rename(root / f"{TRASH}_pairs_a")  # where a kill during the cleanup leaves it
    kept = {p.name: p.read_bytes() for p in (root / "kept").iterdir()}
    stats = (root / "stats.json").read_bytes()
    remove_intermediate(run)
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(("_", "."))) == ["_done", "_errors"]
    run_dedup(run)
    assert (root / "stats.json").read_bytes() == stats
    assert {p.name: p.read_bytes() for p in (root / "kept").iterdir()} == kept
