"""Fonts for every script of the 46 ROOTS languages, served by the dashboard itself.

A reviewer's own machine may have no Devanagari, Bengali or Han font (Hindi then shows empty boxes).
The dashboard finds Noto fonts on the machine that serves it (Debian ``fonts-noto-core`` and
``fonts-noto-cjk``, or any folder in ``ROOTS_FONT_DIRS``), serves them as web fonts, and declares them as
extra faces of Streamlit's own families, restricted by ``unicode-range``: the browser downloads a font only
when a page shows that script, and nothing is fetched from the internet. ``roots dashboard`` says at start-up
which scripts have no font.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Streamlit's font families (its theme's body, heading and code fonts): our faces extend them per script
FAMILIES = ("Source Sans", "Source Serif", "Source Code Pro")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FORMATS = {".ttf": "truetype", ".otf": "opentype", ".ttc": "collection", ".woff2": "woff2", ".woff": "woff"}


@dataclass(frozen=True)
class Script:
    name: str
    languages: tuple[str, ...]
    unicode_range: str
    sample: str  # a few words, for the check and the screenshot test
    files: tuple[str, ...]  # font files that cover it, best first


SCRIPTS: tuple[Script, ...] = (
    Script(
        "Arabic",
        ("ar", "ur"),
        "U+0600-06FF, U+0750-077F, U+0870-08FF, U+FB50-FDFF, U+FE70-FEFF",
        "اللغة العربية",
        ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoKufiArabic-Regular.ttf"),
    ),
    Script(
        "Devanagari",
        ("hi", "mr", "ne"),
        "U+0900-097F, U+1CD0-1CFF, U+A8E0-A8FF",
        "हिन्दी भाषा",
        ("NotoSansDevanagari-Regular.ttf", "Lohit-Devanagari.ttf"),
    ),
    Script("Bengali", ("bn", "as"), "U+0980-09FF", "বাংলা ভাষা", ("NotoSansBengali-Regular.ttf",)),
    Script("Gurmukhi", ("pa",), "U+0A00-0A7F", "ਪੰਜਾਬੀ ਭਾਸ਼ਾ", ("NotoSansGurmukhi-Regular.ttf",)),
    Script("Gujarati", ("gu",), "U+0A80-0AFF", "ગુજરાતી ભાષા", ("NotoSansGujarati-Regular.ttf",)),
    Script("Odia", ("or",), "U+0B00-0B7F", "ଓଡ଼ିଆ ଭାଷା", ("NotoSansOriya-Regular.ttf",)),
    Script("Tamil", ("ta",), "U+0B80-0BFF", "தமிழ் மொழி", ("NotoSansTamil-Regular.ttf",)),
    Script("Telugu", ("te",), "U+0C00-0C7F", "తెలుగు భాష", ("NotoSansTelugu-Regular.ttf",)),
    Script("Kannada", ("kn",), "U+0C80-0CFF", "ಕನ್ನಡ ಭಾಷೆ", ("NotoSansKannada-Regular.ttf",)),
    Script("Malayalam", ("ml",), "U+0D00-0D7F", "മലയാളം ഭാഷ", ("NotoSansMalayalam-Regular.ttf",)),
    Script(
        "Han (Chinese)",
        ("zh",),
        "U+2E80-2FDF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF, U+20000-2FA1F",
        "中文 漢語",
        (
            "NotoSansCJK-Regular.ttc",
            "NotoSansSC-Regular.otf",
            "NotoSansCJKsc-Regular.otf",
            "wqy-microhei.ttc",
        ),
    ),
)


def font_dirs() -> list[Path]:
    """Where fonts are looked for: ``ROOTS_FONT_DIRS`` (``:``-separated) first, then the system's folders."""
    extra = [p for p in os.environ.get("ROOTS_FONT_DIRS", "").split(os.pathsep) if p]
    return [Path(p).expanduser() for p in (*extra, *FONT_DIRS)]


def _index(folders: Iterable[Path]) -> dict[str, Path]:
    """File name -> first path found, over the folders (searched in order, recursively)."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, _, names in os.walk(folder):
            for name in names:
                if Path(name).suffix.lower() in FORMATS:
                    found.setdefault(name, Path(root) / name)
    return found


def find_fonts(folders: Iterable[Path] | None = None) -> dict[str, Path | None]:
    """The font file chosen for each script (None: no font found)."""
    index = _index(font_dirs() if folders is None else folders)
    return {s.name: next((index[f] for f in s.files if f in index), None) for s in SCRIPTS}


def missing_scripts(found: dict[str, Path | None]) -> list[Script]:
    return [s for s in SCRIPTS if found.get(s.name) is None]


def missing_message(found: dict[str, Path | None]) -> str:
    """One line naming the scripts without a font and what to do ('' when every script has one)."""
    missing = missing_scripts(found)
    if not missing:
        return ""
    names = ", ".join(f"{s.name} ({', '.join(s.languages)})" for s in missing)
    return (
        f"no font for {names}: readers whose own machine lacks one see empty boxes; install Debian's "
        "fonts-noto-core and fonts-noto-cjk on this machine, or point ROOTS_FONT_DIRS at a folder of Noto fonts"
    )


def publish(found: dict[str, Path | None], static_dir: Path) -> dict[str, str]:
    """Copy the chosen fonts into ``static_dir/fonts`` (once; atomically) -> script name: served file name."""
    target = static_dir / "fonts"
    target.mkdir(parents=True, exist_ok=True)
    served: dict[str, str] = {}
    for script, path in found.items():
        if path is None:
            continue
        dest = target / path.name
        if not dest.is_file() or dest.stat().st_size != path.stat().st_size:
            tmp = target / f".tmp-{os.getpid()}-{path.name}"
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        served[script] = path.name
    return served


def font_face_css(served: dict[str, str], url_prefix: str = "./app/static/fonts/") -> str:
    """``@font-face`` rules that add each served script font to Streamlit's families for its code points."""
    rules = []
    by_name = {s.name: s for s in SCRIPTS}
    for script, file_name in sorted(served.items()):
        spec = by_name[script]
        fmt = FORMATS[Path(file_name).suffix.lower()]
        for family in FAMILIES:
            for style in ("normal", "italic"):  # the same descriptors as Streamlit's own faces
                rules.append(
                    f'@font-face {{ font-family: "{family}"; font-weight: 100 900; font-style: {style}; '
                    f'src: url("{url_prefix}{html.escape(file_name)}") format("{fmt}"); '
                    f"unicode-range: {spec.unicode_range}; font-display: swap; }}"
                )
    return "\n".join(rules)
