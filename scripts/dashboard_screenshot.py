"""Serve ``roots dashboard`` on a run and drive it in headless Chromium (Debian ``chromium`` + Playwright).

Used by the browser test and to make the README screenshot::

    python scripts/dashboard_screenshot.py /tmp/showcase docs/images/dashboard-tuning.png --build-run --lang en

Chromium comes from Debian (``apt-get install chromium``); Playwright drives it through
``executable_path`` — never ``playwright install``. Streamlit scrolls inside its own container, so
a tall viewport (not ``full_page``) captures the whole page.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(run: Path, port: int, languages_dir: Path | None = None, timeout: float = 90) -> Iterator[str]:
    """Run ``roots dashboard`` until the block ends; yields its URL once its health check answers."""
    command = [sys.executable, "-m", "roots", "dashboard", str(run), "--port", str(port)]
    if languages_dir:
        command += ["--languages-dir", str(languages_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if _healthy(url):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout and process.poll() is not None else ""
                raise RuntimeError(f"roots dashboard did not start on {url}: {output}")
            time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 2400, env: dict[str, str] | None = None) -> Iterator[Any]:
    """A page of headless Debian Chromium (fails if ``/usr/bin/chromium`` is missing); ``env``: extra
    environment of the browser process (e.g. ``FONTCONFIG_FILE`` to hide the system's fonts)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, **(env or {})}
        )
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def wait_until_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script (its 'Running…' indicator is gone)."""
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)
    page.wait_for_timeout(1500)  # let charts draw


def open_tuning(page: Any, url: str, lang: str | None = None) -> None:
    """Open the filter-tuning page (of ``lang``) and wait until it is drawn."""
    page.goto(url)
    page.get_by_text("Filter tuning", exact=True).click()
    page.get_by_text("Documents kept", exact=True).first.wait_for(timeout=60_000)
    if lang:
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Language").first.click()
        page.get_by_role("option").filter(has_text=f"{lang} ·").first.click()
    wait_until_idle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # let hover and focus effects fade


def nudge(page: Any, label: str, steps: int) -> None:
    """Move the slider labelled ``label`` by ``steps`` steps with the keyboard, as a user would."""
    handle = slider(page, label)
    handle.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    wait_until_idle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # let hover and focus effects fade


def metric_value(page: Any, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return str(metric.locator('[data-testid="stMetricValue"]').inner_text())


def slider(page: Any, label: str) -> Any:
    """The range input of the slider labelled ``label``."""
    return (
        page.locator('[data-testid="stSlider"]').filter(has_text=label).first.locator('input[type="range"]')
    )


def web_like_corpus(path: Path, docs: int = 3000, seed: int = 0) -> Path:
    """English documents cut from the demo text, mixed with the junk a crawl holds (menus, spam, tables,
    text in other languages), as jsonl: a corpus whose statistics spread out like real ones."""
    import json
    import random

    texts = Path(__file__).resolve().parents[1] / "roots" / "demo" / "texts"
    english = texts.joinpath("en.txt").read_text(encoding="utf-8").replace("\n", " ").split(". ")
    foreign = {
        lang: texts.joinpath(f"{lang}.txt").read_text(encoding="utf-8").split() for lang in ("fr", "es", "sw")
    }
    rng = random.Random(seed)
    lines = []
    for i in range(docs):
        kind = rng.random()
        if kind < 0.70:
            start = rng.randrange(len(english))
            text = ". ".join(english[start : start + rng.randint(1, 25)]) + "."
        elif kind < 0.80:
            text = " | ".join(
                rng.sample(["Home", "About us", "Contact", "News", "Shop", "Login", "Cart", "FAQ"], 5)
            )
        elif kind < 0.86:
            text = " ".join(
                [rng.choice(["buy", "cheap", "best", "deals", "now", "free"])] * rng.randint(20, 80)
            )
        elif kind < 0.92:
            text = "\n".join(
                " ".join(str(rng.randint(0, 9999)) for _ in range(6)) for _ in range(rng.randint(3, 30))
            )
        else:
            words = foreign[rng.choice(sorted(foreign))]
            start = rng.randrange(len(words))
            text = " ".join(words[start : start + rng.randint(20, 200)])
        lines.append(
            json.dumps({"text": text, "url": f"https://example.org/page/{i}"}, ensure_ascii=False) + "\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def build_run(folder: Path) -> Path:
    """``roots extract jsonl`` + ``roots filter`` of ``web_like_corpus`` (a copy of the language configs)."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    languages = folder / "languages"
    shutil.copytree(repo / "configs" / "languages", languages, dirs_exist_ok=True)
    corpus = web_like_corpus(folder / "corpus.jsonl")
    run = folder / "run"
    for args in (
        ["extract", "jsonl", str(corpus), "--out", str(run), "--lang", "en"],
        ["filter", str(run), "--languages-dir", str(languages)],
    ):
        subprocess.run([sys.executable, "-m", "roots", *args], check=True, stdout=subprocess.DEVNULL)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description="screenshot of the dashboard's filter-tuning page")
    parser.add_argument(
        "run", type=Path, help="a run directory (with --build-run: the folder to build one in)"
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--build-run", action="store_true", help="first build a web-like English run in RUN")
    parser.add_argument("--lang", default=None)
    parser.add_argument("--height", type=int, default=1800)
    parser.add_argument("--languages-dir", type=Path, default=None)
    parser.add_argument(
        "--nudge", default=None, help="LABEL=STEPS: move a slider first, e.g. 'Fewest allowed=10'"
    )
    args = parser.parse_args()
    os.environ.setdefault("ROOTS_PROGRESS", "0")
    if args.build_run:
        args.run = build_run(args.run)
    with serve(args.run, free_port(), args.languages_dir) as url, browser_page(height=args.height) as page:
        open_tuning(page, url, args.lang)
        if args.nudge:
            label, steps = args.nudge.rsplit("=", 1)
            nudge(page, label, int(steps))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
