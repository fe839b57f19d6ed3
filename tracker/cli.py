"""The ``tracker`` command line: parses arguments and calls library functions."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from tracker import __version__
from tracker.errors import ConfigError, TrackerError
from tracker.query import FORMATTERS

EXIT_USAGE = 2


def _load(ctx: click.Context):
    from tracker.config import load_config

    try:
        return load_config(ctx.obj["config_path"])
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $TRACKER_CONFIG, else ./tracker.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Watch the Korean National Assembly and the news for the bills you care about."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    _setup_logging(verbose)


@cli.command()
@click.option("--full", is_flag=True, help="Re-check bills in a final stage too.")
@click.pass_context
def check(ctx: click.Context, full: bool) -> None:
    """Run one full cycle: crawl all sources, store changes, deliver pending alerts."""
    from tracker.check import run_check

    config = _load(ctx)
    result = run_check(config, full=full)
    click.echo(
        f"run {result.run_id}: {result.status}, {result.changes} change(s), "
        f"{result.delivery.sent} alert(s) sent, {result.delivery.pending} pending"
    )
    for source in result.failed_sources:
        click.echo(f"source failed: {source}", err=True)
    sys.exit(result.exit_code)


@cli.command()
@click.option("--path", default="tracker.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented example config."""
    from tracker.example_config import EXAMPLE_CONFIG

    target = Path(path)
    if target.exists() and not force:
        raise click.UsageError(f"{path} exists already (use --force to overwrite)")
    target.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    click.echo(f"wrote {path}")


@cli.command()
@click.option("--keep-serving", is_flag=True, help="Leave the replica running afterwards.")
@click.option("--out", "out_dir", default="demo-output", show_default=True)
def demo(keep_serving: bool, out_dir: str) -> None:
    """Run the whole pipeline offline against a bundled replica of the sources."""
    from tracker.demo import run_demo

    sys.exit(run_demo(Path(out_dir), keep_serving=keep_serving))


@cli.command()
@click.argument("sql")
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATTERS)), default="table", show_default=True
)
@click.pass_context
def query(ctx: click.Context, sql: str, fmt: str) -> None:
    """Run read-only SQL against the database ([tracker] db, or $TRACKER_DB)."""
    from tracker.query import QueryError, query_file, render

    try:
        result = query_file(_load(ctx).tracker.db, sql)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(render(result, fmt), nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-open", is_flag=True, help="Do not open a web browser.")
@click.pass_context
def browse(ctx: click.Context, host: str, port: int, no_open: bool) -> None:
    """Open the database in Datasette (read-only) with canned queries."""
    from tracker.browse import DatasetteMissing
    from tracker.browse import browse as serve
    from tracker.query import QueryError

    try:
        code = serve(_load(ctx).tracker.db, host, port, open_browser=not no_open)
    except (QueryError, DatasetteMissing) as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(code)


def main() -> None:
    """Console entry point: usage and config errors exit 2 with one line, no traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrackerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
