"""Deferrals between synthetic governance documents: resolved, dangling, circular, broken anchors, ignored links."""

from __future__ import annotations

from typing import Any

from memrepo import context

from dd_evidence.model import Finding, Outcome
from dd_evidence.probes.references import ReferencesResolve, covered, fold, head_and_qualifiers, terms

SHA = "a" * 40
CHARTER_BLOB = "https://github.com/acme/community/blob/main/GOVERNANCE.md"

CHARTER = """# Widget Charter

## Voting

Owners vote on releases. A change passes with a simple majority of the Owners who vote.

## Elections

Owners are elected every year by the contributors.

## Roles

For the roles and what each one may do, please see the [Widget ladder](CONTRIBUTOR_LADDER.md).
"""

LADDER_RESOLVED = """# Widget Ladder

## Reviewer

Reviewers look at pull requests.

Voting rules are described in the [Widget Charter](GOVERNANCE.md).
"""

LADDER_DANGLING = """# Widget Ladder

## Owner

- **Requirements**:
    - The specifics are detailed in the [charter](./GOVERNANCE.md) under the release signing policy.
"""

LADDER_CIRCULAR = """# Widget Ladder

## Scope

The roles of Reviewer and Owner are formally defined in the [Widget Charter](GOVERNANCE.md).

## Reviewer

Reviewers look at pull requests.
"""

# Neither document says what a role is: each one sends the reader to the other (one by a GitHub URL).
CHARTER_ONLY_DEFERS = """# Widget Charter

## Roles

For the roles of the project, see the [ladder](CONTRIBUTOR_LADDER.md).
"""

LADDER_ONLY_DEFERS = f"""# Widget Ladder

## Roles

The roles are defined in the [charter]({CHARTER_BLOB}).
"""


def _run(files: dict[str, str]) -> Finding:
    ctx = context({"acme": {"README.md": "# Acme\n"}, "community": files}, roles={"community": "community"})
    (finding,) = list(ReferencesResolve().run(ctx))
    return finding


def _refs(finding: Finding) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["file"], r["line"]): r for r in finding.values["references"]}


def test_terms_fold_plurals_and_drop_filler() -> None:
    assert fold("criteria") == "criterion"
    assert fold("responsibilities") == "responsibility"
    assert fold("processes") == "process"
    assert fold("access") == "access"
    assert terms("A detailed look at the different Roles") == ["role"]
    assert head_and_qualifiers("The roles of Member, Approver, or Maintainer") == (
        ["role"],
        ["member", "approver", "maintainer"],
    )
    # A head as general as "process" takes the words that say which process.
    assert head_and_qualifiers("the process for adding reviewers")[0] == ["process", "adding", "reviewer"]
    assert covered(["commit", "access", "criterion"], {"commit", "access"})
    assert not covered(["commit", "access", "criterion"], {"commit"})


def test_deferral_to_a_section_that_defines_the_topic_resolves() -> None:
    finding = _run({"GOVERNANCE.md": CHARTER, "CONTRIBUTOR_LADDER.md": LADDER_RESOLVED})
    assert finding.outcome is Outcome.TRUE
    ladder = _refs(finding)[("community/CONTRIBUTOR_LADDER.md", 7)]
    assert ladder["status"] == "resolved" and ladder["topic"] == "voting rule"
    assert ladder["target"] == "community/GOVERNANCE.md" and ladder["at_line"] == 3  # "## Voting"
    # The charter's own deferral to the ladder resolves too: the ladder has a section per role.
    charter = _refs(finding)[("community/GOVERNANCE.md", 13)]
    assert charter["status"] == "resolved" and charter["terms"] == ["role"]
    assert finding.values["counts"] == {"resolved": 2, "dangling": 0, "circular": 0}


def test_cited_criteria_the_target_never_mentions_are_dangling() -> None:
    finding = _run({"GOVERNANCE.md": CHARTER, "CONTRIBUTOR_LADDER.md": LADDER_DANGLING})
    assert finding.outcome is Outcome.FALSE
    ref = _refs(finding)[("community/CONTRIBUTOR_LADDER.md", 6)]
    assert ref["status"] == "dangling" and ref["terms"] == ["release", "signing", "policy"]
    assert ref["phrase"] == "detailed in" and ref["back_line"] is None
    # "releases" appear in the charter, "signing" does not: one of two specific terms is not the topic.
    assert ref["reason"] == "community/GOVERNANCE.md never mentions signing"
    assert "dangling" in finding.message
    assert finding.evidence[0].url == f"https://github.com/acme/community/blob/{SHA}/CONTRIBUTOR_LADDER.md#L6"


