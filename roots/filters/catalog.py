"""Every filter roots knows: the built-in ones, then those installed packages register as plugins.

A package registers a filter class in the entry-point group ``roots.filters``; the entry point's name
is the filter's name (its key under ``filters:`` in a language YAML)::

    [project.entry-points."roots.filters"]
    shouting = "roots_shouting:Shouting"

Filter order (which filter becomes a document's ``drop_reason`` when several fail): the ROOTS filters
in ROOTS order, the other built-in filters (``builtin.MODULES``), then the plugins by name. The filter stage, ``roots thresholds derive``, the dashboard
and the statistic columns all iterate ``FILTERS``; none of them names a filter.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from roots.errors import UserError
from roots.filters.builtin import MODULES
from roots.filters.filter import Filter

GROUP = "roots.filters"


def _builtin() -> list[type[Filter]]:
    found = []
    for module_name in MODULES:
        module = import_module(f"roots.filters.builtin.{module_name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Filter) and obj.__module__ == module.__name__
        ]
        assert len(classes) == 1, f"{module.__name__} must define exactly one filter class"
        found.append(classes[0])
    return found


def _plugin(entry: EntryPoint, taken: set[str]) -> type[Filter]:
    where = f"filter plugin {entry.name!r} ({entry.value}"
    where += f", package {entry.dist.name})" if entry.dist else ")"
    try:
        obj = entry.load()
    except Exception as exc:  # a broken plugin must be named, not end in a traceback
        raise UserError(f"{where} cannot be imported: {type(exc).__name__}: {exc}") from None
    if not (isinstance(obj, type) and issubclass(obj, Filter)):
        raise UserError(f"{where} is not a subclass of roots.filters.filter.Filter")
    try:
        obj.check()
    except TypeError as exc:
        raise UserError(f"{where}: {exc}") from None
    if obj.name != entry.name:
        raise UserError(f"{where}: the class is named {obj.name!r}; the entry point must have the same name")
    if obj.name in taken:
        raise UserError(f"{where}: a filter named {obj.name!r} is already installed; rename one of them")
    return obj


def _load() -> tuple[type[Filter], ...]:
    filters = _builtin()
    for f in filters:
        f.check()
    taken = {f.name for f in filters}
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        plugin = _plugin(entry, taken)
        taken.add(plugin.name)
        filters.append(plugin)
    return tuple(filters)


FILTERS: tuple[type[Filter], ...] = _load()
FILTER_ORDER: tuple[str, ...] = tuple(f.name for f in FILTERS)
BY_NAME: dict[str, type[Filter]] = {f.name: f for f in FILTERS}
ROOTS_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if f.in_every_config)


def installed() -> str:
    """The installed filter names, for error messages."""
    return ", ".join(FILTER_ORDER)


def get(name: str) -> type[Filter]:
    if name not in BY_NAME:
        raise UserError(f"unknown filter {name!r}; installed filters: {installed()}")
    return BY_NAME[name]
