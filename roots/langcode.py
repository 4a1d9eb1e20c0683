"""Language codes: one strict pattern for every code that enters roots, and paths that stay in their folder.

A language code names files (``<languages_dir>/<lang>.yaml``), statistics keys and dashboard saves, so a
code taken from the command line, a YAML or a run folder someone sent you must not be able to name a path
outside its folder (``../../x``, ``/etc/x``). Codes are BCP-47-like: 2–3 lowercase letters, then optional
``-`` subtags of 2–8 letters or digits (``sw``, ``fon``, ``zh-hant``); programming languages are
``code-<name>`` (``code-python``, ``code-c``).
"""

from __future__ import annotations

import re
from pathlib import Path

from roots.errors import UserError

LANG_CODE_PATTERN = r"^([a-z]{2,3}(-[a-z0-9]{2,8}){0,3}|code-[a-z0-9]{1,16})$"
_LANG_CODE = re.compile(LANG_CODE_PATTERN)
LANG_CODE_HELP = "2–3 lowercase letters, optionally followed by -subtags (e.g. 'sw', 'fon', 'zh-hant')"


def is_lang_code(value: object) -> bool:
    """Whether ``value`` is a well-formed language code."""
    return isinstance(value, str) and _LANG_CODE.fullmatch(value) is not None


def check_lang_code(value: str, where: str) -> str:
    """``value`` if it is a language code, else a one-line ``UserError`` naming ``where`` it came from."""
    if not is_lang_code(value):
        raise UserError(f"{where}: {value!r} is not a language code; use {LANG_CODE_HELP}")
    return value


def path_inside(folder: Path, name: str) -> Path:
    """``folder / name`` for a plain file name; a name with a folder part (``..``, ``/``) is refused."""
    if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
        raise UserError(f"{folder / name}: would be written outside {folder}; refusing")
    return folder / name
