from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.badges import BestPracticesBadgeLinked
from dd_evidence.probes.documents import (
    AdoptersPresent,
    GovernancePresent,
    IssueTemplatesPresent,
    MaintainersPresent,
    ReleaseProcessPresent,
    SecurityPolicyInEveryRepo,
)
from dd_evidence.probes.ownership import CodeownersPresent, owners_named

STUB = "# Governance\n\nPlease refer to the [community governance](https://github.com/acme/community/blob/main/GOVERNANCE.md).\n"
REAL = "# Governance\n\n" + "\n".join(f"Rule {i}." for i in range(10)) + "\n"


def test_governance_found_in_community_repo_with_main_stub() -> None:
    ctx = context(
        {"acme": {"GOVERNANCE.md": STUB}, "community": {"GOVERNANCE.md": REAL}},
        roles={"community": "community"},
    )
    (finding,) = GovernancePresent().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["found"] == ["community/GOVERNANCE.md"]
    assert finding.values["stubs"] == {
        "acme/GOVERNANCE.md": "https://github.com/acme/community/blob/main/GOVERNANCE.md"
    }
    assert finding.evidence[0].url == f"https://github.com/acme/community/blob/{'a' * 40}/GOVERNANCE.md#L1-L12"


def test_only_a_stub_is_not_enough_and_says_where_it_points() -> None:
    (finding,) = GovernancePresent().run(context({"acme": {"GOVERNANCE.md": STUB}}))
    assert finding.outcome is Outcome.FALSE
    assert "acme/community/blob/main/GOVERNANCE.md" in finding.message


def test_governance_absent() -> None:
    (finding,) = GovernancePresent().run(context({"acme": {"README.md": "# Acme"}}))
    assert finding.outcome is Outcome.FALSE
    assert "1 scanned repositories" in finding.message


def test_governance_in_docs_folder_case_insensitive() -> None:
    (finding,) = GovernancePresent().run(context({"acme": {"docs/governance.md": REAL}}))
    assert finding.outcome is Outcome.TRUE


def test_issue_templates_from_main_or_org_profile() -> None:
    ctx = context(
        {"acme": {"README.md": "x"}, ".github": {".github/ISSUE_TEMPLATE/bug.yml": "name: bug"}},
        roles={".github": "org-profile"},
    )
    (finding,) = IssueTemplatesPresent().run(ctx)
    assert finding.outcome is Outcome.TRUE
    (finding,) = IssueTemplatesPresent().run(context({"acme": {"README.md": "x"}}))
    assert finding.outcome is Outcome.FALSE


def test_security_policy_per_repo() -> None:
    ctx = context(
        {
            "acme": {"SECURITY.md": "mail us"},
            "client": {
                "README.md": "# Client\n\nSee our [security policy](https://github.com/acme/acme/security/policy).\n"
            },
            "charts": {"README.md": "# Charts\n"},
        },
        unreadable={"acme/broken": "clone failed"},
    )
    by_subject = {f.subject: f for f in SecurityPolicyInEveryRepo().run(ctx)}
    assert by_subject["acme/acme"].outcome is Outcome.TRUE
    assert by_subject["acme/client"].outcome is Outcome.TRUE
    assert by_subject["acme/client"].evidence[0].url.endswith("README.md#L3")
    assert by_subject["acme/charts"].outcome is Outcome.FALSE
    assert by_subject["acme/broken"].outcome is Outcome.NOT_AVAILABLE


def test_org_default_security_policy_covers_every_repo() -> None:
    ctx = context({"acme": {}, "charts": {}, ".github": {"SECURITY.md": "mail"}}, roles={".github": "org-profile"})
    assert all(f.outcome is Outcome.TRUE for f in SecurityPolicyInEveryRepo().run(ctx))


def test_org_default_applies_only_where_a_repo_has_none_and_says_which_file_answered() -> None:
    ctx = context(
        {
            "acme": {"docs/SECURITY.md": "# Security\n\nMail security@acme.example.\n"},
            "charts": {"README.md": "# Charts\n"},
            # GitHub reads the defaults from the root, .github/ or docs/ of the org's .github repository.
            ".github": {".github/SECURITY.md": "# Security\n\nMail security@acme.example.\n"},
        },
        roles={".github": "org-profile"},
    )
    by_subject = {f.subject: f for f in SecurityPolicyInEveryRepo().run(ctx)}
    own, inherited = by_subject["acme/acme"], by_subject["acme/charts"]
    assert own.values == {"path": "docs/SECURITY.md", "answered_by": "acme/acme", "inherited": False}
    assert inherited.values == {"path": ".github/SECURITY.md", "answered_by": "acme/.github", "inherited": True}
    assert inherited.message == "charts inherits the org default .github/.github/SECURITY.md"
    assert inherited.evidence[0].url.startswith("https://github.com/acme/.github/blob/")


def test_a_contributing_guide_linking_the_policy_document_counts() -> None:
    ctx = context(
        {
            "acme": {"README.md": "# Acme\n"},
            "community": {"process/report-a-vulnerability.md": "# Reporting\n\nMail security@acme.example.\n"},
            "client": {
                "CONTRIBUTING.md": "# Contributing\n\nFound a hole? Read [how to report it]"
                "(https://github.com/acme/community/blob/main/process/report-a-vulnerability.md).\n",
            },
        },
        roles={"community": "community"},
    )
    by_subject = {f.subject: f for f in SecurityPolicyInEveryRepo().run(ctx)}
    assert by_subject["acme/client"].outcome is Outcome.TRUE
    assert by_subject["acme/client"].evidence[0].url.endswith("CONTRIBUTING.md#L3")
    assert by_subject["acme/acme"].outcome is Outcome.FALSE


