"""One invalidation mechanism (``roots.inputs``): re-running finished stages does nothing at all, and
changing one input redoes exactly what depends on it.

"Nothing at all" is checked on the files: every file of the run keeps its inode, modification time and
size (roots writes by renaming a new file into place, so any rewrite changes the inode), none appears or
disappears; in-process, an executor that counts the tasks it is given sees none.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from roots.config import PipelineConfig
from roots.demo.corpus import load_paragraphs
from roots.executors import LocalExecutor
from tests.conftest import REPO, run_roots

Snapshot = dict[str, tuple[int, int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file under ``root``: (inode, mtime_ns, size)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def rewritten(before: Snapshot, after: Snapshot, prefix: str = "") -> set[str]:
    """Files under ``prefix`` that were written, added or deleted between two snapshots."""
    names = {n for n in set(before) | set(after) if n.startswith(prefix)}
    return {n for n in names if before.get(n) != after.get(n)}


class CountingExecutor(LocalExecutor):
    """The local executor, counting the tasks it is asked to run."""

    def __init__(self) -> None:
        super().__init__(1)
        self.tasks = 0

    def map_tries(self, fn: Any, args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        self.tasks += len(args)
        return super().map_tries(fn, args)


def _jsonl(path: Path, texts: list[str]) -> Path:
    path.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8"
    )
    return path


def write_pipeline(folder: Path, corpus: Path, languages: Path, **changes: Any) -> Path:
    """Two jsonl sources (a: English, b: French, with duplicates), filter, dedup and a Parquet export."""
    config: dict[str, Any] = {
        "run_dir": str(folder / "run"),
        "workers": 2,
        "sources": [
            {"type": "jsonl", "name": "a", "paths": [str(corpus / "a.jsonl")], "lines_per_shard": 4},
            {"type": "jsonl", "name": "b", "paths": [str(corpus / "b.jsonl")], "lines_per_shard": 4},
        ],
        "filter": {"languages_dir": str(languages)},
        "dedup": {},
        "export": {"format": "parquet", "rows_per_shard": 5},
    }
    for key, value in changes.items():
        config[key] = value
    path = folder / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished run of every stage; each test works on its own copy."""
    tmp = tmp_path_factory.mktemp("finished")
    corpus = tmp / "corpus"
    corpus.mkdir()
    en, fr = load_paragraphs("en"), load_paragraphs("fr")
    _jsonl(corpus / "a.jsonl", [*en, en[0], en[3]])
    _jsonl(corpus / "b.jsonl", [*fr, fr[1]])
    shutil.copytree(REPO / "configs" / "languages", tmp / "languages")
    done = run_roots("run", str(write_pipeline(tmp, corpus, tmp / "languages")))
    assert done.returncode == 0, done.stderr
    for stage in ("extract", "filter", "dedup", "export/_parquet"):
        assert (tmp / "run" / stage / "stats.json").is_file()
    return tmp


@pytest.fixture
def copy(finished: Path, tmp_path: Path) -> Path:
    """A copy of the finished run and of its language configs, and its pipeline YAML (same corpus)."""
    for name in ("languages", "run"):
        shutil.copytree(finished / name, tmp_path / name)
    (tmp_path / "corpus").symlink_to(finished / "corpus")
    write_pipeline(tmp_path, finished / "corpus", tmp_path / "languages")
    recorded = tmp_path / "run" / "config.yaml"  # as if the run had been made here
    data = yaml.safe_load(recorded.read_text(encoding="utf-8"))
    data["run_dir"], data["filter"]["languages_dir"] = str(tmp_path / "run"), str(tmp_path / "languages")
    recorded.write_text(PipelineConfig.model_validate(data).to_yaml(), encoding="utf-8")
    return tmp_path


def test_rerunning_finished_stages_runs_no_step_and_writes_no_file(copy: Path) -> None:
    run_dir = copy / "run"
    before = snapshot(run_dir)
    commands = [
        ("run", str(copy / "pipeline.yaml")),
        ("dedup", str(run_dir), "--workers", "2"),
        ("filter", str(run_dir), "--workers", "2"),
        ("run", str(copy / "pipeline.yaml")),
    ]
    for command in commands:
        done = run_roots(*command)
        assert done.returncode == 0, done.stderr
        assert "shard(s) done" not in done.stderr, (command, done.stderr)  # no stage ran a shard
        assert "already done" in done.stderr, (command, done.stderr)
        assert rewritten(before, snapshot(run_dir)) == set(), command
    again = run_roots("run", str(copy / "pipeline.yaml")).stderr
    for stage in ("extract", "filter", "dedup", "export/_parquet"):
        assert f"{stage}: already done" in again, again


