"""The full-pipeline benchmark corpus: gzipped WARC files of multilingual HTML pages with planted duplicates.

Generated deterministically (same bytes for the same arguments; nothing is committed) from the demo
corpus: its hand-written paragraphs (``roots/demo/texts``) and its byte-stable WARC record writer. Pages
are rendered by ``web_page.render_web_page`` with the markup weight of real news pages (median ~80 KB:
meta tags, JSON-LD, inline CSS and scripts, mega-menu, cards, footer, serialized state); ``light=True``
uses the demo's own light page instead (~4 KB around the article), which makes extraction unrealistically
cheap.

Each page combines 3–6 paragraphs of one of the 15 demo languages, chosen and ordered by a seeded
generator, and ~6 % of its words are edited (the demo's ``perturb``), so that no two pages share whole
paragraphs (the pipeline's repeated-line removal would otherwise strip them). Planted on top, from
the same generator: ``exact_fraction`` of the pages repeat an earlier page's text on another url, and
``near_fraction`` repeat it with 2 % of the words edited. ``python benchmarks/pipeline_corpus.py OUT``
writes the files and prints what was planted as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from warcio.warcwriter import WARCWriter
from web_page import render_web_page

from roots.demo.corpus import LANGUAGES, SITE_KINDS, Doc, WarcRecords, load_paragraphs, perturb, render_page

SEED = "roots-pipeline-bench-v1"
UNIQUE_EDITS = 0.06  # words edited on every page: pages share no whole paragraph
NEAR_EDITS = 0.02  # words edited on a planted near-duplicate


@dataclass(frozen=True)
class PipelineCorpus:
    """The WARC files written and what was planted in them."""

    files: tuple[Path, ...]
    pages: int
    exact_duplicates: int
    near_duplicates: int


def make_pages(n: int, exact_fraction: float = 0.05, near_fraction: float = 0.05) -> tuple[list[Doc], dict]:
    """``n`` pages in the 15 demo languages, round-robin, with planted exact and near duplicates."""
    gen = random.Random(f"{SEED}:{n}")
    texts = {lang: load_paragraphs(lang) for lang in LANGUAGES}
    pages: list[Doc] = []
    planted = {"exact_duplicates": 0, "near_duplicates": 0}
    for number in range(n):
        lang = LANGUAGES[number % len(LANGUAGES)]
        url = f"https://{gen.choice(SITE_KINDS)}{number % 41}.{lang}.example/a/{number:06d}"
        earlier = [p for p in pages[-len(LANGUAGES) * 20 :] if p.lang == lang]
        roll = gen.random()
        if earlier and roll < exact_fraction:
            text = gen.choice(earlier).text
            planted["exact_duplicates"] += 1
        elif earlier and roll < exact_fraction + near_fraction:
            text = perturb(gen.choice(earlier).text, NEAR_EDITS, gen)[0]
            planted["near_duplicates"] += 1
        else:
            paragraphs = texts[lang]
            chosen = gen.sample(paragraphs, k=gen.randint(3, min(6, len(paragraphs))))
            text = perturb("\n\n".join(chosen), UNIQUE_EDITS, gen)[0]
        pages.append(Doc(url, text, lang, lang))
    return pages, planted


def write_corpus(out_dir: Path, pages: int = 3000, files: int = 4, light: bool = False) -> PipelineCorpus:
    """Write ``files`` ``.warc.gz`` files (one gzip member per record) holding ``pages`` HTML responses."""
    out_dir.mkdir(parents=True, exist_ok=True)
    docs, planted = make_pages(pages)
    written = []
    for index in range(files):
        path = out_dir / f"crawl-{index:02d}.warc.gz"
        chunk = docs[index::files]
        with path.open("wb") as handle:
            records = WarcRecords(WARCWriter(handle, gzip=True))
            for number, doc in enumerate(chunk):
                related = chunk[max(0, number - 6) : number]
                page = (
                    render_page(doc, "utf-8", related[-4:]) if light else render_web_page(doc, related, SEED)
                )
                records.response(doc.url, page.encode(), "text/html; charset=utf-8")
        written.append(path)
    return PipelineCorpus(tuple(written), pages, planted["exact_duplicates"], planted["near_duplicates"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument(
        "--light", action="store_true", help="the demo's light pages instead of web-weight ones"
    )
    args = parser.parse_args()
    corpus = write_corpus(args.out, args.pages, args.files, args.light)
    summary = {
        "files": [str(p) for p in corpus.files],
        "pages": corpus.pages,
        "exact_duplicates": corpus.exact_duplicates,
        "near_duplicates": corpus.near_duplicates,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
