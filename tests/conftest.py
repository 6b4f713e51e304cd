"""Shared fixtures. Tests never touch the network; git repos are built locally from synthetic content."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitfixture import make_acme_org

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never write into the user's cache: a ScanConfig's default cache directory is a session temp dir."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DD_EVIDENCE_CACHE", str(tmp_path_factory.mktemp("default-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def _values_follow_their_declarations() -> Iterator[None]:
    """Every finding a probe builds in any test must use only the keys its ``values_type`` declares."""
    from dd_evidence.probes.base import Probe
    from dd_evidence.values import undeclared_keys

    original = Probe.finding

    def checked(self, subject, outcome, message, values=None, evidence=(), remedy=None):  # type: ignore[no-untyped-def]
        extra = undeclared_keys(type(self).values_type, values or {})
        assert not extra, f"{self.spec.id} reports undeclared values {extra}; declare them in its values_type"
        return original(self, subject, outcome, message, values, evidence, remedy)

    patch = pytest.MonkeyPatch()
    patch.setattr(Probe, "finding", checked)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def acme_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Local git repos of the synthetic "acme" org under ``<root>/acme/<repo>``."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return make_acme_org(tmp_path_factory.mktemp("org"))


@pytest.fixture
def scan_args(acme_org: Path, tmp_path: Path) -> list[str]:
    """The CLI arguments of an offline scan of the acme fixture, with a cache of the test's own."""
    return [
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{acme_org}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
    ]


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"
