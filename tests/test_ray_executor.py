"""The Ray executor on a real local Ray cluster, and shard-failure handling of both executors.

One Ray head node is started for the whole module (``ray start --head --block`` with free ports, token
auth off, its own temp dir) and stopped at the end by signalling the process this module started.
Failures are made by ``ToyStage``: a real stage run by the real executors, whose shards fail (raise,
``os._exit`` or SIGKILL) as long as, or once, a control file says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from roots.executors import LocalExecutor, ShardsFailed, make_executor, run_stage
from roots.layout import RunLayout
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats
from tests.conftest import REPO, run_roots, tree_bytes, write_jsonl_corpus

ray = pytest.importorskip("ray")

SHARDS = 6


class ToyStage(Stage):
    """Six shards of three rows each. ``control/fail-<i>`` makes shard i fail: its text is ``raise``,
    ``exit`` or ``kill``, prefixed by ``once-`` to fail only the first time. Every try of shard i
    appends a line to ``control/tries-<i>``."""

    subdir = "toy"

    def __init__(self, control: Path) -> None:
        self.control = str(control)

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        return {"shards": SHARDS}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return [ShardTask(i, {"i": i}) for i in range(SHARDS)]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        i = task.payload["i"]
        control = Path(self.control)
        with open(control / f"tries-{i}", "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        self._maybe_fail(control / f"fail-{i}", i)
        texts = [f"shard {i} row {r}" for r in range(3)]
        stats = StageStats()
        for text in texts:
            stats.add_in("xx", len(text))
            stats.add_kept("xx", len(text))
        return ShardOutput(tables={None: pa.table({"text": texts})}, stats=stats)

    @staticmethod
    def _maybe_fail(path: Path, i: int) -> None:
        try:
            mode = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        if mode.startswith("once-"):
            try:
                path.rename(path.with_suffix(".used"))  # only one try may claim the failure
            except FileNotFoundError:
                return
            mode = mode.removeprefix("once-")
        if mode == "raise":
            raise RuntimeError(f"planted failure in shard {i}")
        if mode == "exit":
            os._exit(3)
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)


def _tries(control: Path, i: int) -> int:
    path = control / f"tries-{i}"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.fixture
def control(tmp_path: Path) -> Path:
    path = tmp_path / "control"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def clean_toy_output(tmp_path_factory) -> dict[str, bytes]:
    """The toy stage's output when nothing fails (local, one worker)."""
    tmp = tmp_path_factory.mktemp("clean")
    (tmp / "control").mkdir()
    run = RunLayout(tmp / "run")
    with LocalExecutor(1) as executor:
        run_stage(ToyStage(tmp / "control"), run, executor)
    return tree_bytes(run.root)


