"""Source code input: the 13 programming languages of ROOTS, from a folder tree, jsonl or a HF dataset.

The language comes from the file extension (ROOTS's table, ``EXTENSIONS``; a config's ``extensions`` adds
more) and becomes the document's ``lang``: ``code-<language>`` (``code-python``), so each programming
language has its own config in ``configs/languages``. Every file is accounted for: files over
``max_file_bytes`` (ROOTS: 1 MiB), binary files (a NUL byte in the first 8000 bytes, as git decides) and
vendored or generated paths (``skip_globs``) are error records with their reason; in a folder tree, files of
no known language are counted as skipped (``not_code``). Bytes are decoded with the web pages' charset
logic (BOM, UTF-8, mostly-UTF-8, detector). ``meta`` keeps repo, path, license, size (bytes), lines.

- folder: every file under ``paths``; its repository is ``repo`` or the top folder of its path.
- jsonl/hf: one file per line/row with ``content``, ``path``, ``repo`` and ``license`` fields (The Stack's
  and BigQuery's layout; the key names are configurable); other fields are kept in ``meta``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

from roots.errors import UserError
from roots.sources.base import ExtractError, Item, Skipped, Source
from roots.sources.charset import decode_payload
from roots.sources.config import CodeSource, HfSource, JsonlSource
from roots.sources.files import expand_inputs
from roots.sources.hf import HfReader
from roots.sources.jsonl import JsonlReader
from roots.storage import as_path

#: ROOTS's extension table (sourcing/code_dataset query.sql, AlphaCode's selection): extension -> language
EXTENSIONS: dict[str, str] = {
    ".cs": "csharp",
    **dict.fromkeys((".cpp", ".hpp", ".c++", ".h++", ".cc", ".hh", ".C", ".H"), "cpp"),
    **dict.fromkeys((".c", ".h"), "c"),
    ".go": "go",
    ".java": "java",
    ".js": "javascript",
    ".lua": "lua",
    **dict.fromkeys((".php", ".php3", ".php4", ".php5", ".phps", ".phpt"), "php"),
    ".py": "python",
    ".rb": "ruby",
    ".rs": "rust",
    ".scala": "scala",
    **dict.fromkeys((".ts", ".tsx"), "typescript"),
}
BINARY_SNIFF_BYTES = 8000


def line_count(text: str) -> int:
    """Lines of a file; a last line without a newline counts."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


