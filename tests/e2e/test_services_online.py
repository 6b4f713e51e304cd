"""Online scans against the loopback fake GitHub where GitHub's documented answers matter (issue 16)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from e2e.fakegithub import FakeGitHub, acme_data
from e2e.test_cli import online_args, run_cli


def test_team_ownership_without_a_token_is_not_available_not_an_error(acme_org: Path, tmp_path: Path) -> None:
    """CODEOWNERS names @acme/maintainers. GitHub shows team members only to an org member's token; anonymously
    it answers 401 "Requires authentication". That is "not visible to this scan", never "GitHub rejected the
    token" (there is none) and never an error finding."""
    with FakeGitHub(acme_data(two_factor=True)) as gh:
        args = online_args(acme_org, gh.url, tmp_path / "cache", tmp_path / "out")
        probes = args.index("--probes") + 1
        args[probes] = "ownership"
        anonymous = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
        proc = run_cli(*args, env=anonymous)
        asked = gh.routes["/orgs/{o}/teams/{t}/members"]
    assert proc.returncode == 0, proc.stderr
    assert asked == 1
    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    team = next(f for f in report["findings"] if f["subject"] == "@acme/maintainers")
    assert team["outcome"] == "not_available" and "read:org" in team["message"], team
    assert not [f for f in report["findings"] if f["outcome"] == "error"]
    assert "rejected the token" not in proc.stderr + json.dumps(report)
