"""Build the embedded demo corpus: a small multilingual corpus in every source format, with planted problems.

The corpus is made from hand-written paragraphs (``texts/<lang>.txt``), so it ships with the package and is
rebuilt offline, byte for byte: no clock, no ``uuid4``, only ``random.Random`` seeded with fixed strings.
Every quality filter and the deduplication have something planted to remove; ``planted.json`` lists it all.

Layout written into ``out_dir``::

    hf/train-00000-of-00001.parquet   most documents (columns text, url, id, lang_hint)
    crawl.warc.gz                     HTML pages with boilerplate, plus records an extractor must skip
    pdfs/*.pdf                        a 2-page English PDF, a French one, a Cyrillic one, one without text
    extra.jsonl                       a few {"text": ...} lines and one malformed line
    planted.json                      what was planted where, and why
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import random
import re
import struct
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEED = "roots-demo-v1"
LANGUAGES: tuple[str, ...] = (
    "en", "fr", "es", "pt", "ca", "eu", "ar", "ur", "hi", "bn", "zh", "vi", "id", "sw", "yo",
)  # fmt: skip
OFF_TARGET_LANGUAGES: tuple[str, ...] = ("ru",)  # only in the Cyrillic PDF: not a ROOTS language
WEAK_LID_LANGUAGES: tuple[str, ...] = ("sw", "yo")  # lid.176 is unreliable on these; cld2 is not
NEAR_DUP_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt", "ca", "ar", "ur", "hi", "vi", "id")
JSONL_LANGUAGES: tuple[str, ...] = ("eu", "sw", "yo", "bn")
LEGACY_ENCODINGS: dict[str, tuple[str, str]] = {  # lang -> (Python codec, declared charset)
    "fr": ("cp1252", "windows-1252"),
    "zh": ("gbk", "gbk"),
    "ar": ("cp1256", "windows-1256"),
}
DOC_SIZES: tuple[int, ...] = (5, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2)
EDIT_FRACTIONS: tuple[float, ...] = (0.01, 0.02, 0.03)
BASE_TIME = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
HF_FILE = "train-00000-of-00001.parquet"
FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
)
NAV_SECTIONS: tuple[str, ...] = (
    "Home", "World", "Politics", "Business", "Technology", "Science", "Health", "Sport",
    "Culture", "Travel", "Food", "Opinion", "Weather", "Video", "Contact",
)  # fmt: skip
SITE_KINDS: tuple[str, ...] = ("news", "blog", "wiki", "forum", "magazine")

SPAM_TEXT = (
    "BUY CHEAP WATCHES NOW!!! Best prices on the web $$$ click here >>> FREE SHIPPING!!! "
    "100% GUARANTEED!!! Limited offer, click here click here $$$ WIN WIN WIN!!!"
)
CASINO_TEXT = (
    "CASINO BONUS $$$ 500 FREE SPINS !!! click here to WIN BIG $$$ no deposit needed !!! "
    "JACKPOT JACKPOT JACKPOT click here NOW >>> $$$"
)
KEYWORDS_EN = (
    "cheap flights, cheap hotels, last minute deals, flight tickets, hotel booking, car rental, "
    "travel insurance, cheap holidays, all inclusive, beach resort, city break, discount travel, "
    "budget airline, package holiday, cruise deals, best price guarantee, book now, travel deals 2024"
)
KEYWORDS_FR = (
    "location voiture, billet avion pas cher, hôtel pas cher, vacances pas cher, séjour tout compris, "
    "promo voyage, vol dernière minute, camping bord de mer, location vacances, week-end romantique, "
    "croisière promo, assurance voyage, bon plan voyage, réservation hôtel"
)
KEYWORDS_ES = (
    "vuelos baratos, hoteles baratos, ofertas de última hora, alquiler de coches, seguro de viaje, "
    "vacaciones todo incluido, escapadas fin de semana, cruceros baratos, billetes de tren, "
    "apartamentos playa, chollos viajes, reservar hotel, viajes organizados"
)
REPEATED_LINE_EN = "Subscribe to our newsletter for the latest updates and exclusive offers."
REPEATED_LINE_ID = "Klik di sini untuk membaca berita selengkapnya dan jangan lupa bagikan."
SYMBOLS_TEXT = (
    "★★★★★ ✓✓✓ ►►► ••• ### @@@ %%% &&& *** ~~~ ^^^ ||| ★★★★★\n"
    "10/10 !!! ♥♥♥ ☺☺☺ ¤¤¤ §§§ ¶¶¶ ©©© ®®® ™™™ ♦♦♦ ♣♣♣ ♠♠♠\n"
    ">>> <<< === +++ --- ___ ::: ;;; ??? !!! ((( ))) [[[ ]]] {{{ }}}"
)
EMOJI_TEXT = (
    "🔥🔥🔥 SALE 🔥🔥🔥 💰💰💰 😍😍😍 👉👉👉 ✨✨✨ ⭐⭐⭐⭐⭐ 🎉🎉🎉 💯💯💯 🛒🛒🛒 "
    "⚡⚡⚡ 🤑🤑🤑 ❤️❤️❤️ 👍👍👍 📦📦📦 🚀🚀🚀 ✅✅✅ ➡️➡️➡️ 🎁🎁🎁 💥💥💥"
)
SHORT_TEXTS: tuple[tuple[str, str], ...] = (
    ("en", "Thanks for reading!"),
    ("en", "Page not found, sorry."),
    ("es", "Gracias por su visita hoy."),
    ("pt", "Leia mais notícias aqui"),
)
SHORT_PAGE_FR = "Bientôt disponible. Restez connectés !"
SHORT_JSONL = "Hakuna maelezo zaidi."
MALFORMED_JSONL = '{"text": "Ce document a été coupé pendant l\'export, la ligne n\'est pas du JSON valide'


@dataclass(frozen=True)
class DemoCorpus:
    """The files one ``build_demo_corpus`` call wrote, and the register of what was planted in them."""

    root: Path
    hf_dir: Path
    parquet: Path
    warc: Path
    pdf_dir: Path
    pdfs: tuple[Path, ...]
    jsonl: Path
    planted_json: Path
    languages: tuple[str, ...]
    planted: dict[str, list[dict[str, Any]]] = field(hash=False, compare=False)
    notes: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written, in a stable order."""
        return (self.parquet, self.warc, *self.pdfs, self.jsonl, self.planted_json)


