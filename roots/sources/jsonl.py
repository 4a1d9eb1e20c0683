"""Plain jsonl input: one ``{"text": …}`` object per line; malformed lines become error records."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from roots.schema import make_document
from roots.sources.base import ExtractError, Item, Source
from roots.sources.config import JsonlSource
from roots.sources.files import expand_paths
from roots.sources.textio import open_binary

SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson")


class JsonlReader(Source):
    kind = "jsonl"
    config: JsonlSource

    def units(self) -> list[dict[str, Any]]:
        units = []
        for path in expand_paths(self.config.paths, key="jsonl paths", suffixes=SUFFIXES):
            lines = _count_lines(path)
            step = self.config.lines_per_shard
            for start in range(0, max(lines, 1), step):
                units.append({"file": str(path), "start": start, "stop": min(start + step, lines)})
        return units

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        path = Path(unit["file"])
        start, stop = unit["start"], unit["stop"]
        try:
            with open_binary(path) as handle:
                for number, raw in enumerate(handle):
                    if number < start:
                        continue
                    if number >= stop:
                        break
                    yield self._parse(path, number + 1, raw)
        except (OSError, EOFError, zlib.error) as exc:
            yield ExtractError(f"{path}", "unreadable_file", f"{type(exc).__name__}: {exc}", self.config.lang)

    def _parse(self, path: Path, line_no: int, raw: bytes) -> Item:
        locator = f"{path.name}#L{line_no}"
        lang = self.config.lang
        if not raw.strip():
            return ExtractError(f"{path}#L{line_no}", "empty_line", "", lang)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return ExtractError(f"{path}#L{line_no}", "invalid_utf8", str(exc), lang)
        except json.JSONDecodeError as exc:
            return ExtractError(
                f"{path}#L{line_no}", "malformed_json", exc.msg + f" at column {exc.colno}", lang
            )
        if not isinstance(obj, dict):
            return ExtractError(f"{path}#L{line_no}", "not_an_object", type(obj).__name__, lang)
        text = obj.get(self.config.text_key)
        if not isinstance(text, str):
            return ExtractError(
                f"{path}#L{line_no}", "missing_text", f"no string field {self.config.text_key!r}", lang
            )
        if not text.strip():
            return ExtractError(f"{path}#L{line_no}", "empty_text", "", lang)
        url = obj.get(self.config.url_key) if self.config.url_key else None
        locator_id = obj.get(self.config.id_key) if self.config.id_key else None
        meta = {k: v for k, v in obj.items() if k not in {self.config.text_key}}
        meta.update({"file": str(path), "line": line_no})
        return make_document(
            source="jsonl",
            locator=f"{path.name}#{locator_id}" if locator_id is not None else locator,
            text=text,
            url=url if isinstance(url, str) else None,
            lang=lang,
            meta=meta,
        )


def _count_lines(path: Path) -> int:
    try:
        with open_binary(path) as handle:
            return sum(1 for _ in handle)
    except (OSError, EOFError, zlib.error):
        return 1  # one unit that will report the file as unreadable
