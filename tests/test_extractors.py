"""Every built-in HTML extractor gives the documented text on small pages (real trafilatura, resiliparse, lexbor)."""

from __future__ import annotations

import pytest
import trafilatura

from roots.sources.html_prune import prune_page
from roots.sources.html_text import (
    DEFAULT_EXTRACTOR,
    EXTRACTORS,
    cjk_share,
    extractor_function,
    min_extracted_size,
    page_min_extracted_size,
    trafilatura_settings,
)
from roots.sources.trafilatura_pruned import trafilatura_pruned_text

ARTICLE = [
    "The river flooded the lower town on Tuesday night after three days of heavy rain in the hills above it.",
    "Volunteers filled sandbags until dawn, and the old stone bridge held, although the water reached its arches.",
    "The mayor said the new drainage channels, finished only last spring, had kept the damage far below that of 2019.",
]
# 90 characters: as much text as ~270 letters of English, but under trafilatura's 250-character minimum
ZH_ARTICLE = (
    "昨天晚上，河水漫过了下城区。志愿者们连夜装沙袋，一直忙到天亮，老石桥挺住了，尽管河水已经涨到了桥拱。"
    "市长说，去年春天才完工的新排水渠起了大作用，这次的损失远远小于二零一九年那一次。"
)
NAV = [
    "Home",
    "World",
    "Politics",
    "Business",
    "Technology",
    "Science",
    "Health",
    "Sport",
    "Culture",
    "Travel",
]


def page(paragraphs: list[str], lang: str = "en") -> str:
    nav = "".join(f'<li><a href="/{s.lower()}/">{s}</a></li>' for s in NAV)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><title>Flood</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Flood"}}</script>
<style>.menu {{ color: red }} .hiddenstyle {{ display: none }}</style>
<script>var trackingState = {{"user": "visitor-token-123"}};</script></head>
<body><div class="cookie-banner">We use cookies to personalise content and ads.</div>
<header><nav class="menu"><ul>{nav}</ul></nav></header>
<main><article><h1>Flood</h1>{body}</article>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Another story about elections</a></li></ul></aside></main>
<footer><p>All rights reserved by the Example Gazette.</p><svg><text>icon-label</text></svg></footer>
<script>window.__STATE__ = {{"ads": ["slot-1"]}};</script></body></html>"""


BOILERPLATE = [
    "Home World Politics",
    "All rights reserved",
    "visitor-token-123",
    "window.__STATE__",
    "icon-label",
]


def flat(text: str | None) -> str:
    return " ".join((text or "").split())


def test_the_built_in_extractors_and_the_default():
    assert set(EXTRACTORS) == {"trafilatura-pruned", "trafilatura", "resiliparse"}
    assert DEFAULT_EXTRACTOR == "trafilatura-pruned"


@pytest.mark.parametrize("name", ["trafilatura-pruned", "trafilatura"])
def test_trafilatura_options_keep_the_article_and_drop_the_boilerplate(name):
    text = flat(extractor_function(name)(page(ARTICLE)))
    for paragraph in ARTICLE:
        assert paragraph in text
    for junk in [*BOILERPLATE, "We use cookies", "Most read", "Another story about elections"]:
        assert junk not in text


def test_resiliparse_keeps_the_article_without_scripts_navigation_or_footer():
    text = flat(extractor_function("resiliparse")(page(ARTICLE)))
    for paragraph in ARTICLE:
        assert paragraph in text
    for junk in BOILERPLATE:
        assert junk not in text


def test_both_trafilatura_options_agree_on_a_plain_article():
    html = page(ARTICLE)
    assert flat(extractor_function("trafilatura-pruned")(html)) == flat(
        extractor_function("trafilatura")(html)
    )


@pytest.mark.parametrize("name", ["trafilatura-pruned", "trafilatura"])
def test_a_short_chinese_article_is_kept_without_the_menu(name):
    html = page([ZH_ARTICLE], "zh")
    text = flat(extractor_function(name)(html))
    assert ZH_ARTICLE in text
    assert "Home World" not in text and "All rights reserved" not in text
    # what the weighting is for: counted in characters, trafilatura falls back to a baseline with the menu
    unweighted = flat(trafilatura.extract(html, options=trafilatura_settings(250, False)))
    assert ZH_ARTICLE in unweighted and "Home World" in unweighted


def test_min_extracted_size_counts_cjk_characters_three_times():
    assert min_extracted_size(0.0) == 250
    assert min_extracted_size(1.0) == 83
    assert min_extracted_size(0.5) == 125
    assert cjk_share("ab 中文") == 0.5
    assert page_min_extracted_size(prune_page(page(ARTICLE)))[0] == 250
    assert page_min_extracted_size(prune_page(page([ZH_ARTICLE], "zh")))[0] <= 90


def test_pruning_drops_scripts_styles_svg_navigation_and_footer_but_keeps_json_ld_and_noscript():
    html = page(ARTICLE).replace(
        "</article>", "<noscript><p>Enable JavaScript to comment.</p></noscript></article>"
    )
    pruned = prune_page(html)
    for gone in [
        "visitor-token-123",
        "window.__STATE__",
        "hiddenstyle",
        "icon-label",
        "Politics",
        "All rights",
    ]:
        assert gone not in pruned
    for kept in ['"@type": "NewsArticle"', "Enable JavaScript to comment.", "We use cookies", *ARTICLE]:
        assert kept in pruned


def test_a_short_main_pass_falls_back_to_trafilatura_with_its_fallbacks():
    html = page([ARTICLE[0]])  # about 100 characters: under the minimum size, so the fallbacks must run
    pruned = prune_page(html)
    full = trafilatura.extract(pruned, options=trafilatura_settings(250, False))
    assert trafilatura_pruned_text(html) == full
    assert ARTICLE[0] in flat(full)
