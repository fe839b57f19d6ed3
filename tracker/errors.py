"""The exceptions tracker raises; each carries a one-line message meant for users."""

from __future__ import annotations

from tracker import exit_codes


class TrackerError(Exception):
    """Base class for every error tracker reports to its users."""


class ConfigError(TrackerError):
    """The configuration file or environment is invalid (exit code 2)."""


class ParseError(TrackerError):
    """A response no longer looks like the format its parser expects.

    Raised instead of returning empty fields, so a layout change is a source failure
    and never a change to the stored data.
    """

    def __init__(self, source: str, what: str) -> None:
        super().__init__(f"{source}: {what}")
        self.source = source
        self.what = what


class SourceError(TrackerError):
    """A source answered, but with an error of its own (an API error code, a maintenance page)."""

    def __init__(self, source: str, message: str, code: str | None = None) -> None:
        super().__init__(f"{source}: {message}" + (f" ({code})" if code else ""))
        self.source = source
        self.code = code


class DeliveryError(TrackerError):
    """An alert or digest could not be delivered; ``retry_after`` is in seconds when known.

    ``unknown`` marks a failure after which the message may still have arrived (a timeout);
    ``permanent`` one the message itself caused (it would be refused again). ``setup`` marks a
    fault of the configuration (a token, a channel, a login): the alert waits, unchanged, until
    it is fixed, and so does every other alert for ``blocks`` (a destination, or ``*`` for all).
    """

    def __init__(
        self,
        message: str,
        retry_after: float | None = None,
        permanent: bool = False,
        unknown: bool = False,
        setup: bool = False,
        blocks: str = "*",
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        self.unknown = unknown
        self.setup = setup
        self.blocks = blocks


class Interrupted(TrackerError):
    """Stopped by Ctrl-C or SIGTERM; ``signum`` is the signal (exit code 128 + signum)."""

    def __init__(self, message: str, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = signum


class DatabaseUnusable(TrackerError):
    """The database cannot be used: not SQLite, read-only, locked, full, or from a newer
    tracker. ``exit_code`` is 2, or 3 once a run has started."""

    def __init__(self, message: str, exit_code: int = exit_codes.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
