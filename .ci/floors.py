"""Print a pip constraints file pinning every dependency of pyproject.toml to the lowest version it allows.

    python .ci/floors.py pyproject.toml > constraints.txt

Every runtime dependency must name a floor (``>=X`` or ``==X``): a dependency without one could be satisfied by
any ancient release, and the minimum-versions job could not test it. Extras (``markdown-it-py[linkify]``) keep
their name; the pin applies to the distribution itself.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_FLOOR = re.compile(r"(?:>=|==|~=)\s*([0-9][A-Za-z0-9.+!-]*)")


def floors(pyproject: Path) -> dict[str, str]:
    """{distribution name: lowest allowed version} for ``project.dependencies``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    found: dict[str, str] = {}
    for requirement in project.get("dependencies", []):
        spec = requirement.split(";", 1)[0]
        match = _REQUIREMENT.match(spec)
        if match is None:
            raise SystemExit(f"cannot read requirement {requirement!r}")
        name, _extras, rest = match.groups()
        floor = _FLOOR.search(rest)
        if floor is None:
            raise SystemExit(f"dependency {name!r} has no lower bound: give it one (>=X) in pyproject.toml")
        found[name] = floor.group(1)
    return found


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "pyproject.toml")
    for name, version in floors(path).items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
