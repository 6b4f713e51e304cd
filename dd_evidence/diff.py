"""Scan-to-scan diffs: what changed between two JSON reports of the same project.

Pure functions over report dicts as loaded from the JSON format (``schema/report.schema.json``): which criteria
changed status, which findings appeared or went away, and which changed outcome or message. Findings are keyed
by ``(probe, subject)``, the identity a probe gives a judgement across scans. Renderers turn a ``ReportDiff``
into terminal text, Markdown or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dd_evidence.errors import BadInput

DIFF_SCHEMA_VERSION = "1.0"
_STATUS_RANK = {"not_met": 0, "unknown": 1, "manual": 1, "partial": 2, "met": 3}
_OUTCOME_RANK = {"false": 0, "error": 1, "not_available": 1, "not_applicable": 2, "true": 3}


@dataclass(frozen=True)
class StatusChange:
    """A criterion whose status differs between the two reports (``None`` when only one report lists it)."""

    criterion: str
    title: str
    section: str
    requirement: str
    old: str | None
    new: str | None

    @property
    def direction(self) -> str:
        """``better``, ``worse`` or ``changed`` (to or from manual/unknown, or in only one report)."""
        if self.old is None or self.new is None:
            return "changed"
        old, new = _STATUS_RANK.get(self.old, 1), _STATUS_RANK.get(self.new, 1)
        if {self.old, self.new} & {"manual", "unknown"}:
            return "changed"
        return "better" if new > old else "worse" if new < old else "changed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "title": self.title,
            "section": self.section,
            "requirement": self.requirement,
            "old": self.old,
            "new": self.new,
            "direction": self.direction,
        }


@dataclass(frozen=True)
class FindingChange:
    """One ``(probe, subject)`` that appeared, went away or changed; the old/new sides are None when absent."""

    probe: str
    subject: str
    kind: str
    """``appeared``, ``went_away``, ``outcome_changed`` or ``message_changed``."""
    old_outcome: str | None = None
    new_outcome: str | None = None
    old_message: str | None = None
    new_message: str | None = None
    old_values: Mapping[str, Any] = field(default_factory=dict)
    new_values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def changed_values(self) -> list[str]:
        """The value keys whose content differs (keys present on only one side included)."""
        keys = set(self.old_values) | set(self.new_values)
        return sorted(k for k in keys if self.old_values.get(k) != self.new_values.get(k))

    @property
    def fixed(self) -> bool:
        """True when a false finding became true or went away: the project fixed what it pointed at."""
        if self.kind == "went_away":
            return self.old_outcome == "false"
        return self.old_outcome == "false" and self.new_outcome == "true"

    @property
    def regressed(self) -> bool:
        """True when a true finding became false, or a new false finding appeared."""
        if self.kind == "appeared":
            return self.new_outcome == "false"
        return self.old_outcome == "true" and self.new_outcome == "false"

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.probe,
            "subject": self.subject,
            "kind": self.kind,
            "old_outcome": self.old_outcome,
            "new_outcome": self.new_outcome,
            "old_message": self.old_message,
            "new_message": self.new_message,
            "changed_values": self.changed_values,
            "old_values": dict(self.old_values),
            "new_values": dict(self.new_values),
        }


@dataclass(frozen=True)
class ReportDiff:
    """Everything that changed from an old report to a new one of the same project."""

    project: str
    level: str
    old: Mapping[str, Any]
    """The old report's scan context: as_of, generated_at, catalogue revision, tool version."""
    new: Mapping[str, Any]
    criteria: tuple[StatusChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()

    def of_kind(self, kind: str) -> list[FindingChange]:
        """The finding changes of one kind (``appeared``, ``went_away``, ``outcome_changed``, ``message_changed``)."""
        return [change for change in self.findings if change.kind == kind]

    def finding(self, probe: str, subject: str | None = None) -> FindingChange | None:
        """The change of one probe's finding (about ``subject`` when given), None when it did not change."""
        for change in self.findings:
            if change.probe == probe and (subject is None or change.subject == subject):
                return change
        return None

    def criterion(self, criterion_id: str) -> StatusChange | None:
        """The status change of one criterion, None when it kept its status."""
        return next((c for c in self.criteria if c.criterion == criterion_id), None)

    @property
    def empty(self) -> bool:
        return not self.criteria and not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": DIFF_SCHEMA_VERSION,
            "project": self.project,
            "level": self.level,
            "old": dict(self.old),
            "new": dict(self.new),
            "criteria": [c.to_dict() for c in self.criteria],
            "findings": [f.to_dict() for f in self.findings],
            "counts": {
                "criteria_changed": len(self.criteria),
                **{kind: len(self.of_kind(kind)) for kind in _KINDS},
            },
        }


