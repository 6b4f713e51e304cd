"""Findings → criterion results. A pure function: no I/O, no clock, no rendering.

The rules, in order:
1. a criterion with no deciding probe is ``manual``;
2. a deciding probe that produced no finding (not selected, not installed) makes it ``unknown``;
3. any ``not_available`` or ``error`` input makes it ``unknown`` — never ``not_met`` — except that in ``any``
   mode one true input already decides ``met``;
4. ``not_applicable`` inputs are left out; when nothing else is left the criterion is ``met`` (vacuously);
5. thresholds turn a reported figure into a true/false input;
6. ``all``: every input true → met, none → not_met, some → partial (or not_met when the rule says
   ``partial: false``); ``any``: one true → met, else not_met.

What the project should do follows from the findings, not from the criterion: a not met or partial criterion's
TODO is the union of the remedies of the findings that failed it (the criterion's own TODO sentence only when none
of them says what to do); every other false finding, and a true one that carries a remedy, becomes a non-blocking
recommendation. A met criterion has no TODO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dd_evidence.catalogue import Catalogue, Criterion, Threshold
from dd_evidence.model import CriterionResult, CriterionStatus, Finding, Outcome


@dataclass(frozen=True)
class _Input:
    """One yes/no input to a rule: a finding, or a threshold over a finding's figure."""

    decided: bool | None  # None = could not tell
    why: str
    finding: Finding | None = None


_FILE_NAME = re.compile(r"\.(?:md|markdown|rst|txt|adoc|ya?ml|json|toml)$|^[A-Z][A-Z_-]+$")
# Subjects a remedy can name: a repo, a file, a team; not a probe's own label ("release-process: tagging").
_NAMEABLE = re.compile(r"[@\w.\-/]+")
SUBJECTS_NAMED = 8
"""How many subjects a grouped remedy names before it says "and N more"."""


def aggregate(
    catalogue: Catalogue,
    findings: Iterable[Finding],
    remediations: Mapping[str, str] | None = None,
    project_subjects: Iterable[str] = (),
) -> list[CriterionResult]:
    """A result for every criterion of the catalogue, in catalogue order.

    ``remediations`` (probe id -> what to do, from the probe specs) is the fallback remedy of a finding that
    carries none of its own. ``project_subjects`` are the names that mean the whole project (its orgs, its name):
    a remedy is never "made specific" with one of those.
    """
    by_probe: dict[str, list[Finding]] = {}
    for finding in findings:
        by_probe.setdefault(finding.probe, []).append(finding)
    subjects = frozenset(s.lower() for s in project_subjects)
    return [evaluate(criterion, by_probe, remediations or {}, subjects) for criterion in catalogue.criteria]


def remedies(
    findings: Iterable[Finding],
    remediations: Mapping[str, str] | None = None,
    project_subjects: Iterable[str] = (),
) -> tuple[str, ...]:
    """What the findings ask the project to do, each remedy once.

    A finding's own ``remedy`` is used as it is; without one, its probe's remediation, made specific with the
    finding's subject (or, for a finding about the whole project, the files its evidence cites). Findings that share
    a remedy become one line naming their subjects ("... (api, client, console)"), unless the text already names
    them.
    """
    project = {s.lower() for s in project_subjects}
    grouped: dict[str, list[str]] = {}
    for finding in findings:
        text = _one_line(finding.remedy or (remediations or {}).get(finding.probe) or "")
        if not text:
            continue
        names = grouped.setdefault(text, [])
        name = short_subject(finding.subject, project)
        candidates = [name] if name else []
        if not candidates and not finding.remedy:
            # The probe's general remediation about the whole project: made specific with the files it cites.
            candidates = list(dict.fromkeys(_cited_file(e.label or "") for e in finding.evidence))[:3]
        for candidate in candidates:
            if candidate and _NAMEABLE.fullmatch(candidate) and candidate not in names and not _names(text, candidate):
                names.append(candidate)
    lines = []
    for text, names in grouped.items():
        if names:
            shown = ", ".join(names[:SUBJECTS_NAMED])
            more = f" and {len(names) - SUBJECTS_NAMED} more" if len(names) > SUBJECTS_NAMED else ""
            text = f"{text.rstrip('.')} ({shown}{more})."
        lines.append(text if text.endswith((".", "!", "?", ")")) else text + ".")
    return tuple(dict.fromkeys(lines))


def _cited_file(label: str) -> str:
    """``community/GOVERNANCE.md`` of an evidence label such as ``community/GOVERNANCE.md#L9``; "" for others."""
    path = label.split("#", 1)[0].strip()
    return path if "/" in path and _FILE_NAME.search(path.rsplit("/", 1)[-1]) else ""


def short_subject(subject: str, project_subjects: Iterable[str] = ()) -> str | None:
    """A finding's subject as a remedy names it: ``owner/repo`` → ``repo``; None for the whole project."""
    project = {s.lower() for s in project_subjects}
    text = subject.strip()
    if not text or text.lower() in project:
        return None
    owner, sep, rest = text.partition("/")
    # "dragonflyoss/api" is the repo api, "dragonflyoss/dragonfly/X.yml" the file dragonfly/X.yml; but
    # "dragonfly/ADOPTERS.md" (a project named like its repo) is a file and keeps its repo.
    if sep and owner.lower() in project and rest and ("/" in rest or not _FILE_NAME.search(rest)):
        return rest
    return text


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text, flags=re.IGNORECASE) is not None


