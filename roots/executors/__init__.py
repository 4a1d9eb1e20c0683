"""Executors map a stage over its shards; a stage never knows which executor runs it."""

from __future__ import annotations

from roots.errors import UserError
from roots.executors.base import DEFAULT_TRIES, Executor, ShardsFailed, TaskFailure, run_stage
from roots.executors.local import LocalExecutor

__all__ = [
    "DEFAULT_TRIES",
    "Executor",
    "LocalExecutor",
    "ShardsFailed",
    "TaskFailure",
    "make_executor",
    "run_stage",
]


def make_executor(
    name: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    *,
    tries: int = DEFAULT_TRIES,
    ray_num_cpus: float = 1.0,
    ray_memory_gb: float | None = None,
) -> Executor:
    """Build the executor named on the command line or in the pipeline YAML.

    ``tries``: runs of a shard (first included) before it is recorded as failed; ``ray_num_cpus`` and
    ``ray_memory_gb``: what Ray reserves for each shard task.
    """
    if name == "local":
        return LocalExecutor(workers, tries=tries)
    if name == "ray":
        try:
            from roots.executors.ray import RayExecutor
        except ImportError as exc:
            raise UserError(
                f"--executor ray needs Ray: install it with `pip install 'roots[ray]'` ({exc.name} is missing)"
            ) from exc
        return RayExecutor(
            workers, address=ray_address, tries=tries, num_cpus=ray_num_cpus, memory_gb=ray_memory_gb
        )
    raise UserError(f"unknown executor {name!r}; use 'local' or 'ray'")