_KINDS = ("appeared", "went_away", "outcome_changed", "message_changed")


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """The changes from ``old`` to ``new`` (report dicts as loaded from JSON). Raises BadInput on a non-report."""
    for name, report in (("old", old), ("new", new)):
        _check_report(report, name)
    old_criteria = {c["criterion"]: c for c in old["criteria"]}
    new_criteria = {c["criterion"]: c for c in new["criteria"]}
    changes: list[StatusChange] = []
    # New-report order first (template order), then criteria the new template no longer lists.
    for criterion_id in [*new_criteria, *(c for c in old_criteria if c not in new_criteria)]:
        before, after = old_criteria.get(criterion_id), new_criteria.get(criterion_id)
        old_status = before.get("status") if before else None
        new_status = after.get("status") if after else None
        if old_status != new_status:
            ref = after or before or {}
            changes.append(
                StatusChange(
                    criterion=criterion_id,
                    title=str(ref.get("title", "")),
                    section=str(ref.get("section", "")),
                    requirement=str(ref.get("requirement", "")),
                    old=old_status,
                    new=new_status,
                )
            )
    return ReportDiff(
        project=str(new.get("project", {}).get("name") or old.get("project", {}).get("name") or ""),
        level=str(new.get("level") or old.get("level") or ""),
        old=_context(old),
        new=_context(new),
        criteria=tuple(changes),
        findings=tuple(_finding_changes(old["findings"], new["findings"])),
    )


