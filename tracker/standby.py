"""A check process started ahead of its cycle: it imports what a crawl needs, then waits.

``tracker run`` starts the next cycle's ``tracker check --standby`` as soon as a cycle ends.
The child's stdin is one end of a socket pair, its control channel: the child says
``ready`` once its imports are done and runs the check when the daemon says ``go``; if the
channel closes instead (the daemon is stopping), it exits without a run. The config is read
only after ``go``, so an edited config counts from the next cycle as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
from dataclasses import dataclass

logger = logging.getLogger(__name__)

READY = b"ready\n"
GO = b"go\n"
STOP_WAIT_SECONDS = 5


class NotAStandbyChannel(Exception):
    """``--standby`` without a control socket on stdin (it is meant for ``tracker run``)."""


def wait_for_go(channel_fd: int = 0) -> bool:
    """In the child: preload, say ready, wait. True on ``go``, False when the channel closed."""
    from tracker.crawl import runner as crawl

    fd = os.dup(channel_fd)
    try:
        control = socket.socket(fileno=fd)
    except OSError as exc:
        os.close(fd)
        raise NotAStandbyChannel("--standby needs a control socket on stdin") from exc
    with control:
        try:
            crawl.preload()
        except Exception:  # the check imports lazily as ever: slower, never missed
            logger.warning("preloading the crawl failed", exc_info=True)
        # The daemon may have said go and closed its end already: nobody to tell, then.
        with contextlib.suppress(OSError):
            control.sendall(READY)
        with control.makefile("rb") as lines:
            return lines.readline() == GO


@dataclass
class StandbyProcess:
    """The daemon's side: the child process and its control socket."""

    process: subprocess.Popen[bytes]
    control: socket.socket

    @classmethod
    def start(cls, command: list[str], env: dict[str, str]) -> StandbyProcess:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                command, env=env, stdin=theirs.fileno(), start_new_session=True
            )
        return cls(process, ours)

    def ready(self, timeout: float) -> bool:
        """Wait until the child has done its imports (benchmarks and tests ask; the daemon
        does not need to)."""
        self.control.settimeout(timeout)
        try:
            return self.control.recv(len(READY)) == READY
        except OSError:
            return False

    def go(self) -> bool:
        """Tell the child to run its check; False if it is no longer there to be told."""
        try:
            self.control.sendall(GO)
        except OSError:
            return False
        finally:
            self.control.close()
        return True

    def stop(self) -> None:
        """Close the channel and end the child (it has not started a check)."""
        self.control.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
