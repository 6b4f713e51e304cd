"""The bundled CNCF index against the real landscape and CLOMonitor files in ../shared (skipped when absent)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dd_evidence.errors import ProjectNotFound
from dd_evidence.resolve import load_index, resolve_project, suggest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
CNCF = SHARED / "data" / "cncf"
LANDSCAPE = CNCF / "landscape-projects.yaml"
CLOMONITOR = CNCF / "clomonitor-cncf.yaml"
SCRIPT = ROOT / "scripts" / "build_cncf_index.py"
BUNDLED = ROOT / "dd_evidence" / "data" / "cncf-projects.json"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not (LANDSCAPE.is_file() and CLOMONITOR.is_file()), reason="../shared/data/cncf is not available"
    ),
]


def _build(*extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--landscape", str(LANDSCAPE), "--clomonitor", str(CLOMONITOR)]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=120, check=False)


def test_regenerating_from_shared_equals_the_bundled_index(tmp_path: Path) -> None:
    out = tmp_path / "cncf-projects.json"
    result = _build("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == BUNDLED.read_text(encoding="utf-8")


def test_check_flag(tmp_path: Path) -> None:
    assert _build("--check", "--out", str(BUNDLED)).returncode == 0
    stale = json.loads(BUNDLED.read_text(encoding="utf-8"))
    stale["projects"]["dragonfly"]["maturity"] = "sandbox"
    stale_path = tmp_path / "stale.json"
    stale_path.write_text(json.dumps(stale), encoding="utf-8")
    result = _build("--check", "--out", str(stale_path))
    assert result.returncode == 1
    assert '"maturity": "graduated"' in result.stdout
    assert json.loads(stale_path.read_text(encoding="utf-8")) == stale  # --check writes nothing


def test_bundled_index_shape() -> None:
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    assert document["generated_from"]["landscape"]["file"] == LANDSCAPE.name
    projects = document["projects"]
    assert 250 <= len(projects) <= 260
    assert list(projects) == sorted(projects)
    maturities = {entry["maturity"] for entry in projects.values()}
    assert maturities == {"sandbox", "incubating", "graduated", "archived"}


@pytest.mark.parametrize(
    "query",
    [
        "dragonfly",
        "Dragonfly",
        "dragonflyoss",
        "https://github.com/dragonflyoss/dragonfly",
        "dragonflyoss/dragonfly",
    ],
)
def test_dragonfly_forms(query: str) -> None:
    ref = resolve_project(query, load_index(BUNDLED))
    assert ref.display_name == "Dragonfly"
    assert ref.orgs == ("dragonflyoss",)
    assert ref.lfx_slug == "d7y"
    assert ref.maturity == "graduated"
    assert ref.main_repo is not None and ref.main_repo.full_name == "dragonflyoss/dragonfly"
    assert ref.in_index is True


def test_dragonfly_typo_suggests_dragonfly() -> None:
    index = load_index(BUNDLED)
    assert suggest("dragonfy", index)[0] == "dragonfly"
    with pytest.raises(ProjectNotFound) as caught:
        resolve_project("dragonfy", index)
    assert "dragonfly" in caught.value.suggestions
    assert caught.value.exit_code == 2


def test_every_project_resolves_by_name_display_name_and_main_repo() -> None:
    index = load_index(BUNDLED)
    for key, entry in index.items():
        assert resolve_project(key, index).name == key
        assert resolve_project(entry["display_name"], index).name == key
        ref = resolve_project(entry["repo_url"], index) if entry["repo_url"] else None
        if ref is not None and ref.main_repo is not None:
            assert ref.name == key, entry["repo_url"]


def test_every_alias_resolves_to_a_project_that_has_it() -> None:
    index = load_index(BUNDLED)
    for entry in index.values():
        for alias in entry["aliases"]:
            ref = resolve_project(alias, index)
            assert ref.in_index, alias


def test_archived_project_resolves() -> None:
    ref = resolve_project("OpenTracing", load_index(BUNDLED))
    assert ref.maturity == "archived"
    assert ref.incubating is not None