# ------------------------------------------------------------------ a real Ray cluster for the module
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_pids(sid: int) -> list[int]:
    """Processes of the session started with the head node (Ray's workers have their own process groups)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            pids.append(int(stat.parent.name))
    return pids


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """Start one Ray head node (2 CPUs) for this module; yields its ``HOST:PORT`` address."""
    temp = Path(tempfile.mkdtemp(prefix="roots-ray-", dir="/tmp"))  # short: Ray's socket paths are limited
    port = _free_port()
    ports = {
        name: _free_port()
        for name in (
            "dashboard-port",
            "ray-client-server-port",
            "dashboard-agent-listen-port",
            "dashboard-agent-grpc-port",
            "runtime-env-agent-port",
            "metrics-export-port",
        )
    }
    saved_auth = os.environ.get("RAY_AUTH_MODE")
    os.environ["RAY_AUTH_MODE"] = "disabled"  # no token file in ~/.ray; drivers below inherit this
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", f"--port={port}",
        "--node-ip-address=127.0.0.1", "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
        f"--temp-dir={temp}", "--object-store-memory=200000000",
        *(f"--{name}={value}" for name, value in ports.items()),
    ]  # fmt: skip
    log = open(temp / "head.log", "wb")  # noqa: SIM115 - open for the cluster's lifetime
    head = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert head.poll() is None, (temp / "head.log").read_text(errors="replace")[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the Ray head node did not start in 120 s"
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)  # `ray start --block` stops everything it started
        with contextlib.suppress(subprocess.TimeoutExpired):
            head.wait(timeout=90)
        for pid in _session_pids(head.pid):
            os.kill(pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(temp, ignore_errors=True)
        if saved_auth is None:
            os.environ.pop("RAY_AUTH_MODE", None)
        else:
            os.environ["RAY_AUTH_MODE"] = saved_auth


@pytest.fixture(scope="module")
def ray_executor(ray_cluster: str) -> Iterator[Any]:
    """One driver connection for the in-process tests, made by the executor itself."""
    os.environ["ROOTS_RAY_TEST"] = "forwarded"  # the executor passes ROOTS_* variables to the tasks
    executor = make_executor("ray", ray_address=ray_cluster)
    executor.connect()
    del os.environ["ROOTS_RAY_TEST"]
    yield executor
    executor.close()


# ------------------------------------------------------------------ retries and failures, both executors
@pytest.fixture(params=["local-1", "local-2", "ray"])
def any_executor(request) -> Any:
    if request.param == "ray":
        return request.getfixturevalue("ray_executor")
    executor = LocalExecutor(int(request.param[-1]))
    request.addfinalizer(executor.close)
    return executor


def test_shard_that_raises_once_is_retried(any_executor, control, tmp_path, clean_toy_output):
    (control / "fail-2").write_text("once-raise")
    run = RunLayout(tmp_path / "run")
    run_stage(ToyStage(control), run, any_executor)
    assert _tries(control, 2) == 2
    assert all(_tries(control, i) == 1 for i in range(SHARDS) if i != 2)
    assert tree_bytes(run.root) == clean_toy_output


def test_shard_failing_every_try_is_recorded_and_the_rerun_resumes(
    any_executor, control, tmp_path, clean_toy_output
):
    (control / "fail-4").write_text("raise")
    run = RunLayout(tmp_path / "run")
    with pytest.raises(ShardsFailed) as info:
        run_stage(ToyStage(control), run, any_executor)
    message = str(info.value)
    assert "\n" not in message
    assert "1 of 6 shard(s) failed after 3 tries" in message
    assert "shard 4: RuntimeError: planted failure in shard 4" in message
    assert "run the same command again to resume" in message
    sdir = run.root / "toy"
    assert not (sdir / "stats.json").exists()  # incomplete: later stages refuse to start
    assert sorted(p.name for p in (sdir / "_done").iterdir()) == [
        f"part-0000{i}.json" for i in (0, 1, 2, 3, 5)
    ]
    records = [json.loads(line) for line in (sdir / "errors.jsonl").read_text().splitlines()]
    assert len(records) == 1
    record = records[0]
    assert {k: record[k] for k in ("stage", "shard", "payload", "reason", "error", "tries")} == {
        "stage": "toy",
        "shard": 4,
        "payload": {"i": 4},
        "reason": "shard_failed",
        "error": "RuntimeError: planted failure in shard 4",
        "tries": 3,
    }
    assert "planted failure in shard 4" in record["traceback"]
    assert _tries(control, 4) == 3

    (control / "fail-4").unlink()  # the cause is fixed: the same run again redoes only shard 4
    run_stage(ToyStage(control), run, any_executor)
    assert _tries(control, 4) == 4
    assert all(_tries(control, i) == 1 for i in range(SHARDS) if i != 4)
    assert tree_bytes(run.root) == clean_toy_output


def test_tries_are_configurable(control, tmp_path):
    (control / "fail-1").write_text("raise")
    with make_executor("local", 2, tries=5) as executor, pytest.raises(ShardsFailed, match="after 5 tries"):
        run_stage(ToyStage(control), RunLayout(tmp_path / "run"), executor)
    assert _tries(control, 1) == 5


# ------------------------------------------------------------------ workers that die
@pytest.mark.parametrize("how", ["kill", "exit"])
def test_local_worker_that_dies_once_is_retried(how, control, tmp_path, clean_toy_output):
    (control / "fail-3").write_text(f"once-{how}")
    run = RunLayout(tmp_path / "run")
    with LocalExecutor(2) as executor:
        run_stage(ToyStage(control), run, executor)
    assert _tries(control, 3) == 2
    assert tree_bytes(run.root) == clean_toy_output
    assert not list(run.root.rglob(".tmp-*"))


def test_local_worker_killed_every_try_is_recorded_and_others_are_not_charged(control, tmp_path):
    (control / "fail-1").write_text("kill")
    run = RunLayout(tmp_path / "run")
    with LocalExecutor(2) as executor, pytest.raises(ShardsFailed, match="shard 1: WorkerDied"):
        run_stage(ToyStage(control), run, executor)
    records = [json.loads(line) for line in (run.root / "toy" / "errors.jsonl").read_text().splitlines()]
    assert [(r["shard"], r["reason"], r["tries"]) for r in records] == [(1, "shard_failed", 3)]
    assert "SIGKILL" in records[0]["error"]
    assert _tries(control, 1) == 3  # each death was pinned on shard 1 by its worker's note
    # shards that shared the pool with the crashing one were re-run, never recorded as failed
    assert len(list((run.root / "toy" / "_done").iterdir())) == SHARDS - 1


def test_ray_worker_that_dies_once_is_retried(ray_executor, control, tmp_path, clean_toy_output):
    (control / "fail-0").write_text("once-exit")
    run = RunLayout(tmp_path / "run")
    run_stage(ToyStage(control), run, ray_executor)
    assert _tries(control, 0) == 2
    assert tree_bytes(run.root) == clean_toy_output


def _environment(name: str) -> tuple[str | None, str]:
    return os.environ.get(name), os.getcwd()


def test_ray_tasks_see_roots_variables_and_the_drivers_directory(ray_executor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the head node was started in the repository
    [(position, (value, cwd))] = list(ray_executor.map_tries(_environment, [("ROOTS_RAY_TEST",)]))
    assert (position, value, cwd) == (0, "forwarded", str(tmp_path))


# ------------------------------------------------------------------ the command line on Ray
def _jsonl_pipeline(tmp: Path, corpus: Path, run_dir: Path) -> Path:
    path = tmp / f"pipeline-{run_dir.name}.yaml"
    path.write_text(
        f"run_dir: {run_dir}\nworkers: 2\nfilter: null\ndedup: null\n"
        f"sources:\n  - type: jsonl\n    paths: [{corpus}]\n    lines_per_shard: 20\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_jsonl_corpus(tmp_path_factory.mktemp("corpus") / "big.jsonl", 6000, bad_every=97)


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory, corpus) -> tuple[Path, dict[str, bytes]]:
    """A pipeline run with the local executor; returns its folder (re-used by Ray runs) and its bytes."""
    tmp = tmp_path_factory.mktemp("cli")
    pipeline = _jsonl_pipeline(tmp, corpus, tmp / "run")
    result = run_roots("run", str(pipeline), "--executor", "local")
    assert result.returncode == 0, result.stderr
    reference = tree_bytes(tmp / "run")
    shutil.rmtree(tmp / "run")
    return pipeline, reference


def test_cli_ray_and_local_give_identical_bytes(ray_cluster, local_reference):
    pipeline, reference = local_reference
    result = run_roots("run", str(pipeline), "--executor", "ray", "--ray-address", ray_cluster)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = pipeline.parent / "run"
    assert tree_bytes(run_dir) == reference
    assert "executor: ray" in (run_dir / "config.yaml").read_text()
    shutil.rmtree(run_dir)


@pytest.mark.slow
def test_sigkill_of_the_ray_driver_then_rerun_resumes(ray_cluster, local_reference):
    pipeline, reference = local_reference
    run_dir = pipeline.parent / "run"
    command = [
        sys.executable,
        "-m",
        "roots",
        "run",
        str(pipeline),
        "--executor",
        "ray",
        "--ray-address",
        ray_cluster,
    ]
    driver = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    markers = run_dir / "extract" / "_done"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and driver.poll() is None:
        if markers.is_dir() and len(list(markers.glob("*.json"))) >= 40:
            break
        time.sleep(0.005)
    assert driver.poll() is None, "the run finished before it could be killed; make the corpus larger"
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    done_before = len(list(markers.glob("*.json")))
    assert 0 < done_before < 300
    assert not (run_dir / "extract" / "stats.json").exists()

    resumed = run_roots(*command[3:])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "already done" in resumed.stderr
    assert tree_bytes(run_dir) == reference
    assert not list(run_dir.rglob(".tmp-*"))
    shutil.rmtree(run_dir)


@pytest.mark.slow
def test_demo_pipeline_on_ray_gives_the_same_bytes_as_local(ray_cluster, tmp_path):
    """`roots demo` (extract from hf/warc/pdf/jsonl, filter, the dedup steps, export) in the same folder."""
    out = tmp_path / "demo"
    local = run_roots("demo", "--out", str(out), "--workers", "2")
    assert local.returncode == 0, local.stderr[-3000:]
    reference = tree_bytes(out / "run")
    shutil.rmtree(out / "run")
    on_ray = run_roots("demo", "--out", str(out), "--executor", "ray", "--ray-address", ray_cluster)
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    assert "dedup/_signatures" in on_ray.stderr
    assert tree_bytes(out / "run") == reference


def test_unreachable_ray_address_is_a_one_line_user_error(local_reference):
    pipeline, _ = local_reference
    address = f"127.0.0.1:{_free_port()}"
    result = run_roots("run", str(pipeline), "--executor", "ray", "--ray-address", address)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"roots: error: --ray-address {address}: no Ray cluster answers there")
    assert len([line for line in lines if line.startswith("roots: error")]) == 1


# ------------------------------------------------------------------ configuration
def test_shard_tries_and_ray_resources_are_pipeline_keys_and_options(tmp_path):
    from roots.cli import main

    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 5)
    assert main(["extract", "jsonl", str(corpus), "--out", str(tmp_path / "run"), "--shard-tries", "2"]) == 0
    saved = (tmp_path / "run" / "config.yaml").read_text()
    assert "shard_tries: 2" in saved
    assert "ray_num_cpus: 1.0" in saved
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"run_dir: {tmp_path / 'run2'}\nshard_tries: 0\nray_memory_gb: 2\n", encoding="utf-8")
    result = run_roots("run", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"roots: error: {bad}: shard_tries = 0: Input should be greater than or equal to 1"
    )


def test_ray_tasks_get_the_drivers_offline_switches_but_no_credentials(monkeypatch):
    from roots.executors.ray import forwarded_env

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ROOTS_PROGRESS", "0")
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    monkeypatch.setenv("PATH", "/bin")
    env = forwarded_env()
    assert env["HF_HUB_OFFLINE"] == "1" and env["ROOTS_PROGRESS"] == "0"
    assert "HF_TOKEN" not in env and "PATH" not in env
