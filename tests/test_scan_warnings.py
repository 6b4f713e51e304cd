"""One warning line per repository whose origin did not answer, not one for the refresh and one for the documents."""

from __future__ import annotations

from types import SimpleNamespace

from dd_evidence.scan import _warn_unfetched

DOWN = "fatal: unable to access 'https://github.com/acme/web.git/': Could not resolve host: github.com"


def test_documents_not_fetched_for_the_same_failure_join_the_refresh_line() -> None:
    workspace = SimpleNamespace(
        warnings=[f"acme/web: could not refresh the cached clone ({DOWN}); using the cache", "acme/api: other"]
    )
    _warn_unfetched(workspace, "acme/web", DOWN)  # type: ignore[arg-type]
    assert workspace.warnings == [
        f"acme/web: could not refresh the cached clone ({DOWN}); using the cache, without the documents it lacks "
        "(they could not be fetched either)",
        "acme/api: other",
    ]


def test_another_failure_or_another_repo_keeps_its_own_line() -> None:
    workspace = SimpleNamespace(warnings=[f"acme/web: could not refresh the cached clone ({DOWN}); using the cache"])
    _warn_unfetched(workspace, "acme/web", "timed out after 300 s")  # type: ignore[arg-type]
    _warn_unfetched(workspace, "acme/api", DOWN)  # type: ignore[arg-type]
    assert workspace.warnings[1:] == [
        "acme/web: could not fetch its documents up front (timed out after 300 s)",
        f"acme/api: could not fetch its documents up front ({DOWN})",
    ]
