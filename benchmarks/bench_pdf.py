"""PDF extraction: ``roots extract pdf`` vs. pdfminer.six's ``extract_text`` in a plain loop, same files, one run.

The input is generated deterministically with fpdf2: ``--files`` PDFs of ``--pages`` dense text
pages each (about 50 lines per page; English, French and Russian paragraphs from
``roots/demo/texts`` in the embedded DejaVu Sans font).

Contenders, each a fresh process on one core (interpreter start and imports included), best of
``--repeat`` interleaved runs:

* roots: ``roots extract pdf DIR --workers 1`` (pdfminer in the sandbox child with a per-file time
  limit, page cleanup, Parquet output);
* plain loop: ``pdfminer.high_level.extract_text(path)`` for every file, no output;
* roots with ``--backend pypdf`` (shown for reference).

Run: ``python benchmarks/bench_pdf.py [--files 20] [--pages 10] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import ROOT, best_of, python  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def build_pdfs(folder: Path, files: int, pages: int) -> None:
    """The benchmark input (same bytes for the same arguments)."""
    from datetime import UTC, datetime

    from fpdf import FPDF

    texts = []
    for lang in ("en", "fr", "ru"):
        raw = (ROOT / "roots" / "demo" / "texts" / f"{lang}.txt").read_text(encoding="utf-8")
        texts += [" ".join(p.split()) for p in raw.split("\n\n") if p.strip()]
    for number in range(files):
        pdf = FPDF()
        pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
        pdf.add_font("DejaVu", fname=str(FONT))
        for page in range(pages):
            pdf.add_page()
            pdf.set_font("DejaVu", size=9)
            for k in range(4):
                pdf.multi_cell(
                    0, 4.5, texts[(number * 7 + page * 3 + k) % len(texts)], new_x="LMARGIN", new_y="NEXT"
                )
                pdf.ln(2)
        pdf.output(str(folder / f"doc-{number:03d}.pdf"))


def plain_loop(folder: str) -> None:
    from pdfminer.high_level import extract_text

    pages = 0
    for path in sorted(Path(folder).glob("*.pdf")):
        pages += extract_text(str(path)).count("\f")
    print(json.dumps({"pages": pages}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--run-plain", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_plain:
        return plain_loop(args.run_plain)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pdfs"
        folder.mkdir()
        build_pdfs(folder, args.files, args.pages)
        total = args.files * args.pages
        print(f"input: {args.files} PDFs x {args.pages} pages = {total} pages")
        extract = ["-m", "roots", "extract", "pdf", str(folder), "--workers", "1"]
        contenders = {
            "roots (pdfminer)": python(*extract, "--out", f"{tmp}/r1"),
            "pdfminer extract_text": python(str(Path(__file__).resolve()), "--run-plain", str(folder)),
            "roots (pypdf backend)": python(*extract, "--out", f"{tmp}/r2", "--backend", "pypdf"),
        }
        outputs = {"roots (pdfminer)": Path(tmp) / "r1", "roots (pypdf backend)": Path(tmp) / "r2"}
        best = best_of(args.repeat, contenders, outputs)
        print(f"{'contender':<24} {'wall s':>7} {'cpu s':>7} {'pages/s':>8}")
        for name, (seconds, info) in best.items():
            print(f"{name:<24} {seconds:7.2f} {info['cpu']:7.2f} {total / seconds:8.1f}")
        plain = best["pdfminer extract_text"]
        ours = best["roots (pdfminer)"]
        print(
            f"roots / plain loop: wall {ours[0] / plain[0]:.3f}, cpu {ours[1]['cpu'] / plain[1]['cpu']:.3f}"
        )
        print(
            f"pypdf backend speed-up over roots (pdfminer): {ours[0] / best['roots (pypdf backend)'][0]:.2f}x"
        )


if __name__ == "__main__":
    main()
