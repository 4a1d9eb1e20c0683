"""Pure helpers of the dashboard: the kept + removed reader, plain-text rendering, word diffs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

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
