"""links.own_repo_names_current: links to the org's repositories under names the org no longer has.

Offline the scanned repositories are the org's listing; online a loopback fake GitHub says what became of a
suspect name (a 301 to the new name, a 404, or a repository that exists but was not scanned)."""

from __future__ import annotations

from pathlib import Path

from e2e.fakegithub import FakeGitHub, acme_data
from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.repo_links import MAX_LOOKUPS, OwnRepoNamesCurrent

COMMUNITY_README = """# Acme community

- Questions: [Discussions](https://github.com/acme/Acme2/discussions)
- Code: [acme](https://github.com/ACME/acme) and [community](https://github.com/acme/community/blob/main/x.md)
- People: [members](https://github.com/orgs/acme/people), [profile](https://github.com/acme/.github)
- Elsewhere: [other org](https://github.com/someone/Acme2)
"""


def repos(readme: str = COMMUNITY_README) -> dict[str, dict[str, str]]:
    return {"acme": {"README.md": "# Acme\n"}, "community": {"README.md": readme}}


def run(ctx) -> object:
    (finding,) = OwnRepoNamesCurrent().run(ctx)
    return finding


def online(gh: FakeGitHub, tmp_path: Path, files: dict[str, dict[str, str]] | None = None):
    ctx = context(files or repos(), roles={"community": "community"})
    ctx.config.offline = False
    ctx.config.github_api = gh.url
    ctx.config.cache_dir = tmp_path  # never the user's own cache
    return ctx


def test_offline_a_near_variant_of_a_scanned_name_is_a_likely_rename() -> None:
    finding = run(context(repos(), roles={"community": "community"}))
    assert finding.outcome is Outcome.FALSE
    (stale,) = finding.values["stale"]
    assert stale["file"] == "community/README.md" and stale["line"] == 3
    assert stale["name"] == "acme/Acme2" and stale["state"] == "likely_renamed" and stale["current"] == "acme/acme"
    assert "offline" in stale["reason"]
    assert "acme/Acme2: probably renamed to acme/acme (not confirmed" in finding.message
    # Case differences, /orgs/ pages, the org profile repo and other owners are not stale links.
    assert finding.values["links_checked"] == 3
    assert finding.evidence[0].url.endswith("/README.md#L3")


def test_offline_other_unknown_names_are_unverified_not_stale() -> None:
    """A scan may read only part of an org: an unrelated unknown name proves nothing offline."""
    readme = "Designs: [design](https://github.com/acme/design); chart: [c](https://github.com/acme/acme-chart)\n"
    finding = run(context(repos(readme)))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["unverified"] == ["acme/acme-chart", "acme/design"]
    assert "2 other repository name(s) not checked" in finding.message


def test_all_current_names() -> None:
    readme = "See [acme](https://github.com/acme/acme/tree/main/docs) and <https://github.com/acme/community>.\n"
    finding = run(context(repos(readme)))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["links_checked"] == 2 and finding.values["stale"] == []
    assert finding.values["unverified"] == []


def test_no_links_to_own_repos_is_not_applicable() -> None:
    finding = run(context(repos("Nothing to see: [site](https://acme.example).\n")))
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_enterprise_host_is_read_from_the_web_url() -> None:
    readme = "[old](https://ghe.example.com/acme/acme-v1) and [public](https://github.com/acme/acme-v1)\n"
    ctx = context(repos(readme))
    ctx.config.web_url = "https://ghe.example.com/{owner}/{repo}"
    finding = run(ctx)
    assert finding.outcome is Outcome.FALSE
    assert [s["url"] for s in finding.values["stale"]] == ["https://ghe.example.com/acme/acme-v1"]


def test_a_repo_that_failed_to_clone_is_known() -> None:
    ctx = context(repos(), roles={"community": "community"}, unreadable={"acme/Acme2": "git: clone failed"})
    assert run(ctx).outcome is Outcome.TRUE


