from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.project_docs import (
    ArchitectureDocumented,
    IntegrationsDocumented,
    ReadmeExplainsProject,
    UserDocsPublished,
)

GOOD_README = """# Acme

[![build](https://ci.example/badge.svg)](https://ci.example)

Acme moves large files between clusters quickly by sharing pieces among peers, so registries stay cool.

## Use cases

- Spreading images to thousands of nodes.

## Install

Run the installer.
"""
BARE_README = """# Acme

[![build](https://ci.example/badge.svg)](https://ci.example)

## Install

Run the installer.
"""


def test_readme_explains_project() -> None:
    (f,) = ReadmeExplainsProject().run(context({"acme": {"README.md": GOOD_README}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["intro_line"] == 5
    assert f.values["feature_sections"] == ["L7: Use cases"]


def test_readme_without_intro_or_features() -> None:
    (f,) = ReadmeExplainsProject().run(context({"acme": {"README.md": BARE_README}}))
    assert f.outcome is Outcome.FALSE
    assert "introduction" in f.message and "features" in f.message


def test_architecture_documented_in_website_repo() -> None:
    ctx = context({"acme": {"README.md": BARE_README}, "site": {"docs/concepts/architecture.md": "# Arch\n"}})
    (f,) = ArchitectureDocumented().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.values["documents"] == ["site/docs/concepts/architecture.md"]


def test_design_templates_and_examples_are_no_architecture_document() -> None:
    blanks = {
        "README.md": BARE_README,
        "design/_template.md": "# Title\n\n## Summary\n",
        "design/0000-template.md": "# KEP-0000\n",
        "examples/shop/architecture.md": "# The shop's architecture\n",
    }
    (f,) = ArchitectureDocumented().run(context({"acme": blanks}))
    assert f.outcome is Outcome.FALSE and f.values["documents"] == []
    (g,) = ArchitectureDocumented().run(context({"acme": {**blanks, "design/bmc-events.md": "# BMC events\n"}}))
    assert g.outcome is Outcome.TRUE and g.values["documents"] == ["acme/design/bmc-events.md"]
    assert g.message.endswith("e.g. acme/design/bmc-events.md")


def test_only_a_diagram_is_not_enough() -> None:
    ctx = context({"acme": {"README.md": BARE_README, "img/architecture.png": "png"}})
    (f,) = ArchitectureDocumented().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert f.values["diagrams"] == ["acme/img/architecture.png"]


def test_integrations_name_cncf_projects() -> None:
    files = {
        "docs/integrations/harbor.md": "# Using Acme with Harbor\n",
        "docs/integrations/runtimes/containerd.md": "# containerd\n",
        "docs/integrations/fancy-tool.md": "# Fancy tool\n\n## Scraping with Prometheus\n",
    }
    (f,) = IntegrationsDocumented().run(context({"acme": {"README.md": BARE_README}, "site": files}))
    assert f.outcome is Outcome.TRUE
    assert set(f.values["cncf_projects"]) == {"Harbor", "containerd", "Prometheus"}
    assert f.values["cncf_projects"]["Prometheus"] == ["site/docs/integrations/fancy-tool.md#L3"]
    assert list(f.values["non_cncf"]) == ["fancy-tool"]


def test_no_integrations() -> None:
    (f,) = IntegrationsDocumented().run(context({"acme": {"README.md": BARE_README}}))
    assert f.outcome is Outcome.FALSE


def test_testing_headings_are_not_integrations_but_an_integrations_section_is_named() -> None:
    testing = BARE_README + "\n## Integration tests\n\nmake e2e\n\n## Continuous Integration\n\nCI runs.\n"
    (f,) = IntegrationsDocumented().run(context({"acme": {"README.md": testing}}))
    assert f.outcome is Outcome.FALSE and f.values["readme_sections"] == []
    real = testing + "\n## Integrations\n\nWorks with Prometheus.\n"
    (g,) = IntegrationsDocumented().run(context({"acme": {"README.md": real}}))
    assert g.outcome is Outcome.TRUE
    line = real.splitlines().index("## Integrations") + 1
    assert g.values["readme_sections"] == [f"acme/README.md#L{line}: Integrations"]
    assert g.message.startswith(f"0 integration page(s), 1 README section(s) (first acme/README.md#L{line}: ")
    assert g.values["cncf_projects"] == {"Prometheus": [f"acme/README.md#L{line + 2}"]}


def test_user_docs_from_tree_or_readme_link() -> None:
    (f,) = UserDocsPublished().run(context({"acme": {"README.md": BARE_README, "docs/quick-start.md": "# QS\n"}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["pages"] == ["acme/docs/quick-start.md"]
    linked = BARE_README + "\nRead the [documentation](https://acme.example/docs/).\n"
    (g,) = UserDocsPublished().run(context({"acme": {"README.md": linked}}))
    assert g.outcome is Outcome.TRUE
    assert g.values["readme_links"] == ["acme/README.md#L9: https://acme.example/docs/"]


def test_no_user_docs() -> None:
    (f,) = UserDocsPublished().run(context({"acme": {"README.md": BARE_README}}))
    assert f.outcome is Outcome.FALSE


def test_integration_headings_match_whole_words_longest_name_first() -> None:
    files = {
        "docs/integrations/observability.md": (
            "# Observability\n\n## Exporting to OpenTelemetry\n\n## Prometheus-style counters\n\n## Harborside notes\n"
        ),
    }
    (f,) = IntegrationsDocumented().run(context({"acme": {"README.md": BARE_README}, "site": files}))
    found = f.values["cncf_projects"]
    # "OpenTelemetry" is matched as itself, never as a shorter name inside it; "Prometheus-style" and
    # "Harborside" are not whole words, so neither names a project.
    assert found == {"OpenTelemetry": ["site/docs/integrations/observability.md#L3"]}
