"""Edit a language YAML (``configs/languages/<lang>.yaml``) in place, keeping its comments and formatting.

Every writer of a language YAML goes through here: ``roots lm train --update-config`` and ``roots
thresholds derive --write`` (``load_document``, ``set_key``, ``save_document``) and the dashboard's
tuning page (``language_file``, ``edit_text`` via ``roots.visualizer.yamlsave``, ``diff_text``, ``save``).
The file is edited with ruamel.yaml's round-trip mode: only the keys that change are written, every
comment, the key order and the list indentation stay as they were. The result is validated with the language-config schema before
it replaces the file atomically, so nothing here can write a config ``roots filter`` rejects.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from roots.atomic import sweep_stale_temporaries, write_text
from roots.errors import UserError
from roots.filters.catalog import FILTER_ORDER
from roots.filters.language_config import (
    DEFAULT_CONFIG,
    LanguageConfig,
    language_config_path,
    parse_config,
)
from roots.filters.languages import language_name

__all__ = [
    "LanguageFile",
    "diff_text",
    "edit_text",
    "language_file",
    "load_document",
    "parse_config",
    "save",
    "save_document",
    "set_key",
]


# --- round-trip reading and writing, shared by every editor ---------------------------------------


def _round_trip() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap long lines or comments
    rt.representer.add_representer(type(None), _represent_null)
    return rt


def _represent_null(representer: Any, _: None) -> Any:
    """Write ``null`` explicitly (ruamel's default writes nothing, which changes untouched lines)."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _sequence_indent(text: str) -> tuple[int, int]:
    """(sequence indent, dash offset) as the file already writes block lists, so untouched lines stay."""
    match = re.search(r"^( *)[^\s#-][^\n]*:\s*\n( *)- ", text, flags=re.MULTILINE)
    if not match:
        return 2, 0
    offset = len(match.group(2)) - len(match.group(1))
    return offset + 2, offset


def _dump(data: Any, original: str) -> str:
    """The edited document as text, indented like ``original`` (the text it was loaded from)."""
    rt = _round_trip()
    sequence, offset = _sequence_indent(original)
    rt.indent(mapping=2, sequence=sequence, offset=offset)
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _innermost_last(mapping: CommentedMap, key: Any) -> tuple[CommentedMap, Any]:
    """The entry that ends ``mapping[key]`` in the file (ruamel keeps the next comment lines there)."""
    value = mapping[key]
    if isinstance(value, CommentedMap) and value:
        return _innermost_last(value, list(value)[-1])
    return mapping, key


def _add(mapping: CommentedMap, index: int, key: str, value: Any) -> None:
    """Insert a new entry; comment lines that preceded the entry after it stay in front of that entry."""
    mapping.insert(index, key, value)
    if index == 0:
        return
    holder, last = _innermost_last(mapping, list(mapping)[index - 1])
    items = holder.ca.items.get(last)
    token = items[2] if items and len(items) > 2 else None
    if token is None:
        return
    eol, _, following = token.value.partition("\n")
    if not following.strip():
        return
    token.value = eol + "\n"
    target, target_key = _innermost_last(mapping, key)
    target.ca.items.setdefault(target_key, [None, None, None, None])[2] = CommentToken(
        "\n" + following, CommentMark(0), None
    )


def _position(filters: CommentedMap, name: str) -> int:
    """Where a new filter section goes so the file keeps filter order: after the last earlier filter."""
    earlier = set(FILTER_ORDER[: FILTER_ORDER.index(name)])
    keys = list(filters)
    return max((i + 1 for i, key in enumerate(keys) if key in earlier), default=0)


def _put(mapping: CommentedMap, key: str, value: Any, index: int | None = None) -> None:
    """Set ``mapping[key]``; a new key goes at ``index`` (default: last) without moving comment lines."""
    if key in mapping:
        mapping[key] = value
    else:
        _add(mapping, len(mapping) if index is None else index, key, value)


def _write_config(path: Path, text: str) -> LanguageConfig:
    """Validate a language YAML's new text and replace the file with it atomically."""
    config = parse_config(text, path)
    try:
        sweep_stale_temporaries(path.parent)  # left by a save that was killed
        write_text(path, text)
    except OSError as exc:
        raise UserError(
            f"{path}: cannot write the language config ({exc.strerror}); check permissions"
        ) from None
    return config


# --- key-by-key edits: `roots lm train --update-config`, `roots thresholds derive --write` -------------


def load_document(path: Path) -> Any:
    """The YAML document of a language config, with comments (a ruamel ``CommentedMap``)."""
    if not path.is_file():
        raise UserError(
            f"{path}: language config not found; create it first (copy configs/languages/default.yaml)"
        )
    try:
        data = _round_trip().load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise UserError(f"{path}: expected a mapping (lang, language_id, filters, …)")
    return data


def set_key(data: Any, keys: Sequence[str], value: Any, comment: str | None = None) -> None:
    """Set ``data[k1][k2]…`` (creating missing mappings), optionally with an end-of-line comment.

    A new key goes last in its mapping, a new filter section where ROOTS order puts it; comment lines
    that stood between two entries stay between them.
    """
    node, rest = data, list(keys)
    while len(rest) > 1 and isinstance(node.get(rest[0]), Mapping):
        node = node[rest.pop(0)]
    new = value
    for key in reversed(rest[1:]):  # missing mappings are built first, then added in one piece
        new = CommentedMap({key: new})
    in_filters = tuple(keys[: len(keys) - len(rest)]) == ("filters",) and rest[0] in FILTER_ORDER
    _put(node, rest[0], new, index=_position(node, rest[0]) if in_filters else None)
    if comment:
        for key in rest[:-1]:
            node = node[key]
        _eol_comment(node, keys[-1], comment)


def _eol_comment(mapping: CommentedMap, key: str, comment: str) -> None:
    """Put ``# comment`` at the end of ``mapping[key]``'s line; comment lines below the entry stay."""
    items = mapping.ca.items.get(key)
    old = items[2] if items and len(items) > 2 else None
    mapping.yaml_add_eol_comment(comment, key)
    following = old.value.partition("\n")[2] if old is not None else ""
    if following.strip():
        token = mapping.ca.items[key][2]
        token.value = f"{token.value}\n{following}"


def save_document(path: Path, data: Any) -> LanguageConfig:
    """Validate the edited document as a language config, then replace the file atomically."""
    original = path.read_text(encoding="utf-8") if path.is_file() else ""
    return _write_config(path, _dump(data, original))


# --- the dashboard: tuned thresholds written back, shown as a diff first ----------------------------


@dataclass(frozen=True)
class LanguageFile:
    """A language's YAML as the dashboard edits it: target path, current text and where that text came from."""

    path: Path
    text: str  # the text saving starts from (the file, else a template)
    exists: bool
    origin: str  # plain-language note on where the thresholds come from

    @property
    def before(self) -> str:
        """The text the diff compares against (empty for a file that does not exist yet)."""
        return self.text if self.exists else ""


def language_file(languages_dir: Path, lang: str) -> LanguageFile:
    """The language's YAML, or a template from ``default.yaml`` (or a minimal one) when it has none."""
    path = language_config_path(languages_dir, lang)
    if path.is_file():
        return LanguageFile(path, path.read_text(encoding="utf-8"), True, str(path))
    default = language_config_path(languages_dir, DEFAULT_CONFIG)
    if default.is_file():
        text = _retarget(default.read_text(encoding="utf-8"), lang)
        return LanguageFile(path, text, False, f"{default} (no {path.name} yet: saving creates it)")
    text = f"lang: {lang}\nlanguage_id:\n  label: {lang}\n"
    return LanguageFile(path, text, False, f"built-in defaults (no {path.name} yet: saving creates it)")


def _retarget(text: str, lang: str) -> str:
    """``default.yaml`` turned into ``<lang>.yaml``: its code, name, identifier label and a header of its own."""
    rt = _round_trip()
    data = rt.load(text) or CommentedMap()
    data.ca.comment = None  # default.yaml's header describes default.yaml
    data.yaml_set_start_comment(
        f"{lang}: created by the roots dashboard from default.yaml (ROOTS default thresholds),\n"
        "then tuned by a native speaker; see provenance."
    )
    data["lang"] = lang
    if "name" in data:
        data["name"] = language_name(lang) or lang
    if "provenance" in data:
        data["provenance"] = "default.yaml thresholds, tuned in the roots dashboard"
    no_space = data.pop("no_space_languages", None) or []
    if lang in no_space:
        data["spaces_between_words"] = False
    language_id = data.get("language_id")
    if isinstance(language_id, dict):
        language_id["label"] = lang
        if isinstance(language_id, CommentedMap):
            language_id.ca.items.pop("label", None)  # its comment explained the stand-in label
    else:
        data["language_id"] = CommentedMap(label=lang)
    return _dump(data, text)


def edit_text(text: str, path: Path, edits: Mapping[tuple[str, ...], Any]) -> str:
    """``text`` (a language YAML) with each key path set to its value; comments and layout kept."""
    data = _round_trip().load(text)
    if not isinstance(data, CommentedMap):
        raise UserError(f"{path}: expected a mapping (lang, language_id, filters, …)")
    for keys, value in edits.items():
        set_key(data, keys, value)
    return _dump(data, text)


def diff_text(file: LanguageFile, new_text: str) -> str:
    """A unified diff of the file before and after saving (empty when nothing changes)."""
    lines = difflib.unified_diff(
        file.before.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=f"{file.path.name} (now)" if file.exists else "/dev/null",
        tofile=f"{file.path.name} (after saving)",
    )
    return "".join(lines)


def save(file: LanguageFile, new_text: str) -> LanguageConfig:
    """Validate ``new_text`` and replace the language YAML with it atomically."""
    return _write_config(file.path, new_text)
