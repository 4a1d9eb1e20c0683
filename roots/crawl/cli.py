"""``roots crawl select|fetch|extract``: the pseudo-crawl from the command line (heavy imports stay inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def _load(run_dir: Path, overrides: dict[str, Any], changes: dict[str, Any]) -> tuple[Any, int]:
    """The run's pipeline config with ``changes`` applied to its crawl source (saved back), and that source's index."""
    from roots.config import validate_pipeline
    from roots.errors import UserError
    from roots.pipeline import load_run_config, save_run_config

    config = load_run_config(run_dir)
    data = config.model_dump(mode="json") | overrides
    positions = [i for i, s in enumerate(data["sources"]) if s["type"] == "crawl"]
    if not positions:
        raise UserError(
            f"{run_dir}: this run has no crawl source; start it with `roots crawl select SEEDS --out {run_dir}`"
        )
    data["sources"][positions[0]] |= {k: v for k, v in changes.items() if v is not None}
    config = validate_pipeline(data, "command line")
    save_run_config(config)
    return config, positions[0]


def _executor(config: Any) -> Any:
    from roots.executors import make_executor

    return make_executor(
        config.executor,
        config.workers,
        config.ray_address,
        tries=config.shard_tries,
        ray_num_cpus=config.ray_num_cpus,
        ray_memory_gb=config.ray_memory_gb,
    )


def register(cli: click.Group) -> None:
    """Add the ``crawl`` group to the ``roots`` command line."""
    from roots.cli import executor_options

    @cli.group()
    def crawl() -> None:
        """Pseudo-crawl: seed domains -> Common Crawl index -> range-fetched WARC records -> pages per domain."""

    @crawl.command("select")
    @click.argument("seeds", type=click.Path(path_type=Path))
    @click.option(
        "--index", required=True, help="columnar index: folder, file, s3://… or http(s)://… (.paths.gz)"
    )
    @click.option("--out", type=click.Path(path_type=Path), required=True, help="run directory")
    @click.option(
        "--crawl", "crawls", multiple=True, help="only this crawl, e.g. CC-MAIN-2021-04 (repeatable)"
    )
    @click.option("--max-per-domain", type=click.IntRange(min=1), default=None, help="cap pages per domain")
    @click.option("--lang", default=None, help="declared language of every page")
    @click.option("--name", default=None, help="label of this source in error records")
    def select_cmd(
        seeds: Path,
        index: str,
        out: Path,
        crawls: tuple[str, ...],
        max_per_domain: int | None,
        lang: str | None,
        name: str | None,
    ) -> None:
        """Look the SEEDS (one domain or URL prefix per line) up in the index: RUN/crawl/selection.parquet."""
        from roots.config import validate_pipeline
        from roots.crawl.config import CrawlSource
        from roots.crawl.run import crawl_paths, run_select
        from roots.pipeline import save_run_config

        local = Path(index).expanduser()
        source = {
            "type": "crawl",
            "seeds": str(seeds.expanduser().resolve()),
            "index": str(local.resolve()) if local.exists() else index,
            "crawls": list(crawls),
            "max_per_domain": max_per_domain,
            "lang": lang,
            "name": name,
        }
        config = validate_pipeline({"run_dir": str(out), "sources": [source]}, "command line")
        save_run_config(config)
        crawl_source = config.sources[0]
        assert isinstance(crawl_source, CrawlSource)
        summary = run_select(crawl_source, crawl_paths(crawl_source, out))
        click.echo(
            f"selected {summary['selected']} pages ({summary['urls']} URLs, {summary['captures']} captures) "
            f"of {summary['domains']} domains for {summary['seeds']} seeds: {out}/crawl/selection.parquet "
            f"(per-seed counts: {out}/crawl/seeds.parquet)"
        )
        if summary["unmatched"]:
            click.echo(
                f"{len(summary['unmatched'])} seed(s) matched nothing: {', '.join(summary['unmatched'])}"
            )

    @crawl.command("fetch")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @click.option(
        "--base-url",
        default=None,
        help="https://… base of warc_filename, or s3://bucket/ (default: data.commoncrawl.org)",
    )
    @click.option("--s3-endpoint", default=None, help="host:port of an S3-compatible store")
    @click.option("--s3-anonymous", is_flag=True, default=None, help="read s3:// without credentials")
    @click.option(
        "--concurrency", type=click.IntRange(1, 256), default=None, help="requests in flight per worker"
    )
    @click.option(
        "--rate", type=click.FloatRange(min=0), default=None, help="max requests per second per worker"
    )
    @click.option("--tries", type=click.IntRange(min=1), default=None, help="tries per record")
    @click.option(
        "--timeout", type=click.FloatRange(min=0.001), default=None, help="request timeout (seconds)"
    )
    @click.option(
        "--records-per-shard", type=click.IntRange(min=1), default=None, help="records per fetched WARC shard"
    )
    @click.option("--retry-errors", is_flag=True, help="fetch again the shards that have error records")
    @executor_options
    def fetch_cmd(
        run_dir: Path,
        base_url: str | None,
        s3_endpoint: str | None,
        s3_anonymous: bool | None,
        concurrency: int | None,
        rate: float | None,
        tries: int | None,
        timeout: float | None,
        records_per_shard: int | None,
        retry_errors: bool,
        overrides: dict[str, Any],
    ) -> None:
        """Fetch the selected records with range requests into RUN/crawl/fetch/warc/*.warc.gz (resumable)."""
        from roots.crawl.run import crawl_paths, retry_fetch_errors, run_crawl

        changes = {
            "base_url": base_url,
            "s3_endpoint": s3_endpoint,
            "s3_anonymous": s3_anonymous,
            "concurrency": concurrency,
            "max_requests_per_second": rate,
            "tries": tries,
            "timeout_seconds": timeout,
            "records_per_shard": records_per_shard,
        }
        config, position = _load(run_dir, overrides, changes)
        source = config.sources[position]
        if retry_errors:
            retry_fetch_errors(crawl_paths(source, run_dir))
        with _executor(config) as executor:
            paths = run_crawl(source, run_dir, executor, until="fetch")
        stats = paths.step("fetch").read_stats() or {}
        totals = stats.get("totals", {})
        click.echo(
            f"fetched {totals.get('kept', {}).get('docs', 0)} of {totals.get('in', {}).get('docs', 0)} records "
            f"into {paths.root}/fetch/warc; {totals.get('errors_total', {}).get('docs', 0)} error record(s) "
            f"in {paths.root}/fetch/errors.jsonl"
        )

    @crawl.command("extract")
    @click.argument("run_dir", type=click.Path(path_type=Path))
    @click.option("--extractor", default=None, help="'trafilatura', 'resiliparse' or module:function")
    @click.option(
        "--min-chars", type=click.IntRange(min=0), default=None, help="remove pages this short or shorter"
    )
    @executor_options
    def extract_cmd(
        run_dir: Path, extractor: str | None, min_chars: int | None, overrides: dict[str, Any]
    ) -> None:
        """Extract the fetched pages, remove each domain's menu lines, and write RUN/extract/ (source = domain)."""
        from roots.pipeline import run_stages
        from roots.summary import print_summary

        config, _ = _load(run_dir, overrides, {"extractor": extractor, "min_chars": min_chars})
        print_summary(run_stages(config, ["extract"]))
