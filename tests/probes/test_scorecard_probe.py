"""The Scorecard access-control probe over in-memory repos and the Scorecard API answers of the cassettes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import vcr
import yaml
from memrepo import MemoryRepoView, context

from dd_evidence.context import ScanContext
from dd_evidence.model import Finding, Outcome
from dd_evidence.probes.scorecard import ScorecardAccessControls, decide
from dd_evidence.sources.http import HttpClient
from dd_evidence.sources.scorecard import ScorecardCheck, ScorecardResult

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "scorecard"
REPOS = ("good", "weak", "partial", "partial-weak", "unscored", "changed")


class FakeApi:
    """The Scorecard API as a MockTransport handler answering with the cassettes' recorded responses."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str]] = {}
        for cassette in sorted(CASSETTES.glob("*.yaml")):
            for item in yaml.safe_load(cassette.read_text())["interactions"]:
                response = item["response"]
                self.answers.setdefault(
                    item["request"]["uri"], (response["status"]["code"], response["body"]["string"])
                )
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        # An unscanned repository: 404 with an empty body and no Content-Type, as the Scorecard webapp answers.
        status, body = self.answers.get(str(request.url), (404, ""))
        headers = {"Content-Type": "application/json"} if status == 200 else {"Cache-Control": "max-age=600"}
        return httpx.Response(status, text=body, headers=headers)


def scan_ctx(api: FakeApi | None, repos: tuple[str, ...] = REPOS, offline: bool = False) -> ScanContext:
    ctx = context({name: {"README.md": f"# {name}\n"} for name in repos}, main=repos[0])
    ctx.config.offline = offline
    transport = httpx.MockTransport(api) if api is not None else None
    http = HttpClient(transport=transport, offline=offline, sleep=lambda _s: None)
    ctx.client("http", lambda: http)
    return ctx


def run(ctx: ScanContext) -> dict[str, Finding]:
    return {f.subject.split("/", 1)[1]: f for f in ScorecardAccessControls().run(ctx)}


def test_one_finding_per_repo_from_the_published_results() -> None:
    api = FakeApi()
    findings = run(scan_ctx(api))
    outcomes = {name: f.outcome for name, f in findings.items()}
    assert outcomes == {
        "good": Outcome.TRUE,
        "weak": Outcome.FALSE,
        "partial": Outcome.NOT_AVAILABLE,  # Branch-Protection -1, Code-Review 10: cannot tell
        "partial-weak": Outcome.FALSE,  # Code-Review 2 decides whatever Branch-Protection would have said
        "unscored": Outcome.NOT_AVAILABLE,
        "changed": Outcome.NOT_AVAILABLE,
    }
    assert len(api.requests) == len(REPOS)
    assert all(f.probe == "security.scorecard_access_controls" for f in findings.values())


def test_good_repo_values_and_evidence() -> None:
    good = run(scan_ctx(FakeApi(), ("good",)))["good"]
    assert good.message == (
        "good: Scorecard 8.4 (2025-09-08T04:12:37Z): Branch-Protection 8, Code-Review 10 (both at least 5)"
    )
    values = good.values
    assert (values["score"], values["date"], values["scorecard_version"]) == (8.4, "2025-09-08T04:12:37Z", "v5.2.1")
    assert values["published"] is True and values["threshold"] == 5
    assert list(values["checks"]) == [
        "Branch-Protection",
        "Code-Review",
        "Security-Policy",
        "Signed-Releases",
        "Token-Permissions",
    ]
    assert values["checks"]["Token-Permissions"] == {
        "score": 7,
        "inconclusive": False,
        "reason": "some workflow jobs have write tokens",
    }
    # An inconclusive check is reported as unknown, with Scorecard's reason, never as a score of -1.
    assert values["checks"]["Signed-Releases"] == {"score": None, "inconclusive": True, "reason": "no releases found"}
    (evidence,) = good.evidence
    assert evidence.url == "https://scorecard.dev/viewer/?uri=github.com/acme/good"
    assert evidence.source == "scorecard" and evidence.retrieved_at is not None


def test_weak_repo_names_the_checks_below_the_threshold() -> None:
    weak = run(scan_ctx(FakeApi(), ("weak",)))["weak"]
    assert weak.outcome is Outcome.FALSE
    assert "Branch-Protection 3, Code-Review 2 (Branch-Protection and Code-Review below 5)" in weak.message
    assert weak.values["checks"]["Security-Policy"]["score"] == 0


def test_inconclusive_check_is_unknown_not_false() -> None:
    partial = run(scan_ctx(FakeApi(), ("partial",)))["partial"]
    assert partial.outcome is Outcome.NOT_AVAILABLE
    assert "Branch-Protection ?, Code-Review 10 (Branch-Protection inconclusive or missing)" in partial.message
    assert partial.values["checks"]["Branch-Protection"]["inconclusive"] is True


