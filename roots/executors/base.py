"""The executor interface and the one function that runs a stage with any executor."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from roots.layout import RunLayout
from roots.progress import shard_progress
from roots.stage import ShardTask, Stage, complete, prepare, run_shard
from roots.stats import StageStats


class Executor(ABC):
    """Maps a picklable function over argument tuples, yielding ``(position, result)`` as they finish."""

    workers: int

    @abstractmethod
    def map_unordered(
        self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(*args[i])`` for every i; the results may arrive in any order."""

    def close(self) -> None:
        """Release workers (pools, cluster connections)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_stage(stage: Stage, run: RunLayout, executor: Executor) -> StageStats:
    """Run every unfinished shard of ``stage`` on ``executor``, then complete the stage."""
    sdir, tasks, results = prepare(stage, run)
    todo: list[ShardTask] = [t for t in tasks if t.index not in results]
    args = [(stage, str(run.root), t) for t in todo]
    with shard_progress(stage.display_name, total=len(tasks), done=len(results)) as advance:
        for position, shard_stats in executor.map_unordered(run_shard, args):
            results[todo[position].index] = shard_stats
            advance()
    return complete(stage, run, sdir, tasks, results)
