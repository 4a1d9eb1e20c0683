"""Progress bars (rich) for long work, written to stderr so stdout stays clean for tables and data."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from roots.errors import plural

T = TypeVar("T")
log = logging.getLogger(__name__)
_quiet = False
stderr_console = Console(stderr=True)


def _enabled() -> bool:
    return not _quiet and os.environ.get("ROOTS_PROGRESS", "1") != "0" and sys.stderr.isatty()


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr_console,
        transient=False,
        disable=not _enabled(),
    )


@contextlib.contextmanager
def shard_progress(description: str, total: int, done: int = 0) -> Iterator[Callable[[], None]]:
    """A bar over a stage's shards; yields a function that advances it by one."""
    with _progress() as progress:
        task = progress.add_task(description, total=total, completed=done)
        yield lambda: progress.advance(task)
    if not _enabled():
        resumed = f" ({done} already done)" if done else ""
        log.info("%s: %s done%s", description, plural(total, "shard"), resumed)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """A bar over any long loop in the main process."""
    with _progress() as progress:
        yield from progress.track(items, description=description, total=total)


def set_quiet(quiet: bool) -> None:
    """``roots -q``: no progress bars or progress notes."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    return _quiet
