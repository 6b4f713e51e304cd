from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from memrepo import context

from dd_evidence.context import ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.maturity_statement import (
    MaturityStatementCurrent,
    level_at,
    shields_text,
    stated_levels,
)

# Sandbox in 2019, incubating in 2021, graduated on 2025-10-28.
RECORD = {"maturity": "graduated", "accepted": "2019-03-01", "incubating": "2021-06-01", "graduated": "2025-10-28"}

INCUBATING_README = """# Acme

Acme moves large files between clusters by sharing pieces among peers. It is hosted by the
Cloud Native Computing Foundation ([CNCF](https://cncf.io/)) as
an Incubating Level Project.

## Install
"""


def _ctx(
    repos: dict[str, dict[str, str]], as_of: str, project: dict[str, str] = RECORD, roles: dict[str, str] | None = None
) -> ScanContext:
    ctx = context(repos, roles=roles, project=project)
    ctx.config.as_of = datetime.fromisoformat(as_of).replace(tzinfo=UTC)
    return ctx


def _run(ctx: ScanContext):
    (finding,) = MaturityStatementCurrent().run(ctx)
    return finding


def test_stated_level_matches_the_record_before_graduation() -> None:
    f = _run(_ctx({"acme": {"README.md": INCUBATING_README}}, "2025-09-15"))
    assert f.outcome is Outcome.TRUE
    # The sentence starts on line 3; the level word sits on line 5, and that is the line cited.
    assert f.values["statements"] == [
        {
            "file": "acme/README.md",
            "line": 5,
            "level": "incubating",
            "text": "It is hosted by the Cloud Native Computing Foundation (CNCF) as an Incubating Level Project.",
        }
    ]
    assert (f.values["cncf_level"], f.values["since"]) == ("incubating", "2021-06-01")
    assert [e.label for e in f.evidence] == ["acme/README.md#L5"]
    assert "#L5" in f.evidence[0].url and "a" * 40 in f.evidence[0].url


def test_the_same_statement_is_stale_after_graduation() -> None:
    f = _run(_ctx({"acme": {"README.md": INCUBATING_README}}, "2025-11-01"))
    assert f.outcome is Outcome.FALSE
    assert f.message == "acme/README.md L5 says incubating, the CNCF record says graduated since 2025-10-28"
    assert (f.values["cncf_level"], f.values["since"], f.values["stale"]) == ("graduated", "2025-10-28", 1)


def test_the_scan_clock_decides_when_there_is_no_as_of() -> None:
    ctx = context({"acme": {"README.md": INCUBATING_README}}, project=RECORD)
    ctx.clock = lambda: datetime(2021, 7, 1, tzinfo=UTC)
    assert _run(ctx).outcome is Outcome.TRUE
    ctx = context({"acme": {"README.md": INCUBATING_README}}, project=RECORD)
    ctx.clock = lambda: datetime(2026, 1, 1, tzinfo=UTC)
    assert _run(ctx).outcome is Outcome.FALSE


def test_a_level_word_outside_the_cncf_sentence_is_ignored() -> None:
    readme = """# Acme

Acme is a project of the Cloud Native Computing Foundation (CNCF). Our incubating features live behind a flag.

The sandbox mode runs without a cluster.
"""
    f = _run(_ctx({"acme": {"README.md": readme}}, "2025-11-01"))
    assert f.outcome is Outcome.NOT_APPLICABLE
    assert f.values["statements"] == []
    assert f.values["checked_files"] == ["acme/README.md"]


def test_another_projects_level_is_not_ours() -> None:
    readme = "# Acme\n\nAcme pushes images into Harbor, a CNCF graduated project.\n"
    f = _run(_ctx({"acme": {"README.md": readme}}, "2025-11-01"))
    assert f.outcome is Outcome.NOT_APPLICABLE


def test_code_blocks_state_nothing() -> None:
    readme = "# Acme\n\n```\necho 'a CNCF sandbox project'\n```\n"
    assert _run(_ctx({"acme": {"README.md": readme}}, "2025-11-01")).outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("[![CNCF Graduated](https://example.org/cncf.svg)](https://cncf.io)", "graduated"),
        (
            "[![status](https://img.shields.io/badge/CNCF%20Status-Graduated-informational)](https://cncf.io)",
            "graduated",
        ),
        ("![](https://img.shields.io/static/v1?label=CNCF&message=Sandbox&color=blue)", "sandbox"),
        ('<p align="center"><img src="logo.svg" alt="CNCF incubating project"></p>', "incubating"),
        ("We are a [CNCF](https://cncf.io) sandbox project.", "sandbox"),
    ],
)
def test_badges_alt_text_and_html_state_a_level(line: str, level: str) -> None:
    readme = f"# Acme\n\n{line}\n"
    f = _run(_ctx({"acme": {"README.md": readme}}, "2025-11-01"))
    assert [(s["line"], s["level"]) for s in f.values["statements"]] == [(3, level)]
    assert f.outcome is (Outcome.TRUE if level == "graduated" else Outcome.FALSE)


