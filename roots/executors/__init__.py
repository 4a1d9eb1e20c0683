"""Executors map a stage over its shards; a stage never knows which executor runs it."""

from __future__ import annotations

from roots.errors import UserError
from roots.executors.base import Executor, run_stage
from roots.executors.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor", "make_executor", "run_stage"]


def make_executor(
    name: str = "local", workers: int | None = None, ray_address: str | None = None
) -> Executor:
    """Build the executor named on the command line or in the pipeline YAML."""
    if name == "local":
        return LocalExecutor(workers)
    if name == "ray":
        try:
            from roots.executors.ray import RayExecutor
        except ImportError as exc:
            raise UserError(
                f"--executor ray needs Ray: install it with `pip install 'roots[ray]'` ({exc.name} is missing)"
            ) from exc
        return RayExecutor(workers, address=ray_address)
    raise UserError(f"unknown executor {name!r}; use 'local' or 'ray'")
