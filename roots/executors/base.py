"""The executor interface and the one function that runs a stage with any executor.

A shard whose task raises (or whose worker dies) is tried again, up to ``Executor.tries`` times in
all. A shard that fails every try is recorded in the stage's ``errors.jsonl`` (reason ``shard_failed``)
while the other shards run to the end; the stage then stops with ``ShardsFailed`` and writes no
``stats.json``, so later stages refuse to start. Re-running the same command resumes: finished shards
keep their completion markers and only the failed ones run again.
"""

from __future__ import annotations

import logging
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from roots.atomic import sweep_temporaries
from roots.errors import UserError
from roots.inputs import NOT_RUN, up_to_date
from roots.layout import RunLayout, StageDir
from roots.progress import shard_progress
from roots.stage import ShardTask, Stage, complete, prepare, record_failed_shards, run_shard
from roots.stats import StageStats
from roots.storage import location

log = logging.getLogger(__name__)

#: tries per shard (first run included) before a shard is recorded as failed
DEFAULT_TRIES = 3


@dataclass(frozen=True)
class TaskFailure:
    """A task that raised, or whose worker died, on every one of its ``tries``."""

    tries: int
    error: str  # one line: "<ExceptionType>: <message>"
    detail: str = ""  # traceback (or worker-death details) of the last try


class ShardsFailed(UserError):
    """Some shards of a stage failed every try; the stage is incomplete but can be resumed."""


def describe_exception(exc: BaseException) -> tuple[str, str]:
    """``("<Type>: <first line of message>", full traceback)`` of an exception raised by a task."""
    lines = str(exc).strip().splitlines()
    head = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return head, "".join(traceback.format_exception(exc))


def call_with_tries(fn: Callable[..., Any], args: tuple[Any, ...], tries: int) -> Any:
    """``fn(*args)`` in this process, tried up to ``tries`` times; a ``TaskFailure`` if every try raised."""
    for attempt in range(1, tries + 1):
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - any error of a task is recorded, never lost
            if attempt == tries:
                return TaskFailure(tries, *describe_exception(exc))
    raise AssertionError("unreachable")


class Executor(ABC):
    """Maps a picklable function over argument tuples, yielding ``(position, result)`` as they finish."""

    workers: int
    tries: int = DEFAULT_TRIES

    @abstractmethod
    def map_tries(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        """Run ``fn(*args[i])`` for every i, each up to ``self.tries`` times, in any order.

        Yields ``(i, result)``, or ``(i, TaskFailure)`` for a task that failed every try; it does not
        raise because a task failed, so one bad shard never hides the results of the others.
        """

    def close(self) -> None:
        """Release workers (pools, cluster connections)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_stage(stage: Stage, run: RunLayout, executor: Executor) -> StageStats:
    """Run every unfinished shard of ``stage`` on ``executor``, then complete the stage.

    A stage that is up to date (``roots.inputs``) is not run at all and its files stay as they are.
    Raises ``ShardsFailed`` (after every other shard has finished) if some shard failed every try.
    """
    sdir, work = prepare(stage, run)
    if up_to_date(work, sdir):
        log.info("%s: already done (%d shard(s); no input changed)", stage.display_name, len(work.tasks))
        return StageStats.from_dict(sdir.read_stats() or {})
    redo = [reason for reasons in work.reasons.values() for reason in reasons if reason != NOT_RUN]
    if redo:
        log.info(
            "%s: %d of %d shard(s) to run; changed: %s",
            stage.display_name,
            len(work.todo),
            len(work.tasks),
            work.why(),
        )
    tasks, results, todo = work.tasks, dict(work.done), work.todo
    args = [(stage, location(run.root), t, work.inputs[t.index]) for t in todo]
    failures: dict[int, TaskFailure] = {}
    with shard_progress(stage.display_name, total=len(tasks), done=len(results)) as advance:
        for position, outcome in executor.map_tries(run_shard, args):
            if isinstance(outcome, TaskFailure):
                failures[todo[position].index] = outcome
                continue
            results[todo[position].index] = outcome
            advance()
    sweep_temporaries(sdir.path)  # nothing runs now: remove what workers that died left half-written
    if failures:
        _stop_on_failures(stage, sdir, tasks, results, failures)
    return complete(stage, run, sdir, tasks, results)


def _stop_on_failures(
    stage: Stage,
    sdir: StageDir,
    tasks: list[ShardTask],
    results: dict[int, Any],
    failures: dict[int, TaskFailure],
) -> None:
    """Record the failed shards in ``errors.jsonl`` and stop the stage with one line saying how to resume."""
    by_index = {t.index: t for t in tasks}
    record_failed_shards(
        stage,
        sdir,
        sorted(results),
        {
            i: {
                "tries": f.tries,
                "error": f.error,
                "traceback": f.detail,
                "payload": dict(by_index[i].payload),
            }
            for i, f in failures.items()
        },
    )
    first = min(failures)
    raise ShardsFailed(
        f"{stage.display_name}: {len(failures)} of {len(tasks)} shard(s) failed after "
        f"{failures[first].tries} tries (shard {first}: {failures[first].error}); "
        f"details in {sdir.errors}; the other shards are saved: fix the cause and run the same command "
        "again to resume (only the failed shards run again)"
    )
