"""Expanding file arguments (files, folders, globs) into a sorted list of inputs with stable names.

Every document locator starts with its file's *name relative to the input root*: the common folder
of what the user named (a file's folder, a folder itself, a glob's fixed prefix). Ids therefore do
not depend on where the corpus lives on disk, and two inputs never share a name.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from roots.errors import UserError
from roots.storage import as_path, bucket_missing, glob_url, is_url, storage_error


@dataclass(frozen=True, order=True)
class InputFile:
    """A file to read and its name relative to the input root (POSIX separators)."""

    path: Path
    rel: str


def expand_paths(patterns: Iterable[str], *, key: str, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Files named by ``patterns``: files as given, folders searched recursively, globs expanded.

    ``key`` names the option or config key in the error message when something matches nothing.
    """
    return [f.path for f in expand_inputs(patterns, key=key, suffixes=suffixes)]


def expand_inputs(patterns: Iterable[str], *, key: str, suffixes: tuple[str, ...] = ()) -> list[InputFile]:
    """Like ``expand_paths``, with each file's name relative to the common root of the patterns."""
    patterns = list(patterns)
    remote = [p for p in patterns if is_url(p)]
    if remote:
        if len(remote) < len(patterns):
            raise UserError(f"{key}: mixes URLs and local paths; list them in two sources")
        return _url_inputs(remote, key, suffixes)
    found: list[Path] = []
    roots: list[Path] = []
    for pattern in patterns:
        path = Path(pattern).expanduser()
        if path.is_file():
            found.append(path)
            roots.append(path.resolve().parent)
        elif path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and _matches(p, suffixes))
            roots.append(path.resolve())
        elif glob.has_magic(pattern):
            matches = [Path(p) for p in sorted(glob.glob(str(path), recursive=True)) if Path(p).is_file()]
            if not matches:
                raise UserError(f"{key}: the pattern {pattern!r} matches no file")
            found.extend(matches)
            roots.append(_glob_root(path))
        else:
            raise UserError(
                f"{key}: {pattern!r} does not exist; give an existing file, folder or glob pattern"
            )
    unique = sorted({p.resolve() for p in found})
    if not unique:
        want = f" ({', '.join(suffixes)})" if suffixes else ""
        raise UserError(f"{key}: no input files found{want}")
    root = Path(os.path.commonpath([str(r) for r in roots] + [str(p.parent) for p in unique]))
    return [InputFile(p, p.relative_to(root).as_posix()) for p in unique]


def _url_inputs(patterns: list[str], key: str, suffixes: tuple[str, ...]) -> list[InputFile]:
    """``expand_inputs`` for URLs (``s3://bucket/crawl/*.warc.gz``, a prefix, or an object)."""
    found: dict[str, Path] = {}
    roots: list[str] = []
    for pattern in patterns:
        try:
            if glob.has_magic(pattern):
                matches = list(glob_url(pattern))
                if not matches:
                    raise UserError(f"{key}: the pattern {pattern!r} matches no file")
                roots.append(pattern[: min(pattern.find(c) for c in "*?[" if c in pattern)].rsplit("/", 1)[0])
            else:
                path = as_path(pattern)
                if path.is_file():
                    matches = [path]
                    roots.append(pattern.rsplit("/", 1)[0])
                elif path.is_dir():
                    matches = [
                        p for p in sorted(path.rglob("*"), key=str) if p.is_file() and _matches(p, suffixes)
                    ]
                    roots.append(pattern.rstrip("/"))
                elif bucket_missing(pattern):
                    raise UserError(f"{key}: {pattern}: the bucket does not exist; create it or fix the URL")
                else:
                    raise UserError(
                        f"{key}: {pattern!r} does not exist; give an existing object, prefix or glob"
                    )
        except UserError:
            raise
        except Exception as exc:
            error = storage_error(exc, f"{key}: {pattern}")
            if error is None:
                raise
            raise error from None
        found.update((str(p), p) for p in matches)
    if not found:
        want = f" ({', '.join(suffixes)})" if suffixes else ""
        raise UserError(f"{key}: no input files found{want}")
    names = sorted(found)
    root = os.path.commonpath(
        [r.split("://", 1)[1] for r in roots] + [n.split("://", 1)[1].rsplit("/", 1)[0] for n in names]
    )
    return [InputFile(found[n], n.split("://", 1)[1][len(root) :].lstrip("/")) for n in names]


def _glob_root(pattern: Path) -> Path:
    """The longest leading part of a glob pattern without wildcards."""
    fixed: list[str] = []
    for part in pattern.parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed).resolve() if fixed else Path.cwd()


def _matches(path: Path, suffixes: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return not suffixes or any(name.endswith(s) for s in suffixes)
