"""The corpus benchmark as a test: every case scanned offline from the copies named by ``DD_EVIDENCE_MIRRORS``.

A case fails when its scan fails, or when a check that ``agreement.json`` (the ratchet) lists as agreeing no longer
agrees. Checks that agree and are not in the ratchet yet are reported, not failed: update the ratchet with
``python benchmarks/corpus.py --mirrors DIR --update-ratchet tests/corpus/agreement.json`` (see README.md).
Skipped cleanly when the variable is unset (CI has no copies) or a case's repositories are not there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpusrun import CASES, RATCHET, load_runner

runner = load_runner()
pytestmark = pytest.mark.corpus
MIRRORS = os.environ.get("DD_EVIDENCE_MIRRORS")


@pytest.fixture(scope="session")
def mirrors() -> Path:
    if not MIRRORS or not Path(MIRRORS).is_dir():
        pytest.skip("DD_EVIDENCE_MIRRORS does not name a folder of repository copies")
    return Path(MIRRORS)


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One work dir per session: served copies and the clone cache are shared by the cases of a project.
    return tmp_path_factory.mktemp("corpus-work")


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_case_keeps_its_agreement(path: Path, mirrors: Path, work: Path) -> None:
    case = runner.load_case(path)
    result = runner.run_case(case, mirrors, work)
    if result.state == "skipped":
        pytest.skip(result.reason)
    assert result.state == "scanned", result.reason
    regressed = runner.ratchet_regressions([result], runner.read_ratchet(RATCHET))
    misses = [line.strip() for line in runner.case_line(result)[1:]]
    assert regressed == [], "\n".join(["checks that agreed before and no longer do:", *regressed, *misses])
    newly = sorted(runner.agreeing_checks([result]) - runner.read_ratchet(RATCHET))
    if newly:
        print(f"{case.id}: agrees now and not yet in the ratchet: {', '.join(newly)}")
