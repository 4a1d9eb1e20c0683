"""Extractors for the CPU-time tests, in a module with no heavy imports (each extraction child imports it)."""

from __future__ import annotations

import re


def cpu_extractor(html: str) -> str:
    """``WORK-<n>`` spins n million loop iterations (a fixed amount of CPU); ``SPIN-FOREVER`` never ends
    (in Python code), nor does ``SPIN-IN-C`` (inside one C call)."""
    if "SPIN-FOREVER" in html:
        while True:
            pass
    if "SPIN-IN-C" in html:  # one C call that never checks for signals: only the kernel's RLIMIT_CPU stops it
        sum(range(10**15))
    match = re.search(r"WORK-(\d+)", html)
    total = 0
    for i in range(int(match.group(1)) * 1_000_000 if match else 0):
        total += i
    return re.sub(r"<[^>]+>", " ", html).split("BODY:", 1)[-1].strip()
