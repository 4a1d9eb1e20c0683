"""Main-text extraction from HTML (run inside the sandbox child) and cheap page metadata (title, lang).

Extractors are functions ``html -> text | None`` named ``module:function``; the built-in ones are
trafilatura (quality default, its cross-document ``deduplicate`` cache off for determinism) and
resiliparse (about 10x faster, keeps less structure).
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from typing import Any

EXTRACTORS = {
    "trafilatura": "roots.sources.html_text:trafilatura_text",
    "resiliparse": "roots.sources.html_text:resiliparse_text",
}
_TITLE = re.compile(r"<title\b[^>]{0,200}>(.{0,2000}?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_LANG = re.compile(
    r"""<html\b[^>]{0,1000}?\blang\s*=\s*["']?\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)""", re.I
)
_SPACES = re.compile(r"\s+")
HEAD_SCAN_CHARS = 65536


def extractor_target(name: str) -> str:
    """The ``module:function`` the sandbox runs for an extractor name (built-in or custom)."""
    return EXTRACTORS.get(name, name)


# Below this many characters of main text trafilatura compares with a baseline extraction that keeps
# navigation; its default (250) is most CJK pages, so a lower bound keeps short pages clean.
TRAFILATURA_MIN_EXTRACTED_SIZE = 50


@functools.cache
def trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(TRAFILATURA_MIN_EXTRACTED_SIZE))
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def trafilatura_options() -> dict[str, Any]:
    """The options roots calls ``trafilatura.extract`` with (the benchmark uses the same)."""
    return {
        "output_format": "txt",
        "include_comments": False,
        "include_tables": True,
        "deduplicate": False,  # its paragraph cache spans documents: output would depend on order
        "with_metadata": False,
        "config": trafilatura_config(),
    }


def trafilatura_text(html: str) -> str | None:
    import trafilatura

    return trafilatura.extract(html, **trafilatura_options())


def resiliparse_text(html: str) -> str | None:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(
        html, preserve_formatting=True, main_content=True, comments=False, alt_texts=False, post_meta=False
    )


def page_title(html: str) -> str | None:
    match = _TITLE.search(html, 0, HEAD_SCAN_CHARS)
    if not match:
        return None
    title = _SPACES.sub(" ", html_lib.unescape(match.group(1))).strip()
    return title or None


def html_lang(html: str) -> str | None:
    """The ``lang`` attribute of the ``<html>`` element, as written (e.g. ``fr``, ``pt-BR``)."""
    match = _HTML_LANG.search(html, 0, HEAD_SCAN_CHARS)
    return match.group(1) if match else None