@dataclass(frozen=True)
class Doc:
    """One document: its text, the language it is written in and the language its source claims."""

    url: str
    text: str
    lang: str
    hint: str

    @property
    def id(self) -> str:
        """A neutral, stable id derived from the url (so planted documents do not stand out by id)."""
        return "doc-" + hashlib.sha1(self.url.encode()).hexdigest()[:12]

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n")

    @property
    def title(self) -> str:
        """A headline made from the first clause of the text (or its first words)."""
        first = self.paragraphs[0]
        if self.lang == "zh":
            return first.split("，")[0][:18]
        clause = re.split(r"[,.;:!?،۔।]", first)[0].split()
        return " ".join(clause if 3 <= len(clause) <= 9 else first.split()[:7]).rstrip(",.;:!?،۔।")


@dataclass
class Planted:
    """Register of planted items, grouped by kind, in the order they were planted."""

    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, kind: str, source: str, reason: str, **where: Any) -> None:
        self.items.setdefault(kind, []).append({"source": source, **where, "reason": reason})

    def doc(self, kind: str, source: str, doc: Doc, reason: str, **extra: Any) -> None:
        self.add(kind, source, reason, id=doc.id, url=doc.url, lang=doc.lang, lang_hint=doc.hint, **extra)


@dataclass
class Allocation:
    """Clean documents, split between the sources."""

    hf: list[Doc] = field(default_factory=list)
    warc: list[Doc] = field(default_factory=list)
    jsonl: list[Doc] = field(default_factory=list)
    pdf: dict[str, Doc] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- texts


