"""The ``tracker`` command line: parses arguments and calls library functions.

Here: the group, ``main()`` and the commands of a cycle; ``cli_follow`` holds the commands on
what is followed, ``cli_data`` those over the stored data.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click

from tracker import __version__, cli_data, cli_follow, exit_codes
from tracker.cli_common import CREATE, announce_defaults, database_dir, load
from tracker.errors import ConfigError, DatabaseUnusable, Interrupted, TrackerError
from tracker.locks import LockBusy
from tracker.logs import setup_logging


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
@CREATE
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
    config = load(ctx)
    if not standby:
        announce_defaults(config)
    database_dir(config, create)
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
@CREATE
@click.pass_context
def digest(
    ctx: click.Context, dry_run: bool, out: str | None, since: datetime | None, create: bool
) -> None:
    """Email the weekly digest of the period due (once), or preview it."""
    from tracker.digest.mail import write_digest_file
    from tracker.digest.service import preview_digest, send_due_digest

    config = load(ctx)
    database_dir(config, create, reader=True)
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

    results = verify_sources(load(ctx))
    for result in results:
        click.echo(result.line())
    sys.exit(exit_codes.OK if all(r.ok for r in results) else exit_codes.SOURCE_FAILED)


@cli.command()
@CREATE
@click.pass_context
def run(ctx: click.Context, create: bool) -> None:
    """Run checks every interval and the weekly digest until SIGINT/SIGTERM."""
    from tracker.scheduler import Daemon

    config = load(ctx)
    announce_defaults(config)
    database_dir(config, create)
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


@cli.command()
@click.option("--test", "test", is_flag=True, help="Send one test message everywhere.")
@click.pass_context
def notify(ctx: click.Context, test: bool) -> None:
    """Send a test message to every configured channel and recipient (--test), one line each."""
    from tracker.notify_test import send_tests

    if not test:
        raise click.UsageError("give --test: `tracker notify --test` sends a test message")
    results = send_tests(load(ctx))
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


for _command in (*cli_data.COMMANDS, *cli_follow.COMMANDS):
    cli.add_command(_command)


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
