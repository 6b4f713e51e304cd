"""The services' HTTP client (bestpractices.dev, LFX, Scorecard, CNCF files) against hostile answers, in a
subprocess under the harness's memory and time limits: each request ends with SourceUnavailable and a reason,
having read no more than the byte cap, and a host that keeps timing out is not asked again."""

from __future__ import annotations

import json

import pytest
from e2e.fakegithub import FakeGitHub
from hostile.services_support import run_python_limited

CLIENT = """
import json, sys
from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.http import HttpClient
client = HttpClient(timeout={timeout}, max_attempts=4)
results = []
for path in {paths!r}:
    try:
        client.get({base!r} + path, source="svc")
        results.append("ok")
    except SourceUnavailable as exc:
        results.append(exc.reason)
print(json.dumps({{"results": results, "counts": client.counts(), "warnings": client.warnings()}}))
"""


def ask(base: str, paths: list[str], timeout: float = 2) -> dict:
    proc = run_python_limited(CLIENT.format(base=base, paths=paths, timeout=timeout))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("inject", "reason"),
    [
        (lambda gh: gh.endless_body("/x"), "answer larger than 16 MB; not read"),
        (lambda gh: gh.huge_body("/x", 200 * 1024 * 1024), "answer larger than 16 MB; not read"),
        (lambda gh: gh.trickle_body("/x", 0.5, size=400), "answer not complete within 2 s"),
    ],
    ids=["endless-chunked", "200MB", "one-byte-every-half-second"],
)
def test_a_hostile_body_ends_with_a_reason_and_a_bounded_read(inject, reason: str) -> None:
    with FakeGitHub({}) as server:
        inject(server)
        answer = ask(server.url, ["/x"])
        accepted = server.hostile_bytes
    (result,) = answer["results"]
    assert reason in result, result
    assert accepted < 64 * 1024 * 1024
    assert answer["counts"]["svc"] == 1, "a body past its cap or deadline is not asked for again"


def test_a_host_that_keeps_timing_out_is_not_asked_again() -> None:
    """Every answer takes 3 s, the timeout is 1 s: four timed-out answers in a row open the host's breaker; the
    following questions fail at once instead of each costing four timeouts."""
    with FakeGitHub({}, latency=3) as server:
        answer = ask(server.url, [f"/q{n}" for n in range(8)], timeout=1)
        sent = server.total
    results = answer["results"]
    assert results[0].startswith("timed out") and "after 4 attempts; not asked again in this scan" in results[0]
    assert all(r == "4 answers in a row timed out; not asked again in this scan" for r in results[1:]), results
    assert sent == 4 and answer["counts"]["not_sent"] == 7
    (warning,) = answer["warnings"]
    assert "4 answers in a row timed out" in warning
