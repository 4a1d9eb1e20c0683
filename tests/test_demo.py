"""`roots demo` runs every available stage offline, and every stage's accounting adds up."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from roots.layout import STAGES, RunLayout
from tests.conftest import run_roots


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_roots("demo", "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def _rows(paths) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)


def test_demo_prints_summary_and_dashboard_hint(demo_run):
    out, result = demo_run
    assert "roots run summary" in result.stdout
    assert "roots dashboard" in result.stdout
    assert (out / "pipeline.yaml").is_file()


def test_every_stage_balances_and_matches_its_shards(demo_run):
    out, _ = demo_run
    run = RunLayout(out / "run")
    finished = [s for s in STAGES if run.stage(s).stats.exists()]
    assert finished[:1] == ["extract"]
    for stage in finished:
        sdir = run.stage(stage)
        stats = json.loads(sdir.stats.read_text())
        for lang, row in stats["languages"].items():
            outflow = row["kept"]["docs"] + row["removed_total"]["docs"] + row["errors_total"]["docs"]
            assert row["in"]["docs"] == outflow, (stage, lang)
            assert sum(c["docs"] for c in row["removed"].values()) == row["removed_total"]["docs"]
        totals = stats["totals"]
        kept_dir = "kept" if (sdir.path / "kept").is_dir() else None
        if stage != "export":
            assert _rows(sdir.parts(kept_dir)) == totals["kept"]["docs"], stage
        if kept_dir:
            assert _rows(sdir.parts("removed")) == totals["removed_total"]["docs"], stage
        errors = [json.loads(line) for line in sdir.errors.read_text().splitlines() if line]
        assert len(errors) == totals["errors_total"]["docs"], stage
        assert all(e.get("reason") for e in errors)


def test_stages_chain_without_losing_documents(demo_run):
    out, _ = demo_run
    run = RunLayout(out / "run")
    totals = {
        s: json.loads(run.stage(s).stats.read_text())["totals"] for s in STAGES if run.stage(s).stats.exists()
    }
    order = [s for s in ("extract", "filter", "dedup") if s in totals]
    for before, after in zip(order, order[1:], strict=False):
        assert totals[after]["in"]["docs"] == totals[before]["kept"]["docs"], (before, after)


def test_demo_is_deterministic(demo_run):
    """Rebuilding the corpus and re-running from scratch with 1 worker gives the same bytes as 2 workers."""
    import shutil

    from tests.conftest import tree_bytes

    out, _ = demo_run
    first = tree_bytes(out / "run")
    shutil.rmtree(out / "run")
    again = run_roots("demo", "--out", str(out), "--workers", "1")
    assert again.returncode == 0, again.stderr[-3000:]
    second = tree_bytes(out / "run")
    assert first.keys() == second.keys()
    different = [k for k in first if first[k] != second[k]]
    assert not different, different
