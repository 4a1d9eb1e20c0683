"""``roots export parquet|jsonl|validate`` and ``roots tokenizer train`` (heavy imports stay inside commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


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
        from roots.errors import UserError
        from roots.export.indexed import InvalidDataset, validate_dataset

        for prefix in prefixes:
            try:
                s = validate_dataset(prefix, vocab_size)
            except InvalidDataset as exc:
                raise UserError(str(exc)) from None
            click.echo(
                f"ok  {prefix}: {s.dtype}, {s.documents:,} documents, {s.sequences:,} sequences, {s.tokens:,} tokens"
            )

    @cli.group("tokenizer")
    def tokenizer_group() -> None:
        """Train a tokenizer on a run's final documents."""

    @tokenizer_group.command("train")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @click.option("--vocab-size", type=click.IntRange(min=261), required=True, help="target vocabulary size")
    @click.option(
        "--out",
        type=click.Path(path_type=Path),
        required=True,
        help="tokenizer.json, or a folder (then also tokenizer_config.json for transformers/Megatron)",
    )
    @click.option(
        "--alpha",
        type=click.FloatRange(min=0),
        default=0.3,
        show_default=True,
        help="language sampling exponent: p_i ∝ (n_i/N)^alpha",
    )
    @click.option(
        "--sample-chars",
        type=click.IntRange(min=1),
        default=None,
        help="characters to train on (default: the corpus size, at most 100M)",
    )
    @click.option("--min-frequency", type=click.IntRange(min=0), default=2, show_default=True)
    def tokenizer_train(
        run_dir: Path, vocab_size: int, out: Path, alpha: float, sample_chars: int | None, min_frequency: int
    ) -> None:
        """Train a BLOOM-style byte-level BPE (<unk> <s> </s> <pad> = 0-3, EOD </s>) with alpha-weighted languages."""
        from roots.export.tokenizer_train import save_tokenizer, train_tokenizer
        from roots.layout import RunLayout
        from roots.pipeline import load_run_config

        run = RunLayout(Path(load_run_config(run_dir).run_dir))
        tokenizer, report = train_tokenizer(run, vocab_size, alpha, sample_chars, min_frequency)
        path = save_tokenizer(tokenizer, out)
        click.echo(f"tokenizer: {path} (vocabulary {report.vocab_size:,})")
        for lang in sorted(report.share):
            click.echo(
                f"  {lang:>5}: {report.chars[lang]:>12,} chars  share {report.share[lang]:.3f}  "
                f"x{report.repeat[lang]:.2f}"
            )
