"""Paths written in a language YAML are relative to that YAML's folder."""

from __future__ import annotations

from pathlib import Path


def config_relative(value: str | None, config_path: Path) -> Path | None:
    """A path given in a language YAML: absolute, or relative to that YAML's folder (None stays None)."""
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else config_path.parent / path


def file_identity(path: Path | None) -> str | None:
    """Path, size and modification time of a model file, for a stage fingerprint (None stays None)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        from roots.errors import UserError

        raise UserError(f"{path}: model file not found; fix the path in the language config") from None
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"
