"""Per-language accounting of a stage: documents and characters in / kept / removed (by reason) / errors.

Every stage must balance: ``in = kept + removed + errors`` for each language, counted independently
(``in`` when a document or input item is read, the others when it is written or rejected).
Items that are not documents at all (a WARC ``request`` record, an image) are ``skipped`` by reason
and are not part of ``in``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from roots.schema import lang_key


@dataclass
class Counts:
    docs: int = 0
    chars: int = 0

    def add(self, docs: int, chars: int) -> None:
        self.docs += docs
        self.chars += chars

    def to_dict(self) -> dict[str, int]:
        return {"docs": self.docs, "chars": self.chars}


def _counts_map() -> defaultdict[str, Counts]:
    return defaultdict(Counts)


@dataclass
class LangStats:
    inputs: Counts = field(default_factory=Counts)
    kept: Counts = field(default_factory=Counts)
    removed: defaultdict[str, Counts] = field(default_factory=_counts_map)
    errors: defaultdict[str, Counts] = field(default_factory=_counts_map)

    @property
    def removed_total(self) -> Counts:
        return _sum(self.removed.values())

    @property
    def errors_total(self) -> Counts:
        return _sum(self.errors.values())

    def balanced(self) -> bool:
        out = self.kept.docs + self.removed_total.docs + self.errors_total.docs
        return self.inputs.docs == out

    def to_dict(self) -> dict[str, Any]:
        return {
            "in": self.inputs.to_dict(),
            "kept": self.kept.to_dict(),
            "removed": {k: v.to_dict() for k, v in sorted(self.removed.items())},
            "removed_total": self.removed_total.to_dict(),
            "errors": {k: v.to_dict() for k, v in sorted(self.errors.items())},
            "errors_total": self.errors_total.to_dict(),
        }


def _sum(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total.add(c.docs, c.chars)
    return total


class StageStats:
    """Mutable counters for one shard or one whole stage; merge shard stats with ``merge``."""

    def __init__(self) -> None:
        self.languages: defaultdict[str, LangStats] = defaultdict(LangStats)
        self.skipped: defaultdict[str, int] = defaultdict(int)
        self.extra: dict[str, Any] = {}

    def add_in(self, lang: str | None, chars: int, docs: int = 1) -> None:
        self.languages[lang_key(lang)].inputs.add(docs, chars)

    def add_kept(self, lang: str | None, chars: int, docs: int = 1) -> None:
        self.languages[lang_key(lang)].kept.add(docs, chars)

    def add_removed(self, lang: str | None, reason: str, chars: int, docs: int = 1) -> None:
        self.languages[lang_key(lang)].removed[reason].add(docs, chars)

    def add_error(self, lang: str | None, reason: str, chars: int = 0, docs: int = 1) -> None:
        self.languages[lang_key(lang)].errors[reason].add(docs, chars)

    def add_skipped(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    def merge(self, other: StageStats) -> StageStats:
        for lang, ls in other.languages.items():
            mine = self.languages[lang]
            mine.inputs.add(ls.inputs.docs, ls.inputs.chars)
            mine.kept.add(ls.kept.docs, ls.kept.chars)
            for reason, c in ls.removed.items():
                mine.removed[reason].add(c.docs, c.chars)
            for reason, c in ls.errors.items():
                mine.errors[reason].add(c.docs, c.chars)
        for reason, n in other.skipped.items():
            self.skipped[reason] += n
        return self

    def unbalanced_languages(self) -> list[str]:
        return sorted(lang for lang, ls in self.languages.items() if not ls.balanced())

    def totals(self) -> LangStats:
        total = StageStats()
        for ls in self.languages.values():
            part = StageStats()
            part.languages["all"] = ls
            total.merge(part)
        return total.languages["all"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "languages": {k: v.to_dict() for k, v in sorted(self.languages.items())},
            "totals": self.totals().to_dict(),
            "skipped": dict(sorted(self.skipped.items())),
            "balanced": not self.unbalanced_languages(),
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageStats:
        stats = cls()
        for lang, ld in data.get("languages", {}).items():
            ls = stats.languages[lang]
            ls.inputs.add(ld["in"]["docs"], ld["in"]["chars"])
            ls.kept.add(ld["kept"]["docs"], ld["kept"]["chars"])
            for reason, c in ld.get("removed", {}).items():
                ls.removed[reason].add(c["docs"], c["chars"])
            for reason, c in ld.get("errors", {}).items():
                ls.errors[reason].add(c["docs"], c["chars"])
        for reason, n in data.get("skipped", {}).items():
            stats.skipped[reason] += n
        stats.extra = dict(data.get("extra", {}))
        return stats
