"""A project-made multilingual corpus with controlled near-duplicates, shared by the dedup benchmarks.

Latin-script documents are Zipf-distributed letter words (≈2 KB each); Chinese documents are runs of
CJK characters. Some originals get copies with a controlled fraction of words (characters) replaced.
Also shared: the shingles roots uses and the naive datasketch near-dedup both benchmarks compare with.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from roots.atomic import write_parquet, write_text
from roots.config import validate_pipeline
from roots.dedup.normalize import minhash_text
from roots.layout import RunLayout
from roots.schema import documents_to_table, make_document

EDIT_FRACTIONS = (0.0, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2)


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéèàçñ"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]


def make_corpus(
    docs: int, seed: int = 0, zh_share: float = 0.2, dup_share: float = 0.3
) -> list[dict[str, Any]]:
    """``docs`` documents: originals plus edited copies (about ``dup_share`` of all documents)."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    rows: list[dict[str, Any]] = []
    while len(rows) < docs:
        zh = rng.random() < zh_share
        lang = "zh" if zh else rng.choice(["en", "fr", "es", "sw"])
        if zh:
            units = [chr(0x4E00 + int(rng.paretovariate(1.2)) % 6000) for _ in range(700)]
        else:
            units = rng.choices(vocab, weights, k=330)
        joiner = "" if zh else " "
        index = len(rows)
        rows.append(make_document(source="bench", locator=str(index), text=joiner.join(units), lang=lang))
        while rng.random() < dup_share / (1 - dup_share + 1e-9) * 0.5 and len(rows) < docs:
            fraction = rng.choice(EDIT_FRACTIONS)
            copy = list(units)
            for i in rng.sample(range(len(copy)), round(fraction * len(copy))):
                copy[i] = chr(0x9000 + rng.randrange(3000)) if zh else rng.choice(vocab) + "q"
            rows.append(
                make_document(
                    source="bench", locator=f"{index}-{len(rows)}", text=joiner.join(copy), lang=lang
                )
            )
    return rows[:docs]


def write_run(root: Path, rows: list[dict[str, Any]], shards: int, dedup: dict[str, Any]) -> RunLayout:
    run = RunLayout(root)
    for i in range(shards):
        write_parquet(run.stage("extract").part(i), documents_to_table(rows[i::shards]))
    config = validate_pipeline({"run_dir": str(root), "filter": None, "dedup": dedup}, "benchmark")
    write_text(run.config, config.to_yaml())
    return run


def run_roots_dedup(run: RunLayout, dedup: dict[str, Any], workers: int) -> None:
    from roots.dedup.stage import run as dedup_run
    from roots.executors import LocalExecutor

    config = validate_pipeline({"run_dir": str(run.root), "filter": None, "dedup": dedup}, "benchmark")
    with LocalExecutor(workers) as executor:
        dedup_run(config, run, executor)


def shingles(text: str, lang: str) -> set[str]:
    """The shingles roots uses by default: word 5-grams, Chinese character 5-grams (shorter: the whole text)."""
    norm = minhash_text(text)
    units = list(norm.replace(" ", "")) if lang == "zh" else norm.split()
    if len(units) < 5:
        return {" ".join(units)} if units else set()
    return {" ".join(units[i : i + 5]) for i in range(len(units) - 4)}


def datasketch_clusters(
    rows: list[dict[str, Any]],
    threshold: float = 0.8,
    num_perm: int = 128,
    params: tuple[int, int] | None = None,
) -> list[int]:
    """datasketch used naively: one MinHash per document (``update_batch``, xxhash32), MinHashLSH
    (``params``: bands × rows, default datasketch's own choice) and union-find over each document's
    candidates of the same language. Returns every document's cluster representative (itself if unique)."""
    import xxhash
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=params)
    parent = list(range(len(rows)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, row in enumerate(rows):
        m = MinHash(num_perm=num_perm, hashfunc=xxhash.xxh32_intdigest)
        m.update_batch([s.encode() for s in shingles(row["text"], row["lang"])])
        for j in lsh.query(m):
            if rows[j]["lang"] == row["lang"]:
                parent[find(i)] = find(j)
        lsh.insert(i, m)
    return [find(i) for i in range(len(rows))]
