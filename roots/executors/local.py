"""Local executor: a process pool over shards (or in-process with one worker)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from roots.executors.base import Executor


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor(Executor):
    """Runs shards in ``workers`` processes; results do not depend on the number of workers."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(os.environ.get("ROOTS_MP_START", "spawn"))
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._pool

    def map_unordered(
        self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(args) <= 1:
            for position, item in enumerate(args):
                yield position, fn(*item)
            return
        pool = self._get_pool()
        pending: dict[Future[Any], int] = {}
        queue = iter(enumerate(args))
        for position, item in queue:  # keep at most 2 tasks per worker in flight
            pending[pool.submit(fn, *item)] = position
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                position = pending.pop(future)
                yield position, future.result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(fn, *nxt[1])] = nxt[0]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
