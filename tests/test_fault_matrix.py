"""The whole pipeline under faults, as a user runs it (``python -m roots run pipeline.yaml`` in a subprocess).

* SIGKILL of the whole process group at several points of every stage (extract, filter, dedup and its
  signature step, export), during shard work and after it (merging, reports, datasets, dedup's removal of
  its working files), then a re-run: the run tree is byte-identical to an uninterrupted run. The corpus
  is the demo corpus (HF parquet, WARC, PDF, jsonl) cut into small shards. Each chain kills one run once per
  stage, every kill hitting a run that resumed the previous kill, so one test covers every stage for the cost
  of about one run.
* Every bad input the sources know, in one run: the run completes and ``in = kept + removed + errors`` at
  every stage, from ``stats.json`` and, independently, from the Parquet rows and ``errors.jsonl`` lines.
* Disk full while writing shards (a 2 MiB tmpfs): a non-zero exit, one line naming the problem, no shard
  that fails to open, and a resume on a disk with space leaves no temporary file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from roots.demo.corpus import DemoCorpus, build_demo_corpus, load_paragraphs
from roots.demo.run import demo_sources
from roots.packaged import languages_dir
from tests.conftest import REPO, run_roots, tree_bytes
from tests.fixtures_sources import (
    Page,
    encrypted_pdf,
    gzip_members,
    html_page,
    text_pdf,
    warc_records,
    write_chunks,
)

STAGES = ("extract", "filter", "dedup", "export")
SHARD_SIZES = {"hf": {"rows_per_shard": 12}, "warc": {"bytes_per_shard": 8192}, "pdf": {"files_per_shard": 1}}
SHARD_SIZES["jsonl"] = {"lines_per_shard": 4}


# ---------------------------------------------------------------- pipeline files and runs
def write_pipeline(path: Path, run_dir: Path, sources: list[dict[str, Any]], tokenizer: Path | None) -> Path:
    """A pipeline YAML with small shards in every stage (export only with a tokenizer)."""
    config: dict[str, Any] = {
        "run_dir": str(run_dir),
        "workers": 2,
        "sources": [source | SHARD_SIZES.get(source["type"], {}) for source in sources],
        "filter": {"languages_dir": str(languages_dir())},
        "dedup": {},
        "export": None,
    }
    if tokenizer is not None:
        config["export"] = {"format": "megatron", "tokenizer": str(tokenizer), "rows_per_shard": 8}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def roots_run(pipeline: Path) -> subprocess.CompletedProcess[str]:
    return run_roots("run", str(pipeline))


def start_run(pipeline: Path) -> subprocess.Popen[bytes]:
    """``roots run`` in its own session, so that the whole process tree can be killed at once."""
    return subprocess.Popen(
        [sys.executable, "-m", "roots", "run", str(pipeline)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "ROOTS_PROGRESS": "0"},
    )


def kill_when(
    proc: subprocess.Popen[bytes], run_dir: Path, pattern: str, count: int, timeout: float = 180
) -> None:
    """SIGKILL the process group once ``count`` files under ``run_dir`` match ``pattern``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(run_dir.glob(pattern))) >= count:
            break
        time.sleep(0.003)
    assert proc.poll() is None, f"the run finished before {count} × {pattern}; use smaller shards"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


