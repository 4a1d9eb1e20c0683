"""``roots export parquet|jsonl|validate`` and ``roots tokenizer train`` (heavy imports stay inside commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from roots.cliopts import model_options
from roots.export.config import TokenizerTrainConfig


def _export_documents(fmt: str, run_dir: Path, out: Path | None, overrides: dict[str, Any]) -> None:
    from roots.cli import _run_on_existing
    from roots.export.config import ExportStageConfig
    from roots.export.stage import output_folder
    from roots.layout import RunLayout

    section = {"format": fmt, "out": str(out) if out else None}
    _run_on_existing(run_dir, "export", overrides, section)
    folder = output_folder(ExportStageConfig.model_validate(section), RunLayout(run_dir))
    click.echo(f"{fmt} shards: {folder}  (datasets.load_dataset({str(folder)!r}, split='train'))")


def register(cli: click.Group) -> None:
    """Add the export subcommands and the ``tokenizer`` group to the ``roots`` command line."""
    from roots.cli import executor_options

    export_group = cli.commands["export"]
    assert isinstance(export_group, click.Group)

    @export_group.command("parquet")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="output folder (default RUN/export/parquet)",
    )
    @executor_options
    def export_parquet(run_dir: Path, out: Path | None, overrides: dict[str, Any]) -> None:
        """Write the final documents as Parquet shards per language, loadable with datasets.load_dataset."""
        _export_documents("parquet", run_dir, out, overrides)

    @export_group.command("jsonl")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="output folder (default RUN/export/jsonl)",
    )
    @executor_options
    def export_jsonl(run_dir: Path, out: Path | None, overrides: dict[str, Any]) -> None:
        """Write the final documents as jsonl shards per language, loadable with datasets.load_dataset."""
        _export_documents("jsonl", run_dir, out, overrides)

    @export_group.command("validate")
    @click.argument("prefixes", nargs=-1, required=True)
    @click.option(
        "--vocab-size", type=click.IntRange(min=1), default=None, help="also check every id is below this"
    )
    def export_validate(prefixes: tuple[str, ...], vocab_size: int | None) -> None:
        """Check Megatron .bin/.idx pairs (PREFIX without extension) without torch."""
        from roots.errors import UserError, plural
        from roots.export.indexed import InvalidDataset, validate_dataset

        for prefix in prefixes:
            try:
                s = validate_dataset(prefix, vocab_size)
            except InvalidDataset as exc:
                raise UserError(str(exc)) from None
            click.echo(
                f"ok  {prefix}: {s.dtype}, {plural(s.documents, 'document')}, "
                f"{plural(s.sequences, 'sequence')}, {plural(s.tokens, 'token')}"
            )

    @cli.group("tokenizer")
    def tokenizer_group() -> None:
        """Train a tokenizer on a run's final documents."""

    @tokenizer_group.command("train")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @model_options(TokenizerTrainConfig, "section", required=("vocab_size",))
    def tokenizer_train(run_dir: Path, section: dict[str, Any]) -> None:
        """Train a BLOOM-style byte-level BPE (<unk> <s> </s> <pad> = 0-3, EOD </s>) with alpha-weighted languages."""
        from roots.config import absolute_paths
        from roots.export.tokenizer_step import tokenizer_target
        from roots.export.tokenizer_train import save_tokenizer, train_tokenizer
        from roots.layout import RunLayout
        from roots.pipeline import load_run_config

        config = TokenizerTrainConfig.model_validate(absolute_paths(section, Path.cwd()))
        run = RunLayout(Path(load_run_config(run_dir).run_dir))
        tokenizer, report = train_tokenizer(
            run, config.vocab_size, config.alpha, config.sample_chars, config.min_frequency
        )
        path = save_tokenizer(tokenizer, tokenizer_target(config, run))
        click.echo(f"tokenizer: {path} (vocabulary {report.vocab_size:,})")
        for lang in sorted(report.share):
            click.echo(
                f"  {lang:>5}: {report.chars[lang]:>12,} chars  share {report.share[lang]:.3f}  "
                f"x{report.repeat[lang]:.2f}"
            )
