"""Pure helpers of the dashboard: the kept + removed reader, plain-text rendering, word diffs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from roots.visualizer import plaintext, stagedocs, worddiff


def _shards(tmp_path: Path) -> list[Path]:
    """A dedup-like kept shard without drop_reason, then a removed shard with it."""
    kept = tmp_path / "kept.parquet"
    removed = tmp_path / "removed.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["x"], "cluster_size": [2]}), kept)
    pq.write_table(
        pa.table({"id": ["b"], "text": ["x"], "drop_reason": ["near_duplicate"], "duplicate_of": ["a"]}),
        removed,
    )
    return [kept, removed]


def test_kept_and_removed_read_together_keep_every_column(tmp_path: Path) -> None:
    parts = _shards(tmp_path)
    naive = ds.dataset([str(p) for p in parts], format="parquet")
    assert "drop_reason" not in naive.schema.names  # the cause: the first shard decides the schema
    rows = {r["id"]: r for r in stagedocs.documents(parts).to_table().to_pylist()}
    assert rows["b"]["drop_reason"] == "near_duplicate" and rows["b"]["duplicate_of"] == "a"
    assert rows["a"]["drop_reason"] is None and rows["a"]["cluster_size"] == 2
    assert [stagedocs.outcome(rows[i]) for i in "ab"] == ["kept", "removed (near_duplicate)"]
    assert stagedocs.facet_values(parts)["drop_reason"] == ["near_duplicate"]
    assert stagedocs.by_id(parts, ["b"])["b"]["drop_reason"] == "near_duplicate"


def test_markdown_escape_leaves_no_live_syntax() -> None:
    hostile = "![i](http://x/i.png) [a](javascript:alert(1)) <b>x</b> *e* $m$ https://x.org www.x.org"
    escaped = plaintext.md_escape(hostile)
    assert re.sub(r"\\(.)", r"\1", escaped) == hostile  # shows exactly the characters
    assert re.search(r"(?<!\\)[\[\]()<>!*$:.]", escaped) is None  # every one of them is escaped


def test_text_html_is_escaped_and_direction_auto() -> None:
    block = plaintext.text_html("<script>alert(1)</script>\nمرحبا", lang="ar")
    assert 'dir="auto"' in block and 'lang="ar"' in block and "<script>" not in block
    assert html.unescape(re.sub(r"<[^>]+>", "", block)) == "<script>alert(1)</script>\nمرحبا"


def test_word_diff_marks_only_the_differing_words() -> None:
    left, right = worddiff.word_diff("the cat sat on the mat", "the dog sat on the mat today")
    assert [t for t, changed in left if changed] == ["cat "]
    assert [t for t, changed in right if changed] == ["dog ", " today"] or worddiff.changed_words(right) == 2
    assert "".join(t for t, _ in left) == "the cat sat on the mat"
    assert "<mark" in worddiff.diff_html(right) and "&lt;" in worddiff.diff_html([("<x>", True)])


def test_the_axis_includes_the_cutoff_and_every_removed_document() -> None:
    """French word repetition: max 0.13, most values below 0.049, one document at 0.2 (issue 16.3)."""
    from roots.visualizer import examples

    rng = np.random.default_rng(0)
    values = np.concatenate([rng.random(1000) * 0.049, [0.2], [np.nan] * 3])
    hist = examples.histogram(values, cutoffs=(0.13,))
    assert hist.low <= 0.13 <= hist.end  # the dashed line is drawn
    assert int(hist.counts.sum()) + hist.above + hist.missing == values.size
    assert hist.above == 1 and hist.end > hist.high  # the removed document is in the labelled end bin
    far = examples.histogram(values, cutoffs=(1e6,))
    assert far.end < 1  # a cutoff beyond every value does not squash the axis (a note says so instead)


@pytest.mark.parametrize(
    ("low", "high", "integer"),
    [(0.0, 0.049, False), (0.0, 0.135, False), (3, 100_000, True), (0.4, 1.0, False)],
)
def test_tick_labels_are_round_and_distinct(low: float, high: float, integer: bool) -> None:
    from roots.visualizer.charts import tick_values

    ticks, fmt = tick_values(low, high, integer)
    decimals = 0 if fmt == ",d" else int(fmt[2:-1])
    labels = [f"{t:,.{decimals}f}" for t in ticks]
    assert 3 <= len(ticks) <= 12 and len(set(labels)) == len(labels)
    assert all(low - 1e-9 <= t <= high + 1e-9 for t in ticks)
    assert all(float(label.replace(",", "")) == t for label, t in zip(labels, ticks, strict=True))


def test_cluster_sizes_are_grouped_into_readable_labels() -> None:
    from roots.visualizer.rundata import cluster_size_rows

    rows = cluster_size_rows({str(s): 1 for s in range(2, 3000)})
    labels = [r["cluster size"] for r in rows]
    assert len(labels) <= 12 and labels[0] == "2" and labels[-1].startswith("1,001")
    assert sum(r["clusters"] for r in rows) == 2998
    assert [r["cluster size"] for r in cluster_size_rows({"3": 1, "2": 5})] == ["2", "3"]


def test_fonts_found_per_script_and_the_missing_ones_named(tmp_path: Path) -> None:
    from roots.visualizer import fonts

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "NotoSansDevanagari-Regular.ttf").write_bytes(b"\0" * 10)
    found = fonts.find_fonts([tmp_path])
    assert found["Devanagari"] == tmp_path / "a" / "NotoSansDevanagari-Regular.ttf"
    message = fonts.missing_message(found)
    assert "Bengali (bn, as)" in message and "Devanagari" not in message and "fonts-noto-core" in message
    served = fonts.publish(found, tmp_path / "static")
    assert served == {"Devanagari": "NotoSansDevanagari-Regular.ttf"}
    assert (tmp_path / "static" / "fonts" / "NotoSansDevanagari-Regular.ttf").is_file()
    css = fonts.font_face_css(served)
    assert 'font-family: "Source Sans"' in css and "unicode-range: U+0900-097F" in css
    assert "http" not in css  # served by the dashboard itself, never fetched from elsewhere


@pytest.mark.parametrize(("bound", "cutoff"), [("max", 0.2), ("max", 0.21), ("min", 0.1), ("min", 0.125)])
def test_red_bins_hold_exactly_the_removed_documents_when_values_sit_on_a_grid(
    bound: str, cutoff: float
) -> None:
    from roots.filters.catalog import BY_NAME
    from roots.visualizer import examples
    from roots.visualizer.charts import _bin_outcome
    from roots.visualizer.tuning import Setting

    values = np.round(0.05 + (np.arange(600) % 10) * 0.03, 4)  # 0.05 .. 0.32, as in the test run
    spec = BY_NAME["character_repetition" if bound == "max" else "stopwords"]
    setting = Setting(enabled=True, **{bound: cutoff})
    hist = examples.histogram(values, cutoffs=(cutoff,))
    red = sum(
        int(n)
        for lo, hi, n in zip(hist.edges[:-1], hist.edges[1:], hist.counts, strict=True)
        if _bin_outcome(lo, hi, spec, setting) == "removed"
    )
    removed = int((values > cutoff).sum() if bound == "max" else (values < cutoff).sum())
    assert red == removed
