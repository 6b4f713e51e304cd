"""Checks on what a user hands a scan, made before any work: one clear BadInput (exit 2) instead of a failure
half-way through, or a value that reaches git as an option or runs a program.
"""

from __future__ import annotations

import os
import string
import tempfile
from pathlib import Path

from dd_evidence.errors import BadInput

MAX_PROJECT_LENGTH = 4096
"""PATH_MAX on Linux: no project name, URL or path a scan can use is longer."""

URL_FIELDS = frozenset({"owner", "repo"})
# Transports git may use to fetch a repository. Not ext:: or fd:: (they run a command or read a descriptor) and
# no other "<helper>::" remote helper, which would run a program named after the helper.
GIT_SCHEMES = frozenset({"https", "http", "ssh", "git", "file", "git+ssh", "ssh+git"})
WEB_SCHEMES = frozenset({"https", "http"})


def check_project_name(text: str) -> None:
    """A project name, URL or path: not absurdly long, no control characters."""
    if len(text) > MAX_PROJECT_LENGTH:
        raise BadInput(f"project name is {len(text):,} characters long; give a name, URL or path of at most 4096")
    if any(not ch.isprintable() for ch in text):
        raise BadInput(f"project name {text[:80]!r} contains control characters")


def check_url_template(template: str, option: str, git: bool) -> None:
    """A ``--git-url``/``--web-url`` template: ``{owner}`` and ``{repo}`` are its only fields, ``{repo}`` is
    one of them; for git, no option-like value and only the transports of :data:`GIT_SCHEMES`, a path or an
    scp-like ``user@host:path``."""
    # Spaces are fine (a folder may have them; git gets the URL as one argument), control characters are not.
    if any(not ch.isprintable() and ch != " " for ch in template):
        raise BadInput(f"{option} {template[:80]!r} contains control characters")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise BadInput(f"{option} {template!r} is not a URL template ({exc}); write {{owner}} and {{repo}}") from None
    for name, spec, conversion in fields:
        if name not in URL_FIELDS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise BadInput(f"{option} {template!r}: unknown placeholder {shown}; only {{owner}} and {{repo}} exist")
    if "repo" not in {name for name, _, _ in fields}:
        raise BadInput(f"{option} {template!r} must contain {{repo}} (and usually {{owner}})")
    sample = template.format(owner="owner", repo="repo")
    if sample.startswith("-"):
        raise BadInput(f"{option} {template!r} starts with '-': git would read it as an option")
    head = sample.split("://", 1)[0] if "://" in sample else None
    if "::" in sample.split("/", 1)[0]:
        helper = sample.split("::", 1)[0]
        raise BadInput(f"{option} {template!r}: the {helper}:: transport is not allowed; use https, ssh or file")
    schemes = GIT_SCHEMES if git else WEB_SCHEMES
    if head is not None and head.lower() not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise BadInput(f"{option} {template!r}: scheme {head!r} is not allowed; use one of {allowed}")
    if head is None and not git:
        raise BadInput(f"{option} {template!r} must be an http(s) URL")


def check_writable_dir(path: Path, option: str) -> Path:
    """``path`` exists as a directory (created if missing) where files can be created: writes and removes a probe
    file, since permission bits do not tell (root "may write" to /proc; a read-only mount grants W_OK)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BadInput(f"cannot write to {option} {path}: not a directory") from None
    except OSError as exc:
        raise BadInput(f"cannot write to {option} {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise BadInput(f"cannot write to {option} {path}: not a directory")
    try:
        handle, probe = tempfile.mkstemp(prefix=".dd-evidence-", suffix=".probe", dir=path)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"cannot write to {option} {path}: {exc.strerror or exc}") from None
    return path
