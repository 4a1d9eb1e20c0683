"""The dashboard's pure parts: re-counting, document choice, YAML saving, run reading, launching."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from roots.atomic import write_json, write_parquet, write_text
from roots.errors import UserError
from roots.filters import yamledit
from roots.filters.catalog import FILTERS as FILTER_SPECS
from roots.filters.decide import first_failing_filter
from roots.filters.language_config import FILTER_ORDER, Filters
from roots.filters.registry import LanguageRegistry
from roots.layout import RunLayout
from roots.stats import StageStats
from roots.visualizer import examples, rundata, yamlsave
from roots.visualizer.filterdata import load_filter_data
from roots.visualizer.launch import check_port, check_run, streamlit_command
from roots.visualizer.tuning import (
    KEPT,
    LanguageColumns,
    Setting,
    failing_only,
    failure_masks,
    filters_with,
    reason_codes,
    reason_name,
    recount,
    settings_from_filters,
)
from tests.conftest import REPO, run_roots
from tests.dashboard_fixtures import SW_YAML

SHIPPED = REPO / "configs" / "languages"


def random_columns(n: int, seed: int = 0) -> LanguageColumns:
    rng = np.random.default_rng(seed)
    columns = {spec.column: rng.random(n) for spec in FILTER_SPECS}
    columns["number_words"] = rng.integers(0, 200, n).astype(np.float64)
    columns["perplexity"] = rng.random(n) * 5000
    for column in ("stopwords_ratio", "perplexity"):
        columns[column][rng.random(n) < 0.2] = np.nan  # missing statistics pass
    return LanguageColumns(columns, rng.integers(1, 5000, n))


SETTINGS = [
    {},
    {
        "number_words": Setting(True, 30, 150),
        "stopwords": Setting(True, 0.3),
        "perplexity": Setting(True, None, 2500),
    },
    {"character_repetition": Setting(False, None, 0.1), "lang_id": Setting(True, 0.9)},
    {"number_words": Setting(True, 120, 50)},  # min above max while a slider moves: everything fails
]


@pytest.mark.parametrize("changes", SETTINGS)
def test_recount_agrees_with_the_filter_stage_decision(changes: dict[str, Setting]) -> None:
    data = random_columns(5_000)
    settings = settings_from_filters(Filters()) | changes
    result = recount(data, settings)
    stage = first_failing_filter(dict(data.columns), filters_with(Filters(), settings))
    assert [reason_name(c) if c != KEPT else None for c in result.reasons] == list(stage)
    assert result.kept.docs == sum(r is None for r in stage)
    # the waterfall adds up, in documents and characters
    assert result.kept.docs + sum(c.docs for c in result.sequence.values()) == result.total.docs == 5_000
    assert result.kept.chars + sum(c.chars for c in result.sequence.values()) == int(data.chars.sum())
    for name in settings:
        assert result.alone[name] >= result.sequence[name].docs
        if not settings[name].enabled:
            assert result.alone[name] == 0


def test_settings_round_trip_and_keep_other_filter_keys() -> None:
    filters = Filters.model_validate(
        {"character_repetition": {"n": 3, "variant": "fixed"}, "stopwords": {"list": None}}
    )
    settings = settings_from_filters(filters)
    assert settings["number_words"] == Setting(True, 10.0, 100000.0)
    assert settings["stopwords"] == Setting(True, 0.1, None)
    changed = filters_with(filters, settings | {"number_words": Setting(False, 12.4, 900.0)})
    assert changed.number_words.model_dump() == {"enabled": False, "min": 12, "max": 900}
    assert changed.character_repetition.n == 3 and changed.character_repetition.variant == "fixed"
    assert changed.stopwords.list is None


def test_stored_drop_reasons_become_codes() -> None:
    codes = reason_codes(pa.chunked_array([["stopwords", None], ["number_words", "something_else"]]))
    assert codes.tolist() == [FILTER_ORDER.index("stopwords"), KEPT, 0, len(FILTER_ORDER)]
    assert [reason_name(int(c)) for c in codes] == ["stopwords", "kept", "number_words", "other"]


def test_margin_picks_the_nearest_documents_on_each_side() -> None:
    values = np.array([0.5, 0.31, 0.29, np.nan, 0.3, 0.1, 0.31, 0.9])
    removed, kept = examples.margin(values, "max", 0.3, k=2)
    assert removed.tolist() == [1, 6]  # 0.31 twice, ties in position order
    assert kept.tolist() == [4, 2]  # 0.3 (kept: not above the maximum), then 0.29
    removed, kept = examples.margin(values, "min", 0.3, k=1)
    assert removed.tolist() == [2] and kept.tolist() == [4]


def test_histogram_counts_every_document_once() -> None:
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.random(990), [50.0] * 5, [np.nan] * 5])
    hist = examples.histogram(values)
    assert int(hist.counts.sum()) + hist.above + hist.missing == values.size
    assert hist.missing == 5 and hist.above >= 5
    words = examples.histogram(rng.integers(0, 1000, 2000).astype(float), integer=True)
    assert np.all(np.diff(words.edges) == np.diff(words.edges)[0]) and float(words.edges[0]).is_integer()


def test_samples_and_documents_failing_only_one_filter() -> None:
    idx = np.arange(100)
    assert examples.sample(idx, 5).tolist() == examples.sample(idx, 5).tolist()
    assert examples.sample(idx[:3], 5).tolist() == [0, 1, 2]
    data = random_columns(2_000)
    settings = settings_from_filters(Filters())
    result = recount(data, settings)
    masks = failure_masks(data, settings)
    for name in settings:
        others = np.zeros(data.size, bool)
        for other, mask in masks.items():
            if other != name:
                others |= mask
        expected = np.flatnonzero(masks[name] & ~others) if name in masks else np.empty(0, int)
        assert failing_only(result, name).tolist() == expected.tolist()


# ---------------------------------------------------------------- saving thresholds
@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.stem)
def test_saving_unchanged_thresholds_only_clears_derived(path: Path) -> None:
    file = yamledit.language_file(path.parent, path.stem)
    config = yamledit.parse_config(file.text, path)
    diff = yamledit.diff_text(file, yamlsave.updated_text(file, settings_from_filters(config.filters)))
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == (["-derived: true", "+derived: false"] if config.derived else [])


def test_saving_changes_only_what_moved_and_keeps_comments(tmp_path: Path) -> None:
    write_text(tmp_path / "sw.yaml", SW_YAML)
    file = yamledit.language_file(tmp_path, "sw")
    settings = settings_from_filters(yamledit.parse_config(file.text, file.path).filters)
    settings |= {"number_words": Setting(True, 12.0, 100000.0), "lang_id": Setting(False, 0.5)}
    new = yamlsave.updated_text(file, settings)
    config = yamledit.save(file, new)
    text = (tmp_path / "sw.yaml").read_text(encoding="utf-8")
    assert text == new
    assert "    min: 12   # fewer words than this: removed\n" in text
    assert (
        "  lang_id:\n    min: 0.5\n    enabled: false\n  # no KenLM model for Swahili yet\n  perplexity:\n"
        in text
    )
    assert "  # no KenLM model for Swahili yet\n" in text and "    list: null\n" in text
    assert config.derived is False and config.filters.lang_id.enabled is False


def test_a_language_without_a_yaml_gets_one_from_default_yaml(tmp_path: Path) -> None:
    for name in ("default.yaml", "en.yaml"):
        write_text(tmp_path / name, (SHIPPED / name).read_text(encoding="utf-8"))
    file = yamledit.language_file(tmp_path, "tw")
    assert not file.exists and "default.yaml" in file.origin
    settings = settings_from_filters(yamledit.parse_config(file.text, file.path).filters)
    new = yamlsave.updated_text(file, settings | {"stopwords": Setting(True, 0.05)})
    assert yamledit.diff_text(file, new).startswith("--- /dev/null\n+++ tw.yaml (after saving)\n")
    yamledit.save(file, new)
    loaded = LanguageRegistry(tmp_path).get("tw")  # the filter stage accepts it as tw's own config
    assert not loaded.fallback and loaded.config.language_id.label == "tw"
    assert loaded.config.filters.stopwords.min == 0.05


def test_thresholds_that_do_not_validate_are_refused(tmp_path: Path) -> None:
    write_text(tmp_path / "sw.yaml", SW_YAML)
    file = yamledit.language_file(tmp_path, "sw")
    settings = settings_from_filters(yamledit.parse_config(file.text, file.path).filters)
    new = yamlsave.updated_text(file, settings | {"number_words": Setting(True, 500.0, 100.0)})
    with pytest.raises(
        UserError, match=r"sw\.yaml: filters\.number_words.*min \(500\) must not exceed max \(100\)"
    ):
        yamledit.save(file, new)
    assert (tmp_path / "sw.yaml").read_text(encoding="utf-8") == SW_YAML


# ---------------------------------------------------------------- reading a run
def test_run_reading_is_defensive(tmp_path: Path) -> None:
    run = RunLayout(tmp_path / "run")
    stats = StageStats()
    stats.add_in("sw", 100, docs=4)
    stats.add_kept("sw", 50, docs=2)
    stats.add_removed("sw", "stopwords", 30)
    stats.add_error("sw", "statistics_failed", 20)
    write_json(run.stage("filter").stats, {"stage": "filter", **stats.to_dict()})
    write_text(run.stage("dedup").stats, "{not json")  # a half-written file is ignored
    write_text(
        run.stage("filter").errors,
        '{"stage": "filter", "source": "s", "locator": "a#1", "reason": "statistics_failed", "detail": "d"}\nnot json\n',
    )
    stats_by_stage = rundata.stage_stats(run)
    assert list(stats_by_stage) == ["filter"]
    assert rundata.funnel_rows(stats_by_stage) == [
        {"language": "sw", "step": "2 given to the filters", "documents": 4, "characters": 100},
        {"language": "sw", "step": "3 kept by the filters", "documents": 2, "characters": 50},
    ]
    rows = {
        (r["outcome"], r["reason"]): r["share of stage input"] for r in rundata.removal_rows(stats_by_stage)
    }
    assert rows == {("removed", "stopwords"): 0.25, ("error", "statistics_failed"): 0.25}
    assert [(r["source"], r["errors"]) for r in rundata.error_rows(run, ["filter", "dedup"])] == [("s", 1)]
    assert rundata.dedup_report(stats_by_stage) == {}
    assert rundata.histogram_rows({"10": 1, "2": 5, "x": 3}) == [
        {"cluster size": 2, "clusters": 5},
        {"cluster size": 10, "clusters": 1},
    ]


def test_languages_dir_comes_from_the_option_then_the_last_filter_run_then_the_config(tmp_path: Path) -> None:
    run = RunLayout(tmp_path / "run")
    from roots.packaged import languages_dir

    assert rundata.run_languages_dir(run) == languages_dir()  # the configs shipped with roots
    write_text(run.config, "run_dir: x\nfilter:\n  languages_dir: /from/config\n")
    assert rundata.run_languages_dir(run) == Path("/from/config")
    used = tmp_path / "used"
    used.mkdir()
    write_json(run.stage("filter").stats, {"languages": {}, "extra": {"languages_dir": str(used)}})
    assert rundata.run_languages_dir(run) == used
    assert rundata.run_languages_dir(run, tmp_path / "option") == tmp_path / "option"


def test_filter_data_loads_statistics_and_fetches_rows_across_row_groups(tmp_path: Path) -> None:
    run = RunLayout(tmp_path / "run")
    n = 23_000  # more than two Parquet row groups of 10,000 rows
    texts = [f"doc {i} " + "x" * (i % 7) for i in range(n)]
    table = pa.table(
        {
            "id": [str(i) for i in range(n)],
            "text": texts,
            "lang": ["sw" if i % 2 else None for i in range(n)],
            "number_words": pa.array(range(n), pa.int64()),
            "drop_reason": [None if i % 3 else "number_words" for i in range(n)],
        }
    )
    write_parquet(run.stage("filter").part(0, "kept"), table.slice(0, 20_000))
    write_parquet(run.stage("filter").part(1, "removed"), table.slice(20_000))
    data = load_filter_data(run)
    assert data is not None and data.size == n
    assert data.language_counts() == {"und": n // 2, "sw": n // 2}
    assert np.isnan(data.columns["stopwords_ratio"]).all()  # a column the shards lack is missing, not 0
    sw = data.language("sw")
    assert sw.data.columns["number_words"][:3].tolist() == [1, 3, 5]
    assert sw.data.chars[:2].tolist() == [len(texts[1]), len(texts[3])]
    wanted = [22_999, 5, 15_001, 10_000]
    assert [r["id"] for r in data.fetch(wanted, ["id"])] == [str(i) for i in wanted]
    assert [r["text"] for r in data.fetch([12_345])] == [texts[12_345]]


# ---------------------------------------------------------------- launching
def test_streamlit_command_binds_locally_and_passes_the_run(tmp_path: Path) -> None:
    command = streamlit_command(tmp_path, port=8123, host="127.0.0.1", languages_dir=tmp_path / "langs")
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("app.py")
    options = dict(zip(command[5:17:2], command[6:17:2], strict=True))
    assert options == {
        "--server.headless": "true",
        "--server.address": "127.0.0.1",
        "--server.port": "8123",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "minimal",
        "--server.enableStaticServing": "true",  # the fonts
    }
    assert command[17:] == [
        "--",
        "--run",
        str(tmp_path.resolve()),
        "--languages-dir",
        str((tmp_path / "langs").resolve()),
    ]
    from roots.visualizer.app_args import parse_args

    assert parse_args(command[18:]) == (tmp_path.resolve(), (tmp_path / "langs").resolve())


def test_launch_checks_the_run_and_the_port(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="run directory not found"):
        check_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no stage output found"):
        check_run(tmp_path / "empty")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"--port {port} .*pick another --port"):
            check_port("127.0.0.1", port)


def test_dashboard_command_reports_a_missing_run_in_one_line(tmp_path: Path) -> None:
    result = run_roots("dashboard", str(tmp_path / "nope"), "--port", "8599")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"roots: error: {tmp_path / 'nope'}: run directory not found; pass the --out folder of `roots extract`"
    )
