"""Aggregation is a pure function: tables of findings in, statuses out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dd_evidence.aggregate import aggregate, evaluate
from dd_evidence.catalogue import Catalogue, Criterion, Rule, Section, Threshold
from dd_evidence.model import CriterionStatus, Finding, Outcome, Requirement

T, F, NA, NAV, ERR = (
    Outcome.TRUE,
    Outcome.FALSE,
    Outcome.NOT_APPLICABLE,
    Outcome.NOT_AVAILABLE,
    Outcome.ERROR,
)


def crit(rule: Rule, todo: str = "Fix it.") -> Criterion:
    return Criterion(
        id="c",
        title="C",
        section="S",
        requirement=Requirement.REQUIRED,
        rule=rule,
        todo=todo,
        look_at="Look there.",
    )


def findings(probe: str, *outcomes: Outcome, values: dict | None = None) -> list[Finding]:
    return [Finding(probe, f"s{i}", o, f"{probe} {o.value} {i}", values or {}) for i, o in enumerate(outcomes)]


def grouped(*lists: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for item in lists:
        for f in item:
            out.setdefault(f.probe, []).append(f)
    return out


@pytest.mark.parametrize(
    ("mode", "outcomes", "expected"),
    [
        ("all", (T,), CriterionStatus.MET),
        ("all", (T, T), CriterionStatus.MET),
        ("all", (F,), CriterionStatus.NOT_MET),
        ("all", (T, F), CriterionStatus.PARTIAL),
        ("all", (T, NAV), CriterionStatus.UNKNOWN),
        ("all", (F, NAV), CriterionStatus.UNKNOWN),  # unknown is never reported as not met
        ("all", (F, ERR), CriterionStatus.UNKNOWN),
        ("all", (NA,), CriterionStatus.MET),  # vacuously: nothing applies
        ("all", (T, NA), CriterionStatus.MET),
        ("all", (F, NA), CriterionStatus.NOT_MET),
        ("any", (F, T), CriterionStatus.MET),
        ("any", (F, F), CriterionStatus.NOT_MET),
        ("any", (T, NAV), CriterionStatus.MET),  # one true decides, whatever the gap would say
        ("any", (F, NAV), CriterionStatus.UNKNOWN),
    ],
)
def test_rule_table(mode: str, outcomes: tuple[Outcome, ...], expected: CriterionStatus) -> None:
    result = evaluate(crit(Rule(probes=("p",), mode=mode)), grouped(findings("p", *outcomes)))
    assert result.status is expected


def test_partial_can_be_switched_off() -> None:
    result = evaluate(crit(Rule(probes=("p",), partial=False)), grouped(findings("p", T, F)))
    assert result.status is CriterionStatus.NOT_MET


def test_no_probe_is_manual_and_keeps_supporting_evidence() -> None:
    support = findings("s", T)
    result = evaluate(crit(Rule(supporting=("s",))), grouped(support))
    assert result.status is CriterionStatus.MANUAL
    assert result.findings == tuple(support)
    assert result.todo is None
    assert result.look_at == "Look there."


def test_probe_that_did_not_run_is_unknown() -> None:
    result = evaluate(crit(Rule(probes=("p", "q"))), grouped(findings("p", T)))
    assert result.status is CriterionStatus.UNKNOWN
    assert "q" in result.rationale


def test_todo_only_when_not_met_or_partial() -> None:
    rule = Rule(probes=("p",))
    assert evaluate(crit(rule), grouped(findings("p", F))).todo == "Fix it."
    assert evaluate(crit(rule), grouped(findings("p", T, F))).todo == "Fix it."
    assert evaluate(crit(rule), grouped(findings("p", T))).todo is None
    assert evaluate(crit(rule), grouped(findings("p", NAV))).todo is None


def test_unknown_rationale_names_the_reason() -> None:
    gap = [Finding("p", "org", NAV, "needs an org owner's token")]
    result = evaluate(crit(Rule(probes=("p",))), grouped(gap))
    assert result.status is CriterionStatus.UNKNOWN
    assert "needs an org owner's token" in result.rationale


@pytest.mark.parametrize(
    ("figure", "bounds", "expected"),
    [
        (8, {"min": 2}, CriterionStatus.MET),
        (1, {"min": 2}, CriterionStatus.NOT_MET),
        (2, {"min": 2}, CriterionStatus.MET),
        (0.6, {"max": 0.5}, CriterionStatus.NOT_MET),
        (0.4, {"min": 0.1, "max": 0.5}, CriterionStatus.MET),
    ],
)
def test_thresholds(figure: float, bounds: dict, expected: CriterionStatus) -> None:
    rule = Rule(thresholds=(Threshold(probe="d", value="orgs", **bounds),))
    result = evaluate(crit(rule), grouped(findings("d", T, values={"orgs": figure})))
    assert result.status is expected


def test_threshold_with_probe_truth_gives_partial() -> None:
    rule = Rule(probes=("p",), thresholds=(Threshold(probe="d", value="orgs", min=2),))
    result = evaluate(crit(rule), grouped(findings("p", T), findings("d", T, values={"orgs": 1})))
    assert result.status is CriterionStatus.PARTIAL


def test_threshold_missing_figure_or_gap_is_unknown() -> None:
    rule = Rule(thresholds=(Threshold(probe="d", value="orgs", min=2),))
    assert evaluate(crit(rule), grouped(findings("d", T))).status is CriterionStatus.UNKNOWN
    assert evaluate(crit(rule), grouped(findings("d", NAV))).status is CriterionStatus.UNKNOWN


def test_aggregate_keeps_catalogue_order_and_ignores_unrelated_findings() -> None:
    a = Criterion("a", "A", "S", Requirement.SUGGESTED, Rule(probes=("p",)))
    b = Criterion("b", "B", "S", Requirement.REQUIRED, Rule())
    catalogue = Catalogue("graduation", "r", datetime(2026, 1, 1, tzinfo=UTC), "src", "t", (Section("S", (a, b)),))
    results = aggregate(catalogue, [*findings("p", F), *findings("other", T)])
    assert [r.criterion for r in results] == ["a", "b"]
    assert [r.status for r in results] == [CriterionStatus.NOT_MET, CriterionStatus.MANUAL]
    assert all(f.probe == "p" for f in results[0].findings)


def test_false_findings_become_recommendations_even_when_met() -> None:
    rule = Rule(probes=("p",), supporting=("s",))
    found = grouped(findings("p", T), findings("s", T, F, F))
    result = evaluate(crit(rule), found, {"s": "Add SECURITY.md everywhere.", "p": "unused"})
    assert result.status is CriterionStatus.MET
    assert result.todo is None and result.todos == ()
    # One remedy for both failing subjects, naming them once.
    assert result.recommendations == ("Add SECURITY.md everywhere (s1, s2).",)
    single = evaluate(crit(Rule(probes=("p",))), grouped(findings("p", F)), {"p": "Do it"})
    assert single.todos == ("Do it (s0).",) and single.recommendations == ()
    assert evaluate(crit(rule), found).recommendations == ()  # no remediations known, none invented


def test_todo_is_the_union_of_the_failing_findings_remedies() -> None:
    rule = Rule(probes=("a", "b", "c"))
    found = grouped(
        [Finding("a", "org", T, "CODE_OF_CONDUCT.md adopts the CNCF Code of Conduct")],
        [Finding("b", "org", F, "no reporting contact", remedy="Add a contact to community/CODE_OF_CONDUCT.md.")],
        [Finding("c", "org/api", F, "no link from CONTRIBUTING.md")],
    )
    result = evaluate(crit(rule, todo="Add a CODE_OF_CONDUCT.md."), found, {"c": "Link it."}, ("org",))
    assert result.status is CriterionStatus.PARTIAL
    # The passing finding's subject is never the TODO; the stock sentence is not used while findings say what to do.
    assert result.todos == ("Add a contact to community/CODE_OF_CONDUCT.md.", "Link it (api).")
    assert result.todo == " ".join(result.todos)
    assert [f.probe for f in result.decided_by] == ["a", "b", "c"]  # every check of a partial one, in rule order
    assert result.findings[: len(result.decided_by)] == result.decided_by


def test_the_criterion_todo_only_when_no_failing_finding_says_what_to_do() -> None:
    result = evaluate(crit(Rule(probes=("p",)), todo="Fix it."), grouped(findings("p", F)))
    assert result.todos == ("Fix it.",)


def test_a_true_finding_with_a_remedy_is_a_recommendation_never_a_todo() -> None:
    healthy = Finding("p", "org", T, "3 of 5 active", remedy="Move ann and bob to emeritus.")
    result = evaluate(crit(Rule(probes=("p",))), grouped([healthy]), project_subjects=("org",))
    assert result.status is CriterionStatus.MET and result.todos == ()
    assert result.recommendations == ("Move ann and bob to emeritus.",)


def test_a_remedy_names_the_subjects_it_covers_once() -> None:
    from dd_evidence.aggregate import remedies

    same = [Finding("p", f"acme/{r}", F, f"{r} has no X", remedy="Add X to each repository.") for r in "abc"]
    assert remedies(same, project_subjects=("acme",)) == ("Add X to each repository (a, b, c).",)
    # A subject the text already names, the project itself, or a probe's own label is not repeated.
    named = [Finding("p", "acme/a", F, "m", remedy="Add X to a.")]
    assert remedies(named, project_subjects=("acme",)) == ("Add X to a.",)
    assert remedies([Finding("p", "acme", F, "m")], {"p": "Do it."}, ("acme",)) == ("Do it.",)
    assert remedies([Finding("p", "release-process: x", F, "m", remedy="Add y.")]) == ("Add y.",)


def test_nothing_to_apply_it_to_says_what_was_looked_for() -> None:
    result = evaluate(crit(Rule(probes=("p",))), grouped([Finding("p", "org", NA, "no subprojects found")]))
    assert result.status is CriterionStatus.MET
    assert result.rationale == "no subprojects found"


def test_unknown_is_decided_by_what_was_not_read_then_what_already_fails() -> None:
    found = grouped([Finding("p", "t1", NAV, "team not read"), Finding("p", "org", F, "owners on no roster")])
    result = evaluate(crit(Rule(probes=("p",))), found)
    assert result.status is CriterionStatus.UNKNOWN
    assert [f.outcome for f in result.decided_by] == [NAV, F]
    assert result.todos == ()


def test_a_general_remediation_is_made_specific_with_the_files_cited() -> None:
    from dd_evidence.aggregate import remedies
    from dd_evidence.model import Evidence

    cited = Finding("p", "acme", F, "no templates", evidence=(Evidence("u", "git", label="acme/.github/x.md#L3"),))
    assert remedies([cited], {"p": "Add issue templates."}, ("acme",)) == ("Add issue templates (acme/.github/x.md).",)
