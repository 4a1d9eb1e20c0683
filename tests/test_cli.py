"""The command line as a new user meets it: options generated from the config models, help text, -v/-q, exit
statuses, runs that work from any folder and after a move, one-line errors, and run folders named like commands."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from roots.cli import EXIT_SHARDS_FAILED, cli, main
from roots.sources.config import PdfSource, WarcSource
from tests.conftest import REPO, run_roots, write_jsonl_corpus


def _commands(group: click.Group, prefix: str = "roots") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix} {name}"))
    return out


# ---------------------------------------------------------------- options come from the models (#13.5, #22.7)
def test_every_option_of_every_command_has_help_text():
    missing = [
        f"{name} {param.opts[0]}"
        for name, command in _commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []


def test_every_command_has_verbose_and_quiet():
    for name, command in [("roots", cli), *_commands(cli)]:
        opts = {o for p in command.params for o in p.opts}
        assert {"-v", "--verbose", "-q", "--quiet"} <= opts, name


@pytest.mark.parametrize("kind, model", [("warc", WarcSource), ("pdf", PdfSource)])
def test_source_options_are_the_model_fields_with_their_defaults(kind, model):
    command = cli.commands["extract"].commands[kind]
    options = {p.name: p for p in command.params if isinstance(p, click.Option)}
    for name, field in model.model_fields.items():
        if name in ("type", "paths"):
            continue
        assert name in options, f"roots extract {kind} has no option for {name}"
        option = options[name]
        assert option.default in (None, ()), f"{name}: a second copy of the default in the CLI"
        assert field.description and field.description in option.help
        default = field.default
        if default is not None and not isinstance(default, bool | list) and field.default_factory is None:
            shown = f"{default:,}" if isinstance(default, int) and default >= 10_000 else str(default)
            assert f"[default: {shown}]" in option.help, (name, option.help)


def test_a_source_option_left_out_takes_the_model_default(tmp_path):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 3)
    assert main(["extract", "jsonl", str(corpus), "--out", str(tmp_path / "run"), "--workers", "1"]) == 0
    import yaml

    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["sources"][0]
    from roots.sources.config import JsonlSource

    assert saved["lines_per_shard"] == JsonlSource.model_fields["lines_per_shard"].default
    assert saved["text_key"] == "text"


def test_append_eod_is_an_option_as_the_readme_says():
    help_text = run_roots("export", "megatron", "--help").stdout
    assert "--append-eod / --no-append-eod" in help_text


# ---------------------------------------------------------------- -v / -q and exit statuses (#13.6)
def test_quiet_prints_no_summary_and_no_progress(tmp_path):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 5)
    loud = run_roots("extract", "jsonl", str(corpus), "--out", str(tmp_path / "a"), "--workers", "1")
    quiet = run_roots("extract", "jsonl", str(corpus), "--out", str(tmp_path / "b"), "--workers", "1", "-q")
    assert loud.returncode == quiet.returncode == 0
    assert "summary" in loud.stdout and "extract: 1 shard done" in loud.stderr
    assert quiet.stdout == "" and quiet.stderr == ""


def test_a_shard_that_fails_every_try_exits_with_its_own_status(tmp_path, capsys):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 5)
    run = tmp_path / "run"
    assert main(["extract", "jsonl", str(corpus), "--out", str(run), "--workers", "1"]) == 0
    (run / "extract" / "part-00000.parquet").write_bytes(b"not parquet")
    capsys.readouterr()
    status = main(["filter", str(run), "--workers", "1", "--shard-tries", "1"])
    err = capsys.readouterr().err
    assert status == EXIT_SHARDS_FAILED == 3
    errors = [line for line in err.splitlines() if line.startswith("roots: error:")]
    assert len(errors) == 1 and "Traceback" not in err
    assert "failed after 1 tries" in errors[0] and "run the same command again" in errors[0]


# ---------------------------------------------------------------- any folder, moved runs (#22.1)
def test_later_stages_work_from_any_folder_and_after_the_run_is_moved(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl_corpus(data / "docs.jsonl", 8)
    made = run_roots("extract", "jsonl", "docs.jsonl", "--out", "run1", "--workers", "1", cwd=data)
    assert made.returncode == 0, made.stderr
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    deduped = run_roots("dedup", str(data / "run1"), "--workers", "1", cwd=elsewhere)
    assert deduped.returncode == 0, deduped.stderr
    moved = tmp_path / "moved" / "run1"
    shutil.copytree(data / "run1", moved)
    shutil.rmtree(data)  # the inputs are gone: later stages must not need them
    exported = run_roots("export", "jsonl", "run1", "--workers", "1", cwd=moved.parent)
    assert exported.returncode == 0, exported.stderr
    assert list((moved / "export" / "jsonl").rglob("*.jsonl"))
    assert str(moved) in "".join(exported.stdout.split())  # the summary may wrap a long path


# ---------------------------------------------------------------- roots run checks everything first (#22.2, #22.3)
def _pipeline(tmp_path: Path, body: str) -> Path:
    write_jsonl_corpus(tmp_path / "docs.jsonl", 30)
    path = tmp_path / "pipeline.yaml"
    path.write_text(f"run_dir: run\nworkers: 1\nsources:\n  - {{type: jsonl, paths: [docs.jsonl]}}\n{body}")
    return path


@pytest.mark.parametrize(
    "body, key",
    [
        ("filter: {languages_dir: nowhere}\n", "filter.languages_dir = "),
        ("filter: {lid_model: missing.ftz}\n", "filter.lid_model = "),
        ("filter: null\ndedup: {languages_dir: nowhere}\n", "dedup.languages_dir = "),
        ("filter: null\ndedup: null\nexport: {format: megatron}\n", "export.tokenizer is not set"),
        ("filter: null\ndedup: null\nexport: {tokenizer: tok.json}\n", "export.tokenizer = "),
    ],
)
def test_roots_run_checks_every_setting_before_any_work(tmp_path, body, key):
    pipeline = _pipeline(tmp_path, body)
    result = run_roots("run", str(pipeline))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"roots: error: {pipeline}: ") and key in result.stderr
    assert result.stderr.count("\n") == 1 and "--" not in result.stderr.split(key)[0]
    assert not (tmp_path / "run").exists()


def test_one_roots_run_trains_the_tokenizer_and_prints_the_data_path(tmp_path):
    pipeline = _pipeline(
        tmp_path, "filter: null\ndedup: null\ntokenizer: {vocab_size: 300}\nexport: {format: megatron}\n"
    )
    first = run_roots("run", str(pipeline))
    assert first.returncode == 0, first.stderr
    run = tmp_path / "run"
    assert (run / "tokenizer" / "tokenizer.json").is_file()
    data_path = (run / "export" / "data_path.txt").read_text().strip()
    assert first.stdout.strip().splitlines()[-1] == f"--data-path {data_path}"
    assert main(["export", "validate", str(run / "export" / "und_text_document"), "--vocab-size", "300"]) == 0
    trained = [*(run / "tokenizer").iterdir(), run / "tokenizer_train.json"]
    before = {p: p.stat().st_mtime_ns for p in trained}
    again = run_roots("run", str(pipeline))
    assert again.returncode == 0, again.stderr
    assert "tokenizer: already trained" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in trained} == before


# ---------------------------------------------------------------- jsonl text key (#22.4)
def test_jsonl_without_the_text_key_is_one_line_naming_the_keys(tmp_path, capsys):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 4)
    status = main(["extract", "jsonl", str(corpus), "--text-key", "body", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "'body'" in err and "text, url" in err and str(corpus) in err


def test_jsonl_lines_missing_the_key_are_still_per_line_errors_and_text_column_is_an_alias(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"body": "one fine text"}\n{"title": "no body here"}\n{"body": "two"}\n')
    run = tmp_path / "r"
    assert main(["extract", "jsonl", str(corpus), "--text-column", "body", "--out", str(run)]) == 0
    stats = json.loads((run / "extract" / "stats.json").read_text())
    assert stats["totals"]["kept"]["docs"] == 2 and stats["totals"]["errors_total"]["docs"] == 1


def test_malformed_json_detail_says_at_column_once(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "fine"}\n{"text": "unterminated\n')
    assert main(["extract", "jsonl", str(corpus), "--out", str(tmp_path / "r")]) == 0
    detail = json.loads((tmp_path / "r" / "extract" / "errors.jsonl").read_text())["detail"]
    assert "at at" not in detail and "at column" in detail


# ---------------------------------------------------------------- no tracebacks (#22.5)
def test_hf_on_a_malformed_jsonl_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a"}\n{bad\n')
    result = run_roots("extract", "hf", str(bad), "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "roots extract jsonl" in result.stderr


def test_dashboard_with_an_impossible_port_is_one_line(tmp_path):
    result = run_roots("dashboard", str(tmp_path), "--port", "99999")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "99999" in result.stderr


def test_a_broken_run_config_is_one_line(tmp_path):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 3)
    run = tmp_path / "run"
    assert main(["extract", "jsonl", str(corpus), "--out", str(run), "--workers", "1"]) == 0
    with (run / "config.yaml").open("a") as handle:
        handle.write("filter: [\n")
    result = run_roots("dedup", str(run))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "config.yaml: not valid YAML at line" in result.stderr


def test_ctrl_c_while_extractor_children_run_is_one_line_that_says_how_to_resume(tmp_path):
    from roots.demo.corpus import build_demo_corpus

    corpus = build_demo_corpus(tmp_path / "corpus")
    run = tmp_path / "run"
    command = [sys.executable, "-m", "roots", "extract", "warc", str(corpus.warc), "--out", str(run)]
    command += ["--workers", "2", "--bytes-per-shard", "2000"]
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "ROOTS_PROGRESS": "0"},
    )
    markers = run / "extract" / "_done"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if markers.is_dir() and len(list(markers.iterdir())) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the extract finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert (
        err.strip().splitlines()[-1].startswith("roots: error: interrupted") and "run the same command" in err
    )
    resumed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr


# ---------------------------------------------------------------- a second extract (#22.6)
def test_a_second_extract_into_a_run_is_refused_unless_appended(tmp_path, capsys):
    first = write_jsonl_corpus(tmp_path / "a.jsonl", 4)
    second = write_jsonl_corpus(tmp_path / "b.jsonl", 6)
    run = tmp_path / "run"
    base = ["--out", str(run), "--workers", "1"]
    assert main(["extract", "jsonl", str(first), *base]) == 0
    assert main(["extract", "jsonl", str(first), *base]) == 0  # the same command again resumes
    capsys.readouterr()
    assert main(["extract", "jsonl", str(second), *base]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--append" in err
    stats = json.loads((run / "extract" / "stats.json").read_text())
    assert stats["totals"]["in"]["docs"] == 4
    assert main(["extract", "jsonl", str(second), *base, "--append"]) == 0
    stats = json.loads((run / "extract" / "stats.json").read_text())
    assert stats["totals"]["in"]["docs"] == 10


# ---------------------------------------------------------------- wording and width (#22.7)
def test_export_validate_wording(tmp_path, capsys):
    from roots.export.indexed import DatasetWriter

    writer = DatasetWriter(tmp_path / "d", 50)
    writer.add_document([1, 40], [2])
    writer.close()
    assert main(["export", "validate", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "1 document," in out and "1 sequence," in out and "2 tokens" in out
    assert main(["export", "validate", str(tmp_path / "d"), "--vocab-size", "3"]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" not in err and "outside the vocabulary [0, 3)" in err


def test_summary_table_fits_80_columns(tmp_path):
    from rich.console import Console

    from roots.layout import RunLayout
    from roots.summary import print_summary

    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 20)  # digits aside, every 7th text repeats
    assert main(["extract", "jsonl", str(corpus), "--out", str(tmp_path / "run"), "--workers", "1"]) == 0
    assert main(["dedup", str(tmp_path / "run"), "--workers", "1"]) == 0
    reasons = json.loads((tmp_path / "run" / "dedup" / "stats.json").read_text())["totals"]["removed"]
    assert reasons
    with open(os.devnull, "w") as sink:
        console = Console(width=80, record=True, file=sink)
        print_summary(RunLayout(tmp_path / "run"), console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # no header or reason cut short
    top = max(reasons, key=lambda reason: reasons[reason]["docs"])
    assert top in text and "lang" in text and "removed" in text


# ---------------------------------------------------------------- run folders named like commands (#22.7b)
@pytest.mark.parametrize("name", ["run", "params", "megatron"])
def test_a_run_folder_named_like_a_subcommand_is_a_folder(tmp_path, name):
    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 6)
    extracted = run_roots("extract", "jsonl", str(corpus), "--out", name, "--workers", "1", cwd=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    for command in (("dedup", name), ("export", "jsonl", name), ("export", "parquet", name)):
        result = run_roots(*command, "--workers", "1", cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
    assert (tmp_path / name / "dedup" / "stats.json").is_file()
    trained = run_roots("tokenizer", "train", name, "--vocab-size", "300", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / name / "tokenizer" / "tokenizer.json").is_file()


def test_demo_quiet_prints_only_the_data_path(tmp_path):
    result = run_roots("demo", "--out", str(tmp_path / "demo"), "-q")
    assert result.returncode == 0, result.stderr
    assert all(line.startswith("roots filter:") for line in result.stderr.splitlines())  # warnings only
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--data-path ")


def test_dedup_options_are_the_dedup_section_fields(tmp_path):
    import yaml

    corpus = write_jsonl_corpus(tmp_path / "c.jsonl", 6)
    run = tmp_path / "run"
    assert main(["extract", "jsonl", str(corpus), "--out", str(run), "--workers", "1"]) == 0
    assert main(["dedup", str(run), "--workers", "1", "--no-url", "--scope", "global"]) == 0
    saved = yaml.safe_load((run / "config.yaml").read_text())["dedup"]
    assert saved["url"] is False and saved["scope"] == "global" and saved["exact"] is True
