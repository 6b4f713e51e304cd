"""Checking a GitHub token before it is used: kept apart from the GitHub client so the CLI can check a token
without importing PyGithub (an offline scan never loads it)."""

from __future__ import annotations

import re

from dd_evidence.errors import BadInput

# What a GitHub token can look like: classic (ghp_), fine-grained (github_pat_), OAuth/App (gho_, ghu_, ghs_, ghr_),
# the old 40-hex form, Enterprise installation tokens (v1.xxx). Printable ASCII only, no spaces.
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{8,512}")


def clean_token(token: str | None, origin: str = "the GitHub token") -> str | None:
    """The token without surrounding whitespace, or None when empty; :class:`BadInput` when it cannot be a token.

    A token read from a file edited on Windows ends in ``\\r``: sent as is, every request fails with an
    ``InvalidHeader`` error whose text contains the token. The message here never contains the token itself.
    """
    if token is None:
        return None
    stripped = token.strip()
    if not stripped:
        return None
    if not _TOKEN.fullmatch(stripped):
        problem = (
            "a space or control character"
            if any(c.isspace() or not c.isprintable() for c in stripped)
            else "a character outside printable ASCII"
            if any(ord(c) > 126 for c in stripped)
            else "a character no GitHub token has, or the wrong length"
        )
        raise BadInput(f"{origin} is not a GitHub token: it contains {problem} (check how it was written)")
    return stripped
