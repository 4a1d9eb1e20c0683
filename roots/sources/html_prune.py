"""Cutting a page down to what a main-text extractor can keep, with a fast C parser (selectolax/lexbor).

A web page of realistic weight is mostly markup no extractor keeps text from: inline scripts and serialized
application state, CSS, SVG icons, media embeds, the navigation menu and the footer. Deleting those subtrees
before trafilatura parses the page (lexbor does it in about 1 ms for an 80 KB page) shrinks a typical news page
about six-fold, so lxml's parse and trafilatura's tree copies and XPath passes have little left to walk.
JSON-LD scripts are kept: trafilatura reads them to recognise forum threads and as a last-resort text source;
so is ``<noscript>``, where some sites put their whole article (two pages of trafilatura's evaluation set).
"""

from __future__ import annotations

# Subtrees whose text trafilatura never keeps in its main pass (it deletes them itself, later and slower).
PRUNED = (
    "script:not([type='application/ld+json'])",
    "style", "svg", "math", "template", "iframe", "frame", "object", "embed", "canvas",
    "video", "audio", "picture", "map", "link", "nav", "footer",
    "img", "input", "select", "option", "textarea", "button",
)  # fmt: skip
_SELECTOR = ", ".join(PRUNED)


def prune_page(html: str) -> str:
    """``html`` without its ``PRUNED`` subtrees."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_SELECTOR):
        node.decompose()
    return tree.html or ""
