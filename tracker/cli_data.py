"""Commands over the stored data: undelivered alerts, SQL queries, Datasette, the status page."""

from __future__ import annotations

import sys
from contextlib import closing

import click

from tracker.cli_common import database_dir, load
from tracker.errors import Interrupted
from tracker.query.sql import WRITERS


@click.group(invoke_without_command=True)
@click.pass_context
def alerts(ctx: click.Context) -> None:
    """List the alerts not delivered: pending (waiting or retrying) and failed."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.query.alerts import alert_table

    click.echo(alert_table(load(ctx)), nl=False)


@alerts.command()
@click.argument("alert_id", required=False, type=int)
@click.option("--all", "every", is_flag=True, help="Re-queue every failed alert.")
@click.pass_context
def retry(ctx: click.Context, alert_id: int | None, every: bool) -> None:
    """Re-queue a failed alert (ID) or all of them (--all); the next check sends them."""
    from tracker.query.alerts import requeue

    if (alert_id is None) == (not every):
        raise click.UsageError("give an alert ID or --all (not both)")
    click.echo(requeue(load(ctx), alert_id))


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Directory to write index.html and changes.atom into (default: [publish] dir).",
)
@click.pass_context
def publish(ctx: click.Context, out_dir: str | None) -> None:
    """Write the status page (index.html) and the Atom feed of changes (changes.atom)."""
    from tracker.publish import publish as write
    from tracker.store.database import open_store

    config = load(ctx)
    target = out_dir or config.publish.dir
    if not target:
        raise click.UsageError("give --out DIR or set [publish] dir")
    database_dir(config, create=False, reader=True)
    try:
        with closing(open_store(config.tracker.db, config.tracker.timezone)) as store:
            done = write(config, store, target)
    except OSError as exc:
        raise click.UsageError(f"cannot write into {target}: {exc}") from None
    click.echo(f"wrote {done.index} ({done.bills} bills) and {done.feed} ({done.entries} entries)")


@click.command()
@click.argument("sql")
@click.option(
    "--format", "fmt", type=click.Choice(list(WRITERS)), default="table", show_default=True
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop the query after this many seconds (exit 2).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel: starts with a UTF-8 byte order mark (implies --format csv).",
)
@click.pass_context
def query(ctx: click.Context, sql: str, fmt: str, timeout: float | None, excel: bool) -> None:
    """Run read-only SQL against the database ([tracker] db, or $TRACKER_DB).

    Rows are printed as they are read (the table shows the first 1000 and counts the rest);
    Ctrl-C stops the query.
    """
    from tracker.query.sql import QueryError, print_query

    if excel:
        chosen = ctx.get_parameter_source("fmt") is click.core.ParameterSource.COMMANDLINE
        if chosen and fmt != "csv":
            raise click.UsageError(f"--excel writes CSV, not --format {fmt}")
        fmt = "csv"
    db = load(ctx).tracker.db
    try:
        print_query(db, sql, fmt, sys.stdout, timeout, bom=excel)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        raise Interrupted("query interrupted") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-open", is_flag=True, help="Do not open a web browser.")
@click.pass_context
def browse(ctx: click.Context, host: str, port: int, no_open: bool) -> None:
    """Open the database in Datasette (read-only) with canned queries."""
    from tracker.query.browse import DatasetteMissing, PortBusy
    from tracker.query.browse import browse as serve
    from tracker.query.sql import QueryError

    try:
        code = serve(load(ctx).tracker.db, host, port, open_browser=not no_open)
    except (QueryError, DatasetteMissing, PortBusy) as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(code)


COMMANDS = (alerts, publish, query, browse)
