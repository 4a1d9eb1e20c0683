"""Pseudo-crawl: fetch throughput against a loopback range server, and select memory vs. index size.

Fetch: ``--records`` Common Crawl style response records (HTML of 20-120 kB of words, one gzip member
each, written with warcio; 10-30 kB compressed, like Common Crawl's records) are selected from a
columnar index and fetched by ``roots.crawl.fetch.FetchStage`` (range requests, one-gzip-member check,
local WARC shards) from an HTTP/1.1 server on 127.0.0.1 running in another process. Printed: records per
second of wall time and per CPU-second of the fetching process (all its threads), i.e. per core.

Select: synthetic indexes of ``--index-rows`` rows (600 domains, two captures per URL, 20 % non-HTML,
10 % status 404), each looked up by a fresh process that prints its peak RSS: flat memory means the
peak does not grow with the number of rows (bounded by ``max_rows_in_memory`` per spill file).

Run: ``python benchmarks/bench_crawl.py [--records 3000] [--concurrency 16] [--index-rows 1000000,10000000]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roots.crawl.config import CrawlSource  # noqa: E402
from roots.crawl.fetch import FetchStage  # noqa: E402
from roots.crawl.paths import CrawlPaths  # noqa: E402
from roots.crawl.select import select  # noqa: E402
from tests.crawl_fixtures import Capture, RangeServer, write_index  # noqa: E402
from tests.fixtures_sources import Page, warc_records  # noqa: E402

WORDS = [f"w{i:04d}" for i in range(4000)]


def html(rng: random.Random) -> bytes:
    words = rng.choices(WORDS, k=rng.randint(3_000, 18_000))
    body = "".join(f"<p>{' '.join(words[i : i + 40])}</p>" for i in range(0, len(words), 40))
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>".encode()


def write_fetch_corpus(root: Path, records: int) -> Path:
    rng = random.Random(7)
    name = "crawl-data/CC-MAIN-2021-04/segments/1/warc/CC-MAIN-2021-04-00000.warc.gz"
    path = root / "data" / name
    path.parent.mkdir(parents=True)
    captures, offset = [], 0
    with open(path, "wb") as out:
        for i in range(records):
            url = f"https://bench.example/page/{i}"
            (data,) = warc_records([Page(url, html(rng))], compress=True)
            capture = Capture(url, f"example,bench)/page/{i}", "bench.example", "CC-MAIN-2021-04")
            capture.filename, capture.offset, capture.length = name, offset, len(data)
            captures.append(capture)
            out.write(data)
            offset += len(data)
    write_index(root / "index", "CC-MAIN-2021-04", captures)
    (root / "seeds.txt").write_text("bench.example\n", encoding="utf-8")
    return path


def serve(
    root: str, ready: multiprocessing.synchronize.Event, port: multiprocessing.sharedctypes.Synchronized
) -> None:
    with RangeServer(Path(root)) as server:
        port.value = server.httpd.server_address[1]
        ready.set()
        while True:
            time.sleep(3600)


def bench_fetch(records: int, concurrency: int, per_shard: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        warc = write_fetch_corpus(root, records)
        paths = CrawlPaths(root / "run" / "crawl")
        summary = select(root / "seeds.txt", str(root / "index"), paths)
        ready, port = multiprocessing.Event(), multiprocessing.Value("i", 0)
        server = multiprocessing.Process(target=serve, args=(str(root / "data"), ready, port), daemon=True)
        server.start()
        ready.wait(30)
        options = CrawlSource(
            type="crawl",
            seeds="s",
            index="i",
            base_url=f"http://127.0.0.1:{port.value}/",
            concurrency=concurrency,
            max_requests_per_second=0,
        )
        stage = FetchStage(paths, options, summary["selected"], per_shard, summary["fingerprint"], None)
        tasks = stage.plan(paths.run)
        wall, cpu = time.perf_counter(), time.process_time()
        fetched = sum(stage.process(paths.run, task).stats.totals().kept.docs for task in tasks)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server.terminate()
        assert fetched == records, f"fetched {fetched} of {records}"
        size = warc.stat().st_size / records
    return {
        "records": records,
        "mean_record_kb": size / 1024,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s": records / wall,
        "per_cpu_s": records / cpu,
    }


def write_big_index(folder: Path, rows: int, batch: int = 1_000_000) -> None:
    folder.mkdir(parents=True)
    with pq.ParquetWriter(folder / "part-00000.parquet", INDEX_SCHEMA, compression="zstd") as writer:
        for start in range(0, rows, batch):
            i = np.arange(start, min(rows, start + batch))
            url_id = (i // 2).astype(str)
            domain = (i % 600).astype(str)
            host = pc.binary_join_element_wise("d", pa.array(domain), ".example", "")
            writer.write_table(
                pa.table(
                    {
                        "url_surtkey": pc.binary_join_element_wise(
                            "example,d", pa.array(domain), ")/p/", pa.array(url_id), ""
                        ),
                        "url": pc.binary_join_element_wise("https://", host, "/p/", pa.array(url_id), ""),
                        "url_host_registered_domain": host,
                        "fetch_time": pa.array(i * 1000, pa.timestamp("ms", tz="UTC")),
                        "fetch_status": pa.array(np.where(i % 10 == 3, 404, 200), pa.int16()),
                        "content_mime_detected": pa.array(
                            np.where(i % 5 == 1, "application/pdf", "text/html")
                        ),
                        "warc_filename": pa.array(np.full(len(i), "crawl-data/x/warc/f.warc.gz")),
                        "warc_record_offset": pa.array(i * 20_000, pa.int64()),
                        "warc_record_length": pa.array(np.full(len(i), 20_000), pa.int32()),
                    },
                    schema=INDEX_SCHEMA,
                ),
                row_group_size=100_000,
            )


INDEX_SCHEMA = pa.schema(
    [
        ("url_surtkey", pa.string()),
        ("url", pa.string()),
        ("url_host_registered_domain", pa.string()),
        ("fetch_time", pa.timestamp("ms", tz="UTC")),
        ("fetch_status", pa.int16()),
        ("content_mime_detected", pa.string()),
        ("warc_filename", pa.string()),
        ("warc_record_offset", pa.int64()),
        ("warc_record_length", pa.int32()),
    ]
)

SELECT_CHILD = """
import json, sys, time
from pathlib import Path
from roots.crawl.paths import CrawlPaths
from roots.crawl.select import select
def peak_rss_mb():  # this process's high-water mark (ru_maxrss would include the parent's, inherited at fork)
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024
start = time.perf_counter()
summary = select(Path(sys.argv[1]), sys.argv[2], CrawlPaths(Path(sys.argv[3])))
print(json.dumps({"selected": summary["selected"], "seconds": time.perf_counter() - start,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def bench_select(rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_big_index(root / "index", rows)
        (root / "seeds.txt").write_text("".join(f"d{k}.example\n" for k in range(600)), encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                SELECT_CHILD,
                str(root / "seeds.txt"),
                str(root / "index"),
                str(root / "crawl"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        return {"index_rows": rows, **json.loads(done.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--records-per-shard", type=int, default=1000)
    parser.add_argument("--index-rows", default="1000000,10000000")
    args = parser.parse_args()
    fetch = bench_fetch(args.records, args.concurrency, args.records_per_shard)
    print(
        f"fetch: {fetch['records']} records of {fetch['mean_record_kb']:.1f} kB (gzip) in {fetch['wall_s']:.2f} s wall, "
        f"{fetch['cpu_s']:.2f} s CPU: {fetch['per_s']:.0f} records/s, {fetch['per_cpu_s']:.0f} records per CPU-second "
        f"(goal >= 200 per core: {fetch['per_cpu_s'] / 200:.1f}x)"
    )
    for rows in (int(r) for r in args.index_rows.split(",")):
        result = bench_select(rows)
        print(
            f"select: {result['index_rows']:>11,} index rows -> {result['selected']:>10,} selected in "
            f"{result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
