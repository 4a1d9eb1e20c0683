"""Extraction time limits are CPU time (#17.5): the same slow inputs give byte-identical output with 1 and 8
workers on a 2-core machine, and a PDF that runs out of time in ``--per-page`` mode keeps the pages done."""

from __future__ import annotations

from roots.config import validate_pipeline
from roots.pipeline import run_stages
from tests.conftest import tree_bytes
from tests.fixtures_sources import Page, _stream, errors, extract, raw_pdf, rows, write_warc

WORK = 30  # million loop iterations: about 0.8 s of CPU on the project machine, far under the 2 s limit


def _page(number: int, marker: str) -> Page:
    return Page(
        f"https://cpu.example/{number}", f"<html><body>BODY: page {number} {marker}</body></html>".encode()
    )


def test_slow_pages_give_the_same_output_with_1_and_8_workers(tmp_path):
    markers = [f"WORK-{WORK}"] * 3 + ["SPIN-FOREVER"] + [f"WORK-{WORK}"] * 3 + ["SPIN-FOREVER"]
    write_warc(tmp_path / "slow.warc", [_page(i, m) for i, m in enumerate(markers)])
    trees = {}
    for workers in (1, 8):
        source = {
            "type": "warc",
            "paths": [str(tmp_path / "slow.warc")],
            "extractor": "tests.sandbox_extractors:cpu_extractor",
            "timeout_seconds": 2,
            "bytes_per_shard": 1,  # one work unit per record: 8 workers extract at once on 2 cores
        }
        config = {"run_dir": str(tmp_path / f"w{workers}"), "workers": workers, "sources": [source]}
        run = run_stages(validate_pipeline(config, "test"), ["extract"])
        trees[workers] = tree_bytes(run.root)
        assert [d["url"] for d in rows(run)] == [
            f"https://cpu.example/{i}" for i, m in enumerate(markers) if m.startswith("WORK")
        ]
        assert [(e["reason"], "CPU time" in e["detail"]) for e in errors(run)] == [("timeout", True)] * 2
    assert trees[1] == trees[8]


def _text_page_then_bomb_pdf(depth: int = 40) -> bytes:
    """Two text pages (Helvetica), then a page whose form XObjects draw 2**depth times."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Font << /F1 8 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R /Resources << /Font << /F1 8 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 9 0 R /Resources << /XObject << /X 10 0 R >> >> >>",
        _stream(b"BT /F1 12 Tf 72 700 Td (The first page is quick to read.) Tj ET"),
        _stream(b"BT /F1 12 Tf 72 700 Td (So is the second page.) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(b"/X Do"),
    ]
    for level in range(depth):
        form = b"/Type /XObject /Subtype /Form /BBox [0 0 10 10]"
        if level < depth - 1:
            objects.append(
                _stream(b"/X Do /X Do", form + b" /Resources << /XObject << /X %d 0 R >> >>" % (11 + level))
            )
        else:
            objects.append(_stream(b"", form))
    return raw_pdf(objects)


def test_per_page_keeps_the_pages_done_before_the_cpu_limit(tmp_path):
    (tmp_path / "book.pdf").write_bytes(_text_page_then_bomb_pdf())
    run = extract("pdf", tmp_path / "book.pdf", "--per-page", "--timeout", "2", out=tmp_path / "p")
    assert [(d["meta"]["page"], d["text"]) for d in rows(run)] == [
        (1, "The first page is quick to read."),
        (2, "So is the second page."),
    ]
    ((locator, reason, detail),) = [(e["locator"], e["reason"], e["detail"]) for e in errors(run)]
    assert (locator, reason) == ("book.pdf#p3", "timeout") and "after 2 page(s)" in detail
    run = extract("pdf", tmp_path / "book.pdf", "--timeout", "2", out=tmp_path / "j")
    assert rows(run) == [] and [e["reason"] for e in errors(run)] == ["timeout"]


def test_code_stuck_in_c_is_stopped_by_the_kernel_and_the_next_items_go_on():
    from roots.sources.sandbox import Sandbox

    box = Sandbox("tests.sandbox_extractors:cpu_extractor")
    try:
        outcomes = list(
            box.imap(["BODY: a", "BODY: b SPIN-IN-C", "BODY: c SPIN-FOREVER", "BODY: d"], timeout=1)
        )
        assert [(o.status, o.value) for o in outcomes] == [
            ("ok", "a"),
            ("timeout", None),
            ("timeout", None),
            ("ok", "d"),
        ]
        assert "extractor stopped" in outcomes[1].detail and "CPU time" in outcomes[2].detail
        assert box.restarts == 1  # the C spin: the Python spin is stopped in the child, which stays
    finally:
        box.close()
