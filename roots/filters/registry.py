"""The language configs of a run: every ``<lang>.yaml`` in the languages folder, and ``default.yaml`` for the rest.

A language without its own YAML is filtered with ``default.yaml`` (ROOTS's default column), with the
document's language code and the fastText label of the same name; the stage reports every such language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roots.errors import UserError
from roots.filters.language_config import (
    DEFAULT_CONFIG,
    LanguageConfig,
    LanguageId,
    language_files,
    load_language_config,
)
from roots.filters.paths import config_relative

__all__ = ["LanguageRegistry", "LoadedLanguage", "config_relative"]


@dataclass(frozen=True)
class LoadedLanguage:
    """One language's configuration, the YAML it came from, and whether ``default.yaml`` stands in for it."""

    config: LanguageConfig
    path: Path
    fallback: bool = False


class LanguageRegistry:
    """All language configs of a folder, validated up front (a bad file fails the run before any work)."""

    def __init__(self, languages_dir: Path | str) -> None:
        self.languages_dir = Path(languages_dir)
        if not self.languages_dir.is_dir():
            raise UserError(
                f"{self.languages_dir}: languages folder not found; set filter.languages_dir (or --languages-dir) "
                "to a folder of <lang>.yaml files such as configs/languages"
            )
        self.languages: dict[str, LoadedLanguage] = {}
        default: LoadedLanguage | None = None
        for path in language_files(self.languages_dir):
            config = load_language_config(path)
            if config.lang != path.stem:
                raise UserError(
                    f"{path}: lang = {config.lang!r} but the file is named {path.name}; make them agree"
                )
            if path.stem == DEFAULT_CONFIG:
                default = LoadedLanguage(config, path)
            else:
                self.languages[config.lang] = LoadedLanguage(config, path)
        if default is None:
            raise UserError(
                f"{self.languages_dir}: no {DEFAULT_CONFIG}.yaml; it is needed for languages without their own "
                "config (copy configs/languages/default.yaml)"
            )
        self.default = default

    def configs(self) -> dict[str, LanguageConfig]:
        """The configured languages (default.yaml excluded), for the language detector."""
        return {lang: loaded.config for lang, loaded in self.languages.items()}

    def get(self, lang: str) -> LoadedLanguage:
        """The config of ``lang``; ``default.yaml`` adapted to ``lang`` when it has none."""
        if lang in self.languages:
            return self.languages[lang]
        base = self.default.config
        config = base.model_copy(
            update={
                "lang": lang,
                "language_id": LanguageId(identifier=base.language_id.identifier, label=lang),
            }
        )
        return LoadedLanguage(config, self.default.path, fallback=True)

    def snapshot(self) -> dict[str, Any]:
        """Every config's content, for the stage fingerprint (a changed threshold invalidates finished shards)."""
        loaded = {**self.languages, DEFAULT_CONFIG: self.default}
        return {lang: item.config.model_dump(mode="json") for lang, item in sorted(loaded.items())}
