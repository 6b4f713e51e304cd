"""One roster model from every source: per-subproject tables, OWNERS.md sections, OWNERS with aliases, generated
OWNERS listings, maintainers.yaml, steering tables, and CODEOWNERS when nothing else lists the maintainers."""

from __future__ import annotations

from memrepo import context

from dd_evidence.facts.people import parse_roster, project_roster, rosters
from dd_evidence.model import Outcome
from dd_evidence.probes.maintainers import OrgDiversity

PER_SUBPROJECT = """# Maintainers

## Core

| Name | GitHub | Company |
|---|---|---|
| Ann Lee | @ann | Acme |
| Bo Chen | @bo | Beta |

## Widget plugin

| Name | GitHub | Company |
|---|---|---|
| Cy Diaz | @cy | Gamma |
| Ann Lee | @ann | Acme |

## Emeritus maintainers

- Dee Eve (@dee), Delta
"""

OWNERS_MD = """# Acme Owners

## Reviewers

- [@rev1](https://github.com/rev1)
- [@rev2](https://github.com/rev2)

## Approvers

- [@app1](https://github.com/app1)

## Maintainers

| Name | GitHub ID | Affiliation |
|---|---|---|
| [Ann Lee](mailto:ann@acme.example) | [ann](https://github.com/ann) | Acme |
| [Bo Chen](mailto:bo@beta.example) | [bo](https://github.com/bo) | Beta |

## Emeritus Members

- [@old](https://github.com/old)
"""


def roster_of(path: str, text: str, **files: str):  # type: ignore[no-untyped-def]
    ctx = context({"acme": {path: text, **files}})
    return parse_roster(ctx.repos[0], path, text)


def test_one_table_per_subproject_gives_each_person_a_scope() -> None:
    roster = roster_of("MAINTAINERS.md", PER_SUBPROJECT)
    assert [(p.handle, p.scope) for p in roster.people if not p.emeritus] == [
        ("ann", "Core"),
        ("bo", "Core"),
        ("cy", "Widget plugin"),
        ("ann", "Widget plugin"),
    ]
    # Every current maintainer once, whatever number of subprojects they serve.
    assert [p.handle for p in roster.active] == ["ann", "bo", "cy"]
    assert [p.handle for p in roster.emeritus] == ["dee"]
    assert roster.scopes == ["Core", "Widget plugin"]


def test_owners_md_sections_say_each_persons_role() -> None:
    roster = roster_of("OWNERS.md", OWNERS_MD)
    roles = {p.handle: (p.role, p.emeritus) for p in roster.people}
    assert roles == {
        "rev1": ("reviewer", False),
        "rev2": ("reviewer", False),
        "app1": ("approver", False),
        "ann": ("maintainer", False),
        "bo": ("maintainer", False),
        "old": ("member", True),
    }
    assert [p.email for p in roster.active] == ["ann@acme.example", "bo@beta.example"]
    assert roster.people[3].line == 16


def test_a_steering_table_with_companies_beside_a_plain_maintainer_list() -> None:
    text = (
        "# Project people\n\n## Steering Committee\n\n| Name | GitHub | Company |\n|---|---|---|\n"
        "| Ann Lee | @ann | Acme |\n| Bo Chen | @bo | Beta |\n\n## Maintainers\n\n- @ann\n- @cy\n"
    )
    roster = roster_of("MAINTAINERS.md", text)
    assert [(p.handle, p.role, p.affiliation) for p in roster.people] == [
        ("ann", "steering", "Acme"),
        ("bo", "steering", "Beta"),
        ("ann", "maintainer", None),
        ("cy", "maintainer", None),
    ]
    assert [p.handle for p in roster.active] == ["ann", "cy"]


