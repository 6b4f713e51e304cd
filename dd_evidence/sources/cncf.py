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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.http import http_client

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

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
