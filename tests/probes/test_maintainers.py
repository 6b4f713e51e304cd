"""Roster parsing, affiliation normalisation, cap extraction and the maintainer probes, on synthetic rosters."""

from __future__ import annotations

import pytest
from memrepo import MemoryRepoView, context

from dd_evidence.affiliations import count_by_organisation, elephant_factor, normalise, same_organisation
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts.governance import find_cap_in_text
from dd_evidence.facts.people import map_header, parse_roster, project_roster, subproject_rosters
from dd_evidence.model import Outcome
from dd_evidence.probes.maintainers import (
    FoundationCsvAgrees,
    OrgDiversity,
    RosterComplete,
    WithinRepresentationCap,
)
from dd_evidence.sources.cncf import maintainers_for, parse_maintainers_csv

REPO = MemoryRepoView("acme", "community", {}, role="community")

TABLE = """# Maintainers

| Login | Full name | Contact | Employer |
|---|---|---|---|
| [@ada](https://github.com/ada) | Ada Example | ada@example.org | Widgets Inc. |
| [bo](https://github.com/bo) | Bo Sample | bo@example.org | widgets inc |
| @cy | Cy Test | cy@example.org | Gadgets GmbH |

## Emeritus maintainers

| Login | Full name | Contact | Employer |
|---|---|---|---|
| [old](https://github.com/old) | Old Timer | old@example.org | Gone Corp |
"""


def test_markdown_table_with_unusual_headers_and_emeritus_section() -> None:
    roster = parse_roster(REPO, "MAINTAINERS.md", TABLE)
    assert [p.handle for p in roster.active] == ["ada", "bo", "cy"]
    assert [p.handle for p in roster.emeritus] == ["old"]
    assert roster.active[0].name == "Ada Example"
    assert roster.active[0].email == "ada@example.org"
    assert roster.active[2].affiliation == "Gadgets GmbH"
    assert roster.active[0].line == 5
    assert roster.columns_missing == ("areas",)
    assert roster.header_line == 3
    assert roster.header_text == "| Login | Full name | Contact | Employer |"


def test_header_mapping_is_fuzzy() -> None:
    mapping = map_header(["GitHub Name", "Maintainer", "E-mail", "Organisation", "Focus areas"])
    assert mapping == {0: "handle", 1: "name", 2: "email", 3: "affiliation", 4: "areas"}
    assert map_header(["Person", "Responsibilities", "Affiliation"]) == {0: "name", 1: "areas", 2: "affiliation"}


def test_areas_column_split_into_items() -> None:
    text = "| Name | GitHub | Company | Component |\n|-|-|-|-|\n| Ada | @ada | Acme | scheduler, docs |\n"
    (person,) = parse_roster(REPO, "MAINTAINERS.md", text).active
    assert person.areas == ("scheduler", "docs")


@pytest.mark.parametrize(
    ("line", "name", "handle", "affiliation"),
    [
        ("- Ada Example (@ada), Widgets Inc.", "Ada Example", "ada", "Widgets Inc."),
        ("* [Ada Example](https://github.com/ada) - Widgets", "Ada Example", "ada", "Widgets"),
        ("- Ada Example <ada@example.org> (@ada) - Widgets", "Ada Example", "ada", "Widgets"),
        ("- @ada - Ada Example, Widgets", "Ada Example", "ada", "Widgets"),
    ],
)
def test_bullet_list_shapes(line: str, name: str, handle: str, affiliation: str) -> None:
    roster = parse_roster(REPO, "MAINTAINERS.md", f"# Maintainers\n\n{line}\n")
    (person,) = roster.active
    assert (person.name, person.handle, person.affiliation) == (name, handle, affiliation)


def test_bullets_without_handle_or_mail_are_prose() -> None:
    text = "# Maintainers\n\n- See the [ladder](LADDER.md) for how to become one.\n- Be nice.\n"
    assert parse_roster(REPO, "MAINTAINERS.md", text).people == ()


