"""The project map over synthetic repositories: roles with the signal that decided each, stubs followed across
repositories, and a map built lazily from a context made by hand."""

from __future__ import annotations

from memrepo import context

from dd_evidence.facts import documents, locate, project_map

LONG = "\n".join(f"Rule {i} of the project." for i in range(12)) + "\n"


def test_roles_come_with_the_signal_that_decided_them() -> None:
    ctx = context(
        {
            "acme": {
                "README.md": "# Acme\n\nThe Acme widget.\n",
                "GOVERNANCE.md": "# Governance\n\n" + LONG,
                # Named for what it is, not GOVERNANCE.md: the title says it.
                "docs/how-we-work.md": "---\ntitle: Project Charter\n---\n\n" + LONG,
                # Several roles: the name says channels, the title says governance too.
                "COMMUNITY.md": "# Community and Governance\n\n" + LONG,
            }
        }
    )
    pmap = project_map(ctx)
    governance = {d.path: d.why("governance") for d in pmap.hits("governance")}
    assert governance == {
        "GOVERNANCE.md": "file name GOVERNANCE.md",
        "docs/how-we-work.md": "title 'Project Charter' (line 1)",
        "COMMUNITY.md": "title 'Community and Governance' (line 1)",
    }
    community = pmap.doc(ctx.repos[0], "COMMUNITY.md")
    assert community is not None and set(community.roles) == {"channels", "governance"}
    # The map is built once per scan and shared.
    assert project_map(ctx) is pmap
    # The README's title (the project name) gives it no role.
    readme = pmap.readme(ctx.repos[0])
    assert readme is not None and readme.roles == {}


def test_ladder_and_roadmap_process_under_other_names() -> None:
    ctx = context(
        {
            "acme": {"README.md": "# Acme\n"},
            "community": {
                "process/growth.md": "# Contributor Ladder\n\n" + LONG,
                "guides/contributor/levels.md": "# Community Membership\n\n" + LONG,
                "process/planning.md": "# Roadmap Management\n\n" + LONG,
            },
        },
        roles={"community": "community"},
    )
    ladder = [d.label for d in locate(ctx, "contributor_ladder")]
    assert ladder == ["community/process/growth.md", "community/guides/contributor/levels.md"]
    assert [d.label for d in locate(ctx, "roadmap_process")] == ["community/process/planning.md"]


def test_vendored_and_example_copies_are_not_the_projects_documents() -> None:
    ctx = context(
        {
            "acme": {
                "vendor/github.com/other/lib/GOVERNANCE.md": "# Governance\n\n" + LONG,
                "examples/demo/SECURITY.md": "# Security\n\n" + LONG,
                "CHANGELOG.md": "# Changelog\n\n## Governance\n" + LONG,
            }
        }
    )
    assert locate(ctx, "governance") == []
    assert locate(ctx, "security_policy") == []


def test_a_stub_in_the_main_repo_is_followed_to_the_community_repo() -> None:
    stub = "# Governance\n\nSee the [project governance](https://github.com/acme/community/blob/main/GOVERNANCE.md).\n"
    ctx = context(
        {"acme": {"GOVERNANCE.md": stub}, "community": {"GOVERNANCE.md": "# Governance\n\n" + LONG}},
        roles={"community": "community"},
    )
    hits = locate(ctx, "governance")
    assert [(d.label, d.is_stub) for d in hits] == [("community/GOVERNANCE.md", False), ("acme/GOVERNANCE.md", True)]
    assert hits[1].target is hits[0]
    assert [d.label for d in documents(ctx, "governance")] == ["community/GOVERNANCE.md"]


def test_a_stub_gives_its_role_to_a_page_of_another_name() -> None:
    maintainers = "# Maintainers\n\nThe maintainers are listed in [the governance](docs/who-we-are.md).\n"
    people = "# Who we are\n\n| Name | GitHub | Company |\n|---|---|---|\n| Ann | @ann | Acme |\n" + LONG
    ctx = context({"acme": {"MAINTAINERS.md": maintainers, "docs/who-we-are.md": people}})
    (found,) = project_map(ctx).documents("maintainers")
    assert found.label == "acme/docs/who-we-are.md"
    assert found.why("maintainers") == "pointed to by acme/MAINTAINERS.md"


def test_a_short_file_linking_outside_the_project_is_not_a_stub() -> None:
    coc = "# Code of Conduct\n\nWe follow the [CNCF Code of Conduct](https://github.com/cncf/foundation/blob/main/code-of-conduct.md).\n"
    ctx = context({"acme": {"CODE_OF_CONDUCT.md": coc}})
    (found,) = locate(ctx, "code_of_conduct")
    assert not found.is_stub


def test_a_stub_pointing_at_another_kind_of_document_does_not_lend_it_its_role() -> None:
    governance = "# Governance\n\nSee the [Code of Conduct](CODE_OF_CONDUCT.md).\n"
    ctx = context({"acme": {"GOVERNANCE.md": governance, "CODE_OF_CONDUCT.md": "# Code of Conduct\n\n" + LONG}})
    coc = project_map(ctx).doc(ctx.repos[0], "CODE_OF_CONDUCT.md")
    assert coc is not None and set(coc.roles) == {"code_of_conduct"}


def test_a_document_the_map_could_not_read_makes_false_answers_not_available() -> None:
    from dd_evidence.model import Outcome
    from dd_evidence.probes.decisions import DocumentsLeadership

    ctx = context({"acme": {"GOVERNANCE.md": "# Governance\n\x00\x01binary", "README.md": "# Acme\n"}})
    (doc,) = locate(ctx, "governance")
    assert doc.refusal == "a binary file" and not doc.read
    (finding,) = DocumentsLeadership().run(ctx)
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "not read: acme/GOVERNANCE.md (a binary file)" in finding.message
