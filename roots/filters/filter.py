"""What a filter is: one class declares everything roots needs to know about it.

A filter computes one or more statistics per document (vectorised over a batch, with the language's
config: segmenter, word lists, models) and removes the documents whose tested statistic falls below a
``min`` or above a ``max`` threshold. The class says, in one place:

* ``name``: its key under ``filters:`` in a language YAML, and the ``drop_reason`` it writes;
* ``Config``: its section of the language YAML (a pydantic model; ``enabled`` plus its thresholds and
  options; a bad value is a one-line error naming the file and key);
* ``statistics``: the columns it stores (the first, or ``column``, is the one its thresholds test);
* ``bounds``: ``("min",)``, ``("max",)`` or ``("min", "max")``: which side of a threshold is removed;
* ``derive``: how ``roots thresholds derive`` turns a run's statistics into default thresholds;
* ``label`` / ``measures`` / ``unit`` (and ``integer``, ``step``, ``ratio``, ``describe``): what the
  dashboard shows; a bound's help says which side is removed;
* ``modifies_text``: whether it edits documents: then ``modify`` returns the new texts and its statistics
  (what it removed) instead of ``compute``; it runs before the other filters, and a switched-off one only
  records its statistics;
* ``in_every_config``: the eight ROOTS filters are part of every language config; any other filter
  runs only for the languages whose YAML lists it under ``filters:``.

An instance is built once per language (``__init__`` loads word lists or models) and ``compute`` gets
batches of that language's modified documents. Filters are listed in ``roots.filters.catalog``: the
built-in ones, then those that installed packages register in the ``roots.filters`` entry-point group.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pyarrow as pa

from roots.configbase import StrictModel
from roots.filters.paths import config_relative

if TYPE_CHECKING:
    from roots.filters.language_config import LanguageConfig
    from roots.filters.lid import LanguageDetector
    from roots.filters.words import WordBatch

Bound = Literal["min", "max"]


class FilterConfig(StrictModel):
    """A filter's section in a language YAML. Subclasses add ``min``/``max`` and their own options."""

    enabled: bool = True


@dataclass(frozen=True)
class Statistic:
    """One stored statistic column (null where it could not be computed)."""

    column: str
    type: pa.DataType = pa.float64()


@dataclass(frozen=True)
class DeriveRule:
    """How one threshold (``filters.<filter>.<field>``) is derived from a statistic's values in a run.

    ``compute`` gets the non-null values; ``needs_nonzero``: skip when all values are zero (the
    statistic is all zeros/missing when its resource, a word list or a model, is absent).
    """

    field: str
    formula: str
    compute: Callable[[np.ndarray], float | int]
    needs_nonzero: bool = False
    column: str | None = None  # default: the filter's tested column


@dataclass(frozen=True)
class Language:
    """What a filter may use of the language it runs for: its config, the YAML's path, the identifier."""

    config: LanguageConfig
    path: Path
    detector: LanguageDetector | None = None

    def resolve(self, value: str | None) -> Path | None:
        """A path from the YAML, relative to the YAML's folder."""
        return config_relative(value, self.path)


class Batch:
    """Modified documents of one language, and their words (segmented once, on first use)."""

    def __init__(self, texts: Sequence[str], words: Callable[[Sequence[str]], WordBatch]) -> None:
        self.texts = list(texts)
        self._words = words

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def words(self) -> WordBatch:
        return self._words(self.texts)

    def segment(self, texts: Sequence[str]) -> WordBatch:
        """The words of other texts (lines, sentences) with the language's segmenter."""
        return self._words(texts)


@dataclass(frozen=True)
class Modified:
    """What a text-modifying filter returns: the new texts and its statistic columns (what it removed)."""

    texts: list[str]
    columns: Mapping[str, np.ndarray]


