"""The ``tokenizer:`` step of a pipeline: train a tokenizer on the run's final documents before export.

It is skipped when the tokenizer it would write exists and was trained on the same final documents with the same
settings (``RUN/tokenizer_train.json`` records both), so a finished ``roots run`` redoes nothing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import xxhash

from roots.atomic import write_json
from roots.errors import UserError
from roots.export.config import TokenizerTrainConfig
from roots.export.documents import final_documents
from roots.layout import RunLayout

if TYPE_CHECKING:
    from roots.config import PipelineConfig
    from roots.executors import Executor

log = logging.getLogger(__name__)
STAMP_FILE = "tokenizer_train.json"
DEFAULT_FOLDER = "tokenizer"


def tokenizer_target(section: TokenizerTrainConfig, run: RunLayout) -> Path:
    """Where the trained tokenizer goes: ``out`` (a .json file or a folder), default ``RUN/tokenizer/``."""
    return Path(section.out) if section.out else run.root / DEFAULT_FOLDER


def _fingerprint(section: TokenizerTrainConfig, run: RunLayout) -> str:
    stage = final_documents(run).stage
    settings = section.model_dump(mode="json", exclude={"out"})
    stats = run.stage(stage).stats.read_bytes()
    blob = json.dumps({"settings": settings, "stage": stage, "stats": xxhash.xxh3_64_hexdigest(stats)})
    return xxhash.xxh3_64_hexdigest(blob.encode())


def run(config: PipelineConfig, run: RunLayout, executor: Executor | None = None) -> Path:
    """Train (unless up to date) and save the tokenizer; returns the folder or file it was saved to."""
    from roots.export.tokenizer_train import TOKENIZER_FILE, save_tokenizer, train_tokenizer

    section = config.tokenizer
    if section is None:
        raise UserError(f"{run.config}: no tokenizer: section to train from")
    target = tokenizer_target(section, run)
    stamp_path = run.root / STAMP_FILE
    fingerprint = _fingerprint(section, run)
    written = target if target.suffix == ".json" else target / TOKENIZER_FILE
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        stamp = {}
    if stamp.get("fingerprint") == fingerprint and written.is_file():
        log.info("tokenizer: already trained on these documents (%s)", written)
        return target
    tokenizer, report = train_tokenizer(
        run, section.vocab_size, section.alpha, section.sample_chars, section.min_frequency
    )
    save_tokenizer(tokenizer, target)
    write_json(stamp_path, {"fingerprint": fingerprint, "tokenizer": str(written)})
    log.info("tokenizer: %s (vocabulary %s)", written, f"{report.vocab_size:,}")
    return target
