"""Filter throughput: roots's filter stage vs. a plain per-document re-run of the ROOTS definitions.

Both sides run in this process, one core, on the same documents and configs (the 13 shipped ROOTS
languages, declared per document as ROOTS ran one language at a time), with fastText LID-176 scoring:

* roots: ``roots.filters.stage.filter_table`` — modifications, all 8 statistics as columns, vectorised
  decision, PII redaction of kept documents, output tables;
* peer A: ``reference_filters.keep`` per document — ROOTS's short-circuit decision (stops at the first
  failing filter, computes no columns);
* peer B: ``reference_filters.statistics`` + LID per document — every statistic, like roots does.

The corpus is built from the demo texts (roots/demo/texts) with seeded noise: repeated lines, links,
short fragments. Run: ``python benchmarks/bench_filters.py [--docs 3000] [--repeat 3] [--chunk 500]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import reference_filters as ref  # noqa: E402
from roots.filters.lid import bundled_fasttext_model, load_fasttext  # noqa: E402
from roots.filters.scorer import LanguageScorer  # noqa: E402
from roots.filters.stage import FilterEngine, filter_table  # noqa: E402
from roots.filters.words import SPACED_SEGMENTERS, get_segmenter  # noqa: E402
from roots.schema import documents_to_table, make_document  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("ar", "bn", "ca", "en", "es", "eu", "fr", "hi", "id", "pt", "ur", "vi", "zh")


def sentences(lang: str) -> list[str]:
    """The demo text of ``lang`` cut after each sentence end (. ! ? । ۔ 。)."""
    text = (ROOT / "roots" / "demo" / "texts" / f"{lang}.txt").read_text(encoding="utf-8")
    return [s.strip() for s in re.split(r"(?<=[.!?।۔。])\s*", text.replace("\n", " ")) if s.strip()]


def corpus(n: int, seed: int = 0) -> pa.Table:
    """``n`` documents: runs of 2–40 demo sentences, a fifth of them damaged in a ROOTS-relevant way."""
    rng = random.Random(seed)
    pools = {lang: sentences(lang) for lang in LANGS}
    rows = []
    for i in range(n):
        lang = LANGS[i % len(LANGS)]
        pool = pools[lang]
        start = rng.randrange(len(pool))
        picked = [pool[(start + j) % len(pool)] for j in range(rng.randint(2, 30))]
        kind = rng.random()
        if kind < 0.05:
            picked = picked[:1]
        elif kind < 0.10:
            picked = picked[:2] * rng.randint(5, 20)
        elif kind < 0.15:
            picked.insert(1, f"see https://example.com/page?id={i} and www.example.org")
        elif kind < 0.20:
            picked.append("€€€ ### 123-456 *** !!! ???" * rng.randint(1, 5))
        sep = "" if lang == "zh" else rng.choice([" ", "\n", "  "])
        rows.append(make_document(source="bench", locator=str(i), text=sep.join(picked), lang=lang))
    return documents_to_table(rows)


def run_roots(engine: FilterEngine, table: pa.Table) -> float:
    """The whole stage function on one shard (PII redaction and output tables included)."""
    start = time.perf_counter()
    out = filter_table(engine, table)
    elapsed = time.perf_counter() - start
    assert sum(t.num_rows for t in out.tables.values()) + len(out.errors) == table.num_rows
    return elapsed


def run_roots_core(engine: FilterEngine, table: pa.Table, lid: bool) -> float:
    """What the peers do: modifications, statistics (LID score if ``lid``) and the decision, per language."""
    texts, langs = table["text"].to_pylist(), table["lang"].to_pylist()
    scorers = {
        lang: engine.scorer(lang) if lid else LanguageScorer(engine.registry.get(lang), None)
        for lang in LANGS
    }
    start = time.perf_counter()
    for lang, scorer in scorers.items():
        scored = scorer.compute([t for t, doc_lang in zip(texts, langs, strict=True) if doc_lang == lang])
        scorer.drop_reasons(scored.columns)
    return time.perf_counter() - start


def run_peer(engine: FilterEngine, table: pa.Table, all_statistics: bool, lid: bool) -> float:
    model = load_fasttext(bundled_fasttext_model()) if lid else None
    setups = {}
    for lang in LANGS:
        scorer = engine.scorer(lang)
        segment = (
            None if scorer.config.segmenter in SPACED_SEGMENTERS else get_segmenter(scorer.config.segmenter)
        )
        stopwords = scorer.filter("stopwords").word_list  # type: ignore[attr-defined]
        setups[lang] = (scorer.config, stopwords.words if stopwords else None, segment)
    start = time.perf_counter()
    for text, lang in zip(table["text"].to_pylist(), table["lang"].to_pylist(), strict=True):
        config, stopwords, segment = setups[lang]
        if all_statistics:
            modified, _ = ref.statistics(text, config, stopwords=stopwords, segment=segment)
            if model is not None:
                ref.lang_id_score(model, modified, config.language_id.label)
        else:
            ref.keep(text, config, stopwords=stopwords, lid_model=model, segment=segment)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; the fastest round of each side is reported"
    )
    parser.add_argument(
        "--chunk", type=int, default=500, help="documents per interleaved chunk (one shard part)"
    )
    args = parser.parse_args()
    table = corpus(args.docs)
    chars = sum(len(t) for t in table["text"].to_pylist())
    engine = FilterEngine(ROOT / "configs" / "languages", None)
    warm = table.slice(0, 2 * len(LANGS))
    run_roots(engine, warm)  # load models, word lists and segmenters on both sides before timing
    run_peer(engine, warm, True, True)
    chunks = [table.slice(i, args.chunk) for i in range(0, table.num_rows, args.chunk)]
    runs = {
        "stage": lambda part: run_roots(engine, part),
        **{f"roots{lid}": (lambda part, lid=lid: run_roots_core(engine, part, lid)) for lid in (True, False)},
        **{f"A{lid}": (lambda part, lid=lid: run_peer(engine, part, False, lid)) for lid in (True, False)},
        **{f"B{lid}": (lambda part, lid=lid: run_peer(engine, part, True, lid)) for lid in (True, False)},
    }
    # every variant runs on each chunk in turn, so a machine whose load changes slows all of them alike
    totals = {name: [0.0] * args.repeat for name in runs}
    for r in range(args.repeat):
        for part in chunks:
            for name, run in runs.items():
                totals[name][r] += run(part)
    best = {name: min(times) for name, times in totals.items()}
    n = table.num_rows
    rate = {name: n / seconds for name, seconds in best.items()}
    print(f"corpus: {n} documents, {chars / n:.0f} characters on average, 13 languages, 1 process")
    print(
        f"roots, whole shard function (+ PII redaction of kept documents, tables): {rate['stage']:.0f} docs/s"
    )
    print(f"{'':52} {'with LID':>18} {'without LID':>18}")
    rows = [
        ("roots: modifications + 8 statistics + decision", "roots"),
        ("plain re-run A: ROOTS short-circuit decision", "A"),
        ("plain re-run B: every statistic, like roots", "B"),
    ]
    for label, key in rows:
        cells = []
        for lid in (True, False):
            ratio = "" if key == "roots" else f" ({best[f'{key}{lid}'] / best[f'roots{lid}']:.2f}x)"
            cells.append(f"{rate[f'{key}{lid}']:.0f}/s{ratio}")
        print(f"{label:52} {cells[0]:>18} {cells[1]:>18}")
    print("(x) = how many times faster roots is than that re-run on the same documents")


if __name__ == "__main__":
    main()
