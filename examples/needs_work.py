"""Use dd-evidence as a library: scan a project and list the required criteria that need work.

python examples/needs_work.py dragonfly
python examples/needs_work.py dragonfly --offline --git-url 'file:///tmp/fx/{owner}/{repo}' --as-of 2025-09-15
"""

from __future__ import annotations

import argparse

from dd_evidence import CriterionStatus, scan
from dd_evidence.model import Requirement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project")
    parser.add_argument("--level", default="graduation")
    parser.add_argument("--as-of")
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--git-url")
    args = parser.parse_args()

    report = scan(args.project, level=args.level, as_of=args.as_of, offline=args.offline, git_url=args.git_url)
    title = f"{report.project.display_name} ({report.level}, TOC template {report.catalogue.revision})"
    print(f"{title}: {report.counts()}")
    for result in report:
        if result.requirement is Requirement.REQUIRED and result.status in (
            CriterionStatus.NOT_MET,
            CriterionStatus.PARTIAL,
        ):
            print(f"- [{result.status.value}] {result.criterion}: {result.rationale}")
            if result.todo:
                print(f"    TODO: {result.todo}")


if __name__ == "__main__":
    main()
