"""Reading a run directory for the dashboard, defensively: any stage may be missing or half-written.

Everything here returns plain rows (lists of dicts) that the views turn into tables and charts, so
it is testable without Streamlit.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from roots.layout import STAGES, RunLayout

STEP_LABELS = {
    ("extract", "kept"): "1 extracted",
    ("filter", "in"): "2 given to the filters",
    ("filter", "kept"): "3 kept by the filters",
    ("dedup", "kept"): "4 kept by dedup",
    ("export", "kept"): "5 exported",
}


def stage_stats(run: RunLayout) -> dict[str, dict[str, Any]]:
    """``stats.json`` of every finished stage (unreadable files are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        try:
            data = run.stage(stage).read_stats()
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("languages"), dict):
            out[stage] = data
    return out


STAGE_COMMANDS = {
    "extract": "roots extract … --out {run}",
    "filter": "roots filter {run}",
    "dedup": "roots dedup {run}",
    "export": "roots export megatron {run} …",
}


def stage_command(stage: str, run: RunLayout) -> str:
    """The command that (re-)runs ``stage`` on this run."""
    return STAGE_COMMANDS[stage].format(run=run.root)


def stale_stages(run: RunLayout) -> dict[str, str]:
    """Stages whose output is on disk but out of date, each with why: an earlier stage ran again (a stage
    with new work deletes every later ``stats.json``) or the stage itself was stopped before it finished."""
    finished = stage_stats(run)
    out: dict[str, str] = {}
    for i, stage in enumerate(STAGES):
        sdir = run.stage(stage)
        if stage in finished or not sdir.path.is_dir():
            continue
        earlier = [s for s in STAGES[:i] if s in finished]
        if earlier:
            out[stage] = (
                f"The {stage} output is out of date: `{earlier[-1]}` ran again after it (or {stage} was stopped "
                f"before it finished). Run `{stage_command(stage, run)}` to bring it up to date."
            )
        else:
            out[stage] = f"The {stage} stage has not finished. Run `{stage_command(stage, run)}` again."
    return out


def _count(entry: Any, key: str, unit: str) -> int:
    try:
        return int(entry[key][unit])
    except (KeyError, TypeError, ValueError):
        return 0


def funnel_rows(stats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per language, documents and characters after each step that ran (``STEP_LABELS`` order)."""
    rows = []
    for (stage, key), label in STEP_LABELS.items():
        for lang, entry in sorted(stats.get(stage, {}).get("languages", {}).items()):
            rows.append(
                {
                    "language": lang,
                    "step": label,
                    "documents": _count(entry, key, "docs"),
                    "characters": _count(entry, key, "chars"),
                }
            )
    return rows


def removal_rows(stats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (stage, language, reason) that removed documents or made errors, with its share of the input."""
    rows = []
    for stage, data in stats.items():
        for lang, entry in sorted(data.get("languages", {}).items()):
            docs_in = max(_count(entry, "in", "docs"), 1)
            for what, key in (("removed", "removed"), ("error", "errors")):
                for reason, counts in sorted((entry.get(key) or {}).items()):
                    docs = int(counts.get("docs", 0))
                    rows.append(
                        {
                            "stage": stage,
                            "language": lang,
                            "outcome": what,
                            "reason": reason,
                            "documents": docs,
                            "characters": int(counts.get("chars", 0)),
                            "share of stage input": docs / docs_in,
                        }
                    )
    return rows


def read_errors(run: RunLayout, stage: str, limit: int = 200_000) -> list[dict[str, Any]]:
    """A stage's error records (``errors.jsonl``); lines that are not JSON objects are skipped."""
    path = run.stage(stage).errors
    if not path.is_file():
        return []
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if len(records) >= limit:
                break
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                records.append(record)
    return records


def error_rows(run: RunLayout, stages: list[str]) -> list[dict[str, Any]]:
    """Error counts per stage, source and reason, with one example locator and detail each."""
    rows = []
    for stage in stages:
        records = read_errors(run, stage)
        counts = Counter((str(r.get("source", "?")), str(r.get("reason", "?"))) for r in records)
        first: dict[tuple[str, str], dict[str, Any]] = {}
        for r in records:
            first.setdefault((str(r.get("source", "?")), str(r.get("reason", "?"))), r)
        for (source, reason), n in sorted(counts.items()):
            example = first[(source, reason)]
            rows.append(
                {
                    "stage": stage,
                    "source": source,
                    "reason": reason,
                    "errors": n,
                    "example": str(example.get("locator", "")),
                    "detail": str(example.get("detail", ""))[:300],
                }
            )
    return rows


def run_languages_dir(run: RunLayout, override: Path | None = None) -> Path:
    """Where the language YAMLs are: ``override``, else the folder the last filter run used (its
    ``stats.json``), else the run's ``filter.languages_dir``, else the configs shipped with roots."""
    if override is not None:
        return Path(override)
    used = stage_stats(run).get("filter", {}).get("extra", {}).get("languages_dir")
    if isinstance(used, str) and Path(used).is_dir():
        return Path(used)
    try:
        config = yaml.safe_load(run.config.read_text(encoding="utf-8")) if run.config.is_file() else None
    except (OSError, yaml.YAMLError):
        config = None
    section = config.get("filter") if isinstance(config, dict) else None
    if isinstance(section, dict) and isinstance(section.get("languages_dir"), str):
        return Path(section["languages_dir"])
    from roots.packaged import languages_dir

    return languages_dir()


def dedup_report(stats: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``dedup/stats.json["extra"]["report"]`` per language (empty if dedup did not run or wrote none)."""
    report = stats.get("dedup", {}).get("extra", {}).get("report", {})
    return {k: v for k, v in report.items() if isinstance(v, dict)} if isinstance(report, dict) else {}


def histogram_rows(histogram: Any) -> list[dict[str, int]]:
    """A ``cluster_size_histogram`` ({"2": n, …}) as rows sorted by cluster size."""
    rows = []
    for size, n in (histogram or {}).items():
        try:
            rows.append({"cluster size": int(size), "clusters": int(n)})
        except (TypeError, ValueError):
            continue
    return sorted(rows, key=lambda r: r["cluster size"])


CLUSTER_SIZE_GROUPS = ((2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 1000))


def cluster_size_rows(histogram: Any) -> list[dict[str, Any]]:
    """Clusters per size as chart rows: each size when there are few, else sizes grouped into readable
    ranges (``6–10``, ``101–1,000``, ``1,001 or more``) so the axis labels do not overlap."""
    rows = histogram_rows(histogram)
    if len(rows) <= 12:
        return [{"cluster size": f"{r['cluster size']:,}", "clusters": r["clusters"]} for r in rows]
    groups = [*CLUSTER_SIZE_GROUPS, (1001, None)]
    out = []
    for low, high in groups:
        n = sum(
            r["clusters"]
            for r in rows
            if r["cluster size"] >= low and (high is None or r["cluster size"] <= high)
        )
        if n:
            label = (
                f"{low:,}" if low == high else (f"{low:,} or more" if high is None else f"{low:,}–{high:,}")
            )
            out.append({"cluster size": label, "clusters": n})
    return out
