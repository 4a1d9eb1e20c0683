"""Dedup helper commands: ``roots dedup params`` next to ``roots dedup RUN``.

``roots dedup`` becomes a group whose default subcommand is ``run``, so ``roots dedup RUN`` keeps working.
"""

from __future__ import annotations

from typing import Any

import click


class DefaultRunGroup(click.Group):
    """A group that treats an unknown first argument as the RUN_DIR of its ``run`` subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.command("params")
@click.option(
    "--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.8, show_default=True
)
@click.option("--num-perm", type=click.IntRange(min=1), default=128, show_default=True)
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
def params_cmd(threshold: float, num_perm: int, fp_weight: float, min_probability: float | None) -> None:
    """Choose MinHash LSH bands × rows for a Jaccard threshold (minimises weighted FP/FN area)."""
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
    run_cmd = cli.commands.pop("dedup")
    group = DefaultRunGroup(
        name="dedup",
        help=f"{run_cmd.help}\n\n`roots dedup RUN` is short for `roots dedup run RUN`.",
        short_help=run_cmd.short_help,
    )
    group.add_command(run_cmd, "run")
    group.add_command(params_cmd)
    cli.add_command(group)
