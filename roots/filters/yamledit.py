"""Edit a language YAML in place, keeping its comments, key order and every key not changed.

``roots lm train --update-config`` and ``roots thresholds derive --write`` both go through here; the
edited document is validated as a ``LanguageConfig`` before the file is (atomically) replaced.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from roots.atomic import write_text
from roots.configbase import format_validation_error
from roots.errors import UserError
from roots.filters.language_config import LanguageConfig


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def load_document(path: Path) -> Any:
    """The YAML document of a language config, with comments (a ruamel ``CommentedMap``)."""
    if not path.is_file():
        raise UserError(
            f"{path}: language config not found; create it first (copy configs/languages/default.yaml)"
        )
    data = _yaml().load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise UserError(f"{path}: expected a mapping (lang, language_id, filters, …)")
    return data


def set_key(data: Any, keys: Sequence[str], value: Any, comment: str | None = None) -> None:
    """Set ``data[k1][k2]…`` (creating missing mappings), optionally with an end-of-line comment."""
    from ruamel.yaml.comments import CommentedMap

    node = data
    for key in keys[:-1]:
        if not isinstance(node.get(key), Mapping):
            node[key] = CommentedMap()
        node = node[key]
    node[keys[-1]] = value
    if comment:
        node.yaml_add_eol_comment(comment, keys[-1])


def save_document(path: Path, data: Any) -> LanguageConfig:
    """Validate the edited document as a language config, then replace the file atomically."""
    try:
        config = LanguageConfig.model_validate(_plain(data))
    except ValidationError as exc:
        raise UserError(format_validation_error(path, exc, LanguageConfig)) from None
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    write_text(path, buffer.getvalue())
    return config


def _plain(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data
