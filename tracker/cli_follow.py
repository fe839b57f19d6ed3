"""Commands on what is followed: follow, unfollow, mute, unmute, list, status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tracker.cli_common import database_dir, load
from tracker.errors import ConfigError


def _bill_no(value: str) -> str:
    from tracker.follows import bill_no_argument

    try:
        return bill_no_argument(value)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _follows(
    ctx: click.Context, action: Callable[..., str], *args: Any, reader: bool = False
) -> None:
    """Run a ``tracker.follows`` action on the database and print what it says."""
    config = load(ctx)
    database_dir(config, create=False, reader=reader)
    try:
        click.echo(action(config, *args).rstrip("\n"))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


_BILL_NO = click.argument("bill_no", metavar="BILL_NO")


@click.command()
@_BILL_NO
@click.pass_context
def follow(ctx: click.Context, bill_no: str) -> None:
    """Follow a bill by its 의안번호 (such as 2203257) from the next check on."""
    from tracker.follows import follow as action

    _follows(ctx, action, _bill_no(bill_no))


@click.command()
@_BILL_NO
@click.pass_context
def unfollow(ctx: click.Context, bill_no: str) -> None:
    """Stop following a bill (a keyword match that is not the act): no pages, no alerts."""
    from tracker.follows import unfollow as action

    _follows(ctx, action, _bill_no(bill_no))


@click.command()
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


@click.command()
@_BILL_NO
@click.pass_context
def unmute(ctx: click.Context, bill_no: str) -> None:
    """Alert a muted bill's changes again."""
    from tracker.follows import unmute as action

    _follows(ctx, action, _bill_no(bill_no))


@click.command(name="list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """What is followed, why, its stage, its last dated step and until when it is muted."""
    from tracker.follows import list_text

    _follows(ctx, list_text, reader=True)


@click.command()
@_BILL_NO
@click.pass_context
def status(ctx: click.Context, bill_no: str) -> None:
    """One bill's history: its steps, committee meetings and every change, in Korean."""
    from tracker.follows import status_text

    _follows(ctx, status_text, _bill_no(bill_no), reader=True)


COMMANDS = (follow, unfollow, mute, unmute, list_, status)