def test_bullet_emeritus_under_former_heading() -> None:
    text = "# Maintainers\n\n- Ada (@ada), Acme\n\n## Former maintainers\n\n- Bo (@bo), Beta\n"
    roster = parse_roster(REPO, "MAINTAINERS.md", text)
    assert [p.handle for p in roster.active] == ["ada"]
    assert [p.handle for p in roster.emeritus] == ["bo"]


def test_owners_yaml() -> None:
    text = "approvers:\n  - ada\n  - bo\nreviewers:\n  - cy\nemeritus_approvers:\n  - old\n"
    roster = parse_roster(REPO, "OWNERS", text)
    assert [p.handle for p in roster.active] == ["ada", "bo"]
    assert [p.handle for p in roster.emeritus] == ["old"]
    assert [p.role for p in roster.people if p.handle == "cy"] == ["reviewer"]
    assert roster.people[1].line == 3


def test_project_maintainers_yaml() -> None:
    text = (
        "teams:\n  - name: core\n    members:\n"
        "      - {name: Ada, github: ada, email: ada@example.org, company: Acme}\n"
        "      - bo\n"
        "emeritus:\n  - old\n"
    )
    roster = parse_roster(REPO, ".project/maintainers.yaml", text)
    assert [(p.handle, p.areas) for p in roster.active] == [("ada", ("core",)), ("bo", ("core",))]
    assert [p.handle for p in roster.emeritus] == ["old"]


def test_plain_text_maintainers_file() -> None:
    text = "Ada Example <ada@example.org> @ada\nBo Sample <bo@example.org>\n"
    roster = parse_roster(REPO, "MAINTAINERS", text)
    assert [(p.name, p.email) for p in roster.active] == [
        ("Ada Example", "ada@example.org"),
        ("Bo Sample", "bo@example.org"),
    ]


def test_shared_areas_sentence_is_detected() -> None:
    text = TABLE.replace(
        "# Maintainers\n", "# Maintainers\n\nAll maintainers share responsibility for all areas of the project.\n"
    )
    roster = parse_roster(REPO, "MAINTAINERS.md", text)
    assert roster.states_shared_areas and roster.shared_areas_line == 3


# -- affiliations -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "kind"),
    [
        ("Alibaba Cloud", "Alibaba Group", "company"),
        ("aliyun", "Alibaba Group", "company"),
        ("Ant Group", "Ant Group", "company"),
        ("Google LLC", "Google", "company"),
        ("RedHat", "Red Hat", "company"),
        ("Widgets, Inc.", "Widgets", "company"),
        ("  Widgets   Ltd ", "Widgets", "company"),
        ("Apache", "Apache Software Foundation", "foundation"),
        ("Apache Foundation", "Apache Software Foundation", "foundation"),
        ("Example Foundation", "Example Foundation", "foundation"),
        ("Dalmatian University of Technology", "Dalmatian University of Technology", "academic"),
        ("Springfield Institute of Technology", "Springfield Institute of Technology", "academic"),
        ("independent", "Independent", "independent"),
        ("Self", "Independent", "independent"),
        ("", "", "unknown"),
    ],
)
def test_normalise(raw: str, name: str, kind: str) -> None:
    aff = normalise(raw)
    assert (aff.name, aff.kind) == (name, kind)


def test_same_organisation_and_counts() -> None:
    assert same_organisation("Aliyun", "Alibaba Group")
    assert not same_organisation("Ant Group", "Alibaba Group")
    orgs, others = count_by_organisation(["Acme Inc.", "ACME", "Beta", "independent", None, "Gamma University"])
    assert orgs == {"Acme": 2, "Beta": 1, "Gamma University": 1}
    assert others == {"independent": 1, "unknown": 1}


