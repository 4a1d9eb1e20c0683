"""``roots demo``: build the embedded corpus, write its pipeline YAML, run every available stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from roots import packaged
from roots.atomic import write_text
from roots.config import configured_stages_of, load_pipeline, validate_pipeline
from roots.pipeline import run_stages
from roots.progress import is_quiet
from roots.summary import default_console, print_summary


def demo_sources(corpus: Any) -> list[dict[str, Any]]:
    """Sources of the demo corpus: one of each source type."""
    return [
        {
            "type": "hf",
            "name": "demo-hf",
            "path": str(corpus.hf_dir),
            "text_column": "text",
            "url_column": "url",
            "id_column": "id",
            "meta_columns": ["lang_hint"],
        },
        {"type": "warc", "name": "demo-crawl", "paths": [str(corpus.warc)]},
        {"type": "pdf", "name": "demo-pdf", "paths": [str(corpus.pdf_dir)]},
        {"type": "jsonl", "name": "demo-jsonl", "paths": [str(corpus.jsonl)]},
    ]


def run_demo(out: Path, overrides: dict[str, Any]) -> None:
    from roots.demo.corpus import build_demo_corpus

    console = default_console()
    out = out.resolve()
    corpus = build_demo_corpus(out / "corpus")
    pipeline: dict[str, Any] = {
        "run_dir": str(out / "run"),
        "sources": demo_sources(corpus),
        "filter": {"languages_dir": str(packaged.languages_dir())},
    }
    pipeline |= overrides
    pipeline_file = out / "pipeline.yaml"
    write_text(pipeline_file, yaml.safe_dump(pipeline, sort_keys=False, allow_unicode=True))
    config = load_pipeline(pipeline_file)
    if overrides:
        config = validate_pipeline(config.model_dump(mode="json") | overrides, pipeline_file)
    run = run_stages(config, configured_stages_of(config))
    from roots.export.demo import export_demo

    exported = export_demo(config, run, out)
    print_summary(run, console)
    if is_quiet():  # -q: only the line a training script needs
        if exported:
            console.print(f"--data-path {exported[1]}", soft_wrap=True)
        return
    console.print(f"\nDemo corpus: {out / 'corpus'}   pipeline: {pipeline_file}   run: {run.root}")
    if exported:
        console.print(f"Tokenizer: {exported[0]}\nMegatron --data-path {exported[1]}", soft_wrap=True)
    console.print(
        f"Open the dashboard:  [bold]roots dashboard {run.root}[/bold]  (then http://127.0.0.1:8501)"
    )
