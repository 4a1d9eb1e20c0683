"""``roots dedup-params``: choose MinHash LSH bands × rows (``roots dedup RUN`` itself is in ``roots/cli.py``).

It is its own command, not ``roots dedup params``: a run folder named ``params`` (or ``run``) must never be taken
for a subcommand.
"""

from __future__ import annotations

from typing import Any

import click

from roots.cliopts import model_options
from roots.dedup.config import MinHashConfig


@click.command("dedup-params")
@model_options(MinHashConfig, "minhash", only=("threshold", "num_perm"))
@click.option(
    "--fp-weight",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="weight of false positives (false negatives get 1 - this); lower it to favour recall",
)
@click.option(
    "--min-probability",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    help="instead: the least false-positive area with P(candidate | threshold) at least this "
    "(the stage's choice with exact verification: 0.99)",
)
def params_cmd(minhash: dict[str, Any], fp_weight: float, min_probability: float | None) -> None:
    """Choose MinHash LSH bands × rows for a Jaccard threshold (minimises weighted FP/FN area)."""
    config = MinHashConfig.model_validate(minhash)
    threshold, num_perm = config.threshold, config.num_perm
    from roots.dedup.params import bands_rows_for_probability, describe, optimal_bands_rows

    if min_probability is not None:
        choice = bands_rows_for_probability(threshold, num_perm, min_probability)
    else:
        choice = optimal_bands_rows(threshold, num_perm, fp_weight, 1 - fp_weight)
    for line in describe(choice, threshold):
        click.echo(line)
    click.echo(
        f"pipeline YAML:  dedup: {{minhash: {{num_perm: {num_perm}, bands: {choice.bands}, rows: {choice.rows}}}}}"
    )


def register(cli: Any) -> None:
    cli.add_command(params_cmd)
