"""Running stages of a pipeline configuration against a run directory.

Each stage module exposes ``run(config, run, executor)``; this module only wires configuration,
run directory and executor together, so stage logic stays in the stage packages.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from roots.atomic import write_text
from roots.config import PipelineConfig, validate_pipeline
from roots.errors import NotAvailableYet, UserError
from roots.executors import Executor, make_executor
from roots.layout import CONFIG_FILE, STAGES, RunLayout

StageRunner = Callable[[PipelineConfig, RunLayout, Executor], None]

STAGE_MODULES = {
    "extract": "roots.sources.stage",
    "filter": "roots.filters.stage",
    "dedup": "roots.dedup.stage",
    "export": "roots.export.stage",
}


def stage_runner(stage: str) -> StageRunner:
    """The ``run`` function of a stage, or ``NotAvailableYet`` if that stage is not built."""
    module_name = STAGE_MODULES[stage]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotAvailableYet(f"roots {stage}: not available yet in this version of roots") from None
        raise
    return module.run


def available_stages() -> list[str]:
    out = []
    for stage in STAGES:
        try:
            stage_runner(stage)
        except NotAvailableYet:
            continue
        out.append(stage)
    return out


def save_run_config(config: PipelineConfig) -> RunLayout:
    run = RunLayout(Path(config.run_dir))
    run.root.mkdir(parents=True, exist_ok=True)
    write_text(run.config, config.to_yaml())
    return run


def load_run_config(run_dir: Path) -> PipelineConfig:
    """The configuration saved in a run directory by an earlier command."""
    path = run_dir / CONFIG_FILE
    if not run_dir.is_dir():
        raise UserError(
            f"{run_dir}: run directory not found; create one with `roots extract … --out {run_dir}`"
        )
    if not path.is_file():
        raise UserError(
            f"{run_dir}: not a roots run directory (no {CONFIG_FILE}); create it with `roots extract … --out {run_dir}`"
        )
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data["run_dir"] = str(run_dir)
    return validate_pipeline(data, path)


def run_stages(config: PipelineConfig, stages: Sequence[str], executor: Executor | None = None) -> RunLayout:
    """Run ``stages`` in pipeline order with one executor; the resolved config is saved first."""
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
        for stage in STAGES:
            if stage in stages:
                stage_runner(stage)(config, run, executor)
    finally:
        if own:
            executor.close()
    return run
