"""The pipeline configuration (one YAML file): sources, stages, executor. Validated with pydantic.

Relative paths in a pipeline YAML are resolved against the YAML file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from roots.configbase import StrictModel, format_validation_error
from roots.dedup.config import DedupStageConfig
from roots.errors import UserError
from roots.export.config import ExportStageConfig, TokenizerTrainConfig
from roots.filters.config import FilterStageConfig
from roots.sources.config import SourceConfig
from roots.storage import is_url


class PipelineConfig(StrictModel):
    run_dir: str = Field(description="the run directory every stage writes into")
    executor: Literal["local", "ray"] = Field(
        "local",
        description="where shards run: 'local' (process pool) or 'ray' (a Ray cluster, needs roots[ray])",
    )
    workers: int | None = Field(None, ge=1, description="worker processes; default: all cores")
    ray_address: str | None = Field(
        None, description="Ray cluster address: 'auto' or HOST:PORT (with executor ray)"
    )
    shard_tries: int = Field(3, ge=1, description="runs of a shard before it is recorded as failed")
    ray_num_cpus: float = Field(1.0, gt=0, description="CPUs Ray reserves for each shard task")
    ray_memory_gb: float | None = Field(
        None, gt=0, description="memory (GiB) Ray reserves for each shard task; default: none reserved"
    )
    sources: list[SourceConfig] = Field(default_factory=list)
    filter: FilterStageConfig | None = Field(default_factory=FilterStageConfig)
    dedup: DedupStageConfig | None = Field(default_factory=DedupStageConfig)
    tokenizer: TokenizerTrainConfig | None = Field(
        None, description="train a tokenizer on the final documents (before export, which then uses it)"
    )
    export: ExportStageConfig | None = None

    def to_yaml(self) -> str:
        """The resolved configuration as saved in the run directory."""
        data = self.model_dump(mode="json")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


#: where shards run: chosen by the command line or the pipeline YAML being run, never by a run folder
EXECUTION_KEYS = ("executor", "workers", "ray_address", "shard_tries", "ray_num_cpus", "ray_memory_gb")


def configured_stages_of(config: PipelineConfig) -> list[str]:
    """The stages a pipeline YAML asks for (a section set to null is skipped)."""
    wanted = ["extract"] if config.sources else []
    wanted += [s for s in ("filter", "dedup", "tokenizer", "export") if getattr(config, s) is not None]
    return wanted


PATH_LIST_KEYS = ("paths", "data_files")
PATH_KEYS = (
    "run_dir",
    "languages_dir",
    "lid_model",
    "path",
    "tokenizer",
    "out",
    "cache_dir",
    "seeds",
    "dir",
    "index",
)
MAYBE_PATH_KEYS = ("path", "index")  # a hub name or URL stays as it is unless a local file has that name


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make relative file paths absolute against the YAML's folder (hub names without a slash-free local match stay)."""
    if isinstance(data, list):
        return [_resolve_paths(item, base) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in PATH_LIST_KEYS and isinstance(value, list):
            out[key] = [_absolute(v, base) if isinstance(v, str) else v for v in value]
        elif (
            key in PATH_KEYS
            and isinstance(value, str)
            and (key not in MAYBE_PATH_KEYS or (base / value).exists())
        ):
            out[key] = _absolute(value, base)
        else:
            out[key] = _resolve_paths(value, base)
    return out


def _absolute(value: str, base: Path) -> str:
    if is_url(value):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def absolute_paths(section: dict[str, Any], base: Path) -> dict[str, Any]:
    """A config section with its relative file paths made absolute against ``base`` (the command's cwd),
    so the run's saved configuration works from any directory."""
    return _resolve_paths(section, base)


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping; a syntax error is one line with the line and column."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}: not valid YAML{where}: {problem}; fix the file ({what})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; fix the file ({what})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(
            f"{path}: expected a mapping of keys (run_dir, sources, filter, …), got {type(data).__name__}"
        )
    return data


def load_pipeline(path: Path) -> PipelineConfig:
    """Read and validate a pipeline YAML; any problem becomes a one-line ``UserError``."""
    if not path.is_file():
        raise UserError(f"{path}: pipeline file not found; pass the path of a pipeline YAML (see configs/)")
    data = read_yaml_mapping(path, "a pipeline YAML")
    data = _resolve_paths(data, path.resolve().parent)
    return validate_pipeline(data, path)


def validate_pipeline(data: dict[str, Any], source: Path | str, check_inputs: bool = True) -> PipelineConfig:
    """The validated configuration; with ``check_inputs`` every local input a source names must exist
    (only extract reads the inputs: later stages run on a copied run without them)."""
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(source, exc, PipelineConfig)) from None
    if check_inputs:
        check_inputs_exist(config, source)
    return config


def check_inputs_exist(config: PipelineConfig, source: Path | str) -> None:
    """Every local input a source names must exist (globs must match something)."""
    from roots.sources.files import expand_paths

    for i, src in enumerate(config.sources):
        for key in ("paths", "data_files"):
            values = getattr(src, key, None)
            if values:
                expand_paths(values, key=f"{source}: sources[{i}].{key}")
