"""The Dragonfly fixture org, built once per test session from ../shared (skipped when it is absent)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


def build_dragonfly_org(out: Path) -> Path:
    """``build-fixture-org`` with the 2025-09-15 snapshot, the latest one on top and the governance history."""
    subprocess.run(
        [
            str(SHARED / "tools/build-fixture-org"),
            str(SHARED / "data/dragonfly-2025-09-15"),
            str(out),
            "--later",
            str(SHARED / "data/dragonfly-latest"),
            "--history",
            str(SHARED / "data/dragonfly-history"),
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def dragonfly_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<dir>/dragonflyoss/<repo>`` git repositories; scan them with ``file://<dir>/{owner}/{repo}``."""
    if not (SHARED / "tools" / "build-fixture-org").is_file() or shutil.which("git") is None:
        pytest.skip(f"{SHARED} or git is absent: no Dragonfly fixture")
    return build_dragonfly_org(tmp_path_factory.mktemp("dragonfly-org"))