# ---------------------------------------------------------------- module fixtures
@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoCorpus:
    return build_demo_corpus(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory, demo) -> Path:
    """A tiny BLOOM-style BPE trained with ``roots tokenizer train`` on the demo's HF documents."""
    tmp = tmp_path_factory.mktemp("tokenizer")
    done = run_roots("extract", "hf", str(demo.hf_dir), "--out", str(tmp / "run"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    done = run_roots("tokenizer", "train", str(tmp / "run"), "--vocab-size", "400", "--out", str(tmp / "tok"))
    assert done.returncode == 0, done.stderr
    return tmp / "tok"


@pytest.fixture(scope="module")
def reference(tmp_path_factory, demo, tokenizer) -> Path:
    """An uninterrupted run of every stage."""
    tmp = tmp_path_factory.mktemp("reference")
    pipeline = write_pipeline(tmp / "pipeline.yaml", tmp / "run", demo_sources(demo), tokenizer)
    done = roots_run(pipeline)
    assert done.returncode == 0, done.stderr
    for stage in STAGES:
        assert (tmp / "run" / stage / "stats.json").is_file()
    return tmp / "run"


# ---------------------------------------------------------------- 1. SIGKILL at every stage
#: kill points, in pipeline order: (stage, files in the run folder, how many exist at the kill)
KILL_CHAINS = {
    "first-shard": [
        ("extract", "extract/_done/*.json", 1),
        ("filter", "filter/_done/*.json", 1),
        ("dedup", "dedup/_signatures/_done/*.json", 1),
        ("dedup", "dedup/_done/*.json", 1),
        ("export", "export/_done/*.json", 1),
    ],
    "mid-stage": [
        ("extract", "extract/_done/*.json", 15),
        ("filter", "filter/_done/*.json", 15),
        ("dedup", "dedup/_signatures/_done/*.json", 15),
        ("dedup", "dedup/_done/*.json", 15),
        ("export", "export/_done/*.json", 15),
    ],
    # after every shard: while a stage merges errors, writes reports and datasets, and cleans up
    "finalize-and-cleanup": [
        ("extract", "extract/errors.jsonl", 1),
        ("filter", "filter/errors.jsonl", 1),
        ("dedup", "dedup/pairs.parquet", 1),  # dedup's report, before its stats.json
        ("dedup", "dedup/stats.json", 1),  # the removal of dedup's working files
        ("export", "export/*_text_document.bin", 1),  # merging the datasets
    ],
}
SHARD_CHAINS = ("first-shard", "mid-stage")


def run_tree(run_dir: Path) -> dict[str, bytes]:
    """``tree_bytes`` with the run directory's own path replaced (export files name their datasets by it)."""
    own = str(run_dir).encode()
    return {name: data.replace(own, b"RUN") for name, data in tree_bytes(run_dir).items()}


@pytest.mark.parametrize("chain", sorted(KILL_CHAINS))
def test_sigkill_at_every_stage_then_rerun_is_byte_identical(tmp_path, demo, tokenizer, reference, chain):
    """One run killed at each point of the chain in turn (each kill hits a run that resumed the one before),
    then run to the end: the same bytes as the uninterrupted run."""
    run_dir = tmp_path / "run"
    pipeline = write_pipeline(tmp_path / "pipeline.yaml", run_dir, demo_sources(demo), tokenizer)
    for stage, pattern, count in KILL_CHAINS[chain]:
        kill_when(start_run(pipeline), run_dir, pattern, count)
        if chain in SHARD_CHAINS:
            assert not (run_dir / stage / "stats.json").exists(), f"killed after {stage} had finished"

    resumed = roots_run(pipeline)
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stderr
    assert run_tree(run_dir) == run_tree(reference)
    assert not list(run_dir.rglob(".tmp-*"))


# ---------------------------------------------------------------- 2. every bad input
def bad_warc(path: Path) -> None:
    """Good pages around a member cut in the middle, a wrong charset, a binary payload, garbage, an empty page;
    the file ends with a truncated member."""
    en, fr = load_paragraphs("en"), load_paragraphs("fr")
    good = [
        Page(f"https://good.example/{i}", html_page(f"Page {i}", en[i : i + 3]).encode()) for i in range(4)
    ]
    wrong_charset = Page(
        "https://fr.example/mal-declare",
        html_page("Bulletin", fr[:3], lang="fr").encode("cp1252"),
        content_type="text/html; charset=utf-8",
    )
    binary = Page("https://bin.example/blob", bytes(range(256)) * 64, content_type="text/html")
    empty = Page("https://empty.example/", html_page("", []).encode())
    members = gzip_members(warc_records([good[0], good[1], wrong_charset, binary, empty, good[2], good[3]],
                                        compress=False))  # fmt: skip
    truncated = members[1][: len(members[1]) // 2]
    garbage = bytes((i * 37 + 11) % 256 for i in range(3000))
    write_chunks(path, [members[0], truncated, *members[2:5], garbage, *members[5:], truncated])


def bad_pdfs(folder: Path) -> None:
    """A good PDF, a truncated (corrupt) one, an encrypted one and a zero-byte one."""
    folder.mkdir()
    good = text_pdf(folder / "good.pdf", ["\n".join(load_paragraphs("en")[:3])])
    data = good.read_bytes()
    (folder / "corrupt.pdf").write_bytes(data[: len(data) // 2])
    encrypted_pdf(good, folder / "encrypted.pdf", user_password="secret")
    (folder / "empty.pdf").write_bytes(b"")


def bad_jsonl(path: Path) -> None:
    """Good lines, a malformed line, an invalid UTF-8 line, an empty document, a 10 MB document."""

    def line(text: str) -> bytes:
        return json.dumps({"text": text}, ensure_ascii=False).encode() + b"\n"

    es = load_paragraphs("es")
    big = "\n\n".join(es) + "\n\n"
    huge = big * (10 * 2**20 // len(big.encode()) + 1)
    lines = [
        line("\n\n".join(es[:3])),
        b'{"text": "cut off in the middle\n',
        b'{"text": "caf\xe9 au lait \xff\xfe"}\n',
        line(""),
        line(huge),
        line("\n\n".join(es[4:7])),
    ]
    path.write_bytes(b"".join(lines))


def stage_counts(stage_dir: Path) -> dict[str, int]:
    """What a stage wrote, counted from its files: Parquet rows per kind and ``errors.jsonl`` lines."""

    def rows(folder: Path) -> int:
        return sum(pq.read_table(part).num_rows for part in folder.glob("part-*.parquet"))

    errors = stage_dir / "errors.jsonl"
    records = (
        [json.loads(x) for x in errors.read_text(encoding="utf-8").splitlines()] if errors.exists() else []
    )
    assert all(record.get("reason") for record in records), "an error record without a reason"
    if stage_dir.name == "export":  # Megatron: documents in each .idx (its document index has n + 1 entries)
        headers = [idx.read_bytes()[:34] for idx in stage_dir.glob("*.idx")]
        assert all(head[:9] == b"MMIDIDX\x00\x00" for head in headers)
        kept = sum(struct.unpack("<Q", head[26:34])[0] - 1 for head in headers)
        return {"kept": kept, "removed": 0, "errors": len(records)}
    if (stage_dir / "kept").is_dir():
        return {
            "kept": rows(stage_dir / "kept"),
            "removed": rows(stage_dir / "removed"),
            "errors": len(records),
        }
    return {"kept": rows(stage_dir), "removed": 0, "errors": len(records)}


def test_every_bad_input_is_accounted_for_at_every_stage(tmp_path, tokenizer):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad_warc(corpus / "crawl.warc.gz")
    bad_pdfs(corpus / "pdfs")
    bad_jsonl(corpus / "docs.jsonl")
    sources = [
        {"type": "warc", "paths": [str(corpus / "crawl.warc.gz")]},
        {"type": "pdf", "paths": [str(corpus / "pdfs")]},
        {"type": "jsonl", "paths": [str(corpus / "docs.jsonl")]},
    ]
    run_dir = tmp_path / "run"
    done = roots_run(write_pipeline(tmp_path / "pipeline.yaml", run_dir, sources, tokenizer))
    assert done.returncode == 0, done.stderr

    reasons = {
        json.loads(x)["reason"] for x in (run_dir / "extract" / "errors.jsonl").read_text().splitlines()
    }
    expected = {
        "corrupt_gzip",
        "truncated_gzip",
        "garbage",
        "truncated",
        "encrypted",
        "empty_file",
        "malformed_json",
    }
    expected |= {"invalid_utf8", "empty_text"}
    assert expected <= reasons, f"missing error reasons: {expected - reasons}"

    previous_kept = None
    for stage in STAGES:
        stats = json.loads((run_dir / stage / "stats.json").read_text(encoding="utf-8"))
        totals = stats["totals"]
        n_in, kept = totals["in"]["docs"], totals["kept"]["docs"]
        removed = totals.get("removed_total", {}).get("docs", 0)
        errors = totals["errors_total"]["docs"]
        assert stats["balanced"] is True
        assert n_in == kept + removed + errors, stage
        counted = stage_counts(run_dir / stage)
        assert counted == {"kept": kept, "removed": removed, "errors": errors}, stage
        if previous_kept is not None:
            assert n_in == previous_kept, f"{stage} did not read every document the stage before kept"
        previous_kept = kept


# ---------------------------------------------------------------- 3. disk full
@contextlib.contextmanager
def small_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up (needs root): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def incompressible_jsonl(path: Path, docs: int, words: int) -> Path:
    """Documents of pseudo-random words (they do not compress much), deterministic."""
    vocabulary = [w for lang in ("en", "fr", "es") for p in load_paragraphs(lang) for w in p.split()]
    state, lines = 12345, []
    for _ in range(docs):
        text = []
        for _ in range(words):
            state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
            text.append(vocabulary[(state >> 33) % len(vocabulary)] + str(state % 9973))
        lines.append(json.dumps({"text": " ".join(text)}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("prefill", [False, True], ids=["fills-while-writing-shards", "full-from-the-start"])
def test_disk_full_gives_one_line_and_no_corrupt_shard(tmp_path, prefill):
    corpus = incompressible_jsonl(tmp_path / "big.jsonl", 600, 1500)  # ~12 MB of text, ~5 MB as Parquet
    source = {"type": "jsonl", "paths": [str(corpus)], "lines_per_shard": 50}

    def pipeline(run_dir: Path) -> Path:
        path = tmp_path / f"pipeline-{run_dir.parent.name}.yaml"
        config = {"run_dir": str(run_dir), "workers": 2, "sources": [source], "filter": None, "dedup": None}
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    with small_tmpfs(tmp_path / "small", "2m") as disk:
        if prefill:  # a shard worker is not the only writer: the main process's first write fails here
            with pytest.raises(OSError), open(disk / "filler", "wb") as handle:
                handle.write(b"\0" * 4 * 2**20)
        run_dir = disk / "run"
        done = roots_run(pipeline(run_dir))
        assert done.returncode != 0
        assert "Traceback" not in done.stderr, done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("roots: error:")]
        assert len(errors) == 1, done.stderr
        assert "no space left on device" in errors[0].lower(), errors[0]
        for part in run_dir.rglob("part-*.parquet"):
            pq.read_table(part)  # every shard that exists opens
        copy = tmp_path / "roomy" / "run"
        if run_dir.exists():
            shutil.copytree(run_dir, copy)

    resumed = roots_run(pipeline(copy))
    assert resumed.returncode == 0, resumed.stderr
    assert not list(copy.rglob(".tmp-*"))
    stats = json.loads((copy / "extract" / "stats.json").read_text(encoding="utf-8"))
    assert stats["totals"]["kept"]["docs"] == 600
    assert sum(pq.read_table(p).num_rows for p in (copy / "extract").glob("part-*.parquet")) == 600
