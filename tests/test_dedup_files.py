"""Dedup working files: one partitioned file per sending task and output family (an index of every
receiving partition's byte range, then the partitions as Arrow IPC streams), and a receiving task reads
only its own bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from roots.dedup.tables import KEYS, read_parts, ref_shard, u64
from roots.layout import RunLayout, shard_name
from roots.partitioned import (
    SUFFIX,
    partition_count,
    partition_rows,
    partitioned,
    read_partition,
    write_partitioned,
)
from tests.dedup_helpers import mixed_corpus, run_dedup, write_run


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[RunLayout, int]:
    """A real dedup run with a tiny memory budget (many key and node partitions), working files kept."""
    shards, _ = mixed_corpus()
    run = write_run(tmp_path_factory.mktemp("files") / "run", shards)
    run_dedup(run, {"max_items_in_memory": 40, "keep_intermediate": True})
    return run, len(shards)


def _tasks(step: Path) -> int:
    return len(list((step / "_done").glob("*.json")))


def _families(step: Path) -> set[str]:
    return {p.name for p in step.iterdir() if p.is_dir() and not p.name.startswith("_")}


def test_one_file_per_sending_task_and_family(tiny):
    run, shards = tiny
    dedup = run.root / "dedup"
    keys, nodes = _tasks(dedup / "_buckets"), _tasks(dedup / "_cc_000")
    assert keys > 20 and nodes > 1  # the budget really partitioned the work
    rounds = sorted(p.name for p in dedup.glob("_cc_*"))
    expected = {
        "_signatures": ({"docs", "shingles", "keys", "lines"}, shards),
        "_lines": ({"templates"}, keys),
        "_buckets": ({"to"}, keys),
        "_pairs_a": ({"to"}, shards),
        "_pairs_b": ({"cc", "info", "pairs"}, shards),
        **{name: ({"e", "labels"}, nodes) for name in rounds},
        "_members": ({"to"}, nodes),
        "_assign": ({"to", "hist", "top"}, nodes),
    }
    partitioned_families = {"keys", "lines", "to", "cc", "info", "e"}
    for step, (families, senders) in expected.items():
        assert _families(dedup / step) == families, step
        for family in families:
            suffix = SUFFIX if family in partitioned_families else ".parquet"
            names = sorted(p.name for p in (dedup / step / family).iterdir())
            assert names == [shard_name(t, suffix) for t in range(senders)], (step, family)
    total = len(list(dedup.glob("_*/*/part-*.parquet"))) + len(list(dedup.glob(f"_*/*/part-*{SUFFIX}")))
    assert total == 4 * shards + 2 * keys + shards + 3 * shards + len(rounds) * 2 * nodes + nodes + 3 * nodes


def test_each_partition_holds_only_its_receivers_rows(tiny):
    run, shards = tiny
    dedup = run.root / "dedup"
    keys = _tasks(dedup / "_buckets")
    checks = [
        (dedup / "_signatures" / "keys", shards, keys, lambda t: u64(t, "k1") % np.uint64(keys)),
        (dedup / "_signatures" / "lines", shards, keys, lambda t: u64(t, "line") % np.uint64(keys)),
        (dedup / "_buckets" / "to", keys, shards, lambda t: ref_shard(u64(t, "a"))),
        (dedup / "_pairs_a" / "to", shards, shards, lambda t: ref_shard(u64(t, "b"))),
    ]
    for family, senders, receivers, target in checks:
        for sender in range(senders):
            path = family / shard_name(sender, SUFFIX)
            assert partition_count(path) == receivers  # every receiver is indexed, empty ones too
            rows = partition_rows(path)
            for partition in range(receivers):
                table = read_partition(path, partition)
                if table is None:
                    assert rows[partition] == 0
                    continue
                assert table.num_rows == rows[partition] > 0
                assert set(np.asarray(target(table)).tolist()) == {partition}
    assert any((partition_rows(p) > 0).sum() > 1 for p in (dedup / "_signatures" / "keys").iterdir())


def _whole(path: Path) -> pa.Table:
    """Every row of a partitioned file, partition after partition."""
    parts = [read_partition(path, p) for p in range(partition_count(path))]
    return pa.concat_tables([t for t in parts if t is not None]).cast(KEYS)


def test_a_receiving_task_gets_exactly_its_partition(tiny):
    run, shards = tiny
    keys = _tasks(run.root / "dedup" / "_buckets")
    family = run.root / "dedup" / "_signatures" / "keys"
    whole = [_whole(family / shard_name(s, SUFFIX)) for s in range(shards)]
    received = 0
    for partition in range(keys):
        got = read_parts(run, "dedup/_signatures", "keys", range(shards), KEYS, partition=partition)
        wanted = [t.filter(pa.array(u64(t, "k1") % np.uint64(keys) == partition)) for t in whole]
        assert got.equals(pa.concat_tables(wanted).cast(KEYS))
        received += got.num_rows
    assert received == sum(t.num_rows for t in whole)


def test_reading_a_partition_reads_only_its_bytes(tiny, tmp_path):
    run, shards = tiny
    source = max(
        (run.root / "dedup" / "_signatures" / "keys" / shard_name(s, SUFFIX) for s in range(shards)),
        key=lambda p: (partition_rows(p) > 0).sum(),
    )
    rows = partition_rows(source)
    mine, *others = np.flatnonzero(rows > 0).tolist()
    expected = read_partition(source, mine)
    assert expected is not None and expected.num_rows == rows[mine]
    broken = tmp_path / f"broken{SUFFIX}"
    shutil.copy(source, broken)
    data = bytearray(broken.read_bytes())
    first_other = _byte_range(data, others[0])[0]
    data[first_other:] = bytes(len(data) - first_other)  # every later partition's bytes are zeros
    broken.write_bytes(bytes(data))
    with pytest.raises((OSError, pa.ArrowException)):
        read_partition(broken, others[0])  # the other partitions are really unreadable...
    assert read_partition(broken, mine).equals(expected)  # ...and reading one partition never touches them


def _byte_range(data: bytes | bytearray, partition: int) -> tuple[int, int]:
    start = 16 + 24 * partition
    return int.from_bytes(data[start : start + 8], "little"), int.from_bytes(
        data[start + 8 : start + 16], "little"
    )


def test_partitions_keep_row_order_and_empty_ones_read_as_none(tmp_path):
    table = pa.table({"x": pa.array(np.arange(20, dtype=np.int64)), "s": [f"r{i}" for i in range(20)]})
    target = np.array([3, 0, 3, 3, 1, 3, 3, 3, 0, 3] * 2, dtype=np.int64)
    path = tmp_path / "p" / f"part-00000{SUFFIX}"
    write_partitioned(path, partitioned(table, target, 5))
    assert partition_rows(path).tolist() == [4, 2, 0, 14, 0]
    for partition in range(5):
        got = read_partition(path, partition, columns=["x"])
        rows = np.flatnonzero(target == partition)
        if not len(rows):
            assert got is None
        else:
            assert got.column_names == ["x"]
            assert got.column("x").to_pylist() == rows.tolist()  # input order kept within a partition
    with pytest.raises(ValueError, match="has 5 partitions"):
        read_partition(path, 5)
    again = tmp_path / "again" / f"part-00000{SUFFIX}"
    write_partitioned(again, partitioned(table, target, 5))
    assert again.read_bytes() == path.read_bytes()  # deterministic bytes
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_an_empty_sender_still_writes_its_file_and_other_files_are_refused(tmp_path):
    empty = pa.table({"x": pa.array([], pa.int64())})
    path = tmp_path / f"empty{SUFFIX}"
    write_partitioned(path, partitioned(empty, np.zeros(0, dtype=np.int64), 3))
    assert partition_count(path) == 3 and partition_rows(path).tolist() == [0, 0, 0]
    assert all(read_partition(path, p) is None for p in range(3))
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), plain)
    with pytest.raises(ValueError, match="not a partitioned file"):
        read_partition(plain, 0)
    truncated = tmp_path / f"truncated{SUFFIX}"
    full = tmp_path / f"full{SUFFIX}"
    write_partitioned(full, partitioned(pa.table({"x": [1, 2, 3]}), np.array([0, 1, 1]), 2))
    truncated.write_bytes(full.read_bytes()[:-10])
    with pytest.raises((ValueError, pa.ArrowException)):
        read_partition(truncated, 1)
