"""Shared fixtures. Tests never touch the network; git repos are built locally from synthetic content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitfixture import make_acme_org

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def acme_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Local git repos of the synthetic "acme" org under ``<root>/acme/<repo>``."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return make_acme_org(tmp_path_factory.mktemp("org"))


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"
