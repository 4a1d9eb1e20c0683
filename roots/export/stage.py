"""The export stage entry point used by the CLI and pipeline runner: dispatch on ``export.format``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from roots.errors import UserError
from roots.executors import Executor, run_stage
from roots.export.config import ExportStageConfig
from roots.export.documents import final_documents
from roots.layout import RunLayout
from roots.stage import Stage
from roots.stats import StageStats
from roots.storage import as_path, is_remote

if TYPE_CHECKING:
    from roots.config import PipelineConfig


def output_folder(config: ExportStageConfig, run: RunLayout) -> Path:
    """``export.out``, else ``RUN/export`` for Megatron datasets and ``RUN/export/<format>`` for documents."""
    if config.out:
        return as_path(config.out)
    base = run.stage("export").path
    return base if config.format == "megatron" else base / config.format


def stage_for(config: PipelineConfig, run: RunLayout) -> Stage:
    """The export the ``export:`` section asks for."""
    section = config.export or ExportStageConfig()
    documents = final_documents(run)
    out = output_folder(section, run)
    out = out if is_remote(out) else out.resolve()
    if section.format == "megatron":
        from roots.export.megatron import MegatronStage
        from roots.export.tokenizer import resolve_tokenizer

        if not section.tokenizer:
            raise UserError(
                f"{run.config}: export.tokenizer is not set; pass --tokenizer PATH (a tokenizer.json), "
                f"or train one with `roots tokenizer train {run.root} --vocab-size 32000 --out tokenizer.json`"
            )
        spec = resolve_tokenizer(section.tokenizer, section.eod_token, section.vocab_size)
        return MegatronStage(section, spec, documents, out)
    from roots.export.hf import DocumentExportStage

    return DocumentExportStage(section, documents, out)


def run(config: PipelineConfig, run: RunLayout, executor: Executor) -> StageStats:
    """Run the export the ``export:`` section asks for."""
    return run_stage(stage_for(config, run), run, executor)