def rng(*parts: object) -> random.Random:
    """A generator seeded from the fixed seed and a purpose, so each part of the corpus is independent."""
    return random.Random(":".join([SEED, *map(str, parts)]))


def load_paragraphs(lang: str) -> list[str]:
    """The hand-written paragraphs of one language (blank-line separated in ``texts/<lang>.txt``)."""
    text = (resources.files("roots.demo") / "texts" / f"{lang}.txt").read_text(encoding="utf-8")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def available_languages() -> tuple[str, ...]:
    """Every language that has a text file, target or not."""
    names = (p.name for p in (resources.files("roots.demo") / "texts").iterdir())
    return tuple(sorted(n.removesuffix(".txt") for n in names if n.endswith(".txt")))


def plan_documents(n_paragraphs: int, gen: random.Random) -> list[tuple[int, ...]]:
    """Groups of 2–5 paragraph indexes, any two sharing at most one paragraph.

    Documents are built from a handful of paragraphs, so they must overlap; keeping the overlap to one
    paragraph keeps their similarity (≈1/3 at most) far below any near-duplicate threshold, so the only
    near-duplicates in the corpus are the planted ones.
    """
    used: set[tuple[int, int]] = set()
    groups: list[tuple[int, ...]] = []
    for size in DOC_SIZES:
        candidates = list(itertools.combinations(range(n_paragraphs), size))
        gen.shuffle(candidates)
        for candidate in candidates:
            pairs = set(itertools.combinations(candidate, 2))
            if pairs.isdisjoint(used):
                used |= pairs
                order = list(candidate)
                gen.shuffle(order)
                groups.append(tuple(order))
                break
    return groups


def clean_documents(lang: str) -> list[Doc]:
    """The clean documents of one language, with urls on a few made-up sites of that language."""
    gen = rng("docs", lang)
    paragraphs = load_paragraphs(lang)
    docs = []
    for n, group in enumerate(plan_documents(len(paragraphs), gen)):
        site = gen.choice(SITE_KINDS)
        url = f"https://{site}.{lang}.example/articles/{n:04d}"
        docs.append(Doc(url, "\n\n".join(paragraphs[i] for i in group), lang, lang))
    return docs


def allocate() -> Allocation:
    """Split every language's documents between the PDF, jsonl, WARC and HF sources."""
    out = Allocation()
    for lang in LANGUAGES:
        pool = clean_documents(lang)
        if lang == "en":
            out.pdf["en"] = pool.pop(1)  # the four-paragraph one: two per PDF page
        if lang == "fr":
            out.pdf["fr"] = pool.pop(2)
        if lang in JSONL_LANGUAGES:
            out.jsonl.append(pool.pop())
        warc = pool[2::4][:3]
        out.warc += [replace(d, url=d.url.replace("/articles/", "/news/")) for d in warc]
        out.hf += [d for d in pool if d not in warc]
    ru = clean_documents("ru")
    out.pdf["ru"] = ru[0]
    return out


# ------------------------------------------------------------------------------------ planted documents


def take(docs: list[Doc], lang: str, nth: int = 0) -> Doc:
    """Remove and return the nth document of a language from a list."""
    doc = [d for d in docs if d.lang == lang][nth]
    docs.remove(doc)
    return doc


def rehost(doc: Doc, hint: str) -> Doc:
    """The same text, published on a site of another language (which then claims that language)."""
    url = (
        doc.url.replace(f".{doc.lang}.", f".{hint}.")
        .replace("/articles/", "/archive/")
        .replace("/news/", "/archive/")
    )
    return Doc(url, doc.text, doc.lang, hint)


