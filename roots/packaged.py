"""Data shipped with roots: the language configs, found the same way in a checkout and in an installed wheel.

In a checkout the configs live in ``configs/languages/`` (the folder users and the dashboard edit); a
wheel carries that folder as package data ``roots/configs_languages/`` (``setup.py`` maps it at build
time, so the repository keeps one copy). Demo texts and filter data are package data read with
``importlib.resources`` by their own modules.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from roots.errors import UserError

PACKAGED_LANGUAGES = "configs_languages"


def checkout_root() -> Path | None:
    """The repository folder when roots runs from a checkout (an editable install), else None."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "configs" / "languages").is_dir() else None


def languages_dir() -> Path:
    """The shipped language configs: the checkout's ``configs/languages``, else the wheel's package data."""
    root = checkout_root()
    if root is not None:
        return root / "configs" / "languages"
    packaged = Path(str(resources.files("roots").joinpath(PACKAGED_LANGUAGES)))
    if not packaged.is_dir():
        raise UserError(
            f"{packaged}: the language configs are missing from this installation of roots; "
            "reinstall roots, or pass --languages-dir with a folder of <lang>.yaml files"
        )
    return packaged


def export_languages(dest: Path, overwrite: bool = False) -> list[Path]:
    """Copy the shipped ``<lang>.yaml`` configs into ``dest`` (for editing); returns the files written.

    Existing files are kept unless ``overwrite``: an export never destroys a user's edits by accident.
    """
    source = languages_dir()
    names = sorted(p.name for p in source.glob("*.yaml"))
    existing = [n for n in names if (dest / n).exists()]
    if existing and not overwrite:
        raise UserError(
            f"{dest}: already holds {len(existing)} of the configs (e.g. {existing[0]}); "
            "pick an empty folder or pass --overwrite"
        )
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        shutil.copyfile(source / name, dest / name)
        written.append(dest / name)
    return written
