"""Helpers for the export tests: small multilingual runs written with roots.schema, and running the export."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roots.atomic import write_json, write_parquet
from roots.config import PipelineConfig, validate_pipeline
from roots.executors import LocalExecutor
from roots.layout import RunLayout
from roots.pipeline import run_stages, save_run_config
from roots.schema import documents_to_table, make_document
from roots.stats import StageStats

# One sentence per script the demo corpus covers (plus emoji and decomposed accents), written for these tests.
SCRIPT_SAMPLES: dict[str, str] = {
    "en": "The market opens at dawn every Saturday, and the farmers bring potatoes, cabbages and honey.",
    "ar": "يفتح السوق أبوابه عند الفجر كل يوم سبت، ويجلب المزارعون البطاطس والعسل.",
    "zh": "每个星期六黎明时分市场开门，农民们带来土豆、白菜和蜂蜜。",
    "hi": "हर शनिवार सुबह बाज़ार खुलता है, और किसान आलू, गोभी और शहद लाते हैं।",
    "bn": "প্রতি শনিবার ভোরে বাজার খোলে, আর কৃষকেরা আলু, বাঁধাকপি ও মধু নিয়ে আসেন।",
    "vi": "Chợ mở cửa lúc bình minh mỗi thứ Bảy, và nông dân mang khoai tây, bắp cải và mật ong đến.",
    "yo": "Ọjà máa ń ṣí sílẹ̀ ní àárọ̀ kùtùkùtù ní gbogbo Ọjọ́ Àbámẹ́ta, àwọn àgbẹ̀ sì ń mú iṣu wá.",
    "fr": "Le marché ouvre à l'aube chaque samedi ; les agriculteurs apportent des pommes de terre.",
    "sw": "Soko hufunguliwa alfajiri kila Jumamosi, na wakulima huleta viazi, kabichi na asali.",
}
EMOJI_TEXT = "Fresh bread 🍞🥖 and honey 🍯 for 5€ only! 👍🏽 👨‍👩‍👧 🇰🇪"


def corpus_rows(copies: int = 6) -> list[tuple[str, str | None, str]]:
    """(text, lang, source) rows: varied sentences per language, two sources, and a document with no language."""
    rows: list[tuple[str, str | None, str]] = []
    for i in range(copies):
        for lang, text in SCRIPT_SAMPLES.items():
            words = text.split(" ")
            rotated = " ".join(words[i % len(words) :] + words[: i % len(words)])
            rows.append((f"{rotated} {i}", lang, "web" if i % 2 else "books"))
    rows.append((EMOJI_TEXT, None, "web"))
    return rows


def make_run(
    root: Path,
    rows: Sequence[tuple[str, str | None, str]],
    shard_size: int = 10,
    export: dict[str, Any] | None = None,
) -> tuple[PipelineConfig, RunLayout]:
    """A run whose extract stage is finished: Parquet shards of ``rows`` written with roots.schema."""
    config = validate_pipeline(
        {"run_dir": str(root), "filter": None, "dedup": None, "export": export}, "test"
    )
    run = save_run_config(config)
    stats = StageStats()
    sdir = run.stage("extract")
    shutil.rmtree(sdir.path, ignore_errors=True)
    for shard, start in enumerate(range(0, len(rows), shard_size)):
        docs = [
            make_document(source=src, locator=f"{shard}:{start + i}", text=text, lang=lang)
            for i, (text, lang, src) in enumerate(rows[start : start + shard_size])
        ]
        for doc in docs:
            stats.add_in(doc["lang"], len(doc["text"]))
            stats.add_kept(doc["lang"], len(doc["text"]))
        write_parquet(sdir.part(shard), documents_to_table(docs))
    write_json(sdir.stats, {"stage": "extract", **stats.to_dict()})
    return config, run


def run_export(config: PipelineConfig, workers: int = 1, **section: Any) -> RunLayout:
    """Run the export stage of ``config`` with ``section`` merged into its ``export:`` section."""
    data = config.model_dump(mode="json")
    data["export"] = (data.get("export") or {}) | section
    with LocalExecutor(workers) as executor:
        return run_stages(validate_pipeline(data, "test"), ["export"], executor)


def texts_of(run: RunLayout, lang: str | None) -> list[str]:
    """The texts of one language in the order the export reads them (shard order, row order)."""
    import pyarrow.parquet as pq

    out: list[str] = []
    for part in run.stage("extract").parts():
        table = pq.read_table(part, columns=["text", "lang"])
        out += [
            t
            for t, lg in zip(table["text"].to_pylist(), table["lang"].to_pylist(), strict=True)
            if lg == lang
        ]
    return out


def train_small_tokenizer(folder: Path, vocab_size: int = 600) -> Path:
    """A BLOOM-style tokenizer trained with roots on ``corpus_rows()``, saved as a folder; returns its
    tokenizer.json."""
    from roots.export.tokenizer_train import save_tokenizer, train_tokenizer

    _, run = make_run(folder / "tokenizer-run", corpus_rows(12))
    tokenizer, _ = train_tokenizer(run, vocab_size, alpha=0.3, min_frequency=2)
    return save_tokenizer(tokenizer, folder / "tokenizer")  # a transformers-loadable folder
