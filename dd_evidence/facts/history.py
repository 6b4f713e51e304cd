"""Which paths of a repository's history are governance files, from the same knowledge as the project map.

History probes ask git for the commits that touched governance and roster files (one ``git log`` per repository);
the pathspecs come from the role patterns of ``data/documents.yaml`` (so a file renamed or deleted since is still
found), and every path git reports is classified again with :func:`dd_evidence.facts.paths.path_roles`.
"""

from __future__ import annotations

import fnmatch
import functools
import re

from dd_evidence.facts.knowledge import knowledge, load_data
from dd_evidence.facts.ownership import codeowners_locations
from dd_evidence.facts.paths import is_top, normalise, path_roles, split_name

# Roles whose files are the project's governance text, for "how often did the governance change" (rosters count
# through :func:`is_roster_path`).
GOVERNANCE_HISTORY_ROLES = (
    "governance",
    "contributor_ladder",
    "contributing",
    "code_of_conduct",
    "security_policy",
    "teams",
)


def _path_glob(glob: str) -> str:
    """A normalised-name glob as a git path glob: "-" stands for any separator the name may use."""
    return glob.replace("-", "[-_. ]")


@functools.cache
def history_pathspecs() -> tuple[str, ...]:
    """Pathspecs for one ``git log`` over every governance, roster and ownership file a repository may have had."""
    info = knowledge()
    specs: list[str] = [f":(glob,icase){p}" for p in codeowners_locations()]
    for role in (*GOVERNANCE_HISTORY_ROLES, "maintainers", "ownership"):
        rules = info.rules(role)
        for pattern in rules.names:
            glob = _path_glob(pattern.glob)
            specs += [f":(glob,icase)**/{glob}", f":(glob,icase)**/{glob}.*"]
        for pattern in rules.folders:
            specs.append(f":(glob,icase)**/{_path_glob(pattern.glob)}/**")
    return tuple(dict.fromkeys(specs))


@functools.cache
def _roster_names() -> re.Pattern[str]:
    globs = load_data("documents.yaml").get("roster_history_names") or ["maintainers"]
    return re.compile("|".join(fnmatch.translate(str(g).lower()) for g in globs))


def is_roster_path(path: str) -> bool:
    """A maintainer roster whose history is the maintainer lifecycle (``roster_history_names`` in
    ``data/documents.yaml``, a plain OWNERS file near the top) or GitHub's CODEOWNERS."""
    if path in codeowners_locations():
        return True
    roles = path_roles(path)
    if "maintainers" not in roles or roles["maintainers"].kind != "name":
        return False
    _, stem, ext = split_name(path)
    return bool(_roster_names().fullmatch(normalise(stem))) or (stem == "OWNERS" and not ext and is_top(path))


def is_governance_path(path: str) -> bool:
    """A governance, ladder, contributing, conduct, security or team file, a roster, or a top-level ownership
    file."""
    roles = path_roles(path)
    if any(role in roles for role in GOVERNANCE_HISTORY_ROLES) or is_roster_path(path):
        return True
    return "ownership" in roles and (is_top(path) or path in codeowners_locations())
