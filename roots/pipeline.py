"""Running stages of a pipeline configuration against a run directory.

Each stage module exposes ``run(config, run, executor)`` (and the four stages ``stage_for(config, run)``, the
stage object, for ``roots explain``); this module only wires configuration, run directory and executor
together, so stage logic stays in the stage packages.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from roots.atomic import write_text
from roots.config import EXECUTION_KEYS, PipelineConfig, validate_pipeline
from roots.errors import UserError
from roots.executors import Executor, make_executor
from roots.inputs import explain
from roots.layout import CONFIG_FILE, RunLayout
from roots.runlock import stage_lock
from roots.storage import as_path, check_access, makedirs

log = logging.getLogger(__name__)

STAGE_MODULES = {
    "extract": "roots.sources.stage",
    "filter": "roots.filters.stage",
    "dedup": "roots.dedup.stage",
    "tokenizer": "roots.export.tokenizer_step",
    "export": "roots.export.stage",
}
#: the order steps run in; ``tokenizer`` trains on the final documents and writes no stage folder
PIPELINE_ORDER = ("extract", "filter", "dedup", "tokenizer", "export")


def stage_module(stage: str) -> ModuleType:
    return importlib.import_module(STAGE_MODULES[stage])


def save_run_config(config: PipelineConfig) -> RunLayout:
    """Record the resolved configuration in the run folder (not rewritten when it is the same)."""
    run = RunLayout(as_path(config.run_dir))
    check_access(run.root, f"run_dir {config.run_dir}", write=True)
    makedirs(run.root)
    text = config.to_yaml()
    if not run.config.is_file() or run.config.read_text(encoding="utf-8") != text:
        write_text(run.config, text)
    return run


def load_run_config(run_dir: Path) -> PipelineConfig:
    """The stage configuration saved in a run directory by an earlier command.

    Execution settings (executor, Ray address, workers, …) are not taken from it: a run folder someone
    sends you must not choose where your shards run. They come from the command line, else the defaults.
    """
    from roots.config import read_yaml_mapping

    path = run_dir / CONFIG_FILE
    if not run_dir.is_dir():
        raise UserError(
            f"{run_dir}: run directory not found; create one with `roots extract … --out {run_dir}`"
        )
    if not path.is_file():
        raise UserError(
            f"{run_dir}: not a roots run directory (no {CONFIG_FILE}); create it with `roots extract … --out {run_dir}`"
        )
    data = read_yaml_mapping(path, "the run's saved configuration")
    data = {key: value for key, value in data.items() if key not in EXECUTION_KEYS}
    data["run_dir"] = str(run_dir.absolute())  # the run may have been moved or copied since it was saved
    return validate_pipeline(data, path, check_inputs=False)


def extract_config(
    source: dict[str, Any], run_dir: Path, overrides: dict[str, Any], append: bool
) -> PipelineConfig:
    """The configuration of ``roots extract … --out RUN``: the new source alone in a fresh run; in a run that has
    extract output, the same source again resumes it, ``append`` adds it to the earlier ones, and another
    source is refused (it would silently replace the run's documents). Other saved settings are kept."""
    from roots.config import validate_pipeline

    run = RunLayout(run_dir)
    fresh = {"run_dir": str(run_dir.absolute()), "sources": [source], **overrides}
    new = validate_pipeline(fresh, "command line")
    extract_dir = run.stage("extract").path
    if not (run.config.is_file() and extract_dir.is_dir() and any(extract_dir.iterdir())):
        return new
    saved = load_run_config(run_dir)
    earlier, added = saved.sources, new.sources[0]
    if added not in earlier and not append:
        names = ", ".join(f"{s.name or s.type}" for s in earlier)
        raise UserError(
            f"{run_dir}: already holds extract output (source: {names}); add --append to add this source to the "
            "run, or give a new --out folder (or delete its extract/ folder to start over)"
        )
    sources = earlier if added in earlier else [*earlier, added]
    data = saved.model_dump(mode="json") | overrides
    data["sources"] = [s.model_dump(mode="json") for s in sources]
    return validate_pipeline(data, "command line")


def _describe(section: Any) -> str:
    if isinstance(section, list):
        return "; ".join(_describe(item) for item in section)
    return section.model_dump_json(exclude_defaults=True) if section is not None else "defaults"


def run_stages(config: PipelineConfig, stages: Sequence[str], executor: Executor | None = None) -> RunLayout:
    """Run ``stages`` in pipeline order with one executor; the resolved config is saved first.

    Each stage runs under its run-folder lock, so two commands never run one stage of a run at once."""
    run = save_run_config(config)
    own = executor is None
    executor = executor or make_executor(
        config.executor,
        config.workers,
        config.ray_address,
        tries=config.shard_tries,
        ray_num_cpus=config.ray_num_cpus,
        ray_memory_gb=config.ray_memory_gb,
    )
    try:
        for stage in PIPELINE_ORDER:
            if stage not in stages:
                continue
            section = getattr(config, stage, None) if stage != "extract" else config.sources
            log.debug("%s: running in %s with %s", stage, run.root, _describe(section))
            with stage_lock(run.root, stage):
                result = stage_module(stage).run(config, run, executor)
            if stage == "tokenizer" and config.export is not None and not config.export.tokenizer:
                export = config.export.model_copy(update={"tokenizer": str(result)})
                config = config.model_copy(update={"export": export})
    finally:
        if own:
            executor.close()
    return run


def _check_folder(value: str | None, key: str, source: Path | str) -> None:
    if value and not Path(value).expanduser().is_dir():
        raise UserError(
            f"{source}: {key} = {value!r}: folder not found; fix the path (relative paths in a pipeline YAML are "
            "resolved against its folder)"
        )


def _check_file(value: str | None, key: str, source: Path | str) -> None:
    if value and not Path(value).expanduser().exists():
        raise UserError(
            f"{source}: {key} = {value!r}: file not found; fix the path (relative paths in a pipeline YAML are "
            "resolved against its folder)"
        )


def preflight(config: PipelineConfig, stages: Sequence[str], source: Path | str) -> None:
    """Everything ``roots run`` will need, checked before any work: inputs, language configs and the
    models they name, the LID model, the tokenizer. A problem is one line naming ``source`` and the key."""
    if "filter" in stages and config.filter is not None:
        from roots.filters.config import FilterStageConfig
        from roots.filters.registry import LanguageRegistry
        from roots.filters.stage import language_inputs, resolve_languages_dir

        folder = config.filter.languages_dir
        if folder != FilterStageConfig.model_fields["languages_dir"].default:  # the default falls back
            _check_folder(folder, "filter.languages_dir", source)
        _check_file(config.filter.lid_model, "filter.lid_model", source)
        language_inputs(LanguageRegistry(resolve_languages_dir(folder)))
    if "dedup" in stages and config.dedup is not None:
        _check_folder(config.dedup.languages_dir, "dedup.languages_dir", source)
    export = config.export if "export" in stages else None
    if export is not None and export.format == "megatron":
        trained = config.tokenizer is not None and "tokenizer" in stages
        if not export.tokenizer and not trained:
            raise UserError(
                f"{source}: export.tokenizer is not set; set it to a tokenizer.json (or a folder holding one), "
                "or add a tokenizer: section (e.g. tokenizer: {vocab_size: 32000}) to train one in this run"
            )
        if export.tokenizer and not (
            trained and config.tokenizer and export.tokenizer == config.tokenizer.out
        ):
            from roots.export.tokenizer import resolve_tokenizer, tokenizer_file

            tokenizer_file(Path(export.tokenizer), key=f"{source}: export.tokenizer =")
            resolve_tokenizer(export.tokenizer, export.eod_token, export.vocab_size)


def explain_stage(config: PipelineConfig, stage: str) -> list[str]:
    """Whether ``stage`` of the run is up to date with ``config``, and which inputs changed per shard."""
    run = RunLayout(as_path(config.run_dir))
    return explain(stage_module(stage).stage_for(config, run), run)
