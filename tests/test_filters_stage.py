"""`roots filter RUN` end to end on runs made by `roots extract jsonl`: shards, columns, reasons, accounting,
default fallback, PII, and byte-identical output with 1 or 2 workers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from benchmarks import reference_filters as ref
from roots.filters.lid import bundled_fasttext_model, load_fasttext
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import STATISTIC_COLUMNS, LanguageScorer
from roots.filters.words import SPACED_SEGMENTERS, get_segmenter
from tests.conftest import REPO, run_roots, tree_bytes

EN_GOOD = (
    "The village sits at the edge of a wide valley, and most of the people who live there have worked the same "
    "fields for generations. In the spring the river rises and the farmers wait for the water to go down before "
    "they plant. The school was built by the families themselves, and the teacher, who came from the city many "
    "years ago, still lives in the small house next to it. If you want to visit, write to jane.doe@example.org "
    "and she will tell you when the market is open and where you can stay for the night."
)
EN_SHORT = "Too short to keep."
EN_LINKS = (
    "Read the full story on http://news.example.com/story?id=7 or www.example.org today, because the people "
    "who wrote it spent a long time talking with the farmers and the teachers of the valley about their lives "
    "and about the changes that the new road has brought to the old market town."
)
FR_GOOD = (
    "Le village se trouve au bord d'une large vallée, et la plupart des gens qui y vivent travaillent les mêmes "
    "champs depuis des générations. Au printemps, la rivière monte et les paysans attendent que l'eau baisse "
    "avant de planter. L'école a été construite par les familles elles-mêmes."
)
ZH_GOOD = "这个村子位于一个宽阔山谷的边缘，住在那里的大多数人世世代代都在耕种同样的田地。春天河水上涨，农民们要等水退了才播种。"
DE_TEXT = (
    "Das Dorf liegt am Rand eines breiten Tales, und die meisten Menschen, die dort leben, bearbeiten seit "
    "Generationen dieselben Felder."
)
FILES = {
    "a.jsonl": [EN_GOOD, EN_SHORT, EN_LINKS],
    "b.jsonl": [FR_GOOD, ZH_GOOD, DE_TEXT],
    "c.jsonl": [EN_GOOD + " Again."],
}


def _extract(tmp_path: Path, files: dict[str, list[str]], *extra: str) -> Path:
    for name, texts in files.items():
        lines = [json.dumps({"text": t}, ensure_ascii=False) for t in texts]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    done = run_roots(
        "extract",
        "jsonl",
        *[str(tmp_path / n) for n in files],
        "--out",
        str(run_dir),
        "--workers",
        "1",
        *extra,
    )
    assert done.returncode == 0, done.stderr
    return run_dir


@pytest.fixture(scope="module")
def filtered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    run_dir = _extract(tmp_path_factory.mktemp("filter"), FILES)
    done = run_roots("filter", str(run_dir), "--workers", "2")
    assert done.returncode == 0, done.stderr
    return run_dir, done.stderr


def _rows(run_dir: Path, kind: str) -> list[dict]:
    return [
        row
        for part in sorted((run_dir / "filter" / kind).glob("part-*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]


def test_one_kept_and_one_removed_shard_per_input_shard_with_all_columns(filtered: tuple[Path, str]) -> None:
    run_dir, _ = filtered
    inputs = sorted(p.name for p in (run_dir / "extract").glob("part-*.parquet"))
    assert len(inputs) == 3
    for kind in ("kept", "removed"):
        parts = sorted((run_dir / "filter" / kind).glob("part-*.parquet"))
        assert [p.name for p in parts] == inputs
        names = pq.read_schema(parts[0]).names
        assert names == [
            "id",
            "text",
            "source",
            "url",
            "lang",
            "lang_score",
            "meta",
            *STATISTIC_COLUMNS,
            "drop_reason",
            "lid_label",
        ]


def test_reasons_languages_and_modified_text(filtered: tuple[Path, str]) -> None:
    run_dir, stderr = filtered
    kept = {r["text"][:20]: r for r in _rows(run_dir, "kept")}
    removed = {r["text"][:20]: r for r in _rows(run_dir, "removed")}
    assert all(r["drop_reason"] is None for r in kept.values())
    en = kept[EN_GOOD[:20]]
    assert en["lang"] == "en" and en["lang_score"] == en["lang_id_score"] > 0.8
    assert "PI:EMAIL" in en["text"] and "jane.doe" not in en["text"]  # PII redaction of kept documents
    assert removed[EN_SHORT[:20]]["drop_reason"] == "number_words"
    links = (kept | removed)["Read the full story "]
    assert "http" not in links["text"] and "www" not in links["text"]  # the modification removed the URLs
    assert kept[FR_GOOD[:20]]["lang"] == "fr" and kept[ZH_GOOD[:20]]["lang"] == "zh"
    de = removed[DE_TEXT[:20]]
    assert de["lang"] is None and de["drop_reason"] == "lang_id"  # German has no config: undetermined
    assert de["number_words"] == 20 and de["flagged_words_ratio"] is None and de["perplexity"] is None
    assert de["lid_label"] == "de" and en["lid_label"] is None  # what LID saw, for languages with no config
    stats = json.loads((run_dir / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert stats["extra"]["undetermined_labels"] == {"de": 1}
    assert "1 document in no configured language was removed" in stderr and "identified as de 1" in stderr
    assert "flagged_words: no flagged-word list configured, filter passed for en, fr, zh" in stderr


def test_decisions_equal_a_plain_per_document_rerun(filtered: tuple[Path, str]) -> None:
    run_dir, _ = filtered
    registry = LanguageRegistry(REPO / "configs" / "languages")
    originals = {r["id"]: r["text"] for r in _rows_extract(run_dir)}
    model = load_fasttext(bundled_fasttext_model())
    for row in _rows(run_dir, "kept") + _rows(run_dir, "removed"):
        if row["lang"] is None:
            continue
        loaded = registry.get(row["lang"])
        stopwords = LanguageScorer(loaded).filter("stopwords").word_list  # type: ignore[attr-defined]
        segment = (
            None if loaded.config.segmenter in SPACED_SEGMENTERS else get_segmenter(loaded.config.segmenter)
        )
        text, reason = ref.keep(
            originals[row["id"]], loaded.config, stopwords=stopwords.words, lid_model=model, segment=segment
        )
        assert reason == row["drop_reason"], row["text"][:40]
        if reason is not None:
            assert text == row["text"]


def _rows_extract(run_dir: Path) -> list[dict]:
    return [
        row
        for part in sorted((run_dir / "extract").glob("part-*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]


def test_stats_balance_and_count_reasons_and_pii(filtered: tuple[Path, str]) -> None:
    run_dir, _ = filtered
    stats = json.loads((run_dir / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert stats["balanced"]
    for lang, counts in stats["languages"].items():
        assert (
            counts["in"]["docs"]
            == counts["kept"]["docs"] + counts["removed_total"]["docs"] + counts["errors_total"]["docs"]
        ), lang
    assert stats["totals"]["in"]["docs"] == 7
    assert stats["languages"]["und"]["removed"]["lang_id"]["docs"] == 1
    assert stats["languages"]["en"]["removed"]["number_words"]["docs"] == 1
    assert stats["extra"]["pii_redactions"]["en"]["EMAIL"] == 2
    assert stats["extra"]["detected_language"] == 7 and stats["extra"]["undetermined_language"] == 1


def test_declared_language_without_config_uses_default_yaml_loudly(tmp_path: Path) -> None:
    run_dir = _extract(tmp_path, {"de.jsonl": [DE_TEXT, DE_TEXT + " Noch ein Satz dazu."]}, "--lang", "de")
    done = run_roots("filter", str(run_dir), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "roots filter: no language config for de (2 docs); filtered with default.yaml" in done.stderr
    stats = json.loads((run_dir / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert stats["extra"]["default_config"] == {"de": 2}
    rows = _rows(run_dir, "kept") + _rows(run_dir, "removed")
    assert {r["lang"] for r in rows} == {"de"}
    assert all(r["lang_id_score"] > 0.7 for r in rows)  # scored as 'de' with fastText, as ROOTS did


def test_same_bytes_with_one_or_two_workers(filtered: tuple[Path, str], tmp_path: Path) -> None:
    run_dir, _ = filtered  # filtered with 2 workers
    copy = tmp_path / "run1"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("filter"))
    done = run_roots("filter", str(copy), "--workers", "1")
    assert done.returncode == 0, done.stderr
    one = tree_bytes(copy / "filter")
    two = tree_bytes(run_dir / "filter")
    assert one.keys() == two.keys() and len(one) >= 3 * 2 + 3
    assert one == two  # shards, markers, errors.jsonl and stats.json: byte-identical


def test_filter_needs_a_finished_extract(tmp_path: Path) -> None:
    run_dir = _extract(tmp_path, {"x.jsonl": [EN_GOOD]})
    (run_dir / "extract" / "stats.json").unlink()
    done = run_roots("filter", str(run_dir))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"roots: error: {run_dir}: the extract stage is not finished; run `roots extract … --out {run_dir}` first"
    )


def test_bad_language_config_fails_before_any_work(tmp_path: Path) -> None:
    run_dir = _extract(tmp_path, {"x.jsonl": [EN_GOOD]})
    languages = tmp_path / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    path = languages / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max: 0.106", "max: 2"), encoding="utf-8")
    done = run_roots("filter", str(run_dir), "--languages-dir", str(languages))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"roots: error: {path}: filters.character_repetition.max = 2: Input should be less than or equal to 1"
    )
    assert not (run_dir / "filter" / "kept").exists()
