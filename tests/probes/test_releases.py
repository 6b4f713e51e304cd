from __future__ import annotations

import pytest
from memrepo import context

from dd_evidence.catalogue import load_catalogue
from dd_evidence.model import Outcome
from dd_evidence.probes.releases import SUBITEMS, ReleaseProcessDocumented

COMPLETE = """# Shipping Acme

We cut a minor release every 3 months.

## Versions and tags

Stable versions are tagged `v1.2.3`; release candidates get an `-rc.N` suffix.
Security releases are patch releases announced with a CVE.

## Branches

Each minor gets a `release-1.2` branch; tags are cut from it.

## Support

Each minor is supported for 9 months. We build for linux and macos on amd64 and arm64.

## What we ship

Binaries, container images and a Helm chart.
"""

PARTIAL = """# Shipping Acme

Releases happen when features are ready.

Stable versions are tagged `v1.2.3`; pre-release versions add `-beta.N`.
The maintenance window is 6 months per minor version.
All release artifacts follow semver.
"""


def _by_item(files: dict[str, str], repo: str = "acme") -> dict[str, object]:
    return {f.subject.split(": ")[1]: f for f in ReleaseProcessDocumented().run(context({repo: files}, main=repo))}


def test_subitem_texts_are_the_templates() -> None:
    catalogue = load_catalogue("graduation")
    assert tuple(s.text for s in SUBITEMS) == catalogue.criterion("eng-release-process").subitems


def test_complete_document_covers_all_five() -> None:
    found = _by_item({"RELEASES.md": COMPLETE})
    assert all(f.outcome is Outcome.TRUE for f in found.values()), [f.message for f in found.values()]
    assert found["support"].values["covered"] == ["support window", "platforms"]
    assert found["tagging"].values["subitem"] == "Tagging as stable, unstable, and security related releases"
    assert found["artifacts"].evidence[0].url.endswith("RELEASES.md#L20")


def test_partial_document_reports_what_is_missing() -> None:
    found = _by_item({"docs/release.md": PARTIAL})
    outcomes = {k: f.outcome for k, f in found.items()}
    assert outcomes == {
        "expectations": Outcome.TRUE,
        "tagging": Outcome.FALSE,
        "branches": Outcome.FALSE,
        "support": Outcome.FALSE,
        "artifacts": Outcome.FALSE,
    }
    assert found["tagging"].values["missing"] == ["security"]
    assert found["tagging"].values["covered"] == ["stable", "unstable"]
    assert found["support"].values["missing"] == ["platforms"]
    # "release artifacts" alone names no kind of artifact.
    assert found["artifacts"].values["missing"] == ["artifact kinds"]


@pytest.mark.parametrize("name", ["RELEASE.md", "RELEASING.md", "docs/releases.md"])
def test_found_by_fuzzy_name_in_another_repo(name: str) -> None:
    ctx = context({"acme": {"README.md": "# Acme\n"}, "community": {name: COMPLETE}})
    found = list(ReleaseProcessDocumented().run(ctx))
    assert len(found) == 5
    assert found[0].values["documents"] == [f"community/{name}"]


def test_no_release_document_is_false_per_subitem() -> None:
    found = _by_item({"README.md": "# Acme\n"})
    assert len(found) == 5
    assert all(f.outcome is Outcome.FALSE for f in found.values())
