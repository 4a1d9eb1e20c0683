"""Inputs as they come from real crawls and real PDFs (#22): UTF-8 pages with stray bytes, WARC framing that
warcio reads leniently, crawler logs, unsupported compressions, PDFs whose page tree pdfminer cannot walk."""

from __future__ import annotations

import pytest

from tests.fixtures_sources import Page, assert_balanced, errors, extract, html_page, rows, stats, write_warc

# UTF-8 pages in several scripts, each with one stray byte inside a word of its first paragraph.
STRAY_PAGES = {
    "de": (
        "Wintermärchen",
        ["So schön winterlich war es lange nicht, der Schnee lag überall.", "Die Straßen blieben still."],
    ),
    "cs": ("Maskot", ["Mäscot města je bílý medvěd, říkají děti.", "Všichni ho znají z plakátů."]),
    "ru": (
        "Зима",
        ["Зима в этом году пришла рано, и все улицы покрылись снегом.", "Дети катались на санках."],
    ),
    "zh": ("冬天", ["今年的冬天来得很早，街道上到处都是白雪。", "孩子们在公园里堆雪人。"]),
    "ar": ("الشتاء", ["جاء الشتاء مبكرا هذا العام وغطى الثلج كل الشوارع.", "لعب الأطفال في الحديقة."]),
    "ja": (
        "冬の朝",
        ["今年の冬は早く来て、町はすっかり雪に覆われました。", "子どもたちは公園で遊びました。"],
    ),
}


def _stray_body(lang: str, stray: bytes, head: str = "") -> tuple[bytes, str]:
    title, paragraphs = STRAY_PAGES[lang]
    marker = "STRAYBYTE"
    first = paragraphs[0][:12] + marker + paragraphs[0][12:]
    body = (
        html_page(title, [first, *paragraphs[1:]], head=head).encode("utf-8").replace(marker.encode(), stray)
    )
    expected = "\n".join(
        [title, paragraphs[0][:12] + "\ufffd" * len(stray) + paragraphs[0][12:], *paragraphs[1:]]
    )
    return body, expected


@pytest.mark.parametrize("declared", ["http", "meta", "none"])
def test_utf8_pages_with_a_stray_byte_decode_as_utf8(tmp_path, declared):
    pages, expected = [], {}
    for lang in STRAY_PAGES:
        stray = b"\xfc" if lang in {"de", "cs"} else b"\xe3\x81"  # a Latin-1 byte, or a cut-off character
        head = '<meta charset="utf-8">' if declared == "meta" else ""
        body, text = _stray_body(lang, stray, head)
        content_type = "text/html; charset=UTF-8" if declared == "http" else "text/html"
        url = f"https://{lang}.example.org/"
        pages.append(Page(url, body, content_type=content_type))
        expected[url] = (text, len(stray))
    write_warc(tmp_path / "stray.warc.gz", pages)
    run = extract("warc", tmp_path / "stray.warc.gz", "--extractor", "resiliparse", out=tmp_path / "r")
    docs = rows(run)
    assert len(docs) == len(STRAY_PAGES)
    for doc in docs:
        text, bad = expected[doc["url"]]
        assert doc["meta"]["charset"] == "utf-8", doc["url"]
        assert doc["meta"]["charset_bad_bytes"] == bad
        assert [line for line in doc["text"].split("\n") if line] == text.split("\n")
    assert_balanced(run)


def test_a_legacy_page_is_not_taken_for_utf8(tmp_path):
    """The other side of the rule: a cp1252 page with a few accented letters stays cp1252."""
    body = html_page("Grüße", ["Viele Grüße aus Köln, schrieb sie.", "Bis bald!"]).encode("cp1252")
    write_warc(tmp_path / "legacy.warc", [Page("https://de.example.org/", body)])
    (doc,) = rows(extract("warc", tmp_path / "legacy.warc", "--extractor", "resiliparse", out=tmp_path / "r"))
    assert "Viele Grüße aus Köln" in doc["text"] and "charset_bad_bytes" not in doc["meta"]


# ---------------------------------------------------------------- #22.10 lenient framing
def _story(number: int) -> Page:
    paragraphs = [f"Story number {number} tells of a long journey across the sea and home again, slowly."]
    return Page(f"https://news.example/{number}", html_page(f"Story {number}", paragraphs).encode())


def _set_length(record: bytes, delta: int) -> bytes:
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: %d" % (int(line.split(b":")[1]) + delta)
        if line.startswith(b"Content-Length")
        else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + rest


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_records_warcio_reads_despite_an_off_length_or_a_single_crlf(tmp_path, compress):
    from tests.fixtures_sources import gzip_members, warc_records, write_chunks

    records = warc_records([_story(i) for i in range(6)], compress=False)
    damaged = [
        records[0],
        _set_length(records[1], +2),  # Content-Length two bytes too long: runs into the separator
        _set_length(records[2], -1),  # one byte too short
        records[3][:-2],  # one CRLF after the record instead of two
        _set_length(records[4], +1)[:-2],  # both
        records[5][:-2],  # the last record of the file, one CRLF
    ]
    name = "lenient.warc.gz" if compress else "lenient.warc"
    write_chunks(tmp_path / name, gzip_members(damaged) if compress else damaged)
    run = extract("warc", tmp_path / name, "--extractor", "resiliparse", out=tmp_path / "r")
    assert [d["url"] for d in rows(run)] == [f"https://news.example/{i}" for i in range(6)]
    assert all(f"Story number {i} tells" in d["text"] for i, d in enumerate(rows(run)))
    assert errors(run) == []


