"""The ``tracker`` command line: parses arguments and calls library functions."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click

from tracker import __version__, exit_codes
from tracker.errors import ConfigError, DatabaseUnusable, Interrupted, TrackerError
from tracker.locks import LockBusy
from tracker.logs import scrub_secrets, setup_logging
from tracker.query.sql import WRITERS


def _load(ctx: click.Context):
    from tracker.config import load_config

    try:
        config = load_config(ctx.obj["config_path"])
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    scrub_secrets(config.secrets.values())
    return config


def _announce_defaults(config) -> None:
    """With no config file, say which built-in defaults a crawl uses (on stderr)."""
    if config.path is not None:
        return
    secrets = config.secrets
    alerts = "the console"
    if secrets.slack_bot_token:
        alerts = f"Slack {config.slack.channel}"
    elif secrets.slack_webhook_url:
        alerts = "the Slack webhook"
    click.echo(
        "note: no config file (./tracker.toml, $TRACKER_CONFIG): using the built-in defaults:"
        f" the real Assembly and news sites, keywords {', '.join(config.watch.keywords)},"
        f" database {config.tracker.db}, alerts to {alerts}; `tracker init` writes a config",
        err=True,
    )


def _database_dir(config, create: bool, reader: bool = False) -> None:
    """Refuse a database whose directory does not exist, or for a ``reader`` (the digest)
    a database that does not exist: a mistyped path would otherwise start a new, empty
    database. ``create`` makes the directory."""
    db = Path(config.tracker.db)
    if create:
        db.parent.mkdir(parents=True, exist_ok=True)
        return
    origin = "$TRACKER_DB" if os.environ.get("TRACKER_DB") else "[tracker] db"
    if not db.parent.is_dir():
        raise click.UsageError(
            f"the database's directory does not exist: {db.parent} ({origin} = {db}); fix"
            " the path, or pass --create to start a new database there"
        )
    if reader and not db.is_file():
        raise click.UsageError(
            f"no database at {db} ({origin}): fix the path, run `tracker check` first, or"
            " pass --create"
        )


_CREATE = click.option(
    "--create", is_flag=True, help="Create the database's directory if it does not exist."
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
    no_args_is_help=False,
)
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
    from tracker.timeutil import clock_offset

    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    setup_logging(verbose)
    try:
        clock_offset()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


@cli.command()
@click.option("--full", is_flag=True, help="Re-check bills in a final stage too.")
@click.option(
    "--wait",
    "wait_seconds",
    default=60.0,
    show_default=True,
    help="Seconds to wait for another check on the same database to finish.",
)
@click.option("--standby", is_flag=True, hidden=True, help="Used by `tracker run`.")
@_CREATE
@click.pass_context
def check(ctx: click.Context, full: bool, wait_seconds: float, standby: bool, create: bool) -> None:
    """Run one full cycle: crawl all sources, store changes, deliver pending alerts."""
    from tracker.check import run_check, source_summary
    from tracker.interrupt import StopOnSignal

    if standby:
        from tracker.standby import NotAStandbyChannel, wait_for_go

        try:
            if not wait_for_go():
                return
        except NotAStandbyChannel as exc:
            raise click.UsageError(str(exc)) from None
    config = _load(ctx)
    if not standby:
        _announce_defaults(config)
    _database_dir(config, create)
    guard = StopOnSignal(config)
    guard.install()
    if standby:
        guard.watch_parent()
    result = run_check(config, full=full, lock_wait_seconds=wait_seconds, guard=guard)
    if not standby:  # tracker run logs these lines itself
        for line in source_summary(result.stats):
            click.echo(line)
    delivery = result.delivery
    click.echo(
        f"run {result.run_id}: {result.status}, {result.changes} change(s), "
        f"{delivery.sent} alert(s) sent, {delivery.pending} pending, {delivery.failed} failed"
    )
    for line in result.failures.values():
        click.echo(f"source failed: {line}", err=True)
    for problem in delivery.problems:
        click.echo(
            f"error: {problem}; {delivery.pending} alert(s) wait (`tracker alerts`)", err=True
        )
    sys.exit(result.exit_code)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the plain-text part; send nothing.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the digest to FILE (.eml, .html or .txt) instead of sending it.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Cover YYYY-MM-DD until now instead of the period due.",
)
@_CREATE
@click.pass_context
def digest(
    ctx: click.Context, dry_run: bool, out: str | None, since: datetime | None, create: bool
) -> None:
    """Email the weekly digest of the period due (once), or preview it."""
    from tracker.digest.mail import write_digest_file
    from tracker.digest.service import preview_digest, send_due_digest

    config = _load(ctx)
    _database_dir(config, create, reader=True)
    day = since.date() if since else None
    try:
        if not (dry_run or out):
            outcome = send_due_digest(config, since=day)
            if outcome.status == "refused":  # the configuration's fault: what to fix
                click.echo(f"error: {outcome.message}", err=True)
                sys.exit(exit_codes.USAGE)
            click.echo(outcome.message, err=not outcome.ok)
            sys.exit(exit_codes.OK if outcome.ok else exit_codes.FAILED)
        preview = preview_digest(config, since=day)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if dry_run:
        click.echo(f"Subject: {preview.rendered.subject}\n")
        click.echo(preview.rendered.text, nl=False)
    if out:
        try:
            path = write_digest_file(preview.message, out)
        except (ValueError, OSError) as exc:
            raise click.UsageError(f"--out: {exc}") from None
        click.echo(f"wrote {path} ({preview.period}); not sent", err=dry_run)


@cli.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check live that every source still reads the reference bill ([verify]) as it should."""
    from tracker.verify import verify as verify_sources

    results = verify_sources(_load(ctx))
    for result in results:
        click.echo(result.line())
    sys.exit(exit_codes.OK if all(r.ok for r in results) else exit_codes.SOURCE_FAILED)


