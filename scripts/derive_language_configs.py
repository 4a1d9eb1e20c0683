"""Generate ``configs/languages/<code>.yaml`` for the ROOTS languages that have no tuned thresholds.

ROOTS tuned 13 languages with native speakers (``roots_compat: true``; their YAMLs are written by hand
and never touched here). Every other language YAML (``roots_compat: false``) is rewritten from the facts
it holds itself (``name``, ``family``, ``iso639_3``, ``language_id`` with its ``why``, whether
``filters.lang_id`` is on), so adding a language is adding its YAML and re-running this script:

* the identifier and label that decide the language, as its YAML says (chosen on
  ``tests/data/lid_samples.jsonl``: fastText LID-176 where it is reliable, pycld2 for the Niger-Congo
  languages LID-176 does not know or gets wrong, py3langid for Kikuyu, ``declared`` where no offline
  identifier knows the language);
* stop words from stopwordsiso where it has the language (no spaCy: 126 MB);
* thresholds derived with ``roots/filters/derive.py`` — the same formulas as
  ``roots thresholds derive`` — from the statistics of the only real text available offline for
  these languages: the CLD2 unit-test snippets (whole snippets and their word windows) and, for sw
  and yo, the paragraphs of ``roots/demo/texts``. Thresholds with too few values keep the ROOTS
  default; languages without any text keep all ROOTS defaults (``derived: false``).

    python scripts/derive_language_configs.py      # rewrites the derived files in configs/languages; deterministic
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from roots.filters.derive import derive_thresholds  # noqa: E402
from roots.filters.language_config import LanguageConfig  # noqa: E402
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


DEFAULTS_PROVENANCE = "ROOTS default thresholds (parameters_filtering_default): {why}"


def base_yaml(config: LanguageConfig, provenance: str) -> str:
    """The config before derivation: the language's facts and identifier, stop words, ROOTS default thresholds."""
    code, decider = config.lang, config.language_id
    has_stopwords = code in STOPWORDSISO
    lang_id_on = config.filters.get("lang_id").enabled  # type: ignore[union-attr]
    label = "null" if decider.label is None else decider.label
    stop = "stopwordsiso" if has_stopwords else "null"
    spacing = "" if config.spaces_between_words else "spaces_between_words: false\n"
    return f"""\
# {config.name} ({code}): not tuned by native speakers; thresholds derived from statistics of sample text.
# Written by scripts/derive_language_configs.py (formulas: roots/filters/derive.py). Re-derive them from
# your own data with `roots thresholds derive --lang {code} RUN --write`, then review them in the dashboard.
# Language id: {decider.why}.
# Stop words: {"stopwordsiso (" + code + ")" if has_stopwords else "none offline (filter off); give filters.stopwords.list a file"}.
lang: {code}
name: {config.name}
family: {config.family}
iso639_3: [{", ".join(config.iso639_3)}]
{spacing}roots_compat: false
derived: false
provenance: {json.dumps(provenance, ensure_ascii=False)}
segmenter: whitespace
language_id:
  identifier: {decider.identifier}
  label: {label}
  why: {json.dumps(decider.why, ensure_ascii=False)}
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
        path.write_text(base_yaml(loaded.config, DEFAULTS_PROVENANCE.format(why=why)), encoding="utf-8")
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
    derived = derived_languages(languages_dir)
    why = "no text in this language is available offline to derive thresholds from"
    for config in derived:
        base = base_yaml(config, DEFAULTS_PROVENANCE.format(why=why))
        (languages_dir / f"{config.lang}.yaml").write_text(base, encoding="utf-8")
    registry = LanguageRegistry(languages_dir)
    for config in derived:
        print(derive_language(config.lang, registry))


def derived_languages(languages_dir: Path) -> list[LanguageConfig]:
    """The configs this script writes: every language YAML ROOTS did not tune (``roots_compat: false``)."""
    registry = LanguageRegistry(languages_dir)
    return [item.config for _, item in sorted(registry.languages.items()) if not item.config.roots_compat]


if __name__ == "__main__":
    main()
