"""Security policy contents on synthetic texts: reporting channel, response team, disclosure."""

from __future__ import annotations

import pytest
from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.security_policy import (
    PolicyDescribesDisclosure,
    PolicyNamesReportingChannel,
    PolicyNamesResponseTeam,
    blocks,
)

FULL = """# Security

## Reporting

Please write to [the security list](mailto:security@acme.example) and do not open a public issue.
You may also use GitHub private vulnerability
reporting from the Security tab.

## Who handles reports

The Acme Security Response Team (three maintainers, listed in SECURITY_TEAM.md) handles reports.
We acknowledge every report within 3 business days, triage it by severity and prepare a patch.

## Disclosure

Fixes are kept under embargo until a release is ready; we follow coordinated disclosure and
publish an advisory within 90 days of the report.

## Announcements

Join announce@acme.example for release news.
"""

STUB = "# Security\n\nSee the [community policy](https://github.com/acme/community/blob/main/SECURITY.md).\n"
BARE = "# Security\n\nWe care about security. Please be nice.\n"


def _ctx(main: dict[str, str], community: dict[str, str] | None = None):
    repos = {"acme": main}
    if community is not None:
        repos["community"] = community
    return context(repos, roles={"community": "community"})


def test_blocks_join_wrapped_lines_and_remember_the_heading() -> None:
    found = blocks("# T\n\n## Report\n\nline one\nline two\n- item\n")
    texts = [(b.text, b.start, b.end, b.heading) for b in found]
    assert ("line one line two", 5, 6, "Report") in texts
    assert ("- item", 7, 7, "Report") in texts


def test_reporting_channel_email_and_advisories_from_the_reporting_section() -> None:
    (finding,) = PolicyNamesReportingChannel().run(_ctx({"SECURITY.md": FULL}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["kinds"] == ["email", "github_advisories"]
    addresses = [c["address"] for c in finding.values["channels"]]
    # The announcement list sits outside the reporting section, so it is not a reporting channel.
    assert "security@acme.example" in addresses and "announce@acme.example" not in addresses
    assert finding.evidence[0].url.endswith("/SECURITY.md#L5-L7")  # the whole wrapped paragraph


def test_reporting_channel_form_link_without_reporting_heading() -> None:
    text = "# Security\n\nUse [our form](https://forms.gle/abc123) for anything sensitive.\n"
    (finding,) = PolicyNamesReportingChannel().run(_ctx({"SECURITY.md": text}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["channels"][0]["kind"] == "form"


def test_stub_is_followed_to_the_community_policy() -> None:
    (finding,) = PolicyNamesReportingChannel().run(_ctx({"SECURITY.md": STUB}, {"SECURITY.md": FULL}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["documents"] == ["community/SECURITY.md"]
    assert "acme/SECURITY.md" in finding.values["stubs"]
    assert "/acme/community/blob/" in finding.evidence[0].url


def test_stub_pointing_outside_the_scan_is_not_available() -> None:
    (finding,) = PolicyNamesReportingChannel().run(_ctx({"SECURITY.md": STUB}))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_no_policy_is_false() -> None:
    for probe in (PolicyNamesReportingChannel(), PolicyNamesResponseTeam(), PolicyDescribesDisclosure()):
        (finding,) = probe.run(_ctx({"README.md": "# Acme"}))
        assert finding.outcome is Outcome.FALSE


@pytest.mark.parametrize(
    "probe", [PolicyNamesReportingChannel(), PolicyNamesResponseTeam(), PolicyDescribesDisclosure()]
)
def test_a_policy_saying_nothing_is_false(probe) -> None:
    (finding,) = probe.run(_ctx({"SECURITY.md": BARE}))
    assert finding.outcome is Outcome.FALSE
    assert finding.evidence  # cites the document that was read


def test_response_team_and_steps() -> None:
    (finding,) = PolicyNamesResponseTeam().run(_ctx({"SECURITY.md": FULL}))
    assert finding.outcome is Outcome.TRUE
    assert set(finding.values["steps"]) == {"acknowledgement", "triage", "fix", "disclosure"}
    assert finding.values["acknowledgement_timeline"] == ["3 business days"]
    assert finding.values["team"][0]["line"] == 11


def test_team_without_process_is_false() -> None:
    text = "# Security\n\nOur security team is great.\n"
    (finding,) = PolicyNamesResponseTeam().run(_ctx({"SECURITY.md": text}))
    assert finding.outcome is Outcome.FALSE
    assert "too few handling steps" in finding.message


def test_disclosure_aspects_with_lines() -> None:
    (finding,) = PolicyDescribesDisclosure().run(_ctx({"SECURITY.md": FULL}))
    assert finding.outcome is Outcome.TRUE
    assert {"embargo", "coordinated", "timeline"} <= set(finding.values["aspects"])
    assert finding.values["aspects"]["embargo"]["line"] == 16
    assert finding.evidence[0].url.endswith("#L16-L17")


def test_a_policy_linked_from_the_readme_counts_when_no_file_is_named_so() -> None:
    readme = "# Acme\n\nFound a hole? See [how to report a vulnerability](docs/reporting.md).\n"
    reporting = "# Reporting\n\n## Report a problem\n\nMail security@acme.example; we answer within 3 days.\n"
    ctx = context({"acme": {"README.md": readme, "docs/process/reporting.md": reporting}})
    (finding,) = PolicyNamesReportingChannel().run(ctx)
    assert finding.outcome is Outcome.FALSE  # the link leads nowhere: docs/reporting.md is not there
    ctx = context({"acme": {"README.md": readme, "docs/reporting.md": reporting}})
    (finding,) = PolicyNamesReportingChannel().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["documents"] == ["acme/docs/reporting.md"]


def test_the_org_default_policy_is_read() -> None:
    policy = "# Security\n\n## Reporting\n\nMail security@acme.example.\n"
    ctx = context(
        {"acme": {"README.md": "# Acme\n"}, ".github": {"SECURITY.md": policy}}, roles={".github": "org-profile"}
    )
    (finding,) = PolicyNamesReportingChannel().run(ctx)
    assert finding.outcome is Outcome.TRUE and finding.values["documents"] == [".github/SECURITY.md"]