@cli.command()
@_CREATE
@click.pass_context
def run(ctx: click.Context, create: bool) -> None:
    """Run checks every interval and the weekly digest until SIGINT/SIGTERM."""
    from tracker.scheduler import Daemon

    config = _load(ctx)
    _announce_defaults(config)
    _database_dir(config, create)
    if logging.getLogger().level > logging.INFO:
        setup_logging(1)
    sys.exit(Daemon(config).run())


@cli.command()
@click.option("--path", default="tracker.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented example config."""
    from tracker.config.example import EXAMPLE_CONFIG

    target = Path(path)
    if target.exists() and not force:
        raise click.UsageError(f"{path} exists already (use --force to overwrite)")
    if not target.parent.is_dir():
        raise click.UsageError(f"directory does not exist: {target.parent} (create it first)")
    target.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    click.echo(f"wrote {path}")


@cli.group(invoke_without_command=True)
@click.pass_context
def alerts(ctx: click.Context) -> None:
    """List the alerts not delivered: pending (waiting or retrying) and failed."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.query.alerts import alert_table

    click.echo(alert_table(_load(ctx)), nl=False)


@alerts.command()
@click.argument("alert_id", required=False, type=int)
@click.option("--all", "every", is_flag=True, help="Re-queue every failed alert.")
@click.pass_context
def retry(ctx: click.Context, alert_id: int | None, every: bool) -> None:
    """Re-queue a failed alert (ID) or all of them (--all); the next check sends them."""
    from tracker.query.alerts import requeue

    if (alert_id is None) == (not every):
        raise click.UsageError("give an alert ID or --all (not both)")
    click.echo(requeue(_load(ctx), alert_id))


def _bill_no(value: str) -> str:
    from tracker.follows import bill_no_argument

    try:
        return bill_no_argument(value)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _follows(ctx: click.Context, action, *args, reader: bool = False) -> None:
    """Run a ``tracker.follows`` action on the database and print what it says."""
    config = _load(ctx)
    _database_dir(config, create=False, reader=reader)
    try:
        click.echo(action(config, *args).rstrip("\n"))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


_BILL_NO = click.argument("bill_no", metavar="BILL_NO")


@cli.command()
@_BILL_NO
@click.pass_context
def follow(ctx: click.Context, bill_no: str) -> None:
    """Follow a bill by its 의안번호 (such as 2203257) from the next check on."""
    from tracker.follows import follow as action

    _follows(ctx, action, _bill_no(bill_no))


@cli.command()
@_BILL_NO
@click.pass_context
def unfollow(ctx: click.Context, bill_no: str) -> None:
    """Stop following a bill (a keyword match that is not the act): no pages, no alerts."""
    from tracker.follows import unfollow as action

    _follows(ctx, action, _bill_no(bill_no))


@cli.command()
@_BILL_NO
@click.option(
    "--days",
    default=7.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="How long the mute lasts; it ends by itself.",
)
@click.pass_context
def mute(ctx: click.Context, bill_no: str, days: float) -> None:
    """Store a bill's changes without alerting them for a while (the digest still shows them)."""
    from tracker.follows import mute as action

    _follows(ctx, action, _bill_no(bill_no), days)


@cli.command()
@_BILL_NO
@click.pass_context
def unmute(ctx: click.Context, bill_no: str) -> None:
    """Alert a muted bill's changes again."""
    from tracker.follows import unmute as action

    _follows(ctx, action, _bill_no(bill_no))


@cli.command(name="list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """What is followed, why, its stage, its last dated step and until when it is muted."""
    from tracker.follows import list_text

    _follows(ctx, list_text, reader=True)


@cli.command()
@_BILL_NO
@click.pass_context
def status(ctx: click.Context, bill_no: str) -> None:
    """One bill's history: its steps, committee meetings and every change, in Korean."""
    from tracker.follows import status_text

    _follows(ctx, status_text, _bill_no(bill_no), reader=True)


@cli.command()
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

    config = _load(ctx)
    target = out_dir or config.publish.dir
    if not target:
        raise click.UsageError("give --out DIR or set [publish] dir")
    _database_dir(config, create=False, reader=True)
    try:
        done = write(config, target)
    except OSError as exc:
        raise click.UsageError(f"cannot write into {target}: {exc}") from None
    click.echo(f"wrote {done.index} ({done.bills} bills) and {done.feed} ({done.entries} entries)")


@cli.command()
@click.option("--test", "test", is_flag=True, help="Send one test message everywhere.")
@click.pass_context
def notify(ctx: click.Context, test: bool) -> None:
    """Send a test message to every configured channel and recipient (--test), one line each."""
    from tracker.notify_test import send_tests

    if not test:
        raise click.UsageError("give --test: `tracker notify --test` sends a test message")
    results = send_tests(_load(ctx))
    for result in results:
        click.echo(result.line())
    if any(r.setup for r in results):
        sys.exit(exit_codes.USAGE)
    sys.exit(exit_codes.FAILED if any(r.error for r in results) else exit_codes.OK)


@cli.command()
@click.option("--keep-serving", is_flag=True, help="Leave the replica running afterwards.")
@click.option("--out", "out_dir", default="demo-output", show_default=True)
def demo(keep_serving: bool, out_dir: str) -> None:
    """Run the whole pipeline offline against a bundled replica of the sources."""
    from tracker.demo.command import run_demo

    sys.exit(run_demo(Path(out_dir), keep_serving=keep_serving))


@cli.command()
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
    db = _load(ctx).tracker.db
    try:
        print_query(db, sql, fmt, sys.stdout, timeout, bom=excel)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        raise Interrupted("query interrupted") from None


@cli.command()
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
        code = serve(_load(ctx).tracker.db, host, port, open_browser=not no_open)
    except (QueryError, DatasetteMissing, PortBusy) as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(code)


def main() -> None:
    """Console entry point: usage and config errors exit 2 with one line, no traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(exit_codes.INTERRUPTED)
    except Interrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(exit_codes.SIGNAL_BASE + exc.signum)
    except BrokenPipeError:
        # The reader went away (`tracker query ... | head`): nothing more to say to it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(exit_codes.OK)
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exit_codes.USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DatabaseUnusable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except LockBusy as exc:
        click.echo(f"error: another tracker is working on this database: {exc}", err=True)
        sys.exit(exit_codes.BUSY)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_codes.USAGE)
    except TrackerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_codes.FAILED)
    except sqlite3.Error as exc:
        # A write the database refused after it opened (a read-only file, a full disk).
        from tracker.store.database import unusable

        click.echo(f"error: {unusable(None, exc)}", err=True)
        sys.exit(exit_codes.USAGE)
    except Exception as exc:
        # Through the log: secrets are scrubbed from it, and the traceback needs -v.
        logging.getLogger("tracker").critical("unexpected error: %s", exc, exc_info=True)
        sys.exit(exit_codes.FAILED)