class CodeReader(Source):
    kind = "code"
    config: CodeSource

    def __init__(self, config: CodeSource) -> None:
        super().__init__(config)
        self.extensions = {**EXTENSIONS, **config.extensions}

    def language(self, path: str) -> str | None:
        """The language of a file path: the exact extension first (``.C`` is C++), then lower-cased."""
        suffix = PurePosixPath(path).suffix
        found = self.extensions.get(suffix) or self.extensions.get(suffix.lower())
        if found is None or (self.config.languages is not None and found not in self.config.languages):
            return None
        return found

    def skipped_by_glob(self, path: str) -> str | None:
        name = "/" + path.lstrip("/")
        return next((g for g in self.config.skip_globs if fnmatchcase(name, g)), None)

    def _inner(self) -> JsonlReader | HfReader:
        cfg = self.config
        common = {"name": cfg.name, "max_document_bytes": cfg.max_document_bytes}
        if cfg.input == "jsonl":
            jsonl = JsonlSource.model_validate(
                {
                    "type": "jsonl",
                    "paths": cfg.paths,
                    "text_key": cfg.content_key,
                    "url_key": None,
                    "lines_per_shard": cfg.lines_per_shard,
                    **common,
                }
            )
            return _JsonlRows(jsonl, self)
        if len(cfg.paths) != 1:
            raise UserError("code source with input: hf: give exactly one dataset in paths")
        hf = HfSource.model_validate(
            {
                "type": "hf",
                "path": cfg.paths[0],
                "split": cfg.split,
                "text_column": cfg.content_key,
                "rows_per_shard": cfg.lines_per_shard,
                **common,
            }
        )
        return _HfRows(hf, self)

    def units(self) -> list[dict[str, Any]]:
        if self.config.input != "folder":
            return self._inner().units()
        files = expand_inputs(self.config.paths, key="code paths")
        step = self.config.files_per_shard
        return [
            {"files": [[str(f.path), f.rel] for f in files[i : i + step]]} for i in range(0, len(files), step)
        ]

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        if self.config.input != "folder":
            yield from self._inner().read(unit)
            return
        for path, rel in unit["files"]:
            yield self._file(path, rel)

    def _file(self, path: str, rel: str) -> Item:
        if self.language(rel) is None:
            return Skipped("not_code")
        cfg = self.config
        repo = cfg.repo or (rel.split("/", 1)[0] if "/" in rel else "")
        refused = self._refused(rel, rel)
        if refused:
            return refused
        file = as_path(path)
        try:
            size = file.stat().st_size
            if size > cfg.max_file_bytes:
                return ExtractError(
                    rel, "too_large", f"{size:,} bytes > max_file_bytes {cfg.max_file_bytes:,}"
                )
            data = file.read_bytes()
        except OSError as exc:
            return ExtractError(rel, "unreadable_file", f"{type(exc).__name__}: {exc}")
        if b"\0" in data[:BINARY_SNIFF_BYTES]:
            return ExtractError(rel, "binary", "a NUL byte in the first 8000 bytes")
        decoded = decode_payload(data, http_charset=None, warc_charset=None, html=False)
        extra: dict[str, Any] = {"charset": decoded.charset}
        if decoded.bad_bytes:
            extra["bad_bytes"] = decoded.bad_bytes
        return self.code_document(rel, decoded.text, rel, repo, cfg.license, extra, size=len(data))

    def _refused(self, locator: str, path: str) -> ExtractError | None:
        glob = self.skipped_by_glob(path)
        return ExtractError(locator, "vendored", f"path matches skip_globs {glob!r}") if glob else None

    def _license_refused(self, locator: str, license: Any) -> ExtractError | None:
        """An error ``license`` unless one of the file's licences is allowed and none is denied."""
        cfg = self.config
        ids = [license] if isinstance(license, str) else list(license or [])
        ids = [str(i).strip().lower() for i in ids if i]
        if not ids:
            return None if cfg.keep_unlicensed else ExtractError(locator, "license", "no licence known")
        denied = {d.lower() for d in cfg.licenses_deny}
        allowed = None if cfg.licenses_allow is None else {a.lower() for a in cfg.licenses_allow}
        if any(i in denied for i in ids) or (allowed is not None and not any(i in allowed for i in ids)):
            return ExtractError(locator, "license", f"licence {', '.join(ids)} not allowed")
        return None

    def code_document(
        self,
        locator: str,
        text: str,
        path: str,
        repo: Any,
        license: Any,
        extra: dict[str, Any],
        *,
        size: int | None = None,
    ) -> dict[str, Any] | ExtractError:
        """A code document with its language, or the reason it is none."""
        language = self.language(path)
        if language is None:
            return ExtractError(locator, "not_code", f"no known language for the path {path!r}")
        refused = self._refused(locator, path)
        if refused:
            return refused
        refused = self._license_refused(locator, license)
        if refused:
            return refused
        size = len(text.encode("utf-8", "surrogatepass")) if size is None else size
        if size > self.config.max_file_bytes:
            return ExtractError(
                locator, "too_large", f"{size:,} bytes > max_file_bytes {self.config.max_file_bytes:,}"
            )
        if "\0" in text[:BINARY_SNIFF_BYTES]:
            return ExtractError(locator, "binary", "a NUL character in the first 8000 characters")
        meta = {
            **extra,
            "repo": repo,
            "path": path,
            "license": license,
            "size": size,
            "lines": line_count(text),
        }
        return self.document(locator, text, meta=meta, lang=f"code-{language}")

    def row_document(self, locator: str, text: str, meta: dict[str, Any]) -> dict[str, Any] | ExtractError:
        """A jsonl line or dataset row (``meta`` holds its other fields) as a code document."""
        cfg = self.config
        path = meta.pop(cfg.path_key, None)
        if not isinstance(path, str) or not path:
            return ExtractError(locator, "missing_path", f"no string field {cfg.path_key!r}")
        repo, license = meta.pop(cfg.repo_key, None), meta.pop(cfg.license_key, None)
        return self.code_document(locator, text, path, repo, license, meta)


class _JsonlRows(JsonlReader):
    """jsonl lines read by ``JsonlReader`` (errors, limits, shards), each document made a code document."""

    def __init__(self, config: JsonlSource, outer: CodeReader) -> None:
        super().__init__(config)
        self.outer = outer

    def document(self, locator: str, text: str, *, meta: dict[str, Any] | None = None, **_: Any) -> Any:
        return self.outer.row_document(locator, text, dict(meta or {}))


class _HfRows(HfReader):
    """Dataset rows read by ``HfReader``, each document made a code document."""

    def __init__(self, config: HfSource, outer: CodeReader) -> None:
        super().__init__(config)
        self.outer = outer

    def document(self, locator: str, text: str, *, meta: dict[str, Any] | None = None, **_: Any) -> Any:
        return self.outer.row_document(locator, text, dict(meta or {}))
