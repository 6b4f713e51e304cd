"""Website sources: generator, hosts and the source file behind a published URL; stubs that point at the website."""

from __future__ import annotations

from memrepo import context

from dd_evidence.facts import locate, project_map
from dd_evidence.model import Outcome
from dd_evidence.probes.documents import GovernancePresent, MaintainersPresent

LONG = "\n".join(f"Rule {i} of the project." for i in range(12)) + "\n"
ROSTER = "| Name | GitHub | Company |\n|---|---|---|\n| Ann Lee | @ann | Acme |\n| Bo Chen | @bo | Beta |\n"
MOVED = "# Maintainers\n\nMoved to <https://acme.io/docs/community/governance/>\n"

DOCUSAURUS = """module.exports = {
  title: 'Acme',
  url: 'https://acme.io',
  baseUrl: '/',
  presets: [['classic', { docs: { sidebarPath: './sidebars.js' } }]],
  plugins: [[
    '@docusaurus/plugin-content-docs',
    { id: 'community', path: 'community', routeBasePath: 'contribute' },
  ]],
};
"""
HUGO = 'baseURL = "https://www.acme.io/"\ntitle = "Acme"\n[languages.en]\ncontentDir = "content/en"\n'


def test_docusaurus_site_in_the_main_repo_resolves_a_moved_roster() -> None:
    ctx = context(
        {
            "acme": {
                "MAINTAINERS.md": MOVED,
                "website/docusaurus.config.js": DOCUSAURUS,
                "website/docs/01-intro.md": "# Intro\n\n" + LONG,
                "website/docs/community/governance.md": "# Governance\n\n" + LONG + "\n## Maintainers\n\n" + ROSTER,
                "website/community/ladder.mdx": "# Contributor Ladder\n\n" + LONG,
            }
        }
    )
    pmap = project_map(ctx)
    (site,) = pmap.sites
    assert (site.generator, site.config, site.hosts) == ("docusaurus", "website/docusaurus.config.js", {"acme.io"})
    assert site.source_of("/docs/intro") == "website/docs/01-intro.md"
    assert site.source_of("/contribute/ladder/") == "website/community/ladder.mdx"
    stub = pmap.doc(ctx.repos[0], "MAINTAINERS.md")
    assert stub is not None and stub.points_to == "https://acme.io/docs/community/governance/"
    assert stub.target is not None and stub.target.path == "website/docs/community/governance.md"
    (roster,) = pmap.documents("maintainers")
    assert roster.path == "website/docs/community/governance.md"
    assert roster.why("maintainers") == "pointed to by acme/MAINTAINERS.md"
    (finding,) = MaintainersPresent().run(ctx)
    assert finding.outcome is Outcome.TRUE and finding.values["found"] == ["acme/website/docs/community/governance.md"]


def test_hugo_site_in_a_separate_website_repo() -> None:
    stub = "# Governance\n\nThe governance has moved to https://acme.io/docs/community/governance/ .\n"
    ctx = context(
        {
            "acme": {"GOVERNANCE.md": stub},
            "acme.io": {
                "config.toml": HUGO,
                "content/en/docs/community/governance/_index.md": "---\ntitle: Governance\n---\n\n" + LONG,
                "content/en/blog/2024-01-01-news/index.md": "# News\n",
            },
        },
        roles={"acme.io": "website"},
    )
    pmap = project_map(ctx)
    (site,) = pmap.sites
    assert site.generator == "hugo" and site.hosts == {"acme.io"}
    # With or without a language prefix, with or without a trailing slash.
    assert site.source_of("/en/docs/community/governance") == "content/en/docs/community/governance/_index.md"
    (finding,) = GovernancePresent().run(ctx)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["found"] == ["acme.io/content/en/docs/community/governance/_index.md"]
    assert finding.values["stubs"] == {"acme/GOVERNANCE.md": "https://acme.io/docs/community/governance/"}


def test_mkdocs_site_url_and_cname_hosts() -> None:
    ctx = context(
        {
            "acme": {"README.md": "# Acme\n"},
            "docs-site": {
                "mkdocs.yml": "site_name: Acme\nsite_url: https://docs.acme.dev/\ndocs_dir: pages\n",
                "pages/project/governance.md": "# Governance\n\n" + LONG,
                "CNAME": "acme.dev\n",
            },
        }
    )
    (site,) = project_map(ctx).sites
    assert site.hosts == {"docs.acme.dev", "acme.dev"}
    assert site.host_sources["acme.dev"] == "CNAME"
    assert site.source_of("/project/governance/") == "pages/project/governance.md"
    assert [d.label for d in locate(ctx, "governance")] == ["docs-site/pages/project/governance.md"]


def test_the_readme_website_link_names_the_host_of_a_site_without_one() -> None:
    jekyll = "title: Acme\n"  # no url: the host comes from the README
    ctx = context(
        {
            "acme": {
                "README.md": "# Acme\n\n[Website](https://acme.example/)\n",
                "MAINTAINERS.md": MOVED.replace("acme.io/docs/community/governance/", "acme.example/community/"),
            },
            "acme-site": {"_config.yml": jekyll, "community.md": "# Community\n\n" + LONG + ROSTER},
        },
        roles={"acme-site": "website"},
    )
    pmap = project_map(ctx)
    (site,) = pmap.sites
    assert site.hosts == {"acme.example"} and site.host_sources["acme.example"] == "project homepage"
    (roster,) = pmap.documents("maintainers")
    assert roster.label == "acme-site/community.md"


def test_a_link_to_an_unscanned_site_leaves_the_stub_unresolved() -> None:
    ctx = context({"acme": {"MAINTAINERS.md": MOVED}})
    (stub,) = locate(ctx, "maintainers")
    assert stub.is_stub and stub.target is None
    (finding,) = MaintainersPresent().run(ctx)
    assert finding.outcome is Outcome.FALSE
    assert "https://acme.io/docs/community/governance/" in finding.message