def relabel_wrong_language(alloc: Allocation, planted: Planted) -> None:
    """Documents whose claimed language is not the one they are written in."""
    for lang, hint in (("en", "fr"), ("ur", "ar")):
        wrong = rehost(take(alloc.hf, lang, -1), hint)
        alloc.hf.append(wrong)
        planted.doc("wrong_language", "hf", wrong, f"lang_hint is {hint!r} but the text is {lang!r}")
    wrong = rehost(take(alloc.warc, "pt", -1), "es")
    alloc.warc.append(wrong)
    planted.doc("wrong_language", "warc", wrong, "<html lang='es'> but the text is Portuguese")


def perturb(text: str, fraction: float, gen: random.Random) -> tuple[str, int, int]:
    """Edit about ``fraction`` of the words (replace, delete, insert in turn); return text, edits, words."""
    paragraphs = [p.split(" ") for p in text.split("\n\n")]
    positions = [(i, j) for i, words in enumerate(paragraphs) for j in range(len(words))]
    vocabulary = sorted({w for words in paragraphs for w in words})
    n_edits = max(1, round(len(positions) * fraction))
    for k, (i, j) in enumerate(sorted(gen.sample(positions, n_edits), reverse=True)):
        operation = k % 3
        if operation == 0:
            paragraphs[i][j] = gen.choice(vocabulary)
        elif operation == 1 and len(paragraphs[i]) > 1:
            del paragraphs[i][j]
        else:
            paragraphs[i].insert(j, gen.choice(vocabulary))
    return "\n\n".join(" ".join(words) for words in paragraphs), n_edits, len(positions)


def near_duplicates(alloc: Allocation, planted: Planted) -> None:
    """2–3 lightly edited copies of ten documents, on mirror sites; two copies go to the WARC."""
    for b, lang in enumerate(NEAR_DUP_LANGUAGES):
        base = max((d for d in alloc.hf if d.lang == lang), key=lambda d: len(d.text))
        gen = rng("near-dup", lang)
        for c in range(3 if b % 2 == 0 else 2):
            fraction = EDIT_FRACTIONS[c % len(EDIT_FRACTIONS)]
            text, edits, words = perturb(base.text, fraction, gen)
            to_warc = c == 1 and lang in ("en", "fr")
            path = "news" if to_warc else "articles"
            copy = Doc(f"https://mirror{c + 1}.{lang}.example/{path}/{b:04d}", text, lang, lang)
            (alloc.warc if to_warc else alloc.hf).append(copy)
            reason = f"copy of {base.id} with {edits} of {words} words edited ({edits / words:.1%})"
            planted.doc("near_duplicate", "warc" if to_warc else "hf", copy, reason,
                        base_id=base.id, base_url=base.url, edits=edits)  # fmt: skip


def exact_duplicates(alloc: Allocation, planted: Planted) -> None:
    """Copies whose text equals another document's, byte for byte or up to whitespace."""
    variants = (
        ("es", lambda t: t, "byte-identical to"),
        ("pt", lambda t: "\n" + t.replace(". ", ".  ") + "  \n", "identical up to whitespace to"),
        ("vi", lambda t: t.replace("\n\n", " \n\n  "), "identical up to whitespace to"),
    )
    for n, (lang, change, how) in enumerate(variants):
        base = [d for d in alloc.hf if d.lang == lang][3]
        copy = Doc(f"https://archive.{lang}.example/saved/{n:04d}", change(base.text), lang, lang)
        alloc.hf.append(copy)
        planted.doc("exact_duplicate", "hf", copy, f"{how} {base.id}", base_id=base.id, base_url=base.url)


