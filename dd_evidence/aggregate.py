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
"""

from __future__ import annotations

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


def aggregate(
    catalogue: Catalogue, findings: Iterable[Finding], remediations: Mapping[str, str] | None = None
) -> list[CriterionResult]:
    """A result for every criterion of the catalogue, in catalogue order.

    ``remediations`` (probe id -> what to do, from the probe specs) turns every false finding behind a
    criterion into a recommendation, so a met criterion still carries the non-blocking fixes a reviewer would
    suggest (e.g. SECURITY.md missing in 8 of 10 repos while the project has one).
    """
    by_probe: dict[str, list[Finding]] = {}
    for finding in findings:
        by_probe.setdefault(finding.probe, []).append(finding)
    return [evaluate(criterion, by_probe, remediations or {}) for criterion in catalogue.criteria]


def recommendations(related: list[Finding], remediations: Mapping[str, str]) -> tuple[str, ...]:
    """One line per probe with false findings: its remediation and how many of its subjects fail."""
    lines = []
    for probe in _unique(f.probe for f in related):
        mine = [f for f in related if f.probe == probe]
        failing = [f for f in mine if f.outcome is Outcome.FALSE]
        if not failing or not remediations.get(probe):
            continue
        decided = [f for f in mine if f.outcome.decided]
        if len(decided) > 1:
            more = ", …" if len(failing) > 1 else ""
            scope = f" ({len(failing)} of {len(decided)}: {failing[0].subject}{more}; {failing[0].message})"
        else:
            scope = f" ({failing[0].message})"
        lines.append(remediations[probe].rstrip(".") + "." + scope)
    return tuple(lines)


def evaluate(
    criterion: Criterion, by_probe: dict[str, list[Finding]], remediations: Mapping[str, str] | None = None
) -> CriterionResult:
    """The result of one criterion given every finding, grouped by probe id."""
    rule = criterion.rule
    related = [f for p in (*rule.deciding_probes, *rule.supporting) for f in by_probe.get(p, [])]
    related = list(dict.fromkeys(related))  # a probe named twice must not show its findings twice

    def result(status: CriterionStatus, rationale: str) -> CriterionResult:
        todo = criterion.todo if status in (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL) else None
        return CriterionResult(
            criterion=criterion.id,
            title=criterion.title,
            section=criterion.section,
            requirement=criterion.requirement,
            status=status,
            rationale=rationale,
            findings=tuple(related),
            todo=todo,
            look_at=criterion.look_at,
            subitems=criterion.subitems,
            recommendations=recommendations(related, remediations or {}),
        )

    if rule.is_manual:
        return result(CriterionStatus.MANUAL, "a person must judge this criterion; no probe decides it")

    missing = [p for p in rule.deciding_probes if p not in by_probe]
    if missing:
        return result(CriterionStatus.UNKNOWN, f"no findings from {', '.join(missing)} (probe did not run)")

    inputs = [_Input(_decided(f), f.message, f) for p in rule.probes for f in by_probe[p]]
    inputs += [_threshold_input(t, by_probe[t.probe]) for t in rule.thresholds]
    inputs = [i for i in inputs if not (i.finding and i.finding.outcome is Outcome.NOT_APPLICABLE)]

    trues = [i for i in inputs if i.decided is True]
    falses = [i for i in inputs if i.decided is False]
    gaps = [i for i in inputs if i.decided is None]

    if rule.mode == "any" and trues:
        return result(CriterionStatus.MET, trues[0].why)
    if gaps:
        return result(CriterionStatus.UNKNOWN, "could not tell: " + "; ".join(_unique(i.why for i in gaps)))
    if not inputs:
        return result(CriterionStatus.MET, "not applicable to this project")
    if not falses:
        return result(CriterionStatus.MET, "; ".join(_unique(i.why for i in trues)))
    reasons = "; ".join(_unique(i.why for i in falses))
    if rule.mode == "all" and trues and rule.partial:
        return result(CriterionStatus.PARTIAL, f"{len(trues)} of {len(inputs)} checks pass; missing: {reasons}")
    return result(CriterionStatus.NOT_MET, reasons)


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
