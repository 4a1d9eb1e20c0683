"""``roots dashboard`` in a real browser: headless Debian Chromium driven by Playwright.

Fails (does not skip) when /usr/bin/chromium is missing: CI installs it (scripts/test.sh).
"""

from __future__ import annotations

import contextlib
import copy
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roots.schema import make_document
from scripts.dashboard_screenshot import (
    browser_page,
    free_port,
    metric_value,
    open_tuning,
    serve,
    slider,
    wait_until_idle,
)
from tests.dashboard_fixtures import SW_THRESHOLDS, add_filter_documents, build_dashboard_run


@pytest.mark.browser
def test_dashboard_in_chromium_recounts_when_a_slider_moves(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    fixture = build_dashboard_run(tmp_path)
    with serve(fixture.run, free_port()) as url, browser_page(height=2400) as page:
        open_tuning(page, url)
        assert metric_value(page, "Documents kept") == str(fixture.expected_kept("sw", SW_THRESHOLDS))

        minimum = slider(page, "Fewest allowed")
        minimum.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")  # number of words: minimum 10 → 20
        expect(minimum).to_have_value("20")
        changed = copy.deepcopy(SW_THRESHOLDS)
        changed["number_words"]["min"] = 20
        expected = fixture.expected_kept("sw", changed)
        assert expected != fixture.expected_kept("sw", SW_THRESHOLDS)
        metric = page.locator('[data-testid="stMetric"]').filter(
            has=page.get_by_text("Documents kept", exact=True)
        )
        expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(expected), timeout=30_000)
        assert metric_value(page, "Documents removed") == str(len(fixture.sw) - expected)

        shot = tmp_path / "dashboard-tuning.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000


@contextlib.contextmanager
def trap_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets (none may come)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def open_page(page: Any, url: str, name: str) -> None:
    """Go to one of the dashboard's pages with the sidebar, as a user would."""
    page.goto(url)
    page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).click()
    wait_until_idle(page)


def search_and_open(page: Any, text: str) -> None:
    """Search the Documents page for ``text`` and open the first document found."""
    box = page.get_by_label("Text contains (ignoring case)")
    box.fill(text)
    box.press("Enter")
    wait_until_idle(page)
    page.locator('[data-testid="stExpander"] summary').first.click()
    wait_until_idle(page)


@pytest.mark.browser
def test_untrusted_strings_are_plain_text_and_no_request_leaves(tmp_path: Path) -> None:
    """Markdown images, HTML and javascript: links in texts, URLs and sources fetch nothing, link nowhere."""
    with trap_server() as (trap, hits):
        image = f"![tracker]({trap}/text.png)"
        link = "[click me](javascript:alert(document.domain))"
        fixture = build_dashboard_run(tmp_path, kept_url=f"![kept]({trap}/kept-url.png)")
        hostile = make_document(
            source=f"![source]({trap}/source.png)",
            locator="hostile#1",
            text=f"hostile {image} and {link} <img src='{trap}/html.png'> {trap}/bare",
            url=f"![url]({trap}/url.png) [x](javascript:alert(1))",
            lang="sw",
        )
        add_filter_documents(fixture, [hostile])
        requests: list[str] = []
        with serve(fixture.run, free_port()) as url, browser_page(height=2400) as page:
            page.on("request", lambda request: requests.append(request.url))
            open_page(page, url, "Documents")
            search_and_open(page, "hostile")
            body = page.locator('[data-testid="stMain"]').inner_text()
            assert image in body and link in body  # shown as the characters they are
            assert f"![url]({trap}/url.png)" in body
            open_page(page, url, "Dedup")
            page.locator('[data-testid="stExpander"] summary').first.click()  # the cluster
            wait_until_idle(page)
            body = page.locator('[data-testid="stMain"]').inner_text()
            assert f"![kept]({trap}/kept-url.png)" in body
            # the pair: the dedup kept shard has no drop_reason column, the duplicate still reads as removed
            assert "outcome removed (near_duplicate)" in body and "outcome kept" in body
            live = page.evaluate(
                """() => [...document.querySelectorAll('a[href], img[src]')]
                       .map(e => e.getAttribute('href') || e.getAttribute('src'))
                       .filter(v => v.startsWith('javascript:') || v.includes('127.0.0.1'))"""
            )
        assert live == []
        assert [r for r in requests if not r.startswith((url, "data:", "blob:"))] == []
        assert hits == []


@pytest.mark.browser
def test_right_to_left_text_has_right_to_left_direction(tmp_path: Path) -> None:
    fixture = build_dashboard_run(tmp_path)
    arabic = "مرحبا بكم في موقعنا. هذا نص عربي قصير، وفيه علامات ترقيم!"
    add_filter_documents(fixture, [make_document(source="crawl", locator="ar#1", text=arabic, lang="ar")])
    with serve(fixture.run, free_port()) as url, browser_page(height=1600) as page:
        open_page(page, url, "Documents")
        search_and_open(page, "مرحبا")
        directions = page.evaluate(
            """() => [...document.querySelectorAll('.roots-text')]
                   .map(e => [e.textContent, getComputedStyle(e).direction])"""
        )
        assert [d for t, d in directions if t == arabic] == ["rtl"]
        search_and_open(page, "hati 1.")
        directions = page.evaluate(
            "() => [...document.querySelectorAll('.roots-text')].map(e => getComputedStyle(e).direction)"
        )
        assert directions and set(directions) == {"ltr"}


# the browser's machine has Latin fonts only (Liberation: Latin, Greek, Cyrillic), none for the other scripts
LATIN_ONLY_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/liberation</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _first_range(unicode_range: str) -> tuple[int, int]:
    """``U+0600-06FF, …`` (or the browser's ``U+600-6FF``) -> (0x600, 0x6FF)."""
    low, _, high = unicode_range.split(",")[0].strip().upper().removeprefix("U+").partition("-")
    return int(low, 16), int(high or low, 16)


@pytest.mark.browser
def test_every_script_renders_with_the_served_fonts_on_a_browser_without_fonts(tmp_path: Path) -> None:
    """Chromium sees Latin system fonts only; every other script's font comes from the dashboard."""
    from roots.visualizer.fonts import SCRIPTS, find_fonts

    assert not [s.name for s, f in zip(SCRIPTS, find_fonts().values(), strict=True) if f is None], (
        "install fonts-noto-core and fonts-noto-cjk (scripts/test.sh does)"
    )
    fixture = build_dashboard_run(tmp_path)
    text = "scripts " + " · ".join(f"{s.name}: {s.sample}" for s in SCRIPTS)
    add_filter_documents(fixture, [make_document(source="crawl", locator="all#1", text=text, lang="hi")])
    config = tmp_path / "fonts.conf"
    config.write_text(LATIN_ONLY_FONTS.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    with (
        serve(fixture.run, free_port()) as url,
        browser_page(height=1400, env={"FONTCONFIG_FILE": str(config)}) as page,
    ):
        open_page(page, url, "Documents")
        search_and_open(page, "scripts ")
        page.wait_for_function("document.fonts.status === 'loaded'", timeout=60_000)
        loaded = page.evaluate(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.unicodeRange)"
        )
        loaded_ranges = {_first_range(r) for r in loaded}
        for script in SCRIPTS:
            assert _first_range(script.unicode_range) in loaded_ranges, (
                f"{script.name}: its font was not loaded"
            )
        page.locator(".roots-text").first.screenshot(path=str(tmp_path / "scripts.png"))
        assert (tmp_path / "scripts.png").stat().st_size > 5_000
