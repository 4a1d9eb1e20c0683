"""Regenerate ``roots/filters/data/emoji_1_6_1_single_codepoints.txt``.

ROOTS added the keys of ``emoji.UNICODE_EMOJI["en"]`` from ``emoji==1.6.1`` to its special-character
set. That old version cannot be a runtime dependency next to a modern ``emoji``, so the single-code-point
keys (the only ones a per-character membership test can ever match) are stored as a data file.

Usage: ``python scripts/generate_emoji_codepoints.py`` (needs ``pip`` and access to PyPI; downloads the
sdist into a temporary folder, imports its data module by path, installs nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "1.6.1"
OUT = Path(__file__).resolve().parents[1] / "roots" / "filters" / "data" / "emoji_1_6_1_single_codepoints.txt"
HEADER = """\
# Single-code-point keys of emoji.UNICODE_EMOJI["en"] in emoji=={version} (PyPI sdist; {keys:,} keys in all,
# {singles:,} of one code point), one code point per line.
# ROOTS (bigscience-workshop/data-preparation, parameters_filtering.py) adds these keys to its special-character
# set; multi-code-point keys can never match a one-character membership test, so only these matter.
# Regenerate with: python scripts/generate_emoji_codepoints.py
"""


def emoji_keys(version: str = VERSION) -> list[str]:
    """All keys of ``UNICODE_EMOJI['en']`` of the given emoji release, read from its sdist."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"emoji=={version}",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                tmp,
            ],
            check=True,
            capture_output=True,
        )
        archive = next(Path(tmp).glob("emoji-*.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp) / f"emoji-{version}"
        # a fresh interpreter whose first import path is the sdist, so `emoji` is that release
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); import emoji.unicode_codes as u; "
            "print(json.dumps(list(u.UNICODE_EMOJI['en'])))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(root)], check=True, capture_output=True, text=True
        )
        return json.loads(out.stdout)


def main() -> None:
    keys = emoji_keys()
    singles = sorted({ord(k) for k in keys if len(k) == 1})
    lines = [f"U+{cp:04X}" for cp in singles]
    header = HEADER.format(version=VERSION, keys=len(keys), singles=len(singles))
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(keys)} keys, {len(singles)} single code points -> {OUT}")


if __name__ == "__main__":
    main()