def test_no_published_result_is_not_available() -> None:
    unscored = run(scan_ctx(FakeApi(), ("unscored",)))["unscored"]
    assert unscored.outcome is Outcome.NOT_AVAILABLE
    assert unscored.message == "unscored: no published Scorecard result for acme/unscored"
    assert unscored.values == {"published": False} and unscored.evidence == ()


def test_changed_shape_is_not_available() -> None:
    changed = run(scan_ctx(FakeApi(), ("changed",)))["changed"]
    assert changed.outcome is Outcome.NOT_AVAILABLE and "unexpected answer shape" in changed.message


def test_offline_is_not_available_without_any_request() -> None:
    api = FakeApi()
    findings = run(scan_ctx(api, offline=True))
    assert {f.outcome for f in findings.values()} == {Outcome.NOT_AVAILABLE}
    assert all("offline" in f.message for f in findings.values())
    assert findings["good"].evidence[0].retrieved_at is None
    assert api.requests == []


def test_unreachable_api_is_not_available() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    ctx = context({"good": {}}, main="good")
    ctx.config.offline = False
    ctx.client("http", lambda: HttpClient(transport=httpx.MockTransport(down), sleep=lambda _s: None))
    (finding,) = ScorecardAccessControls().run(ctx)
    assert finding.outcome is Outcome.NOT_AVAILABLE and "HTTP 503" in finding.message


def test_repos_not_on_github_are_not_applicable() -> None:
    ctx = scan_ctx(FakeApi(), ("good",))
    ctx.repos.append(MemoryRepoView("acme", "mirror", {}))
    ctx.repos[-1].web_url = "https://gitlab.com/acme/mirror"
    findings = run(ctx)
    assert findings["mirror"].outcome is Outcome.NOT_APPLICABLE


def test_result_newer_than_as_of_is_flagged() -> None:
    ctx = scan_ctx(FakeApi(), ("good",))
    ctx.config.as_of = datetime(2025, 9, 1, tzinfo=UTC)
    good = run(ctx)["good"]
    assert good.values["newer_than_as_of"] is True and "newer than the as-of time" in good.message


def test_replayed_with_vcr_through_the_scans_http_client() -> None:
    replay = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none", filter_headers=["authorization"])
    ctx = scan_ctx(None, ("weak",))
    with replay.use_cassette("weak.yaml"):
        (finding,) = ScorecardAccessControls().run(ctx)
    assert finding.outcome is Outcome.FALSE and finding.values["score"] == 4.1


def result(**scores: int) -> ScorecardResult:
    checks = {name.replace("_", "-"): ScorecardCheck(score, None) for name, score in scores.items()}
    return ScorecardResult("github.com/a/b", "u", None, 5.0, None, None, None, checks)


@pytest.mark.parametrize(
    "scores, outcome",
    [
        ({"Branch_Protection": 5, "Code_Review": 5}, Outcome.TRUE),
        ({"Branch_Protection": 10, "Code_Review": 4}, Outcome.FALSE),
        ({"Branch_Protection": 4, "Code_Review": 10}, Outcome.FALSE),
        ({"Branch_Protection": -1, "Code_Review": 9}, Outcome.NOT_AVAILABLE),
        ({"Branch_Protection": -1, "Code_Review": -1}, Outcome.NOT_AVAILABLE),
        ({"Branch_Protection": -1, "Code_Review": 0}, Outcome.FALSE),
        ({"Code_Review": 8}, Outcome.NOT_AVAILABLE),  # a check missing from the result is unknown too
        ({}, Outcome.NOT_AVAILABLE),
    ],
)
def test_decision_table(scores: dict[str, int], outcome: Outcome) -> None:
    assert decide(result(**scores))[0] is outcome


def test_scorecard_is_asked_with_githubs_spelling_of_the_repo() -> None:
    """Scorecard reads results by exact path (case included): a repo scanned as acme/good but spelled Acme/Good on
    GitHub has its result under github.com/Acme/Good. The scan's GitHub client tells the spelling."""
    from e2e.fakegithub import FakeGitHub, acme_data

    from dd_evidence.sources.github import GitHubSource

    api = FakeApi()
    good = api.answers.pop("https://api.scorecard.dev/projects/github.com/acme/good")
    api.answers["https://api.scorecard.dev/projects/github.com/Acme/Good"] = good
    data = acme_data()
    data["orgs"]["Acme"] = data["orgs"].pop("acme")
    data["repos"] = {"Acme/Good": {**data["repos"]["acme/acme"], "name": "Good", "full_name": "Acme/Good"}}
    with FakeGitHub(data) as gh:
        ctx = scan_ctx(api, repos=("good",))
        ctx.config.github_api = gh.url
        ctx.client("github", lambda: GitHubSource(gh.url))
        findings = run(ctx)
    assert api.requests == ["https://api.scorecard.dev/projects/github.com/Acme/Good"]
    assert findings["good"].outcome is Outcome.TRUE
