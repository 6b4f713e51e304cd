"""Neutrality statement, representation cap and asset ownership on synthetic documents."""

from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.neutrality import (
    AssetsProjectOwned,
    RepresentationCapDocumented,
    VendorNeutralStatement,
    classify_link,
)

GOVERNANCE = """# Widget Governance

## Principles

Widget is vendor-neutral: no single company may steer its direction.

## Seats

To keep things balanced, no more than three maintainers may be employed by the same company.
"""

ROSTER = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n| @ada | Ada | Megacorp Group |\n"


def _ctx(community: dict[str, str], readme: str = "# Acme\n"):  # type: ignore[no-untyped-def]
    return context({"acme": {"README.md": readme}, "community": community}, roles={"community": "community"})


def test_statement_and_cap_found_with_lines() -> None:
    ctx = _ctx({"GOVERNANCE.md": GOVERNANCE})
    statement = list(VendorNeutralStatement().run(ctx))[0]
    assert statement.outcome is Outcome.TRUE and statement.evidence[0].url.endswith("GOVERNANCE.md#L5")
    cap = list(RepresentationCapDocumented().run(ctx))[0]
    assert cap.outcome is Outcome.TRUE and cap.values["cap"] == 3 and cap.values["line"] == 9


def test_neutral_as_a_plain_adjective_is_no_neutrality_statement() -> None:
    plain = "# Steering\n\n## Duties\n\nProvide neutral mediation for disputes, in neutral language.\n"
    assert list(VendorNeutralStatement().run(_ctx({"GOVERNANCE.md": plain})))[0].outcome is Outcome.FALSE
    said_so = ("The project will remain neutral.", "The CNCF is a neutral home for Widget.", "We keep our neutrality.")
    for said in said_so:
        ctx = _ctx({"GOVERNANCE.md": plain + f"\n{said}\n"})
        assert list(VendorNeutralStatement().run(ctx))[0].outcome is Outcome.TRUE, said


def test_no_statement_and_no_cap() -> None:
    ctx = _ctx({"GOVERNANCE.md": "# Governance\n\nMaintainers decide by vote.\n"})
    assert list(VendorNeutralStatement().run(ctx))[0].outcome is Outcome.FALSE
    assert list(RepresentationCapDocumented().run(ctx))[0].outcome is Outcome.FALSE


def test_classify_link_kinds() -> None:
    orgs, names, companies = {"acme"}, {"acme"}, {"megacorp"}
    assert classify_link("https://github.com/acme/widget", orgs, names, companies)["held"] == "project"  # type: ignore[index]
    assert classify_link("https://github.com/megacorp/widget", orgs, names, companies)["held"] == "vendor"  # type: ignore[index]
    assert (
        classify_link("https://registry.cn-hangzhou.aliyuncs.com/someteam/widget", orgs, names, companies)["held"]
        == "vendor"
    )  # type: ignore[index]
    assert (
        classify_link("https://join.slack.com/t/acme-community/shared_invite/x", orgs, names, companies)["held"]
        == "project"
    )  # type: ignore[index]
    assert classify_link("https://cloud-native.slack.com/messages/acme", orgs, names, companies)["held"] == "neutral"  # type: ignore[index]
    assert classify_link("https://example.org/docs", orgs, names, companies) is None


def test_vendor_namespace_in_readme_is_false_else_true() -> None:
    readme = "# Acme\n\nImages: [here](https://hub.docker.com/r/megacorp/acme).\nCode: [repo](https://github.com/acme/acme).\n"
    ctx = _ctx({"MAINTAINERS.md": ROSTER}, readme)
    finding = list(AssetsProjectOwned().run(ctx))[0]
    assert finding.outcome is Outcome.FALSE
    assert finding.values["vendor_owned"][0]["line"] == 3
    clean = _ctx({"MAINTAINERS.md": ROSTER}, "# Acme\n\n[repo](https://github.com/acme/acme)\n")
    ok = list(AssetsProjectOwned().run(clean))[0]
    assert ok.outcome is Outcome.TRUE and "in 1 " in ok.message


def test_a_security_contact_on_a_maintainer_companys_domain_is_vendor_held() -> None:
    roster = "# Maintainers\n\n| Name | GitHub | Company |\n|---|---|---|\n| Ann | @ann | Widgetcorp Inc |\n"
    roster += "| Bo | @bo | Beta |\n"
    security = "# Security\n\n## Reporting\n\nWrite to security@widgetcorp.com or the list acme@googlegroups.com.\n"
    ctx = context({"acme": {"README.md": "# Acme\n", "MAINTAINERS.md": roster, "SECURITY.md": security}})
    (finding,) = AssetsProjectOwned().run(ctx)
    assert finding.outcome is Outcome.FALSE
    assert [(v["kind"], v["owner"]) for v in finding.values["vendor_owned"]] == [("contact", "widgetcorp.com")]
    assert finding.message.startswith("1 link or contact points at assets under a company's namespace or domain")
    own = security.replace("security@widgetcorp.com", "security@acme.io")
    ctx = context({"acme": {"README.md": "# Acme\n", "MAINTAINERS.md": roster, "SECURITY.md": own}})
    (finding,) = AssetsProjectOwned().run(ctx)
    assert finding.outcome is Outcome.TRUE


def test_a_shared_calendar_id_is_no_contact_at_the_calendar_hosts_company() -> None:
    """A Google calendar's id reads like an address at google.com; Google on the roster makes it no vendor asset."""
    roster = "# Maintainers\n\n| Name | GitHub | Company |\n|---|---|---|\n| Ann | @ann | Google |\n"
    meetings = "# Acme\n\nCalendar: c_0a1b2c3d4e@group.calendar.google.com (or write to ann@google.com).\n"
    ctx = context({"acme": {"README.md": meetings, "MAINTAINERS.md": roster}})
    (finding,) = AssetsProjectOwned().run(ctx)
    assert [v["owner"] for v in finding.values["vendor_owned"]] == ["google.com"]


def test_addresses_on_the_security_teams_own_pages_are_not_project_contacts() -> None:
    """A security team's member or distributor list names each company's own address; those are the companies'
    assets. The addresses reporters are told to use (the security policy) stay in."""
    roster = "# Maintainers\n\n| Name | GitHub | Company |\n|---|---|---|\n| Ann | @ann | Widgetcorp Inc |\n"
    groups = (
        "# Security groups\n\n## Distributors\n\n| Company | Contact |\n|---|---|\n"
        "| Widgetcorp | [security](mailto:product-security@widgetcorp.com) |\n"
    )
    files = {
        "README.md": "# Acme\n",
        "MAINTAINERS.md": roster,
        "security-team/security-groups.md": groups,
        "SECURITY.md": "# Security\n\n## Reporting\n\nWrite to security@acme.io.\n",
    }
    (finding,) = AssetsProjectOwned().run(context({"acme": files}))
    assert finding.outcome is Outcome.TRUE, finding.message
    files["SECURITY.md"] = files["SECURITY.md"].replace("security@acme.io", "security@widgetcorp.com")
    (finding,) = AssetsProjectOwned().run(context({"acme": files}))
    assert finding.outcome is Outcome.FALSE
    assert [v["file"] for v in finding.values["vendor_owned"]] == ["acme/SECURITY.md"]
