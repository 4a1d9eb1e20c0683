"""Text per page from one PDF (run inside the sandbox child): pdfminer.six, or pypdf as a faster option.

Returns ``{"pages": [text, …], "title": …}`` or ``{"error": reason, "detail": …}``; every failure a
file can cause is classified here, so the parent only sees results, time-outs and crashes. A file that
runs out of CPU time between pages returns the pages done so far with ``"stopped": "timeout"``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, BinaryIO, cast

from roots.sources.cpu_limit import CpuTimeExceeded
from roots.storage import open_binary

BACKENDS = {
    "pdfminer": "roots.sources.pdf_text:pdfminer_pages",
    "pypdf": "roots.sources.pdf_text:pypdf_pages",
}
TAIL_BYTES = 8192
PADDING_BYTES = 1 << 20
_LINE_BREAK = re.compile(r"[ \t]*\n\s*(?=(.))", re.DOTALL)
_SPACE_RUN = re.compile(r"[ \t]{2,}")


class PdfProblem(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _check_file(path: str) -> None:
    """Cheap structural checks: a PDF header near the start and an ``%%EOF`` near the end (padding ignored)."""
    with open_binary(path) as handle:
        head = handle.read(1024)
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - PADDING_BYTES))
        tail = handle.read().rstrip(b"\x00\r\n\t\f ")  # real files come padded with NUL bytes
    if b"%PDF-" not in head:
        raise PdfProblem("not_a_pdf", "no %PDF- header in the first 1024 bytes")
    if b"%%EOF" not in tail[-TAIL_BYTES:]:
        raise PdfProblem("truncated", f"no %%EOF marker in the last {TAIL_BYTES} bytes")


def clean_page(text: str) -> str:
    """Undo layout artefacts: runs of spaces (justified lines give a real and an inferred space), and line
    breaks before combining marks (a layout engine splits a line at zero-width marks such as Devanagari
    vowel signs or Arabic harakat, but no line starts with one)."""
    lines = (_SPACE_RUN.sub(" ", line).strip(" \t") for line in text.replace("\f", "").split("\n"))
    text = "\n".join(lines).strip()
    return _LINE_BREAK.sub(
        lambda m: "" if unicodedata.category(m.group(1)).startswith("M") else m.group(0), text
    )


def _run(extract: Any, request: dict[str, Any]) -> dict[str, Any]:
    try:
        _check_file(request["path"])
        result = extract(request["path"], request["max_pages"])
        result["pages"] = [clean_page(page) for page in result["pages"]]
        return result
    except PdfProblem as exc:
        return {"error": exc.reason, "detail": exc.detail}
    except RecursionError:
        return {"error": "too_deeply_nested", "detail": "object nesting exceeds the recursion limit"}
    except MemoryError:
        return {"error": "out_of_memory", "detail": "the extractor ran out of memory"}
    except Exception as exc:
        reason = "encrypted" if _is_encryption_error(exc) else "corrupt"
        return {"error": reason, "detail": f"{type(exc).__name__}: {exc}"[:500]}


def _is_encryption_error(exc: Exception) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"PDFPasswordIncorrect", "PDFEncryptionError", "FileNotDecryptedError"})


def _too_many(max_pages: int) -> PdfProblem:
    return PdfProblem("too_many_pages", f"more than max_pages={max_pages} pages")


# ---------------------------------------------------------------- pdfminer.six
def pdfminer_pages(request: dict[str, Any]) -> dict[str, Any]:
    return _run(_pdfminer, request)


def _pdfminer(path: str, max_pages: int) -> dict[str, Any]:
    from io import StringIO

    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    with open_binary(path) as handle:
        document = PDFDocument(PDFParser(cast(BinaryIO, handle)))
        claimed = (
            resolve1(resolve1(document.catalog.get("Pages")) or {}).get("Count") if document.catalog else None
        )
        if isinstance(claimed, int) and claimed > max_pages:
            raise _too_many(max_pages)
        manager = PDFResourceManager(caching=True)
        buffer = StringIO()
        converter = TextConverter(manager, buffer, laparams=LAParams())  # what pdfminer's extract_text uses
        interpreter = PDFPageInterpreter(manager, converter)
        pages: list[str] = []
        try:
            for number, page in enumerate(PDFPage.create_pages(document), 1):
                if number > max_pages:
                    raise _too_many(max_pages)
                start = buffer.tell()
                interpreter.process_page(page)
                buffer.seek(start)
                pages.append(buffer.read())
        except CpuTimeExceeded:
            return {"pages": pages, "title": _pdfminer_title(document), "stopped": "timeout"}
        if not pages:
            raise PdfProblem("unreadable_page_tree", _no_pages_detail(path))
        return {"pages": pages, "title": _pdfminer_title(document)}


def _no_pages_detail(path: str) -> str:
    """What pypdf, which walks a page tree more leniently, makes of a file in which pdfminer finds no page."""
    try:
        from pypdf import PdfReader

        count = len(PdfReader(path).pages)
    except Exception:  # not installed, or it cannot read the file either
        return "pdfminer finds no page in the page tree"
    if not count:
        return "the page tree holds no page"
    return f"pdfminer finds no page in the page tree, pypdf finds {count}: extract this file with --backend pypdf"


def _pdfminer_title(document: Any) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    for info in document.info:
        title = resolve1(info.get("Title"))
        if isinstance(title, bytes) and title.strip():
            return decode_text(title).strip() or None
        if isinstance(title, str) and title.strip():
            return title.strip()
    return None


# ---------------------------------------------------------------- pypdf
def pypdf_pages(request: dict[str, Any]) -> dict[str, Any]:
    return _run(_pypdf, request)


def _pypdf(path: str, max_pages: int) -> dict[str, Any]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise PdfProblem("encrypted", "the PDF needs a password")
    if len(reader.pages) > max_pages:
        raise _too_many(max_pages)
    pages: list[str] = []
    stopped: dict[str, str] = {}
    try:
        for page in reader.pages:
            pages.append(page.extract_text() or "")
    except CpuTimeExceeded:
        stopped["stopped"] = "timeout"
    title = reader.metadata.title if reader.metadata else None
    title = title.strip() if isinstance(title, str) and title.strip() else None
    return {"pages": pages, "title": title, **stopped}
