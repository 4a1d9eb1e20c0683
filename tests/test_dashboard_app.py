"""The dashboard driven through Streamlit's AppTest on a small run the tests write themselves."""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roots.filters.language_config import parse_config
from tests.dashboard_fixtures import SW_THRESHOLDS, SW_YAML, DashboardRun, build_dashboard_run, drop_reason

APP = Path(__file__).resolve().parents[1] / "roots" / "visualizer" / "app.py"


@pytest.fixture
def dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DashboardRun:
    fixture = build_dashboard_run(tmp_path)
    monkeypatch.setenv("ROOTS_DASHBOARD_RUN", str(fixture.run))
    monkeypatch.delenv("ROOTS_DASHBOARD_LANGUAGES_DIR", raising=False)
    return fixture


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["page"] = page  # the sidebar's page choice
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.radio(key="page").value == page
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def kept(at: AppTest) -> int:
    return int(metric(at, "Documents kept").replace(",", ""))


def removals(at: AppTest, position: int) -> tuple[int, int]:
    """(on its own, in sequence) document counts shown for the filter at ``position`` (1 = first)."""
    texts = [m.value for m in at.markdown if m.value.startswith("On its own")]
    alone, in_sequence = re.findall(r"\*\*([\d,]+)\*\*", texts[position - 1])
    return int(alone.replace(",", "")), int(in_sequence.replace(",", ""))