class Filter:
    """Base class of every filter; see the module docstring for what a subclass declares."""

    name: ClassVar[str]
    Config: ClassVar[type[FilterConfig]]
    statistics: ClassVar[tuple[Statistic, ...]]
    column: ClassVar[str]  # the tested statistic (default: the first of ``statistics``)
    bounds: ClassVar[tuple[Bound, ...]]
    derive: ClassVar[tuple[DeriveRule, ...]] = ()
    label: ClassVar[str]
    measures: ClassVar[str]
    unit: ClassVar[str]
    integer: ClassVar[bool] = False
    step: ClassVar[float] = 0.001
    ratio: ClassVar[bool] = True  # a share from 0 to 1 (the slider spans 0..1); False: a count or score
    modifies_text: ClassVar[bool] = False
    in_every_config: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "column" not in cls.__dict__ and "statistics" in cls.__dict__:
            cls.column = cls.statistics[0].column

    @classmethod
    def check(cls) -> None:
        """Reject an incomplete declaration (raises ``TypeError`` saying what is missing)."""
        where = f"filter class {cls.__module__}.{cls.__qualname__}"
        for attr in ("name", "Config", "statistics", "bounds", "label", "measures", "unit"):
            if not hasattr(cls, attr):
                raise TypeError(f"{where} does not declare {attr!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", cls.name):
            raise TypeError(f"{where}: name {cls.name!r} must be lowercase letters, digits and '_'")
        if not (isinstance(cls.Config, type) and issubclass(cls.Config, FilterConfig)):
            raise TypeError(f"{where}: Config must subclass roots.filters.filter.FilterConfig")
        if not cls.statistics or cls.column not in {s.column for s in cls.statistics}:
            raise TypeError(f"{where}: column {cls.column!r} is not one of its statistics")
        if not cls.bounds or set(cls.bounds) - {"min", "max"}:
            raise TypeError(f"{where}: bounds must be ('min',), ('max',) or ('min', 'max')")
        for bound in cls.bounds:
            if bound not in cls.Config.model_fields:
                raise TypeError(f"{where}: Config has no {bound!r} field for its bound")

    def __init__(self, config: FilterConfig, language: Language) -> None:
        """Built once per language: load word lists or models here."""
        self.config = config
        self.language = language

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        """Every column of ``statistics`` for the batch (NaN: not available, the document passes)."""
        raise NotImplementedError

    def modify(self, batch: Batch) -> Modified:
        """Text-modifying filters (``modifies_text``): the edited texts and every statistic column."""
        raise NotImplementedError

    def note(self) -> str | None:
        """Why this filter passes every document (no word list, no model), for the run summary."""
        return None

    @classmethod
    def resources(cls, config: FilterConfig, language: Language) -> Any:
        """Identity of the files it reads besides the YAML (digests, sizes), for the stage fingerprint."""
        return None

    @classmethod
    def fails(cls, values: np.ndarray, config: FilterConfig) -> np.ndarray:
        """Documents this filter removes on its own; a null (NaN) statistic never fails."""
        fail = np.zeros(len(values), dtype=bool)
        with np.errstate(invalid="ignore"):
            for bound in cls.bounds:
                limit = getattr(config, bound)
                fail |= (values < limit) if bound == "min" else (values > limit)
        return fail

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        """One line about the options of ``config`` the dashboard cannot change (n-gram length, word list)."""
        return ""

    @classmethod
    def fields(cls) -> tuple[pa.Field, ...]:
        return tuple(pa.field(s.column, s.type) for s in cls.statistics)

    @classmethod
    def bound_help(cls, bound: str) -> str:
        """Which documents a bound removes, for the slider's help text."""
        side = "below" if bound == "min" else "above"
        return f"Documents whose {cls.unit.lower()} is {side} this value are removed."

    @classmethod
    def bound_label(cls, bound: str) -> str:
        if tuple(cls.bounds) == ("min", "max"):
            return "Fewest allowed" if bound == "min" else "Most allowed"
        return "Remove documents below" if bound == "min" else "Remove documents above"
