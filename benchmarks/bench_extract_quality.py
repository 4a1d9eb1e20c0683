"""Main-text extractors side by side: quality (precision, recall, F1 over snippets) and pages/s per core.

Corpora (each page comes with snippets its main text should contain, "with", and must not contain, "without"):

* ``--trafilatura-eval PATH``: trafilatura's own evaluation set (``evaldata.json`` and ~990 saved real pages in
  ``eval/`` and ``cache/``, many languages). PATH is that folder, the ``.tar.gz`` holding it, or a folder holding
  that archive; the archive is read in memory, nothing is unpacked. Scored exactly as trafilatura's evaluation
  does: a "with" snippet found in the text is a true positive (else a false negative), a "without" snippet found
  is a false positive (else a true negative), matching on whitespace-normalised text; a page whose extractor
  returns nothing or raises scores all its "with" snippets as false negatives. Pages are decoded to text as
  ``roots extract warc`` decodes a response without a declared charset, so every extractor gets the same string.
* ``demo``: the project's multilingual demo pages (``roots.demo.corpus.render_page``: the 15 languages, nav,
  cookie banner, sidebar, footer around the article);
* ``web``: the full-pipeline benchmark's web-weight pages (``benchmarks/pipeline_corpus.py``, ~80 KB of markup
  around the article: JSON-LD, inline CSS/JS, SVG icons, mega-menu, cards, footer, serialized state).
For ``demo`` and ``web`` the "with" snippets are the first and last 40 characters of every article paragraph
and the "without" snippets are boilerplate the page renderer writes (menu, banner, footer, sidebar texts).

Speed: pages per CPU-second of this process (one core), best of ``--repeat`` interleaved passes; the web-weight
pages are the speed corpus the issue's goal is stated on. Every option runs in this one process on the same
pages, so ratios are comparable even on a loaded machine; absolute figures are not.

Options: every built-in ``--extractor`` of ``roots extract warc`` plus ``trafilatura-plain`` (``trafilatura.extract``
with trafilatura's defaults and roots's output options: the reference the issue's goal is stated against).

Run: ``python benchmarks/bench_extract_quality.py --trafilatura-eval ../shared/data/trafilatura-eval``
(``--limit N`` scores the first N eval pages only; ``--options a b`` picks options).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import ROOT  # noqa: E402,F401  (puts the checkout on sys.path)

from roots.sources.charset import decode_payload  # noqa: E402
from roots.sources.html_prune import prune_page  # noqa: E402
from roots.sources.html_text import (  # noqa: E402
    EXTRACTORS,
    cjk_share,
    extractor_function,
    min_extracted_size,
    resiliparse_text,
    trafilatura_settings,
)

_SPACES = re.compile(r"\s+")
SNIPPET_CHARS = 40


@dataclass(frozen=True)
class Page:
    """One page to extract and the snippets that score it."""

    name: str
    html: str
    with_: tuple[str, ...]
    without: tuple[str, ...]


@dataclass
class Score:
    """Confusion counts over snippets, and the CPU time spent extracting."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    cpu: float = float("inf")
    per_page: list[tuple[int, int]] = field(default_factory=list)  # (tp, fp) per page, for diffs

    def add(self, page: Page, text: str | None) -> None:
        found = _norm(text) if text else ""
        tp = sum(1 for s in page.with_ if _norm(s) in found) if found else 0
        fp = sum(1 for s in page.without if _norm(s) in found) if found else 0
        self.tp, self.fp = self.tp + tp, self.fp + fp
        self.fn, self.tn = self.fn + len(page.with_) - tp, self.tn + len(page.without) - fp
        self.per_page.append((tp, fp))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------- corpora
def trafilatura_eval_pages(path: Path, limit: int | None) -> list[Page]:
    """trafilatura's evaluation pages (``cache/`` before ``eval/``, as its evaluation resolves them)."""
    files = dict(_eval_files(path))
    evaldata = json.loads(files["evaldata.json"])
    pages = []
    for url, item in evaldata.items():
        body = files.get(f"cache/{item['file']}") or files.get(f"eval/{item['file']}")
        if body is None:
            continue
        html = decode_payload(body, http_charset=None, warc_charset=None, html=True).text
        pages.append(Page(url, html, tuple(item["with"]), tuple(item["without"])))
        if limit and len(pages) >= limit:
            break
    return pages


