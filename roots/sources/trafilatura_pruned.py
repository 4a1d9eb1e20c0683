"""The ``trafilatura-pruned`` extractor: trafilatura on a pruned page, its fallback extractors only when unsure.

Three steps, each measured on trafilatura's own evaluation set (``benchmarks/bench_extract_quality.py``):

1. **Prune** the page with lexbor (``html_prune``): scripts, styles, SVG, media, navigation and footer go before
   lxml sees the page.
2. **Main pass** of trafilatura without its fallback comparison (``fast=True``), then a **second opinion** from
   resiliparse's main-content extractor on the same pruned page (about 1 ms). trafilatura's fallback (readability,
   then justext) replaces the main pass essentially when it finds more than twice as much text, or when the main
   pass is short; so when the main pass reached the minimum size and resiliparse found some text but at most twice
   as much, the main pass is kept. Otherwise trafilatura runs again with its fallbacks on.
3. trafilatura's ``MIN_EXTRACTED_SIZE`` is weighted by script (``html_text.min_extracted_size``), as for the
   ``trafilatura`` extractor, from the share of CJK in resiliparse's main content.

trafilatura's settings object is built once per process (``extract`` builds one per call otherwise: ~1 ms).
"""

from __future__ import annotations

from roots.sources.html_prune import prune_page
from roots.sources.html_text import page_min_extracted_size, trafilatura_settings

SECOND_OPINION_RATIO = 2.0  # readability replaces the main pass when its text is more than twice as long


def trafilatura_pruned_text(html: str) -> str | None:
    """The main text of ``html``: pruned page, trafilatura's main pass, its fallbacks only when unsure."""
    import trafilatura

    page = prune_page(html)
    min_size, opinion = page_min_extracted_size(page)
    text = trafilatura.extract(page, options=trafilatura_settings(min_size, True))
    if text and len(text) >= min_size and 0 < len(opinion) <= SECOND_OPINION_RATIO * len(text):
        return text  # type: ignore[no-any-return]
    return trafilatura.extract(page, options=trafilatura_settings(min_size, False))  # type: ignore[no-any-return]
