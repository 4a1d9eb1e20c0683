"""A real ``roots dedup`` subprocess killed with SIGKILL mid-dedup, then re-run: byte-identical output."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.dedup_helpers import doc, edit, outputs, words, write_run

SHARDS, DOCS_PER_SHARD = 12, 300


def _corpus() -> list[list[dict]]:
    rng = random.Random(21)
    bases = [words(rng, 150) for _ in range(SHARDS * DOCS_PER_SHARD // 2)]
    shards: list[list[dict]] = [[] for _ in range(SHARDS)]
    for i, base in enumerate(bases):
        shards[i % SHARDS].append(doc(f"o{i}", " ".join(base), url=f"https://s{i % 7}.org/{i}"))
        copy = edit(rng, base, 0.01) if i % 3 else base
        shards[(i * 5 + 1) % SHARDS].append(doc(f"c{i}", " ".join(copy), url=f"https://m.org/{i}"))
    return shards


def _dedup(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "roots", "dedup", str(run_dir), "--workers", "2"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    run = write_run(tmp_path_factory.mktemp("ref") / "run", _corpus())
    subprocess.run(_dedup(run.root), check=True, cwd=REPO, capture_output=True)
    return outputs(run)


@pytest.mark.slow
@pytest.mark.parametrize("marker_dir", ["_signatures/_done", "_pairs_b/_done", "_done"])
def test_sigkill_mid_dedup_then_rerun_is_byte_identical(tmp_path, reference, marker_dir):
    run = write_run(tmp_path / "run", _corpus())
    proc = subprocess.Popen(
        _dedup(run.root),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    markers = run.root / "dedup" / marker_dir
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if markers.is_dir() and any(markers.glob("*.json")):
            break
        time.sleep(0.002)
    assert proc.poll() is None, "dedup finished before it could be killed; make the corpus larger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (run.root / "dedup" / "stats.json").exists()  # killed mid-dedup

    resumed = subprocess.run(_dedup(run.root), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert outputs(run) == reference
    assert not list(run.root.rglob(".tmp-*"))