def _eval_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(path relative to the set's ``tests/`` folder, bytes) of ``evaldata.json`` and the pages."""
    if path.is_dir() and not (path / "evaldata.json").exists():
        archives = sorted(path.glob("*.tar.gz"))
        nested = [p for p in path.rglob("evaldata.json")]
        if nested:
            path = nested[0].parent
        elif archives:
            path = archives[0]
        else:
            raise SystemExit(f"--trafilatura-eval {path}: no evaldata.json and no .tar.gz in it")
    if path.is_dir():
        for file in [path / "evaldata.json", *path.glob("eval/*"), *path.glob("cache/*")]:
            yield str(file.relative_to(path)), file.read_bytes()
        return
    with tarfile.open(path) as archive:
        for member in archive:
            name = member.name.split("tests/", 1)[-1]
            if member.isfile() and (name == "evaldata.json" or name.startswith(("eval/", "cache/"))):
                handle = archive.extractfile(member)
                if handle is not None:
                    yield name, handle.read()


DEMO_WITHOUT = (
    "Home World Politics Business",
    "We use cookies",
    "Cookie settings",
    "Most read",
    "Advertisement",
    "All rights reserved",
)
WEB_WITHOUT = (
    "Skip to content", "We and our partners store", "Accept all", "Newsletter",
    "The day's top stories", "More stories", "Most read", "All rights reserved",
)  # fmt: skip


def _article_snippets(paragraphs: list[str]) -> tuple[str, ...]:
    snippets: list[str] = []
    for paragraph in paragraphs:
        for snippet in (paragraph[:SNIPPET_CHARS], paragraph[-SNIPPET_CHARS:]):
            if snippet.strip() and snippet not in snippets:
                snippets.append(snippet.strip())
    return tuple(snippets)


def demo_pages(per_language: int) -> list[Page]:
    """The demo corpus's page (``render_page``) around clean documents of each of the 15 languages."""
    from roots.demo.corpus import LANGUAGES, clean_documents, render_page

    pages = []
    for lang in LANGUAGES:
        docs = clean_documents(lang)[: per_language + 4]
        for number, doc in enumerate(docs[4:]):
            html = render_page(doc, "utf-8", docs[number : number + 4])
            pages.append(Page(doc.url, html, _article_snippets(doc.paragraphs), DEMO_WITHOUT))
    return pages


def short_pages() -> list[Page]:
    """One demo page per hand-written paragraph of every language: short articles (Chinese ones ~175 characters)."""
    from roots.demo.corpus import Doc, available_languages, load_paragraphs, render_page

    pages = []
    for lang in available_languages():
        docs = [
            Doc(f"https://news.{lang}.example/short/{n:03d}", p, lang, lang)
            for n, p in enumerate(load_paragraphs(lang))
        ]
        for number, doc in enumerate(docs):
            html = render_page(doc, "utf-8", docs[max(0, number - 4) : number])
            pages.append(Page(doc.url, html, _article_snippets(doc.paragraphs), DEMO_WITHOUT))
    return pages


def web_pages(count: int) -> list[Page]:
    """The full-pipeline benchmark's web-weight pages (planted duplicates included, as in that corpus)."""
    from pipeline_corpus import SEED, make_pages
    from web_page import render_web_page

    docs, _ = make_pages(count)
    pages = []
    for number, doc in enumerate(docs):
        related = docs[max(0, number - 6) : number]
        html = render_web_page(doc, related, SEED)
        pages.append(Page(doc.url, html, _article_snippets(doc.paragraphs), WEB_WITHOUT))
    return pages


# ---------------------------------------------------------------- extractors
def plain_trafilatura(html: str) -> str | None:
    """``trafilatura.extract`` with trafilatura's own defaults and roots's output options."""
    import trafilatura

    return trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=True, deduplicate=False
    )


def options() -> dict[str, Callable[[str], str | None]]:
    found: dict[str, Callable[[str], str | None]] = {"trafilatura-plain": plain_trafilatura}
    for name in EXTRACTORS:
        found[name] = extractor_function(name)
    return found


def run(extract: Callable[[str], str | None], pages: list[Page], score: Score | None) -> Score:
    """Extract every page; keep the counts of the first pass and the smallest CPU time of all passes."""
    fresh = Score()
    start = time.process_time()
    texts = []
    for page in pages:
        try:
            texts.append(extract(page.html))
        except Exception:  # noqa: BLE001 - a crash scores as an empty extraction, as in trafilatura's evaluation
            texts.append(None)
    cpu = time.process_time() - start
    if score is None:
        for page, text in zip(pages, texts, strict=True):
            fresh.add(page, text)
        score = fresh
    score.cpu = min(score.cpu, cpu)
    return score


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--trafilatura-eval", type=Path, help="trafilatura's evaluation set (folder or .tar.gz)"
    )
    parser.add_argument("--limit", type=int, help="score only the first N pages of the evaluation set")
    parser.add_argument("--demo-pages", type=int, default=8, help="demo pages per language (15 languages)")
    parser.add_argument("--web-pages", type=int, default=300, help="web-weight pages (speed corpus)")
    parser.add_argument(
        "--repeat", type=int, default=2, help="timed passes per option and corpus (best kept)"
    )
    parser.add_argument("--options", nargs="+", help="options to compare (default: all)")
    parser.add_argument(
        "--diff", nargs=2, metavar=("A", "B"), help="list eval pages where B scores worse than A"
    )
    parser.add_argument(
        "--min-size-study",
        action="store_true",
        help="trafilatura's MIN_EXTRACTED_SIZE: 50, 250, weighted by script",
    )
    args = parser.parse_args()
    if args.min_size_study:
        if not args.trafilatura_eval:
            raise SystemExit("--min-size-study needs --trafilatura-eval")
        return min_size_study(trafilatura_eval_pages(args.trafilatura_eval, args.limit), short_pages())

    extractors = options()
    chosen = args.options or list(extractors)
    unknown = [name for name in chosen if name not in extractors]
    if unknown:
        raise SystemExit(f"--options: unknown {unknown}; choose from {list(extractors)}")
    corpora = {"web": web_pages(args.web_pages), "demo": demo_pages(args.demo_pages)}
    if args.trafilatura_eval:
        corpora["eval"] = trafilatura_eval_pages(args.trafilatura_eval, args.limit)
    print(", ".join(f"{name}: {len(pages)} pages" for name, pages in corpora.items()))

    scores: dict[tuple[str, str], Score] = {}
    for corpus, pages in corpora.items():
        passes = args.repeat if corpus == "web" else 1
        for _ in range(passes):
            for name in chosen:  # interleaved: machine load drifts
                scores[name, corpus] = run(extractors[name], pages, scores.get((name, corpus)))

    _print_table(scores, corpora, chosen)
    if args.diff and "eval" in corpora:
        _print_diff(scores, corpora["eval"], *args.diff)


