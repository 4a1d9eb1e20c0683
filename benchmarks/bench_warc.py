"""WARC extraction: ``roots extract warc`` vs. trafilatura in a plain loop vs. datatrove, same file, one run.

The input is generated deterministically: ``--pages`` multilingual HTML pages (paragraphs from
``roots/demo/texts``, 9 scripts) wrapped in navigation, cookie banner, sidebar and footer, 20 % of
them in a legacy charset declared in the HTTP header, each preceded by its request record, written
with warcio as a Common Crawl style ``.warc.gz`` (one gzip member per record).

Contenders, each a fresh process on one core (interpreter start and imports included), best of
``--repeat`` interleaved runs:

* roots: ``roots extract warc FILE --workers 1 --extractor trafilatura`` (framing, decoding, per-page sandbox with time
  limit, metadata, Parquet output);
* plain loop: warcio ``ArchiveIterator`` + ``trafilatura.extract`` with the same options, no
  output, no time limit, charset from the HTTP header only;
* datatrove: ``WarcReader`` + ``Trafilatura`` (same trafilatura options, its own per-document
  sandbox) + ``ParquetWriter``, ``LocalPipelineExecutor(tasks=1)``; needs ``pip install roots[bench]``.

Also shown: roots with 2 workers (the file is split into byte ranges). Run:
``python benchmarks/bench_warc.py [--pages 3000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import ROOT, best_of, python  # noqa: E402

# the same extractor as the plain loop, so the comparison measures roots' overhead around it
EXTRACTOR = ("--extractor", "trafilatura")
LANGS = {  # language: legacy charset used for some of its pages
    "en": "cp1252",
    "fr": "cp1252",
    "es": "cp1252",
    "pt": "cp1252",
    "ru": "cp1251",
    "zh": "gbk",
    "ar": "cp1256",
    "hi": "utf-8",
    "sw": "cp1252",
}


def _paragraphs(lang: str) -> list[str]:
    text = (ROOT / "roots" / "demo" / "texts" / f"{lang}.txt").read_text(encoding="utf-8")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _page(gen: random.Random, lang: str, paragraphs: list[str], number: int) -> str:
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(30))
    body = "".join(f"<p>{p}</p>" for p in gen.sample(paragraphs, k=min(len(paragraphs), gen.randint(2, 5))))
    title = paragraphs[number % len(paragraphs)][:40]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title>'
        "<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments);}</script>"
        "<style>body{font-family:sans-serif}</style></head><body>"
        f'<header><nav><ul>{nav}</ul></nav></header><div id="cookie-banner">We use cookies. '
        "<button>Accept all</button></div>"
        f"<main><article><h1>{title}</h1><p class='byline'>Staff · 1 May 2024</p>{body}</article>"
        f'<aside class="sidebar"><h3>Most read</h3><ul>{nav}</ul><div class="ad">Advertisement</div></aside>'
        "</main><footer><p>© 2024 Example Media. All rights reserved.</p><a href='/privacy'>Privacy</a>"
        "</footer></body></html>"
    )


def build_warc(path: Path, pages: int) -> None:
    """The benchmark input (same bytes for the same ``pages``)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    gen = random.Random(f"bench-warc-{pages}")
    texts = {lang: _paragraphs(lang) for lang in LANGS}
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number in range(pages):
            lang = gen.choice(sorted(LANGS))
            charset = LANGS[lang] if gen.random() < 0.2 else "utf-8"
            url = f"https://{lang}.site{number % 97}.example/article/{number}"
            body = _page(gen, lang, texts[lang], number).encode(charset, errors="xmlcharrefreplace")
            fixed = {"WARC-Date": "2024-05-01T12:00:00Z"}
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
            rid = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{2 * number:012d}>", **fixed}
            writer.write_record(
                writer.create_warc_record(url, "request", http_headers=request, warc_headers_dict=rid)
            )
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1"
            )
            headers = {
                "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{2 * number + 1:012d}>",
                "WARC-Identified-Payload-Type": "text/html",
                **fixed,
            }
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
            )
            writer.write_record(record)


# ---------------------------------------------------------------- contenders run in their own process
def plain_loop(path: str) -> None:
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    from roots.sources.charset import charset_from_content_type
    from roots.sources.html_text import trafilatura_options

    options = trafilatura_options()
    records = pages = 0
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response":
                continue
            records += 1
            charset = charset_from_content_type(record.http_headers.get_header("Content-Type")) or "utf-8"
            html = record.content_stream().read().decode(charset, errors="replace")
            if trafilatura.extract(html, **options):
                pages += 1
    print(json.dumps({"records": records, "pages": pages}))


