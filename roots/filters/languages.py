"""Facts about the languages roots ships configs for, read from those configs (``configs/languages``).

Each language YAML holds its own facts (``name``, ``family`` — its group in the BLOOM model card —,
``iso639_3``, ``spaces_between_words``), so adding a language is adding one YAML; this module only
collects them from the shipped folder, validated by the same ``LanguageRegistry`` the filter stage uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class RootsLanguage:
    code: str
    name: str
    family: str  # "niger-congo", "indic" or "other" (the grouping of the BLOOM model card), "" outside BLOOM
    iso639_3: tuple[str, ...]  # codes (macro-language first) that other identifiers use for it


@cache
def shipped_languages() -> tuple[RootsLanguage, ...]:
    """Every language with a shipped YAML (default.yaml excluded), by code."""
    from roots.filters.registry import LanguageRegistry
    from roots.packaged import languages_dir

    registry = LanguageRegistry(languages_dir())
    return tuple(
        RootsLanguage(code, item.config.name, item.config.family, tuple(item.config.iso639_3))
        for code, item in sorted(registry.languages.items())
    )


def by_code() -> dict[str, RootsLanguage]:
    return {lang.code: lang for lang in shipped_languages()}


def language_name(code: str) -> str:
    """The English name of a shipped language, '' for any other code."""
    found = by_code().get(code)
    return found.name if found else ""
