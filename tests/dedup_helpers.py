"""Run directories with known duplicates for the dedup tests (built here, no downloads)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa

from roots.atomic import write_parquet, write_text
from roots.config import validate_pipeline
from roots.layout import RunLayout
from roots.schema import documents_to_table, extend_schema, make_document

EXTRA = pa.field("quality", pa.float64())  # a column another stage added: dedup must carry it through
SCHEMA = extend_schema(EXTRA)


def token(number: int) -> str:
    """A word of letters only (exact dedup ignores digits, so words must differ in letters)."""
    letters = ""
    while True:
        number, rest = divmod(number, 26)
        letters += chr(ord("a") + rest)
        if not number:
            return letters


def words(rng: random.Random, n: int, vocab_size: int = 4000) -> list[str]:
    return [token(rng.randrange(vocab_size)) for _ in range(n)]


def edit(rng: random.Random, tokens: list[str], fraction: float) -> list[str]:
    """Replace about ``fraction`` of the tokens with fresh ones."""
    out = list(tokens)
    for i in rng.sample(range(len(out)), max(1, round(fraction * len(out)))):
        out[i] = "x" + token(rng.randrange(10**9))
    return out


def cjk_text(rng: random.Random, n: int) -> str:
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(n))


def doc(
    locator: str, text: str, *, lang: str = "en", url: str | None = None, source: str = "test"
) -> dict[str, Any]:
    row = make_document(source=source, locator=locator, text=text, url=url, lang=lang)
    row["quality"] = float(len(text) % 7)
    return row


def write_run(
    root: Path,
    shards: list[list[dict[str, Any]]],
    dedup: dict[str, Any] | None = None,
    schema: pa.Schema = SCHEMA,
) -> RunLayout:
    """A run whose extract stage holds ``shards`` (documents with the base schema + ``quality``)."""
    run = RunLayout(root)
    for index, rows in enumerate(shards):
        write_parquet(run.stage("extract").part(index), documents_to_table(rows, schema))
    config = pipeline_config(root, dedup)
    write_text(run.config, config.to_yaml())
    return run


def pipeline_config(root: Path, dedup: dict[str, Any] | None = None):  # noqa: ANN201
    return validate_pipeline({"run_dir": str(root), "filter": None, "dedup": dedup or {}}, "test")


def run_dedup(run: RunLayout, dedup: dict[str, Any] | None = None, workers: int = 1) -> None:
    from roots.dedup.stage import run as dedup_run
    from roots.executors import LocalExecutor

    with LocalExecutor(workers) as executor:
        dedup_run(pipeline_config(run.root, dedup), run, executor)


def outputs(run: RunLayout) -> dict[str, bytes]:
    """The user-facing dedup outputs, for byte-identity comparisons."""
    base = run.root / "dedup"
    files = sorted(base.glob("kept/*.parquet")) + sorted(base.glob("removed/*.parquet"))
    files += [base / "pairs.parquet", base / "stats.json", base / "errors.jsonl"]
    return {str(p.relative_to(base)): p.read_bytes() for p in files}


def mixed_corpus(seed: int = 7) -> tuple[list[list[dict[str, Any]]], dict[str, Any]]:
    """Three shards: exact, URL and near duplicates in English and Chinese, spread over shards."""
    rng = random.Random(seed)
    shards: list[list[dict[str, Any]]] = [[], [], []]
    truth: dict[str, Any] = {"exact": [], "url": [], "near": [], "near_zh": [], "unique": []}
    for i in range(30):
        base = words(rng, 150)
        original = doc(f"o{i}", " ".join(base), url=f"https://site{i % 3}.org/page/{i}")
        shards[i % 3].append(original)
        kind = i % 5
        if kind == 0:  # exact: differs only in whitespace, digits and punctuation
            copy = doc(
                f"e{i}",
                "  ".join(base[:20]) + ", 2024! " + " ".join(base[20:]) + ".",
                url=f"https://mirror.net/{i}",
            )
            truth["exact"].append((original["id"], copy["id"]))
        elif kind == 1:  # near: 2% of the words changed
            copy = doc(f"n{i}", " ".join(edit(rng, base, 0.005)), url=f"https://mirror.net/{i}")
            truth["near"].append((original["id"], copy["id"]))
        elif kind == 2:  # url: same page (trailing slash, www.) with different text
            copy = doc(f"u{i}", " ".join(words(rng, 40)), url=f"https://www.site{i % 3}.org/page/{i}/")
            truth["url"].append((original["id"], copy["id"]))
        else:
            truth["unique"].append(original["id"])
            continue
        shards[(i + 1) % 3].append(copy)
    for i in range(6):
        base = cjk_text(rng, 300)
        original = doc(f"zo{i}", base, lang="zh")
        edited = list(base)
        edited[100] = "。"
        copy = doc(f"zn{i}", "".join(edited) + "！", lang="zh")
        shards[i % 3].append(original)
        shards[(i + 2) % 3].append(copy)
        truth["near_zh"].append((original["id"], copy["id"]))
    for shard in shards:
        rng.shuffle(shard)
    return shards, truth
