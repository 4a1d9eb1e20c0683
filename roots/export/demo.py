"""The export part of ``roots demo``: train a small tokenizer on the run, export Megatron datasets."""

from __future__ import annotations

from pathlib import Path

from roots.config import PipelineConfig, validate_pipeline
from roots.export.outputs import DATA_PATH_FILE
from roots.layout import RunLayout

DEMO_VOCAB_SIZE = 4_000


def export_demo(config: PipelineConfig, run: RunLayout, out: Path) -> tuple[Path, str]:
    """Train a BLOOM-style tokenizer on the run's final documents into ``out/tokenizer/`` and export them.

    Returns the tokenizer folder and the ``--data-path`` value.
    """
    from roots.export.tokenizer_train import save_tokenizer, train_tokenizer
    from roots.pipeline import run_stages

    tokenizer, _ = train_tokenizer(run, DEMO_VOCAB_SIZE)
    folder = out / "tokenizer"
    save_tokenizer(tokenizer, folder)
    data = config.model_dump(mode="json")
    data["export"] = {"format": "megatron", "tokenizer": str(folder)}
    run_stages(validate_pipeline(data, "roots demo"), ["export"])
    return folder, (run.stage("export").path / DATA_PATH_FILE).read_text(encoding="utf-8").strip()
