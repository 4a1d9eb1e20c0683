"""Local executor: a process pool over shards (or in-process with one worker).

A task that raises is tried again. A worker process that dies (OOM killer, segfault, ``os._exit``)
breaks the whole ``ProcessPoolExecutor`` and fails every task in flight with ``BrokenProcessPool``,
so the culprit is unknown: the pool is replaced and the tasks that were in flight run again one at a
time ("isolation"), where a death can only be the running task's own and counts as one of its tries.
Innocent tasks are therefore never charged for another task's crash.
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

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(os.environ.get("ROOTS_MP_START", "spawn"))
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._pool

    def _discard_pool(self) -> list[int]:
        """Shut down a broken pool; returns the exit codes of its workers that did not exit normally."""
        pool, self._pool = self._pool, None
        if pool is None:
            return []
        procs = list((getattr(pool, "_processes", None) or {}).values())  # CPython detail: pid -> Process
        pool.shutdown(wait=True, cancel_futures=True)
        return sorted({p.exitcode for p in procs if p.exitcode not in (None, 0, -signal.SIGTERM)})

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


def worker_died_message(exit_codes: list[int]) -> str:
    """One line naming how a worker process ended (a signal such as SIGKILL usually means the OOM killer)."""
    names = []
    for code in exit_codes:
        if code < 0:
            try:
                names.append(signal.Signals(-code).name)
            except ValueError:
                names.append(f"signal {-code}")
        else:
            names.append(f"exit status {code}")
    how = f" ({', '.join(names)})" if names else ""
    return f"WorkerDied: the worker process running this shard died{how}; out of memory or a crash in native code?"


class _PoolMap:
    """One ``map_tries`` over the executor's process pool: retries, and isolation after a worker died."""

    def __init__(
        self, executor: LocalExecutor, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]
    ) -> None:
        self.executor = executor
        self.fn = fn
        self.args = args
        self.tries_used = [0] * len(args)
        self.queue: deque[int] = deque(range(len(args)))
        self.suspects: deque[int] = deque()  # in flight when a worker died: run again one at a time
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
            future = self.executor._get_pool().submit(self.fn, *self.args[position])
        except BrokenProcessPool as exc:  # a worker died between tasks: handled like a death in flight
            future = Future()
            future.set_exception(exc)
            self.never_sent.add(future)
        self.pending[future] = position

    def _after_worker_death(self) -> Iterator[tuple[int, Any]]:
        wait(self.pending)  # every future of a broken pool completes at once
        in_flight, self.pending = self.pending, {}
        exit_codes = self.executor._discard_pool()
        lost: list[int] = []
        unsent: list[int] = []
        for future, position in in_flight.items():
            exc = future.exception()
            if exc is None:
                yield position, future.result()
            elif future in self.never_sent:
                unsent.append(position)
            elif isinstance(exc, BrokenProcessPool):
                lost.append(position)
            else:
                yield from self._charge(position, *describe_exception(exc), again=self.queue)
        self.never_sent.clear()
        if len(lost) == 1:  # it ran alone: the death was its own
            yield from self._charge(lost[0], worker_died_message(exit_codes), "", again=self.suspects)
        else:
            self.suspects.extend(sorted(lost))
        self.queue.extendleft(sorted(unsent, reverse=True))  # they never ran: nothing to suspect

    def _charge(self, position: int, error: str, detail: str, again: deque[int]) -> Iterator[tuple[int, Any]]:
        """Count a failed try; the task runs again (first in ``again``) or is reported as failed."""
        self.tries_used[position] += 1
        if self.tries_used[position] >= self.executor.tries:
            yield position, TaskFailure(self.tries_used[position], error, detail)
        else:
            again.appendleft(position)
