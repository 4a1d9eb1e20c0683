"""The ``roots`` command line. It builds configuration, picks an executor and calls stage runners;
it holds no stage logic."""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from roots.errors import UserError
from roots.limits import DEFAULT_MAX_DOCUMENT_BYTES, MAX_DOCUMENT_HELP

EXECUTOR_HELP = "where shards run: 'local' (process pool) or 'ray' (a Ray cluster, needs roots[ray])"


def executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--workers / --executor / --ray-address / --shard-tries on every command that runs stages."""

    @click.option(
        "--workers", type=click.IntRange(min=1), default=None, help="worker processes (default: all cores)"
    )
    @click.option("--executor", type=click.Choice(["local", "ray"]), default=None, help=EXECUTOR_HELP)
    @click.option(
        "--ray-address", default=None, help="Ray cluster address: 'auto' or HOST:PORT (with --executor ray)"
    )
    @click.option(
        "--shard-tries",
        type=click.IntRange(min=1),
        default=None,
        help="runs of a failing shard before it is recorded as failed (default 3)",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        workers: int | None,
        executor: str | None,
        ray_address: str | None,
        shard_tries: int | None,
        **kwargs: Any,
    ) -> Any:
        options = {"workers": workers, "executor": executor, "ray_address": ray_address}
        overrides = {k: v for k, v in {**options, "shard_tries": shard_tries}.items() if v}
        return func(*args, overrides=overrides, **kwargs)

    return wrapper


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


def _run_extract(source: dict[str, Any], out: Path, overrides: dict[str, Any]) -> None:
    from roots.config import validate_pipeline
    from roots.pipeline import run_stages
    from roots.summary import print_summary

    data = {"run_dir": str(out), "sources": [source], **overrides}
    config = validate_pipeline(data, "command line")
    run = run_stages(config, ["extract"])
    print_summary(run)


def _source_command(func: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    """The options every ``extract`` command shares (--out, --lang, --name and the executor options).

    The command returns its source section; this adds the declared language and label and runs it.
    """

    @executor_options
    @click.option(
        "--max-document-bytes",
        type=click.IntRange(min=1024),
        default=DEFAULT_MAX_DOCUMENT_BYTES,
        show_default=True,
        help=MAX_DOCUMENT_HELP,
    )
    @click.option("--name", default=None, help="label of this source in statistics")
    @click.option("--lang", default=None, help="declared language of every document (e.g. 'sw')")
    @click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="run directory")
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        out: Path,
        lang: str | None,
        name: str | None,
        max_document_bytes: int,
        overrides: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        source = {
            **func(*args, **kwargs),
            "lang": lang,
            "name": name,
            "max_document_bytes": max_document_bytes,
        }
        _run_extract(source, out, overrides)

    return wrapper


@extract.command("jsonl")
@click.argument("paths", nargs=-1, required=True)
@click.option("--text-key", default="text", show_default=True, help="field holding the text")
@click.option("--id-key", default=None, help="field holding a stable document id")
@click.option("--url-key", default="url", show_default=True, help="field holding the URL")
@_source_command
def extract_jsonl(
    paths: tuple[str, ...],
    text_key: str,
    id_key: str | None,
    url_key: str,
) -> dict[str, Any]:
    """Read jsonl files ({"text": …} per line); malformed lines become error records."""
    return {
        "type": "jsonl",
        "paths": list(paths),
        "text_key": text_key,
        "id_key": id_key,
        "url_key": url_key,
    }


@extract.command("hf")
@click.argument("path")
@click.option("--config", "config_name", default=None, help="dataset configuration name")
@click.option("--split", default="train", show_default=True)
@click.option(
    "--data-files", multiple=True, help="local data files or globs (repeatable); PATH may name the builder"
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default=None)
@click.option("--url-column", default=None)
@click.option(
    "--meta-column",
    "meta_columns",
    multiple=True,
    help="column copied into meta (repeatable; default: all but the text)",
)
@click.option("--streaming", is_flag=True, help="stream rows instead of materialising the dataset")
@_source_command
def extract_hf(
    path: str,
    config_name: str | None,
    split: str,
    data_files: tuple[str, ...],
    text_column: str,
    id_column: str | None,
    url_column: str | None,
    meta_columns: tuple[str, ...],
    streaming: bool,
) -> dict[str, Any]:
    """Read a Hugging Face dataset: local files/folder, a save_to_disk folder, or a hub name (offline: fails fast)."""
    return {
        "type": "hf",
        "path": path,
        "config": config_name,
        "split": split,
        "data_files": list(data_files) or None,
        "text_column": text_column,
        "id_column": id_column,
        "url_column": url_column,
        "meta_columns": list(meta_columns) or None,
        "streaming": streaming,
    }


@extract.command("warc")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--extractor",
    default="trafilatura",
    show_default=True,
    help="'trafilatura' (quality), 'resiliparse' (fast) or your own module:function (html -> text)",
)
@click.option(
    "--timeout", "timeout_seconds", type=float, default=10.0, show_default=True, help="CPU seconds per page"
)
@click.option(
    "--domain-allow", multiple=True, help="keep only these domains and subdomains (repeatable; @FILE)"
)
@click.option("--domain-block", multiple=True, help="drop these domains and subdomains (repeatable; @FILE)")
@click.option(
    "--url-allow", multiple=True, help="keep only URLs with this prefix (repeatable; @FILE reads a list)"
)
@click.option(
    "--url-block", multiple=True, help="drop URLs with this prefix (repeatable; @FILE reads a list)"
)
@click.option("--bytes-per-shard", type=click.IntRange(min=1), default=64 << 20, show_default=True)
@_source_command
def extract_warc(
    paths: tuple[str, ...],
    extractor: str,
    timeout_seconds: float,
    domain_allow: tuple[str, ...],
    domain_block: tuple[str, ...],
    url_allow: tuple[str, ...],
    url_block: tuple[str, ...],
    bytes_per_shard: int,
) -> dict[str, Any]:
    """Read Common Crawl WARC/WET/ARC files and extract each HTML page's main text."""
    return {
        "type": "warc",
        "paths": list(paths),
        "extractor": extractor,
        "timeout_seconds": timeout_seconds,
        "domain_allow": list(domain_allow),
        "domain_block": list(domain_block),
        "url_allow": list(url_allow),
        "url_block": list(url_block),
        "bytes_per_shard": bytes_per_shard,
    }


