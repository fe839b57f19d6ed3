"""What the ``tracker`` commands share: loading the config, checking the database's place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.errors import ConfigError
from tracker.logs import scrub_secrets

if TYPE_CHECKING:
    from tracker.config import Config


def load(ctx: click.Context) -> Config:
    """The configuration named by ``--config``; a bad one is a usage error."""
    from tracker.config import load_config

    try:
        config = load_config(ctx.obj["config_path"])
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    scrub_secrets(config.secrets.values())
    return config


def announce_defaults(config: Config) -> None:
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


def database_dir(config: Config, create: bool, reader: bool = False) -> None:
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


CREATE = click.option(
    "--create", is_flag=True, help="Create the database's directory if it does not exist."
)