def test_target_that_defers_back_for_the_same_topic_is_circular() -> None:
    finding = _run({"GOVERNANCE.md": CHARTER, "CONTRIBUTOR_LADDER.md": LADDER_CIRCULAR})
    assert finding.outcome is Outcome.FALSE
    refs = _refs(finding)
    ladder = refs[("community/CONTRIBUTOR_LADDER.md", 5)]
    assert ladder["status"] == "circular" and ladder["back_line"] == 13
    assert ladder["terms"] == ["role"] and ladder["qualifiers"] == ["reviewer", "owner"]
    # The charter's deferral is fine: the ladder does have a Reviewer section.
    assert refs[("community/GOVERNANCE.md", 13)]["status"] == "resolved"
    urls = [e.url for e in finding.evidence]
    assert urls == [
        f"https://github.com/acme/community/blob/{SHA}/CONTRIBUTOR_LADDER.md#L5",
        f"https://github.com/acme/community/blob/{SHA}/GOVERNANCE.md#L13",
    ]


def test_documents_that_only_point_at_each_other_are_circular_both_ways() -> None:
    finding = _run({"GOVERNANCE.md": CHARTER_ONLY_DEFERS, "CONTRIBUTOR_LADDER.md": LADDER_ONLY_DEFERS})
    assert finding.outcome is Outcome.FALSE
    refs = _refs(finding)
    charter = refs[("community/GOVERNANCE.md", 5)]
    ladder = refs[("community/CONTRIBUTOR_LADDER.md", 5)]
    assert (charter["status"], charter["back_line"]) == ("circular", 5)
    assert (ladder["status"], ladder["back_line"]) == ("circular", 5)
    assert ladder["target"] == "community/GOVERNANCE.md"  # the same-org GitHub URL is followed
    assert finding.values["counts"]["circular"] == 2


def test_anchor_must_exist_and_limits_the_search_to_its_section() -> None:
    ladder = """# Widget Ladder

## Owner

Owner elections are described in the [charter](GOVERNANCE.md#election).

Owner voting is described in the [charter](GOVERNANCE.md#elections).

Owners are elected as described in the [charter](GOVERNANCE.md#elections).
"""
    finding = _run({"GOVERNANCE.md": CHARTER, "CONTRIBUTOR_LADDER.md": ladder})
    refs = _refs(finding)
    broken = refs[("community/CONTRIBUTOR_LADDER.md", 5)]
    assert broken["status"] == "dangling" and "no anchor #election" in broken["reason"]
    # The charter votes under "Voting", not under the anchored "Elections" section.
    outside = refs[("community/CONTRIBUTOR_LADDER.md", 7)]
    assert outside["status"] == "dangling" and outside["target"] == "community/GOVERNANCE.md#elections"
    assert refs[("community/CONTRIBUTOR_LADDER.md", 9)]["status"] == "resolved"


def test_one_target_that_defines_the_topic_is_enough() -> None:
    ladder = (
        "# Widget Ladder\n\nFor the voting rules, see the [old charter](GOVERNANCE.md#gone) and the "
        "[charter](GOVERNANCE.md#voting).\n"
    )
    finding = _run({"GOVERNANCE.md": CHARTER, "CONTRIBUTOR_LADDER.md": ladder})
    ref = _refs(finding)[("community/CONTRIBUTOR_LADDER.md", 3)]
    assert ref["status"] == "resolved" and ref["target"] == "community/GOVERNANCE.md#voting"
    assert ref["targets"] == ["community/GOVERNANCE.md#gone", "community/GOVERNANCE.md#voting"]


def test_links_to_other_files_and_vague_wording_are_ignored() -> None:
    ladder = """# Widget Ladder

Coding style is described in the [style guide](docs/style.md).

Release signing is documented in the [README](README.md).

More is detailed in the [charter](GOVERNANCE.md).

See the [charter](GOVERNANCE.md).

```
Release signing is defined in [charter](GOVERNANCE.md).
```
"""
    charter = CHARTER.split("## Roles")[0]
    finding = _run({"GOVERNANCE.md": charter, "CONTRIBUTOR_LADDER.md": ladder, "docs/style.md": "# Style\n"})
    assert finding.outcome is Outcome.NOT_APPLICABLE and finding.values["references"] == []
    assert finding.values["checked"] == ["community/GOVERNANCE.md", "community/CONTRIBUTOR_LADDER.md"]


def test_no_deferrals_is_not_applicable() -> None:
    finding = _run({"GOVERNANCE.md": "# Widget Charter\n\n## Voting\n\nOwners vote on releases.\n"})
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert finding.values["references"] == [] and finding.values["checked"] == ["community/GOVERNANCE.md"]
    nothing = _run({"NOTES.md": "# Notes\n"})
    assert nothing.outcome is Outcome.NOT_APPLICABLE and "no governance documents" in nothing.message
