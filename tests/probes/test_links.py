from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.links import NoExpiringInvites, RelativeLinksResolve

DING = "https://qr.dingtalk.com/action/joingroup?code=v1,k1,abc&origin=11"


def test_expiring_invites_counted_per_file_and_repo() -> None:
    ctx = context(
        {
            "acme": {"README.md": "# Acme\n\nJoin [chat](https://discord.gg/acme).\n"},
            "community": {
                "README.md": f"# C\n\n- **DingTalk**: [123]({DING})\n",
                "meetings/notes.md": f"ding {DING}\n",
                "GOVERNANCE.md": "# Gov\n\nSlack: https://join.slack.com/t/acme/shared_invite/zt-1\n",
            },
            "widget": {"README.md": "# W\n", "docs/deep/page.md": f"{DING}\n"},
        },
        roles={"community": "community"},
    )
    (f,) = NoExpiringInvites().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["files"] == [
        "acme/README.md",
        "community/GOVERNANCE.md",
        "community/README.md",
        "community/meetings/notes.md",
    ]
    assert f.values["file_count"] == 4 and f.values["repos"] == 2
    assert f.values["by_service"]["dingtalk"] == ["community/README.md", "community/meetings/notes.md"]
    assert {e.url.rsplit("/", 1)[1] for e in f.evidence} >= {"README.md#L3", "notes.md#L1"}


def test_no_expiring_invites() -> None:
    readme = "# Acme\n\nJoin #acme on [CNCF Slack](https://slack.cncf.io/). DingTalk group: `123`.\n"
    (f,) = NoExpiringInvites().run(context({"acme": {"README.md": readme}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["file_count"] == 0


GOV = """# Governance

See [ladder](LADDER.md#how-to-become-a-lead), [roles](roles/) and [team](#the-team).

## The Team

Also [missing](docs/gone.md), [bad anchor](LADDER.md#nope), [line](LADDER.md#L3) and [up](../outside.md).
Cross repo: [ok](https://github.com/acme/widget/blob/main/README.md#usage),
[bad](https://github.com/acme/widget/tree/master/docs/none.md), [elsewhere](https://github.com/other/x/blob/main/y.md).
"""
LADDER = "# Ladder\n\n## How to Become a Lead\n\nWork.\n"


def test_relative_links_and_anchors_resolve() -> None:
    ctx = context(
        {
            "community": {"GOVERNANCE.md": GOV, "LADDER.md": LADDER, "roles/lead.md": "# Lead\n"},
            "widget": {"README.md": "# Widget\n\n## Usage\n\nRun it.\n"},
        },
        main="widget",
        roles={"community": "community"},
    )
    (f,) = RelativeLinksResolve().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["broken"] == [
        "community/GOVERNANCE.md:7 docs/gone.md (no such file)",
        "community/GOVERNANCE.md:7 LADDER.md#nope (no such anchor)",
        "community/GOVERNANCE.md:7 ../outside.md (points outside the repository)",
        "community/GOVERNANCE.md:9 https://github.com/acme/widget/tree/master/docs/none.md (no such file)",
    ]
    assert f.evidence[0].url.endswith("GOVERNANCE.md#L7")


def test_all_links_resolve() -> None:
    gov = "# Gov\n\nSee [ladder](LADDER.md#how-to-become-a-lead) and [self](#gov).\n"
    (f,) = RelativeLinksResolve().run(context({"acme": {"GOVERNANCE.md": gov, "LADDER.md": LADDER}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["broken_count"] == 0


def test_records_copies_and_templates_are_not_checked_translations_are() -> None:
    """Archives, blog and event pages, dated notes, vendored trees and issue templates are records, copies or tool
    input nobody follows to join today: their links are not the project's to fix. Translations are read by people
    joining."""
    broken = "See [gone](gone.md).\n"
    community = {
        "README.md": "# Community\n\nSee [the charter](charter.md).\n",
        "charter.md": "# Charter\n",
        "sig-old/README.md": f"# Old SIG\n\n{broken}",
        "archive/wg-retired/README.md": f"# Retired\n\n{broken}Join {DING}\n",
        "sig-node/meeting-notes-archive/2019.md": f"# 2019\n\n{broken}",
        "events/2018/summit.md": f"# Summit\n\n{broken}",
        "blog/2020-01-01-hello.md": f"# Hello\n\n{broken}",
        "vendor/lib/README.md": f"# Lib\n\n{broken}",
        "README-zh.md": f"# 社区\n\n{broken}钉钉群: {DING}\n",
        ".github/ISSUE_TEMPLATE/question.md": f"# Question\n\n{broken}",
    }
    ctx = context({"community": community, "acme": {"README.md": "# Acme\n"}}, roles={"community": "community"})
    (links,) = RelativeLinksResolve().run(ctx)
    assert sorted(links.values["broken"]) == [
        "community/README-zh.md:3 gone.md (no such file)",
        "community/sig-old/README.md:3 gone.md (no such file)",
    ]
    assert links.values["checked_files"] == 5  # the four community documents read today and acme's README
    (invites,) = NoExpiringInvites().run(ctx)
    assert invites.values["files"] == ["community/README-zh.md"]


def test_a_folder_is_a_proper_ancestor_of_a_file_not_a_name_prefix() -> None:
    ctx = context({"acme": {"docs/roles/lead.md": "# Lead\n", "README.md": "# Acme\n"}})
    repo = ctx.repos[0]
    for folder in ("", ".", "docs", "docs/", "docs/roles", "docs/roles//"):
        assert repo.is_dir(folder), folder
    for other in ("doc", "docs/rol", "docs/roles/lead.md", "README.md", "./docs", "/docs", "missing"):
        assert not repo.is_dir(other), other