def test_online_rename_is_confirmed_by_github(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        gh.fail("/repos/acme/acme2", status=301, times=5, headers={"Location": f"{gh.url}/repos/acme/acme"})
        finding = run(online(gh, tmp_path))
        asked = gh.hits["/repos/acme/acme2"]
    assert finding.outcome is Outcome.FALSE
    (stale,) = finding.values["stale"]
    assert stale["state"] == "renamed" and stale["current"] == "acme/acme"
    assert "acme/Acme2: renamed to acme/acme — community/README.md:3" in finding.message
    assert asked == 1


def test_online_missing_repo(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        finding = run(online(gh, tmp_path))
    assert finding.outcome is Outcome.FALSE
    assert finding.values["stale"][0]["state"] == "missing"
    assert "no such repository on GitHub" in finding.message


def test_online_archived_and_forked_repos_keep_their_names_without_lookups(tmp_path: Path) -> None:
    """Left out of the scan, but in the org's listing: no request per name, and not stale."""
    readme = "History in [old](https://github.com/acme/old); a fork: [f](https://github.com/acme/forked).\n"
    with FakeGitHub(acme_data()) as gh:
        finding = run(online(gh, tmp_path, repos(readme)))
        lookups = gh.hits["/repos/acme/old"] + gh.hits["/repos/acme/forked"]
    assert finding.outcome is Outcome.TRUE and lookups == 0


def test_online_only_likely_renames_are_looked_up_and_at_most_a_few(tmp_path: Path) -> None:
    """A name absent from the full listing is stale without a request; only near variants of a listed name
    (old names of it, probably) are worth asking about, and at most MAX_LOOKUPS of them."""
    olds = [f"acme{n}" for n in range(2, MAX_LOOKUPS + 4)]
    readme = "".join(f"[{name}](https://github.com/acme/{name})\n" for name in [*olds, "gone-away"])
    with FakeGitHub(acme_data()) as gh:
        finding = run(online(gh, tmp_path, repos(readme)))
        lookups = sum(n for path, n in gh.hits.items() if path.startswith("/repos/acme/"))
    assert lookups == MAX_LOOKUPS
    states = {s["name"]: s["state"] for s in finding.values["stale"]}
    assert list(states.values()).count("missing") == MAX_LOOKUPS
    assert states["acme/gone-away"] == "not_in_org"
    assert "not a repository of the org (not among the org's 4 repositories" in finding.message


def test_online_rate_limit_on_the_lookup_still_knows_the_name_is_not_in_the_org(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        gh.primary_rate_limit("/repos/acme/acme2", reset_in=3600)
        finding = run(online(gh, tmp_path))
    (stale,) = finding.values["stale"]
    assert stale["state"] == "not_in_org" and "rate limit" in stale["reason"]


def test_online_listing_unavailable_falls_back_to_the_offline_rule(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        gh.server_error("/orgs/acme/repos", status=503, times=10)
        finding = run(online(gh, tmp_path))
    (stale,) = finding.values["stale"]
    assert stale["state"] == "likely_renamed" and "503" in stale["reason"]


def test_a_legacy_repo_with_a_plural_sibling_is_not_called_a_rename() -> None:
    """An archived ``acme-chart`` next to a live ``acme-charts`` is a different repository, not an old name."""
    files = {**repos("[legacy chart](https://github.com/acme/acme-chart)\n"), "acme-charts": {"README.md": "# C\n"}}
    finding = run(context(files))
    assert finding.outcome is Outcome.TRUE and finding.values["unverified"] == ["acme/acme-chart"]


def test_a_mixed_case_name_is_not_renamed_to_itself(tmp_path: Path) -> None:
    """GitHub spells the org its own way (wasmCloud, Project-HAMi, AthenZ): the answer for the name as written,
    in another case, is the same repository, not a rename."""
    from dd_evidence.probes.repo_links import _ask

    data = acme_data()
    data["orgs"]["wasmCloud"] = {**data["orgs"]["acme"], "login": "wasmCloud"}
    data["repos"]["wasmCloud/wasmCloud"] = {**data["repos"]["acme/acme"], "name": "wasmCloud"}
    data["repos"]["wasmCloud/wasmCloud"]["full_name"] = "wasmCloud/wasmCloud"
    with FakeGitHub(data) as gh:
        ctx = online(gh, tmp_path)
        for owner, name in (("wasmCloud", "wasmCloud"), ("wasmcloud", "wasmcloud"), ("WASMCLOUD", "WasmCloud")):
            assert _ask(ctx, owner, name).state != "renamed", (owner, name)
