"""Generate ``configs/languages/<code>.yaml`` for the ROOTS languages that have no tuned thresholds.

ROOTS tuned 13 languages with native speakers (their YAMLs are written by hand and never touched
here). For the other 32 BLOOM codes this script writes a config with:

* the identifier and label that decide the language (measured on ``tests/data/lid_samples.jsonl``:
  fastText LID-176 where it is reliable, pycld2 for the Niger-Congo languages LID-176 does not know
  or gets wrong, py3langid for Kikuyu, ``declared`` where no offline identifier knows the language);
* stop words from stopwordsiso where it has the language (no spaCy: 126 MB);
* thresholds derived with ``roots/filters/derive.py`` — the same formulas as
  ``roots thresholds derive`` — from the statistics of the only real text available offline for
  these languages: the CLD2 unit-test snippets (whole snippets and their word windows) and, for sw
  and yo, the paragraphs of ``roots/demo/texts``. Thresholds with too few values keep the ROOTS
  default; languages without any text keep all ROOTS defaults (``derived: false``).

    python scripts/derive_language_configs.py      # rewrites the 32 files in configs/languages; deterministic
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from roots.filters.derive import derive_thresholds  # noqa: E402
from roots.filters.languages import BY_CODE  # noqa: E402
from roots.filters.registry import LanguageRegistry  # noqa: E402
from roots.filters.scorer import LanguageScorer, scoring_detector  # noqa: E402
from roots.filters.thresholds import write_thresholds  # noqa: E402

LANGUAGES_DIR = REPO / "configs" / "languages"
SAMPLES = REPO / "tests" / "data" / "lid_samples.jsonl"
DEMO_TEXTS = REPO / "roots" / "demo" / "texts"
STOPWORDSISO = frozenset({"gu", "mr", "st", "sw", "yo", "zu"})  # stopwordsiso 0.7.1 ∩ these languages
SAMPLE_SOURCE = (
    "CLD2 unit-test snippets (pycld2 0.42 sdist, cld2/internal/unittest_data.h, Apache-2.0; "
    "tests/data/lid_samples.jsonl)"
)


@dataclass(frozen=True)
class Decider:
    identifier: str
    label: str | None
    why: str


CLD2_WHY = "pycld2: fastText LID-176 has no label for it or misidentifies it on the samples"
DECIDERS: dict[str, Decider] = {
    **{
        code: Decider("fasttext", code, "fastText LID-176 (as ROOTS), correct on the samples")
        for code in ("as", "gu", "kn", "ml", "mr", "ne", "or", "pa", "ta", "te")
    },
    **{
        code: Decider("cld2", code, CLD2_WHY)
        for code in ("ak", "ny", "ig", "ln", "lg", "nso", "rn", "rw", "sn", "st", "sw", "tn", "ts", "wo")
        + ("xh", "yo", "zu")
    },
    "ki": Decider(
        "py3langid", "kik", "py3langid has Kikuyu ('kik'); unvalidated: no Kikuyu text is available offline"
    ),
    **{
        code: Decider(
            "declared", None, "no offline identifier knows it: the source's declared language is kept"
        )
        for code in ("bm", "fon", "tum")
    },
    "tw": Decider("declared", None, "no offline identifier separates Twi from Akan (pycld2 says 'ak')"),
}


DEFAULTS_PROVENANCE = "ROOTS default thresholds (parameters_filtering_default): {why}"


def base_yaml(code: str, provenance: str) -> str:
    """The config before derivation: identifier, stop words, ROOTS default thresholds."""
    lang, decider = BY_CODE[code], DECIDERS[code]
    has_stopwords = code in STOPWORDSISO
    lang_id_on = decider.identifier not in ("declared",) and code != "ki"
    label = "null" if decider.label is None else decider.label
    stop = "stopwordsiso" if has_stopwords else "null"
    return f"""\