def test_every_dedup_step_is_skipped_when_its_inputs_did_not_change(copy: Path) -> None:
    """With the working files kept and only the final step's stats.json missing, every step is found done
    and no task runs; only the final step's own files (stats.json, errors.jsonl, pairs.parquet) are
    written again, with the same bytes."""
    from roots.dedup.stage import run as dedup_run
    from roots.layout import RunLayout
    from roots.pipeline import load_run_config

    run = RunLayout(copy / "run")
    config = load_run_config(run.root)
    config = config.model_copy(update={"dedup": config.dedup.model_copy(update={"keep_intermediate": True})})
    shutil.rmtree(run.root / "dedup")
    with LocalExecutor(2) as executor:
        dedup_run(config, run, executor)
    steps = sorted(p.name for p in (run.root / "dedup").glob("_*") if p.name not in ("_done", "_errors"))
    assert {"_signatures", "_buckets", "_pairs_a", "_pairs_b", "_members", "_assign"} <= set(steps)
    finals = {p.name: p.read_bytes() for p in (run.root / "dedup").iterdir() if p.is_file()}

    before = snapshot(run.root)
    counting = CountingExecutor()
    dedup_run(config, run, counting)
    assert counting.tasks == 0
    assert rewritten(before, snapshot(run.root)) == set()

    (run.root / "dedup" / "stats.json").unlink()
    counting = CountingExecutor()
    dedup_run(config, run, counting)
    assert counting.tasks == 0
    assert {n.split("/", 1)[1] for n in rewritten(before, snapshot(run.root))} <= set(finals)
    assert {p.name: p.read_bytes() for p in (run.root / "dedup").iterdir() if p.is_file()} == finals


def markers(files: Snapshot, stage: str) -> set[str]:
    return {n for n in files if n.startswith(f"{stage}/") and "/_done/" in n}


def _changed_stages(before: Snapshot, after: Snapshot) -> dict[str, set[str]]:
    return {
        stage: {n for n in rewritten(before, after, f"{stage}/") if "/_done/" in n}
        for stage in ("extract", "filter", "dedup", "export")
    }


def test_a_changed_language_config_redoes_filter_and_later_stages(copy: Path) -> None:
    run_dir = copy / "run"
    before = snapshot(run_dir)
    config = copy / "languages" / "en.yaml"
    text = config.read_text(encoding="utf-8")
    assert "max: 0.106" in text
    config.write_text(text.replace("max: 0.106", "max: 0.2"), encoding="utf-8")
    explained = run_roots("explain", str(run_dir), "filter")
    assert explained.returncode == 0, explained.stderr
    assert "would run: language en" in explained.stdout

    done = run_roots("run", str(copy / "pipeline.yaml"))
    assert done.returncode == 0, done.stderr
    assert "changed: language en" in done.stderr
    changed = _changed_stages(before, snapshot(run_dir))
    assert changed["extract"] == set()
    for stage in ("filter", "dedup", "export"):
        assert changed[stage] == markers(before, stage), stage
    assert "up to date" in run_roots("explain", str(run_dir), "filter").stdout


def test_a_changed_dedup_parameter_redoes_dedup_and_export_only(copy: Path) -> None:
    run_dir = copy / "run"
    before = snapshot(run_dir)
    pipeline = write_pipeline(
        copy, (copy / "corpus").resolve(), copy / "languages", dedup={"minhash": {"threshold": 0.6}}
    )
    assert "would run: dedup" in run_roots("explain", str(pipeline), "dedup").stdout
    done = run_roots("run", str(pipeline))
    assert done.returncode == 0, done.stderr
    changed = _changed_stages(before, snapshot(run_dir))
    assert changed["extract"] == set() and changed["filter"] == set()
    assert changed["dedup"] == markers(before, "dedup")
    assert changed["export"] == markers(before, "export")
    assert "extract: already done" in done.stderr and "filter: already done" in done.stderr


def test_a_changed_source_redoes_its_own_shards_only(copy: Path) -> None:
    """Source b's label changes: extract and filter redo b's shards only; dedup and export redo all."""
    run_dir = copy / "run"
    before = snapshot(run_dir)
    pipeline = yaml.safe_load((copy / "pipeline.yaml").read_text(encoding="utf-8"))
    sources = pipeline["sources"]
    sources[1]["name"] = "b2"
    write_pipeline(copy, (copy / "corpus").resolve(), copy / "languages", sources=sources)
    done = run_roots("run", str(copy / "pipeline.yaml"))
    assert done.returncode == 0, done.stderr
    assert "changed: source" in done.stderr
    changed = _changed_stages(before, snapshot(run_dir))
    a_count = -(-len(load_paragraphs("en") + ["x", "y"]) // 4)  # shards of source a, 4 lines each
    all_extract = sorted(n for n in before if n.startswith("extract/_done/"))
    assert 0 < a_count < len(all_extract)
    assert changed["extract"] == set(all_extract[a_count:])
    assert changed["filter"] == {n.replace("extract/", "filter/") for n in all_extract[a_count:]}
    assert changed["dedup"] == markers(before, "dedup")
    assert changed["export"] == markers(before, "export")
