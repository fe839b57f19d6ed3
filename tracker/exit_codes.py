"""Every exit code tracker's commands use, in one place (the contract lists them)."""

OK = 0
# A digest, an alert retry or a test notification was not delivered; any unexpected error.
FAILED = 1
# A usage or configuration error, a refused Slack/SMTP setup or an unusable database.
USAGE = 2
# The cycle finished but at least one source failed (everything else was saved and delivered).
SOURCE_FAILED = 3
# Another check holds the lock.
BUSY = 4
# Stopped by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM).
SIGNAL_BASE = 128
INTERRUPTED = SIGNAL_BASE + 2