def evaluate(
    criterion: Criterion,
    by_probe: dict[str, list[Finding]],
    remediations: Mapping[str, str] | None = None,
    project_subjects: Iterable[str] = (),
) -> CriterionResult:
    """The result of one criterion given every finding, grouped by probe id."""
    rule = criterion.rule
    related = [f for p in (*rule.deciding_probes, *rule.supporting) for f in by_probe.get(p, [])]
    related = list(dict.fromkeys(related))  # a probe named twice must not show its findings twice
    fixes = remediations or {}

    def result(
        status: CriterionStatus, rationale: str, decided: Iterable[Finding] = (), blocking: Iterable[Finding] = ()
    ) -> CriterionResult:
        decided_by = tuple(dict.fromkeys(decided))
        blocking = list(blocking)
        todos: tuple[str, ...] = ()
        if status in (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL):
            todos = remedies(blocking, fixes, project_subjects) or ((criterion.todo,) if criterion.todo else ())
        failing = set(blocking) if todos else set()
        improvable = [
            f
            for f in related
            if f not in failing and (f.outcome is Outcome.FALSE or (f.outcome is Outcome.TRUE and f.remedy))
        ]
        advice = tuple(r for r in remedies(improvable, fixes, project_subjects) if r not in todos)
        return CriterionResult(
            criterion=criterion.id,
            title=criterion.title,
            section=criterion.section,
            requirement=criterion.requirement,
            status=status,
            rationale=rationale,
            findings=decided_by + tuple(f for f in related if f not in decided_by),
            todo=" ".join(todos) or None,
            look_at=criterion.look_at,
            subitems=criterion.subitems,
            recommendations=advice,
            todos=todos,
            decided_by=decided_by,
        )

    if rule.is_manual:
        return result(CriterionStatus.MANUAL, "a person must judge this criterion; no probe decides it")

    missing = [p for p in rule.deciding_probes if p not in by_probe]
    if missing:
        return result(CriterionStatus.UNKNOWN, f"no findings from {', '.join(missing)} (probe did not run)")

    inputs = [_Input(_decided(f), f.message, f) for p in rule.probes for f in by_probe[p]]
    inputs += [_threshold_input(t, by_probe[t.probe]) for t in rule.thresholds]
    left_out = [i.finding for i in inputs if i.finding and i.finding.outcome is Outcome.NOT_APPLICABLE]
    inputs = [i for i in inputs if not (i.finding and i.finding.outcome is Outcome.NOT_APPLICABLE)]

    trues = [i for i in inputs if i.decided is True]
    falses = [i for i in inputs if i.decided is False]
    gaps = [i for i in inputs if i.decided is None]

    def of(items: list[_Input]) -> list[Finding]:
        return [i.finding for i in items if i.finding is not None]

    if rule.mode == "any" and trues:
        return result(CriterionStatus.MET, trues[0].why, of(trues))
    if gaps:
        why = "could not tell: " + "; ".join(_unique(i.why for i in gaps))
        # What could not be read decided it; the deciding checks that already fail come right after.
        return result(CriterionStatus.UNKNOWN, why, of(gaps) + of(falses))
    if not inputs:
        # Nothing applies ("no subprojects found"): say what was looked for, not a bare "not applicable".
        plain = "; ".join(_unique(f.message for f in left_out if f.message)) or "not applicable to this project"
        return result(CriterionStatus.MET, plain, left_out)
    if not falses:
        return result(CriterionStatus.MET, "; ".join(_unique(i.why for i in trues)), of(trues))
    reasons = "; ".join(_unique(i.why for i in falses))
    if rule.mode == "all" and trues and rule.partial:
        return result(
            CriterionStatus.PARTIAL,
            f"{len(trues)} of {len(inputs)} checks pass; missing: {reasons}",
            of(inputs),
            of(falses),
        )
    return result(CriterionStatus.NOT_MET, reasons, of(falses) + of(trues), of(falses))


def _decided(finding: Finding) -> bool | None:
    if finding.outcome is Outcome.TRUE:
        return True
    if finding.outcome is Outcome.FALSE:
        return False
    return None


def _threshold_input(threshold: Threshold, findings: list[Finding]) -> _Input:
    for finding in findings:
        if finding.outcome in (Outcome.NOT_AVAILABLE, Outcome.ERROR):
            return _Input(None, finding.message, finding)
        figure = finding.values.get(threshold.value)
        if isinstance(figure, (int, float)) and not isinstance(figure, bool):
            holds = threshold.holds(figure)
            verdict = "meets" if holds else "does not meet"
            return _Input(holds, f"{threshold.value} = {figure:g} {verdict} {threshold.describe()}", finding)
    return _Input(None, f"{threshold.probe} reported no figure {threshold.value!r}")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