def test_elephant_factor() -> None:
    orgs, _ = count_by_organisation(["A", "A", "A", "B", "C"])
    assert elephant_factor(orgs) == 1
    orgs, _ = count_by_organisation(["A", "A", "B", "B", "C", "D"])
    assert elephant_factor(orgs) == 2
    orgs, _ = count_by_organisation(["A"])
    assert elephant_factor(orgs, total=4) == 0  # three independents: no set of organisations holds a majority


# -- cap extraction -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cap"),
    [
        ("### Limits\n\nThere may be no more than three active maintainers from the same company.", 3),
        ("At most **2** Steering Committee members may be employed by the same employer.", 2),
        ("No more than 5 seats on the council\ncan be held by people working for a single organization.", 5),
        ("We welcome maintainers from any company.", None),
        ("No more than four reviews are needed from the same company.", None),
    ],
)
def test_find_cap_in_text(text: str, cap: int | None) -> None:
    found = find_cap_in_text(text)
    assert (found[0] if found else None) == cap


# -- probes ---------------------------------------------------------------------------------------------------

CAP_DOC = (
    "# Membership\n\n## Maximum Representation\n\nNo more than two active maintainers may be from the same company.\n"
)


def _ctx(roster: str = TABLE, **extra: dict[str, str]):  # type: ignore[no-untyped-def]
    repos = {"acme": {"MAINTAINERS.md": "See the [list](https://github.com/acme/community/blob/main/MAINTAINERS.md)."}}
    repos["community"] = {"MAINTAINERS.md": roster, "MEMBERSHIP.md": CAP_DOC}
    repos.update(extra)
    return context(repos, roles={"community": "community"})


def test_roster_complete_without_areas_is_a_list_with_a_missing_field() -> None:
    listed, finding = RosterComplete().run(_ctx())
    assert listed.outcome is Outcome.TRUE and listed.subject.endswith(": roster")
    assert finding.outcome is Outcome.FALSE and finding.subject.endswith(": roster fields")
    assert "area" in (finding.remedy or "")
    assert finding.values["count"] == 3
    assert finding.values["columns_missing"] == ["areas"]
    assert finding.values["file"] == "community/MAINTAINERS.md"
    assert finding.evidence[0].url.endswith("/MAINTAINERS.md#L3")


def test_roster_complete_true_with_shared_areas_sentence() -> None:
    text = TABLE + "\nAll maintainers are responsible for every component.\n"
    (finding,) = RosterComplete().run(_ctx(text))
    assert finding.outcome is Outcome.TRUE


def test_roster_missing_is_false() -> None:
    (finding,) = RosterComplete().run(context({"acme": {"README.md": "# Acme"}}))
    assert finding.outcome is Outcome.FALSE


def test_subproject_roster_is_kept_apart() -> None:
    sub = "| GitHub | Name | Company |\n|-|-|-|\n| @zed | Zed | Widgets |\n| @yan | Yan | Other |\n"
    ctx = _ctx(engine={"MAINTAINERS.md": sub})
    assert project_roster(ctx).label == "community/MAINTAINERS.md"  # type: ignore[union-attr]
    assert [r.label for r in subproject_rosters(ctx)] == ["engine/MAINTAINERS.md"]
    (finding,) = OrgDiversity().run(ctx)
    assert finding.values["subprojects"]["engine/MAINTAINERS.md"]["maintainers"] == 2


def test_org_diversity_figures() -> None:
    (finding,) = OrgDiversity().run(_ctx())
    assert finding.outcome is Outcome.TRUE
    values = finding.values
    assert values["maintainers"] == 3 and values["organisations"] == 2
    assert values["by_org"] == {"Widgets": 2, "Gadgets": 1}
    assert (values["largest_org"], values["largest_count"], values["largest_share"]) == ("Widgets", 2, 0.667)
    assert values["elephant_factor"] == 1


def test_org_diversity_cites_rows_that_are_not_companies() -> None:
    text = TABLE.replace("Gadgets GmbH", "Example University")
    (finding,) = OrgDiversity().run(_ctx(text))
    assert finding.values["non_company_rows"] == [
        {"maintainer": "cy", "affiliation": "Example University", "kind": "academic", "line": 7}
    ]
    assert finding.evidence[-1].url.endswith("/MAINTAINERS.md#L7")
    assert finding.evidence[-1].excerpt == "cy: Example University"