def junk_documents(planted: Planted) -> list[Doc]:
    """HF documents that a quality filter must remove."""
    junk = [
        ("spam", Doc("https://best-deals-4u.example/watches", _repeat(SPAM_TEXT, 8), "en", "en"),
         "advertising spam: capitals, money signs, repeated click-bait"),
        ("spam", Doc("https://lucky-spins.example/bonus", _repeat(CASINO_TEXT, 10), "en", "en"),
         "casino spam"),
        ("keyword_list", Doc("https://travel-seo.example/en/deals", KEYWORDS_EN, "en", "en"),
         "comma-separated keywords, no sentences"),
        ("keyword_list", Doc("https://voyage-seo.example/fr/promo", KEYWORDS_FR, "fr", "fr"),
         "comma-separated keywords, no sentences"),
        ("repeated_lines", Doc("https://blog.en.example/newsletter", "\n".join([REPEATED_LINE_EN] * 20),
                               "en", "en"),
         "one line repeated 20 times"),
        ("special_characters", Doc("https://forum.en.example/thread/77", SYMBOLS_TEXT, "", "en"),
         "almost only symbols"),
    ]  # fmt: skip
    junk += [
        (
            "too_short",
            Doc(f"https://blog.{lang}.example/p/{n}", text, lang, lang),
            f"{len(text.split())} words",
        )
        for n, (lang, text) in enumerate(SHORT_TEXTS)
    ]
    return register(planted, "hf", junk)


def junk_pages(planted: Planted) -> list[Doc]:
    """WARC pages that a quality filter must remove (their boilerplate alone is no article)."""
    junk = [
        ("spam", Doc("https://cheap-pills.example/offer", _repeat(SPAM_TEXT, 6), "en", "en"), "spam page"),
        ("keyword_list", Doc("https://viajes-seo.example/ofertas", KEYWORDS_ES, "es", "es"),
         "keyword-stuffed page"),
        ("repeated_lines", Doc("https://berita.id.example/klik", "\n\n".join([REPEATED_LINE_ID] * 20),
                               "id", "id"),
         "one paragraph repeated 20 times"),
        ("special_characters", Doc("https://flash-sale.example/", _repeat(EMOJI_TEXT, 5), "", "en"),
         "almost only emoji"),
        ("too_short", Doc("https://news.fr.example/bientot", SHORT_PAGE_FR, "fr", "fr"),
         "an empty page: 4 words of article"),
    ]  # fmt: skip
    return register(planted, "warc", junk)


def register(planted: Planted, source: str, junk: Sequence[tuple[str, Doc, str]]) -> list[Doc]:
    """Record (kind, document, reason) triples as planted in ``source``; return the documents."""
    for kind, doc, reason in junk:
        planted.doc(kind, source, doc, reason)
    return [doc for _, doc, _ in junk]


def _repeat(text: str, times: int) -> str:
    return "\n".join([text] * times)


# --------------------------------------------------------------------------------------------- writers


def write_hf(hf_dir: Path, docs: Sequence[Doc]) -> Path:
    """The HF-style dataset: one parquet shard, rows shuffled so planted documents are spread out."""
    hf_dir.mkdir(parents=True, exist_ok=True)
    rows = list(docs)
    rng("hf-order").shuffle(rows)
    table = pa.table(
        {
            "text": [d.text for d in rows],
            "url": [d.url for d in rows],
            "id": [d.id for d in rows],
            "lang_hint": [d.hint for d in rows],
        }
    )
    path = hf_dir / HF_FILE
    pq.write_table(table, path)
    return path


