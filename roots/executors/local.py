"""Local executor: a process pool over shards (or in-process with one worker).

A task that raises is tried again. A worker process that dies (OOM killer, segfault, ``os._exit``)
breaks the whole ``ProcessPoolExecutor``: every task in flight fails with ``BrokenProcessPool``. Each
worker notes its pid and the task it is running in a small shared-memory table, so the task of the
worker that died is charged one try and the others simply run again in a new pool. When that cannot be
told (the worker died between tasks, or by SIGTERM like the workers the pool stops itself), the tasks
that were in flight run again one at a time ("isolation"), where a death can only be the running
task's own. Innocent tasks are never charged for another task's crash.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from roots.executors.base import DEFAULT_TRIES, Executor, TaskFailure, call_with_tries, describe_exception


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor(Executor):
    """Runs shards in ``workers`` processes; results do not depend on the number of workers.

    With one worker (or one task) the task runs in this process: exceptions are still tried again
    and recorded, but a hard crash ends the run (which a re-run then resumes).
    """

    def __init__(self, workers: int | None = None, tries: int = DEFAULT_TRIES) -> None:
        self.workers = max(1, workers or default_workers())
        self.tries = max(1, tries)
        self._pool: ProcessPoolExecutor | None = None
        self._running: Any = None  # shared (pid, task position) pairs, one per worker of the pool

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(os.environ.get("ROOTS_MP_START", "spawn"))
            self._running = context.Array("q", 2 * self.workers)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=claim_slot,
                initargs=(self._running,),
            )
        return self._pool

    def _discard_pool(self) -> dict[int, tuple[int, int]]:
        """Shut down a broken pool; for each worker that did not exit cleanly (leaving out those the pool
        itself stopped with SIGTERM) returns ``{pid: (exit code, position of the task it was running)}``."""
        pool, self._pool = self._pool, None
        if pool is None:
            return {}
        procs = list((getattr(pool, "_processes", None) or {}).values())  # CPython detail: pid -> Process
        pool.shutdown(wait=True, cancel_futures=True)
        running = dict(zip(self._running[0::2], self._running[1::2], strict=True))
        return {
            p.pid: (p.exitcode, running.get(p.pid, -1))
            for p in procs
            if p.exitcode not in (None, 0, -signal.SIGTERM)
        }

    def map_tries(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(args) <= 1:
            for position, item in enumerate(args):
                yield position, call_with_tries(fn, item, self.tries)
            return
        yield from _PoolMap(self, fn, args).run()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_slot: tuple[Any, int] | None = None  # in a worker: the shared table and this worker's row


def claim_slot(table: Any) -> None:
    """Pool initializer: take the first free row of the shared table for this worker's pid."""
    global _slot
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the pool
    with table.get_lock():
        row = next((i for i in range(0, len(table), 2) if table[i] == 0), None)
        if row is None:  # cannot happen with one row per worker; blame then falls back to isolation
            return
        table[row], table[row + 1] = os.getpid(), -1
    _slot = (table, row)


def run_tracked(position: int, fn: Callable[..., Any], *args: Any) -> Any:
    """In a worker: note which task this process runs (for blame if it dies), then run it."""
    if _slot is None:
        return fn(*args)
    table, row = _slot
    table[row + 1] = position
    try:
        return fn(*args)
    finally:
        table[row + 1] = -1  # idle: a death now is nobody's fault


def worker_died_message(exit_code: int | None) -> str:
    """One line naming how a worker process ended (SIGKILL usually means the OOM killer)."""
    if exit_code is None:
        how = ""
    elif exit_code < 0:
        try:
            how = f" ({signal.Signals(-exit_code).name})"
        except ValueError:
            how = f" (signal {-exit_code})"
    else:
        how = f" (exit status {exit_code})"
    return f"WorkerDied: the worker process running this shard died{how}; out of memory or a crash in native code?"


class _PoolMap:
    """One ``map_tries`` over the executor's process pool: retries, and blame after a worker died."""

    def __init__(
        self, executor: LocalExecutor, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]
    ) -> None:
        self.executor = executor
        self.fn = fn
        self.args = args
        self.tries_used = [0] * len(args)
        self.queue: deque[int] = deque(range(len(args)))
        self.suspects: deque[int] = deque()  # in flight when an unknown worker died: run one at a time
        self.pending: dict[Future[Any], int] = {}
        self.never_sent: set[Future[Any]] = set()

    def run(self) -> Iterator[tuple[int, Any]]:
        while self.queue or self.suspects or self.pending:
            self._submit()
            done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                yield from self._after_worker_death()
                continue
            for future in done:
                position = self.pending.pop(future)
                exc = future.exception()
                if exc is None:
                    yield position, future.result()
                else:
                    yield from self._charge(position, *describe_exception(exc), again=self.queue)

    def _submit(self) -> None:
        """Keep two tasks per worker in flight, or exactly one while suspects are being isolated."""
        if self.suspects:
            if not self.pending:
                self._send(self.suspects.popleft())
            return
        while self.queue and len(self.pending) < 2 * self.executor.workers:
            self._send(self.queue.popleft())

    def _send(self, position: int) -> None:
        try:
            pool = self.executor._get_pool()
            future = pool.submit(run_tracked, position, self.fn, *self.args[position])
        except BrokenProcessPool as exc:  # a worker died between tasks: handled like a death in flight
            future = Future()
            future.set_exception(exc)
            self.never_sent.add(future)
        self.pending[future] = position

    def _after_worker_death(self) -> Iterator[tuple[int, Any]]:
        wait(self.pending)  # every future of a broken pool completes at once
        in_flight, self.pending = self.pending, {}
        dead = self.executor._discard_pool()
        lost: list[int] = []
        for future, position in in_flight.items():
            exc = future.exception()
            if exc is None:
                yield position, future.result()
            elif future in self.never_sent:
                self.queue.appendleft(position)  # it never ran: nothing to blame
            elif isinstance(exc, BrokenProcessPool):
                lost.append(position)
            else:
                yield from self._charge(position, *describe_exception(exc), again=self.queue)
        self.never_sent.clear()
        blamed: dict[int, int | None] = {
            position: code for code, position in dead.values() if position in lost
        }
        if len(lost) == 1 and not blamed:  # it ran alone: the death was its own
            blamed = {lost[0]: next((code for code, _ in dead.values()), None)}
        for position, exit_code in sorted(blamed.items()):
            yield from self._charge(position, worker_died_message(exit_code), "", again=self.suspects)
        innocent = sorted(p for p in lost if p not in blamed)
        if blamed:
            self.queue.extendleft(reversed(innocent))
        else:
            self.suspects.extend(innocent)

    def _charge(self, position: int, error: str, detail: str, again: deque[int]) -> Iterator[tuple[int, Any]]:
        """Count a failed try; the task runs again (first in ``again``) or is reported as failed."""
        self.tries_used[position] += 1
        if self.tries_used[position] >= self.executor.tries:
            yield position, TaskFailure(self.tries_used[position], error, detail)
        else:
            again.appendleft(position)
