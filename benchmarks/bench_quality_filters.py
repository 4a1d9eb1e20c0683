"""Gopher quality + repetition, FineWeb and C4 line filters: roots vs. datatrove, same documents, one core.

* roots: the built-in filter modules (``mean_word_length`` … ``c4_lines``), every statistic of every
  document computed (no short-circuit), words from each language's segmenter, one batch per language;
* datatrove: ``GopherQualityFilter``, ``GopherRepetitionFilter``, ``FineWebQualityFilter`` and
  ``C4QualityFilter`` with ``language=`` set, called per document as its pipeline does (each filter stops
  at its first failing check, so it often does less work than roots).

Documents: runs of 5–40 demo sentences (``roots/demo/texts``) in en, fr, es, pt, ar, zh, one sentence per
line, a fifth with repeated lines. Run: ``python benchmarks/bench_quality_filters.py [--docs 600]``.
Prints MB/s of each side and the ratio; timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roots.filters.catalog import BY_NAME  # noqa: E402
from roots.filters.filter import Batch, Language  # noqa: E402
from roots.filters.registry import LanguageRegistry  # noqa: E402
from roots.filters.words import WordExtractor  # noqa: E402
from roots.packaged import languages_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LANGS = {"en": "eng", "fr": "fra", "es": "spa", "pt": "por", "ar": "ara", "zh": "zho"}
FAMILIES = (
    "line_punctuation", "short_lines", "duplicate_line_chars", "newline_ratio", "mean_word_length", "symbol_words",
    "bullet_lines", "ellipsis_lines", "alphabetic_words", "stopword_count", "duplicate_lines", "top_ngram_chars",
    "duplicate_ngram_chars", "c4_lines",
)  # fmt: skip


def documents(n: int, seed: int = 0) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for i in range(n):
        lang = list(LANGS)[i % len(LANGS)]
        text = (ROOT / "roots" / "demo" / "texts" / f"{lang}.txt").read_text(encoding="utf-8")
        pool = [s.strip() for s in re.split(r"(?<=[.!?。؟])\s*", text.replace("\n", " ")) if s.strip()]
        start = rng.randrange(len(pool))
        picked = [pool[(start + j) % len(pool)] for j in range(rng.randint(5, 40))]
        if rng.random() < 0.2:
            picked = picked[:3] * rng.randint(2, 6)
        out[lang].append("\n".join(picked))
    return out


def run_roots(docs: dict[str, list[str]]) -> float:
    registry = LanguageRegistry(languages_dir())
    start = time.process_time()
    for lang, texts in docs.items():
        loaded = registry.get(lang)
        language = Language(loaded.config, loaded.path)
        words = WordExtractor(loaded.config.segmenter, roots_compat=loaded.config.roots_compat)
        batch = Batch(texts, words.batch)
        for name in FAMILIES:
            spec = BY_NAME[name]
            instance = spec(spec.Config(), language)
            if spec.modifies_text:
                instance.modify(batch)
            else:
                instance.compute(batch)
    return time.process_time() - start


def run_datatrove(docs: dict[str, list[str]]) -> float:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    start = time.process_time()
    for lang, texts in docs.items():
        code = LANGS[lang]
        filters = [
            GopherQualityFilter(language=code),
            GopherRepetitionFilter(language=code),
            FineWebQualityFilter(language=code),
            C4QualityFilter(language=code),
        ]
        for i, text in enumerate(texts):
            for f in filters:
                f.filter(Document(text=text, id=str(i)))
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600)
    args = parser.parse_args()
    docs = documents(args.docs)
    megabytes = sum(len(t.encode("utf-8")) for texts in docs.values() for t in texts) / 1e6
    run_roots({k: v[:5] for k, v in docs.items()})  # warm up: segmenters, stop-word lists
    run_datatrove({k: v[:5] for k, v in docs.items()})
    ours, theirs = run_roots(docs), run_datatrove(docs)
    print(f"{args.docs} documents, {megabytes:.2f} MB, languages {', '.join(LANGS)} (CPU seconds, one core)")
    print(f"roots      {ours:7.2f} s  {megabytes / ours:6.2f} MB/CPU-s  (14 filters, every statistic)")
    print(f"datatrove  {theirs:7.2f} s  {megabytes / theirs:6.2f} MB/CPU-s  (Gopher quality + repetition, FineWeb, C4)")
    print(f"ratio      {theirs / ours:7.2f}x  (datatrove time / roots time)")


if __name__ == "__main__":
    main()
