"""Documents per second of every stage with the inputs and the run folder on S3 and on the local disk, in one run.

The corpus is bench_ray's (demo sentences in 13 languages, planted duplicates, one jsonl file per language cut in
shards). Both runs use the same local process pool; the S3 run reads its inputs from and writes its run folder to
a real S3 server on 127.0.0.1 (moto's standalone server, as in the tests). The runs alternate ``--repeat`` times
(best time per stage kept) and the outputs must be byte-identical (markers and config aside, which name where
inputs and run are). The tokenizer is trained once, untimed.

moto is a single Python process that keeps objects in memory: its requests cost more CPU than a real object store's
and share this machine's cores with roots, so the ratio is an upper bound on the overhead of request count, not a
measure of network bandwidth.

Run: ``python benchmarks/bench_storage.py [--docs 4000] [--workers 2] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ROOTS_PROGRESS", "0")

from benchmarks.bench_ray import STAGES, run_all, write_corpus  # noqa: E402
from roots.layout import RunLayout  # noqa: E402
from roots.storage import as_path  # noqa: E402
from tests.conftest import tree_bytes  # noqa: E402
from tests.s3_server import BUCKET, S3Server, running_s3  # noqa: E402
from tests.test_storage_s3 import comparable  # noqa: E402


def stage_docs(run_dir: Path) -> dict[str, int]:
    """Documents in per stage, from ``stats.json``."""
    stats = {s: RunLayout(run_dir).stage(s).read_stats() or {} for s in STAGES}
    return {s: int(stats[s].get("totals", {}).get("in", {}).get("docs", 0)) for s in STAGES}


def upload_sources(server: S3Server, sources: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    out = []
    for source in sources:
        urls = []
        for local in source["paths"]:
            url = f"{prefix}/{Path(local).name}"
            server.upload(Path(local), url)
            urls.append(url)
        out.append(source | {"paths": urls})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    try:
        sources, size = write_corpus(tmp / "corpus", args.docs)
        tokenizer = tmp / "tokenizer"
        local_times: dict[str, float] = {}
        s3_times: dict[str, float] = {}
        with running_s3() as server:
            remote_sources = upload_sources(server, sources, f"s3://{BUCKET}/corpus")
            identical = True
            for attempt in range(args.repeat):
                local_run = tmp / "run"
                shutil.rmtree(local_run, ignore_errors=True)
                times = run_all(local_run, sources, "local", args.workers, tokenizer)
                local_times = {s: min(local_times.get(s, float("inf")), t) for s, t in times.items()}
                reference = comparable(tree_bytes(local_run, exclude=()), str(local_run))
                docs = stage_docs(local_run)

                run_url = f"s3://{BUCKET}/run-{attempt}"
                times = run_all(as_path(run_url), remote_sources, "local", args.workers, tokenizer)
                s3_times = {s: min(s3_times.get(s, float("inf")), t) for s, t in times.items()}
                identical &= comparable(server.tree(run_url), run_url) == reference
        print(f"\n{args.docs} documents ({size / 1e6:.1f} MB of text), {args.workers} workers, best of "
              f"{args.repeat}; outputs byte-identical: {identical}")  # fmt: skip
        print(f"{'stage':<10}{'docs in':>9}{'local docs/s':>14}{'S3 docs/s':>11}{'S3/local time':>15}")
        for stage in STAGES:
            local, remote = local_times[stage], s3_times[stage]
            n = docs[stage]
            print(f"{stage:<10}{n:>9}{n / local:>14.0f}{n / remote:>11.0f}{remote / local:>15.2f}")
        total_local, total_s3 = sum(local_times.values()), sum(s3_times.values())
        print(f"{'total s':<10}{'':>9}{total_local:>14.2f}{total_s3:>11.2f}{total_s3 / total_local:>15.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
