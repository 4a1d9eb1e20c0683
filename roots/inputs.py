"""What a stage's output depends on, and the one place that decides skip, redo and invalidate.

A stage declares its inputs (``Stage.inputs`` for every shard, ``Stage.shard_inputs`` for one shard) as
named values: a configuration section (any JSON value), a file it reads (a ``Path``: language config,
word list, model), or the output of an earlier stage (``Upstream``: a whole stage or one of its shards).
The shard's task payload is an input too. This module turns a declaration into named identities (short
digests) and a shard's fingerprint into a digest of those, with no state kept anywhere but in the
shards' completion markers, which record both.

Decisions, all here:

* a shard is done when its marker holds the fingerprint of its current inputs (``plan_work``);
* a stage is up to date when every shard is done and its ``stats.json`` exists: it is not run at all
  (no shard, no ``finalize``, no file written);
* a stage with work to do first deletes its own ``stats.json`` and those of every later stage
  (``invalidate``), so that nothing downstream looks finished while its input changes;
* a stage refuses to read an earlier stage that started and has not finished.

``explain`` (``roots explain RUN STAGE``) names, per shard, the inputs that changed since it ran.

Identities: a configuration value is a digest of its canonical JSON; a file up to ``HASHED_FILE_BYTES``
is a digest of its bytes, a larger one (a big model) its size and modification time; a shard written by
a roots stage is the fingerprint in its marker (so identities chain from the sources to the export
without re-reading data); files written by other tools (a stage folder without ``_done/`` markers) are
digests of their bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

from roots.errors import UserError
from roots.layout import STAGES, RunLayout, StageDir

if TYPE_CHECKING:
    from roots.stage import ShardTask, Stage

HASHED_FILE_BYTES = 64 << 20
TASK = "task"
NOT_RUN = "not run yet"


@dataclass(frozen=True)
class Upstream:
    """The output of an earlier stage folder (``extract``, ``filter``, ``dedup/_signatures`` …):
    the whole stage, or only its shard ``shard``."""

    stage: str
    shard: int | None = None


def digest(value: Any) -> str:
    return xxhash.xxh3_64_hexdigest(json.dumps(value, sort_keys=True, default=str).encode())


def file_identity(path: Path, name: str = "") -> str:
    """A file's bytes (or, above ``HASHED_FILE_BYTES``, its size and modification time)."""
    try:
        st = path.stat()
    except OSError:
        what = f" ({name})" if name else ""
        raise UserError(f"{path}: file not found{what}; fix the path in the configuration") from None
    if st.st_size > HASHED_FILE_BYTES:
        return f"size={st.st_size}:mtime={st.st_mtime_ns}"
    hasher = xxhash.xxh3_64()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def _recorded(marker: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and "fingerprint" in data else None


def _shard_files(sdir: StageDir, index: int) -> list[Path]:
    name = f"part-{index:05d}."
    return sorted(p for p in [*sdir.path.glob(f"{name}*"), *sdir.path.glob(f"*/{name}*")] if p.is_file())


def require_finished(run: RunLayout, stage: str, reader: str) -> StageDir:
    """The folder of an earlier stage that ``reader`` reads; refused if that stage never ran, or started
    and has not finished (a folder of shards that no roots stage wrote, without ``_done/``, is taken as is)."""
    sdir = StageDir(run.root / stage)
    top = stage.split("/")[0]
    if not sdir.path.is_dir():
        raise UserError(
            f"{run.root}: the {top} stage has not run (no {stage}/); run `roots {top} …` on this run "
            f"(or `roots run`) before {reader}"
        )
    if (sdir.path / "_done").is_dir() and not sdir.stats.exists():
        raise UserError(
            f"{run.root}: the {top} stage has not finished (no {stage}/stats.json); run the same "
            f"`roots {top} …` (or `roots run`) again to finish it before {reader}"
        )
    return sdir


def upstream_identity(run: RunLayout, upstream: Upstream, reader: str) -> str:
    """The identity of an earlier stage's output (refused if that stage started and did not finish)."""
    sdir = StageDir(run.root / upstream.stage)
    if not sdir.path.is_dir() and upstream.shard is None:
        return "absent"
    require_finished(run, upstream.stage, reader)
    roots_written = (sdir.path / "_done").is_dir()
    if upstream.shard is not None:
        if roots_written:
            recorded = _recorded(sdir.marker(upstream.shard))
            if recorded is None:
                raise UserError(
                    f"{sdir.marker(upstream.shard)}: missing or unreadable; run "
                    f"`roots {upstream.stage.split('/')[0]} {run.root}` again to redo that shard"
                )
            return str(recorded["fingerprint"])
        files = _shard_files(sdir, upstream.shard)
    else:
        if roots_written:
            markers = sorted((sdir.path / "_done").glob("part-*.json"))
            return digest([[m.name, (_recorded(m) or {}).get("fingerprint")] for m in markers])
        files = sorted(p for p in [*sdir.path.glob("part-*"), *sdir.path.glob("*/part-*")] if p.is_file())
    return digest([[str(p.relative_to(sdir.path)), file_identity(p)] for p in files])


def identity(run: RunLayout, name: str, value: Any, reader: str) -> str:
    if isinstance(value, Upstream):
        return upstream_identity(run, value, reader)
    if isinstance(value, Path):
        return file_identity(value, name)
    return digest(_relative(value, run))


def fingerprint(components: Mapping[str, str]) -> str:
    return digest(dict(components))


@dataclass
class Work:
    """A stage's shards against what their markers recorded: which are done, which must run and why."""

    tasks: list[ShardTask]
    inputs: dict[int, dict[str, str]]  # shard -> named input identities
    done: dict[int, dict[str, Any]]  # shard -> its recorded stats
    reasons: dict[int, list[str]] = field(default_factory=dict)  # shard to run -> changed inputs

    @property
    def todo(self) -> list[ShardTask]:
        return [t for t in self.tasks if t.index not in self.done]

    def why(self) -> str:
        """One line: how many shards must run and which inputs changed, most frequent first."""
        counts = Counter(reason for reasons in self.reasons.values() for reason in reasons)
        parts = [f"{name} ({n})" if n != len(self.todo) else name for name, n in counts.most_common(4)]
        more = f", and {len(counts) - 4} more" if len(counts) > 4 else ""
        return ", ".join(parts) + more


def _relative(value: Any, run: RunLayout) -> Any:
    """Paths inside the run folder as ``RUN/…``: a run folder that is moved or copied stays up to date."""
    if isinstance(value, dict):
        return {k: _relative(v, run) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_relative(v, run) for v in value]
    if isinstance(value, str):
        for root in (f"{run.root.absolute()}/", f"{run.root}/"):
            if value.startswith(root):
                return "RUN/" + value[len(root) :]
    return value


def shard_inputs(stage: Stage, run: RunLayout, tasks: list[ShardTask]) -> dict[int, dict[str, str]]:
    """Every shard's named input identities: the stage's shared inputs, the shard's own, its payload."""
    reader = stage.subdir.split("/")[0]
    shared = {name: identity(run, name, value, reader) for name, value in stage.inputs(run).items()}
    out: dict[int, dict[str, str]] = {}
    for task in tasks:
        own = {name: identity(run, name, v, reader) for name, v in stage.shard_inputs(task).items()}
        out[task.index] = {**shared, **own, TASK: digest(_relative(dict(task.payload), run))}
    return out


def changed_inputs(recorded: dict[str, Any] | None, current: Mapping[str, str]) -> list[str]:
    """The inputs whose identity differs from the marker's (``not run yet`` without a marker)."""
    if recorded is None:
        return [NOT_RUN]
    before = recorded.get("inputs") or {}
    names = sorted(set(before) | set(current))
    changed = [n for n in names if before.get(n) != current.get(n)]
    return changed or ["inputs recorded by an older roots"]


def plan_work(stage: Stage, run: RunLayout, tasks: list[ShardTask], sdir: StageDir) -> Work:
    """Which shards are done (marker with the current fingerprint) and why the others must run."""
    inputs = shard_inputs(stage, run, tasks)
    work = Work(tasks, inputs, {})
    for task in tasks:
        recorded = _recorded(sdir.marker(task.index))
        current = inputs[task.index]
        if recorded is not None and recorded["fingerprint"] == fingerprint(current):
            work.done[task.index] = recorded["stats"]
        else:
            work.reasons[task.index] = changed_inputs(recorded, current)
    return work


def up_to_date(work: Work, sdir: StageDir) -> bool:
    """Nothing to run: every shard done and the stage's ``stats.json`` written after them."""
    return not work.reasons and sdir.stats.exists()


def stage_up_to_date(stage: Stage, run: RunLayout) -> bool:
    """Whether ``stage`` on ``run`` has nothing to do (as ``run_stage`` would find), without running it."""
    sdir = stage.output_dir(run)
    if not sdir.stats.exists():
        return False
    return up_to_date(plan_work(stage, run, stage.plan(run), sdir), sdir)


def invalidate(stage: Stage, run: RunLayout, sdir: StageDir) -> None:
    """The stage will change its output: it and every later stage are not finished until they run again.

    Deletes the stage's ``stats.json``, its pipeline stage's, and those of every later stage (and of their
    sub-steps, e.g. ``export/_parquet``)."""
    sdir.stats.unlink(missing_ok=True)
    top = stage.subdir.split("/")[0]
    if top not in STAGES:
        return
    run.stage(top).stats.unlink(missing_ok=True)
    for name in STAGES[STAGES.index(top) + 1 :]:
        later = run.stage(name)
        for path in [later.stats, *later.path.glob("*/stats.json")]:
            path.unlink(missing_ok=True)


def explain(stage: Stage, run: RunLayout) -> list[str]:
    """Lines saying, for ``stage`` on ``run``, whether it is up to date and which inputs changed per shard."""
    sdir = stage.output_dir(run)
    tasks = stage.plan(run)
    work = plan_work(stage, run, tasks, sdir)
    name = stage.display_name
    if up_to_date(work, sdir):
        return [f"{name}: up to date ({len(tasks)} shard(s); no input changed since they ran)"]
    if not work.reasons:
        return [f"{name}: every shard is done; the final step (stats.json) has not run yet"]
    lines = [f"{name}: {len(work.todo)} of {len(tasks)} shard(s) would run: {work.why()}"]
    for index, reasons in sorted(work.reasons.items()):
        lines.append(f"  shard {index}: {', '.join(reasons)}")
    return lines
