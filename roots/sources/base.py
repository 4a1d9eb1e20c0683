"""The source interface and the extract stage that runs any mix of sources over shards."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roots.layout import RunLayout
from roots.limits import invalid_unicode, oversize, printable
from roots.schema import documents_to_table, make_document
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

if TYPE_CHECKING:
    from roots.executors import Executor


@dataclass(frozen=True)
class ExtractError:
    """An input item that could not become a document; it is recorded with its locator and reason."""

    locator: str
    reason: str
    detail: str = ""
    lang: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An input item that is not a document at all (e.g. a WARC request record); only counted."""

    reason: str


Item = dict[str, Any] | ExtractError | Skipped


class Source(ABC):
    """Reads one kind of input. ``units`` splits the input into work units; ``read`` turns one into items."""

    kind: str

    def __init__(self, config: Any) -> None:
        self.config = config

    @property
    def label(self) -> str:
        """The ``source`` column of this source's documents, and its name in statistics and errors."""
        return self.config.name or self.kind

    @property
    def max_bytes(self) -> int:
        """The size limit of one document (and of one raw input item) of this source."""
        return int(self.config.max_document_bytes)

    def document(
        self,
        locator: str,
        text: str,
        *,
        url: str | None = None,
        meta: dict[str, Any] | None = None,
        lang: str | None = None,
    ) -> dict[str, Any] | ExtractError:
        """A document row, or the error every source reports the same way: ``too_large`` (over
        ``max_document_bytes``) or ``invalid_unicode`` (a lone surrogate in the text, URL, locator or meta,
        which could not be written as UTF-8 and would fail the whole shard). ``lang`` overrides the source's."""
        lang = lang or self.config.lang
        too_large = oversize(text, self.max_bytes)
        if too_large:
            return ExtractError(locator, "too_large", too_large, lang)
        bad = invalid_unicode(locator)
        if bad:
            return ExtractError(locator, "invalid_unicode", f"locator: {bad}", lang)
        row = make_document(source=self.label, locator=locator, text=text, url=url, lang=lang, meta=meta)
        for field in ("text", "url", "meta"):
            bad = invalid_unicode(row[field])
            if bad:
                return ExtractError(locator, "invalid_unicode", f"{field}: {bad}", lang)
        return row

    def prepare(self, run: RunLayout, executor: Executor) -> Any:
        """Work that must finish before ``units`` can be listed (the crawl's fetch); returns the config to use."""
        return self.config

    @abstractmethod
    def units(self) -> list[dict[str, Any]]:
        """JSON-serialisable work units (file + range), deterministic for the same input."""

    @abstractmethod
    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        """Documents (rows from ``schema.make_document``), errors and skipped items of one unit."""


def build_source(config: Any) -> Source:
    from roots.sources.registry import source_class

    return source_class(config.type)(config)


class ExtractStage(Stage):
    """Turns every work unit of every source into one Parquet shard of documents."""

    subdir = "extract"

    def __init__(self, sources: Sequence[Any]) -> None:
        self.sources = list(sources)

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        return {}

    def shard_inputs(self, task: ShardTask) -> dict[str, Any]:
        """A shard depends on its own source's configuration only: changing one source redoes its shards."""
        return {"source": self.sources[task.payload["source"]].model_dump(mode="json")}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        tasks: list[ShardTask] = []
        for position, config in enumerate(self.sources):
            for unit in build_source(config).units():
                tasks.append(ShardTask(len(tasks), {"source": position, "unit": unit}))
        return tasks

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        config = self.sources[task.payload["source"]]
        source = build_source(config)
        label = source.label
        stats = StageStats()
        rows: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in source.read(task.payload["unit"]):
            if isinstance(item, Skipped):
                stats.add_skipped(item.reason)
            elif isinstance(item, ExtractError):
                stats.add_in(item.lang, 0)
                stats.add_error(item.lang, item.reason)
                errors.append(
                    {
                        "stage": "extract",
                        "source": label,
                        "locator": printable(item.locator),
                        "reason": item.reason,
                        "detail": printable(item.detail),
                    }
                )
            else:
                chars = len(item["text"])
                stats.add_in(item["lang"], chars)
                stats.add_kept(item["lang"], chars)
                rows.append(item)
        return ShardOutput(tables={None: documents_to_table(rows)}, errors=errors, stats=stats)
