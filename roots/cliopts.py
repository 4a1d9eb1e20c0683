"""Command-line options generated from the pydantic config models.

Every stage option has one definition: the model field (type, default, constraints, description). A command
declares which fields it offers; the option's type, range, choices and help text come from the field, and only
values the user gave are passed on, so the model's default applies otherwise (no second copy of defaults here).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import annotated_types
import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

#: options whose name is not the field name with dashes (older, shorter spellings come first)
OPTION_NAMES: dict[str, tuple[str, ...]] = {
    "timeout_seconds": ("--timeout",),
    "text_key": ("--text-key", "--text-column"),
    "text_column": ("--text-column", "--text-key"),
    "id_key": ("--id-key", "--id-column"),
    "id_column": ("--id-column", "--id-key"),
    "url_key": ("--url-key", "--url-column"),
    "url_column": ("--url-column", "--url-key"),
    "meta_columns": ("--meta-column",),
    "config": ("--config",),
}


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _number_type(base: type, metadata: Iterable[Any]) -> click.ParamType:
    bounds: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            bounds["min"] = item.ge
        elif isinstance(item, annotated_types.Gt):
            bounds.update(min=item.gt, min_open=True)
        elif isinstance(item, annotated_types.Le):
            bounds["max"] = item.le
        elif isinstance(item, annotated_types.Lt):
            bounds.update(max=item.lt, max_open=True)
    if base is int:
        return click.IntRange(**bounds) if bounds else click.INT
    return click.FloatRange(**bounds) if bounds else click.FLOAT


def _show_default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined or field.default is None:
        return ""
    value = field.default
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def field_option(name: str, field: FieldInfo, required: bool = False) -> click.Option | None:
    """The click option for one model field, or None for a field the command line cannot set (nested models)."""
    annotation = _unwrap_optional(field.annotation)
    origin = typing.get_origin(annotation)
    decls = OPTION_NAMES.get(name, ("--" + name.replace("_", "-"),))
    help_text = (field.description or "").strip()
    default = _show_default(field)
    kwargs: dict[str, Any] = {"default": None, "required": required}
    if annotation is bool:
        flag = decls[0]
        decls = (f"{flag}/--no-{flag[2:]}",)
    elif origin is list:
        kwargs["multiple"] = True
        kwargs["default"] = ()
        help_text += " (repeatable)"
    elif origin is Literal:
        kwargs["type"] = click.Choice([str(v) for v in typing.get_args(annotation)])
    elif annotation in (int, float):
        kwargs["type"] = _number_type(annotation, field.metadata)
    elif annotation is not str:
        return None
    if default and not required:
        help_text += f"  [default: {default}]"
    return click.Option([*decls, name], help=help_text, **kwargs)


def model_options(
    model: type[BaseModel],
    dest: str,
    *,
    only: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    required: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add options for ``model``'s fields to a command; the values the user gave reach it as ``dest`` (a dict)."""
    names = list(only) if only is not None else [n for n in model.model_fields if n not in set(exclude)]
    options = [(n, field_option(n, model.model_fields[n], n in set(required))) for n in names]
    options = [(n, o) for n, o in options if o is not None]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(n) for n, _ in options}
            section = {
                n: list(v) if isinstance(v, tuple) else v for n, v in given.items() if v not in (None, ())
            }
            return func(*args, **{dest: section}, **kwargs)

        params = getattr(wrapper, "__click_params__", [])
        params.extend(reversed([o for _, o in options]))  # click lists decorator params bottom-up
        wrapper.__click_params__ = params  # type: ignore[attr-defined]
        return wrapper

    return decorate


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The options a user gave (click passes None or () for the others)."""
    return {k: v for k, v in values.items() if v not in (None, ())}
