"""The ``roots`` command line. It builds configuration, picks an executor and calls stage runners;
it holds no stage logic. Stage options are generated from the config models (``roots/cliopts.py``)."""

from __future__ import annotations

import errno
import importlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from roots.cliopts import model_options
from roots.config import PipelineConfig
from roots.dedup.config import DedupStageConfig
from roots.errors import UserError
from roots.export.config import ExportStageConfig
from roots.filters.config import FilterStageConfig
from roots.sources.config import HfSource, JsonlSource, PdfSource, WarcSource

#: exit statuses (documented in README.md, "Command line")
EXIT_OK, EXIT_BUG, EXIT_USER_ERROR, EXIT_SHARDS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EXECUTOR_FIELDS = ("workers", "executor", "ray_address", "shard_tries", "ray_num_cpus", "ray_memory_gb")


class PathOrURL(click.ParamType):
    """A local path (``pathlib.Path``) or an fsspec URL such as ``s3://bucket/run`` (``roots.storage``)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from roots.storage import as_path

        return as_path(value)


RUN_PATH = PathOrURL()


def executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--workers / --executor / --ray-address / --shard-tries … (from ``PipelineConfig``) as ``overrides``."""
    return model_options(PipelineConfig, "overrides", only=EXECUTOR_FIELDS)(func)


def run_dir_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("run_dir", type=RUN_PATH)(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="roots")
def cli() -> None:
    """roots: build a multilingual LLM training corpus the way BigScience built ROOTS.

    Stages: extract → filter (language id + per-language quality filters) → dedup → export.
    Every stage reads and writes a run directory; see README.md.
    """


# ---------------------------------------------------------------- extract
@cli.group()
def extract() -> None:
    """Read a source into RUN/extract/ (documents as Parquet shards)."""


def _run_extract(source: dict[str, Any], out: Path, overrides: dict[str, Any], append: bool) -> None:
    from roots.config import absolute_paths
    from roots.pipeline import extract_config, run_stages
    from roots.summary import print_summary

    config = extract_config(absolute_paths(source, Path.cwd()), out, overrides, append)
    run = run_stages(config, ["extract"])
    print_summary(run)


SOURCE_HELP = {
    "jsonl": 'Read jsonl files ({"text": …} per line); malformed lines become error records.',
    "hf": "Read a Hugging Face dataset: local files/folder, a save_to_disk folder, or a hub name "
    "(offline: fails fast).",
    "warc": "Read Common Crawl WARC/WET/ARC files and extract each HTML page's main text.",
    "pdf": "Extract text from PDF files or folders (searched recursively).",
}


def _source_command(kind: str, model: type[Any]) -> None:
    """``roots extract KIND`` with one option per field of the source's config model."""
    many = "paths" in model.model_fields
    argument = "paths" if many else "path"

    @model_options(model, "source", exclude=("type", argument))
    @click.option("--out", "out", type=RUN_PATH, required=True, help="run directory (a folder or an fsspec URL)")
    @click.option(
        "--append",
        is_flag=True,
        help="add this source to a run that already has extract output (default: refuse)",
    )
    @executor_options
    @click.argument(argument, nargs=-1 if many else 1, required=True)
    def command(
        out: Path, append: bool, source: dict[str, Any], overrides: dict[str, Any], **args: Any
    ) -> None:
        value = args[argument]
        source = {"type": kind, argument: list(value) if many else value, **source}
        _run_extract(source, out, overrides, append)

    command.__doc__ = SOURCE_HELP[kind]
    extract.command(kind)(command)


for _kind, _model in (("jsonl", JsonlSource), ("hf", HfSource), ("warc", WarcSource), ("pdf", PdfSource)):
    _source_command(_kind, _model)


# ---------------------------------------------------------------- later stages
def _run_on_existing(
    run_dir: Path, stage: str, overrides: dict[str, Any], section: dict[str, Any] | None = None
) -> None:
    from roots.config import absolute_paths, validate_pipeline
    from roots.pipeline import load_run_config, run_stages
    from roots.summary import print_summary

    config = load_run_config(run_dir)
    data = config.model_dump(mode="json") | overrides
    if section:
        data[stage] = (data.get(stage) or {}) | absolute_paths(section, Path.cwd())
    config = validate_pipeline(data, "command line", check_inputs=False)
    run = run_stages(config, [stage])
    print_summary(run)


