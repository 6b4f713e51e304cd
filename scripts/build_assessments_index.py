#!/usr/bin/env python3
"""Regenerate ``dd_evidence/data/security-assessments.json``, the CNCF security assessments and audits index.

Usage (from the repository root)::

    python scripts/build_assessments_index.py --list ../shared/data/cncf/security-assessments.txt
                                              [--out dd_evidence/data/security-assessments.json] [--check]

The input is the plain-text list described in ``dd_evidence/sources/assessments.py``: an ``[assessments]``
section (one project a line: folder, landscape name, kinds, cncf/toc paths, cncf/tag-security paths) and an
``[audits]`` section (the landscape's ``extra.audits``: project, date, type, vendor, URL).

Refreshing from the live sources (when online) means regenerating that list first:

1. ``git clone --filter=blob:none --no-checkout https://github.com/cncf/toc`` and
   ``git ls-tree -r --name-only HEAD projects/`` — keep paths under ``projects/<dir>/security-assessment/``
   (mind the irregular spellings: a space instead of a hyphen, "assesment");
2. the same in ``cncf/tag-security`` under ``community/assessments/projects/<dir>/``;
3. ``landscape.yml`` from ``cncf/landscape``: every item with ``extra.audits`` (``date, type, url, vendor``);

kinds come from the file names (``self-assessment`` → self, ``joint-assessment``/``joint-review`` → joint,
``threat-model``/``threat`` → threat-model, anything else → other). The output keeps only names, kinds, paths
and audit URLs, and is deterministic: regenerating from an unchanged list gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dd_evidence.errors import BadInput  # noqa: E402
from dd_evidence.sources.assessments import parse_assessments_list  # noqa: E402

DEFAULT_OUT = ROOT / "dd_evidence" / "data" / "security-assessments.json"


def build(list_path: Path) -> str:
    """The JSON text of the index built from the list at ``list_path``."""
    raw = list_path.read_bytes()
    index = parse_assessments_list(raw.decode("utf-8"))
    data = index.to_dict()
    data["generated_from"] = {"file": list_path.name, "sha256": hashlib.sha256(raw).hexdigest()}
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", required=True, type=Path, help="the security-assessments.txt list")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON index")
    parser.add_argument("--check", action="store_true", help="exit 1 when --out differs instead of writing")
    args = parser.parse_args(argv)
    try:
        text = build(args.list)
    except (OSError, BadInput) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
