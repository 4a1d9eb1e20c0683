"""The filter stage's per-document work bound (#17.4): a document over ``filter.max_document_bytes`` is
removed as ``too_large`` without language id or statistics, and every other document is filtered as usual."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from roots.config import validate_pipeline
from roots.pipeline import run_stages

TEXT = (
    "The village sits at the edge of a wide valley, and most of the people who live there have worked the same "
    "fields for generations. In the spring the river rises and the farmers wait for the water to go down."
)


def test_a_document_over_the_limit_is_removed_unscored(tmp_path: Path) -> None:
    lines = [{"text": TEXT}, {"text": "x" * 3_000_000}, {"text": TEXT + " Again, with one more sentence."}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    config = {
        "run_dir": str(tmp_path / "run"),
        "workers": 1,
        "sources": [{"type": "jsonl", "paths": [str(tmp_path / "d.jsonl")], "lang": "en"}],
        "filter": {"max_document_bytes": 1 << 20},
    }
    run = run_stages(validate_pipeline(config, "test"), ["extract", "filter"])
    removed = [r for p in run.stage("filter").parts("removed") for r in pq.read_table(p).to_pylist()]
    big = [r for r in removed if r["drop_reason"] == "too_large"]
    assert len(big) == 1 and len(big[0]["text"]) == 3_000_000 and big[0]["lang"] == "en"
    statistics = {k: v for k, v in big[0].items() if k.endswith("_score") or k.endswith("_ratio")}
    assert statistics and all(v is None for v in statistics.values())  # never computed
    stats = json.loads(run.stage("filter").stats.read_text(encoding="utf-8"))
    assert stats["extra"]["too_large"] == 1 and stats["balanced"] is True
    assert stats["languages"]["en"]["removed"]["too_large"] == {"docs": 1, "chars": 3_000_000}
    assert stats["totals"]["in"]["docs"] == 3
