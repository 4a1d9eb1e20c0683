"""``roots dedup``: exact, URL, MinHash-LSH near-duplicate and repeated-line deduplication.

The work is a sequence of stages, each mapped over shards or partitions by any executor (local
processes or Ray), each resumable on its own:

1. ``dedup/_signatures`` per input shard: keys, signatures, band keys, line keys (partitioned), and the
   documents' shingle sets (for exact verification);
2. ``dedup/_lines`` per key partition: lines repeated in many documents of a site (templates);
3. ``dedup/_buckets`` per key partition: equal keys → candidate edges;
4. ``dedup/_pairs_a`` / 5. ``dedup/_pairs_b`` per input shard: both shingle sets (or signatures) →
   verified edges, pairs;
6. ``dedup/_cc_NNN`` per node partition: connected components, round after round until converged;
7. ``dedup/_members`` / 8. ``dedup/_assign`` per partition: one kept document per cluster;
9. ``dedup`` per input shard: kept/removed documents, then the report and ``pairs.parquet``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from roots.config import PipelineConfig
from roots.dedup.apply import ApplyStage
from roots.dedup.buckets import BucketStep, LineStep
from roots.dedup.components import UNSETTLED, AssignStep, ComponentRound, MembersStep
from roots.dedup.config import DedupStageConfig
from roots.dedup.languages import configured_segmenters
from roots.dedup.pairs import PairsFirstStep, PairsSecondStep, cc_partitions
from roots.dedup.plan import DedupPlan, input_files
from roots.dedup.signatures import SignatureStep
from roots.dedup.tables import count_rows
from roots.errors import UserError
from roots.executors import Executor, run_stage
from roots.inputs import stage_up_to_date
from roots.layout import RunLayout
from roots.progress import stderr_console
from roots.storage import is_remote, remove_tree

log = logging.getLogger(__name__)

MAX_ROUNDS = 200
TRASH = ".trash-"


def languages_dir(config: PipelineConfig) -> Path | None:
    """The folder of language YAMLs (for segmenters): dedup's own, else the filter stage's, else none."""
    dedup = config.dedup or DedupStageConfig()
    if dedup.languages_dir:
        path = Path(dedup.languages_dir).expanduser()
        if not path.is_dir():
            raise UserError(
                f"dedup.languages_dir = {dedup.languages_dir!r}: folder not found; "
                "set it to a folder of <lang>.yaml files such as configs/languages"
            )
        return path
    if config.filter:
        from roots.filters.stage import resolve_languages_dir

        try:
            return resolve_languages_dir(config.filter.languages_dir)
        except UserError:
            return None  # the filter stage reports it; dedup then shingles without segmenters (and says so)
    return None


def make_plan(config: PipelineConfig, run: RunLayout) -> DedupPlan:
    dedup = config.dedup or DedupStageConfig()
    stage, paths = input_files(run)
    bands, rows = dedup.minhash.band_layout()
    return DedupPlan(
        config=dedup,
        inputs=tuple(str(p) for p in paths),
        input_stage=stage,
        input_rows=count_rows(paths),
        segmenters=configured_segmenters(languages_dir(config), dedup.minhash.use_segmenters),
        bands=bands,
        rows=rows,
    )


def _print_fallbacks(run: RunLayout, dplan: DedupPlan) -> None:
    """Say which languages could not use their configured segmenter (also in stats.json ``extra.shingles``)."""
    from roots.dedup.report import shingle_notes

    for lang, text in shingle_notes(run, dplan).items():
        if "unavailable" in text:
            stderr_console.print(f"dedup: {lang}: {text}", markup=False, highlight=False)


def remove_intermediate(run: RunLayout) -> None:
    """Delete the working files of every step. Each step folder is first renamed away (one atomic step), so
    a kill during the cleanup never leaves a step's completion markers without its data."""
    root = run.stage("dedup").path
    if not root.is_dir():
        return
    for path in sorted(root.glob("_*")):
        if path.is_dir() and path.name not in ("_done", "_errors"):
            if is_remote(path):  # no rename on object stores: the markers go first, then the data
                remove_tree(path / "_done", ignore_errors=True)
                remove_tree(path)
            else:
                path.rename(root / f"{TRASH}{path.name}")
    for path in sorted(root.glob(f"{TRASH}*")):
        remove_tree(path)


def stage_for(config: PipelineConfig, run: RunLayout) -> ApplyStage:
    """The dedup stage proper (its last step): what ``roots explain`` looks at."""
    return ApplyStage(make_plan(config, run), partitions=None)


def run(config: PipelineConfig, run: RunLayout, executor: Executor) -> None:
    """Deduplicate the run's filtered documents (or extracted ones if the run has no filter output)."""
    dplan = make_plan(config, run)
    if dplan.input_stage == "extract":
        stderr_console.print(f"dedup: {run.root} has no filter output; deduplicating extract/ shards")
    if stage_up_to_date(ApplyStage(dplan, partitions=None), run):
        log.info("dedup: already done (no input changed)")
        if not dplan.config.keep_intermediate:
            remove_intermediate(run)  # what a cleanup that was killed left
        return
    run_stage(SignatureStep(dplan), run, executor)
    _print_fallbacks(run, dplan)
    if dplan.config.repeated_lines.enabled:
        run_stage(LineStep(dplan), run, executor)
    run_stage(BucketStep(dplan), run, executor)
    run_stage(PairsFirstStep(dplan), run, executor)
    partitions = cc_partitions(run, dplan)
    run_stage(PairsSecondStep(dplan, partitions), run, executor)
    for round_index in range(MAX_ROUNDS):
        stats = run_stage(ComponentRound(dplan, partitions, round_index), run, executor)
        if not stats.skipped.get(UNSETTLED):
            break
    else:
        raise RuntimeError(
            f"dedup: connected components did not converge in {MAX_ROUNDS} rounds; this is a bug in roots"
        )
    run_stage(MembersStep(dplan, partitions, round_index), run, executor)
    run_stage(AssignStep(dplan, partitions), run, executor)
    final = ApplyStage(dplan, partitions)
    run_stage(final, run, executor)
    if not dplan.config.keep_intermediate:
        remove_intermediate(run)
