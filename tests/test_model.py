from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from dd_evidence.errors import BadInput
from dd_evidence.model import Evidence, Finding, Outcome
from dd_evidence.timeutil import parse_as_of


def test_finding_is_frozen_and_jsonable() -> None:
    ev = Evidence(
        "https://github.com/o/r/blob/abc/GOVERNANCE.md#L1-L4",
        "git",
        datetime(2025, 9, 15, tzinfo=UTC),
        "excerpt",
    )
    finding = Finding(
        "p.q",
        "o/r",
        Outcome.FALSE,
        "msg",
        {"names": ("b", "a"), "when": datetime(2025, 1, 1, tzinfo=UTC), "set": {"y", "x"}},
        (ev,),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "changed"  # type: ignore[misc]
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["outcome"] == "false"
    assert data["values"] == {"names": ["b", "a"], "when": "2025-01-01T00:00:00+00:00", "set": ["x", "y"]}
    assert data["evidence"][0]["url"].endswith("#L1-L4")
    assert data["evidence"][0]["retrieved_at"] == "2025-09-15T00:00:00+00:00"


def test_outcome_decided() -> None:
    assert Outcome.TRUE.decided and Outcome.FALSE.decided
    assert not Outcome.NOT_AVAILABLE.decided and not Outcome.ERROR.decided


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-15", datetime(2025, 9, 15, tzinfo=UTC)),
        ("2025-09-15T00:00:00Z", datetime(2025, 9, 15, tzinfo=UTC)),
        ("2025-09-15T08:00:00+08:00", datetime(2025, 9, 15, tzinfo=UTC)),
        ("2025-09-15T12:30:00", datetime(2025, 9, 15, 12, 30, tzinfo=UTC)),
    ],
)
def test_parse_as_of(text: str, expected: datetime) -> None:
    parsed = parse_as_of(text)
    assert parsed == expected
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "15/09/2025", ""])
def test_parse_as_of_rejects(text: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_as_of(text)
    assert err.value.exit_code == 2
