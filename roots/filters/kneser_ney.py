"""An interpolated modified Kneser–Ney n-gram estimator that writes ARPA files KenLM can load.

No ``lmplz`` is installable offline, so ``roots lm train`` estimates its n-gram model here. The model
follows Chen & Goodman's interpolated modified Kneser–Ney as lmplz implements it:

* counts come from sentences padded with one ``<s>`` and one ``</s>``;
* the highest order and n-grams starting with ``<s>`` keep their raw counts; every other n-gram gets
  its continuation count (how many distinct words precede it);
* each order has three discounts ``D1, D2, D3+`` from its count-of-counts ``t1..t4``:
  ``Y = t1 / (t1 + 2 t2)``, ``Dk = k - (k + 1) Y t(k+1) / tk``; when a corpus is too small for a
  discount to be in ``(0, k)`` (lmplz refuses such corpora) the fallback ``0.5, 1.0, 1.5`` is used;
* ``p(w | h) = max(a(hw) - D, 0) / a(h·) + γ(h) p(w | h')`` with
  ``γ(h) = (D1 N1(h·) + D2 N2(h·) + D3 N3+(h·)) / a(h·)``; unigrams interpolate with the uniform
  distribution over the vocabulary (``<unk>`` and ``</s>`` included, ``<s>`` never predicted);
* the ARPA file stores the interpolated ``log10 p`` of every seen n-gram and ``log10 γ(h)`` as the
  backoff of every n-gram that is a context, so ``p(w | h) = γ(h) p(w | h')`` for unseen ``hw``.

Counting is in pure Python (dicts of id tuples): fine for corpora of a few tens of MB.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from roots.atomic import atomic_open

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
FALLBACK_DISCOUNTS = (0.5, 1.0, 1.5)
NO_PROB = -99.0  # log10 "probability" ARPA files give <s>, which is never predicted

Ngram = tuple[int, ...]


@dataclass
class NgramModel:
    """Interpolated probabilities and backoffs per order (1-based lists), over integer token ids."""

    vocab: list[str]
    order: int
    prob: list[dict[Ngram, float]] = field(default_factory=list)  # index n-1: n-gram → p (interpolated)
    backoff: list[dict[Ngram, float]] = field(default_factory=list)  # index n-1: context → γ
    discounts: list[tuple[float, float, float]] = field(default_factory=list)

    def logprob(self, word: str, context: Sequence[str]) -> float:
        """log10 p(word | context) with ARPA backoff semantics (for checks without KenLM)."""
        ids = {w: i for i, w in enumerate(self.vocab)}
        w = ids.get(word, ids[UNK])
        h = tuple(ids.get(c, ids[UNK]) for c in context)[-(self.order - 1) :] if self.order > 1 else ()
        penalty = 0.0
        while True:
            gram = (*h, w)
            p = self.prob[len(gram) - 1].get(gram)
            if p is not None:
                return penalty + math.log10(p)
            if not h:
                return penalty + math.log10(self.prob[0][(ids[UNK],)])
            penalty += math.log10(self.backoff[len(h) - 1].get(h, 1.0))
            h = h[1:]


def count_ngrams(sentences: Iterable[Sequence[str]], order: int) -> tuple[list[str], list[Counter[Ngram]]]:
    """Vocabulary (``<s> </s> <unk>`` first, then words in first-seen order) and raw counts per order."""
    if order < 1:
        raise ValueError("order must be at least 1")
    ids: dict[str, int] = {BOS: 0, EOS: 1, UNK: 2}
    counts: list[Counter[Ngram]] = [Counter() for _ in range(order)]
    for sentence in sentences:
        padded = [0, *(ids.setdefault(tok, len(ids)) for tok in sentence), 1]
        for n in range(1, order + 1):
            grams = counts[n - 1]
            for i in range(len(padded) - n + 1):
                if n == 1 and i == 0:
                    continue  # <s> alone is never predicted
                grams[tuple(padded[i : i + n])] += 1
    return list(ids), counts


def adjusted_counts(counts: list[Counter[Ngram]]) -> list[dict[Ngram, int]]:
    """Raw counts for the highest order and ``<s>``-initial n-grams, continuation counts otherwise."""
    order = len(counts)
    adjusted: list[dict[Ngram, int]] = [dict() for _ in range(order)]
    adjusted[-1] = dict(counts[-1])
    for n in range(order - 1, 0, -1):  # order n is index n-1; its continuations come from order n+1
        continuation: Counter[Ngram] = Counter(gram[1:] for gram in counts[n])
        adjusted[n - 1] = {
            gram: (count if gram[0] == 0 else continuation[gram]) for gram, count in counts[n - 1].items()
        }
    return adjusted


def discounts(adjusted: dict[Ngram, int]) -> tuple[float, float, float]:
    """Modified Kneser–Ney discounts D1, D2, D3+ from the count-of-counts of one order."""
    t = Counter(c for c in adjusted.values() if c <= 4)
    t1, t2, t3, t4 = (t.get(k, 0) for k in (1, 2, 3, 4))
    out = list(FALLBACK_DISCOUNTS)
    if t1 and t2:
        y = t1 / (t1 + 2 * t2)
        for k, (tk, tnext) in enumerate(((t1, t2), (t2, t3), (t3, t4)), start=1):
            if tk:
                d = k - (k + 1) * y * tnext / tk
                if 0 < d < k:
                    out[k - 1] = d
    return out[0], out[1], out[2]


def estimate(vocab: list[str], counts: list[Counter[Ngram]]) -> NgramModel:
    """Interpolated modified Kneser–Ney probabilities and backoffs from raw counts."""
    order = len(counts)
    adjusted = adjusted_counts(counts)
    model = NgramModel(vocab=vocab, order=order)
    for n in range(1, order + 1):
        a = adjusted[n - 1]
        d = discounts(a)
        model.discounts.append(d)
        totals: defaultdict[Ngram, float] = defaultdict(float)
        mass: defaultdict[Ngram, float] = defaultdict(float)
        for gram, c in a.items():
            totals[gram[:-1]] += c
            mass[gram[:-1]] += d[min(c, 3) - 1]
        gamma = {h: mass[h] / totals[h] for h in totals}
        probs: dict[Ngram, float] = {}
        if n == 1:
            uniform = gamma[()] / (len(vocab) - 1)  # every word but <s>
            for gram, c in a.items():
                probs[gram] = (c - d[min(c, 3) - 1]) / totals[()] + uniform
            probs[(2,)] = probs.get((2,), 0.0) + uniform  # <unk>: never counted, only the uniform share
        else:
            lower = model.prob[n - 2]
            for gram, c in a.items():
                h = gram[:-1]
                probs[gram] = (c - d[min(c, 3) - 1]) / totals[h] + gamma[h] * lower[gram[1:]]
        model.prob.append(probs)
        if n > 1:
            model.backoff.append(gamma)
    model.backoff.append({})  # the highest order is nobody's context
    return model


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def write_arpa(model: NgramModel, path: Path) -> None:
    """Write the model as an ARPA file (n-grams sorted by their words, so the file is deterministic)."""
    vocab = model.vocab
    ids = {w: i for i, w in enumerate(vocab)}
    with atomic_open(path, "w") as handle:
        handle.write("\\data\\\n")
        sizes = [len(model.prob[0]) + 1] + [len(p) for p in model.prob[1:]]  # + 1: the <s> unigram
        for n, size in enumerate(sizes, start=1):
            handle.write(f"ngram {n}={size}\n")
        for n in range(1, model.order + 1):
            handle.write(f"\n\\{n}-grams:\n")
            rows: list[tuple[tuple[str, ...], float | None]] = [
                (tuple(vocab[i] for i in gram), p) for gram, p in model.prob[n - 1].items()
            ]
            if n == 1:
                rows.append(((BOS,), None))
            backoffs = model.backoff[n - 1] if n < model.order else {}
            for words, p in sorted(rows, key=lambda r: r[0]):
                logp = _fmt(NO_PROB if p is None else math.log10(p))
                line = f"{logp}\t{' '.join(words)}"
                gamma = backoffs.get(tuple(ids[w] for w in words))
                if gamma is not None:
                    line += f"\t{_fmt(math.log10(gamma)) if gamma > 0 else _fmt(NO_PROB)}"
                handle.write(line + "\n")
        handle.write("\n\\end\\\n")


def train_arpa(sentences: Iterable[Sequence[str]], order: int, path: Path) -> NgramModel:
    """Count, estimate and write an ARPA model of ``order`` from tokenised sentences."""
    vocab, counts = count_ngrams(sentences, order)
    model = estimate(vocab, counts)
    write_arpa(model, path)
    return model
