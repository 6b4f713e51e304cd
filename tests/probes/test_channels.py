from __future__ import annotations

from datetime import UTC, datetime

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.channels import (
    AllChannelsListed,
    MeetingSchedulePublished,
    PublicChannelDocumented,
    channels_in_text,
)

COMMUNITY_README = """# Widget Community

## Talk to us

- Chat: [#widgets](https://cloud-native.slack.com/archives/widgets) on [CNCF Slack](https://slack.cncf.io/)
- Mail: <widgets-dev@googlegroups.com>
- Forum: [Q&A](https://github.com/acme/widgets/discussions)
- DingTalk group: `123456789`
"""
SUB_README = """# Gizmo

## Community

- **Slack:** [Gizmo workspace](https://join.slack.com/t/gizmoworld/shared_invite/zz-abc)
- **WeChat:** 7654321
- **Forum:** [Q&A](https://github.com/acme/gizmo/discussions)
"""


def test_channels_in_text_gives_stable_keys() -> None:
    ctx = context({"acme": {"README.md": COMMUNITY_README}})
    keys = [c.key for c in channels_in_text(ctx.repos[0], "README.md", COMMUNITY_README)]
    assert keys == [
        "slack:cloud-native#widgets",
        "slack:cloud-native",
        "list:widgets-dev@googlegroups.com",
        "discussions:acme",
        "dingtalk:123456789",
    ]


def test_public_channel_documented() -> None:
    (f,) = PublicChannelDocumented().run(context({"acme": {"README.md": COMMUNITY_README}}))
    assert f.outcome is Outcome.TRUE
    assert set(f.values["channels"]) == {"slack", "mailing-list", "discussions", "dingtalk"}
    assert f.evidence[0].url.endswith("README.md#L5")


def test_no_public_channel_when_only_twitter() -> None:
    readme = "# Acme\n\nFollow [@acme](https://twitter.com/acme) for news.\n"
    (f,) = PublicChannelDocumented().run(context({"acme": {"README.md": readme}}))
    assert f.outcome is Outcome.FALSE


def test_all_channels_listed_flags_subproject_channels_and_lonely_lists() -> None:
    release = "# Releasing\n\nAnnounce on <widgets-announce@googlegroups.com>.\n"
    ctx = context(
        {"acme": {"README.md": "# Acme\n"}, "community": {"README.md": COMMUNITY_README, "RELEASE.md": release},
         "gizmo": {"README.md": SUB_README}},
        roles={"community": "community"},
    )  # fmt: skip
    (f,) = AllChannelsListed().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["main_list"] == "community/README.md"
    assert [e.split(" ")[0] for e in f.values["extra"]["gizmo"]] == ["slack:gizmoworld", "wechat:7654321"]
    assert f.values["unlisted_mailing_lists"] == {"list:widgets-announce@googlegroups.com": ["community/RELEASE.md#L3"]}


def test_all_channels_listed_when_repos_repeat_the_main_list() -> None:
    same = "# Part\n\nJoin [#widgets](https://cloud-native.slack.com/archives/widgets) or [Slack](https://slack.cncf.io).\n"
    ctx = context(
        {"acme": {"README.md": "# Acme\n"}, "community": {"README.md": COMMUNITY_README}, "part": {"README.md": same}},
        roles={"community": "community"},
    )
    (f,) = AllChannelsListed().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.values["extra"] == {}


MEETINGS = """# Acme

## Community Meeting

We meet every other week on Tuesdays. Add it from the [calendar](https://calendar.google.com/calendar/embed?src=x).
"""


def _at(ctx, day: str):
    ctx.config.as_of = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return ctx


def test_meeting_schedule_with_recent_notes() -> None:
    files = {"README.md": MEETINGS, "meetings/2024-05-02.md": "notes", "meetings/2024-06-20.md": "notes"}
    (f,) = MeetingSchedulePublished().run(_at(context({"acme": files}), "2024-07-01"))
    assert f.outcome is Outcome.TRUE
    assert f.values["last_notes"] == "2024-06-20"
    assert f.values["cadence"] == ["acme/README.md#L5: every other week"]


