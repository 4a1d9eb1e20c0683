"""PDF input: one document per PDF (pages joined) or one per page; failures become error records.

Extraction runs in a sandbox child with a per-file time limit and a memory limit, so a hostile
PDF (exponential drawing, huge page tree, deep nesting) costs at most that time. Locators are
``<file relative to the input root>`` and ``…#p<page>`` in per-page mode.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from roots.errors import UserError
from roots.sources.base import ExtractError, Item, Skipped, Source
from roots.sources.config import PdfSource
from roots.sources.files import expand_inputs
from roots.sources.pdf_text import BACKENDS
from roots.sources.sandbox import Outcome, Pending, get_sandbox, in_order
from roots.storage import as_path

SUFFIXES = (".pdf",)
PAGE_SEPARATOR = "\n\n"
_SANDBOX_REASONS = {"timeout": "timeout", "crashed": "extractor_crashed", "exception": "extraction_failed"}


class PdfReader(Source):
    kind = "pdf"
    config: PdfSource

    def units(self) -> list[dict[str, Any]]:
        if self.config.backend == "pypdf" and importlib.util.find_spec("pypdf") is None:
            raise UserError("pdf backend 'pypdf': pypdf is not installed; pip install 'roots[pdf-fast]'")
        files = expand_inputs(self.config.paths, key="pdf paths", suffixes=SUFFIXES)
        step = self.config.files_per_shard
        return [
            {"files": [[str(f.path), f.rel] for f in files[i : i + step]]} for i in range(0, len(files), step)
        ]

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        sandbox = get_sandbox(BACKENDS[self.config.backend], self.config.memory_limit_mb)
        entries = (self._entry(as_path(path), rel) for path, rel in unit["files"])
        yield from in_order(entries, sandbox, self.config.timeout_seconds)

    def _entry(self, path: Path, rel: str) -> Item | Pending:
        """An error for a file that cannot be a PDF, else a ``Pending`` extraction of its pages."""
        lang = self.config.lang
        try:
            size = path.stat().st_size
        except OSError as exc:
            return ExtractError(rel, "unreadable_file", str(exc), lang)
        if size == 0:
            return ExtractError(rel, "empty_file", "zero-byte file", lang)
        return Pending(
            {"path": str(path), "max_pages": self.config.max_pages},
            lambda outcome: self._finish(rel, outcome),
        )

    def _finish(self, rel: str, outcome: Outcome) -> Iterator[Item]:
        lang = self.config.lang
        if not outcome.ok:
            yield ExtractError(rel, _SANDBOX_REASONS[outcome.status], outcome.detail, lang)
            return
        result = outcome.value
        if "error" in result:
            yield ExtractError(rel, result["error"], result["detail"], lang)
            return
        pages: list[str] = result["pages"]
        if "stopped" in result:
            yield from self._stopped(rel, pages, result)
            return
        if not any(p.strip() for p in pages):
            detail = f"{len(pages)} page(s) without a text layer (scanned or image-only PDF)"
            yield ExtractError(rel, "no_text", detail, lang)
            return
        base = {
            "file": rel,
            "pages": len(pages),
            "title": result.get("title"),
            "backend": self.config.backend,
        }
        if self.config.per_page:
            yield from self._pages(rel, pages, base)
        else:
            yield self._joined(rel, pages, base)

    def _stopped(self, rel: str, pages: list[str], result: dict[str, Any]) -> Iterator[Item]:
        """A file over the CPU-time limit: per page, the pages done are kept and the rest is one error."""
        detail = f"over {self.config.timeout_seconds:g} s of CPU time after {len(pages)} page(s)"
        if not self.config.per_page:
            yield ExtractError(rel, "timeout", detail + "; --per-page keeps the pages done", self.config.lang)
            return
        base = {"file": rel, "pages": None, "title": result.get("title"), "backend": self.config.backend}
        yield from self._pages(rel, pages, base)
        yield ExtractError(
            f"{rel}#p{len(pages) + 1}", "timeout", detail + "; those are kept", self.config.lang
        )

    def _pages(self, rel: str, pages: list[str], base: dict[str, Any]) -> Iterator[Item]:
        for number, text in enumerate(pages, 1):
            if not text.strip():
                yield Skipped("empty_page")
                continue
            yield self.document(f"{rel}#p{number}", text, meta={**base, "page": number})

    def _joined(self, rel: str, pages: list[str], base: dict[str, Any]) -> Item:
        parts: list[str] = []
        spans: list[list[int]] = []
        offset = 0
        for number, text in enumerate(pages, 1):
            if not text.strip():
                continue
            if parts:
                offset += len(PAGE_SEPARATOR)
            spans.append([number, offset, offset + len(text)])
            parts.append(text)
            offset += len(text)
        return self.document(rel, PAGE_SEPARATOR.join(parts), meta={**base, "page_spans": spans})
