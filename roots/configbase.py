"""Shared pieces for configuration models: strict base model and one-line error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _loc_to_key(loc: tuple[Any, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in {"function-after", "function-before", "function-wrap"} or str(part).startswith(
            "function-"
        ):
            continue
        else:
            key += ("." if key else "") + str(part)
    return key or "(top level)"


def _drop_union_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the discriminator value ('warc') into the location of union members: hide it
    out: list[Any] = []
    for i, part in enumerate(loc):
        prev = loc[i - 1] if i else None
        if isinstance(prev, int) and isinstance(part, str) and part in _UNION_TAGS:
            continue
        out.append(part)
    return tuple(out)


_UNION_TAGS: dict[str, type[BaseModel]] = {}


def register_union_members(*models: type[BaseModel]) -> None:
    """Members of a discriminated union (by their ``type`` literal), which pydantic names in error locations."""
    from typing import get_args

    for model in models:
        for tag in get_args(model.model_fields["type"].annotation):
            _UNION_TAGS[tag] = model


def format_validation_error(
    source: Path | str, exc: ValidationError, model: type[BaseModel] | None = None
) -> str:
    """The first validation problem as one line: file, key, what is wrong and what is expected."""
    errors = exc.errors(include_url=False)
    # a misspelt key also makes the right key "missing": report the unknown key first
    err = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    raw_loc = tuple(err["loc"])
    loc = _drop_union_tags(raw_loc)
    key = _loc_to_key(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, raw_loc[:-1]) if model else []
        hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        return f"{source}: unknown key '{key}'{hint}"
    if kind == "missing":
        return f"{source}: missing required key '{key}'"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"{source}: {key}: unknown {ctx.get('discriminator', 'type')} {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return f"{source}: {key} = {shown}: {err['msg']}"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Walk the model along ``loc`` to list the keys allowed where an unknown key was found."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if part in _UNION_TAGS:
            current = _UNION_TAGS[part]
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _model_of(fields[part].annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None) or {}
    return sorted(fields)


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