def render_page(doc: Doc, charset: str, related: Sequence[Doc]) -> str:
    """A realistic news page: nav, cookie banner, sidebar, article, footer and scripts around the text."""
    host = doc.url.split("/")[2]
    esc = html.escape
    nav = "\n".join(f'        <li><a href="/{s.lower()}/">{s}</a></li>' for s in NAV_SECTIONS)
    most_read = "\n".join(
        f'        <li><a href="{esc(d.url)}">{esc(d.title, quote=False)}</a></li>' for d in related
    )
    article = "\n".join(f"      <p>{esc(p, quote=False)}</p>" for p in doc.paragraphs)
    lang = {"zh": "zh-CN"}.get(doc.hint, doc.hint)
    title = esc(doc.title, quote=False)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="{charset}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} | {host}</title>
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    We use cookies to personalise content and ads and to analyse our traffic.
    <button class="accept">Accept all</button> <button class="settings">Cookie settings</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/">{host}</a>
    <nav class="main-nav">
      <ul>
{nav}
      </ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">Staff reporter · 1 May 2024</p>
{article}
    </article>
    <aside class="sidebar">
      <h3>Most read</h3>
      <ul>
{most_read}
      </ul>
      <div class="ad">Advertisement</div>
    </aside>
  </main>
  <footer>
    <p>© 2024 {host} — All rights reserved.</p>
    <a href="/privacy">Privacy policy</a> · <a href="/terms">Terms of use</a> · <a href="/about">About us</a>
  </footer>
  <script src="/static/app.js" defer></script>
</body>
</html>
"""


def page_encoding(doc: Doc, legacy: set[str]) -> tuple[str, str]:
    """(codec, declared charset) of a page: UTF-8, or a legacy one for the first page of some languages."""
    if doc.lang in LEGACY_ENCODINGS and doc.lang == doc.hint and doc.lang not in legacy:
        legacy.add(doc.lang)
        return LEGACY_ENCODINGS[doc.lang]
    return "utf-8", "utf-8"


def tiny_png() -> bytes:
    """A 16×16 gradient PNG, built by hand so it is byte-stable."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"".join(bytes((x * 16, y * 16, 128)) for x in range(16)) for y in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


class WarcRecords:
    """Creates WARC records with a fixed date sequence and uuid5 record ids, so the file is byte-stable."""

    def __init__(self, writer: WARCWriter) -> None:
        self.writer = writer
        self.clock = itertools.count()

    def headers(self, kind: str, uri: str, **extra: str) -> dict[str, str]:
        when = BASE_TIME + timedelta(seconds=next(self.clock))
        return {
            "WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "WARC-Record-ID": record_id(kind, uri),
            **extra,
        }

    def write(self, kind: str, uri: str, payload: bytes = b"", **kwargs: Any) -> None:
        extra = kwargs.pop("warc_headers", {})
        record = self.writer.create_warc_record(
            uri, kind, payload=io.BytesIO(payload), length=len(payload),
            warc_headers_dict=self.headers(kind, uri, **extra), **kwargs,
        )  # fmt: skip
        self.writer.write_record(record)

    def response(self, uri: str, body: bytes, content_type: str) -> None:
        http = StatusAndHeaders(
            "200 OK",
            [
                ("Date", "Wed, 01 May 2024 12:00:00 GMT"),
                ("Server", "nginx"),
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
            ],
            protocol="HTTP/1.1",
        )
        self.write("response", uri, body, http_headers=http, warc_headers={"WARC-IP-Address": "192.0.2.10"})

    def request(self, uri: str) -> None:
        host, _, path = uri.partition("//")[2].partition("/")
        http = StatusAndHeaders(
            f"GET /{path} HTTP/1.1",
            [("Host", host), ("User-Agent", "roots-demo-crawler/1.0"), ("Accept", "text/html")],
            is_http_request=True,
        )
        self.write("request", uri, http_headers=http,
                   warc_headers={"WARC-Concurrent-To": record_id("response", uri)})  # fmt: skip