@cli.command("filter")
@run_dir_argument
@model_options(FilterStageConfig, "section")
@executor_options
def filter_cmd(run_dir: Path, section: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Language id, ROOTS modifications and per-language quality filters: RUN/filter/{kept,removed}/."""
    _run_on_existing(run_dir, "filter", overrides, section)


@cli.command("dedup")
@run_dir_argument
@model_options(DedupStageConfig, "section", exclude=("minhash", "repeated_lines"))
@executor_options
def dedup_cmd(run_dir: Path, section: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Exact, MinHash-LSH near-duplicate and repeated-line dedup: RUN/dedup/{kept,removed}/.

    Options not given keep the dedup: section of RUN/config.yaml (minhash and repeated_lines are set there);
    `roots dedup-params` chooses LSH bands × rows.
    """
    _run_on_existing(run_dir, "dedup", overrides, section)


@cli.group("export")
def export_group() -> None:
    """Export the final documents (Megatron .bin/.idx, parquet, jsonl)."""


def print_data_path(run_dir: Path) -> None:
    """The Megatron ``--data-path`` line of a run's export."""
    from roots.export.outputs import DATA_PATH_FILE

    path = run_dir / "export" / DATA_PATH_FILE
    if path.is_file():
        click.echo(f"--data-path {path.read_text(encoding='utf-8').strip()}")


@export_group.command("megatron")
@run_dir_argument
@model_options(
    ExportStageConfig,
    "section",
    exclude=("format", "weight_bounds", "rows_per_shard"),
    required=("tokenizer",),
)
@executor_options
def export_megatron(run_dir: Path, section: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Tokenize the final documents into Megatron indexed datasets, one per language."""
    section = {"format": "megatron", "out": None, "per_source": False, **section}
    _run_on_existing(run_dir, "export", overrides, section)
    print_data_path(run_dir)


@cli.command("dashboard")
@run_dir_argument
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8501,
    show_default=True,
    help="port the dashboard serves on",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="address to bind (default: this machine only)"
)
@click.option(
    "--languages-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="folder of <lang>.yaml configs the dashboard edits (default: the one the run was filtered with)",
)
def dashboard(run_dir: Path, port: int, host: str, languages_dir: Path | None) -> None:
    """Open the Streamlit dashboard on a run: tune thresholds per language and save them."""
    from roots.visualizer.launch import launch

    launch(run_dir, port=port, host=host, languages_dir=languages_dir)


@cli.command("run")
@click.argument("pipeline", type=click.Path(path_type=Path))
@executor_options
def run_cmd(pipeline: Path, overrides: dict[str, Any]) -> None:
    """Run every stage a pipeline YAML configures (see configs/*.yaml); everything is checked before any work."""
    from roots.config import configured_stages_of, load_pipeline, validate_pipeline
    from roots.pipeline import preflight, run_stages
    from roots.summary import print_summary

    config = load_pipeline(pipeline)
    if overrides:
        config = validate_pipeline(config.model_dump(mode="json") | overrides, pipeline)
    stages = configured_stages_of(config)
    preflight(config, stages, pipeline)
    run = run_stages(config, stages)
    print_summary(run)
    if "export" in stages and config.export is not None and config.export.format == "megatron":
        print_data_path(run.root)


@cli.command("explain")
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("stage", type=click.Choice(["extract", "filter", "dedup", "export"]))
def explain_cmd(run: Path, stage: str) -> None:
    """Say whether STAGE is up to date, and which inputs changed since each shard ran.

    RUN is a run folder (its recorded configuration) or a pipeline YAML (the configuration you would run)."""
    from roots.config import load_pipeline
    from roots.pipeline import explain_stage, load_run_config

    config = load_pipeline(run) if run.is_file() else load_run_config(run)
    for line in explain_stage(config, stage):
        click.echo(line)


@cli.command("demo")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("roots-demo"),
    show_default=True,
    help="folder for the demo corpus and run",
)
@executor_options
def demo(out: Path, overrides: dict[str, Any]) -> None:
    """Build the embedded multilingual demo corpus and run every available stage on it, offline."""
    from roots.demo.run import run_demo

    run_demo(out, overrides)


# Stage packages add their own commands (e.g. `roots lm train`, `roots tokenizer train`) through a
# `register(cli)` function in `<package>/cli.py`; those modules must import heavy libraries lazily.
for _name in ("roots.filters.cli", "roots.dedup.cli", "roots.export.cli", "roots.crawl.cli"):
    importlib.import_module(_name).register(cli)


# ---------------------------------------------------------------- logging: -v / -q on every command
class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (tests and tools replace it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(verbosity: int) -> None:
    """``roots`` log records to stderr: warnings with -q, progress notes by default, details with -v."""
    from roots import progress

    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("roots")
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    progress.stderr_console.quiet = verbosity < 0
    progress.set_quiet(verbosity < 0)


def _verbosity_callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    obj = ctx.find_root().meta.setdefault("roots_verbosity", 0)
    delta = value if param.name == "verbose" else -1 if value else 0
    ctx.find_root().meta["roots_verbosity"] = obj + delta
    configure_logging(max(-1, min(1, ctx.find_root().meta["roots_verbosity"])))
    return value


VERBOSITY_OPTIONS = (
    click.Option(
        ["-v", "--verbose"],
        count=True,
        expose_value=False,
        is_eager=True,
        callback=_verbosity_callback,
        help="more detail on stderr (which stage runs with which settings)",
    ),
    click.Option(
        ["-q", "--quiet"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_verbosity_callback,
        help="only warnings and errors: no progress, no summary table",
    ),
)


def add_verbosity_options(command: click.Command) -> None:
    """Give ``command`` and all its subcommands -v/--verbose and -q/--quiet."""
    if not any(p.name == "verbose" for p in command.params):
        command.params.extend(VERBOSITY_OPTIONS)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbosity_options(sub)


add_verbosity_options(cli)


# ---------------------------------------------------------------- entry point
def disk_full_message(exc: OSError) -> str:
    """One line for a write that failed because the disk (or the user's quota) is full."""
    where = f" (writing into {Path(exc.filename).parent})" if exc.filename else ""
    problem = "disk quota exceeded" if exc.errno == errno.EDQUOT else "no space left on device"
    return (
        f"{problem}{where}; free some space (or point run_dir at a bigger disk) and run the same command "
        "again to resume (finished shards are kept; half-written files are swept)"
    )


def _error(message: str) -> None:
    click.echo(f"roots: error: {message}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: every expected failure is one line on stderr and a documented exit status."""
    from roots.executors import ShardsFailed

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    configure_logging(0)
    try:
        cli.main(args=argv, prog_name="roots", standalone_mode=False)
    except ShardsFailed as exc:
        _error(str(exc))
        return EXIT_SHARDS_FAILED
    except UserError as exc:
        _error(str(exc))
        return EXIT_USER_ERROR
    except (click.exceptions.Abort, KeyboardInterrupt):
        _error("interrupted; finished shards are kept: run the same command again to resume where it stopped")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        _error(disk_full_message(exc))
        return EXIT_USER_ERROR
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
