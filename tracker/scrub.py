"""Removing secrets from text in every form a secret takes on its way through a URL or header."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"


def secret_forms(secret: str) -> set[str]:
    """``secret`` as written, percent-encoded (``/`` kept or not) and form-encoded (``+``)."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret, safe="/"),
        quote_plus(secret, safe=""),
        quote_plus(secret, safe="/"),
        # Encoded twice: a URL that carries an encoded URL (a redirect, a webhook in a query).
        quote(quote(secret, safe=""), safe=""),
    }


@functools.lru_cache(maxsize=8)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    if not forms:
        return None
    # Longest first, so that a form containing another is masked whole. Case-insensitive, for
    # the hex digits of an escape (%2B or %2b); masking a different-case twin of a secret too
    # is harmless.
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret replaced by ``***``."""
    pattern = _pattern(tuple(secrets))
    return pattern.sub(MASK, text) if pattern else text
