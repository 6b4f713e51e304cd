"""Where the foundation's maintainer CSV comes from: a local copy, a live download, or nothing offline."""

from __future__ import annotations

import httpx
import pytest
from memrepo import context

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.cncf import DATA_ENV, MAINTAINERS_CSV_URL, maintainers_csv_text
from dd_evidence.sources.http import HttpClient

CSV = ",Project,Maintainer Name,Company,Github Name,OWNERS/MAINTAINERS\nSandbox,Acme,Ada Example,Example,ada,x\n"


def test_live_download_when_online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_ENV, raising=False)
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text=CSV)

    ctx = context({"acme": {}})
    ctx.config.offline = False
    ctx.client("http", lambda: HttpClient(transport=httpx.MockTransport(handler), sleep=lambda _s: None))
    assert maintainers_csv_text(ctx) == CSV
    assert asked == [MAINTAINERS_CSV_URL]


def test_local_copy_wins_and_offline_without_one_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / "project-maintainers.csv").write_text(CSV)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    ctx = context({"acme": {}})
    ctx.config.offline = True
    assert maintainers_csv_text(ctx) == CSV
    monkeypatch.delenv(DATA_ENV)
    offline = context({"acme": {}})
    offline.config.offline = True
    with pytest.raises(SourceUnavailable, match="offline"):
        maintainers_csv_text(offline)


# The ways project-maintainers.csv names projects (synthetic rows in its layout: maturity, Project, name, company,
# handle, roster URL; the Project cell only on a block's first row).
BLOCKS = """,Project,Maintainer Name,Company,Github Name,OWNERS/MAINTAINERS
Graduated,Orbit steering,Ann One,Alpha,ann,https://example.org/a
,,Ben Two,Beta,ben,
Graduated,Orbit maintainers,Cat Three,Gamma,cat,https://example.org/b
Graduated,Meshy: Maintainers,Dan Four,Delta,dan,https://example.org/c
Graduated,Meshy: Steering Committee,Eve Five,Epsilon,eve,
Graduated,TUF (The Update Framework),Fay Six,Zeta,fay,https://example.org/d
Incubating,ChaosMesh,Gus Seven,Eta,gus,https://example.org/e
Incubating,Open Policy Agent,Hal Eight,Theta,hal,https://example.org/f
Incubating,Crane (Governance Committee),Ida Nine,Iota,ida,https://example.org/g
Incubating,Crane Pipelines,Jon Ten,Kappa,jon,https://example.org/h
Sandbox,Spin,Kim Eleven,Lambda,kim,https://example.org/i
Sandbox,SpinKube,Lou Twelve,Mu,lou,https://example.org/j
"""


@pytest.mark.parametrize(
    ("names", "handles"),
    [
        (["Orbit", "orbit"], ["ann", "ben", "cat"]),  # split into blocks named "<project> <body>"
        (["Meshy"], ["dan", "eve"]),  # "<project>: <body>"
        (["The Update Framework (TUF)", "the-update-framework-tuf", "tuf"], ["fay"]),  # long and short forms
        (["Chaos Mesh", "chaos-mesh"], ["gus"]),  # spelled together
        (["Open Policy Agent (OPA)", "opa"], ["hal"]),  # the parenthesis dropped
        (["Crane", "tektonish"], ["ida"]),  # the project's own block, not its subprojects'
        (["Spin"], ["kim"]),  # a name is a word, never a prefix of another project's name
        (["SpinKube", "spinkube"], ["lou"]),
        (["Nothing Here", "nothing-here"], []),
    ],
)
def test_blocks_are_found_under_the_names_a_project_goes_by(names: list[str], handles: list[str]) -> None:
    from dd_evidence.sources.cncf import maintainers_matching

    assert [row.handle for row in maintainers_matching(BLOCKS, names)] == handles


def test_index_aliases_that_name_another_project_are_not_used() -> None:
    """SPIRE's alias "spiffe" (its GitHub org) is the SPIFFE project: SPIRE must not take SPIFFE's rows."""
    from dd_evidence.resolve import _ref_from_entry, load_index
    from dd_evidence.sources.cncf import project_names

    index = load_index()
    if "spire" not in index or "spiffe" not in index:
        pytest.skip("the bundled index has no SPIRE/SPIFFE entries")
    names = project_names(_ref_from_entry("spire", index["spire"]))
    assert "spiffe" not in [n.lower() for n in names] and "SPIRE" in names
