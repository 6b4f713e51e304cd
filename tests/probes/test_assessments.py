"""Self/joint assessments, audits and SECURITY-INSIGHTS.yml over in-memory repos and a synthetic CNCF index."""

from __future__ import annotations

from dataclasses import replace

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.assessments import (
    InsightsFileValid,
    JointAssessmentExists,
    SelfAssessmentExists,
    ThirdPartyAuditExists,
)
from dd_evidence.sources.assessments import parse_assessments_list

INDEX = parse_assessments_list(
    """[assessments]
acme | Acme Engine (incubating) | self | toc: projects/acme/security-assessment/self-assessment.md | tag-security: -
[audits]
Acme Engine (incubating) | 2024-05-06 | security | Example Labs | https://example.org/acme-audit.pdf
"""
)


def _ctx(repos: dict[str, dict[str, str]], display: str = "Acme Engine"):
    ctx = context(repos)
    ctx.project = replace(ctx.project, display_name=display)
    if display != "Acme Engine":
        ctx.project = replace(ctx.project, name=display.lower(), main_repo=None)
    return ctx


def test_self_assessment_in_a_tree_wins() -> None:
    ctx = _ctx({"acme": {"docs/security/Self-Assessment.md": "# SA"}, "other": {}})
    (finding,) = SelfAssessmentExists(INDEX).run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["source"] == "repositories"
    assert finding.evidence[0].url.endswith("/docs/security/Self-Assessment.md")


def test_self_assessment_from_the_cncf_index_by_display_name() -> None:
    ctx = _ctx({"acme-core": {"README.md": "# x"}})
    ctx.project = replace(ctx.project, name="acme-engine")
    (finding,) = SelfAssessmentExists(INDEX).run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.evidence[0].url == (
        "https://github.com/cncf/toc/blob/main/projects/acme/security-assessment/self-assessment.md"
    )


def test_joint_assessment_absent_says_what_is_listed() -> None:
    (finding,) = JointAssessmentExists(INDEX).run(_ctx({"acme": {}}))
    assert finding.outcome is Outcome.FALSE
    assert "listed with self" in finding.message


def test_unknown_project_is_false_not_error() -> None:
    (finding,) = SelfAssessmentExists(INDEX).run(_ctx({"zeta": {}}, display="Zeta"))
    assert finding.outcome is Outcome.FALSE


README = """# Acme

## Security audit

An independent review was done by Trail of Bits; read the
[full report](docs/security/acme-report-2023.pdf).

See the [changelog](CHANGELOG.md) and the [audit log docs](https://github.com/acme/acme/issues/1).
"""


def test_audit_file_and_readme_link_and_landscape_record() -> None:
    ctx = _ctx(
        {
            "acme": {
                "README.md": README,
                "docs/security/acme-report-2023.pdf": "",
                "server/audit.go": "package server",
                "vendor/x/SECURITY_AUDIT.pdf": "",
            }
        }
    )
    (finding,) = ThirdPartyAuditExists(INDEX).run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["files"] == ["acme/docs/security/acme-report-2023.pdf"]
    (link,) = finding.values["readme_links"]
    assert (link["line"], link["url"]) == (6, "docs/security/acme-report-2023.pdf")
    assert finding.values["landscape_audits"][0]["vendor"] == "Example Labs"
    assert any(e.url == "https://example.org/acme-audit.pdf" for e in finding.evidence)


def test_no_audit_anywhere_is_false() -> None:
    ctx = _ctx({"zeta": {"README.md": "# Zeta\n", "audit/audit.go": ""}}, display="Zeta")
    (finding,) = ThirdPartyAuditExists(INDEX).run(ctx)
    assert finding.outcome is Outcome.FALSE


def test_invalid_insights_reports_parser_error_and_line() -> None:
    text = "Insights for Acme\n# comment\n\nheader:\n  schema-version: 2.0.0\n"
    (finding,) = InsightsFileValid().run(_ctx({"acme": {"SECURITY-INSIGHTS.yml": text}}))
    assert finding.outcome is Outcome.FALSE
    assert finding.values["valid_yaml"] is False
    assert "document start" in finding.values["error"]
    assert finding.values["line"] == 4
    assert finding.evidence[0].url.endswith("SECURITY-INSIGHTS.yml#L1-L4")


def test_valid_insights_reports_schema_version() -> None:
    text = "header:\n  schema-version: 1.0.0\nproject:\n  name: Acme\n"
    (finding,) = InsightsFileValid().run(_ctx({"acme": {"SECURITY-INSIGHTS.yml": text}}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["schema_version"] == "1.0.0"
    assert finding.evidence[0].url.endswith("#L2")


def test_insights_without_schema_version_is_false() -> None:
    (finding,) = InsightsFileValid().run(_ctx({"acme": {"security-insights.yaml": "project: {name: Acme}\n"}}))
    assert finding.outcome is Outcome.FALSE


def test_no_insights_file_is_not_applicable() -> None:
    (finding,) = InsightsFileValid().run(_ctx({"acme": {}}))
    assert finding.outcome is Outcome.NOT_APPLICABLE
