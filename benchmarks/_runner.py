"""Shared by the source benchmarks: run a contender as a fresh process and keep its best wall time."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_timed(cmd: Sequence[str]) -> tuple[float, dict[str, Any]]:
    """Wall time of ``cmd`` (interpreter start and imports included) and the JSON it prints last,
    plus ``cpu``: user + system seconds of the whole process tree (every waited-for descendant)."""
    env = {**os.environ, "ROOTS_PROGRESS": "0", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(cmd), capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    info["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, info


def best_of(
    repeat: int, contenders: dict[str, list[str]], outputs: dict[str, Path]
) -> dict[str, tuple[float, dict[str, Any]]]:
    """Each contender ``repeat`` times, interleaved (machine load drifts), keeping the fastest run.

    ``outputs`` are deleted before each run: a finished roots run directory would be resumed, not redone.
    """
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    for _ in range(repeat):
        for name, cmd in contenders.items():
            if name in outputs:
                shutil.rmtree(outputs[name], ignore_errors=True)
            elapsed, info = run_timed(cmd)
            if name not in best or elapsed < best[name][0]:
                best[name] = (elapsed, info)
    return best


def python(*args: str) -> list[str]:
    return [sys.executable, *args]
