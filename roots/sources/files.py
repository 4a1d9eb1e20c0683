"""Expanding file arguments (files, folders, globs) into a sorted, deterministic list."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from roots.errors import UserError


def expand_paths(patterns: Iterable[str], *, key: str, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Files named by ``patterns``: files as given, folders searched recursively, globs expanded.

    ``key`` names the option or config key in the error message when something matches nothing.
    """
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern).expanduser()
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and _matches(p, suffixes))
        elif glob.has_magic(pattern):
            matches = [Path(p) for p in sorted(glob.glob(str(path), recursive=True)) if Path(p).is_file()]
            if not matches:
                raise UserError(f"{key}: the pattern {pattern!r} matches no file")
            found.extend(matches)
        else:
            raise UserError(
                f"{key}: {pattern!r} does not exist; give an existing file, folder or glob pattern"
            )
    unique = sorted({p.resolve() for p in found})
    if not unique:
        want = f" ({', '.join(suffixes)})" if suffixes else ""
        raise UserError(f"{key}: no input files found{want}")
    return unique


def _matches(path: Path, suffixes: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return not suffixes or any(name.endswith(s) for s in suffixes)
