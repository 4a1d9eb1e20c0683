"""``roots dashboard`` in a real browser: headless Debian Chromium driven by Playwright.

Fails (does not skip) when /usr/bin/chromium is missing: CI installs it (scripts/test.sh).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from scripts.dashboard_screenshot import browser_page, free_port, metric_value, open_tuning, serve, slider
from tests.dashboard_fixtures import SW_THRESHOLDS, build_dashboard_run


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