def record_id(kind: str, uri: str) -> str:
    """A WARC-Record-ID that depends only on the record type and url."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}:{uri}')}>"


def write_warc(path: Path, pages: Sequence[Doc], planted: Planted) -> Path:
    """The crawl: warcinfo, HTML responses (some in legacy charsets), a request, a metadata record, a PNG."""
    legacy: set[str] = set()
    with path.open("wb") as fh:
        records = WarcRecords(WARCWriter(fh, gzip=True))
        info = b"software: roots demo corpus\r\nformat: WARC File Format 1.1\r\nrobots: classic\r\n"
        records.write("warcinfo", "", info, warc_content_type="application/warc-fields",
                      warc_headers={"WARC-Filename": path.name})  # fmt: skip
        planted.add("not_text", "warc", "warcinfo record", record_type="warcinfo")
        for n, page in enumerate(pages):
            if n == 0:
                records.request(page.url)
                planted.add("not_text", "warc", "request record", record_type="request", url=page.url)
            codec, charset = page_encoding(page, legacy)
            related = [d for d in pages if d.hint == page.hint and d is not page][:4]
            body = render_page(page, charset, related).encode(codec, errors="xmlcharrefreplace")
            records.response(page.url, body, f"text/html; charset={charset}")
            if charset != "utf-8":
                planted.add("legacy_encoding", "warc", f"HTML served as {charset}, declared in the HTTP header",
                            url=page.url, lang=page.lang, charset=charset)  # fmt: skip
            if n == 0:
                meta = b"via: https://www.example/\r\nhopsFromSeed: L\r\nfetchTimeMs: 87\r\n"
                records.write("metadata", page.url, meta, warc_content_type="application/warc-fields",
                              warc_headers={"WARC-Refers-To": record_id("response", page.url)})  # fmt: skip
                planted.add("not_text", "warc", "metadata record", record_type="metadata", url=page.url)
            if n == 10:
                logo = "https://static.example/img/logo.png"
                records.response(logo, tiny_png(), "image/png")
                planted.add("not_text", "warc", "image/png response", record_type="response", url=logo)
    return path


def find_font() -> Path | None:
    """A TrueType font with Latin, Cyrillic and Arabic glyphs (DejaVu Sans), if this machine has one."""
    return next((p for p in FONT_CANDIDATES if p.is_file()), None)


def new_pdf(title: str, lang: str, font: Path | None) -> Any:
    """An fpdf2 document with fixed metadata (creation date included) so its bytes never change."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(BASE_TIME)
    pdf.set_title(title)
    pdf.set_author("roots demo")
    pdf.set_lang(lang)
    pdf.set_auto_page_break(True, margin=20)
    if font is not None:
        pdf.add_font("DejaVu", fname=str(font))
    return pdf


def add_page(pdf: Any, heading: str, paragraphs: Sequence[str], font: Path | None) -> None:
    """One page: a heading, then the paragraphs."""
    family = "DejaVu" if font is not None else "Helvetica"
    pdf.add_page()
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def write_pdfs(pdf_dir: Path, docs: dict[str, Doc], planted: Planted, notes: list[str]) -> tuple[Path, ...]:
    """The PDFs: English (2 pages), French, Russian (Cyrillic, needs an embedded font), one without text."""
    pdf_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fpdf  # noqa: F401
    except ImportError:
        notes.append("fpdf2 is not installed: no PDFs were written")
        return ()
    font = find_font()
    written = []
    en = docs["en"].paragraphs
    pdf = new_pdf("Riverside community newsletter", "en", font)
    add_page(pdf, "Riverside community newsletter", en[:2], font)
    add_page(pdf, "News from around the parish", en[2:], font)
    written.append(save_pdf(pdf, pdf_dir / "newsletter-en.pdf"))
    pdf = new_pdf("Bulletin municipal", "fr", font)
    add_page(pdf, "Bulletin municipal", docs["fr"].paragraphs, font)
    written.append(save_pdf(pdf, pdf_dir / "bulletin-fr.pdf"))
    if font is None:
        notes.append("no DejaVuSans.ttf found: the Cyrillic PDF was not written")
    else:
        pdf = new_pdf("Городской вестник", "ru", font)
        add_page(pdf, "Городской вестник", docs["ru"].paragraphs, font)
        written.append(save_pdf(pdf, pdf_dir / "vestnik-ru.pdf"))
        planted.add("off_target_language", "pdf", "Russian is not one of the corpus languages",
                    path="pdfs/vestnik-ru.pdf", lang="ru")  # fmt: skip
    written.append(save_pdf(scanned_pdf(font), pdf_dir / "scan-no-text.pdf"))
    planted.add(
        "pdf_no_text", "pdf", "a 'scanned' page: drawings only, no text layer", path="pdfs/scan-no-text.pdf"
    )
    return tuple(written)


