"""Plain jsonl input: one ``{"text": …}`` object per line; malformed lines become error records.

Locators are ``<file relative to the input root>#L<line>`` (``#id=<value>`` with an id key). A file
that breaks off (a truncated ``.gz``) keeps every line before the break and adds one error record.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from roots.schema import make_document
from roots.sources.base import ExtractError, Item, Source
from roots.sources.config import JsonlSource
from roots.sources.files import expand_inputs
from roots.sources.textio import open_binary

SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson")
_READ_ERRORS = (OSError, EOFError, zlib.error)


class JsonlReader(Source):
    kind = "jsonl"
    config: JsonlSource

    def units(self) -> list[dict[str, Any]]:
        units = []
        for item in expand_inputs(self.config.paths, key="jsonl paths", suffixes=SUFFIXES):
            lines = _count_lines(item.path)
            step = self.config.lines_per_shard
            for start in range(0, max(lines, 1), step):
                units.append(
                    {
                        "file": str(item.path),
                        "rel": item.rel,
                        "start": start,
                        "stop": min(start + step, lines),
                    }
                )
        return units

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        path, rel = Path(unit["file"]), unit["rel"]
        start, stop = unit["start"], unit["stop"]
        done = 0  # lines read so far: the unit that meets a read error reports it at line done + 1
        try:
            with open_binary(path) as handle:
                for raw in handle:
                    if done >= stop:
                        break
                    done += 1
                    if done > start:
                        yield self._parse(rel, done, raw)
        except _READ_ERRORS as exc:
            detail = f"{type(exc).__name__}: {exc}"
            yield ExtractError(f"{rel}#L{done + 1}", "unreadable_file", detail, self.config.lang)

    def _parse(self, rel: str, line_no: int, raw: bytes) -> Item:
        locator = f"{rel}#L{line_no}"
        lang = self.config.lang
        if not raw.strip():
            return ExtractError(locator, "empty_line", "", lang)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return ExtractError(locator, "invalid_utf8", str(exc), lang)
        except json.JSONDecodeError as exc:
            return ExtractError(locator, "malformed_json", exc.msg + f" at column {exc.colno}", lang)
        if not isinstance(obj, dict):
            return ExtractError(locator, "not_an_object", type(obj).__name__, lang)
        text = obj.get(self.config.text_key)
        if not isinstance(text, str):
            return ExtractError(locator, "missing_text", f"no string field {self.config.text_key!r}", lang)
        if not text.strip():
            return ExtractError(locator, "empty_text", "", lang)
        url = obj.get(self.config.url_key) if self.config.url_key else None
        key = obj.get(self.config.id_key) if self.config.id_key else None
        meta = {k: v for k, v in obj.items() if k != self.config.text_key}
        meta.update({"file": rel, "line": line_no})
        return make_document(
            source=self.label,
            locator=f"{rel}#id={key}" if key is not None else locator,
            text=text,
            url=url if isinstance(url, str) else None,
            lang=lang,
            meta=meta,
        )


def _count_lines(path: Path) -> int:
    """Lines readable before the end of the file or the first read error."""
    lines = 0
    try:
        with open_binary(path) as handle:
            for _ in handle:
                lines += 1
    except _READ_ERRORS:
        pass
    return lines