def shown_texts(at: AppTest) -> list[str]:
    """The plain text of every HTML block on the page (document texts, facts, diffs)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", h.proto.body)) for h in at.html]


def thresholds(**changes: dict) -> dict:
    out = copy.deepcopy(SW_THRESHOLDS)
    for name, values in changes.items():
        out[name] |= values
    return out


def test_overview_shows_the_funnel_removals_and_errors_per_source(dash: DashboardRun) -> None:
    at = open_page("Run overview")
    funnel, removals, errors = (df.value for df in at.dataframe)
    sw = funnel[funnel["language"] == "sw"].iloc[0]
    assert sw["1 extracted"] == len(dash.sw)
    assert sw["3 kept by the filters"] == dash.expected_kept("sw", SW_THRESHOLDS)
    assert sw["4 kept by dedup"] == dash.expected_kept("sw", SW_THRESHOLDS) - 2
    near = removals[(removals["stage"] == "dedup") & (removals["reason"] == "near_duplicate")]
    assert near["documents"].tolist() == [2]
    by_source = {(r["source"], r["reason"]): r["errors"] for _, r in errors.iterrows()}
    assert by_source == {("crawl", "malformed_json"): 2, ("books", "empty_text"): 1}


def test_tuning_starts_at_the_saved_thresholds_and_agrees_with_the_last_run(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    stored_kept = sum(d["drop_reason"] is None for d in dash.sw)
    assert kept(at) == stored_kept == dash.expected_kept("sw", SW_THRESHOLDS)
    assert int(metric(at, "Documents removed")) == len(dash.sw) - stored_kept
    assert not at.info or all("last `roots filter` run" not in i.value for i in at.info)
    assert any("not been reviewed by a native speaker" in w.value for w in at.warning)
    assert at.selectbox(key="tune:language").options == [
        "sw · Swahili (60 documents)",
        "yo · Yoruba (20 documents)",
    ]
    assert any(c.value.startswith("2 documents have no language") for c in at.caption)


@pytest.mark.parametrize(
    ("key", "value", "changes"),
    [
        ("tune:sw:number_words:min", 20, {"number_words": {"min": 20}}),
        ("tune:sw:character_repetition:max", 0.3, {"character_repetition": {"max": 0.3}}),
        ("tune:sw:stopwords:min", 0.05, {"stopwords": {"min": 0.05}}),
        ("tune:sw:lang_id:min", 0.8, {"lang_id": {"min": 0.8}}),
    ],
)
def test_moving_a_slider_recounts_kept_and_removed(
    dash: DashboardRun, key: str, value: float, changes: dict
) -> None:
    at = open_page("Filter tuning")
    before = kept(at)
    at.slider(key=key).set_value(value).run()
    expected = dash.expected_kept("sw", thresholds(**changes))
    assert expected != before  # the move matters on this data
    assert kept(at) == expected
    assert int(metric(at, "Documents removed")) == len(dash.sw) - expected
    delta = next(m for m in at.metric if m.label == "Documents kept").proto.delta
    assert delta == f"{expected - before:+,} vs saved"


def test_switching_a_filter_off_and_the_counts_on_its_own_and_in_sequence(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    at.toggle(key="tune:sw:character_repetition:enabled").set_value(False).run()
    changed = thresholds(character_repetition={"enabled": False})
    assert kept(at) == dash.expected_kept("sw", changed)
    # "on its own" and "in sequence" for the stop-word filter, against an independent count
    only = {k: v | {"enabled": k == "stopwords"} for k, v in changed.items()}
    alone = sum(drop_reason(d, only) == "stopwords" for d in dash.sw)
    in_sequence = sum(drop_reason(d, changed) == "stopwords" for d in dash.sw)
    assert removals(at, 5) == (alone, in_sequence)  # stop words: fifth filter in ROOTS order


def test_save_writes_the_yaml_with_comments_kept_and_derived_cleared(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    at.slider(key="tune:sw:number_words:min").set_value(15).run()
    at.slider(key="tune:sw:special_characters:max").set_value(0.35).run()
    predicted = kept(at)
    diff = next(c.value for c in at.code if c.language == "diff")
    assert "-    min: 10   # fewer words than this: removed" in diff
    assert "+    min: 15   # fewer words than this: removed" in diff
    assert "-derived: true" in diff and "+derived: false" in diff

    at.button(key="tune:sw:save").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    path = dash.languages_dir / "sw.yaml"
    text = path.read_text(encoding="utf-8")
    for comment in (
        "# Swahili filter thresholds (test copy)",
        "# fewer words than this: removed",
        "# no KenLM model",
    ):
        assert comment in text
    changed = {line for line in text.splitlines()} ^ {line for line in SW_YAML.splitlines()}
    assert {line.strip() for line in changed} == {
        "min: 10   # fewer words than this: removed",
        "min: 15   # fewer words than this: removed",
        "max: 0.4",
        "max: 0.35",
        "derived: true  # derived from statistics",
        "derived: false # derived from statistics",
    }
    config = parse_config(text, path)
    assert config.derived is False
    assert config.filters.number_words.min == 15 and config.filters.special_characters.max == 0.35
    # the page now counts from the saved file: same prediction, no pending change
    assert (
        kept(at)
        == predicted
        == dash.expected_kept("sw", thresholds(number_words={"min": 15}, special_characters={"max": 0.35}))
    )
    assert at.button(key="tune:sw:save").disabled
    assert at.get("download_button")[0].label == "Download as YAML"


def test_reset_returns_to_the_saved_thresholds(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    start = kept(at)
    at.slider(key="tune:sw:number_words:min").set_value(30).run()
    assert kept(at) != start
    at.button(key="tune:sw:reset").click().run()
    assert kept(at) == start
    assert at.slider(key="tune:sw:number_words:min").value == 10


def test_margin_documents_show_the_nearest_values_with_full_text(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    labels = [re.sub(r"\\(.)", r"\1", e.label) for e in at.expander]  # as Markdown shows them
    # number of words, minimum 10: just removed are 9 words (none here: 3..42 step 7 mod 40), just kept 10
    values = sorted({d["number_words"] for d in dash.sw})
    below = max(v for v in values if v < 10)
    above = min(v for v in values if v >= 10)
    assert any(label.startswith(f"Number of words: {below} · removed by number of words") for label in labels)
    assert any(label.startswith(f"Number of words: {above} ·") for label in labels)
    doc = next(d for d in dash.sw if d["number_words"] == below)
    assert doc["text"] in shown_texts(at)  # the full text is inside the expander


def test_examples_for_another_filter_and_removed_only_by_it(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    at.selectbox(key="tune:sw:examples").set_value("stopwords").run()
    others_pass = {k: v | {"enabled": v["enabled"] and k != "stopwords"} for k, v in SW_THRESHOLDS.items()}
    only = [
        d
        for d in dash.sw
        if drop_reason(d, SW_THRESHOLDS) == "stopwords" and drop_reason(d, others_pass) is None
    ]
    assert any(c.value.startswith(f"{len(only):,} documents fail this filter and pass") for c in at.caption)


def test_a_language_without_some_statistics(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    at.selectbox(key="tune:language").set_value("yo").run()
    assert not at.exception
    assert kept(at) == len(dash.yo)
    assert any("has a value for this statistic" in i.value for i in at.info)


def test_dedup_page_shows_clusters_and_pairs(dash: DashboardRun) -> None:
    at = open_page("Dedup")
    assert metric(at, "Near duplicates") == "2"
    assert [e.label for e in at.expander] == ["Cluster 0 · 3 documents"]
    pairs = at.dataframe[0].value
    assert pairs["similarity"].tolist() == [0.93, 0.81]
    shown = shown_texts(at)
    head = next(d for d in dash.sw if d["drop_reason"] is None)
    assert head["text"] in shown  # the pair's kept document, side by side with its duplicate


def test_dedup_pair_shows_each_documents_real_outcome_and_the_word_diff(dash: DashboardRun) -> None:
    """The dedup kept shard has no drop_reason column; the removed duplicate must still read as removed."""
    at = open_page("Dedup")
    kept_docs = [d for d in dash.sw if d["drop_reason"] is None]
    head, duplicate = kept_docs[0], kept_docs[1]
    facts = [t for t in shown_texts(at) if t.startswith("outcome")]
    pair_facts = [f for f in facts if "differing words" in f]
    assert len(pair_facts) == 2
    assert pair_facts[0].startswith("outcome kept") and f"id {head['id']}" in pair_facts[0]
    assert pair_facts[1].startswith("outcome removed (near_duplicate)")
    assert f"duplicate of {head['id']}" in pair_facts[1] and f"id {duplicate['id']}" in pair_facts[1]
    marked = [re.findall(r"<mark[^>]*>(.*?)</mark>", h.proto.body) for h in at.html if "roots-diff" in h.proto.body]
    assert len(marked) == 2 and all(marked)  # the differing words are highlighted on both sides
    # the cluster view says which member was kept and why
    cluster = [f for f in facts if "similarity to the kept document" in f]
    assert "longest text" in cluster[0] and cluster[1].startswith("outcome removed (near_duplicate)")


def test_documents_after_dedup_both_lists_removed_duplicates_with_their_reason(dash: DashboardRun) -> None:
    at = open_page("Documents")
    at.radio(key="docs:stage").set_value("dedup").run()
    at.radio(key="docs:kinds").set_value("both").run()
    reasons = at.multiselect(key="docs:reason")
    assert reasons.options == ["near_duplicate"] and not reasons.disabled
    outcomes = at.dataframe[0].value["outcome"].tolist()
    assert outcomes.count("removed (near_duplicate)") == 2
    at.multiselect(key="docs:reason").set_value(["near_duplicate"]).run()
    assert any(c.value.startswith("2 matching documents") for c in at.caption)
    assert at.dataframe[0].value["outcome"].tolist() == ["removed (near_duplicate)"] * 2


def test_documents_page_filters_by_reason_and_searches_text(dash: DashboardRun) -> None:
    at = open_page("Documents")
    at.radio(key="docs:kinds").set_value("removed").run()
    at.multiselect(key="docs:reason").set_value(["stopwords"]).run()
    n = sum(d["drop_reason"] == "stopwords" for d in dash.sw)
    assert any(c.value.startswith(f"{n:,} matching documents") for c in at.caption)
    at.multiselect(key="docs:reason").set_value([]).run()
    at.text_input(key="docs:search").set_value("HATI 7.").run()
    table = at.dataframe[0].value
    assert len(table) >= 1 and all("hati 7." in t for t in table["text"])


def test_a_run_with_only_extract_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from roots.atomic import write_json
    from roots.layout import RunLayout
    from roots.stats import StageStats

    run = RunLayout(tmp_path / "run")
    stats = StageStats()
    stats.add_in(None, 10)
    stats.add_kept(None, 10)
    write_json(run.stage("extract").stats, {"stage": "extract", **stats.to_dict()})
    monkeypatch.setenv("ROOTS_DASHBOARD_RUN", str(run.root))
    for page, message in [
        ("Filter tuning", "has not run"),
        ("Dedup", "has not run"),
        ("Documents", "has run yet"),
    ]:
        at = open_page(page)
        assert any(message in i.value for i in at.info), page
    at = open_page("Run overview")
    assert at.dataframe[0].value["1 extracted"].tolist() == [1]


def test_an_invalid_language_yaml_is_one_line_naming_file_and_key(dash: DashboardRun) -> None:
    (dash.languages_dir / "sw.yaml").write_text(SW_YAML.replace("max: 0.2", "max: 2.5"), encoding="utf-8")
    at = open_page("Filter tuning")
    assert [e.value for e in at.error] == [
        f"{dash.languages_dir / 'sw.yaml'}: filters.character_repetition.max = 2.5: "
        "Input should be less than or equal to 1"
    ]


def test_an_unreadable_shard_is_one_line_naming_the_file(dash: DashboardRun) -> None:
    shard = dash.run / "filter" / "removed" / "part-00001.parquet"
    shard.write_bytes(b"not parquet")
    at = open_page("Filter tuning")
    assert len(at.error) == 1 and at.error[0].value.startswith(f"{shard}: cannot read this shard")
    at = open_page("Documents")
    at.radio(key="docs:kinds").set_value("removed").run()
    assert not at.exception and at.error and "re-run it" in at.error[0].value


# ---------------------------------------------------------------- with the real stages
VOCABULARY = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "if",
    "so",
    "no",
    "more",
    "out",
    "up",
    "into",
    "do",
    "any",
    "your",
    "what",
    "then",
    "about",
    "time",
    "them",
    "only",
    "new",
    "some",
    "could",
    "these",
    "two",
    "may",
    "first",
    "than",
    "other",
    "people",
    "like",
    "over",
    "its",
    "after",
    "also",
    "did",
    "many",
    "most",
    "must",
    "such",
    "well",
    "should",
    "where",
    "through",
    "just",
    "very",
    "years",
    "made",
    "our",
    "good",
    "being",
    "long",
    "those",
    "little",
    "great",
    "how",
    "work",
    "world",
    "still",
    "while",
    "own",
    "life",
]


def write_english_corpus(path: Path, n: int = 60) -> Path:
    """Documents of 10 to 99 common English words in sentences (seeded), as jsonl."""
    import random

    rng = random.Random(0)
    lines = []
    for i in range(n):
        words = [rng.choice(VOCABULARY) for _ in range(10 + (i * 17) % 90)]
        sentences = [" ".join(words[k : k + 12]) for k in range(0, len(words), 12)]
        lines.append(json.dumps({"text": " ".join(s[0].upper() + s[1:] + "." for s in sentences)}) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.slow
def test_thresholds_saved_in_the_dashboard_are_what_roots_filter_then_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import pyarrow.parquet as pq

    from roots.layout import RunLayout
    from tests.conftest import REPO, run_roots

    languages = tmp_path / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    corpus = write_english_corpus(tmp_path / "corpus.jsonl")
    run_dir = tmp_path / "run"
    for args in (
        ("extract", "jsonl", str(corpus), "--out", str(run_dir), "--lang", "en"),
        ("filter", str(run_dir), "--languages-dir", str(languages)),
    ):
        result = run_roots(*args, "--workers", "1")
        assert result.returncode == 0, result.stderr
    run = RunLayout(run_dir)
    first = run.stage("filter").read_stats()["languages"]["en"]

    monkeypatch.setenv("ROOTS_DASHBOARD_RUN", str(run_dir))
    at = open_page("Filter tuning")
    assert at.selectbox(key="tune:language").value == "en"
    assert kept(at) == first["kept"]["docs"]  # the dashboard agrees with the run it reads
    words = sorted(pq.read_table(run.stage("filter").parts("kept")[0]).column("number_words").to_pylist())
    new_min = words[len(words) // 2]  # removes about half of what was kept
    at.slider(key="tune:en:number_words:min").set_value(new_min).run()
    predicted_kept = kept(at)
    predicted_number_words = removals(at, 1)[1]
    assert predicted_kept < first["kept"]["docs"]
    at.button(key="tune:en:save").click().run()
    assert not at.exception and any("Saved" in s.value for s in at.success)

    result = run_roots("filter", str(run_dir), "--workers", "1")  # the run remembers --languages-dir
    assert result.returncode == 0, result.stderr
    second = run.stage("filter").read_stats()["languages"]["en"]
    assert second["kept"]["docs"] == predicted_kept
    assert second["removed_total"]["docs"] == len(corpus.read_text().splitlines()) - predicted_kept
    assert second["removed"]["number_words"]["docs"] == predicted_number_words
    assert "derived: false" in (languages / "en.yaml").read_text(encoding="utf-8")

    # "test your own text" gives the verdict the filter stage's own scorer gives with the saved thresholds
    from roots.filters.scorer import LanguageScorer

    scorer = LanguageScorer.for_language("en", languages)
    long_doc = max((json.loads(line)["text"] for line in corpus.read_text().splitlines()), key=len)
    reasons = []
    for text in (long_doc, "Buy now! " * 30):
        at.text_area(key="own:en:text").input(text).run()
        reason = scorer.drop_reasons(scorer.score([text]))[0]
        reasons.append(reason)
        verdicts = [s.value for s in at.success] + [e.value for e in at.error]
        expected = "kept" if reason is None else "removed by the filter"
        assert any(f"this text would be {expected}" in v for v in verdicts), (verdicts, reason)
        assert len(at.table[0].value) == 8  # every statistic against its cutoff
    assert reasons[0] is None and reasons[1] is not None  # both verdicts were shown


def test_overview_draws_per_language_outcomes_apart_from_extract_totals(dash: DashboardRun) -> None:
    at = open_page("Run overview")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    drawn = json.dumps(spec) + "".join(str(d) for d in charts[0].proto.datasets)
    assert "1 extracted" not in drawn and "2 given to the filters" in drawn
    assert any(m.label == "Extracted" for m in at.metric)  # the extract total stands on its own


def test_a_stage_out_of_date_is_named_with_its_command_on_every_page(dash: DashboardRun) -> None:
    (dash.run / "dedup" / "stats.json").unlink()  # what `roots filter` does when it runs again
    command = f"roots dedup {dash.run}"
    for page in ("Run overview", "Filter tuning", "Dedup", "Documents"):
        at = open_page(page)
        warnings = [w.value for w in at.warning if "out of date" in w.value]
        assert len(warnings) == 1 and f"`{command}`" in warnings[0], page
        assert not any("has not run" in i.value for i in at.info), page


def test_save_message_names_the_real_filter_command_and_counts_read_well(dash: DashboardRun) -> None:
    at = open_page("Filter tuning")
    at.slider(key="tune:sw:number_words:min").set_value(12).run()
    at.button(key="tune:sw:save").click().run()
    assert any(f"Run `roots filter {dash.run}` again" in s.value for s in at.success)
    at = open_page("Documents")
    at.text_input(key="docs:search").set_value("HATI 1.").run()
    assert any(c.value.startswith("The first 1 matching document (") for c in at.caption)


# ---------------------------------------------------------------- two reviewers, one configs folder
def _saved(dash: DashboardRun, lang: str = "sw") -> object:
    path = dash.languages_dir / f"{lang}.yaml"
    return parse_config(path.read_text(encoding="utf-8"), path).filters


def test_two_sessions_saving_different_languages(dash: DashboardRun) -> None:
    a, b = open_page("Filter tuning"), open_page("Filter tuning")
    b.selectbox(key="tune:language").set_value("yo").run()
    a.slider(key="tune:sw:number_words:min").set_value(15).run()
    b.slider(key="tune:yo:number_words:min").set_value(7).run()
    a.button(key="tune:sw:save").click().run()
    b.button(key="tune:yo:save").click().run()
    assert not a.exception and not b.exception
    assert _saved(dash, "sw").number_words.min == 15 and _saved(dash, "yo").number_words.min == 7


def test_two_sessions_saving_different_keys_of_one_language_merge(dash: DashboardRun) -> None:
    a, b = open_page("Filter tuning"), open_page("Filter tuning")  # both load sw.yaml as it is
    a.slider(key="tune:sw:number_words:min").set_value(15).run()
    a.button(key="tune:sw:save").click().run()
    b.slider(key="tune:sw:special_characters:max").set_value(0.35).run()
    assert any("Someone saved sw.yaml since you opened it" in i.value for i in b.info)
    assert b.slider(key="tune:sw:number_words:min").value == 15  # their change is in b's sliders
    assert "+    min: 15" in next(c.value for c in b.code if c.language == "diff")
    b.button(key="tune:sw:save").click().run()
    assert not b.exception and any("Saved" in s.value for s in b.success)
    filters = _saved(dash)
    assert filters.number_words.min == 15 and filters.special_characters.max == 0.35  # nothing lost
    text = (dash.languages_dir / "sw.yaml").read_text(encoding="utf-8")
    assert "# fewer words than this: removed" in text


def test_two_sessions_changing_the_same_key_must_choose(dash: DashboardRun) -> None:
    a, b = open_page("Filter tuning"), open_page("Filter tuning")
    a.slider(key="tune:sw:number_words:min").set_value(15).run()
    a.slider(key="tune:sw:lang_id:min").set_value(0.6).run()
    a.button(key="tune:sw:save").click().run()
    b.slider(key="tune:sw:number_words:min").set_value(12).run()
    warning = next(w.value for w in b.warning if "changed values you changed too" in w.value)
    assert "yours **12**, in the file now **15**" in warning
    assert b.button(key="tune:sw:save").disabled  # no silent overwrite
    assert b.slider(key="tune:sw:lang_id:min").value == 0.6  # their other change is taken
    b.button(key="tune:sw:keep-mine").click().run()
    b.button(key="tune:sw:save").click().run()
    assert not b.exception
    filters = _saved(dash)
    assert filters.number_words.min == 12 and filters.lang_id.min == 0.6

    a.run()  # a now sees b's save; a had no pending change, so it simply takes it
    assert a.slider(key="tune:sw:number_words:min").value == 12
    a.slider(key="tune:sw:number_words:min").set_value(20).run()
    b.slider(key="tune:sw:number_words:min").set_value(25).run()
    a.button(key="tune:sw:save").click().run()
    b.run()
    b.button(key="tune:sw:take-theirs").click().run()
    assert b.slider(key="tune:sw:number_words:min").value == 20
    assert _saved(dash).number_words.min == 20