MIN_SIZE_RULES: dict[str, Callable[[float], int]] = {
    "50 (roots before)": lambda share: 50,
    "250 (trafilatura)": lambda share: 250,
    "weighted by script": min_extracted_size,
}


def min_size_study(eval_pages: list[Page], short: list[Page]) -> None:
    """The ``trafilatura`` extractor (whole page) under each ``MIN_EXTRACTED_SIZE`` rule, on the evaluation set
    and on short demo pages; then every page whose score differs between the rules."""
    import trafilatura

    corpora = {"eval": eval_pages, "short demo": short}
    shares = {
        id(page): cjk_share(resiliparse_text(prune_page(page.html)) or "")
        for pages in corpora.values()
        for page in pages
    }
    scores: dict[tuple[str, str], Score] = {}
    for corpus, pages in corpora.items():
        for rule, size in MIN_SIZE_RULES.items():
            settings = {id(page): trafilatura_settings(size(shares[id(page)]), False) for page in pages}
            score = Score()
            for page in pages:
                score.add(page, trafilatura.extract(page.html, options=settings[id(page)]))
            scores[rule, corpus] = score
    print(
        f"{'MIN_EXTRACTED_SIZE':<20} | " + " | ".join(f"{c + ' P':>12} {'R':>6} {'F1':>6}" for c in corpora)
    )
    for rule in MIN_SIZE_RULES:
        cells = [
            f"{scores[rule, c].precision:12.4f} {scores[rule, c].recall:6.4f} {scores[rule, c].f1:6.4f}"
            for c in corpora
        ]
        print(f"{rule:<20} | " + " | ".join(cells))
    for corpus, pages in corpora.items():
        rows = zip(pages, *(scores[rule, corpus].per_page for rule in MIN_SIZE_RULES), strict=True)
        for page, *counts in rows:
            if len(set(counts)) > 1 or shares[id(page)] > 0.3:
                cells = ", ".join(
                    f"{rule.split()[0]}: tp {tp} fp {fp}"
                    for rule, (tp, fp) in zip(MIN_SIZE_RULES, counts, strict=True)
                )
                print(
                    f"  {corpus}: {page.name} (CJK {shares[id(page)]:.0%}; of {len(page.with_)} with, "
                    f"{len(page.without)} without) {cells}"
                )


def _print_table(
    scores: dict[tuple[str, str], Score], corpora: dict[str, list[Page]], chosen: list[str]
) -> None:
    reference = "trafilatura-plain" if "trafilatura-plain" in chosen else chosen[0]
    header = f"{'option':<20}"
    for corpus in corpora:
        header += f" | {corpus + ' P':>7} {'R':>6} {'F1':>6} {'pages/s':>8}"
    print(header + f" | web speed / {reference}")
    for name in chosen:
        line = f"{name:<20}"
        for corpus, pages in corpora.items():
            s = scores[name, corpus]
            line += f" | {s.precision:7.4f} {s.recall:6.4f} {s.f1:6.4f} {len(pages) / s.cpu:8.1f}"
        ratio = scores[reference, "web"].cpu / scores[name, "web"].cpu
        print(line + f" | {ratio:.2f}x")
    print("pages/s: pages per CPU-second of one process (one core); P, R, F1 over snippets")


def _print_diff(scores: dict[tuple[str, str], Score], pages: list[Page], a: str, b: str) -> None:
    worse = better = 0
    for page, (tp_a, fp_a), (tp_b, fp_b) in zip(
        pages, scores[a, "eval"].per_page, scores[b, "eval"].per_page, strict=True
    ):
        delta = (tp_b - fp_b) - (tp_a - fp_a)
        if delta < 0:
            worse += 1
            print(f"  {b} loses {-delta} on {page.name} (tp {tp_a}->{tp_b}, fp {fp_a}->{fp_b})")
        elif delta > 0:
            better += 1
    print(f"{b} vs {a}: worse on {worse} pages, better on {better}")


if __name__ == "__main__":
    main()