def test_owners_aliases_are_expanded_and_generated_listings_give_names() -> None:
    owners = "approvers:\n- acme-maintainers\nreviewers:\n- acme-reviewers\nemeritus_approvers:\n- gone\n"
    aliases = "aliases:\n  acme-maintainers:\n  - ann\n  - bo\n  acme-reviewers:\n  - rev\n"
    roster = roster_of("OWNERS", owners, OWNERS_ALIASES=aliases)
    assert [(p.handle, p.role, p.emeritus) for p in roster.people] == [
        ("ann", "maintainer", False),
        ("bo", "maintainer", False),
        ("rev", "reviewer", False),
        ("gone", "maintainer", True),
    ]
    listing = "# generated\napprovers:\n- Ann Lee,Acme Corp,ann,ann@acme.example\n- Bo Chen,Beta,bo,bo@beta.example\n"
    generated = roster_of("maintainers/ALL-OWNERS", listing)
    assert [(p.name, p.affiliation, p.handle, p.email) for p in generated.active] == [
        ("Ann Lee", "Acme Corp", "ann", "ann@acme.example"),
        ("Bo Chen", "Beta", "bo", "bo@beta.example"),
    ]
    assert generated.columns_missing == ("areas",)


def test_maintainers_yaml_with_teams_as_scopes() -> None:
    text = "teams:\n  - name: core\n    maintainers:\n      - github: ann\n        company: Acme\n      - bo\n"
    roster = roster_of(".project/maintainers.yaml", text)
    assert [(p.handle, p.affiliation, p.areas) for p in roster.active] == [
        ("ann", "Acme", ("core",)),
        ("bo", None, ("core",)),
    ]


def test_the_most_complete_roster_of_the_project_is_the_roster() -> None:
    ctx = context(
        {
            "acme": {"OWNERS": "approvers:\n- ann\n- bo\n", "README.md": "# Acme\n"},
            "community": {
                "MAINTAINERS.md": "# Maintainers\n\n| Name | GitHub | Company |\n|---|---|---|\n"
                "| Ann Lee | @ann | Acme |\n| Bo Chen | @bo | Beta |\n"
            },
        },
        roles={"community": "community"},
    )
    roster = project_roster(ctx)
    assert roster is not None and roster.label == "community/MAINTAINERS.md"


def test_codeowners_stands_in_when_nothing_else_lists_the_maintainers() -> None:
    codeowners = (
        "# All maintainers\n* @ann @bo @cy @acme/admins\n\n# Affiliations\n# @ann @bo - Acme Corp\n# @cy - Gamma\n"
    )
    ctx = context({"acme": {"CODEOWNERS": codeowners, "main.go": "package main\n"}})
    (roster,) = rosters(ctx)
    assert roster.format == "codeowners"
    assert [(p.handle, p.affiliation) for p in roster.active] == [
        ("ann", "Acme Corp"),
        ("bo", "Acme Corp"),
        ("cy", "Gamma"),
    ]
    (finding,) = OrgDiversity().run(ctx)
    assert finding.outcome is Outcome.TRUE and finding.values["organisations"] == 2


def test_people_written_as_labelled_paragraphs_under_team_headings() -> None:
    text = (
        "# MAINTAINERS\n\n## @acme/org-maintainers\n\nName: Ann Lee  \nGitHub: @ann  \nOrganization: Acme\n\n"
        "Name: Bo Chen  \nGitHub: @bo  \nOrganization: Beta\n\n## @acme/host-maintainers\n\n"
        "Name: Ann Lee  \nGitHub: @ann  \nOrganization: Acme\n\n## Emeritus\n\nName: Old Timer  \nGitHub: @old\n"
    )
    roster = roster_of("MAINTAINERS.md", text)
    assert [(p.handle, p.affiliation, p.scope) for p in roster.active] == [
        ("ann", "Acme", "@acme/org-maintainers"),
        ("bo", "Beta", "@acme/org-maintainers"),
    ]
    assert [p.handle for p in roster.emeritus] == ["old"]
    assert roster.columns_present == ("name", "handle", "affiliation")


def test_a_duty_column_gives_each_maintainer_an_area() -> None:
    text = "# Maintainers\n\n| Name | GitHub | Email | Duty | Organization |\n|---|---|---|---|---|\n"
    text += "| Ann | @ann | ann@acme.example | Storage | Acme |\n"
    assert roster_of("MAINTAINERS.md", text).columns_missing == ()
