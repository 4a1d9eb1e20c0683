"""The per-language summary table printed at the end of a run (documents and characters per stage)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from roots.layout import STAGES, RunLayout


def _fmt(n: int) -> str:
    return f"{n:,}"


def _chars(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)


#: short headers on two lines, so the table stays readable on an 80-column terminal
COLUMNS: tuple[str, ...] = (
    "lang",
    "stage",
    "docs\nin",
    "docs\nkept",
    "docs\nremoved",
    "docs\nerrors",
    "chars\nin",
    "chars\nkept",
    "top removal\nreason",
)
LEFT = {"lang", "stage", "top removal\nreason"}


def summary_table(run: RunLayout) -> Table | None:
    """One row per (language, stage): documents in/kept/removed/errors and characters in/kept."""
    read = {s: run.stage(s).read_stats() for s in STAGES}
    stage_stats = {s: v for s, v in read.items() if v}
    if not stage_stats:
        return None
    table = Table(
        title=f"roots run summary: {run.root}",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
        show_lines=False,
    )
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in LEFT else "right", no_wrap=True)
    languages = sorted({lang for st in stage_stats.values() for lang in st["languages"]})
    for lang in [*languages, None]:
        first = True
        for stage, st in stage_stats.items():
            row = st["totals"] if lang is None else st["languages"].get(lang)
            if row is None:
                continue
            removed = row["removed"]
            top = max(removed.items(), key=lambda kv: kv[1]["docs"])[0] if removed else ""
            table.add_row(
                ("[bold]all[/bold]" if lang is None else lang) if first else "",
                stage,
                _fmt(row["in"]["docs"]),
                _fmt(row["kept"]["docs"]),
                _fmt(row["removed_total"]["docs"]),
                _fmt(row["errors_total"]["docs"]),
                _chars(row["in"]["chars"]),
                _chars(row["kept"]["chars"]),
                top,
            )
            first = False
        table.add_section()
    return table


def default_console() -> Console:
    """A console wide enough for the table even when stdout is not a terminal (CI logs, pipes)."""
    import sys

    return Console() if sys.stdout.isatty() else Console(width=150)


def print_summary(run: RunLayout, console: Console | None = None) -> None:
    """The table on stdout (not with ``roots -q``)."""
    from roots.progress import is_quiet

    if is_quiet():
        return
    table = summary_table(run)
    if table is not None:
        (console or default_console()).print(table)
