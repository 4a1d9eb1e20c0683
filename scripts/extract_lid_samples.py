"""Regenerate ``tests/data/lid_samples.jsonl`` from CLD2's unit-test snippets (Apache-2.0).

The pycld2 sdist ships ``cld2/internal/unittest_data.h``: real web snippets (``kTeststr_<lang>_<Script>``)
for about 200 languages, 41 of the 45 BLOOM codes among them. This script keeps the snippets of the
ROOTS/BLOOM languages and writes, per language, the whole snippet plus consecutive word windows of at
least ``--window-chars`` characters (so a language has several test texts of realistic short length).

    python scripts/extract_lid_samples.py                       # downloads the sdist with pip (PyPI)
    python scripts/extract_lid_samples.py --sdist pycld2-0.42.tar.gz

The output is deterministic for the same sdist. Attribution is in ``tests/data/NOTICE``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from roots.filters.languages import by_code  # noqa: E402

OUT = REPO / "tests" / "data" / "lid_samples.jsonl"
MEMBER = "cld2/internal/unittest_data.h"
PYCLD2_VERSION = "0.42"
# CLD2 snippet names → ROOTS code (traditional Chinese is kept as a variant of zh, as ROOTS' OSCAR zh did)
VARIANTS = {"zh_Hans": "zh", "zh_Hant": "zh"}
DECL = re.compile(r'^const char\*\s+kTeststr_(\w+)\s*=\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', re.MULTILINE)
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{1,2}|.)")


def c_string(literals: str) -> str:
    """Concatenate adjacent C string literals and decode their escapes (the file is UTF-8)."""
    raw = "".join(LITERAL.findall(literals)).encode("utf-8")
    return ESCAPE.sub(_unescape, raw).decode("utf-8", errors="replace")


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code.startswith(b"x"):
        return bytes([int(code[1:], 16)])
    return {b"n": b"\n", b"t": b"\t"}.get(code, code)


def snippets(header: str) -> dict[str, str]:
    """``{snippet name: text}`` of the UTF-8 section (before ``#else``), commented-out lines ignored."""
    section = header.split("#ifndef avoid_utf8_string_constants", 1)[1].split("\n#else", 1)[0]
    return {name: c_string(body) for name, body in DECL.findall(section)}


def roots_code(name: str) -> str | None:
    """The BLOOM code of a snippet name like ``sw_Latn`` (None for other languages or mixed snippets)."""
    if name in VARIANTS:
        return VARIANTS[name]
    parts = name.split("_")
    if len(parts) != 2 or not parts[1][:1].isupper():
        return None
    return parts[0] if parts[0] in by_code() else None


def windows(text: str, min_chars: int) -> list[str]:
    """Consecutive word windows of at least ``min_chars`` characters; a short tail joins the last window."""
    out: list[list[str]] = []
    current: list[str] = []
    for word in text.split():
        current.append(word)
        if len(" ".join(current)) >= min_chars:
            out.append(current)
            current = []
    if current and out:
        out[-1].extend(current)
    return [" ".join(w) for w in out] if len(out) > 1 else []


def records(header: str, min_chars: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name, text in sorted(snippets(header).items()):
        lang = roots_code(name)
        if lang is None:
            continue
        text = " ".join(text.split())
        rows.append({"lang": lang, "snippet": name, "kind": "full", "text": text})
        rows += [
            {"lang": lang, "snippet": name, "kind": "window", "text": w} for w in windows(text, min_chars)
        ]
    return rows


def read_header(sdist: Path) -> str:
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(MEMBER))
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read().decode("utf-8")


def download_sdist(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=:all:", "-q", "-d", str(folder)]
        + [f"pycld2=={PYCLD2_VERSION}"],
        check=True,
    )
    return next(folder.glob("pycld2-*.tar.gz"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sdist", type=Path, default=None, help="pycld2 sdist (.tar.gz); default: pip download"
    )
    parser.add_argument("--window-chars", type=int, default=40, help="minimum characters of a word window")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or download_sdist(Path(tmp))
        rows = records(read_header(sdist), args.window_chars)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    langs = sorted({r["lang"] for r in rows})
    print(f"{args.out}: {len(rows)} texts, {len(langs)} languages: {' '.join(langs)}")


if __name__ == "__main__":
    main()