def test_codeowners_per_repo() -> None:
    ctx = context(
        {
            "acme": {".github/CODEOWNERS": "# owners\n* @acme/maintainers\n/docs/ @ada docs@acme.example\n"},
            "community": {"README.md": "x"},
            "tool": {"README.md": "x", "main.go": "package main\n"},
            "k8s-style": {"OWNERS": "approvers:\n- ada\n"},
        }
    )
    by_subject = {f.subject: f for f in CodeownersPresent().run(ctx)}
    assert by_subject["acme/acme"].values["teams"] == ["@acme/maintainers"]
    assert by_subject["acme/acme"].values["owners"] == ["@acme/maintainers", "@ada", "docs@acme.example"]
    assert by_subject["acme/tool"].outcome is Outcome.FALSE
    # A repository of documents only has no code to own: no CODEOWNERS needed (issue 12).
    assert by_subject["acme/community"].outcome is Outcome.NOT_APPLICABLE
    assert by_subject["acme/k8s-style"].outcome is Outcome.TRUE


def test_owners_named_ignores_comments_and_patterns() -> None:
    assert owners_named("# @nobody\n*.go @a @org/team # trailing @x\n\n") == {"@a", "@org/team"}


def test_bestpractices_badge_found_on_either_host() -> None:
    readme = (
        "# Acme\n\n[![OpenSSF Best Practices](https://www.bestpractices.dev/projects/10432/badge)]"
        "(https://www.bestpractices.dev/projects/10432)\n"
    )
    (finding,) = BestPracticesBadgeLinked().run(context({"acme": {"README.md": readme}}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["project_id"] == 10432
    assert finding.evidence[0].url.endswith("README.md#L3")
    old = "[badge](https://bestpractices.coreinfrastructure.org/projects/77)\n"
    (finding,) = BestPracticesBadgeLinked().run(context({"acme": {"README.md": "x"}, "site": {"README.md": old}}))
    assert finding.values["project_id"] == 77
    (finding,) = BestPracticesBadgeLinked().run(context({"acme": {"README.md": "no badge"}}))
    assert finding.outcome is Outcome.FALSE


def test_a_release_section_of_the_contributing_guide_documents_the_release_process() -> None:
    contributing = "# Contributing\n\n## Tests\n\nRun them.\n\n## Release process\n\nBump the version, tag, publish.\n"
    (finding,) = ReleaseProcessPresent().run(context({"acme": {"CONTRIBUTING.md": contributing}}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["sections"] == ["acme/CONTRIBUTING.md#L7: Release process"]
    (finding,) = ReleaseProcessPresent().run(context({"acme": {"CONTRIBUTING.md": "# Contributing\n\nHi.\n"}}))
    assert finding.outcome is Outcome.FALSE


def test_a_document_that_could_not_be_read_is_no_answer_alone() -> None:
    ctx = context({"acme": {"MAINTAINERS": "\x00\x01\x02 not text", "README.md": "# Acme\n"}})
    (finding,) = MaintainersPresent().run(ctx)
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert finding.message == (
        "maintainer list found but not read: acme/MAINTAINERS (a binary file); a person must check it"
    )
    assert finding.values["found"] == ["acme/MAINTAINERS"]
    assert finding.evidence[0].url.startswith(f"https://github.com/acme/acme/blob/{'a' * 40}/MAINTAINERS")


def test_a_readable_document_answers_and_the_unreadable_one_is_named() -> None:
    ctx = context({"acme": {"GOVERNANCE.md": "# Governance\n\x00binary"}, "community": {"GOVERNANCE.md": REAL}})
    (finding,) = GovernancePresent().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.message.endswith("; not read: acme/GOVERNANCE.md (a binary file)")


def test_the_strongest_signal_is_named_first_whatever_the_repository() -> None:
    """A SIG charter in the community repository holds the governance role too; the project's GOVERNANCE.md,
    named so, leads the finding and its evidence."""
    ctx = context(
        {"community": {"sig-docs/charter.md": "# SIG Docs charter\n\nScope.\n"}, "acme": {"GOVERNANCE.md": REAL}},
        roles={"community": "community"},
    )
    (finding,) = GovernancePresent().run(ctx)
    assert finding.message == "governance document found in acme/GOVERNANCE.md, community/sig-docs/charter.md"
    assert finding.evidence[0].url.startswith(f"https://github.com/acme/acme/blob/{'a' * 40}/GOVERNANCE.md")


def test_an_adopters_section_must_list_someone() -> None:
    """A "### Users" heading defining a role in a governance's "Project Roles" is no adopters list; a README's
    "## Users" listing organisations is."""
    governance = "# Governance\n\n## Project Roles\n\n### Users\n\nPeople who use Acme and ask questions.\n"
    ctx = context({"acme": {"GOVERNANCE.md": governance, "README.md": "# Acme\n\nA tool.\n"}})
    (finding,) = AdoptersPresent().run(ctx)
    assert finding.outcome is Outcome.FALSE
    readme = "# Acme\n\nA tool.\n\n## Users\n\n- Example Corp, in production\n- Sample Ltd\n"
    ctx = context({"acme": {"GOVERNANCE.md": governance, "README.md": readme}})
    (finding,) = AdoptersPresent().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["sections"] == ["acme/README.md#L5: Users"]
