"""The shipped example pipeline stays valid against the configuration schema."""

from pathlib import Path

import yaml

from roots.config import PipelineConfig, configured_stages_of
from tests.conftest import REPO


def test_example_pipeline_validates_and_configures_every_stage():
    data = yaml.safe_load((REPO / "configs" / "pipeline.example.yaml").read_text(encoding="utf-8"))
    config = PipelineConfig.model_validate(data)
    assert {s.type for s in config.sources} == {"hf", "warc", "pdf", "jsonl"}
    assert configured_stages_of(config) == ["extract", "filter", "dedup", "export"]
    assert Path(REPO / "configs" / data["filter"]["languages_dir"]).is_dir()
