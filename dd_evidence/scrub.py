"""Secrets out of text: one scrubber for every place an exception or a service's answer becomes words.

An HTTP library that rejects a header quotes the header (``InvalidHeader: ... 'token ghp_...\\r'``), a git error
may echo a URL with credentials in it, a plugin may format whatever it holds. Such text becomes finding messages,
report error lines, log lines and the CLI's one-line errors, so each of those paths runs it through
:func:`scrub` with the scan's own secrets. Anything shaped like a GitHub token is removed as well, whether or
not it is ours: a report must never carry one.

Control characters are a different matter (they are harmless in a JSON file, not on a terminal): see
:func:`terminal_safe`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"

# GitHub's token formats: classic/OAuth/user-to-server/server-to-server/refresh (gh[pousr]_ + 36 or more
# base62 characters) and fine-grained personal access tokens (github_pat_ + base62 and "_"). Bounded repeats and
# a start only where a word starts keep this linear on any text.
_GITHUB_TOKEN = re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{16,255}|github_pat_[A-Za-z0-9_]{16,255})")
# What follows an authorisation scheme in a quoted header: a 40-hex classic token, an Enterprise token, a bearer
# JWT. Only values of 20 or more token characters with a digit among them (see _credential), so that prose such as
# "token file" or "the token authentication_required" stays readable.
_AFTER_SCHEME = re.compile(
    r"(?i)(?<![A-Za-z0-9])(authorization:\s{0,8}(?:(?:token|bearer|basic)\s{1,8})?|bearer\s{1,8}|token\s{1,8})"
    r"([A-Za-z0-9_.=+/-]{20,4096})"
)
# user:password@ in a URL, or a user part long enough to be a token (https://<token>@host); "git@" stays.
_URL_CREDENTIALS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]{0,20}://)(?:[^/@\s:]{1,256}:[^/@\s]{1,256}|[^/@\s:]{16,256})@")
# C0 controls but tab and newline, DEL and C1 controls: ESC starts terminal escape sequences, CR overwrites a line.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINE = re.compile(r"[\t\n]")


def secret_variants(secrets: Iterable[str | None]) -> list[str]:
    """The secrets as they may appear in text: as given and stripped of the whitespace an editor left around them."""
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        for variant in (secret, secret.strip()):
            if len(variant) >= 4:
                found.add(variant)
    return sorted(found, key=len, reverse=True)  # longest first, so a secret's suffix never leaves its head


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with the given secrets, anything shaped like a GitHub token and credentials after an
    authorisation scheme or inside a URL replaced by ``[redacted]``."""
    if not text:
        return text
    for secret in secret_variants(secrets):
        text = text.replace(secret, REDACTED)
    text = _GITHUB_TOKEN.sub(REDACTED, text)
    text = _AFTER_SCHEME.sub(_credential, text)
    return _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + "@", text)


def _credential(match: re.Match[str]) -> str:
    value = match.group(2)
    return match.group(1) + REDACTED if any(ch.isdigit() for ch in value) else match.group(0)


def scrub_value(value: Any, secrets: Iterable[str | None] = ()) -> Any:
    """:func:`scrub` applied to every string inside a finding's values (dicts, lists, tuples)."""
    secrets = list(secrets)
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {key: scrub_value(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(item, secrets) for item in value)
    return value


def describe(exc: BaseException, secrets: Iterable[str | None] = ()) -> str:
    """``Type: message`` of an exception, scrubbed: what a finding or an error line may say about it."""
    text = str(exc)
    return scrub(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, secrets)


def terminal_safe(text: str, keep_newlines: bool = True) -> str:
    """Text from a scanned repository or a service, safe to print on a terminal: control characters (ESC, CR,
    BEL, backspace, C1) are removed, so no escape sequence reaches the terminal; tabs and newlines stay, or
    become spaces when ``keep_newlines`` is false."""
    text = _CONTROL.sub("", text)
    return text if keep_newlines else _NEWLINE.sub(" ", text)


class ScrubbingFilter(logging.Filter):
    """A logging filter that scrubs each record's final message (attach it to a handler)."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.msg += f" ({describe(record.exc_info[1], self.secrets)})"
            record.exc_info = None
            record.exc_text = None
        return True