def test_single_org_is_false() -> None:
    text = "| GitHub | Name | Company |\n|-|-|-|\n| @a | A | Acme Inc |\n| @b | B | ACME |\n"
    (finding,) = OrgDiversity().run(_ctx(text))
    assert finding.outcome is Outcome.FALSE


def test_cap_probe_at_and_over_cap() -> None:
    (finding,) = WithinRepresentationCap().run(_ctx())
    assert finding.outcome is Outcome.TRUE
    assert finding.values["cap"] == 2 and finding.values["at_cap"] == ["Widgets"]
    assert finding.values["source"]["line"] == 5
    over = TABLE.replace("Gadgets GmbH", "Widgets")
    (finding,) = WithinRepresentationCap().run(_ctx(over))
    assert finding.outcome is Outcome.FALSE
    assert finding.values["over_cap"] == {"Widgets": 3}


def test_cap_not_documented_is_not_applicable() -> None:
    ctx = context({"community": {"MAINTAINERS.md": TABLE}}, roles={"community": "community"})
    (finding,) = WithinRepresentationCap().run(ctx)
    assert finding.outcome is Outcome.NOT_APPLICABLE


CSV = """,Project,Maintainer Name,Company,Github Name,OWNERS/MAINTAINERS
Graduated,Other,Someone,Else,someone,https://example.org
Incubating,Acme,Ada Example,Widgets LLC,ada,https://github.com/acme/community/blob/main/MAINTAINERS.md
,,Bo Sample,Beta,bo,
,,Dee New,Widgets,dee,
Sandbox,Zeta,Zed,Zeta Inc,zed,https://example.org
"""


def test_cncf_csv_rows_follow_the_project_row() -> None:
    rows = maintainers_for(CSV, "acme")
    assert [(r.handle, r.line) for r in rows] == [("ada", 3), ("bo", 4), ("dee", 5)]
    assert {r.project for r in parse_maintainers_csv(CSV)} == {"Other", "Acme", "Zeta"}


def test_foundation_csv_comparison() -> None:
    ctx = _ctx()
    ctx.memo("cncf.maintainers_csv", lambda: CSV)
    (finding,) = FoundationCsvAgrees().run(ctx)
    assert finding.outcome is Outcome.FALSE
    assert [p["handle"] for p in finding.values["in_roster_only"]] == ["cy"]
    assert [p["handle"] for p in finding.values["in_csv_only"]] == ["dee"]
    assert finding.values["company_differs"] == [
        {"handle": "bo", "roster": "widgets inc", "csv": "Beta", "csv_line": 4}
    ]
    assert finding.evidence[-1].url.endswith("project-maintainers.csv#L3-L5")


def test_foundation_csv_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DD_EVIDENCE_CNCF_DATA", raising=False)
    with pytest.raises(SourceUnavailable):
        list(FoundationCsvAgrees().run(_ctx()))


def test_foundation_csv_without_a_block_under_any_name_is_not_available() -> None:
    """No block under the project's names is no proof the project is missing (the CSV names projects its own
    way): not_available with the names tried, never false."""
    ctx = _ctx()
    ctx.memo("cncf.maintainers_csv", lambda: CSV.replace("Acme", "Something Else"))
    (finding,) = FoundationCsvAgrees().run(ctx)
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "no block under" in finding.message and finding.values["names_tried"]


def test_foundation_csv_found_under_a_split_block_name() -> None:
    ctx = _ctx()
    ctx.memo("cncf.maintainers_csv", lambda: CSV.replace("Incubating,Acme,", "Incubating,Acme maintainers,"))
    (finding,) = FoundationCsvAgrees().run(ctx)
    assert finding.values["csv_rows"] == 3 and finding.outcome is Outcome.FALSE