def datatrove_run(path: str, out: str) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import ParquetWriter

    from roots.sources.html_text import trafilatura_config

    file = Path(path)
    pipeline = [
        WarcReader(str(file.parent), glob_pattern=file.name),
        Trafilatura(favour_precision=False, deduplicate=False, timeout=10, config=trafilatura_config()),
        ParquetWriter(str(Path(out) / "docs")),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=str(Path(out) / "logs")).run()
    import pyarrow.parquet as pq

    written = sum(pq.read_metadata(part).num_rows for part in (Path(out) / "docs").rglob("*.parquet"))
    print(json.dumps({"pages": written}))


OUTPUTS = {"roots (1 worker)": "r1", "roots (2 workers)": "r2", "datatrove (1 task)": "dt"}


def _roots_pages(run_dir: Path) -> int:
    stats = json.loads((run_dir / "extract" / "stats.json").read_text())
    return stats["totals"]["kept"]["docs"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--run-plain", help=argparse.SUPPRESS)
    parser.add_argument("--run-datatrove", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_plain:
        return plain_loop(args.run_plain)
    if args.run_datatrove:
        return datatrove_run(*args.run_datatrove)

    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "input" / "bench.warc.gz"
        warc.parent.mkdir()
        build_warc(warc, args.pages)
        print(
            f"input: {args.pages} HTML responses + {args.pages} requests, {warc.stat().st_size / 1e6:.1f} MB gzip"
        )
        script = str(Path(__file__).resolve())
        contenders = {
            "roots (1 worker)": python(
                "-m",
                "roots",
                "extract",
                "warc",
                str(warc),
                "--out",
                f"{tmp}/r1",
                "--workers",
                "1",
                *EXTRACTOR,
            ),
            "trafilatura plain loop": python(script, "--run-plain", str(warc)),
        }
        try:
            import datatrove  # noqa: F401

            contenders["datatrove (1 task)"] = python(script, "--run-datatrove", str(warc), f"{tmp}/dt")
        except ImportError:
            print("datatrove: unavailable (pip install 'roots[bench]')")
        split = str(max(1, warc.stat().st_size // 8))
        contenders["roots (2 workers)"] = python(
            "-m",
            "roots",
            "extract",
            "warc",
            str(warc),
            "--out",
            f"{tmp}/r2",
            "--workers",
            "2",
            *EXTRACTOR,
            "--bytes-per-shard",
            split,
        )
        outputs = {name: Path(tmp) / out for name, out in OUTPUTS.items()}
        best = best_of(args.repeat, contenders, outputs)
        pages = {
            "roots (1 worker)": _roots_pages(Path(tmp) / "r1"),
            "roots (2 workers)": _roots_pages(Path(tmp) / "r2"),
            "trafilatura plain loop": best["trafilatura plain loop"][1]["pages"],
        }
        if "datatrove (1 task)" in best:
            pages["datatrove (1 task)"] = best["datatrove (1 task)"][1]["pages"]
        print(f"{'contender':<24} {'wall s':>7} {'cpu s':>7} {'records/s':>10} {'pages/s':>8} {'pages':>6}")
        for name, (seconds, info) in best.items():
            print(
                f"{name:<24} {seconds:7.2f} {info['cpu']:7.2f} {args.pages / seconds:10.1f} "
                f"{pages[name] / seconds:8.1f} {pages[name]:6d}"
            )
        ours, ours_cpu = best["roots (1 worker)"][0], best["roots (1 worker)"][1]["cpu"]
        plain, plain_cpu = best["trafilatura plain loop"][0], best["trafilatura plain loop"][1]["cpu"]
        print(
            f"roots / plain loop, wall time: {ours / plain:.3f}  (overhead {100 * (ours / plain - 1):+.1f} %; goal <= +15 %)"
        )
        print(
            f"roots / plain loop, cpu time:  {ours_cpu / plain_cpu:.3f}  (overhead {100 * (ours_cpu / plain_cpu - 1):+.1f} %)"
        )
        if "datatrove (1 task)" in best:
            dt = best["datatrove (1 task)"]
            print(f"datatrove / roots: wall {dt[0] / ours:.3f}, cpu {dt[1]['cpu'] / ours_cpu:.3f}")
        print(f"roots 1 worker / 2 workers time: {ours / best['roots (2 workers)'][0]:.2f}x speed-up")


if __name__ == "__main__":
    main()
