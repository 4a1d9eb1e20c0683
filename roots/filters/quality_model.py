"""The text-quality classifier ``roots quality train`` trains and the ``quality_score`` filter loads.

Logistic regression on hashed features, small enough to train offline in seconds on a few thousand
documents: lowercased words, word pairs and the character 3-grams of each word (so languages written
without spaces get features too), hashed with xxhash64 into ``2**bits`` buckets, counts L2-normalised.
Trained by stochastic gradient descent over a fixed-seed shuffle with class-balanced weights, and saved
as a ``.npz`` with fixed zip dates: the same training sets give a byte-identical model.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from roots.atomic import write_bytes
from roots.errors import UserError

FORMAT = "roots-quality-1"


def features(text: str, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashed feature buckets of a text and their L2-normalised counts."""
    words = text.lower().split()
    tokens = [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]
    tokens += [f"#{w[i : i + 3]}" for w in words for i in range(max(1, len(w) - 2))]
    if not tokens:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    mask = (1 << bits) - 1
    hashed = np.fromiter((xxhash.xxh64_intdigest(t.encode("utf-8")) & mask for t in tokens), np.int64, count=len(tokens))
    index, counts = np.unique(hashed, return_counts=True)
    values = counts.astype(np.float64)
    return index, values / np.linalg.norm(values)


@dataclass(frozen=True)
class QualityModel:
    weights: np.ndarray  # float64, 2**bits
    bias: float
    bits: int

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text belongs to the positive ("good") set."""
        out = np.empty(len(texts), dtype=np.float64)
        for i, text in enumerate(texts):
            index, values = features(text, self.bits)
            out[i] = 1.0 / (1.0 + np.exp(-(float(self.weights[index] @ values) + self.bias)))
        return out

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            arrays = {"weights": self.weights.astype(np.float32), "bias": np.array([self.bias])}
            for name, array in arrays.items():
                data = io.BytesIO()
                np.save(data, array)
                archive.writestr(
                    zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), data.getvalue()
                )
            meta = json.dumps({"format": FORMAT, "bits": self.bits}).encode()
            archive.writestr(zipfile.ZipInfo("meta.json", date_time=(1980, 1, 1, 0, 0, 0)), meta)
        write_bytes(path, buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> QualityModel:
        try:
            with zipfile.ZipFile(path) as archive:
                meta = json.loads(archive.read("meta.json"))
                weights = np.load(io.BytesIO(archive.read("weights.npy"))).astype(np.float64)
                bias = float(np.load(io.BytesIO(archive.read("bias.npy")))[0])
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise UserError(f"{path}: not a model of `roots quality train` ({exc})") from None
        if meta.get("format") != FORMAT:
            raise UserError(f"{path}: unknown model format {meta.get('format')!r}; retrain it")
        return cls(weights, bias, int(meta["bits"]))


def train(
    positive: Sequence[str], negative: Sequence[str], *, bits: int = 18, epochs: int = 5, rate: float = 0.5
) -> QualityModel:
    """Fit the classifier: positive texts are the good ones (label 1)."""
    if not positive or not negative:
        raise UserError("quality train: both the positive and the negative set need documents")
    texts = [*positive, *negative]
    labels = np.array([1.0] * len(positive) + [0.0] * len(negative))
    balance = np.where(labels == 1.0, len(texts) / (2 * len(positive)), len(texts) / (2 * len(negative)))
    rows = [features(t, bits) for t in texts]
    weights = np.zeros(1 << bits, dtype=np.float64)
    bias = 0.0
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        step = rate / (1 + epoch)
        for i in rng.permutation(len(texts)):
            index, values = rows[i]
            p = 1.0 / (1.0 + np.exp(-(float(weights[index] @ values) + bias)))
            gradient = (p - labels[i]) * balance[i]
            weights[index] -= step * gradient * values
            bias -= step * gradient
    return QualityModel(weights, bias, bits)


def read_texts(paths: Iterable[Path]) -> list[str]:
    """Texts of jsonl files (``{"text": …}`` per line), Parquet files, or folders of Parquet shards
    (a run's ``RUN/filter/kept`` or ``RUN/filter/removed``)."""
    import pyarrow.parquet as pq

    texts: list[str] = []
    for path in paths:
        if path.is_dir():
            parts = sorted(path.rglob("*.parquet"))
            if not parts:
                raise UserError(
                    f"{path}: no .parquet files (give a run's filter/kept folder or a jsonl file)"
                )
        elif path.suffix == ".parquet":
            parts = [path]
        else:
            parts = []
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise UserError(f"{path}: cannot read ({exc.strerror})") from None
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    texts.append(str(json.loads(line)["text"]))
                except (ValueError, KeyError, TypeError):
                    raise UserError(f"{path}:{number}: expected a JSON object with a 'text' field") from None
        for part in parts:
            texts += [t for t in pq.read_table(part, columns=["text"]).column("text").to_pylist() if t]
    return texts