def test_records_whose_lines_end_with_cr_cr_lf(tmp_path):
    """As in pywb's sample ``missing-status-text.warc``: every line ends with ``\\r\\r\\n``; warcio reads it."""
    from tests.fixtures_sources import warc_records, write_chunks

    html = html_page(
        "Odd endings", ["A page from an archive whose lines end in two carriage returns."]
    ).encode()
    http = b"HTTP/1.0 200 OK\r\r\nContent-Type: text/html\r\r\n\r\r\n" + html
    head = [
        b"WARC/1.0",
        b"WARC-Type: response",
        b"WARC-Record-ID: <urn:uuid:125f3091-65f6-4d0e-96dd-dbff7c551275>",
        b"WARC-Date: 2014-01-27T17:12:38Z",
        b"Content-Length: %d" % len(http),
        b"Content-Type: application/http; msgtype=response",
        b"WARC-Target-URI: http://iana.org/odd",
    ]
    odd = b"\r\r\n".join(head) + b"\r\r\n\r\r\n" + http + b"\r\r\n\r\r\n"
    write_chunks(tmp_path / "odd.warc", [odd, *warc_records([_story(7)], compress=False)])
    run = extract("warc", tmp_path / "odd.warc", "--extractor", "resiliparse", out=tmp_path / "r")
    assert [d["url"] for d in rows(run)] == ["http://iana.org/odd", "https://news.example/7"]
    assert "two carriage returns" in rows(run)[0]["text"] and errors(run) == []


def test_arc_header_lines_with_a_space_in_the_url(tmp_path):
    from tests.fixtures_sources import arc_file_header, arc_record, write_chunks

    html = html_page("Old page", ["An old page from an old crawl, with a space in its address."]).encode()
    chunks = [
        arc_file_header(),
        arc_record("http://old.example/my page.html", html),
        arc_record("http://old.example/other file.html", html, v2=True),
    ]
    write_chunks(tmp_path / "old.arc", chunks)
    run = extract("warc", tmp_path / "old.arc", "--extractor", "resiliparse", out=tmp_path / "r")
    assert [d["url"] for d in rows(run)] == [
        "http://old.example/my%20page.html",
        "http://old.example/other%20file.html",
    ]
    assert errors(run) == []


# ---------------------------------------------------------------- #22.11 crawler logs, compressions
def test_crawler_log_records_are_skipped(tmp_path):
    log = b"--2024-03-01 12:00:00--  https://a.example/\nResolving a.example... 192.0.2.1\n" * 20
    pages = [
        _story(1),
        Page(
            "metadata://gnu.org/software/wget/warc/wget.log",
            log,
            content_type="text/plain",
            rec_type="resource",
            http=False,
        ),
        Page("urn:X-wpull:log", log, content_type="text/plain", rec_type="resource", http=False),
    ]
    write_warc(tmp_path / "wget.warc.gz", pages)
    run = extract("warc", tmp_path / "wget.warc.gz", "--extractor", "resiliparse", out=tmp_path / "r")
    assert [d["url"] for d in rows(run)] == ["https://news.example/1"]
    assert stats(run)["skipped"] == {"warc_crawler_log": 2}


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("crawl.warc.zst", b"\x28\xb5\x2f\xfd\x00\x58"),
        ("crawl.warc.lz4", b"\x04\x22\x4d\x18\x64\x40"),
        ("crawl.warc", b"\x28\xb5\x2f\xfd"),
    ],
    ids=["zst", "lz4", "zstd-misnamed"],
)
def test_an_unsupported_compression_is_one_error_naming_the_file(tmp_path, name, head):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(head + bytes(range(256)) * 40)
    write_warc(folder / "good.warc.gz", [_story(2)])
    run = extract("warc", folder, "--extractor", "resiliparse", out=tmp_path / "r")
    assert [d["url"] for d in rows(run)] == ["https://news.example/2"]
    (error,) = errors(run)
    assert (error["locator"], error["reason"]) == (name, "unsupported_compression")
    assert name in error["detail"] and "decompress" in error["detail"]
    assert_balanced(run)


# ---------------------------------------------------------------- #22.12 PDFs
def test_a_page_tree_pdfminer_cannot_walk_is_reported_as_such(tmp_path):
    """Page objects without ``/Type /Page``: pypdf reads both pages, pdfminer finds none."""
    import re

    from tests.fixtures_sources import text_pdf

    folder = tmp_path / "in"
    folder.mkdir()
    good = text_pdf(folder / "good.pdf", ["Première page du rapport annuel.", "Deuxième page."])
    data = good.read_bytes()
    untyped = re.sub(rb"/Type\s*/Page\b(?!s)", lambda m: b" " * len(m.group(0)), data)  # offsets unchanged
    (folder / "untyped.pdf").write_bytes(untyped)
    run = extract("pdf", folder, out=tmp_path / "r")
    assert [d["meta"]["file"] for d in rows(run)] == ["good.pdf"]
    (error,) = errors(run)
    assert (error["locator"], error["reason"]) == ("untyped.pdf", "unreadable_page_tree")
    assert "pypdf finds 2" in error["detail"] and "--backend pypdf" in error["detail"]
    run = extract("pdf", folder / "untyped.pdf", "--backend", "pypdf", out=tmp_path / "p")
    assert "Deuxième page." in rows(run)[0]["text"]


def test_a_pdf_padded_with_nul_bytes_after_eof_is_read(tmp_path):
    """Real files (a pypdf test file among them) carry NUL padding after ``%%EOF``."""
    from tests.fixtures_sources import text_pdf

    path = text_pdf(tmp_path / "padded.pdf", ["Fichier : Document 1 sans titre. Hello World"])
    path.write_bytes(path.read_bytes() + b"\x00" * 20_000)
    (doc,) = rows(extract("pdf", path, out=tmp_path / "r"))
    assert "Hello World" in doc["text"]
