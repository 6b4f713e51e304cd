"""Output formats: a registry of renderers, each turning a Report into text, and a writer for report files.

Adding a format is one entry in ``FORMATS``.
"""

from __future__ import annotations

import importlib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from dd_evidence.errors import BadInput
from dd_evidence.model import Report
from dd_evidence.outfiles import write_text_atomic

TERMINAL_WIDTH = 100
"""Columns of the terminal summary when it is rendered to a string rather than a live console."""


@dataclass(frozen=True)
class Renderer:
    """One output format: its name on the command line, the file extension and the function that renders."""

    name: str
    extension: str
    description: str
    to_text: Callable[[Report], str]
    writes_file: bool = True

    def render(self, report: Report) -> str:
        """The report in this format."""
        return self.to_text(report)


def render_terminal_text(report: Report) -> str:
    """The terminal summary as plain text (no colours, no control codes)."""
    from rich.console import Console

    from dd_evidence.render.terminal import render_terminal

    buffer = io.StringIO()
    console = Console(file=buffer, width=TERMINAL_WIDTH, color_system=None, force_terminal=False, no_color=True)
    render_terminal(report, console)
    return buffer.getvalue()


def _lazy(module: str, name: str) -> Callable[[Report], str]:
    """A renderer function imported on first use: a scan that writes JSON never loads the HTML renderer."""

    def render(report: Report) -> str:
        return getattr(importlib.import_module(module), name)(report)

    render.__name__ = render.__qualname__ = name
    return render


FORMATS: dict[str, Renderer] = {
    renderer.name: renderer
    for renderer in (
        Renderer(
            "md", "md", "the DD draft in the TOC template's layout", _lazy(f"{__name__}.markdown", "render_markdown")
        ),
        Renderer(
            "json",
            "json",
            "every finding and criterion, per schema/report.schema.json",
            _lazy(f"{__name__}.json_report", "render_json"),
        ),
        Renderer(
            "html",
            "html",
            "a self-contained HTML page with filters and charts",
            _lazy(f"{__name__}.html", "render_html"),
        ),
        Renderer(
            "csv",
            "csv",
            "one row per finding: probe, subject, outcome, message, evidence, criteria",
            _lazy(f"{__name__}.csv_findings", "render_csv"),
        ),
        Renderer(
            "sarif",
            "sarif",
            "SARIF 2.1.0: false findings that point at a file line",
            _lazy(f"{__name__}.sarif", "render_sarif"),
        ),
        Renderer("terminal", "txt", "a summary table for the terminal", render_terminal_text, writes_file=False),
    )
}


def parse_formats(text: str) -> list[str]:
    """Comma-separated format names ("terminal,md,json") as a list, in order and without repeats."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise BadInput(f"no output format given: choose from {', '.join(FORMATS)}")
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise BadInput(f"unknown output format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(names))


def report_filename(report: Report, extension: str) -> str:
    """``<project>-<level>[-<as-of YYYY-MM-DD>].<ext>``, safe as a file name on any system."""
    parts = [report.project.name, report.level]
    if report.as_of is not None:
        as_of = report.as_of if report.as_of.tzinfo else report.as_of.replace(tzinfo=UTC)
        parts.append(as_of.astimezone(UTC).strftime("%Y-%m-%d"))
    stem = "-".join(_safe_name(part) for part in parts)
    return f"{stem}.{extension}"


def write_reports(report: Report, formats: Iterable[str], out_dir: Path) -> list[Path]:
    """Write the report in each file format to ``out_dir`` (created if missing); returns the paths written.

    The terminal format is not a file and is skipped. Raises BadInput for an unknown format or a directory
    that cannot be created or written.
    """
    renderers = [FORMATS[name] for name in parse_formats(",".join(formats))]
    out_dir = Path(out_dir)
    _prepare_dir(out_dir)
    written: list[Path] = []
    for renderer in renderers:
        if not renderer.writes_file:
            continue
        path = out_dir / report_filename(report, renderer.extension)
        text = renderer.render(report)
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc
        written.append(path)
    return written


def _prepare_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot create output directory {out_dir}: {exc.strerror or exc}") from exc
    if not out_dir.is_dir():
        raise BadInput(f"output path {out_dir} is not a directory")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise BadInput(f"cannot write to output directory {out_dir}: permission denied")


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "report"


__all__ = ["FORMATS", "Renderer", "parse_formats", "render_terminal_text", "report_filename", "write_reports"]
