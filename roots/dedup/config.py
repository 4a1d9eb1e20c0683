"""Configuration of the dedup stage (the ``dedup:`` section of a pipeline YAML)."""

from __future__ import annotations

from roots.configbase import StrictModel


class DedupStageConfig(StrictModel):
    pass
