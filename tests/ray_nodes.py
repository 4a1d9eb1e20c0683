"""A Ray cluster of several nodes on 127.0.0.1 for the tests: ``ray start --head`` plus ``ray start --address``
per extra node, each node with its own temporary folder and free ports; stopped (and its processes killed)
afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO
from tests.s3_server import free_port

NODE_PORTS = ("dashboard-agent-listen-port", "dashboard-agent-grpc-port", "runtime-env-agent-port",
              "metrics-export-port", "node-manager-port", "object-manager-port")  # fmt: skip
HEAD_PORTS = ("ray-client-server-port", "dashboard-port")


def _ports(names: tuple[str, ...]) -> list[str]:
    return [f"--{name}={free_port()}" for name in names]


def _alive_nodes(address: str, env: dict[str, str]) -> int:
    probe = (
        f"import ray; ray.init(address={address!r}, logging_level='ERROR'); "
        "print(sum(1 for n in ray.nodes() if n['Alive']))"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    return int(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else 0


@contextlib.contextmanager
def ray_nodes(count: int = 2, cpus: int = 1) -> Iterator[tuple[str, list[Path]]]:
    """Start ``count`` nodes of ``cpus`` CPUs; yields the head's ``HOST:PORT`` and each node's temp folder."""
    temps = [Path(tempfile.mkdtemp(prefix=f"rn{i}-", dir="/tmp")) for i in range(count)]  # short socket paths
    port = free_port()
    address = f"127.0.0.1:{port}"
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "disabled",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    common = ["--block", "--node-ip-address=127.0.0.1", f"--num-cpus={cpus}", "--disable-usage-stats",
              "--object-store-memory=100000000"]  # fmt: skip
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i, temp in enumerate(temps):
            where = ["--head", f"--port={port}", "--include-dashboard=false", *_ports(HEAD_PORTS)] if i == 0 else [
                f"--address={address}"
            ]
            command = [sys.executable, "-m", "ray.scripts.scripts", "start", *where, *common,
                       f"--temp-dir={temp}", *_ports(NODE_PORTS)]  # fmt: skip
            with open(temp / "node.log", "wb") as log:
                procs.append(
                    subprocess.Popen(command, env=env, cwd=temp, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip
                )
            if i == 0:
                _wait_for_port(port, procs[0], temp)
        deadline = time.monotonic() + 180
        while _alive_nodes(address, env) < count:
            assert time.monotonic() < deadline, f"{count} Ray nodes did not come up in 180 s"
            assert all(p.poll() is None for p in procs), "a Ray node exited at start"
            time.sleep(1)
        yield address, temps
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)  # `ray start --block` stops what it started
        for proc in reversed(procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=90)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], temp: Path) -> None:
    import socket

    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, (temp / "node.log").read_text(errors="replace")[-3000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "the Ray head node did not start in 120 s"
            time.sleep(0.5)
