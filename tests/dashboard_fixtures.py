"""A small run directory for the dashboard tests, written the way the stages document their outputs.

Statistics are chosen per document (not computed from text), and each document's ``drop_reason`` is
decided here by a plain loop over the ROOTS filter order, independently of the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from roots.atomic import write_json, write_jsonl, write_parquet, write_text
from roots.filters.stage import FILTER_SCHEMA  # the filter stage's output schema, as it writes it
from roots.layout import RunLayout
from roots.schema import make_document
from roots.stats import StageStats

SW_YAML = """\
# Swahili filter thresholds (test copy)
lang: sw
name: Swahili
derived: true  # derived from statistics
provenance: "test fixture"
language_id:
  identifier: fasttext
  label: sw
filters:
  number_words:
    min: 10   # fewer words than this: removed
    max: 100000
  character_repetition:
    n: 10
    max: 0.2
  word_repetition:
    max: 0.3
  special_characters:
    max: 0.4
  stopwords:
    min: 0.1
    list: null
  flagged_words:
    max: 0.1
  lang_id:
    min: 0.5
  # no KenLM model for Swahili yet
  perplexity:
    enabled: false
"""

YO_YAML = """\
lang: yo
language_id:
  label: yo
filters:
  number_words:
    min: 5
"""


# filter name, statistic, keep test — the ROOTS order, written out independently of roots.filters
RULES = (
    ("number_words", "number_words", lambda v, c: c["number_words"]["min"] <= v <= c["number_words"]["max"]),
    (
        "character_repetition",
        "character_repetition_ratio",
        lambda v, c: v <= c["character_repetition"]["max"],
    ),
    ("word_repetition", "word_repetition_ratio", lambda v, c: v <= c["word_repetition"]["max"]),
    ("special_characters", "special_characters_ratio", lambda v, c: v <= c["special_characters"]["max"]),
    ("stopwords", "stopwords_ratio", lambda v, c: v >= c["stopwords"]["min"]),
    ("flagged_words", "flagged_words_ratio", lambda v, c: v <= c["flagged_words"]["max"]),
    ("lang_id", "lang_id_score", lambda v, c: v >= c["lang_id"]["min"]),
    ("perplexity", "perplexity", lambda v, c: v <= c["perplexity"]["max"]),
)
SW_THRESHOLDS = {
    "number_words": {"min": 10, "max": 100000, "enabled": True},
    "character_repetition": {"max": 0.2, "enabled": True},
    "word_repetition": {"max": 0.3, "enabled": True},
    "special_characters": {"max": 0.4, "enabled": True},
    "stopwords": {"min": 0.1, "enabled": True},
    "flagged_words": {"max": 0.1, "enabled": True},
    "lang_id": {"min": 0.5, "enabled": True},
    "perplexity": {"max": 10000, "enabled": False},
}
WORDS = ["habari", "ya", "leo", "watu", "wengi", "walikuja", "sokoni", "kununua", "matunda", "na", "mboga"]


def drop_reason(row: dict[str, Any], thresholds: dict[str, dict[str, Any]]) -> str | None:
    """The first failing enabled filter in ROOTS order; a missing statistic passes."""
    for name, column, keeps in RULES:
        value = row.get(column)
        if thresholds[name]["enabled"] and value is not None and not keeps(value, thresholds):
            return name
    return None


def sw_documents(n: int = 60) -> list[dict[str, Any]]:
    """Swahili documents whose statistics walk across every cutoff."""
    rows = []
    for i in range(n):
        words = 3 + (i * 7) % 40  # 3..42 words
        text = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(words)) + f" hati {i}."
        doc = make_document(source="crawl" if i % 3 else "books", locator=f"sw#{i}", text=text, lang="sw")
        doc.update(
            number_words=words,
            character_repetition_ratio=round(0.05 + (i % 10) * 0.03, 4),  # 0.05..0.32
            word_repetition_ratio=round((i % 8) * 0.05, 4),  # 0..0.35
            special_characters_ratio=round(0.15 + (i % 6) * 0.06, 4),  # 0.15..0.45
            stopwords_ratio=round(0.05 + (i % 5) * 0.05, 4),  # 0.05..0.25
            flagged_words_ratio=0.0 if i % 11 else 0.2,
            lang_id_score=round(0.4 + (i % 7) * 0.1, 4),  # 0.4..1.0
            perplexity=None,
        )
        rows.append(doc)
    return rows


def yo_documents(n: int = 20) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        words = 2 + i
        text = " ".join(["ẹ kú àárọ̀"] * words)
        doc = make_document(source="books", locator=f"yo#{i}", text=text, lang="yo")
        doc.update(
            number_words=words * 3,
            character_repetition_ratio=0.1,
            word_repetition_ratio=0.1,
            special_characters_ratio=0.2,
            stopwords_ratio=None,
            flagged_words_ratio=None,
            lang_id_score=0.9,
            perplexity=None,
        )
        rows.append(doc)
    return rows


@dataclass(frozen=True)
class DashboardRun:
    run: Path
    languages_dir: Path
    sw: list[dict[str, Any]]
    yo: list[dict[str, Any]]

    def expected_kept(self, lang: str, thresholds: dict[str, dict[str, Any]]) -> int:
        docs = self.sw if lang == "sw" else self.yo
        return sum(drop_reason(d, thresholds) is None for d in docs)


def _split(rows: list[dict[str, Any]], parts: int) -> list[list[dict[str, Any]]]:
    return [rows[i::parts] for i in range(parts)]


def build_dashboard_run(root: Path, kept_url: str | None = None) -> DashboardRun:
    """Write RUN/ (extract, filter, dedup) and a languages folder under ``root``; ``kept_url`` is the URL
    of the document that dedup keeps in its one cluster."""
    languages_dir = root / "languages"
    write_text(languages_dir / "sw.yaml", SW_YAML)
    write_text(languages_dir / "yo.yaml", YO_YAML)
    run = RunLayout(root / "run")
    write_text(run.config, f"run_dir: {run.root}\nfilter:\n  languages_dir: {languages_dir}\n")
    sw, yo = sw_documents(), yo_documents()
    yo_thresholds = {**SW_THRESHOLDS, "number_words": {"min": 5, "max": 100000, "enabled": True}}
    yo_thresholds |= {
        "lang_id": {"min": 0.7, "enabled": True},
        "word_repetition": {"max": 0.3, "enabled": True},
    }
    for doc in sw:
        doc["drop_reason"] = drop_reason(doc, SW_THRESHOLDS)
    if kept_url is not None:
        next(d for d in sw if d["drop_reason"] is None)["url"] = kept_url
    for doc in yo:
        doc["drop_reason"] = drop_reason(doc, yo_thresholds)
    undetermined = [
        {**make_document(source="crawl", locator=f"und#{i}", text="?? ## !!"), "drop_reason": "lang_id"}
        for i in range(2)
    ]
    docs = sw + yo + undetermined

    extract, filt = StageStats(), StageStats()
    for doc in docs:
        chars = len(doc["text"])
        extract.add_in(doc["lang"], chars)
        extract.add_kept(doc["lang"], chars)
        filt.add_in(doc["lang"], chars)
        if doc["drop_reason"]:
            filt.add_removed(doc["lang"], doc["drop_reason"], chars)
        else:
            filt.add_kept(doc["lang"], chars)
    extract.add_in("sw", 0, docs=3)
    extract.add_error("sw", "malformed_json", docs=2)
    extract.add_error("sw", "empty_text", docs=1)
    errors = [
        {
            "stage": "extract",
            "source": "crawl",
            "locator": "a.jsonl#L3",
            "reason": "malformed_json",
            "detail": "x",
        },
        {
            "stage": "extract",
            "source": "crawl",
            "locator": "a.jsonl#L9",
            "reason": "malformed_json",
            "detail": "y",
        },
        {
            "stage": "extract",
            "source": "books",
            "locator": "b.jsonl#L1",
            "reason": "empty_text",
            "detail": "",
        },
    ]
    write_jsonl(run.stage("extract").errors, errors)
    write_json(run.stage("extract").stats, {"stage": "extract", **extract.to_dict()})
    write_json(run.stage("filter").stats, {"stage": "filter", **filt.to_dict()})

    sdir = run.stage("filter")
    for kind, keep in (("kept", True), ("removed", False)):
        rows = [d for d in docs if (d["drop_reason"] is None) == keep]
        for i, part in enumerate(_split(rows, 2)):
            write_parquet(sdir.part(i, kind), pa.Table.from_pylist(part, schema=FILTER_SCHEMA))
    _write_dedup(run, [d for d in sw if d["drop_reason"] is None])
    return DashboardRun(run.root, languages_dir, sw, yo)


def _write_dedup(run: RunLayout, kept: list[dict[str, Any]]) -> None:
    """Dedup output: the first three kept Swahili documents form one cluster, the rest are unique."""
    base = [f for f in FILTER_SCHEMA if f.name != "drop_reason"]
    kept_schema = pa.schema([*base, pa.field("cluster_id", pa.int64()), pa.field("cluster_size", pa.int64())])
    removed_schema = pa.schema(
        [
            *base,
            pa.field("drop_reason", pa.string()),
            pa.field("duplicate_of", pa.string()),
            pa.field("cluster_id", pa.int64()),
        ]
    )
    head, dupes, rest = kept[0], kept[1:3], kept[3:]
    sdir = run.stage("dedup")
    kept_rows = [
        {**d, "cluster_id": 0 if d is head else None, "cluster_size": 3 if d is head else 1}
        for d in [head, *rest]
    ]
    removed_rows = [
        {**d, "drop_reason": "near_duplicate", "duplicate_of": head["id"], "cluster_id": 0} for d in dupes
    ]
    write_parquet(sdir.part(0, "kept"), pa.Table.from_pylist(kept_rows, schema=kept_schema))
    write_parquet(sdir.part(0, "removed"), pa.Table.from_pylist(removed_rows, schema=removed_schema))
    pairs = [
        {"id_a": head["id"], "id_b": d["id"], "similarity": s, "lang": "sw"}
        for d, s in zip(dupes, (0.93, 0.81), strict=True)
    ]
    write_parquet(sdir.path / "pairs.parquet", pa.Table.from_pylist(pairs))
    stats = StageStats()
    for d in kept_rows:
        stats.add_in("sw", len(d["text"]))
        stats.add_kept("sw", len(d["text"]))
    for d in removed_rows:
        stats.add_in("sw", len(d["text"]))
        stats.add_removed("sw", "near_duplicate", len(d["text"]))
    members = [
        {"id": d["id"], "url": d["url"], "text_preview": d["text"][:80], "similarity_to_kept": s}
        for d, s in zip([head, *dupes], (1.0, 0.93, 0.81), strict=True)
    ]
    stats.extra = {
        "report": {
            "sw": {
                "docs_in": len(kept),
                "exact_duplicates": 0,
                "url_duplicates": 0,
                "near_duplicates": 2,
                "lines_removed": 0,
                "cluster_size_histogram": {"3": 1},
                "largest_clusters": [{"cluster_id": 0, "size": 3, "members": members}],
            }
        }
    }
    write_json(sdir.stats, {"stage": "dedup", **stats.to_dict()})


def add_filter_documents(fixture: DashboardRun, docs: list[dict[str, Any]]) -> None:
    """One more kept shard of the filter stage holding ``docs`` (filter statistics left as they are)."""
    sdir = RunLayout(fixture.run).stage("filter")
    index = len(sdir.parts("kept"))
    rows = [{**{f.name: None for f in FILTER_SCHEMA}, **d, "drop_reason": None} for d in docs]
    write_parquet(sdir.part(index, "kept"), pa.Table.from_pylist(rows, schema=FILTER_SCHEMA))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
