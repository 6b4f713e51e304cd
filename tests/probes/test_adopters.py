from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.adopters import (
    AdoptersListPublished,
    AdoptersNoDuplicates,
    AdoptionLevelsStated,
    adopter_key,
    entries,
)

PARAGRAPHS = """# Who uses Acme

Tell us if you do.

## Clouds

**_[Nimbus Cloud](https://nimbus.example)_** - Offers Acme as a managed add-on.

## Companies

**[Bolt Ltd.](https://bolt.example)** - Moving files around.

**[Quill](https://quill.example)** - Moving files around.

**[bolt](https://bolt.example)** - Moving more files around.
"""
TABLE = """# Adopters

| Organisation | Usage | Since |
| --- | --- | --- |
| Fernbank | Production | 2022 |
| Ozone Labs | Evaluation | 2024 |
"""
BULLETS = """# Adopters

## How to add yourself

- open a pull request

## Users

- [Kestrel](https://kestrel.example): runs it in production for builds
- Lumen - trying it out
"""


def test_entries_of_each_shape() -> None:
    assert [e.name for e in entries(PARAGRAPHS)] == ["Nimbus Cloud", "Bolt Ltd.", "Quill", "bolt"]
    assert [(e.name, e.level) for e in entries(TABLE)] == [("Fernbank", "production"), ("Ozone Labs", "evaluation")]
    assert [(e.name, e.line) for e in entries(BULLETS)] == [("Kestrel", 9), ("Lumen", 10)]
    logos = "# Adopters\n\n[![Pinecone](logos/pine.png)](https://pine.example) [![Tern](t.svg)](https://t.example)\n"
    assert [e.kind for e in entries(logos)] == ["logo", "logo"]
    headings = "# Adopters\n\n## Users\n\n### Marlin\n\nUses it.\n\n### Puffin\n\nAlso.\n"
    assert [e.name for e in entries(headings)] == ["Marlin", "Puffin"]


def test_adopter_key_ignores_case_punctuation_and_suffix() -> None:
    assert adopter_key("Bolt Ltd.") == adopter_key("bolt") == "bolt"
    assert adopter_key("Nimbus Cloud (NC)") == "nimbuscloud"


def test_list_published() -> None:
    (f,) = AdoptersListPublished().run(context({"acme": {"ADOPTERS.md": PARAGRAPHS}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["count"] == 4
    assert f.values["by_section"]["acme/ADOPTERS.md"] == {"Clouds": 1, "Companies": 3}
    (g,) = AdoptersListPublished().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert g.outcome is Outcome.FALSE


def test_levels_stated() -> None:
    (f,) = AdoptionLevelsStated().run(context({"acme": {"ADOPTERS.md": TABLE}}))
    assert f.outcome is Outcome.TRUE
    assert f.values["share"] == 1.0
    (g,) = AdoptionLevelsStated().run(context({"acme": {"ADOPTERS.md": PARAGRAPHS}}))
    assert g.outcome is Outcome.FALSE
    assert g.values["with_level"] == 0
    (h,) = AdoptionLevelsStated().run(context({"acme": {"ADOPTERS.md": BULLETS}}))
    assert h.outcome is Outcome.FALSE
    assert h.values["with_level"] == 1


def test_duplicates() -> None:
    (f,) = AdoptersNoDuplicates().run(context({"acme": {"ADOPTERS.md": PARAGRAPHS}}))
    assert f.outcome is Outcome.FALSE
    assert f.values["duplicates"] == {"Bolt Ltd.": [11, 15]}
    assert [e.url.rsplit("#", 1)[1] for e in f.evidence] == ["L11", "L15"]
    (g,) = AdoptersNoDuplicates().run(context({"acme": {"ADOPTERS.md": TABLE}}))
    assert g.outcome is Outcome.TRUE


def test_an_adopters_table_in_a_readme_section_when_there_is_no_adopters_file() -> None:
    from dd_evidence.probes.documents import AdoptersPresent

    readme = (
        "# Friends\n\n## Project Adopters\n\n| Organisation | Use |\n|---|---|\n| Acme | builds |\n| Beta | ships |\n\n"
        "## Project Integrations\n\n| Project | How |\n|---|---|\n| Gamma | plugin |\n"
    )
    ctx = context({"acme": {"README.md": "# Acme\n"}, "friends": {"README.md": readme}})
    (present,) = AdoptersPresent().run(ctx)
    assert present.outcome is Outcome.TRUE and present.values["sections"] == ["friends/README.md#L3: Project Adopters"]
    (listed,) = AdoptersListPublished().run(ctx)
    assert listed.outcome is Outcome.TRUE and listed.values["count"] == 2  # the integrations table is not adopters
