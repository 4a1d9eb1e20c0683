"""Which class reads which source type."""

from __future__ import annotations

import importlib

from roots.errors import NotAvailableYet

SOURCE_MODULES = {
    "jsonl": ("roots.sources.jsonl", "JsonlReader"),
    "hf": ("roots.sources.hf", "HfReader"),
    "warc": ("roots.sources.warc", "WarcReader"),
    "pdf": ("roots.sources.pdf", "PdfReader"),
    "crawl": ("roots.crawl.source", "CrawlReader"),
    "code": ("roots.sources.code", "CodeReader"),
}


def source_class(kind: str) -> type:
    module_name, class_name = SOURCE_MODULES[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotAvailableYet(
                f"the '{kind}' source is not available yet in this version of roots"
            ) from None
        raise
    return getattr(module, class_name)