def test_a_badge_without_cncf_states_nothing() -> None:
    readme = "# Acme\n\n![build](https://img.shields.io/badge/build-graduated-green)\n"
    assert _run(_ctx({"acme": {"README.md": readme}}, "2025-11-01")).outcome is Outcome.NOT_APPLICABLE


def test_org_profile_and_community_readme_are_read() -> None:
    repos = {
        "acme": {"README.md": "# Acme\n\n![x](https://img.shields.io/badge/CNCF-Graduated-blue)\n"},
        ".github": {"profile/README.md": "## Welcome\n\nAcme is a CNCF incubating project.\n", "README.md": "x"},
        "community": {"README.md": "# Community\n\nAcme is a Cloud Native Computing Foundation project.\n"},
    }
    ctx = _ctx(repos, "2025-11-01", roles={".github": "org-profile", "community": "community"})
    f = _run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["checked_files"] == ["acme/README.md", "community/README.md", ".github/profile/README.md"]
    assert f.message.startswith(".github/profile/README.md L3 says incubating, the CNCF record says graduated")
    assert [e.label for e in f.evidence] == ["acme/README.md#L3", ".github/profile/README.md#L3"]


def test_no_readme_states_nothing() -> None:
    f = _run(_ctx({"acme": {"LICENSE": "x"}}, "2025-11-01"))
    assert f.outcome is Outcome.NOT_APPLICABLE
    assert f.values["checked_files"] == []


def test_no_cncf_dates_is_not_available_never_false() -> None:
    f = _run(_ctx({"acme": {"README.md": INCUBATING_README}}, "2025-11-01", project={}))
    assert f.outcome is Outcome.NOT_AVAILABLE
    assert "no maturity dates" in f.message
    assert f.values["statements"][0]["level"] == "incubating"


def test_a_level_claimed_before_acceptance_is_false() -> None:
    f = _run(_ctx({"acme": {"README.md": INCUBATING_README}}, "2018-01-01"))
    assert f.outcome is Outcome.FALSE
    assert "not yet in the CNCF (accepted 2019-03-01)" in f.message
    assert f.values["cncf_level"] is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 2, 28), (None, None)),
        (date(2019, 3, 1), ("sandbox", date(2019, 3, 1))),
        (date(2025, 10, 27), ("incubating", date(2021, 6, 1))),
        (date(2025, 10, 28), ("graduated", date(2025, 10, 28))),
    ],
)
def test_level_at_takes_the_latest_date_not_after_the_day(day: date, expected: tuple) -> None:
    record = {"sandbox": date(2019, 3, 1), "incubating": date(2021, 6, 1), "graduated": date(2025, 10, 28)}
    assert level_at(record, day) == expected


def test_level_at_prefers_the_later_level_on_the_same_day_and_knows_archived() -> None:
    same_day = {"sandbox": date(2020, 1, 1), "incubating": date(2020, 1, 1)}
    assert level_at(same_day, date(2020, 1, 1)) == ("incubating", date(2020, 1, 1))
    archived = {"sandbox": date(2020, 1, 1), "archived": date(2024, 5, 1)}
    assert level_at(archived, date(2025, 1, 1)) == ("archived", date(2024, 5, 1))


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("Acme joined the CNCF sandbox in 2019 and moved to incubation in 2021.", "incubating"),
        ("Acme graduated from sandbox to incubating within the CNCF.", "incubating"),
        ("Acme is a graduated project of the CNCF.", "graduated"),
    ],
)
def test_a_sentence_naming_several_levels_states_the_highest(sentence: str, level: str) -> None:
    assert [lv for _, lv, _ in stated_levels(sentence)] == [level]


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("https://img.shields.io/badge/CNCF%20Status-Graduated-informational", "CNCF Status: Graduated"),
        ("https://img.shields.io/badge/cncf__status-sandbox_stage-blue", "cncf_status: sandbox stage"),
        ("https://img.shields.io/badge/CNCF--Incubating-blue", "CNCF-Incubating"),
        ("https://img.shields.io/static/v1?label=CNCF&message=Incubating", "CNCF: Incubating"),
        ("https://example.org/badge/CNCF-Graduated-blue", ""),
    ],
)
def test_shields_text(url: str, text: str) -> None:
    assert shields_text(url) == text
