"""Time per dashboard re-count on 1M documents — roots vs the BigScience filter-tuning app's method.

Both count on the same synthetic statistic columns in this one process run:

* **roots**: ``roots.visualizer.tuning.recount`` — masks from the filter stage's ``failing_masks``,
  first failing filter per document (ROOTS order), kept/removed documents and characters, and every
  filter's removals on its own and in sequence;
* **peer** (the method of BigScience's ``visualization.py``, re-implemented here: a pandas DataFrame
  with one boolean condition per slider, % discarded per filter independently, and the documents
  failing any condition) — less output (no sequence attribution, no characters) for the same rows;
* ``decide.first_failing_filter`` (the filter stage's per-document string reasons) for reference.

With ``--app`` it also writes a run of that many documents and times a real slider move through
Streamlit's AppTest (the whole page script re-runs: re-count, nine charts, margin documents).

    python benchmarks/bench_dashboard_recount.py --docs 1000000 --app
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roots.filters.catalog import FILTERS as FILTER_SPECS  # noqa: E402
from roots.filters.decide import first_failing_filter  # noqa: E402
from roots.filters.language_config import Filters  # noqa: E402
from roots.visualizer.tuning import LanguageColumns, Setting, filters_with, recount, settings_from_filters  # noqa: E402


def synthetic_columns(n: int, seed: int = 0) -> LanguageColumns:
    """Statistic columns shaped like real ones (word counts heavy-tailed, ratios in 0..1, some missing)."""
    rng = np.random.default_rng(seed)
    columns = {
        "number_words": np.round(rng.lognormal(5, 1.2, n)),
        "character_repetition_ratio": rng.beta(2, 20, n),
        "word_repetition_ratio": rng.beta(1, 12, n),
        "special_characters_ratio": rng.beta(8, 30, n),
        "stopwords_ratio": rng.beta(6, 14, n),
        "flagged_words_ratio": np.where(rng.random(n) < 0.98, 0.0, rng.random(n) * 0.1),
        "lang_id_score": rng.beta(12, 2, n),
        "perplexity": np.where(rng.random(n) < 0.1, np.nan, rng.lognormal(7, 0.6, n)),
    }
    return LanguageColumns(columns, (columns["number_words"] * 6).astype(np.int64))


def slider_positions(k: int) -> list[dict[str, Setting]]:
    """``k`` different threshold sets, as a user moving sliders produces them."""
    base = settings_from_filters(Filters())
    out = []
    for i in range(k):
        out.append(
            base
            | {
                "number_words": Setting(True, 10 + i, 100_000),
                "stopwords": Setting(True, 0.1 + 0.01 * (i % 10)),
                "perplexity": Setting(True, None, 2000 + 100 * i),
            }
        )
    return out


def peer_recount(frame: pd.DataFrame, settings: dict[str, Setting]) -> tuple[int, dict[str, float]]:
    """The BigScience app's counting: one condition per slider, % discarded per filter, any-failing total."""
    conditions = {}
    for spec in FILTER_SPECS:
        s = settings.get(spec.name)
        if s is None or not s.enabled or spec.column not in frame:  # a plugin filter without settings
            continue
        values = frame[spec.column]
        keep = pd.Series(True, index=frame.index)
        if s.min is not None:
            keep &= ~(values < s.min)
        if s.max is not None:
            keep &= ~(values > s.max)
        conditions[spec.name] = keep
    keep_all = pd.Series(True, index=frame.index)
    for keep in conditions.values():
        keep_all &= keep
    shares = {name: 100 * (1 - keep.mean()) for name, keep in conditions.items()}
    return int(keep_all.sum()), shares