def _finding_changes(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[FindingChange]:
    before = _by_key(old)
    after = _by_key(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            kind = "appeared"
        elif b is None and a is not None:
            kind = "went_away"
        elif a is not None and b is not None and a.get("outcome") != b.get("outcome"):
            kind = "outcome_changed"
        elif a is not None and b is not None and a.get("message") != b.get("message"):
            kind = "message_changed"
        else:
            continue
        changes.append(
            FindingChange(
                probe=key[0],
                subject=key[1],
                kind=kind,
                old_outcome=a.get("outcome") if a else None,
                new_outcome=b.get("outcome") if b else None,
                old_message=a.get("message") if a else None,
                new_message=b.get("message") if b else None,
                old_values=dict(a.get("values") or {}) if a else {},
                new_values=dict(b.get("values") or {}) if b else {},
            )
        )
    return changes


def _by_key(findings: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    # A probe may (rarely) return two findings about one subject; the first one is the one compared.
    keyed: dict[tuple[str, str], Mapping[str, Any]] = {}
    for finding in findings:
        keyed.setdefault((str(finding["probe"]), str(finding["subject"])), finding)
    return keyed


def _check_report(report: Any, name: str) -> None:
    if not isinstance(report, Mapping):
        raise BadInput(f"{name} report is not a JSON object")
    for key in ("criteria", "findings"):
        items = report.get(key)
        if not isinstance(items, list):
            raise BadInput(f"{name} report has no {key!r} list: is it a dd-evidence JSON report?")
    for criterion in report["criteria"]:
        if not isinstance(criterion, Mapping) or "criterion" not in criterion:
            raise BadInput(f"{name} report: a criterion entry has no 'criterion' id")
    for finding in report["findings"]:
        if not isinstance(finding, Mapping) or "probe" not in finding or "subject" not in finding:
            raise BadInput(f"{name} report: a finding has no 'probe' or 'subject'")


def _context(report: Mapping[str, Any]) -> dict[str, Any]:
    catalogue = report.get("catalogue") or {}
    tool = report.get("tool") or {}
    return {
        "as_of": report.get("as_of"),
        "generated_at": report.get("generated_at"),
        "revision": catalogue.get("revision") if isinstance(catalogue, Mapping) else None,
        "tool_version": tool.get("version") if isinstance(tool, Mapping) else None,
    }


def load_report_json(path: Path | str) -> dict[str, Any]:
    """A JSON report read from a file; BadInput (one line) when it is missing, unreadable or not a report."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read report {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"report {path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"report {path} is not JSON: {exc.msg} at line {exc.lineno}") from None
    _check_report(data, str(path))
    return data


# Renderers -----------------------------------------------------------------------------------------------------


def _label(context: Mapping[str, Any]) -> str:
    as_of = context.get("as_of") or f"newest commits (generated {context.get('generated_at') or '?'})"
    revision = context.get("revision")
    return f"{as_of}" + (f", template {revision}" if revision else "")


def _arrow(old: str | None, new: str | None) -> str:
    return f"{old or '(absent)'} → {new or '(absent)'}"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def render_diff_text(diff: ReportDiff) -> str:
    """The diff as plain text for a terminal."""
    lines = [
        f"{diff.project} {diff.level}: {_label(diff.old)}  →  {_label(diff.new)}",
    ]
    if diff.empty:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.append(f"Criteria that changed status ({len(diff.criteria)}):")
    for status in diff.criteria or ():
        arrow = _arrow(status.old, status.new)
        lines.append(f"  [{status.direction}] {status.criterion} ({status.requirement}): {arrow}")
    if not diff.criteria:
        lines.append("  none")
    for kind, heading in _HEADINGS.items():
        changes = diff.of_kind(kind)
        if not changes:
            continue
        lines.append("")
        lines.append(f"{heading} ({len(changes)}):")
        for change in changes:
            same = kind == "message_changed"
            outcome = change.new_outcome if same else _arrow(change.old_outcome, change.new_outcome)
            lines.append(f"  {change.probe} [{change.subject}] {outcome}")
            if change.old_message and change.kind != "appeared":
                lines.append(f"    was: {_one_line(change.old_message)}")
            if change.new_message and change.kind != "went_away":
                lines.append(f"    now: {_one_line(change.new_message)}")
    return "\n".join(lines) + "\n"


_HEADINGS = {
    "outcome_changed": "Findings that changed outcome",
    "appeared": "Findings that appeared",
    "went_away": "Findings that went away",
    "message_changed": "Findings with a new message (same outcome)",
}


def render_diff_markdown(diff: ReportDiff) -> str:
    """The diff as GitHub Markdown: a table of status changes and lists of finding changes."""
    from dd_evidence.render.markdown import escape_inline

    lines = [
        f"# {escape_inline(diff.project)} {escape_inline(diff.level)}: what changed",
        "",
        f"From **{escape_inline(_label(diff.old))}** to **{escape_inline(_label(diff.new))}**.",
        "",
    ]
    if diff.empty:
        return "\n".join([*lines, "No criterion changed status and no finding changed.", ""])
    lines += ["## Criteria that changed status", ""]
    if diff.criteria:
        lines += ["| criterion | requirement | before | after | |", "|---|---|---|---|---|"]
        for status in diff.criteria:
            lines.append(
                f"| `{status.criterion}` {escape_inline(_one_line(status.title))} | {status.requirement} "
                f"| {status.old or '—'} | {status.new or '—'} | {status.direction} |"
            )
    else:
        lines.append("None.")
    for kind, heading in _HEADINGS.items():
        changes = diff.of_kind(kind)
        if not changes:
            continue
        lines += ["", f"## {heading}", ""]
        for change in changes:
            mark = " — **fixed**" if change.fixed else " — **regressed**" if change.regressed else ""
            lines.append(
                f"- `{change.probe}` ({escape_inline(change.subject)}): "
                f"{_arrow(change.old_outcome, change.new_outcome)}{mark}"
            )
            if change.old_message and change.kind != "appeared":
                lines.append(f"  - before: {escape_inline(_one_line(change.old_message))}")
            if change.new_message and change.kind != "went_away":
                lines.append(f"  - after: {escape_inline(_one_line(change.new_message))}")
    return "\n".join(lines) + "\n"


def render_diff_json(diff: ReportDiff, indent: int | None = 2) -> str:
    """The diff as JSON (``ReportDiff.to_dict``)."""
    return json.dumps(diff.to_dict(), indent=indent, ensure_ascii=False, default=str) + "\n"


DIFF_FORMATS = {"terminal": render_diff_text, "md": render_diff_markdown, "json": render_diff_json}


def render_diff(diff: ReportDiff, fmt: str) -> str:
    """The diff in one of ``DIFF_FORMATS``; BadInput for another name."""
    try:
        renderer = DIFF_FORMATS[fmt]
    except KeyError:
        raise BadInput(f"unknown diff format {fmt!r}: choose from {', '.join(DIFF_FORMATS)}") from None
    return renderer(diff)


__all__ = [
    "DIFF_FORMATS",
    "FindingChange",
    "ReportDiff",
    "StatusChange",
    "diff_reports",
    "load_report_json",
    "render_diff",
    "render_diff_json",
    "render_diff_markdown",
    "render_diff_text",
]