def test_meeting_schedule_with_stale_notes_is_false() -> None:
    notes = "# Meeting notes\n\n## 2023-01-10\n\nWe talked.\n\n## March 3, 2023\n\nMore talk.\n"
    files = {"README.md": MEETINGS, "MEETING_NOTES.md": notes}
    (f,) = MeetingSchedulePublished().run(_at(context({"acme": files}), "2024-07-01"))
    assert f.outcome is Outcome.FALSE
    assert f.values["last_notes"] == "2023-03-03"
    assert "2023-03-03" in f.message


def test_meeting_with_external_notes_is_true_without_recency() -> None:
    readme = MEETINGS + "\nMeeting notes: [agenda doc](https://docs.google.com/document/d/abc)\n"
    (f,) = MeetingSchedulePublished().run(context({"acme": {"README.md": readme}}))
    assert f.outcome is Outcome.TRUE
    assert "recency not checked" in f.message


def test_no_meeting_schedule() -> None:
    (f,) = MeetingSchedulePublished().run(context({"acme": {"README.md": COMMUNITY_README}}))
    assert f.outcome is Outcome.FALSE


def test_a_schedule_written_in_one_list_item_of_the_community_readme() -> None:
    readme = (
        "# Acme community\n\n## Socializing\n\n* Chat with us on Slack.\n"
        "* Come and meet us in our weekly community meetings on every\n  Wednesday at 14:00 UTC on "
        "[Zoom](https://zoom.us/j/123)\n"
    )
    ctx = context(
        {"acme": {"README.md": "# Acme\n"}, "community": {"README.md": readme}}, roles={"community": "community"}
    )
    (finding,) = MeetingSchedulePublished().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["scheduled"][0].startswith("community/README.md#L6")


def test_a_meeting_page_named_for_what_it_is_is_read() -> None:
    notes = (
        "# Project Meeting Notes\n\nThe project meeting is every other Wednesday at 13:00 CET.\n\n"
        "- [Calendar](https://calendar.google.com/calendar/embed?src=acme)\n\n## 2025-09-10\n\nNotes.\n"
    )
    ctx = context({"acme": {"README.md": "# Acme\n", "Project-Meeting-Notes.md": notes}})
    ctx.config.as_of = datetime(2025, 9, 20, tzinfo=UTC)
    (finding,) = MeetingSchedulePublished().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["links"]["calendar"][0].startswith("acme/Project-Meeting-Notes.md#L5")
    assert finding.values["last_notes"] == "2025-09-10"


def test_channels_named_by_any_project_list_are_listed_and_security_lists_are_not_channels() -> None:
    community = "# Community\n\n- Slack: [#acme](https://kubernetes.slack.com/messages/acme)\n"
    website = "# Community\n\n- Mailing list: [acme-dev](https://groups.google.com/g/acme-dev)\n"
    security = "# Security\n\nReport to acme-security@googlegroups.com (a private list).\n"
    subproject = "# Tool\n\nJoin [acme-dev](https://groups.google.com/g/acme-dev).\n"
    ctx = context(
        {
            "acme": {"README.md": "# Acme\n", "SECURITY.md": security},
            "community": {"README.md": community},
            "acme.io": {"docs/community.md": website},
            "tool": {"README.md": subproject},
        },
        roles={"community": "community", "acme.io": "website"},
    )
    (finding,) = AllChannelsListed().run(ctx)
    assert finding.outcome is Outcome.TRUE, finding.message
    assert finding.values["unlisted_mailing_lists"] == {}


def test_a_link_to_another_foundations_community_site_is_no_channel() -> None:
    """community.apache.org explains lazy consensus; it is not a forum of the project."""
    text = "Decisions follow [lazy consensus](https://community.apache.org/committers/lazyConsensus.html).\n"
    text += "Ask on the [forum](https://discuss.acme.io/c/help).\n"
    ctx = context({"acme": {"README.md": "# Acme\n", "GOVERNANCE.md": text}})
    keys = [c.key for c in channels_in_text(ctx.repos[0], "GOVERNANCE.md", text)]
    assert keys == ["forum:discuss.acme.io"]