def scanned_pdf(font: Path | None) -> Any:
    """A page with only shapes on it, like a scan without OCR."""
    pdf = new_pdf("scan", "en", font)
    pdf.add_page()
    pdf.set_fill_color(235, 235, 228)
    pdf.rect(15, 15, 180, 267, style="F")
    pdf.set_draw_color(60, 60, 60)
    for y in range(40, 260, 8):
        pdf.line(25, y, 25 + 140 + (y * 7) % 30, y)
    return pdf


def save_pdf(pdf: Any, path: Path) -> Path:
    pdf.output(str(path))
    return path


def write_jsonl(path: Path, docs: Sequence[Doc], duplicate_of: Doc, planted: Planted) -> Path:
    """A few plain ``{"text": ...}`` lines, an exact duplicate of an HF document, a short one, a broken one."""

    def line(text: str) -> str:
        return json.dumps({"text": text}, ensure_ascii=False)

    entries: list[tuple[str, tuple[str, str, dict[str, str]] | None]] = [(line(d.text), None) for d in docs]
    entries.insert(2, (MALFORMED_JSONL, ("malformed", "not valid JSON: the line was cut off", {})))
    duplicate = {"base_id": duplicate_of.id, "base_url": duplicate_of.url}
    entries.append((line(duplicate_of.text), ("exact_duplicate", "same text as an HF document", duplicate)))
    entries.append((line(SHORT_JSONL), ("too_short", f"{len(SHORT_JSONL.split())} words", {"lang": "sw"})))
    for number, (_, plant) in enumerate(entries, start=1):
        if plant is not None:
            kind, reason, extra = plant
            planted.add(kind, "jsonl", reason, line=number, **extra)
    path.write_text("\n".join(text for text, _ in entries) + "\n", encoding="utf-8")
    return path


def write_planted(path: Path, planted: Planted, counts: dict[str, int]) -> Path:
    """``planted.json``: what was planted, where and why, plus the size of each source."""
    document = {"seed": SEED, "counts": counts, "planted": planted.items}
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    return path


# ------------------------------------------------------------------------------------------- entry point


def build_demo_corpus(out_dir: Path) -> DemoCorpus:
    """Write the demo corpus into ``out_dir`` (same bytes on every call) and return what was written."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    planted = Planted()
    notes: list[str] = []
    alloc = allocate()
    relabel_wrong_language(alloc, planted)
    near_duplicates(alloc, planted)
    exact_duplicates(alloc, planted)
    jsonl_duplicate = [d for d in alloc.hf if d.lang == "id"][3]
    hf_docs = alloc.hf + junk_documents(planted)
    pages = alloc.warc + junk_pages(planted)
    parquet = write_hf(root / "hf", hf_docs)
    warc = write_warc(root / "crawl.warc.gz", pages, planted)
    pdfs = write_pdfs(root / "pdfs", alloc.pdf, planted, notes)
    jsonl = write_jsonl(root / "extra.jsonl", alloc.jsonl, jsonl_duplicate, planted)
    counts = {
        "hf": len(hf_docs),
        "warc_pages": len(pages),
        "pdfs": len(pdfs),
        "jsonl_lines": len(alloc.jsonl) + 3,
    }
    planted_json = write_planted(root / "planted.json", planted, counts)
    return DemoCorpus(
        root=root,
        hf_dir=root / "hf",
        parquet=parquet,
        warc=warc,
        pdf_dir=root / "pdfs",
        pdfs=pdfs,
        jsonl=jsonl,
        planted_json=planted_json,
        languages=LANGUAGES,
        planted=planted.items,
        notes=tuple(notes),
    )
