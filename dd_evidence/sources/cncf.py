"""The CNCF foundation's maintainer list (``cncf/foundation`` ``project-maintainers.csv``) as a data source.

The CSV's first column (maturity) has no header; the project name appears only on a project's first row and
the rows below it with an empty Project cell belong to the same project. This module reads the text and
judges nothing.

Where the text comes from is one memoised fact of the scan, ``cncf.maintainers_csv``, so tests and other
sources can inject it (``ctx.memo("cncf.maintainers_csv", lambda: text)`` before probes run). By default it is
read from ``$DD_EVIDENCE_CNCF_DATA/project-maintainers.csv`` when that folder is set (an offline copy), else
downloaded from cncf/foundation through the scan's HTTP client (ETag-cached, so a re-scan costs a 304);
offline without a copy, the source is unavailable.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.http import http_client

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext
    from dd_evidence.resolve import ProjectRef

MAINTAINERS_CSV_URL = "https://raw.githubusercontent.com/cncf/foundation/main/project-maintainers.csv"
MAINTAINERS_CSV_NAME = "project-maintainers.csv"
DATA_ENV = "DD_EVIDENCE_CNCF_DATA"
MEMO_KEY = "cncf.maintainers_csv"


@dataclass(frozen=True)
class FoundationMaintainer:
    """One row of project-maintainers.csv. ``line`` is the 1-based line in the CSV."""

    project: str
    maturity: str
    name: str
    company: str
    handle: str
    roster_url: str
    line: int


def maintainers_csv_text(ctx: ScanContext) -> str:
    """The CSV text for this scan (memoised); SourceUnavailable when no copy can be had."""
    return ctx.memo(MEMO_KEY, lambda: _read_copy(ctx))


def _read_copy(ctx: ScanContext) -> str:
    folder = os.environ.get(DATA_ENV)
    if folder:
        return _read_local_copy(Path(folder))
    if ctx.config.offline:
        raise SourceUnavailable(
            "cncf", f"offline: project-maintainers.csv not fetched (set {DATA_ENV} to a folder holding a copy)"
        )
    return http_client(ctx).get(MAINTAINERS_CSV_URL, source="cncf").text


def _read_local_copy(folder: Path) -> str:
    path = folder / MAINTAINERS_CSV_NAME
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise SourceUnavailable("cncf", f"cannot read {path}: {err.strerror or err}") from None


def parse_maintainers_csv(text: str) -> list[FoundationMaintainer]:
    """Every maintainer row, with the project (and maturity) carried down from the project's first row."""
    rows: list[FoundationMaintainer] = []
    project = maturity = roster_url = ""
    reader = csv.reader(io.StringIO(text))
    for number, row in enumerate(reader, start=1):
        if number == 1 or not any(cell.strip() for cell in row):
            continue  # header, blank lines
        cells = [c.strip() for c in row] + [""] * 6
        if cells[1]:
            project, maturity, roster_url = cells[1], cells[0], cells[5]
        if not project or not (cells[2] or cells[4]):
            continue
        rows.append(
            FoundationMaintainer(
                project=project,
                maturity=maturity,
                name=cells[2],
                company=cells[3],
                handle=cells[4].lstrip("@"),
                roster_url=roster_url,
                line=number,
            )
        )
    return rows


def maintainers_for(text: str, project: str) -> list[FoundationMaintainer]:
    """The rows of one project, matched by name case-insensitively ("Dragonfly" == "dragonfly")."""
    wanted = project.strip().casefold()
    return [row for row in parse_maintainers_csv(text) if row.project.casefold() == wanted]


def maintainers_matching(text: str, names: Iterable[str]) -> list[FoundationMaintainer]:
    """The rows of the project known by any of ``names`` (display name, index key, aliases, orgs), however the CSV
    writes it.

    The CSV names projects its own way: split into blocks ("Kubernetes steering" and "Kubernetes maintainers",
    "Istio: Maintainers", "Tekton (Governance Committee)" and "Tekton Pipeline"), with the long or short form
    ("Open Policy Agent", "CNI", "TUF (The Update Framework)"), or spelled together ("ChaosMesh", "LitmusChaos").
    Two passes, so a project's own block never pulls in its subprojects' ones:

    1. the Project cell, its part before a parenthesis and its parenthesis, each compared with every name with
       case, spaces and punctuation ignored ("Chaos Mesh" == "ChaosMesh", "TUF" in "TUF (The Update Framework)");
    2. only when nothing matched: blocks whose Project cell starts with a name followed by a space, a colon or a
       parenthesis ("Kubernetes steering", "Istio: Maintainers", "Operator Framework: SDK").

    An empty answer means no block under any of these names — not that the project has no maintainers listed.
    """
    labels = _labels(names)
    rows = parse_maintainers_csv(text)
    exact = [row for row in rows if _forms(row.project) & labels]
    if exact:
        return exact
    prefixes = [name for name in _plain_names(names) if len(name) >= 3]
    return [row for row in rows if any(_starts_block(row.project, name) for name in prefixes)]


def project_names(ref: ProjectRef) -> list[str]:
    """The names a project goes by: display name, index key and the index's aliases — less any alias that is
    another project's name (SPIRE's alias "spiffe", its GitHub org, is the SPIFFE project)."""
    names = [ref.display_name, ref.name]
    if ref.in_index:
        from dd_evidence.resolve import load_index

        index = load_index()
        others = {
            _squash(str(label))
            for key, entry in index.items()
            if key != ref.name
            for label in (key, entry.get("display_name") or "")
        }
        aliases = [str(alias) for alias in (index.get(ref.name) or {}).get("aliases") or []]
        names += [alias for alias in aliases if _squash(alias) not in others]
    return [n for n in dict.fromkeys(n.strip() for n in names if n and n.strip())]


def _split_paren(text: str) -> tuple[str, str] | None:
    """``"Istio (Steering)"`` → ``("Istio", "Steering")``: the name before a closing parenthesis and what it holds.

    String operations, not a regex: a lazy prefix before the parenthesis backtracks quadratically on a hostile cell.
    """
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    body = stripped[:-1]
    opening = body.find("(", body.rfind(")") + 1)
    if opening < 0:
        return None
    return body[:opening].rstrip(), body[opening + 1 :]


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _forms(project: str) -> set[str]:
    """The squashed forms a Project cell (or a name) answers to: whole, before the parenthesis, inside it."""
    forms = {_squash(project)}
    parts = _split_paren(project.strip())
    if parts:
        forms |= {_squash(parts[0]), _squash(parts[1])}
    forms.discard("")
    return forms


def _labels(names: Iterable[str]) -> set[str]:
    return {form for name in names for form in _forms(name)}


def _plain_names(names: Iterable[str]) -> list[str]:
    """Names for the prefix pass, lower case, hyphens as spaces, a trailing parenthesis dropped."""
    plain = []
    for name in names:
        parts = _split_paren(name.strip())
        base = parts[0] if parts else name
        plain.append(" ".join(base.casefold().replace("-", " ").split()))
    return [p for p in dict.fromkeys(plain) if p]


def _starts_block(project: str, name: str) -> bool:
    cell = " ".join(project.casefold().split())
    return cell.startswith(name) and cell[len(name) : len(name) + 1] in (" ", ":", "(")
