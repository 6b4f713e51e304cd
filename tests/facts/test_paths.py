"""What a path alone tells the project map: roles by name and folder, excluded trees, candidate documents."""

from __future__ import annotations

import pytest

from dd_evidence.facts import candidate_document_paths
from dd_evidence.facts.paths import MAX_CANDIDATE_BYTES, MAX_CANDIDATES, excluded, normalise, path_roles


def roles(path: str) -> dict[str, tuple[str, str]]:
    return {role: (signal.kind, signal.matched) for role, signal in path_roles(path).items()}


def test_names_are_normalised_before_matching() -> None:
    assert normalise("CODE_OF_CONDUCT") == "code-of-conduct"
    assert normalise("Contributor Ladder") == "contributor-ladder"
    assert normalise("release.process") == "release-process"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("GOVERNANCE.md", {"governance": ("name", "GOVERNANCE.md")}),
        ("docs/code-of-conduct.md", {"code_of_conduct": ("name", "code-of-conduct.md")}),
        ("process/charter.md", {"governance": ("name", "charter.md")}),
        ("CONTRIBUTION_LADDER.md", {"contributor_ladder": ("name", "CONTRIBUTION_LADDER.md")}),
        ("community-membership.md", {"contributor_ladder": ("name", "community-membership.md")}),
        ("security-team/security-release-process.md", {"security_response": ("name", "security-release-process.md")}),
        ("MAINTAINERS", {"maintainers": ("name", "MAINTAINERS")}),
        (".project/maintainers.yaml", {"maintainers": ("name", "maintainers.yaml")}),
        ("ADOPTERS.yaml", {"adopters": ("name", "ADOPTERS.yaml")}),
        # An index page is named after its folder (a Hugo or Docusaurus page).
        ("content/en/docs/community/governance/_index.md", {"governance": ("folder", "governance/")}),
        # A root OWNERS file is a roster and code ownership; one per source folder is ownership only.
        ("OWNERS", {"maintainers": ("name", "OWNERS"), "ownership": ("name", "OWNERS")}),
        ("pkg/scheduler/OWNERS", {"ownership": ("name", "OWNERS")}),
        # A page about OWNERS files is not an OWNERS file.
        ("contributors/guide/owners.md", {}),
        # Generic names count at the top or under a community folder, not deep in a user guide.
        ("docs/operations/best-practices/security.md", {}),
        ("content/en/docs/community/security.md", {"security_policy": ("name", "security.md")}),
        ("SECURITY.md", {"security_policy": ("name", "SECURITY.md")}),
        ("roadmap/roadmap-2024.md", {"roadmap": ("name", "roadmap-2024.md")}),
        ("RELEASE_RUNBOOK.md", {"release_procedure": ("name", "RELEASE_RUNBOOK.md")}),
        ("RELEASES.md", {"release_process": ("name", "RELEASES.md")}),
    ],
)
def test_roles_by_name_and_folder(path: str, expected: dict[str, tuple[str, str]]) -> None:
    assert roles(path) == expected


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("vendor/github.com/x/y/GOVERNANCE.md", "vendored"),
        ("web/node_modules/pkg/SECURITY.md", "vendored"),
        ("third_party/lib/CONTRIBUTING.md", "vendored"),
        ("pkg/parser/testdata/MAINTAINERS.md", "test data"),
        ("examples/plugin/CONTRIBUTING.md", "examples"),
        ("CHANGELOG.md", "release notes"),
        ("docs/release-notes/v1.2.md", "release notes"),
        ("releasenotes/v0.10.0.md", "release notes"),
        ("blog/2024-05-28-governance-update/index.md", "blog posts"),
        ("versioned_docs/version-1.0/community/governance.md", "old versions"),
        ("i18n/zh/docusaurus-plugin-content-docs/current/governance.md", "translations"),
        ("GOVERNANCE_CN.md", "translations"),
        ("repo-gov-templates/GOVERNANCE.md", "templates"),
    ],
)
def test_vendored_generated_test_and_release_trees_are_never_governance(path: str, why: str) -> None:
    assert excluded(path) == why
    assert path_roles(path) == {}


def test_candidates_are_named_documents_first_then_documents_near_the_top() -> None:
    paths = [
        ("src/main.go", 100),
        ("README.md", 100),
        ("GOVERNANCE.md", 100),
        ("docs/intro.md", 100),
        ("docs/guides/deep/install.md", 100),
        ("guides/contributor/growth.md", 100),
        ("vendor/x/README.md", 100),
        ("HUGE.md", MAX_CANDIDATE_BYTES + 1),
        ("CHANGELOG.md", 100),
        ("pkg/OWNERS", None),
    ]
    found = candidate_document_paths(paths)
    assert found[:2] == ["GOVERNANCE.md", "pkg/OWNERS"]
    assert set(found) == {"GOVERNANCE.md", "pkg/OWNERS", "README.md", "docs/intro.md", "guides/contributor/growth.md"}
    # Plain paths work too (sizes unknown), and the answer is the same for the same input.
    assert candidate_document_paths(p for p, _ in paths if p != "HUGE.md") == found


def test_candidates_are_capped_per_repository() -> None:
    many = [f"docs/page{i}.md" for i in range(MAX_CANDIDATES + 50)] + ["MAINTAINERS.md"]
    found = candidate_document_paths(many)
    assert len(found) == MAX_CANDIDATES
    assert found[0] == "MAINTAINERS.md"
