"""`roots lm train` and PerplexityScorer speed, and a check of the project's Kneser–Ney against KenLM's reading.

No peer n-gram estimator is installable offline (KenLM's ``lmplz`` ships in no wheel or Debian package),
so this script reports roots's own figures: training time of the SentencePiece model and of the ARPA
model on a corpus made from the demo texts (sentences repeated with seeded shuffling to ``--sentences``),
and perplexity scoring throughput. The peer for scoring is plain ``kenlm.Model.score`` on pre-tokenised
lines (what PerplexityScorer adds: normalisation and SentencePiece).
Run: ``python benchmarks/bench_lm.py [--sentences 20000] [--order 3]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roots.filters.kneser_ney import train_arpa  # noqa: E402
from roots.filters.lm_train import read_sentences, train_sentencepiece  # noqa: E402
from roots.filters.perplexity import PerplexityScorer, load_kenlm, perplexity_normalize, pieces_line  # noqa: E402


def corpus(n: int, seed: int = 0) -> list[str]:
    text = (ROOT / "roots" / "demo" / "texts" / "en.txt").read_text(encoding="utf-8")
    base = [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")) if s]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = base[i % len(base)].split()
        if i >= len(base):  # vary the repeats so the n-gram counts keep growing
            j = rng.randrange(len(words))
            words[j], words[-1 - j] = words[-1 - j], words[j]
        out.append(" ".join(words))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--order", type=int, default=3)
    parser.add_argument("--vocab-size", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text_file = folder / "en.txt"
        text_file.write_text("\n".join(corpus(args.sentences)) + "\n", encoding="utf-8")
        sentences = read_sentences(text_file)
        start = time.perf_counter()
        processor = train_sentencepiece(sentences, args.vocab_size, folder / "en.sp.model")
        t_sp = time.perf_counter() - start
        tokenised = [pieces_line(processor, s).split() for s in sentences]
        tokens = sum(len(t) for t in tokenised)
        start = time.perf_counter()
        train_arpa(tokenised, args.order, folder / "en.arpa")
        t_kn = time.perf_counter() - start
        print(f"{len(sentences)} sentences, {tokens} pieces, order {args.order}, one core")
        print(f"SentencePiece training        : {t_sp:7.2f} s")
        print(f"Kneser-Ney counting + ARPA    : {t_kn:7.2f} s  ({tokens / t_kn:9.0f} pieces/s)")

        docs = [" ".join(sentences[i : i + 10]) for i in range(0, len(sentences), 10)]
        scorer = PerplexityScorer(folder / "en.arpa", folder / "en.sp.model")
        scorer.perplexity(docs[:2])
        start = time.perf_counter()
        scorer.perplexity(docs)
        t_ours = time.perf_counter() - start
        lines = [pieces_line(processor, perplexity_normalize(d)) for d in docs]
        model = load_kenlm(folder / "en.arpa")
        start = time.perf_counter()
        for line in lines:
            model.score(line)
        t_peer = time.perf_counter() - start
        print(f"PerplexityScorer.perplexity   : {len(docs) / t_ours:9.0f} docs/s (10 sentences each)")
        print(f"kenlm score on pre-tokenised  : {len(docs) / t_peer:9.0f} docs/s")
        print(f"ratio roots/kenlm-only        : {t_peer / t_ours:9.2f}")


if __name__ == "__main__":
    main()
