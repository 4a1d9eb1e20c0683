"""The dashboard app's arguments: ``-- --run RUN [--languages-dir DIR]`` or the matching environment variables."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def parse_args(argv: list[str]) -> tuple[Path | None, Path | None]:
    """The run directory and languages folder from the command line, else from the environment.

    Unknown arguments are ignored (under ``AppTest`` the process's own argv is pytest's).
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--run", default=os.environ.get("ROOTS_DASHBOARD_RUN"))
    parser.add_argument("--languages-dir", default=os.environ.get("ROOTS_DASHBOARD_LANGUAGES_DIR"))
    args, _ = parser.parse_known_args(argv)
    return (Path(args.run) if args.run else None), (Path(args.languages_dir) if args.languages_dir else None)
