"""Configuration of the export stage (the ``export:`` section of a pipeline YAML)."""

from __future__ import annotations

from roots.configbase import StrictModel


class ExportStageConfig(StrictModel):
    pass