@extract.command("pdf")
@click.argument("paths", nargs=-1, required=True)
@click.option("--per-page", is_flag=True, help="one document per page instead of per PDF")
@click.option("--backend", type=click.Choice(["pdfminer", "pypdf"]), default="pdfminer", show_default=True)
@click.option(
    "--timeout", "timeout_seconds", type=float, default=60.0, show_default=True, help="CPU seconds per file"
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="PDFs with more pages are errors",
)
@_source_command
def extract_pdf(
    paths: tuple[str, ...],
    per_page: bool,
    backend: str,
    timeout_seconds: float,
    max_pages: int,
) -> dict[str, Any]:
    """Extract text from PDF files or folders (searched recursively)."""
    return {
        "type": "pdf",
        "paths": list(paths),
        "per_page": per_page,
        "backend": backend,
        "timeout_seconds": timeout_seconds,
        "max_pages": max_pages,
    }


# ---------------------------------------------------------------- later stages
def _run_on_existing(
    run_dir: Path, stage: str, overrides: dict[str, Any], section: dict[str, Any] | None = None
) -> None:
    from roots.config import validate_pipeline
    from roots.pipeline import load_run_config, run_stages
    from roots.summary import print_summary

    config = load_run_config(run_dir)
    data = config.model_dump(mode="json") | overrides
    if section:
        data[stage] = (data.get(stage) or {}) | section
    config = validate_pipeline(data, "command line")
    run = run_stages(config, [stage])
    print_summary(run)


@cli.command("filter")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--languages-dir", type=click.Path(path_type=Path), default=None, help="folder of <lang>.yaml configs"
)
@click.option(
    "--lid-model", type=click.Path(path_type=Path), default=None, help="your own fastText LID model"
)
@executor_options
def filter_cmd(
    run_dir: Path, languages_dir: Path | None, lid_model: Path | None, overrides: dict[str, Any]
) -> None:
    """Language id, ROOTS modifications and per-language quality filters: RUN/filter/{kept,removed}/."""
    section = {k: str(v) for k, v in {"languages_dir": languages_dir, "lid_model": lid_model}.items() if v}
    _run_on_existing(run_dir, "filter", overrides, section)


