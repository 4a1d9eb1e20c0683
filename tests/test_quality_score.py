"""The model-based quality filter: `roots quality train` fits a classifier offline on sets the test makes, the
``quality_score`` filter scores with it (or with a ``module:function``), and the decisions follow its threshold."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from roots.errors import UserError
from roots.filters.language_config import parse_config
from roots.filters.quality_model import QualityModel, read_texts
from roots.filters.registry import LanguageRegistry
from roots.filters.scorer import LanguageScorer
from tests.conftest import REPO, run_roots

SUBJECTS = [
    "The farmers",
    "The teacher",
    "Our neighbours",
    "The children",
    "The old miller",
    "The river guide",
]
VERBS = ["wait for", "talk about", "remember", "write about", "walk along", "take care of"]
OBJECTS = ["the long winter", "the market in town", "the school by the river", "the fields", "the old bridge"]
SPAM = ["cheap", "buy", "best", "price", "free", "click", "deal", "casino", "win", "now", "shoes", "pills"]


def _good(rng: random.Random) -> str:
    return " ".join(
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} and then they go home."
        for _ in range(4)
    )


def _bad(rng: random.Random) -> str:
    return (
        " ".join(rng.choice(SPAM) for _ in range(30))
        + " "
        + " ".join(str(rng.randrange(1000)) for _ in range(5))
    )


def _sets(root: Path) -> tuple[Path, Path]:
    rng = random.Random(5)
    good, bad = root / "good.jsonl", root / "bad.jsonl"
    good.write_text("".join(json.dumps({"text": _good(rng)}) + "\n" for _ in range(60)), encoding="utf-8")
    bad.write_text("".join(json.dumps({"text": _bad(rng)}) + "\n" for _ in range(60)), encoding="utf-8")
    return good, bad


def _train(root: Path, name: str = "quality.npz") -> Path:
    good, bad = _sets(root)
    out = root / name
    done = run_roots(
        "quality", "train", "--positive", str(good), "--negative", str(bad), "--out", str(out), "--bits", "14"
    )
    assert done.returncode == 0, done.stderr
    assert "trained on 60 positive and 60 negative documents" in done.stdout
    return out


def _languages(root: Path, quality: dict) -> Path:
    languages = root / "languages"
    shutil.copytree(REPO / "configs" / "languages", languages)
    path = languages / "en.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in data["filters"].values():
        section["enabled"] = False  # only the quality score decides here
    data["filters"]["quality_score"] = quality
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return languages


def test_training_is_offline_deterministic_and_separates_the_sets(tmp_path: Path) -> None:
    first, second = _train(tmp_path, "a.npz"), _train(tmp_path, "b.npz")
    assert first.read_bytes() == second.read_bytes()
    model = QualityModel.load(first)
    rng = random.Random(99)  # documents the model has not seen
    good, bad = [_good(rng) for _ in range(20)], [_bad(rng) for _ in range(20)]
    assert (model.scores(good) > 0.5).all() and (model.scores(bad) < 0.5).all()


def test_the_filter_removes_low_scores_with_its_own_reason(tmp_path: Path) -> None:
    model = _train(tmp_path)
    languages = _languages(tmp_path, {"model": f"../{model.name}", "min": 0.5})  # relative to the YAML
    scorer = LanguageScorer(LanguageRegistry(languages).get("en"))
    rng = random.Random(7)
    table = scorer.score([_good(rng), _bad(rng)])
    scores = table.column("quality_score").to_pylist()
    assert scores[0] > 0.5 > scores[1]
    assert scorer.drop_reasons(table).tolist() == [None, "quality_score"]


def test_a_module_function_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_scorer.py").write_text(
        "def score(texts):\n    return [min(1.0, len(t) / 100) for t in texts]\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    languages = _languages(tmp_path, {"scorer": "my_scorer:score", "min": 0.5})
    scorer = LanguageScorer(LanguageRegistry(languages).get("en"))
    table = scorer.score([" ".join(["word"] * 16), " ".join(["word"] * 4)])
    texts = table.column("text").to_pylist()  # the scorer sees the modified texts
    assert table.column("quality_score").to_pylist() == [min(1.0, len(t) / 100) for t in texts] == [0.79, 0.19]
    assert scorer.drop_reasons(table).tolist() == [None, "quality_score"]


def test_exactly_one_model_source_is_a_one_line_error() -> None:
    base = "lang: en\nlanguage_id: {identifier: fasttext, label: en}\nfilters:\n  quality_score: "
    for value in ("{min: 0.5}", "{model: a.npz, scorer: 'm:f'}"):
        with pytest.raises(UserError) as info:
            parse_config(base + value + "\n", "en.yaml")
        assert str(info.value).startswith("en.yaml: filters.quality_score") and "exactly one" in str(
            info.value
        )


def test_training_sets_from_a_runs_parquet_shards(tmp_path: Path) -> None:
    kept = tmp_path / "run" / "filter" / "kept"
    kept.mkdir(parents=True)
    pq.write_table(
        pa.table({"text": ["one good text", "another good text"], "lang": ["en", "en"]}),
        kept / "part-00000.parquet",
    )
    assert read_texts([kept]) == ["one good text", "another good text"]
    empty = tmp_path / "run" / "filter" / "removed"
    empty.mkdir()
    with pytest.raises(UserError):
        read_texts([empty])
