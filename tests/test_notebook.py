"""The example notebook executes against the offline Dragonfly fixture (so it cannot rot), and the DataFrames."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
NOTEBOOK = REPO_ROOT / "examples" / "dd-evidence.ipynb"


def test_frames(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    from tests.render.conftest import build_report

    report = build_report()
    criteria = report.to_frame()
    assert list(criteria.criterion) == [r.criterion for r in report.criteria]
    assert set(criteria.columns) >= {"criterion", "section", "requirement", "status", "todo"}
    findings = report.findings_frame()
    assert len(findings) == len(report.findings)
    governance = findings[findings.probe == "governance.docs_discoverable"].iloc[0]
    assert governance.criteria == ["gov-docs-discoverable"] and governance.evidence_url.startswith("https://")


@pytest.mark.realdata
def test_example_notebook_executes(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("pandas")
    if not (SHARED / "tools" / "build-fixture-org").is_file() or shutil.which("git") is None:
        pytest.skip(f"{SHARED} or git is absent: no Dragonfly fixture to scan")
    fixture = tmp_path / "org"
    subprocess.run(
        [
            str(SHARED / "tools/build-fixture-org"),
            str(SHARED / "data/dragonfly-2025-09-15"),
            str(fixture),
            "--later",
            str(SHARED / "data/dragonfly-latest"),
            "--history",
            str(SHARED / "data/dragonfly-history"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel inherits this process's environment: point it at the fixture and keep its cache in tmp.
    env = {"DD_EVIDENCE_FIXTURE": str(fixture), "DD_EVIDENCE_CACHE": str(tmp_path / "cache")}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "2025-08-19" in text  # the template revision in force on 2025-09-15
    assert any("text/html" in o.get("data", {}) for o in outputs if o.output_type == "execute_result")
