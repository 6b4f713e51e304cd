"""Affiliations from GitHub profiles, asked only for the maintainers the roster leaves without one."""

from __future__ import annotations

import json

from e2e.fakegithub import FakeGitHub, acme_data
from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.profiles import AffiliationsKnown

ROSTER = """# Maintainers

| Name | GitHub | Company |
|------|--------|---------|
| Ada Example | @ada | Example Corp |
| Grace Sample | @grace | |
| Linus Nobody | @linus | |
"""


def ctx_for(gh: FakeGitHub, roster: str = ROSTER, offline: bool = False, tmp=None):
    ctx = context({"acme": {"MAINTAINERS.md": roster}})
    ctx.config.github_api = gh.url
    ctx.config.offline = offline
    ctx.config.cache_dir = tmp
    return ctx


def test_profile_fills_the_gaps_and_names_the_rest(tmp_path) -> None:
    with FakeGitHub(acme_data()) as gh:
        gh.serve("/users/grace", json.dumps({"login": "grace", "company": "Sample Corp Inc."}))
        gh.serve("/users/linus", json.dumps({"login": "linus", "company": None}))
        (finding,) = AffiliationsKnown().run(ctx_for(gh, tmp=tmp_path))
        assert "/users/ada" not in gh.hits  # the roster already says where Ada works
    assert finding.outcome is Outcome.FALSE
    assert finding.values["from_profile"]["grace"] and finding.values["unknown"] == ["linus"]


def test_complete_roster_asks_nothing(tmp_path) -> None:
    complete = ROSTER.replace("| @grace | |", "| @grace | Sample |").replace("| @linus | |", "| @linus | Independent |")
    with FakeGitHub(acme_data()) as gh:
        (finding,) = AffiliationsKnown().run(ctx_for(gh, complete, tmp=tmp_path))
        assert not gh.hits
    assert finding.outcome is Outcome.TRUE


def test_offline_is_not_available(tmp_path) -> None:
    with FakeGitHub(acme_data()) as gh:
        (finding,) = AffiliationsKnown().run(ctx_for(gh, offline=True, tmp=tmp_path))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_a_deleted_or_renamed_account_skips_that_person_only(tmp_path) -> None:
    """GET /users/{login} answers 404 for a renamed or deleted account: that one maintainer stays unknown, said
    so, and the others' profiles are still read (one missing profile used to make the whole finding unknown)."""
    roster = ROSTER.replace("| Linus Nobody | @linus | |", "| Linus Nobody | @linus | |\n| Old Name | @renamed | |")
    with FakeGitHub(acme_data()) as gh:
        gh.serve("/users/grace", json.dumps({"login": "grace", "company": "Sample Corp Inc."}))
        gh.serve("/users/linus", json.dumps({"login": "linus", "company": "Nobody Ltd"}))
        (finding,) = AffiliationsKnown().run(ctx_for(gh, roster, tmp=tmp_path))
        asked = [path for path in gh.hits if path.startswith("/users/")]
    assert sorted(asked) == ["/users/grace", "/users/linus", "/users/renamed"]
    assert finding.outcome is Outcome.FALSE
    assert set(finding.values["from_profile"]) == {"grace", "linus"}
    assert finding.values["no_github_profile"] == ["renamed"] and len(finding.values["unknown"]) == 1
    assert "@renamed" in finding.message and "renamed or deleted" in finding.message
