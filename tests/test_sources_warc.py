"""WARC / WET / ARC extraction on files written with warcio: encodings, main text, metadata, skipped
records, corruption with resynchronisation, sharding, time limits and URL lists."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from roots.errors import UserError
from roots.sources.warc_framing import is_gzip, read_frames, sniff_format, split_ranges
from tests.conftest import tree_bytes
from tests.fixtures_sources import (
    Page,
    arc_file_header,
    arc_record,
    assert_balanced,
    errors,
    extract,
    gzip_members,
    html_page,
    rows,
    stats,
    warc_records,
    write_chunks,
    write_warc,
)

# language: (charset, title, paragraphs)
TEXTS = {
    "en": (
        "utf-8",
        "The harbour – a morning",
        [
            "The old harbour was busy from dawn, when the fishing boats came back with their nets full of sardines.",
            "By noon the market had emptied and only the gulls stayed behind to argue over what was left.",
        ],
    ),
    "fr": (
        "cp1252",
        "Le marché",
        [
            "Le marché ouvre à l’aube – « comme toujours » – et les étals se remplissent de fromages et de pain.",
            "Œuvre collective, il réunit chaque samedi des producteurs venus de toute la région.",
        ],
    ),
    "es": (
        "latin-1",
        "La ciudad",
        [
            "¿Dónde está la estación? preguntó el viajero, cansado después de un largo día de camino.",
            "Nadie respondió, pero un niño señaló la calle que bajaba hacia el río.",
        ],
    ),
    "ja": (
        "shift_jis",
        "東京の朝",
        [
            "東京の朝はとても早く始まります。駅には多くの人が集まり、電車は次々に出発していきます。",
            "昼になると、公園では子どもたちが遊び、大人たちはベンチで昼食を食べています。",
        ],
    ),
    "zh": (
        "gbk",
        "北京的秋天",
        [
            "北京的秋天是一年中最美的季节，天空很蓝，空气清新，公园里到处都是金黄色的树叶。",
            "很多人喜欢在周末去香山看红叶，也有人在胡同里散步，品尝各种小吃。",
        ],
    ),
    "ko": (
        "euc-kr",
        "서울의 봄",
        [
            "서울의 봄은 벚꽃과 함께 찾아옵니다. 사람들은 공원에 모여 꽃을 구경하고 사진을 찍습니다.",
            "저녁이 되면 한강 주변에서 산책을 하거나 자전거를 타는 사람들이 많아집니다.",
        ],
    ),
    "ar": (
        "windows-1256",
        "مدينة القاهرة",
        [
            "القاهرة مدينة كبيرة ومزدحمة، يعيش فيها ملايين الناس، ويمر بها نهر النيل من الجنوب إلى الشمال.",
            "في المساء تمتلئ المقاهي بالناس الذين يتحدثون ويشربون الشاي حتى وقت متأخر من الليل.",
        ],
    ),
}
BOILERPLATE = ("Section 3", "cookies", "Copyright", "Privacy policy", "Related links", "tracking")


def expected_text(lang: str) -> str:
    _, title, paragraphs = TEXTS[lang]
    return "\n".join([title, *paragraphs])


def declared_page(lang: str, how: str) -> Page:
    """A page in its legacy charset, declared in the HTTP header, a <meta>, the WARC header, or nowhere."""
    charset, title, paragraphs = TEXTS[lang]
    head = f'<meta charset="{charset}">' if how == "meta" else ""
    body = html_page(title, paragraphs, lang=lang, head=head).encode(charset)
    content_type = f"text/html; charset={charset}" if how == "http" else "text/html"
    warc = {"WARC-Identified-Content-Charset": charset} if how == "warc" else {}
    return Page(f"https://{lang}.example.org/{how}", body, content_type=content_type, warc_headers=warc)


def test_every_charset_and_declaration_decodes_to_the_exact_main_text(tmp_path):
    pages = [declared_page(lang, how) for how in ("http", "meta", "warc", "none") for lang in TEXTS]
    write_warc(tmp_path / "enc.warc.gz", pages)
    run = extract("warc", tmp_path / "enc.warc.gz", out=tmp_path / "run")
    docs = rows(run)
    assert [d["url"] for d in docs] == [p.url for p in pages]
    for doc in docs:
        lang = doc["meta"]["html_lang"]
        assert doc["text"] == expected_text(lang), doc["url"]
        assert not any(b in doc["text"] for b in BOILERPLATE)
    assert assert_balanced(run)["totals"]["in"]["docs"] == len(pages)


def test_metadata_of_a_page(tmp_path):
    page = declared_page("fr", "http")
    offsets = write_warc(
        tmp_path / "one.warc.gz", [Page("https://fr.example.org/req", rec_type="request"), page]
    )
    run = extract("warc", tmp_path / "one.warc.gz", "--lang", "fr", "--name", "crawl", out=tmp_path / "run")
    (doc,) = rows(run)
    assert doc["meta"] == {
        "file": "one.warc.gz",
        "offset": offsets[1],
        "url": "https://fr.example.org/http",
        "warc_record_id": "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        "warc_date": "2024-03-01T12:00:00Z",
        "warc_type": "response",
        "http_status": 200,
        "content_type": "text/html",
        "charset_declared": "cp1252",
        "charset": "cp1252",
        "html_lang": "fr",
        "title": "Le marché",
    }
    assert (doc["url"], doc["lang"], doc["source"]) == ("https://fr.example.org/http", "fr", "crawl")


def test_a_legacy_charset_declared_for_a_utf8_page_loses_to_utf8(tmp_path):
    _, title, paragraphs = TEXTS["fr"]
    body = html_page(title, paragraphs).encode("utf-8")
    write_warc(
        tmp_path / "x.warc", [Page("https://a.fr/", body, content_type="text/html; charset=iso-8859-1")]
    )
    (doc,) = rows(extract("warc", tmp_path / "x.warc", out=tmp_path / "run"))
    assert doc["text"] == expected_text("fr")
    assert (doc["meta"]["charset"], doc["meta"]["charset_declared"]) == ("utf-8", "iso-8859-1")


def test_non_documents_are_skipped_and_counted(tmp_path):
    html = html_page(*TEXTS["en"][1:]).encode()
    pages = [
        Page("https://a.org/", b"", rec_type="warcinfo", http=False, content_type="application/warc-fields"),
        Page("https://a.org/", b"GET / HTTP/1.1\r\n", rec_type="request"),
        Page("https://a.org/", html),
        Page("https://a.org/m", b"fetchTimeMs: 12\r\n", rec_type="metadata", http=False),
        Page("https://a.org/r", b"", rec_type="revisit"),
        Page("https://a.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"),
        Page("https://a.org/doc.pdf", b"%PDF-1.4 ...", content_type="application/pdf"),
        Page("https://a.org/gone", b"<html>not found</html>", status="404 Not Found"),
        Page("https://a.org/moved", b"", status="301 Moved Permanently"),
        Page("https://a.org/notes.txt", b"Plain notes.\r\nSecond line.", content_type="text/plain"),
        Page("https://a.org/untyped", html, content_type=None),
    ]
    write_warc(tmp_path / "mix.warc.gz", pages)
    run = extract("warc", tmp_path / "mix.warc.gz", out=tmp_path / "run")
    assert [d["url"] for d in rows(run)] == [
        "https://a.org/",
        "https://a.org/notes.txt",
        "https://a.org/untyped",
    ]
    assert rows(run)[1]["text"] == "Plain notes.\nSecond line."
    assert stats(run)["skipped"] == {
        "http_status": 2,
        "non_text_mime": 2,
        "warc_metadata": 1,
        "warc_request": 1,
        "warc_revisit": 1,
        "warc_warcinfo": 1,
    }
    assert assert_balanced(run)["totals"]["in"]["docs"] == 3


def test_wet_conversion_records_keep_their_text(tmp_path):
    text = "Mji wa Dar es Salaam ni mji mkubwa zaidi nchini Tanzania.\nUna bandari muhimu sana."
    pages = [
        Page(
            "https://sw.example/", text.encode(), rec_type="conversion", http=False, content_type="text/plain"
        ),
        Page(
            "https://sw.example/2",
            b"Habari za asubuhi.",
            rec_type="conversion",
            http=False,
            content_type=None,
        ),
    ]
    write_warc(tmp_path / "CC-MAIN-x.warc.wet.gz", pages)
    docs = rows(extract("warc", tmp_path / "CC-MAIN-x.warc.wet.gz", "--lang", "sw", out=tmp_path / "run"))
    assert [d["text"] for d in docs] == [text, "Habari za asubuhi."]
    assert {d["meta"]["warc_type"] for d in docs} == {"conversion"}


@pytest.mark.parametrize("compress", [True, False])
def test_arc_files_v1_and_v2(tmp_path, compress):
    html = html_page(*TEXTS["en"][1:]).encode()
    chunks = [
        arc_file_header(),
        arc_record("http://old.example/a", html),
        arc_record("http://old.example/b", html, v2=True),
    ]
    name = "old.arc.gz" if compress else "old.arc"
    offsets = write_chunks(tmp_path / name, gzip_members(chunks) if compress else chunks)
    run = extract("warc", tmp_path / name, out=tmp_path / "run")
    docs = rows(run)
    assert [d["url"] for d in docs] == ["http://old.example/a", "http://old.example/b"]
    assert all(d["text"] == expected_text("en") for d in docs)
    assert [d["meta"]["offset"] for d in docs] == offsets[1:]
    assert docs[0]["meta"]["warc_date"] == "20050614070159"
    assert stats(run)["skipped"] == {"warc_warcinfo": 1}


# ---------------------------------------------------------------- corruption
def _good(number: int) -> Page:
    body = html_page(
        f"Story {number}", [f"Story number {number} tells of a long journey across the sea and home again."]
    )
    return Page(f"https://news.example/{number}", body.encode())


def _with_content_length(record: bytes, delta: int) -> bytes:
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: %d" % (int(line.split(b":")[1]) + delta)
        if line.startswith(b"Content-Length")
        else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + rest


def corrupted_gzip_warc(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """A .warc.gz with every kind of damage; returns (urls that must survive, expected (offset, reason))."""
    good = [_good(i) for i in range(8)]
    members = warc_records(good, compress=True)
    plain = warc_records([_good(100), _good(101)], compress=False)
    flipped = bytearray(members[3])
    for i in range(len(flipped) // 2, len(flipped) // 2 + 6):
        flipped[i] ^= 0xA5
    chunks = [
        ("ok", members[0]),
        ("garbage", b"\x00\x17binary garbage between records\xff\xfe" * 4),
        ("ok", members[1]),
        ("truncated_gzip_mid", members[2][: len(members[2]) // 2]),
        ("ok", members[4]),
        ("content_length_mismatch", gzip.compress(_with_content_length(plain[0], +40), mtime=0)),
        ("ok", members[5]),
        ("content_length_mismatch", gzip.compress(_with_content_length(plain[1], -25), mtime=0)),
        ("corrupt_gzip", bytes(flipped)),
        ("ok", members[6]),
        ("truncated_gzip", members[7][: len(members[7]) // 2]),
    ]
    offsets = write_chunks(path, [c for _, c in chunks])
    survivors = [good[i].url for i in (0, 1, 4, 5, 6)]
    expected = []
    for (kind, _), offset in zip(chunks, offsets, strict=True):
        if kind == "ok":
            continue
        expected.append((offset, {"truncated_gzip_mid": "corrupt_gzip"}.get(kind, kind)))
    return survivors, expected


def test_damaged_gzip_warc_keeps_every_good_record_and_reports_each_bad_part(tmp_path):
    survivors, expected = corrupted_gzip_warc(tmp_path / "bad.warc.gz")
    run = extract("warc", tmp_path / "bad.warc.gz", out=tmp_path / "run")
    assert [d["url"] for d in rows(run)] == survivors
    # a member cut in the middle is read on into the next member's bytes, which zlib rejects: corrupt_gzip
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [
        (f"bad.warc.gz@{o}", r) for o, r in expected
    ]
    assert all(e["locator"].startswith("bad.warc.gz@") for e in errors(run))
    assert_balanced(run)


def corrupted_plain_warc(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    good = [_good(i) for i in range(5)]
    records = warc_records(good, compress=False)
    chunks = [
        ("ok", records[0]),
        ("content_length_mismatch", _with_content_length(records[1], +30)),
        ("ok", records[2]),
        ("garbage", b"\x00\x01\x02 not a record at all \xff" * 3 + b"\r\n"),
        ("ok", records[3]),
        ("content_length_mismatch", _with_content_length(records[4], -12)),
    ]
    offsets = write_chunks(path, [c for _, c in chunks])
    expected = [(o, kind) for (kind, _), o in zip(chunks, offsets, strict=True) if kind != "ok"]
    return [good[i].url for i in (0, 2, 3)], expected


def test_damaged_plain_warc_resynchronises_on_the_next_record(tmp_path):
    survivors, expected = corrupted_plain_warc(tmp_path / "bad.warc")
    run = extract("warc", tmp_path / "bad.warc", out=tmp_path / "run")
    assert [d["url"] for d in rows(run)] == survivors
    assert [(int(e["locator"].split("@")[1]), e["reason"]) for e in errors(run)] == expected
    assert_balanced(run)


def test_garbage_and_bad_http_are_errors(tmp_path):
    pages = [
        Page("https://a.org/1", b"\x00\x01garbage-not-http\xff" * 5, content_type=None),
        Page("https://a.org/2", b"<html><body><script>x=1</script></body></html>"),
        _good(1),
    ]
    records = warc_records(pages, compress=True)
    records[0] = gzip.compress(
        gzip.decompress(records[0]).replace(b"HTTP/1.1 200 OK\r\n", b"\x8f\x00" + b"g" * 13 + b"\r\n"),
        mtime=0,
    )
    write_chunks(tmp_path / "x.warc.gz", records)
    run = extract("warc", tmp_path / "x.warc.gz", out=tmp_path / "run")
    assert [e["reason"] for e in errors(run)] == ["bad_http", "empty_text"]
    assert [d["url"] for d in rows(run)] == ["https://news.example/1"]


# ---------------------------------------------------------------- sharding
def _all_frames(path: Path, bytes_per_shard: int) -> list[tuple[str, str | None, bytes | None]]:
    fmt, gz = sniff_format(path), is_gzip(path)
    out = []
    for start, stop in split_ranges(path, fmt, gz, bytes_per_shard, 1 << 26):
        out += [(f.position, f.error, f.data) for f in read_frames(path, fmt, gz, start, stop, 1 << 26)]
    return out


@pytest.mark.parametrize("name", ["bad.warc.gz", "bad.warc"])
def test_any_split_of_a_damaged_file_yields_the_same_items(tmp_path, name):
    path = tmp_path / name
    (corrupted_gzip_warc if name.endswith(".gz") else corrupted_plain_warc)(path)
    whole = _all_frames(path, 1 << 40)
    assert len(whole) >= 6
    for size in (1, 2, 3, 50, 333, 1000, 2500, 4096):
        assert _all_frames(path, size) == whole, size


def test_split_file_and_workers_give_the_same_documents(tmp_path):
    corrupted_gzip_warc(tmp_path / "bad.warc.gz")
    one = extract("warc", tmp_path / "bad.warc.gz", out=tmp_path / "one")
    split = extract(
        "warc", tmp_path / "bad.warc.gz", "--bytes-per-shard", "700", out=tmp_path / "split", workers=2
    )
    split1 = extract("warc", tmp_path / "bad.warc.gz", "--bytes-per-shard", "700", out=tmp_path / "split1")
    assert len(split.stage("extract").parts()) > 3
    assert rows(split) == rows(one)
    assert [(e["locator"], e["reason"]) for e in errors(split)] == [
        (e["locator"], e["reason"]) for e in errors(one)
    ]
    assert tree_bytes(split.root) == tree_bytes(split1.root)  # byte-identical whatever the worker count


# ---------------------------------------------------------------- time limit, crashes
def test_a_hanging_page_times_out_and_a_crash_is_survived(tmp_path):
    def page(number: int, marker: str = "") -> Page:
        return Page(
            f"https://h.example/{number}", f"<html><body>BODY: page {number} {marker}</body></html>".encode()
        )

    offsets = write_warc(
        tmp_path / "h.warc.gz", [page(0), page(1, "HANG-HERE"), page(2), page(3, "CRASH-HERE"), page(4)]
    )
    run = extract(
        "warc",
        tmp_path / "h.warc.gz",
        "--extractor",
        "tests.fixtures_sources:hanging_extractor",
        "--timeout",
        "1",
        out=tmp_path / "run",
    )
    assert [d["text"] for d in rows(run)] == ["page 0", "page 2", "page 4"]
    found = [(e["locator"], e["reason"]) for e in errors(run)]
    assert found == [(f"h.warc.gz@{offsets[1]}", "timeout"), (f"h.warc.gz@{offsets[3]}", "extractor_crashed")]
    assert_balanced(run)


def test_sandbox_answers_in_order_through_timeouts_and_crashes():
    from roots.sources.sandbox import Sandbox

    box = Sandbox("tests.fixtures_sources:hanging_extractor")
    try:
        payloads = ["BODY: a", "HANG-HERE", "BODY: b", "CRASH-HERE", "BODY: c", "BODY: d"]
        outcomes = list(box.imap(payloads, timeout=1, window=4))
        assert [(o.status, o.value) for o in outcomes] == [
            ("ok", "a"),
            ("timeout", None),
            ("ok", "b"),
            ("crashed", None),
            ("ok", "c"),
            ("ok", "d"),
        ]
        assert box.restarts == 1  # the crash; the regex hang is stopped by the CPU-time limit in the child
        assert box.call("BODY: e", timeout=5).value == "e"  # the same child serves the next caller
    finally:
        box.close()


def test_resiliparse_backend_removes_boilerplate(tmp_path):
    write_warc(tmp_path / "r.warc.gz", [declared_page("fr", "http"), declared_page("ar", "http")])
    docs = rows(extract("warc", tmp_path / "r.warc.gz", "--extractor", "resiliparse", out=tmp_path / "run"))
    for doc, lang in zip(docs, ("fr", "ar"), strict=True):
        assert all(p in doc["text"] for p in TEXTS[lang][2])
        assert not any(b in doc["text"] for b in ("Section 3", "Copyright", "cookies", "Related links"))


def test_a_single_paragraph_page_is_not_duplicated(tmp_path):
    sentence = "Mji wa Dar es Salaam ni mji mkubwa zaidi nchini Tanzania na una bandari muhimu sana."
    bodies = [
        f"<html><body><p>{sentence}</p></body></html>",
        f"<html><body><div>{sentence}</div></body></html>",
    ]
    write_warc(
        tmp_path / "s.warc", [Page(f"https://sw.example/{i}", b.encode()) for i, b in enumerate(bodies)]
    )
    assert [d["text"] for d in rows(extract("warc", tmp_path / "s.warc", out=tmp_path / "run"))] == [
        sentence
    ] * 2


# ---------------------------------------------------------------- URL lists
def test_domain_and_url_allow_and_block_lists(tmp_path):
    urls = [
        "https://www.keep.org/a",
        "https://keep.org/b",
        "https://ads.keep.org/c",
        "https://other.net/d",
        "https://other.net/docs/e",
        "https://notkeep.org/f",
    ]
    write_warc(tmp_path / "u.warc.gz", [Page(u, html_page(*TEXTS["en"][1:]).encode()) for u in urls])
    (tmp_path / "seeds.txt").write_text("# seed domains\nkeep.org\n\n", encoding="utf-8")
    run = extract(
        "warc",
        tmp_path / "u.warc.gz",
        "--domain-allow",
        f"@{tmp_path / 'seeds.txt'}",
        "--domain-block",
        "ads.keep.org",
        "--url-allow",
        "https://other.net/docs/",
        out=tmp_path / "run",
    )
    assert [d["url"] for d in rows(run)] == [urls[0], urls[1], urls[4]]
    assert stats(run)["skipped"] == {"url_blocked": 1, "url_not_allowed": 2}


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--extractor", "nope.mod:f", "nope.mod"), ("--domain-allow", "@/no/such.txt", "/no/such.txt")],
)
def test_user_errors_are_one_line(tmp_path, capsys, option, value, named):
    from roots.cli import main

    write_warc(tmp_path / "a.warc", [_good(0)])
    args = ["extract", "warc", str(tmp_path / "a.warc"), "--out", str(tmp_path / "r"), option, value]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0]


def test_unreadable_url_list_is_a_user_error():
    from roots.sources.url_filter import load_entries

    with pytest.raises(UserError):
        load_entries(["@/no/such.txt"], "warc domain_allow")


# ---------------------------------------------------------------- the demo corpus
def _article_paragraphs(warc: Path, charsets: dict[str, str]) -> dict[str, list[str]]:
    """An independent oracle: the <article> paragraphs of pages, decoded with the charset we know they use."""
    import html as html_lib
    import re

    from warcio.archiveiterator import ArchiveIterator

    out = {}
    with open(warc, "rb") as handle:
        for record in ArchiveIterator(handle):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and url in charsets:
                page = record.content_stream().read().decode(charsets[url])
                article = page.split("<article>")[1].split("</article>")[0]
                out[url] = [html_lib.unescape(p) for p in re.findall(r"<p>(.*?)</p>", article, re.DOTALL)]
    return out


def test_demo_corpus_warc_goes_through(tmp_path):
    from roots.demo.corpus import build_demo_corpus

    corpus = build_demo_corpus(tmp_path / "corpus")
    run = extract("warc", corpus.warc, out=tmp_path / "run")
    docs = {d["url"]: d for d in rows(run)}
    assert len(docs) == json.loads(corpus.planted_json.read_text())["counts"]["warc_pages"]
    assert assert_balanced(run)["skipped"] == {
        "non_text_mime": 1,
        "warc_metadata": 1,
        "warc_request": 1,
        "warc_warcinfo": 1,
    }
    assert {d["meta"]["html_lang"].split("-")[0] for d in docs.values()} == set(corpus.languages)
    legacy = {item["url"]: item["charset"] for item in corpus.planted["legacy_encoding"]}
    assert sorted(legacy.values()) == ["gbk", "windows-1252", "windows-1256"]
    for url, paragraphs in _article_paragraphs(corpus.warc, legacy).items():
        doc = docs[url]
        assert doc["meta"]["charset_declared"] == legacy[url]
        assert all(p in doc["text"] for p in paragraphs), url
        assert "Cookie settings" not in doc["text"] and "All rights reserved" not in doc["text"]
