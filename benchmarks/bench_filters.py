"""Filter throughput: roots's filter stage vs. a plain per-document re-run of the ROOTS definitions.

Both sides run in this process, one core, on the same documents and configs (the 13 shipped ROOTS
languages, declared per document as ROOTS ran one language at a time), with fastText LID-176 scoring:

* roots: ``roots.filters.stage.filter_table`` — modifications, all 8 statistics as columns, vectorised
  decision, PII redaction of kept documents, output tables;
* peer A: ``reference_filters.keep`` per document — ROOTS's short-circuit decision (stops at the first
  failing filter, computes no columns);
* peer B: ``reference_filters.statistics`` + LID per document — every statistic, like roots does.

The corpus is built from the demo texts (roots/demo/texts) with seeded noise: repeated lines, links,
short fragments. Run: ``python benchmarks/bench_filters.py [--docs 3000] [--repeat 3]``.
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


def run_roots_core(engine: FilterEngine, table: pa.Table) -> float:
    """What the peers do: modifications, statistics (LID score included) and the decision, per language."""
    texts, langs = table["text"].to_pylist(), table["lang"].to_pylist()
    start = time.perf_counter()
    for lang in LANGS:
        scorer = engine.scorer(lang)
        scored = scorer.compute([t for t, doc_lang in zip(texts, langs, strict=True) if doc_lang == lang])
        scorer.drop_reasons(scored.columns)
    return time.perf_counter() - start


def run_peer(engine: FilterEngine, table: pa.Table, all_statistics: bool) -> float:
    model = load_fasttext(bundled_fasttext_model())
    setups = {}
    for lang in LANGS:
        scorer = engine.scorer(lang)
        segment = (
            None if scorer.config.segmenter in SPACED_SEGMENTERS else get_segmenter(scorer.config.segmenter)
        )
        setups[lang] = (scorer.config, scorer.stopwords.words if scorer.stopwords else None, segment)
    start = time.perf_counter()
    for text, lang in zip(table["text"].to_pylist(), table["lang"].to_pylist(), strict=True):
        config, stopwords, segment = setups[lang]
        if all_statistics:
            modified, _ = ref.statistics(text, config, stopwords=stopwords, segment=segment)
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
    args = parser.parse_args()
    table = corpus(args.docs)
    chars = sum(len(t) for t in table["text"].to_pylist())
    engine = FilterEngine(ROOT / "configs" / "languages", None)
    warm = table.slice(0, 2 * len(LANGS))
    run_roots(engine, warm)  # load models, word lists and segmenters on both sides before timing
    run_peer(engine, warm, True)
    rounds = [
        (
            run_roots_core(engine, table),
            run_roots(engine, table),
            run_peer(engine, table, False),
            run_peer(engine, table, True),
        )
        for _ in range(args.repeat)
    ]  # interleaved rounds, so a busy machine slows both sides alike; best round of each side
    core, stage, peer_keep, peer_all = (min(times) for times in zip(*rounds, strict=True))
    n = table.num_rows
    print(f"corpus: {n} documents, {chars / n:.0f} characters on average, 13 languages, 1 process")
    print(f"roots: statistics + decision (LID included)      {n / core:8.0f} docs/s")
    print(f"roots: whole shard (+ PII redaction, tables)      {n / stage:8.0f} docs/s")
    print(
        f"plain re-run A: short-circuit decision only       {n / peer_keep:8.0f} docs/s   roots is {peer_keep / core:.2f}x faster"
    )
    print(
        f"plain re-run B: all statistics (like roots)       {n / peer_all:8.0f} docs/s   roots is {peer_all / core:.2f}x faster"
    )


if __name__ == "__main__":
    main()
