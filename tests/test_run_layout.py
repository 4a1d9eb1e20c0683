import json

import pyarrow.parquet as pq

from roots.layout import RunLayout
from tests.conftest import run_roots


def test_extract_writes_the_run_layout(tmp_path, jsonl_corpus):
    run_dir = tmp_path / "run"
    result = run_roots(
        "extract", "jsonl", str(jsonl_corpus), "--out", str(run_dir), "--lang", "en", "--workers", "1"
    )
    assert result.returncode == 0, result.stderr
    run = RunLayout(run_dir)
    assert run.config.exists()
    extract = run.stage("extract")
    assert [p.name for p in extract.parts()] == ["part-00000.parquet"]
    table = pq.read_table(extract.parts()[0])
    assert {"id", "text", "source", "url", "lang", "lang_score", "meta"} <= set(table.column_names)
    assert set(table.column("lang").to_pylist()) == {"en"}
    assert len(set(table.column("id").to_pylist())) == table.num_rows  # ids unique

    errors = [json.loads(line) for line in extract.errors.read_text().splitlines()]
    assert len(errors) == 4 and {e["reason"] for e in errors} == {"malformed_json"}
    assert all(e["locator"].endswith(f"#L{n}") for e, n in zip(errors, (25, 50, 75, 100), strict=True))

    stats = json.loads(extract.stats.read_text())
    en = stats["languages"]["en"]
    assert en["in"]["docs"] == 120
    assert en["kept"]["docs"] == table.num_rows == 116
    assert en["errors_total"]["docs"] == len(errors)
    assert en["kept"]["chars"] == sum(len(t) for t in table.column("text").to_pylist())
    assert stats["balanced"] is True
    assert "lang" in result.stdout and "extract" in result.stdout  # the summary table


def test_rerun_skips_finished_shards_and_is_identical(tmp_path, jsonl_corpus):
    from tests.conftest import tree_bytes

    run_dir = tmp_path / "run"
    args = ("extract", "jsonl", str(jsonl_corpus), "--out", str(run_dir))
    assert run_roots(*args).returncode == 0
    first = tree_bytes(run_dir)
    marker = run_dir / "extract" / "_done" / "part-00000.json"
    mtime = marker.stat().st_mtime_ns
    again = run_roots(*args)
    assert again.returncode == 0
    assert marker.stat().st_mtime_ns == mtime  # not redone
    assert "extract: already done (1 shard(s)" in again.stderr
    assert tree_bytes(run_dir) == first
