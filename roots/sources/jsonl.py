"""Plain jsonl input: one ``{"text": …}`` object per line; malformed lines become error records.

Locators are ``<file relative to the input root>#L<line>`` (``#id=<value>`` with an id key). A file
that breaks off (a truncated ``.gz``) keeps every line before the break and adds one error record.
Lines are read with the ``max_document_bytes`` limit (a longer line is skipped unread: ``too_large``).
With an id key, the planning pass (which reads every file once to count its lines) also finds repeated
ids: every occurrence after the first is an error ``duplicate_id``, so document ids stay unique.
"""

from __future__ import annotations

import json
import zlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import xxhash

from roots.errors import UserError
from roots.limits import oversize_bytes
from roots.sources.base import ExtractError, Item, Source
from roots.sources.config import JsonlSource
from roots.sources.files import expand_inputs
from roots.sources.textio import LongLine, bounded_lines, open_binary
from roots.storage import as_path

SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson")
_READ_ERRORS = (OSError, EOFError, zlib.error)


class JsonlReader(Source):
    kind = "jsonl"
    config: JsonlSource

    def units(self) -> list[dict[str, Any]]:
        units = []
        for item in expand_inputs(self.config.paths, key="jsonl paths", suffixes=SUFFIXES):
            _check_text_key(item.path, self.config.text_key, self.max_bytes)
            bounds, repeats = self._scan(item.path)
            for start, stop in zip(bounds, bounds[1:], strict=False):
                units.append(
                    {
                        "file": str(item.path),
                        "rel": item.rel,
                        "start": start,
                        "stop": stop,
                        "repeats": {str(k): v for k, v in repeats.items() if start < k <= stop},
                    }
                )
        return units

    def _scan(self, path: Path) -> tuple[list[int], dict[int, int]]:
        """Unit boundaries (line counts: a unit ends after ``lines_per_shard`` lines or ``bytes_per_shard``
        bytes, so the documents one worker holds are bounded), up to the end of the file or the first read
        error; and with an id key, the lines whose id an earlier line already has (line -> first line)."""
        lines = size = 0
        bounds = [0]
        key = self.config.id_key
        hashes = array("Q")
        try:
            with open_binary(path) as handle:
                for raw in bounded_lines(handle, self.max_bytes):
                    lines += 1
                    size += raw.size if isinstance(raw, LongLine) else len(raw)
                    if (
                        lines - bounds[-1] >= self.config.lines_per_shard
                        or size >= self.config.bytes_per_shard
                    ):
                        bounds.append(lines)
                        size = 0
                    if key is not None:
                        hashes.append(_id_hash(raw, key))
        except _READ_ERRORS:
            pass
        if bounds[-1] != lines or lines == 0:
            bounds.append(lines)
        return bounds, _repeats(np.frombuffer(hashes, dtype=np.uint64)) if key is not None else {}

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        path, rel = as_path(unit["file"]), unit["rel"]
        start, stop = unit["start"], unit["stop"]
        done = 0  # lines read so far: the unit that meets a read error reports it at line done + 1
        try:
            with open_binary(path) as handle:
                for raw in bounded_lines(handle, self.max_bytes):
                    if done >= stop:
                        break
                    done += 1
                    if done > start:
                        first = unit.get("repeats", {}).get(str(done))
                        if first is not None:
                            yield self._repeat(rel, done, first, raw)
                        else:
                            yield self._parse(rel, done, raw)
        except _READ_ERRORS as exc:
            detail = f"{type(exc).__name__}: {exc}"
            yield ExtractError(f"{rel}#L{done + 1}", "unreadable_file", detail, self.config.lang)

    def _repeat(self, rel: str, line_no: int, first: int, raw: bytes | LongLine) -> Item:
        """A later line with an id an earlier line has: an error, so that ids stay unique."""
        parsed = self._parse(rel, line_no, raw)
        if isinstance(parsed, ExtractError):  # a line that is no document anyway keeps its own reason
            return parsed
        detail = f"{self.config.id_key!r} repeats the id of line {first}; only the first is kept"
        return ExtractError(f"{rel}#L{line_no}", "duplicate_id", detail, self.config.lang)

    def _parse(self, rel: str, line_no: int, raw: bytes | LongLine) -> Item:
        locator = f"{rel}#L{line_no}"
        lang = self.config.lang
        if isinstance(raw, LongLine):
            detail = oversize_bytes(raw.size, self.max_bytes, "line") or ""
            return ExtractError(locator, "too_large", detail, lang)
        if not raw.strip():
            return ExtractError(locator, "empty_line", "", lang)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return ExtractError(locator, "invalid_utf8", str(exc), lang)
        except json.JSONDecodeError as exc:
            return ExtractError(
                locator, "malformed_json", f"{exc.msg.removesuffix(' at')} at column {exc.colno}", lang
            )
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
        return self.document(
            f"{rel}#id={key}" if key is not None else locator,
            text,
            url=url if isinstance(url, str) else None,
            meta=meta,
        )


def _id_hash(raw: bytes | LongLine, key: str) -> int:
    """A 64-bit hash of a line's id value (0: the line has none, or is no JSON object)."""
    if isinstance(raw, LongLine):
        return 0
    try:
        obj = json.loads(raw)
    except ValueError:
        return 0
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return 0
    return xxhash.xxh3_64_intdigest(str(value).encode("utf-8", "surrogatepass")) or 1


def _repeats(hashes: np.ndarray) -> dict[int, int]:
    """1-based line numbers whose (non-zero) hash occurs on an earlier line, mapped to that first line."""
    if len(hashes) < 2:
        return {}
    order = np.argsort(hashes, kind="stable")  # equal hashes stay in line order
    ordered = hashes[order]
    same = np.concatenate([[False], (ordered[1:] == ordered[:-1]) & (ordered[1:] != 0)])
    group_start = np.maximum.accumulate(np.where(same, 0, np.arange(len(ordered))))
    return {int(order[j]) + 1: int(order[group_start[j]]) + 1 for j in np.nonzero(same)[0]}


#: objects read to look for the text key before a file is declared to have none
KEY_CHECK_OBJECTS = 10_000


def _check_text_key(path: Path, text_key: str, max_bytes: int) -> None:
    """A file none of whose (first ``KEY_CHECK_OBJECTS``) objects has ``text_key`` is a user error naming the
    keys it has; a file where only some lines lack it gets per-line ``missing_text`` errors instead."""
    keys: dict[str, None] = {}
    objects = 0
    try:
        with open_binary(path) as handle:
            for raw in bounded_lines(handle, max_bytes):
                try:
                    obj = json.loads(raw) if not isinstance(raw, LongLine) else None
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                if text_key in obj:
                    return
                keys.update(dict.fromkeys(obj))
                objects += 1
                if objects >= KEY_CHECK_OBJECTS:
                    break
    except _READ_ERRORS:
        pass
    if objects:
        first = "" if objects < KEY_CHECK_OBJECTS else f"the first {objects:,} "
        raise UserError(
            f"{path}: no {first}line has the text key {text_key!r}; its keys are {', '.join(keys)}; "
            "pass --text-key KEY (text_key in a pipeline YAML)"
        )
