"""PDF extraction on PDFs built by the test: fpdf2 with real embedded fonts (Arabic, Chinese, Devanagari,
Cyrillic), scans, encrypted, truncated, corrupt, zero-byte and hostile files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import tree_bytes
from tests.fixtures_sources import (
    FONTS,
    assert_balanced,
    deep_page_tree_pdf,
    encrypted_pdf,
    errors,
    exponential_pdf,
    extract,
    image_only_pdf,
    many_pages_pdf,
    rows,
    stats,
    text_pdf,
)

missing_fonts = [name for name, path in FONTS.items() if not Path(path).exists()]
pytestmark = pytest.mark.skipif(
    bool(missing_fonts), reason=f"fonts missing: {missing_fonts} (scripts/test.sh installs them)"
)

PAGES = {
    "report.pdf": (
        FONTS["latin"],
        [
            "The first page of the report.\nIt has two lines.",
            "Deuxième page : « résumé » – fin.",
            "Third page, in English again.",
        ],
    ),
    "ar/cairo.pdf": (FONTS["latin"], ["مرحبا بالعالم\nهذا نص عربي قصير عن مدينة القاهرة."]),
    "ru/moscow.pdf": (FONTS["latin"], ["Привет, мир!\nСъешь же ещё этих мягких французских булок."]),
    "zh/beijing.pdf": (FONTS["zh"], ["你好，世界。\n今天天气很好，我们去公园散步吧。"]),
    "hi/delhi.pdf": (FONTS["hi"], ["नमस्ते दुनिया।\nहिन्दी एक सुंदर भाषा है।"]),
}


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pdfs")
    for rel, (font, pages) in PAGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        text_pdf(root / rel, pages, font=font, title=Path(rel).stem.title())
    return root


def test_one_document_per_pdf_with_exact_unicode_text_and_page_spans(pdf_dir, tmp_path):
    run = extract("pdf", pdf_dir, "--lang", "mul", out=tmp_path / "run")
    docs = {d["meta"]["file"]: d for d in rows(run)}
    assert sorted(docs) == sorted(PAGES)  # found recursively; named relative to the folder given
    for rel, (_, pages) in PAGES.items():
        doc = docs[rel]
        assert doc["text"] == "\n\n".join(pages)
        spans = doc["meta"]["page_spans"]
        assert [doc["text"][a:b] for _, a, b in spans] == pages
        assert [n for n, _, _ in spans] == list(range(1, len(pages) + 1))
        assert doc["meta"]["pages"] == len(pages) and doc["meta"]["title"] == Path(rel).stem.title()
        assert doc["lang"] == "mul" and doc["source"] == "pdf"
    assert_balanced(run)


def test_one_document_per_page(pdf_dir, tmp_path):
    run = extract("pdf", pdf_dir / "report.pdf", pdf_dir / "zh", "--per-page", out=tmp_path / "run")
    docs = rows(run)
    assert [(d["meta"]["file"], d["meta"]["page"], d["text"]) for d in docs] == [
        ("report.pdf", 1, PAGES["report.pdf"][1][0]),
        ("report.pdf", 2, PAGES["report.pdf"][1][1]),
        ("report.pdf", 3, PAGES["report.pdf"][1][2]),
        ("zh/beijing.pdf", 1, PAGES["zh/beijing.pdf"][1][0]),
    ]
    assert len({d["id"] for d in docs}) == 4
    assert_balanced(run)


def test_pypdf_backend(pdf_dir, tmp_path):
    run = extract("pdf", pdf_dir / "ru", pdf_dir / "hi", "--backend", "pypdf", out=tmp_path / "run")
    assert [d["text"] for d in rows(run)] == [PAGES["hi/delhi.pdf"][1][0], PAGES["ru/moscow.pdf"][1][0]]


def test_bad_pdfs_become_error_records_and_the_run_goes_on(pdf_dir, tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    good = shutil.copy(pdf_dir / "report.pdf", bad / "a-good.pdf")
    encrypted_pdf(good, bad / "encrypted.pdf", user_password="secret")
    encrypted_pdf(good, bad / "owner-only.pdf", user_password="")  # no password needed to read
    data = Path(good).read_bytes()
    (bad / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "not-a-pdf.pdf").write_bytes(b"<html><body>this is a web page</body></html>")
    image_only_pdf(bad / "scan.pdf")
    (bad / "deep-tree.pdf").write_bytes(deep_page_tree_pdf())
    (bad / "huge-count.pdf").write_bytes(many_pages_pdf(3, claimed=10**9))
    (bad / "many-pages.pdf").write_bytes(many_pages_pdf(30, claimed=1))
    (bad / "z-good.pdf").write_bytes(data)

    run = extract("pdf", bad, "--max-pages", "20", "--lang", "en", out=tmp_path / "run")
    assert [d["meta"]["file"] for d in rows(run)] == ["a-good.pdf", "owner-only.pdf", "z-good.pdf"]
    assert {e["locator"]: e["reason"] for e in errors(run)} == {
        "corrupt.pdf": "corrupt",
        "deep-tree.pdf": "too_deeply_nested",
        "empty.pdf": "empty_file",
        "encrypted.pdf": "encrypted",
        "huge-count.pdf": "too_many_pages",
        "many-pages.pdf": "too_many_pages",
        "not-a-pdf.pdf": "not_a_pdf",
        "scan.pdf": "no_text",
        "truncated.pdf": "truncated",
    }
    assert all(e["detail"] for e in errors(run) if e["reason"] != "empty_file")
    assert assert_balanced(run)["languages"]["en"]["in"]["docs"] == 12


def test_a_pdf_that_never_finishes_is_stopped_by_the_time_limit(pdf_dir, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "b-bomb.pdf").write_bytes(exponential_pdf())  # 2**40 drawing operations
    shutil.copy(pdf_dir / "report.pdf", inputs / "a.pdf")
    shutil.copy(pdf_dir / "report.pdf", inputs / "c.pdf")
    run = extract("pdf", inputs, "--timeout", "2", out=tmp_path / "run")
    assert [d["meta"]["file"] for d in rows(run)] == ["a.pdf", "c.pdf"]
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [("b-bomb.pdf", "timeout")]
    assert stats(run)["balanced"]


def test_same_bytes_for_any_number_of_workers(pdf_dir, tmp_path):
    from roots.config import validate_pipeline
    from roots.pipeline import run_stages

    trees = []
    for workers in (1, 2):
        source = {"type": "pdf", "paths": [str(pdf_dir)], "files_per_shard": 2}
        config = {"run_dir": str(tmp_path / f"run{workers}"), "workers": workers, "sources": [source]}
        run = run_stages(validate_pipeline(config, "test"), ["extract"])
        assert len(run.stage("extract").parts()) == 3
        trees.append(tree_bytes(run.root))
    assert trees[0] == trees[1]


def test_demo_corpus_pdfs_go_through(tmp_path):
    from roots.demo.corpus import build_demo_corpus

    corpus = build_demo_corpus(tmp_path / "corpus")
    run = extract("pdf", corpus.pdf_dir, out=tmp_path / "run")
    docs = {d["meta"]["file"]: d for d in rows(run)}
    assert sorted(docs) == ["bulletin-fr.pdf", "newsletter-en.pdf", "vestnik-ru.pdf"]
    assert docs["newsletter-en.pdf"]["meta"]["pages"] == 2
    assert docs["newsletter-en.pdf"]["text"].startswith("Riverside community newsletter\n\n")
    assert docs["vestnik-ru.pdf"]["text"].startswith("Городской вестник\n\n")
    assert "  " not in docs["bulletin-fr.pdf"]["text"]  # justified lines: no doubled spaces
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [("scan-no-text.pdf", "no_text")]
    assert_balanced(run)
