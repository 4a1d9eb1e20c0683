"""Filter-related commands: ``roots lm train`` and ``roots thresholds derive`` (heavy imports are lazy)."""

from __future__ import annotations

from pathlib import Path

import click

from roots.errors import UserError

LANGUAGES_DIR_HELP = "folder of <lang>.yaml configs"


@click.group("lm")
def lm_group() -> None:
    """Language models for the perplexity filter."""


@lm_group.command("train")
@click.argument("text_file", type=click.Path(path_type=Path))
@click.option("--lang", required=True, help="language code (names the outputs <lang>.sp.model, <lang>.arpa)")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="output folder")
@click.option("--order", type=click.IntRange(2, 6), default=3, show_default=True, help="n-gram order")
@click.option(
    "--vocab-size", type=click.IntRange(min=16), default=8000, show_default=True, help="SentencePiece pieces"
)
@click.option("--update-config", is_flag=True, help="write the model paths into <languages-dir>/<lang>.yaml")
@click.option(
    "--languages-dir",
    type=click.Path(path_type=Path),
    default=Path("configs/languages"),
    show_default=True,
    help=LANGUAGES_DIR_HELP,
)
def lm_train(
    text_file: Path,
    lang: str,
    out_dir: Path,
    order: int,
    vocab_size: int,
    update_config: bool,
    languages_dir: Path,
) -> None:
    """Train a SentencePiece model and a Kneser–Ney n-gram (ARPA) model from TEXT_FILE (one sentence per line)."""
    from roots.filters.language_config import language_config_path
    from roots.filters.lm_train import train_lm, update_language_config

    config_path = language_config_path(languages_dir, lang)
    if update_config and not config_path.is_file():
        raise UserError(f"{config_path}: language config not found; create it or fix --languages-dir")
    trained = train_lm(text_file, lang, out_dir, order=order, vocab_size=vocab_size)
    click.echo(
        f"trained on {trained.sentences} sentences, {trained.tokens} pieces: "
        f"{trained.sentencepiece_model} ({trained.vocab_size} pieces), {trained.kenlm_model} (order {trained.order})"
    )
    if update_config:
        update_language_config(config_path, trained)
        click.echo(
            f"{config_path}: filters.perplexity now uses these models and is enabled; after a filter run, "
            f"set its max with `roots thresholds derive --lang {lang} RUN --write`"
        )


@click.group("thresholds")
def thresholds_group() -> None:
    """Per-language filter thresholds."""


@thresholds_group.command("derive")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--lang", required=True, help="language whose thresholds to derive")
@click.option("--write", is_flag=True, help="store the values in <languages-dir>/<lang>.yaml (comments kept)")
@click.option(
    "--languages-dir",
    type=click.Path(path_type=Path),
    default=None,
    help=LANGUAGES_DIR_HELP + " (default: the one the run was filtered with)",
)
def thresholds_derive(run_dir: Path, lang: str, write: bool, languages_dir: Path | None) -> None:
    """Derive thresholds for one language from the filter statistics of RUN_DIR (roots/filters/derive.py)."""
    from roots.filters.thresholds import derive_for_run

    derived, config_path, provenance = derive_for_run(run_dir, lang, languages_dir, write)
    width = max(len(name) for name, _, _ in derived.as_rows())
    for name, value, how in derived.as_rows():
        click.echo(f"{name:<{width}}  {value:>8}  {how}")
    if write:
        click.echo(f"{config_path}: written (derived: true; provenance: {provenance})")
    else:
        click.echo(f"(not written; add --write to store these in {config_path})")


@click.group("languages")
def languages_group() -> None:
    """The language configs shipped with roots."""


@languages_group.command("export")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="replace configs that already exist in DEST")
def languages_export(dest: Path, overwrite: bool) -> None:
    """Copy the shipped <lang>.yaml configs into DEST, to edit them and run with --languages-dir DEST."""
    from roots.packaged import export_languages, languages_dir

    written = export_languages(dest, overwrite=overwrite)
    click.echo(f"{dest}: {len(written)} language configs copied from {languages_dir()}")
    click.echo(f"edit them, then run with --languages-dir {dest} (or filter.languages_dir: {dest})")


@click.group("quality")
def quality_group() -> None:
    """The model-based quality filter (filters.quality_score)."""


@quality_group.command("train")
@click.option(
    "--positive",
    "positive",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='good documents: jsonl ({"text": …}), Parquet, or a run\'s filter/kept folder (repeatable)',
)
@click.option(
    "--negative",
    "negative",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="bad documents, same forms (e.g. a run's filter/removed folder) (repeatable)",
)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="model file (.npz)"
)
@click.option(
    "--epochs",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="passes over the training sets",
)
@click.option(
    "--bits", type=click.IntRange(10, 24), default=18, show_default=True, help="2**bits hashed features"
)
def quality_train(
    positive: tuple[Path, ...], negative: tuple[Path, ...], out: Path, epochs: int, bits: int
) -> None:
    """Train the quality classifier offline from a positive and a negative set of documents."""
    from roots.filters.quality_model import read_texts, train

    good, bad = read_texts(positive), read_texts(negative)
    model = train(good, bad, bits=bits, epochs=epochs)
    model.save(out)
    click.echo(f"{out}: trained on {len(good)} positive and {len(bad)} negative documents")
    click.echo(f"use it in a language YAML: filters: {{quality_score: {{model: {out}, min: 0.5}}}}")


def register(cli: click.Group) -> None:
    """Add the ``lm``, ``thresholds``, ``quality`` and ``languages`` command groups to the ``roots`` command line."""
    cli.add_command(quality_group)
    cli.add_command(lm_group)
    cli.add_command(thresholds_group)
    cli.add_command(languages_group)
