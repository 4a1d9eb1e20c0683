"""Main-text extraction from HTML (run inside the sandbox child) and cheap page metadata (title, lang).

Extractors are functions ``html -> text | None`` named ``module:function``; the built-in ones are
``trafilatura-pruned`` (the default: trafilatura on a pruned page, see ``trafilatura_pruned``), ``trafilatura``
(trafilatura on the whole page) and ``resiliparse`` (about 10x faster, keeps less structure). trafilatura always
runs with its cross-document ``deduplicate`` cache off, for determinism.
"""

from __future__ import annotations

import functools
import html as html_lib
import importlib
import re
from collections.abc import Callable
from typing import Any

DEFAULT_EXTRACTOR = "trafilatura-pruned"
EXTRACTORS = {
    "trafilatura": "roots.sources.html_text:trafilatura_text",
    "resiliparse": "roots.sources.html_text:resiliparse_text",
    "trafilatura-pruned": "roots.sources.trafilatura_pruned:trafilatura_pruned_text",
}
# an extractor's name in a config: a built-in one or module:function
EXTRACTOR_PATTERN = rf"^({'|'.join(EXTRACTORS)}|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$"
EXTRACTOR_HELP = (
    "'trafilatura-pruned' (default: trafilatura on a pruned page, 2-3x faster), 'trafilatura' (on the whole page), "
    "'resiliparse' (fastest, keeps some boilerplate) or your own 'module:function' (html -> text)"
)
_TITLE = re.compile(r"<title\b[^>]{0,200}>(.{0,2000}?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_LANG = re.compile(
    r"""<html\b[^>]{0,1000}?\blang\s*=\s*["']?\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)""", re.I
)
_SPACES = re.compile(r"\s+")
HEAD_SCAN_CHARS = 65536


def extractor_target(name: str) -> str:
    """The ``module:function`` the sandbox runs for an extractor name (built-in or custom)."""
    return EXTRACTORS.get(name, name)


def extractor_function(name: str) -> Callable[[str], str | None]:
    """The ``html -> text`` function an extractor name (built-in or ``module:function``) stands for."""
    module, _, function = extractor_target(name).partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


# Below MIN_EXTRACTED_SIZE characters of main text trafilatura falls back to a baseline extraction that keeps
# more of the page. Its default (250) counts characters, which penalises scripts that say in one character what
# alphabetic scripts say in three to five; roots counts weighted characters instead, a Han, kana or Hangul
# character weighing CJK_WEIGHT (see ``min_extracted_size``).
TRAFILATURA_MIN_EXTRACTED_SIZE = 250
CJK_WEIGHT = 3
# Han, kana, Hangul: one of these carries about as much text as three letters of an alphabetic script.
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]")


def cjk_share(text: str) -> float:
    """The share of Han, kana and Hangul among the non-space characters of ``text``."""
    chars = len(text) - sum(text.count(space) for space in " \n\t\r")
    return len(_CJK.findall(text)) / chars if chars > 0 else 0.0


def min_extracted_size(cjk_share: float) -> int:
    """trafilatura's ``MIN_EXTRACTED_SIZE`` in characters for a page whose text has this share of CJK
    characters: 250 weighted characters, i.e. 250 on alphabetic pages and 83 on a page entirely in Chinese."""
    return round(TRAFILATURA_MIN_EXTRACTED_SIZE / (1 + (CJK_WEIGHT - 1) * cjk_share))


@functools.cache
def trafilatura_config(min_size: int = TRAFILATURA_MIN_EXTRACTED_SIZE) -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(min_size))
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def trafilatura_options() -> dict[str, Any]:
    """The options roots calls ``trafilatura.extract`` with (the benchmarks' "trafilatura alone" uses the same)."""
    return {
        "output_format": "txt",
        "include_comments": False,
        "include_tables": True,
        "deduplicate": False,  # its paragraph cache spans documents: output would depend on order
        "with_metadata": False,
        "config": trafilatura_config(),
    }


@functools.cache
def trafilatura_settings(min_size: int, fast: bool) -> Any:
    """``trafilatura_options`` as a reusable ``Extractor`` (``extract`` builds one per call otherwise: ~1 ms)."""
    from trafilatura.settings import Extractor

    return Extractor(
        config=trafilatura_config(min_size),
        output_format="txt",
        fast=fast,
        comments=False,
        tables=True,
        dedup=False,
    )


def page_min_extracted_size(pruned_html: str) -> tuple[int, str]:
    """``min_extracted_size`` for a pruned page, from the script mix of its main content as resiliparse sees
    it (the page's boilerplate is often in another script than its article), and that main content."""
    main = resiliparse_text(pruned_html) or ""
    return min_extracted_size(cjk_share(main)), main


def trafilatura_text(html: str) -> str | None:
    """trafilatura on the whole page, its minimum size weighted by the script of the page's main content."""
    import trafilatura

    from roots.sources.html_prune import prune_page

    min_size, _ = page_min_extracted_size(prune_page(html))
    return trafilatura.extract(html, options=trafilatura_settings(min_size, False))  # type: ignore[no-any-return]


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
