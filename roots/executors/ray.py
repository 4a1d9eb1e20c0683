"""Ray executor: every shard of a stage is one Ray task, run by the same ``run_shard`` as locally.

Nothing is distributed by hand: Ray schedules the tasks (``num_cpus``/``memory`` per task), retries
them (``max_retries`` counts both exceptions and dead workers or nodes), and returns their stats.
Outputs and completion markers are written by the tasks into the run directory, which must be on a
filesystem every node sees at the same path; a killed driver therefore resumes like a local run.

``address=None`` starts a private Ray instance for this run (``workers`` CPUs), unless ``RAY_ADDRESS``
is set (e.g. under ``ray job submit``); ``auto`` or ``HOST:PORT`` connects to a running cluster.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import ray

from roots.errors import UserError
from roots.executors.base import DEFAULT_TRIES, Executor, TaskFailure, describe_exception
from roots.executors.local import default_workers

#: environment variables of the driver that tasks see too (offline switches, roots' own settings)
FORWARDED_ENV_PREFIXES = ("ROOTS_", "HF_")
SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "KEY")
#: how often the number of CPUs in the cluster is read again (it grows when an autoscaler adds nodes)
RESIZE_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5.0


def forwarded_env() -> dict[str, str]:
    """The driver's variables that change what a stage does; Ray workers do not inherit the driver's env.

    Credentials (``HF_TOKEN`` …) are left out: they would show in the cluster's job metadata.
    """
    return {
        k: v
        for k, v in sorted(os.environ.items())
        if k.startswith(FORWARDED_ENV_PREFIXES) and not any(s in k for s in SECRET_MARKERS)
    }


def call_in_dir(cwd: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` in the driver's working directory when this node has it, so relative paths agree."""
    if os.getcwd() != cwd and os.path.isdir(cwd):
        os.chdir(cwd)
    return fn(*args)


def check_reachable(address: str) -> None:
    """Fail in seconds, not minutes, when nothing listens at a ``HOST:PORT`` address."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_SECONDS):
            return
    except OSError as exc:
        raise UserError(
            f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc}); start one with "
            "`ray start --head --port=6379` or fix the address (pipeline YAML key 'ray_address')"
        ) from None


class RayExecutor(Executor):
    """Runs shards as Ray tasks; results do not depend on the cluster's size or the order tasks finish.

    ``workers`` is only used for a Ray instance started by roots (its number of CPUs); on a running
    cluster every CPU is used. ``num_cpus`` and ``memory_gb`` are what Ray reserves for each task.
    """

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        *,
        tries: int = DEFAULT_TRIES,
        num_cpus: float = 1.0,
        memory_gb: float | None = None,
    ) -> None:
        self.address = address
        self.workers = max(1, workers or default_workers())
        self.tries = max(1, tries)
        self.num_cpus = num_cpus
        self.memory_gb = memory_gb
        self._owns_connection = False

    def connect(self) -> None:
        """Connect to the cluster (or start a private Ray instance) now; the first map does it otherwise."""
        if ray.is_initialized():  # a session opened by the caller (a notebook, a test) is reused
            return
        address = self.address or os.environ.get("RAY_ADDRESS") or None
        options: dict[str, Any] = {
            "logging_level": logging.WARNING,
            "runtime_env": {"env_vars": forwarded_env()},
        }
        try:
            if address:
                check_reachable(address)
                ray.init(address=address, **options)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, **options)
        except ConnectionError as exc:
            raise UserError(
                f"--ray-address {address}: cannot connect to a Ray cluster ({str(exc).splitlines()[0]}); "
                "start one with `ray start --head` or fix the address (pipeline YAML key 'ray_address')"
            ) from None
        self._owns_connection = True

    def _window(self) -> int:
        """Tasks kept in flight: twice the tasks the cluster can run at once (Ray's ``ray.wait`` pattern)."""
        cpus = float(ray.cluster_resources().get("CPU", 0))
        return 2 * max(1, int(cpus // self.num_cpus))

    def map_tries(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        if not args:
            return
        self.connect()
        options: dict[str, Any] = {
            "num_cpus": self.num_cpus,
            "max_retries": self.tries - 1,
            "retry_exceptions": True,
        }
        if self.memory_gb:
            options["memory"] = int(self.memory_gb * 2**30)
        remote = ray.remote(call_in_dir).options(**options)
        shared = _share_repeated_arguments(args)
        cwd = os.getcwd()
        queue = iter(enumerate(args))
        pending: dict[Any, int] = {}
        window, sized_at = self._window(), time.monotonic()
        try:
            while True:
                for position, item in queue:
                    pending[remote.remote(cwd, fn, *shared(item))] = position
                    if len(pending) >= window:
                        break
                if not pending:
                    return
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    yield pending.pop(ref), self._result(ref)
                if time.monotonic() - sized_at > RESIZE_SECONDS:
                    window, sized_at = self._window(), time.monotonic()
        finally:
            for ref in pending:  # the stage was abandoned (e.g. Ctrl-C): do not leave work queued
                with contextlib.suppress(Exception):
                    ray.cancel(ref)

    def _result(self, ref: Any) -> Any:
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the task raised on every try
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            return TaskFailure(self.tries, describe_exception(cause)[0], str(exc))
        except ray.exceptions.RayError as exc:  # its worker or node died every time, or it was lost
            error, detail = describe_exception(exc)
            return TaskFailure(self.tries, error, detail)

    def close(self) -> None:
        if self._owns_connection:
            ray.shutdown()
            self._owns_connection = False


def _share_repeated_arguments(args: Sequence[tuple[Any, ...]]) -> Callable[[tuple[Any, ...]], tuple]:
    """Put an argument that every task receives (the stage object) into Ray's object store once."""
    counts = Counter(
        id(a) for item in args for a in item if not isinstance(a, str | int | float | bool | None)
    )
    refs: dict[int, Any] = {}
    for item in args:
        for a in item:
            if counts.get(id(a), 0) > 1 and id(a) not in refs:
                refs[id(a)] = ray.put(a)

    def convert(item: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(refs.get(id(a), a) for a in item)

    return convert
