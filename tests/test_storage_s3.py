"""Inputs and run folder on S3 (a real S3 server on 127.0.0.1, see tests/s3_server.py): the same bytes as a
local run, kill-and-resume on S3, and one clear line for a missing bucket, wrong credentials or a dead endpoint."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from roots.demo.corpus import DemoCorpus, build_demo_corpus
from roots.demo.run import demo_sources
from tests.conftest import run_roots, tree_bytes
from tests.ray_nodes import ray_nodes
from tests.s3_server import BUCKET, S3Server, free_port, running_s3
from tests.test_fault_matrix import roots_run, start_run, write_pipeline

STAGES = ("extract", "filter", "dedup", "export")
#: (stage, marker folder, markers present at the kill), in pipeline order: one run killed once per stage
KILLS = [
    ("extract", "extract/_done", 2),
    ("filter", "filter/_done", 2),
    ("dedup", "dedup/_signatures/_done", 2),
    ("dedup", "dedup/_done", 2),
    ("export", "export/_done", 2),
]


def s3_sources(corpus: DemoCorpus, server: S3Server, prefix: str) -> list[dict]:
    """The demo's WARC, PDF and jsonl sources, uploaded under ``prefix`` (the HF folder stays out: a local
    ``datasets`` folder, not a file list)."""
    sources = []
    for source in demo_sources(corpus):
        if source["type"] == "hf":
            continue
        urls = []
        for local in source["paths"]:
            url = f"{prefix}/{source['type']}/{Path(local).name}"
            server.upload(Path(local), url)
            urls.append(url)
        sources.append(source | {"paths": urls})
    return sources


def local_sources(corpus: DemoCorpus) -> list[dict]:
    return [s for s in demo_sources(corpus) if s["type"] != "hf"]


def comparable(tree: dict[str, bytes], run: str) -> dict[str, bytes]:
    """A run tree without its config, the run's location replaced (export files name their datasets by it), and
    the completion markers by their counts only (fingerprints chain from the sources' configs, which include
    where the inputs are)."""
    out = {}
    for name, data in tree.items():
        data = data.replace(run.encode(), b"RUN")
        if name == "config.yaml":
            continue
        if "/_done/" in f"/{name}":
            data = json.dumps(json.loads(data)["stats"], sort_keys=True).encode()
        out[name] = data
    return out


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3() as server:
        yield server


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> DemoCorpus:
    return build_demo_corpus(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory, corpus) -> Path:
    """A tiny BPE trained with ``roots tokenizer train`` on the demo's jsonl documents."""
    tmp = tmp_path_factory.mktemp("tokenizer")
    done = run_roots("extract", "jsonl", str(corpus.jsonl), "--out", str(tmp / "run"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    done = run_roots("tokenizer", "train", str(tmp / "run"), "--vocab-size", "300", "--out", str(tmp / "tok"))
    assert done.returncode == 0, done.stderr
    return tmp / "tok"


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory, corpus, tokenizer) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("local")
    done = roots_run(write_pipeline(tmp / "pipeline.yaml", tmp / "run", local_sources(corpus), tokenizer))
    assert done.returncode == 0, done.stderr
    for stage in STAGES:
        assert (tmp / "run" / stage / "stats.json").is_file()
    return comparable(tree_bytes(tmp / "run", exclude=()), str(tmp / "run"))


@pytest.mark.slow
def test_inputs_and_run_on_s3_give_the_local_bytes(tmp_path, s3, corpus, tokenizer, local_reference):
    run_url = f"s3://{BUCKET}/same/run"
    sources = s3_sources(corpus, s3, f"s3://{BUCKET}/same/corpus")
    done = roots_run(write_pipeline(tmp_path / "pipeline.yaml", run_url, sources, tokenizer))  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr
    remote = s3.tree(run_url)
    assert comparable(remote, run_url) == local_reference
    assert not [name for name in remote if ".tmp-" in name]


def kill_when_s3(proc, server: S3Server, markers: str, count: int, timeout: float = 300) -> None:
    """SIGKILL the run's process group once the ``markers`` prefix holds ``count`` objects."""
    fs = server.fs()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(fs.ls(markers.removeprefix("s3://"), refresh=True)) >= count:
                break
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    assert proc.poll() is None, f"the run finished before {count} markers in {markers}; use smaller shards"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
@pytest.mark.timeout(1800)  # five runs and a resume, each shard several requests to a server in Python
def test_sigkill_at_every_stage_on_s3_then_rerun_is_byte_identical(tmp_path, s3, corpus, tokenizer, local_reference):
    run_url = f"s3://{BUCKET}/killed/run"
    sources = s3_sources(corpus, s3, f"s3://{BUCKET}/killed/corpus")
    pipeline = write_pipeline(tmp_path / "pipeline.yaml", run_url, sources, tokenizer)  # type: ignore[arg-type]
    for stage, markers, count in KILLS:
        kill_when_s3(start_run(pipeline), s3, f"{run_url}/{markers}", count)
        assert not s3.fs().exists(f"{BUCKET}/killed/run/{stage}/stats.json"), f"killed after {stage} had finished"
    resumed = roots_run(pipeline)
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stderr
    assert comparable(s3.tree(run_url), run_url) == local_reference


def test_missing_bucket_is_one_line(tmp_path, s3, corpus):
    result = run_roots("extract", "jsonl", str(corpus.jsonl), "--out", "s3://no-such-bucket/run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "no-such-bucket" in result.stderr and "bucket does not exist" in result.stderr
    missing_input = run_roots("extract", "jsonl", "s3://no-such-bucket/in.jsonl", "--out", str(tmp_path / "r"))
    assert missing_input.returncode == 2 and missing_input.stderr.strip().count("\n") == 0, missing_input.stderr
    assert "s3://no-such-bucket/in.jsonl" in missing_input.stderr and "bucket does not exist" in missing_input.stderr


def test_wrong_credentials_are_one_line(tmp_path, corpus):
    with running_s3(auth=True) as checked, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_SECRET_ACCESS_KEY", checked.env["AWS_SECRET_ACCESS_KEY"] + "-wrong")
        out = f"s3://{BUCKET}/denied/run"
        result = run_roots("extract", "jsonl", str(corpus.jsonl), "--out", out, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "access denied" in result.stderr and "AWS_SECRET_ACCESS_KEY" in result.stderr


def test_unreachable_endpoint_is_one_line(tmp_path, s3, corpus, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    result = run_roots("extract", "jsonl", str(corpus.jsonl), "--out", f"s3://{BUCKET}/dead/run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "endpoint does not answer" in result.stderr


def test_http_input_reads_like_the_local_file(tmp_path, corpus):
    """An ``http(s)://`` input (here a real HTTP server on 127.0.0.1) gives the local file's shards."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(corpus.jsonl.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{corpus.jsonl.name}"
        remote = run_roots("extract", "jsonl", url, "--out", str(tmp_path / "http"), "--workers", "1")
        assert remote.returncode == 0, remote.stderr
    finally:
        server.shutdown()
        server.server_close()
    local = run_roots("extract", "jsonl", str(corpus.jsonl), "--out", str(tmp_path / "local"), "--workers", "1")
    assert local.returncode == 0, local.stderr
    for name in ("extract/part-00000.parquet", "extract/errors.jsonl", "extract/stats.json"):
        assert (tmp_path / "http" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_two_node_ray_cluster_on_s3_gives_the_local_bytes(tmp_path, s3, corpus, tokenizer, local_reference):
    """Ray with two nodes (each with its own temp folder), inputs and run folder on S3: no file is shared between
    the nodes but the objects, and the output is the local run's."""
    run_url = f"s3://{BUCKET}/ray/run"
    sources = s3_sources(corpus, s3, f"s3://{BUCKET}/ray/corpus")
    pipeline = write_pipeline(tmp_path / "pipeline.yaml", run_url, sources, tokenizer)  # type: ignore[arg-type]
    with ray_nodes(2, cpus=1) as (address, temps), pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_AUTH_MODE", "disabled")
        done = run_roots("run", str(pipeline), "--executor", "ray", "--ray-address", address, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        for temp in temps:  # both nodes ran shard tasks
            assert list(temp.rglob("worker-*.out")), f"no Ray worker ran on the node of {temp}"
    assert comparable(s3.tree(run_url), run_url) == local_reference


def test_a_warc_shard_on_s3_fetches_its_byte_range_not_the_file(tmp_path, s3, monkeypatch):
    """One work unit of a gzipped WARC on S3 yields the frames a local read yields, and the range requests it
    makes add up to a fraction of the file (counted where s3fs fetches byte ranges)."""
    import base64
    import random

    import s3fs

    from roots.sources.warc_framing import read_frames, split_ranges
    from roots.storage import as_path
    from tests.fixtures_sources import Page, warc_records, write_chunks

    rng = random.Random(7)
    pages = [
        Page(f"https://example.com/{i}", f"<html><body><p>{base64.b64encode(rng.randbytes(75_000)).decode()}</p>".encode())
        for i in range(240)
    ]  # ~100 kB of incompressible text each: ~24 MB
    local = tmp_path / "crawl.warc.gz"
    write_chunks(local, warc_records(pages, compress=True))  # one gzip member per record, as Common Crawl
    url = f"s3://{BUCKET}/ranges/crawl.warc.gz"
    s3.upload(local, url)
    cap = 10 << 20
    ranges = split_ranges(as_path(url), "warc", True, 1 << 20, cap)
    assert ranges == split_ranges(local, "warc", True, 1 << 20, cap) and len(ranges) > 10
    start, stop = ranges[len(ranges) // 2]

    fetched: list[int] = []
    original = s3fs.core.S3File._fetch_range

    def counting(self, begin, end):
        fetched.append(end - begin)
        return original(self, begin, end)

    monkeypatch.setattr(s3fs.core.S3File, "_fetch_range", counting)
    remote_frames = list(read_frames(as_path(url), "warc", True, start, stop, cap))
    assert remote_frames == list(read_frames(local, "warc", True, start, stop, cap)) and remote_frames
    assert 0 < sum(fetched) < local.stat().st_size // 3, (sum(fetched), local.stat().st_size)