# {lang.name} ({code}): not tuned by native speakers; thresholds derived from statistics of sample text.
# Written by scripts/derive_language_configs.py (formulas: roots/filters/derive.py). Re-derive them from
# your own data with `roots thresholds derive --lang {code} RUN --write`, then review them in the dashboard.
# Language id: {decider.why}.
# Stop words: {"stopwordsiso (" + code + ")" if has_stopwords else "none offline (filter off); give filters.stopwords.list a file"}.
lang: {code}
name: {lang.name}
roots_compat: false
derived: false
provenance: {json.dumps(provenance, ensure_ascii=False)}
segmenter: whitespace
language_id:
  identifier: {decider.identifier}
  label: {label}
modifications:
  uniform_whitespace: true
  replace_unicode_punctuation: false
  remove_words_with_incorrect_substrings: false
  incorrect_word_substrings: [http, www, .com, href, //]
  remove_long_words: false
  length_word_max: 50
words_augmentation: null
filters:
  number_words:
    enabled: true
    min: 10
    max: 100000
  character_repetition:
    enabled: true
    n: 10
    max: 0.2
    variant: roots
  word_repetition:
    enabled: true
    n: 5
    max: 0.3
  special_characters:
    enabled: true
    max: 0.4
  stopwords:
    enabled: {"true" if has_stopwords else "false"}
    min: 0.1
    list: {stop}
  flagged_words:
    enabled: true
    max: 0.1
    list: null
  lang_id:
    enabled: {"true" if lang_id_on else "false"}
    min: 0.7
  perplexity:  # off until you give a KenLM model and its SentencePiece model (`roots lm train --update-config`)
    enabled: false
    max: 10000
    kenlm_model: null
    sentencepiece_model: null
pii:
  enabled: true
"""


def sample_texts(code: str) -> tuple[list[str], list[str]]:
    """(texts, where they came from) for one language."""
    texts: list[str] = []
    sources: list[str] = []
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line]
    samples = [r for r in rows if r["lang"] == code]
    if samples:
        texts += [r["text"] for r in samples]
        full = sum(r["kind"] == "full" for r in samples)
        sources.append(f"{full} {SAMPLE_SOURCE} and {len(samples) - full} word windows of them")
    demo = DEMO_TEXTS / f"{code}.txt"
    if demo.is_file():
        paragraphs = [p.strip() for p in demo.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        texts += paragraphs
        sources.append(f"{len(paragraphs)} paragraphs of roots/demo/texts/{code}.txt (project-written)")
    return texts, sources


def derive_language(code: str, registry: LanguageRegistry) -> str:
    path = registry.languages_dir / f"{code}.yaml"
    texts, sources = sample_texts(code)
    if not texts:
        return f"{code}: no sample text, ROOTS defaults kept"
    loaded = registry.get(code)
    scorer = LanguageScorer(loaded, scoring_detector(registry, loaded, None))
    scored = scorer.compute(texts)
    derived = derive_thresholds(scored.columns)
    if not derived.values:
        why = f"too little sample text to derive from ({len(texts)} texts: {'; '.join(sources)})"
        path.write_text(base_yaml(code, DEFAULTS_PROVENANCE.format(why=why)), encoding="utf-8")
        return f"{code}: {why}, ROOTS defaults kept"
    keys = ", ".join(f"{f}.{k}" for f, k in derived.values)
    provenance = (
        f"thresholds derived by scripts/derive_language_configs.py (roots/filters/derive.py) from "
        f"{len(texts)} texts: {'; '.join(sources)}; derived: {keys}; other thresholds: ROOTS defaults; "
        "not reviewed by a native speaker"
    )
    write_thresholds(path, derived, provenance)
    return f"{code}: {len(texts)} texts, derived {keys}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--languages-dir", type=Path, default=LANGUAGES_DIR, help="where the YAMLs are written"
    )
    languages_dir = parser.parse_args(argv).languages_dir
    why = "no text in this language is available offline to derive thresholds from"
    for code in sorted(DECIDERS):
        base = base_yaml(code, DEFAULTS_PROVENANCE.format(why=why))
        (languages_dir / f"{code}.yaml").write_text(base, encoding="utf-8")
    registry = LanguageRegistry(languages_dir)
    for code in sorted(DECIDERS):
        print(derive_language(code, registry))


if __name__ == "__main__":
    main()
