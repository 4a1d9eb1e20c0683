"""Untrusted strings (document text, URLs, titles, ids, sources) shown as plain text, in their own direction.

A crawled page must not make a reviewer's browser fetch anything or run anything: Streamlit renders
labels, captions and ``st.markdown`` as Markdown (images are fetched, links are live), so untrusted
strings never reach Markdown unescaped. Document text goes into HTML only through ``html.escape`` and with
``dir="auto"``, so Arabic, Urdu or Persian text reads right to left with punctuation at the right end,
while each line of a mixed document takes its own direction.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# every character Markdown (with GitHub extensions, Streamlit's math and emoji shortcodes) gives a meaning
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=\"'^@%])")
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: a string's direction does not spill into its label
TEXT_STYLE = "white-space: pre-wrap; unicode-bidi: plaintext; overflow-wrap: anywhere; margin: 0"


def md_escape(value: object) -> str:
    """``value`` as Markdown source that shows exactly its characters (no link, image, emphasis or math)."""
    flat = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def label_part(value: object) -> str:
    """An untrusted string inside a Markdown label: escaped and isolated from the label's direction."""
    return f"{FSI}{md_escape(value)}{PDI}"


def text_html(text: str, *, lang: str | None = None) -> str:
    """A document's text as an HTML block: escaped, line breaks kept, direction from its own letters."""
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    return f'<div class="roots-text" dir="auto"{lang_attr} style="{TEXT_STYLE}">{html.escape(text)}</div>'


def facts_html(facts: Sequence[tuple[str, object]]) -> str:
    """``label value · label value`` with every value escaped and direction-isolated (``<bdi>``)."""
    items = " · ".join(
        f"<b>{html.escape(label)}</b> <bdi>{html.escape(str(value))}</bdi>" for label, value in facts
    )
    return f'<div class="roots-facts" style="overflow-wrap: anywhere">{items}</div>'
