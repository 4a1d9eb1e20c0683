"""Megatron export throughput: roots' export stage vs. a Megatron-style preprocessing loop, same input.

The peer is what ``tools/preprocess_data.py`` does (its source is not in the megatron-core wheel): a
``multiprocessing.Pool(workers).imap(encode, jsonl_lines, 32)`` whose workers tokenize one document at a
time with the same Hugging Face tokenizer and append EOD, feeding megatron-core's ``IndexedDatasetBuilder``
in the main process; one jsonl file (one preprocess_data.py run) per language. Ours is ``roots export
megatron`` on a run holding the same documents (``LocalExecutor`` with the same number of workers). Both
outputs are compared byte for byte.

    python benchmarks/bench_export.py [--docs 20000] [--workers 2] [--vocab 16000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TEXTS = REPO / "roots" / "demo" / "texts"


def build_corpus(docs: int, seed: int = 0) -> list[tuple[str, str]]:
    """(lang, text) documents of 3–8 paragraphs of one language from the demo texts, deterministic."""
    paragraphs = {
        p.stem: [x for x in p.read_text(encoding="utf-8").split("\n") if x.strip()]
        for p in sorted(TEXTS.glob("*.txt"))
    }
    langs = sorted(paragraphs)
    rng = random.Random(seed)
    out = []
    for i in range(docs):
        lang = langs[i % len(langs)]
        out.append((lang, "\n".join(rng.choice(paragraphs[lang]) for _ in range(rng.randint(3, 8)))))
    return out


class Encoder:
    """preprocess_data.py's document-level encoder with --append-eod (one tokenizer per worker)."""

    def __init__(self, tokenizer_path: str, eod: int) -> None:
        self.tokenizer_path, self.eod = tokenizer_path, eod

    def initializer(self) -> None:
        from tokenizers import Tokenizer

        Encoder.tokenizer = Tokenizer.from_file(self.tokenizer_path)

    def encode(self, line: str) -> tuple[list[int], list[int], int]:
        text = json.loads(line)["text"]
        ids = Encoder.tokenizer.encode(text).ids
        lengths = [len(ids)] if ids else []
        if ids:
            ids.append(self.eod)
            lengths[-1] += 1
        return ids, lengths, len(line)


def megatron_style(
    jsonl_files: dict[str, Path], tokenizer_path: Path, out: Path, workers: int, vocab: int
) -> int:
    from megatron.core.datasets.indexed_dataset import DType, IndexedDatasetBuilder

    encoder = Encoder(str(tokenizer_path), eod=2)
    tokens = 0
    with multiprocessing.get_context("fork").Pool(workers, initializer=encoder.initializer) as pool:
        for lang, path in sorted(jsonl_files.items()):
            builder = IndexedDatasetBuilder(
                str(out / f"{lang}_text_document.bin"), dtype=DType.optimal_dtype(vocab)
            )
            with open(path, encoding="utf-8") as fin:
                for ids, lengths, _ in pool.imap(encoder.encode, fin, 32):
                    builder.add_document(ids, lengths)
                    tokens += len(ids)
            builder.finalize(str(out / f"{lang}_text_document.idx"))
    return tokens


def run_ours(config_data: dict, run_export_dir: Path, workers: int) -> float:
    """Seconds for a fresh ``roots export megatron`` (earlier output removed, so nothing is resumed)."""
    from roots.config import validate_pipeline
    from roots.executors import LocalExecutor
    from roots.pipeline import run_stages

    shutil.rmtree(run_export_dir, ignore_errors=True)
    start = time.perf_counter()
    with LocalExecutor(workers) as executor:
        run_stages(validate_pipeline(config_data, "bench"), ["export"], executor)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=16_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating runs of each; medians are reported"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import megatron.core.datasets.indexed_dataset  # noqa: F401  (5-7 s import, kept out of the timing)

    from roots.export.tokenizer_train import save_tokenizer, train_tokenizer
    from tests.export_helpers import make_run

    corpus = build_corpus(args.docs)
    chars = sum(len(t) for _, t in corpus)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config, run = make_run(tmp / "run", [(t, lang, "bench") for lang, t in corpus], shard_size=5_000)
        start = time.perf_counter()
        tokenizer, _ = train_tokenizer(run, args.vocab)
        train_s = time.perf_counter() - start
        vocab = tokenizer.get_vocab_size()
        tokenizer_path = save_tokenizer(tokenizer, tmp / "tokenizer.json")
        jsonl = {}
        for lang in sorted({lang for lang, _ in corpus}):
            jsonl[lang] = tmp / f"{lang}.jsonl"
            lines = (json.dumps({"text": t}, ensure_ascii=False) + "\n" for lg, t in corpus if lg == lang)
            jsonl[lang].write_text("".join(lines), encoding="utf-8")
        export = {"tokenizer": str(tokenizer_path)}  # default rows_per_shard
        config_data = config.model_dump(mode="json") | {"export": export}
        ours_out, peer_out = run.stage("export").path, tmp / "megatron"

        peer_times, ours_times = [], []
        for _ in range(args.repeat):
            shutil.rmtree(peer_out, ignore_errors=True)
            peer_out.mkdir()
            start = time.perf_counter()
            peer_tokens = megatron_style(jsonl, tokenizer_path, peer_out, args.workers, vocab)
            peer_times.append(time.perf_counter() - start)
            ours_times.append(run_ours(config_data, ours_out, args.workers))
        stats = json.loads((ours_out / "stats.json").read_text(encoding="utf-8"))
        ours_tokens = stats["extra"]["tokens"]
        ours_files = sorted(ours_out.glob("*_text_document.*"))
        identical = len(ours_files) == len(list(peer_out.iterdir())) and all(
            filecmp.cmp(peer_out / p.name, p, shallow=False) for p in ours_files
        )

    peer_s, ours_s = statistics.median(peer_times), statistics.median(ours_times)
    ours_tps, peer_tps = ours_tokens / ours_s, peer_tokens / peer_s
    print(
        f"corpus: {args.docs:,} documents, {chars / 1e6:.1f} M characters, {len(jsonl)} languages, "
        f"{ours_tokens:,} tokens (vocab {vocab:,}), workers {args.workers}, median of {args.repeat}"
    )
    print(f"tokenizer training (roots tokenizer train): {train_s:.1f} s")
    print(
        f"megatron-style (Pool.imap + IndexedDatasetBuilder): {peer_s:.2f} s  {peer_tps:,.0f} tokens/s  "
        f"(runs: {', '.join(f'{t:.1f}' for t in peer_times)})"
    )
    print(
        f"roots export megatron:                           {ours_s:.2f} s  {ours_tps:,.0f} tokens/s  "
        f"(runs: {', '.join(f'{t:.1f}' for t in ours_times)})"
    )
    print(f"byte-identical outputs: {identical}   tokens equal: {ours_tokens == peer_tokens}")
    print(f"ratio (roots / megatron-style tokens/s): {ours_tps / peer_tps:.2f}x")


if __name__ == "__main__":
    main()
