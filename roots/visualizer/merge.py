"""Several reviewers tuning the same configs folder: no save silently undoes another one's.

Each session remembers the file text its sliders started from (the *base*). When the file on disk
differs from the base, someone saved in between: their changed keys and this session's changed keys are
compared key by key (filter switch, min, max). Keys only one side changed merge by themselves; a key both
changed to different values is a conflict the reviewer resolves (keep mine / take theirs) before saving.
Saving itself re-checks, under a lock, that the file is still the text the diff was computed on.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from roots.visualizer.tuning import Setting

Key = tuple[str, str]  # (filter name, "enabled" | "min" | "max")
Value = bool | float | None


def values(settings: Mapping[str, Setting]) -> dict[Key, Value]:
    """Every switch and cutoff of ``settings`` by key."""
    out: dict[Key, Value] = {}
    for name, setting in settings.items():
        out[(name, "enabled")] = setting.enabled
        for bound in ("min", "max"):
            if getattr(setting, bound) is not None:
                out[(name, bound)] = float(getattr(setting, bound))
    return out


def same(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def changed(before: Mapping[Key, Value], after: Mapping[Key, Value]) -> set[Key]:
    return {k for k in before.keys() | after.keys() if not same(before.get(k), after.get(k))}


@dataclass(frozen=True)
class Merge:
    """This session's settings rebased on the file: theirs where only they changed a key."""

    settings: dict[str, Setting]
    theirs: set[Key] = field(default_factory=set)  # keys the other save changed
    conflicts: dict[Key, tuple[Value, Value]] = field(default_factory=dict)  # key -> (mine, theirs)


def merge(base: Mapping[str, Setting], mine: Mapping[str, Setting], theirs: Mapping[str, Setting]) -> Merge:
    """Three-way merge of switches and cutoffs; conflicting keys keep this session's value."""
    b, m, t = values(base), values(mine), values(theirs)
    mine_changed, their_changed = changed(b, m), changed(b, t)
    merged = dict(m)
    conflicts: dict[Key, tuple[Value, Value]] = {}
    for key in their_changed:
        if key not in mine_changed:
            merged[key] = t.get(key)
        elif not same(m.get(key), t.get(key)):
            conflicts[key] = (m.get(key), t.get(key))
    out: dict[str, Setting] = {}
    for name, setting in mine.items():
        bounds = {bd: merged.get((name, bd)) for bd in ("min", "max") if getattr(setting, bd) is not None}
        out[name] = Setting(enabled=bool(merged[(name, "enabled")]), **bounds)  # type: ignore[arg-type]
    return Merge(out, their_changed, conflicts)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An advisory lock on a configs folder (a hidden file, never read as a language config)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".roots-save.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
