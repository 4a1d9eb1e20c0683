"""The extract stage entry point used by the CLI and pipeline runner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roots.errors import UserError
from roots.executors import Executor, run_stage
from roots.layout import RunLayout
from roots.sources.base import ExtractStage, build_source

if TYPE_CHECKING:
    from roots.config import PipelineConfig


def stage_for(config: PipelineConfig, run: RunLayout, executor: Executor | None = None) -> ExtractStage:
    if not config.sources:
        raise UserError(f"{run.config}: 'sources' is empty; add at least one source (jsonl, hf, warc or pdf)")
    if executor is None:  # `roots explain`: the configured sources, without their preparation work
        return ExtractStage(config.sources)
    return ExtractStage([build_source(source).prepare(run, executor) for source in config.sources])


def run(config: PipelineConfig, run: RunLayout, executor: Executor) -> None:
    run_stage(stage_for(config, run, executor), run, executor)
