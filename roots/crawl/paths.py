"""Where one crawl keeps its files (by default ``RUN/crawl``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roots.layout import RunLayout, StageDir


@dataclass(frozen=True)
class CrawlPaths:
    """The files of one crawl under its folder (by default ``RUN/crawl``)."""

    root: Path

    @property
    def selection(self) -> Path:
        return self.root / "selection.parquet"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds.parquet"

    @property
    def domains(self) -> Path:
        return self.root / "domains.parquet"

    @property
    def summary(self) -> Path:
        return self.root / "select.json"

    @property
    def run(self) -> RunLayout:
        """The crawl folder as the run its stages (fetch, pages, menu, clean) write into."""
        return RunLayout(self.root)

    def step(self, name: str) -> StageDir:
        """The folder of one of the crawl's stages (fetch, pages, menu, clean)."""
        return StageDir(self.root / name)

    def warc(self, index: int) -> Path:
        """The local WARC shard ``index`` the fetch writes (read by the WARC source)."""
        return self.root / "fetch" / "warc" / f"part-{index:05d}.warc.gz"
