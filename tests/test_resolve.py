"""Project resolution over a small synthetic index (no ../shared), plus the index builder's parsers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dd_evidence.errors import EXIT_BAD_INPUT, BadInput, ProjectNotFound
from dd_evidence.resolve import (
    REPO_ROLES,
    ProjectRef,
    RepoRef,
    load_index,
    repo_role,
    resolve_project,
    suggest,
)

ROOT = Path(__file__).resolve().parents[1]


def _entry(display: str, repo_url: str | None, **fields: object) -> dict:
    owner = repo_url.split("/")[3] if repo_url else None
    entry = {
        "display_name": display,
        "aliases": [],
        "maturity": "sandbox",
        "accepted": "2020-01-01",
        "incubating": None,
        "graduated": None,
        "archived": None,
        "homepage": None,
        "repo_url": repo_url,
        "orgs": [owner] if owner else [],
        "extra_repos": [],
        "lfx_slug": None,
        "clomonitor_name": None,
        "devstats_url": None,
    }
    entry.update(fields)
    return entry


# Invented projects; only the shapes follow the bundled index.
INDEX: dict[str, dict] = {
    "dragonfly": _entry(
        "Dragonfly",
        "https://github.com/dragonflyoss/dragonfly",
        aliases=["d7y", "dragonflyoss"],
        maturity="graduated",
        accepted="2018-11-13",
        incubating="2020-04-09",
        graduated="2025-10-28",
        homepage="https://d7y.io/",
        extra_repos=[
            "dragonflyoss/.github",
            "dragonflyoss/community",
            "dragonflyoss/d7y.io",
            "dragonflyoss/nydus",
        ],
        lfx_slug="d7y",
        clomonitor_name="dragonfly",
        devstats_url="https://dragonfly.devstats.example/",
    ),
    "cloud-sweeper": _entry("Cloud Sweeper", "https://github.com/cloud-sweeper/sweeper", aliases=["sweeper"]),
    # Two projects in one org: the org belongs to "widget" by containment ("widgetworks" contains "widget").
    "widget": _entry("Widget", "https://github.com/widgetworks/widget", aliases=["widgetworks"]),
    "widget-kube": _entry(
        "WidgetKube",
        "https://github.com/widgetworks/widget-operator",
        aliases=["widgetworks"],
        accepted="2019-01-01",
    ),
    # Two projects sharing an org neither name resembles: the earlier accepted one wins.
    "alpha": _entry("Alpha", "https://github.com/sharedhome/alpha", accepted="2021-05-05"),
    "beta": _entry("Beta", "https://github.com/sharedhome/beta", accepted="2019-05-05"),
    # Lists a repo in a big vendor org; that org must not become this project's.
    "moved": _entry("Moved", "https://github.com/moved-io/moved", extra_repos=["bigvendor/moved"]),
    "oldmesh": _entry("Old Mesh", "https://github.com/oldmesh/oldmesh", maturity="archived", archived="2023-06-30"),
    "orgonly": _entry("OrgOnly", "https://github.com/OrgOnly", extra_repos=["OrgOnly/engine"]),
}


# ----------------------------------------------------------------------------------------------------------
# Names, display names, aliases


@pytest.mark.parametrize("query", ["dragonfly", "Dragonfly", "DRAGONFLY", "  dragonfly\n", "d7y", "dragonflyoss"])
def test_name_display_name_and_alias_resolve(query: str) -> None:
    ref = resolve_project(query, INDEX)
    assert ref.name == "dragonfly"
    assert ref.display_name == "Dragonfly"
    assert ref.orgs == ("dragonflyoss",)
    assert ref.main_repo == RepoRef("dragonflyoss", "dragonfly", "main")
    assert ref.in_index is True
    assert ref.local_path is None


def test_index_fields_are_carried_over() -> None:
    ref = resolve_project("dragonfly", INDEX)
    assert (ref.maturity, ref.accepted, ref.incubating, ref.graduated) == (
        "graduated",
        "2018-11-13",
        "2020-04-09",
        "2025-10-28",
    )
    assert ref.homepage == "https://d7y.io/"
    assert ref.lfx_slug == "d7y"
    assert ref.clomonitor_name == "dragonfly"
    assert ref.devstats_url == "https://dragonfly.devstats.example/"
    assert {r.full_name: r.role for r in ref.extra_repos} == {
        "dragonflyoss/.github": "org-profile",
        "dragonflyoss/community": "community",
        "dragonflyoss/d7y.io": "website",
        "dragonflyoss/nydus": "other",
    }


@pytest.mark.parametrize("query", ["Cloud Sweeper", "cloud sweeper", "CLOUD-SWEEPER", "cloud-sweeper", "sweeper"])
def test_display_name_with_spaces(query: str) -> None:
    assert resolve_project(query, INDEX).name == "cloud-sweeper"


def test_archived_project_resolves() -> None:
    ref = resolve_project("Old Mesh", INDEX)
    assert ref.name == "oldmesh"
    assert ref.maturity == "archived"


def test_shared_org_prefers_contained_name() -> None:
    assert resolve_project("widgetworks", INDEX).name == "widget"
    assert resolve_project("WidgetWorks", INDEX).name == "widget"


def test_shared_org_without_name_match_prefers_earliest_accepted() -> None:
    assert resolve_project("sharedhome", INDEX).name == "beta"
    assert resolve_project("https://github.com/sharedhome", INDEX).name == "beta"


def test_project_without_main_repo() -> None:
    ref = resolve_project("orgonly", INDEX)
    assert ref.main_repo is None
    assert ref.orgs == ("OrgOnly",)
    assert [r.full_name for r in ref.extra_repos] == ["OrgOnly/engine"]


# ----------------------------------------------------------------------------------------------------------
# owner/repo and URLs


@pytest.mark.parametrize(
    "query",
    [
        "dragonflyoss/dragonfly",
        "DragonflyOSS/Dragonfly",
        "dragonflyoss/dragonfly.git",
        "https://github.com/dragonflyoss/dragonfly",
        "https://github.com/dragonflyoss/dragonfly/",
        "https://github.com/dragonflyoss/dragonfly.git",
        "https://github.com/dragonflyoss/dragonfly/tree/main/docs",
        "https://github.com/dragonflyoss/dragonfly/blob/main/README.md",
        "http://www.github.com/DragonflyOSS/Dragonfly",
        "HTTPS://GITHUB.COM/dragonflyoss/dragonfly",
        "github.com/dragonflyoss/dragonfly",
        "git@github.com:dragonflyoss/dragonfly.git",
        "ssh://git@github.com/dragonflyoss/dragonfly.git",
        "https://github.com/dragonflyoss",
        "https://github.com/orgs/dragonflyoss",
    ],
)
def test_repo_and_url_forms(query: str) -> None:
    ref = resolve_project(query, INDEX)
    assert ref.name == "dragonfly"
    assert ref.in_index is True
    assert ref.main_repo is not None and ref.main_repo.full_name == "dragonflyoss/dragonfly"


def test_known_extra_repo_resolves_to_its_project() -> None:
    ref = resolve_project("dragonflyoss/nydus", INDEX)
    assert ref.name == "dragonfly"
    assert sum(r.full_name == "dragonflyoss/nydus" for r in ref.extra_repos) == 1


def test_repo_outside_the_projects_org_resolves_by_extra_repo() -> None:
    assert resolve_project("bigvendor/moved", INDEX).name == "moved"


def test_unknown_repo_in_known_org_is_added_to_the_project() -> None:
    ref = resolve_project("dragonflyoss/brand-new", INDEX)
    assert ref.name == "dragonfly"
    assert RepoRef("dragonflyoss", "brand-new", "other") in ref.extra_repos


def test_shared_org_repo_picks_project_by_repo_name() -> None:
    assert resolve_project("widgetworks/widget-operator", INDEX).name == "widget-kube"
    assert resolve_project("widgetworks/widget-kube-docs", INDEX).name == "widget-kube"
    assert resolve_project("widgetworks/unrelated", INDEX).name == "widget"


@pytest.mark.parametrize("query", ["someone/thing", "https://github.com/someone/thing.git", "Someone/Thing/"])
def test_unknown_owner_repo_is_ad_hoc(query: str) -> None:
    ref = resolve_project(query, INDEX)
    assert ref.in_index is False
    assert ref.orgs == (ref.orgs[0],) and ref.orgs[0].lower() == "someone"
    assert ref.main_repo is not None and ref.main_repo.full_name.lower() == "someone/thing"
    assert ref.main_repo.role == "main"
    assert ref.name == "thing"
    assert ref.maturity is None and ref.extra_repos == ()


def test_borrowed_org_is_not_a_project_org() -> None:
    ref = resolve_project("bigvendor/other", INDEX)
    assert ref.in_index is False


def test_unknown_org_url_is_ad_hoc_without_main_repo() -> None:
    ref = resolve_project("https://github.com/some-org", INDEX)
    assert (ref.name, ref.orgs, ref.main_repo, ref.in_index) == ("some-org", ("some-org",), None, False)


def test_enterprise_url_unknown_org_is_ad_hoc() -> None:
    ref = resolve_project("https://ghe.example.com/platform/billing", INDEX)
    assert ref.in_index is False
    assert ref.orgs == ("platform",)
    assert ref.main_repo == RepoRef("platform", "billing", "main")


def test_enterprise_url_with_index_org_resolves_to_project() -> None:
    ref = resolve_project("https://ghe.example.com/dragonflyoss/dragonfly.git", INDEX)
    assert ref.name == "dragonfly"
    assert ref.in_index is True


def test_url_without_owner_is_bad_input() -> None:
    with pytest.raises(BadInput):
        resolve_project("https://github.com/", INDEX)


# ----------------------------------------------------------------------------------------------------------
# Local directories


def _git_checkout(path: Path, origin: str | None) -> Path:
    (path / ".git").mkdir(parents=True)
    remote = f'[remote "origin"]\n\turl = {origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n' if origin else ""
    config = '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/elsewhere/x\n' + remote
    (path / ".git" / "config").write_text(config, encoding="utf-8")
    return path


def test_local_checkout_with_index_origin(tmp_path: Path) -> None:
    checkout = _git_checkout(tmp_path / "df-clone", "git@github.com:dragonflyoss/dragonfly.git")
    ref = resolve_project(str(checkout), INDEX)
    assert ref.name == "dragonfly"
    assert ref.in_index is True
    assert ref.local_path == checkout.resolve()
    assert ref.lfx_slug == "d7y"


def test_local_checkout_of_fixture_mirror(tmp_path: Path) -> None:
    # A clone of a local mirror laid out as <root>/<owner>/<repo>, as the test fixture org is.
    checkout = _git_checkout(tmp_path / "work", f"file://{tmp_path}/mirror/dragonflyoss/dragonfly")
    assert resolve_project(str(checkout), INDEX).name == "dragonfly"


def test_local_directory_named_like_project(tmp_path: Path) -> None:
    folder = tmp_path / "Dragonfly"
    folder.mkdir()
    ref = resolve_project(str(folder), INDEX)
    assert (ref.name, ref.local_path, ref.in_index) == ("dragonfly", folder.resolve(), True)


def test_local_directory_named_like_an_alias_is_ad_hoc(tmp_path: Path) -> None:
    # Aliases (orgs, repo names) are too generic for folder names; only names and display names count.
    folder = tmp_path / "sweeper"
    folder.mkdir()
    assert resolve_project(str(folder), INDEX).in_index is False


def test_local_checkout_with_unknown_origin_is_ad_hoc(tmp_path: Path) -> None:
    checkout = _git_checkout(tmp_path / "billing", "https://ghe.example.com/platform/billing-service.git")
    ref = resolve_project(str(checkout), INDEX)
    assert ref.in_index is False
    assert ref.local_path == checkout.resolve()
    assert ref.orgs == ("platform",)
    assert ref.main_repo == RepoRef("platform", "billing-service", "main")


def test_plain_local_directory_is_ad_hoc(tmp_path: Path) -> None:
    folder = tmp_path / "My-Tool"
    folder.mkdir()
    ref = resolve_project(str(folder), INDEX)
    assert (ref.name, ref.display_name, ref.orgs, ref.main_repo) == ("my-tool", "My-Tool", (), None)
    assert ref.in_index is False
    assert ref.local_path == folder.resolve()


def test_local_worktree_reads_the_common_config(tmp_path: Path) -> None:
    main = _git_checkout(tmp_path / "main", "https://github.com/dragonflyoss/dragonfly")
    linked = main / ".git" / "worktrees" / "feature"
    linked.mkdir(parents=True)
    (linked / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = tmp_path / "feature"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {linked}\n", encoding="utf-8")
    assert resolve_project(str(worktree), INDEX).name == "dragonfly"


def test_relative_and_file_url_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "dragonfly"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    for query in ("./dragonfly", "dragonfly/", folder.as_uri()):
        ref = resolve_project(query, INDEX)
        assert ref.local_path == folder.resolve(), query
    # Without "./" or a trailing slash the index name wins over the folder in the current directory.
    assert resolve_project("dragonfly", INDEX).local_path is None


def test_bare_word_naming_an_existing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mytool").mkdir()
    monkeypatch.chdir(tmp_path)
    ref = resolve_project("mytool", INDEX)
    assert ref.local_path == (tmp_path / "mytool").resolve()


def test_owner_repo_is_github_even_if_a_folder_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "someone" / "thing").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert resolve_project("someone/thing", INDEX).local_path is None
    assert resolve_project("./someone/thing", INDEX).local_path == (tmp_path / "someone" / "thing").resolve()


def test_missing_explicit_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not a directory"):
        resolve_project(str(tmp_path / "nope"), INDEX)


# ----------------------------------------------------------------------------------------------------------
# Errors and suggestions


def test_unknown_name_raises_with_suggestions() -> None:
    with pytest.raises(ProjectNotFound) as caught:
        resolve_project("dragonfy", INDEX)
    assert caught.value.suggestions == ["dragonfly"]
    assert caught.value.name == "dragonfy"
    assert caught.value.exit_code == EXIT_BAD_INPUT == 2
    assert isinstance(caught.value, BadInput)
    assert "dragonfly" in str(caught.value)


def test_org_like_word_is_not_accepted_offline() -> None:
    with pytest.raises(ProjectNotFound) as caught:
        resolve_project("kubernetes-sigs", INDEX)
    assert caught.value.suggestions == []


def test_path_like_garbage_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectNotFound):
        resolve_project("a/b/c", INDEX)


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_bad_input(query: str) -> None:
    with pytest.raises(BadInput) as caught:
        resolve_project(query, INDEX)
    assert not isinstance(caught.value, ProjectNotFound)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dragonfy", ["dragonfly"]),
        ("DRAGONFY", ["dragonfly"]),
        ("sweep", ["cloud-sweeper"]),  # substring of an alias
        ("widget-kub", ["widget-kube", "widget"]),
        ("zzzzzz", []),
        ("  ", []),
    ],
)
def test_suggest(query: str, expected: list[str]) -> None:
    assert suggest(query, INDEX) == expected


def test_suggest_limit() -> None:
    assert len(suggest("widget", INDEX, limit=1)) == 1
    assert suggest("widget", INDEX, limit=0) == []
    assert set(suggest("widget", INDEX)) == {"widget", "widget-kube"}


# ----------------------------------------------------------------------------------------------------------
# Repo roles


@pytest.mark.parametrize(
    ("owner", "repo", "main", "role"),
    [
        ("dragonflyoss", "dragonfly", "dragonfly", "main"),
        ("dragonflyoss", "Dragonfly", "dragonfly", "main"),
        ("dragonflyoss", "dragonfly", "dragonflyoss/dragonfly", "main"),
        ("fork-owner", "dragonfly", "dragonflyoss/dragonfly", "other"),
        ("dragonflyoss", ".github", "dragonfly", "org-profile"),
        ("dragonflyoss", "community", "dragonfly", "community"),
        ("dragonflyoss", "governance", None, "community"),
        ("dragonflyoss", "dragonflyoss-community", None, "community"),
        ("x", "community-meetings", None, "community"),
        ("dragonflyoss", "website", "dragonfly", "website"),
        ("dragonflyoss", "d7y.io", "dragonfly", "website"),
        ("x", "project.dev", None, "website"),
        ("x", "docs", None, "website"),
        ("x", "tool-website", None, "website"),
        ("dragonflyoss", "dragonflyoss.github.io", None, "website"),
        ("dragonflyoss", "nydus", "dragonfly", "other"),
        ("x", "client.net", None, "other"),
        ("x", "community", "community", "main"),  # the main repo keeps its role whatever its name
    ],
)
def test_repo_role(owner: str, repo: str, main: str | None, role: str) -> None:
    assert repo_role(owner, repo, main) == role
    assert role in REPO_ROLES


def test_refs_are_frozen_value_objects() -> None:
    ref = RepoRef("o", "r", "main")
    assert ref.full_name == "o/r"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.name = "x"  # type: ignore[misc]
    project = ProjectRef(name="p", display_name="P", orgs=("o",), main_repo=ref)
    assert project.in_index is True and project.extra_repos == () and project.local_path is None


# ----------------------------------------------------------------------------------------------------------
# Loading the index


def test_load_index_from_path(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"generated_from": {}, "projects": INDEX}), encoding="utf-8")
    loaded = load_index(path)
    assert loaded == INDEX
    assert load_index(path) is loaded  # cached
    assert resolve_project("d7y", loaded).name == "dragonfly"


def test_load_index_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        load_index(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInput):
        load_index(broken)


def test_bundled_index_loads() -> None:
    index = load_index()
    assert len(index) > 100
    assert all(key == key.lower() for key in index)
    assert resolve_project("dragonfly").name == "dragonfly"


# ----------------------------------------------------------------------------------------------------------
# The index builder (scripts/build_cncf_index.py), on synthetic landscape and CLOMonitor data


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_cncf_index", ROOT / "scripts" / "build_cncf_index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ITEM = {
    "name": "Widget (WG)",
    "homepage_url": "https://widget.example",
    "project": "incubating",
    "repo_url": "https://github.com/widgetworks/widget-core",
    "additional_repos": [{"repo_url": "https://github.com/widget-extras/plugin"}],
    "extra": {"lfx_slug": "widget", "accepted": dt.date(2020, 1, 2), "incubating": "2022-03-04"},
}
OTHER = {"name": "Not A Project", "repo_url": "https://github.com/x/y"}


def test_landscape_shapes(builder: ModuleType) -> None:
    live = {
        "landscape": [
            {
                "category": None,
                "name": "Cat",
                "subcategories": [
                    {
                        "subcategory": None,
                        "name": "Sub",
                        "items": [{"item": None, **ITEM}, {"item": None, **OTHER}],
                    },
                    {"subcategory": {"name": "Nested", "items": [{"item": ITEM}]}},
                ],
            }
        ]
    }
    assert [i["name"] for i in builder.landscape_items(live)] == ["Widget (WG)", "Widget (WG)"]
    assert "item" not in builder.landscape_items(live)[0]
    assert builder.landscape_items({"projects": [ITEM, OTHER]}) == [ITEM]
    assert builder.landscape_items([ITEM, OTHER]) == [ITEM]
    with pytest.raises(ValueError):
        builder.landscape_items("nonsense")


def test_build_entry_and_index(builder: ModuleType) -> None:
    clomonitor = [
        {
            "name": "widget-cm",
            "devstats_url": "https://widget.devstats.example/",
            # Matched by repo URL since the landscape item has no clomonitor_name.
            "repositories": [
                {"name": "core", "url": "https://github.com/widgetworks/widget-core/"},
                {"name": "site", "url": "https://github.com/widgetworks/widget.io"},
            ],
        }
    ]
    projects = builder.build_index([ITEM, ITEM], clomonitor)  # listed twice, as with second_path
    assert list(projects) == ["widget-wg"]
    entry = projects["widget-wg"]
    assert entry["display_name"] == "Widget (WG)"
    assert entry["maturity"] == "incubating"
    assert (entry["accepted"], entry["incubating"], entry["graduated"]) == ("2020-01-02", "2022-03-04", None)
    assert entry["orgs"] == ["widgetworks", "widget-extras"]
    assert entry["extra_repos"] == ["widget-extras/plugin", "widgetworks/widget.io"]
    assert entry["clomonitor_name"] == "widget-cm"
    assert entry["devstats_url"] == "https://widget.devstats.example/"
    assert entry["aliases"] == sorted(
        ["widget (wg)", "wg", "widget", "widget-cm", "widgetworks", "widget-extras", "widget-core"]
    )
    ref = resolve_project("wg", projects)
    assert ref.name == "widget-wg"
    assert ref.main_repo == RepoRef("widgetworks", "widget-core", "main")


def test_render_is_stable(builder: ModuleType) -> None:
    document = {"projects": builder.build_index([ITEM], []), "generated_from": {"landscape": {"file": "x"}}}
    text = builder.render(document)
    assert text == builder.render(json.loads(text))
    assert text.endswith("\n")
    assert text.index('"generated_from"') < text.index('"projects"')


@pytest.mark.parametrize("name", ["Dragonfly", "CDK for Kubernetes (CDK8s)", "A & B", "  K8s  Thing ", "kube-rs"])
def test_builder_and_resolver_share_the_name_key(builder: ModuleType, name: str) -> None:
    from dd_evidence.resolve import _name_key

    assert builder.name_key(name) == _name_key(name)