def time_each(func: Callable[[dict[str, Setting]], object], positions: list[dict[str, Setting]]) -> float:
    """Median seconds per call over the slider positions (one warm-up call first)."""
    func(positions[0])
    times = []
    for settings in positions:
        start = time.perf_counter()
        func(settings)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_recount(n: int, repeats: int) -> None:
    data = synthetic_columns(n)
    frame = pd.DataFrame(dict(data.columns))
    positions = slider_positions(repeats)
    kept_roots = recount(data, positions[0]).kept.docs
    kept_peer, _ = peer_recount(frame, positions[0])
    assert kept_roots == kept_peer, (kept_roots, kept_peer)
    ours = time_each(lambda s: recount(data, s), positions)
    peer = time_each(lambda s: peer_recount(frame, s), positions)
    stage = time_each(lambda s: first_failing_filter(data.columns, filters_with(Filters(), s)), positions)
    print(f"documents: {n:,}; slider positions: {repeats}; kept at the first position: {kept_roots:,}")
    print(f"roots recount (masks, ROOTS-order reasons, docs+chars, alone+sequence): {ours * 1000:8.1f} ms")
    print(f"peer: BigScience app method in pandas (independent %, any-failing):     {peer * 1000:8.1f} ms")
    print(f"filter stage first_failing_filter (string reasons only):               {stage * 1000:8.1f} ms")
    print(f"ratio peer / roots: {peer / ours:.2f}x")


def write_run(root: Path, data: LanguageColumns) -> Path:
    """A run whose filter stage kept every document, with the synthetic statistics and short texts."""
    import pyarrow as pa

    from roots.atomic import write_json, write_parquet
    from roots.stats import StageStats

    n = data.size
    shard = 200_000
    words = np.array(
        ["habari", "ya", "leo", "watu", "wengi", "walikuja", "sokoni", "kununua", "matunda", "na", "mboga"]
    )
    rng = np.random.default_rng(1)
    for i, lo in enumerate(range(0, n, shard)):
        hi = min(n, lo + shard)
        texts = [" ".join(words[rng.integers(0, len(words), 8)]) + f" {j}" for j in range(lo, hi)]
        table = pa.table(
            {
                "id": [f"{j:08d}" for j in range(lo, hi)],
                "text": texts,
                "source": pa.array(["bench"] * (hi - lo)),
                "url": pa.nulls(hi - lo, pa.string()),
                "lang": pa.array(["sw"] * (hi - lo)),
                "lang_score": pa.nulls(hi - lo, pa.float64()),
                "meta": pa.array(["{}"] * (hi - lo)),
                **{name: values[lo:hi] for name, values in data.columns.items()},
                "drop_reason": pa.nulls(hi - lo, pa.string()),
            }
        )
        write_parquet(root / "filter" / "kept" / f"part-{i:05d}.parquet", table)
    stats = StageStats()
    stats.add_in("sw", int(data.chars.sum()), docs=n)
    stats.add_kept("sw", int(data.chars.sum()), docs=n)
    write_json(root / "filter" / "stats.json", {"stage": "filter", **stats.to_dict()})
    return root


def bench_app(n: int, moves: int) -> None:
    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[1] / "roots" / "visualizer" / "app.py"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run = write_run(Path(tmp) / "run", synthetic_columns(n))
        print(f"\nwrote a run of {n:,} documents in {time.perf_counter() - start:.1f} s")
        langs = Path(tmp) / "languages"
        langs.mkdir()
        (langs / "sw.yaml").write_text("lang: sw\nlanguage_id:\n  label: sw\n", encoding="utf-8")
        os.environ["ROOTS_DASHBOARD_RUN"] = str(run)
        os.environ["ROOTS_DASHBOARD_LANGUAGES_DIR"] = str(langs)
        at = AppTest.from_file(str(app), default_timeout=600).run()
        start = time.perf_counter()
        at.sidebar.radio(key="page").set_value("Filter tuning").run()
        print(
            f"first open of the tuning page (reads the statistics once): {time.perf_counter() - start:.1f} s"
        )
        times = []
        for i in range(moves):
            start = time.perf_counter()
            at.slider(key="tune:sw:number_words:min").set_value(20 + 5 * i).run()
            times.append(time.perf_counter() - start)
            assert not at.exception, [e.value for e in at.exception]
        kept = next(m.value for m in at.metric if m.label == "Documents kept")
        print(
            f"slider move → whole page re-run (AppTest), median of {moves}: {statistics.median(times):.2f} s"
        )
        print(f"documents kept after the last move: {kept}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15, help="slider positions to time")
    parser.add_argument(
        "--app", action="store_true", help="also time a slider move through the Streamlit app"
    )
    args = parser.parse_args()
    bench_recount(args.docs, args.repeats)
    if args.app:
        bench_app(args.docs, 5)


if __name__ == "__main__":
    main()
