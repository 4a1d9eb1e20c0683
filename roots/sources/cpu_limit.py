"""A CPU-time budget per item in the extraction child, so results do not depend on machine load.

A wall-clock limit counts the time other processes run: the same page passes on an idle machine and
times out with 8 workers on 2 cores. CPU time does not. Two mechanisms, armed before each item:

* ``ITIMER_PROF`` (process CPU time, microsecond precision) raises ``CpuTimeExceeded`` in Python code,
  so an extractor can catch it and keep what it finished (the pages of a PDF before the limit);
* ``RLIMIT_CPU`` a second or two later is the backstop for code that never returns to Python (a
  catastrophic regex in C): the kernel stops the process with SIGXCPU, which the parent reports as a
  time-out too.

``CpuTimeExceeded`` derives from ``BaseException`` so that an extractor's ``except Exception`` cannot
swallow it. This module is imported by the child and by extractors, never run as ``__main__``, so both
see the same class.
"""

from __future__ import annotations

import math
import resource
import signal
from types import FrameType

BACKSTOP_SECONDS = 1.0  # RLIMIT_CPU fires this long (plus rounding up to a second) after the timer


class CpuTimeExceeded(BaseException):
    """The item used its CPU-time budget."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise CpuTimeExceeded


def install() -> None:
    """Set up the child: the timer's handler, and no core file when the backstop stops the process."""
    signal.signal(signal.SIGPROF, _raise)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def used_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def arm(seconds: float) -> None:
    """Give the next item ``seconds`` of CPU time."""
    soft = math.ceil(used_seconds() + seconds + BACKSTOP_SECONDS)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    signal.setitimer(signal.ITIMER_PROF, seconds)


def disarm() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)
