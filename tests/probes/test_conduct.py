from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.conduct import CocAdoptsCncf, CocCrosslinked, CocHasReportingContact

CNCF_LINK = "https://github.com/cncf/foundation/blob/main/code-of-conduct.md"
ADOPTS = f"# Conduct\n\nWe abide by the [CNCF Code of Conduct]({CNCF_LINK}).\n"
ADOPTS_OLD_PATH = "# Conduct\n\nSee https://github.com/cncf/foundation/blob/master/code-of-conduct.md please.\n"
OWN_COC = "# Conduct\n\nBe kind. Moderators decide.\n"
GOV_LINKING = (
    "# Rules\n\nIntro.\n\n## Conduct\n\nWe follow the [code](CODE_OF_CONDUCT.md).\n{extra}"
    "\n## Votes\n\nMail votes@acme.example.\n"
)


def test_adopts_by_link_or_by_name() -> None:
    (f,) = CocAdoptsCncf().run(context({"acme": {"CODE_OF_CONDUCT.md": ADOPTS}}))
    assert f.outcome is Outcome.TRUE
    assert f.evidence[0].url.endswith("CODE_OF_CONDUCT.md#L3")
    text_only = "# Conduct\n\nThis project uses the CNCF Community Code of Conduct.\n"
    (f,) = CocAdoptsCncf().run(context({"acme": {".github/CODE_OF_CONDUCT.md": text_only}}))
    assert f.outcome is Outcome.TRUE


def test_own_coc_or_none_does_not_adopt() -> None:
    (f,) = CocAdoptsCncf().run(context({"acme": {"CODE_OF_CONDUCT.md": OWN_COC}}))
    assert f.outcome is Outcome.FALSE
    assert f.values["checked"] == ["acme/CODE_OF_CONDUCT.md"]
    (f,) = CocAdoptsCncf().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.FALSE


def test_contact_in_coc_file() -> None:
    coc = ADOPTS + "\nReport incidents to [the team](mailto:conduct@acme.example).\n"
    (f,) = CocHasReportingContact().run(context({"acme": {"CODE_OF_CONDUCT.md": coc}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["contacts"] == ["mailto:conduct@acme.example"]
    assert f.evidence[0].url.endswith("#L5")


def test_contact_in_the_governance_section_linking_the_coc() -> None:
    gov = GOV_LINKING.format(extra="Reports go to https://forms.gle/xyz.\n")
    (f,) = CocHasReportingContact().run(context({"acme": {"CODE_OF_CONDUCT.md": ADOPTS, "GOVERNANCE.md": gov}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["contacts"] == ["form:https://forms.gle/xyz"]


def test_address_outside_the_linking_section_does_not_count() -> None:
    gov = GOV_LINKING.format(extra="Tell the maintainers.\n")
    ctx = context({"acme": {"CODE_OF_CONDUCT.md": ADOPTS_OLD_PATH, "GOVERNANCE.md": gov}})
    (f,) = CocHasReportingContact().run(ctx)
    assert f.outcome is Outcome.FALSE
    assert "acme/GOVERNANCE.md#L5-L8" in f.values["checked"]
    assert f.values["old_cncf_path"] == ["acme/CODE_OF_CONDUCT.md"]


def test_no_coc_anywhere_is_false() -> None:
    (f,) = CocHasReportingContact().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.FALSE


def test_crosslinked_from_governance_and_contributing() -> None:
    link = "See the [Code of Conduct](CODE_OF_CONDUCT.md).\n"
    files = {"CODE_OF_CONDUCT.md": ADOPTS, "GOVERNANCE.md": "# Gov\n\n" + link, "CONTRIBUTING.md": "# How\n\n" + link}
    (f,) = CocCrosslinked().run(context({"acme": {**files, "README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["linking"] == ["acme/GOVERNANCE.md", "acme/CONTRIBUTING.md"]
    assert f.values["not_linking"] == []


def test_a_governance_link_is_enough_and_a_contributing_gap_is_a_recommendation() -> None:
    files = {
        "GOVERNANCE.md": "# Gov\n\nSee [conduct](https://github.com/cncf/foundation/blob/main/code-of-conduct.md).\n",
        "CONTRIBUTING.md": "# How\n\nFollow the [rules](#code-of-conduct) below.\n\n## Code of Conduct\n\nBe nice.\n",
    }
    (f,) = CocCrosslinked().run(context({"acme": files}))
    assert f.outcome is Outcome.TRUE
    assert f.values["contributing_not_linking"] == ["acme/CONTRIBUTING.md"]
    assert "a recommendation" in f.message
    assert f.evidence[0].url.endswith("GOVERNANCE.md#L3")


def test_a_contributing_guide_link_counts_too() -> None:
    files = {
        "CODE_OF_CONDUCT.md": ADOPTS,
        "GOVERNANCE.md": "# Gov\n\n" + "\n".join(f"Rule {i}." for i in range(8)),
        "CONTRIBUTING.md": "# How\n\nRead our [Code of Conduct](CODE_OF_CONDUCT.md) first.\n",
    }
    (f,) = CocCrosslinked().run(context({"acme": files}))
    assert f.outcome is Outcome.TRUE and f.values["linking"] == ["acme/CONTRIBUTING.md"]


def test_a_project_code_that_never_mentions_the_cncf_is_not_the_cncf_code() -> None:
    own = "# Code of Conduct\n\nWe pledge to be kind.\n\nReport problems to conduct@acme.example.\n\nBe excellent.\n"
    files = {
        "CODE_OF_CONDUCT.md": own,
        "GOVERNANCE.md": "# Gov\n\nAll follow our [Code of Conduct](CODE_OF_CONDUCT.md).\n\n## Votes\n\nBy majority.\n",
    }
    (f,) = CocCrosslinked().run(context({"acme": files}))
    assert f.outcome is Outcome.FALSE
    assert "does not adopt the CNCF Code of Conduct" in f.message
    assert f.values["links_to_non_cncf_coc"] == ["acme/GOVERNANCE.md#L3"]


def test_only_a_readme_linking_the_code_is_not_enough() -> None:
    files = {
        "CODE_OF_CONDUCT.md": ADOPTS,
        "README.md": "# Acme\n\n[Code of Conduct](CODE_OF_CONDUCT.md)\n",
        "GOVERNANCE.md": "# Gov\n\n" + "\n".join(f"Rule {i}." for i in range(8)),
    }
    (f,) = CocCrosslinked().run(context({"acme": files}))
    assert f.outcome is Outcome.FALSE
    assert f.values["readmes_linking"] == ["acme/README.md"]


def test_a_code_of_conduct_section_of_the_governance_when_there_is_no_file() -> None:
    from dd_evidence.probes.documents import CodeOfConductPresent

    governance = (
        "# Governance\n\n## Voting\n\nBy majority.\n\n## Code of Conduct\n\nWe follow the "
        "[CNCF Code of Conduct](https://github.com/cncf/foundation/blob/main/code-of-conduct.md). Report issues to "
        "conduct@acme.example.\n"
    )
    ctx = context({"acme": {"GOVERNANCE.md": governance}})
    (present,) = CodeOfConductPresent().run(ctx)
    assert present.outcome is Outcome.TRUE and present.values["sections"] == ["acme/GOVERNANCE.md#L7: Code of Conduct"]
    (adopts,) = CocAdoptsCncf().run(ctx)
    assert adopts.outcome is Outcome.TRUE and adopts.evidence[0].url.endswith("GOVERNANCE.md#L9")
    (contact,) = CocHasReportingContact().run(ctx)
    assert contact.outcome is Outcome.TRUE and "conduct@acme.example" in contact.message