@cli.command("dedup")
@click.argument("run_dir", type=click.Path(path_type=Path))
@executor_options
def dedup_cmd(run_dir: Path, overrides: dict[str, Any]) -> None:
    """Exact, MinHash-LSH near-duplicate and repeated-line dedup: RUN/dedup/{kept,removed}/."""
    _run_on_existing(run_dir, "dedup", overrides)


@cli.group("export")
def export_group() -> None:
    """Export the final documents (Megatron .bin/.idx, parquet, jsonl)."""


@export_group.command("megatron")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--tokenizer", type=click.Path(path_type=Path), required=True, help="tokenizer.json or a tokenizer folder"
)
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="output folder (default RUN/export)"
)
@click.option(
    "--alpha", type=click.FloatRange(min=0), default=None, help="blend exponent: p ∝ (n/N)^alpha (0.3)"
)
@click.option("--per-source", is_flag=True, help="one dataset per language and source")
@executor_options
def export_megatron(
    run_dir: Path,
    tokenizer: Path,
    out: Path | None,
    alpha: float | None,
    per_source: bool,
    overrides: dict[str, Any],
) -> None:
    """Tokenize the final documents into Megatron indexed datasets, one per language."""
    from roots.pipeline import stage_runner

    stage_runner("export")
    section = {"format": "megatron", "tokenizer": str(tokenizer), "out": str(out) if out else None}
    section |= {"per_source": per_source} | ({"alpha": alpha} if alpha is not None else {})
    _run_on_existing(run_dir, "export", overrides, section)
    click.echo(f"--data-path {(run_dir / 'export' / 'data_path.txt').read_text(encoding='utf-8').strip()}")


@cli.command("dashboard")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--port", type=int, default=8501, show_default=True)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="address to bind (default: this machine only)"
)
@click.option("--languages-dir", type=click.Path(path_type=Path), default=None)
def dashboard(run_dir: Path, port: int, host: str, languages_dir: Path | None) -> None:
    """Open the Streamlit dashboard on a run: tune thresholds per language and save them."""
    try:
        from roots.visualizer.launch import launch
    except ModuleNotFoundError as exc:
        if exc.name == "roots.visualizer.launch":
            raise UserError("roots dashboard: not available yet in this version of roots") from None
        raise
    launch(run_dir, port=port, host=host, languages_dir=languages_dir)


@cli.command("run")
@click.argument("pipeline", type=click.Path(path_type=Path))
@executor_options
def run_cmd(pipeline: Path, overrides: dict[str, Any]) -> None:
    """Run every stage a pipeline YAML configures (see configs/*.yaml)."""
    from roots.config import configured_stages_of, load_pipeline, validate_pipeline
    from roots.pipeline import run_stages, stage_runner
    from roots.summary import print_summary

    config = load_pipeline(pipeline)
    if overrides:
        config = validate_pipeline(config.model_dump(mode="json") | overrides, pipeline)
    stages = configured_stages_of(config)
    for stage in stages:
        stage_runner(stage)  # fail before any work if a configured stage is not available
    run = run_stages(config, stages)
    print_summary(run)


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
PLUGIN_MODULES = ("roots.filters.cli", "roots.dedup.cli", "roots.export.cli", "roots.visualizer.cli")


def _register_plugins() -> None:
    import importlib

    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(cli)


_register_plugins()


def disk_full_message(exc: OSError) -> str:
    """One line for a write that failed because the disk (or the user's quota) is full."""
    where = f" (writing into {Path(exc.filename).parent})" if exc.filename else ""
    problem = "disk quota exceeded" if exc.errno == errno.EDQUOT else "no space left on device"
    return (
        f"{problem}{where}; free some space (or point run_dir at a bigger disk) and run the same command "
        "again to resume (finished shards are kept; half-written files are swept)"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one line on stderr and exit status 2."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    try:
        cli.main(args=argv, prog_name="roots", standalone_mode=False)
    except UserError as exc:
        click.echo(f"roots: error: {exc}", err=True)
        return 3 if exc.__class__.__name__ == "NotAvailableYet" else 2
    except click.exceptions.Abort:
        click.echo("roots: aborted", err=True)
        return 130
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        click.echo(f"roots: error: {disk_full_message(exc)}", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
