from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.subprojects import SubprojectGovernanceDocumented, SubprojectsListed

ROSTER = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n| @ana | Ana | Foo |\n"
INLINE_GOV = """# Governance

Rules for everyone.

The work is split into a few sub-projects, including sprocket, cog and lever.
"""
LIST_FILE = """# Repositories

## Stable

| Repo | About |
| --- | --- |
| [acme](https://github.com/acme/acme) | the core |
| [sprocket](https://github.com/acme/sprocket) | a sub-project for sprockets |

## Adding or archiving

New sub-projects are proposed in an issue; inactive repositories are archived after a maintainer vote.
"""


def _repos(community: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "acme": {"README.md": "# Acme\n"},
        "community": {"CONTRIBUTING.md": "# Contributing\n\nSend a PR.\n", **community},
        "sprocket": {"README.md": "# Sprocket\n", "MAINTAINERS.md": ROSTER},
    }


def test_inline_sentence_is_a_partial_list() -> None:
    ctx = context(_repos({"GOVERNANCE.md": INLINE_GOV}), roles={"community": "community"})
    (f,) = SubprojectsListed().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["kind"] == "inline"
    assert f.values["named"] == ["sprocket", "cog", "lever"]
    assert "partial inline list" in f.message
    assert f.evidence[0].url.endswith("GOVERNANCE.md#L5")
    assert "sprocket" in f.values["likely_subprojects"]


def test_list_file_names_the_repos() -> None:
    ctx = context(_repos({"REPOSITORIES.md": LIST_FILE}), roles={"community": "community"})
    (f,) = SubprojectsListed().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.values["kind"] == "file"
    assert f.values["named"] == ["acme", "sprocket"]
    assert f.values["scanned_not_named"] == ["community"]


def test_list_missing_a_repo_with_its_own_roster() -> None:
    listing = (
        "# Gov\n\n## Subprojects\n\n- [acme](https://github.com/acme/acme)\n- [other](https://github.com/acme/other)\n"
    )
    ctx = context(_repos({"GOVERNANCE.md": listing}), roles={"community": "community"})
    (f,) = SubprojectsListed().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["likely_not_named"] == ["sprocket"]


def test_no_subprojects_in_a_single_repo() -> None:
    (f,) = SubprojectsListed().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.NOT_APPLICABLE
    (g,) = SubprojectGovernanceDocumented().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert g.outcome is Outcome.NOT_APPLICABLE


def test_subproject_governance_documented() -> None:
    ctx = context(_repos({"REPOSITORIES.md": LIST_FILE}), roles={"community": "community"})
    (f,) = SubprojectGovernanceDocumented().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.subject == "acme/sprocket"
    assert f.values["leadership"] == "own roster sprocket/MAINTAINERS.md"
    assert f.values["status"] == "community/REPOSITORIES.md#L3: Stable"
    assert f.values["add_remove_process"].startswith("community/REPOSITORIES.md#L10")


def test_subproject_governance_missing_status_and_process() -> None:
    ctx = context(_repos({"GOVERNANCE.md": INLINE_GOV}), roles={"community": "community"})
    (f,) = SubprojectGovernanceDocumented().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["missing"] == ["status", "add_remove_process"]
    assert f.values["contribution"] == "project-wide community/CONTRIBUTING.md"
