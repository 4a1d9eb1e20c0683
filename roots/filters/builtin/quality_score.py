"""Model-based quality (``quality_score``): a classifier's probability that a document is "good", as DCLM
and FineWeb-Edu filter; the model is a fastText supervised model, one of ``roots quality train``, or any
``module:function`` that scores a batch of texts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from roots.errors import UserError
from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Language, Statistic
from roots.filters.paths import file_identity


class QualityScoreConfig(FilterConfig):
    min: float = Field(0.5, ge=0, le=1, description="lowest allowed probability of the good label")
    model: str | None = Field(
        None,
        description="a model file, relative to this YAML: .npz (`roots quality train`) or a fastText "
        "supervised .bin/.ftz",
    )
    label: str = Field("hq", description="the fastText label of good documents (without __label__)")
    scorer: str | None = Field(
        None, description="'module:function' taking a list of texts and returning one score per text"
    )

    @model_validator(mode="after")
    def _one_source(self) -> QualityScoreConfig:
        if (self.model is None) == (self.scorer is None):
            raise ValueError("give exactly one of model (a file) and scorer ('module:function')")
        return self


def _import_scorer(spec: str) -> Callable[[list[str]], Sequence[float]]:
    module_name, _, attr = spec.partition(":")
    try:
        function = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise UserError(f"filters.quality_score.scorer = {spec!r}: cannot import it ({exc})") from None
    if not callable(function):
        raise UserError(f"filters.quality_score.scorer = {spec!r}: not a function")
    return function  # type: ignore[no-any-return]


def _fasttext_scorer(path: str, label: str) -> Callable[[list[str]], Sequence[float]]:
    from roots.filters.lid import load_fasttext

    model = load_fasttext(path)
    wanted = f"__label__{label}"

    def score(texts: list[str]) -> list[float]:
        out = []
        for text in texts:
            labels, probs = model.predict(text.replace("\n", " "), k=-1)
            out.append(next((float(p) for lab, p in zip(labels, probs, strict=True) if lab == wanted), 0.0))
        return out

    return score


class QualityScore(Filter):
    name = "quality_score"
    Config = QualityScoreConfig
    statistics = (Statistic("quality_score"),)
    bounds = ("min",)
    derive = (
        DeriveRule("min", "clamp(q05, 0.1, 0.5)", lambda v: round(clamp(quantile(v, 0.05), 0.1, 0.5), 3)),
    )
    label = "Quality classifier score"
    measures = (
        "How likely a text classifier trained on good and bad examples finds the document good "
        "(1 = surely good). Train one from your own kept and removed documents with `roots quality train`."
    )
    unit = "Probability of 'good' (0 to 1)"
    config: QualityScoreConfig

    def __init__(self, config: FilterConfig, language: Language) -> None:
        super().__init__(config, language)
        settings = self.config
        self.scorer: Callable[[list[str]], Any]
        if settings.scorer:
            self.scorer = _import_scorer(settings.scorer)
        else:
            path = language.resolve(settings.model)
            assert path is not None
            if not path.is_file():
                raise UserError(
                    f"{language.path}: filters.quality_score.model = {settings.model!r}: file not found"
                )
            if path.suffix == ".npz":
                from roots.filters.quality_model import QualityModel

                self.scorer = QualityModel.load(path).scores
            else:
                self.scorer = _fasttext_scorer(str(path), settings.label)

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        if not batch.texts:
            return {"quality_score": np.zeros(0)}
        scores = np.asarray(self.scorer(batch.texts), dtype=np.float64)
        if scores.shape != (len(batch),):
            raise UserError(
                f"quality_score: the scorer returned {scores.shape} scores for {len(batch)} texts"
            )
        return {"quality_score": scores}

    @classmethod
    def resources(cls, config: FilterConfig, language: Language) -> Any:
        assert isinstance(config, QualityScoreConfig)
        return config.scorer or file_identity(language.resolve(config.model))
