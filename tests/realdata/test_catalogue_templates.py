"""The bundled criteria catalogues against the TOC templates they transcribe (``../shared/reference``).

The templates are parsed here independently of the YAML: every top-level ``- [ ] **...**`` bullet is a
criterion, its indented ``- [ ]`` children are sub-items, and the ``## <Section>`` and ``### Suggested`` /
``### Required`` headings say where it sits. The catalogue must list the same criteria, in the same order and
places, with the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

SHARED = Path(__file__).resolve().parents[3] / "shared"
REFERENCE = SHARED / "reference"

if not (REFERENCE / "criteria-catalogue.yaml").is_file():
    pytest.skip(f"{SHARED} is absent: no reference templates to check against", allow_module_level=True)

from dd_evidence.catalogue import load_catalogue  # noqa: E402

pytestmark = pytest.mark.realdata

TEMPLATES = {
    "incubation": REFERENCE / "cncf-toc" / "template-dd-pr-incubation.md",
    "graduation": REFERENCE / "cncf-toc" / "template-dd-pr-graduation.md",
}
EXPECTED_COUNTS = {"incubation": 47, "graduation": 50}

# The bold title ends at the first "**" not followed by another "*": a title may end in an italic note
# ("...documentation.***") and may be followed by plain text ("**Document Security Self-Assessment.** The").
CRITERION = re.compile(r"^- \[ \]\s+\*\*(?P<title>.+?\**)\*\*(?!\*)(?P<rest>.*)$")
SUBITEM = re.compile(r"^\s+- \[ \]\s+(?P<text>.*?)\s*$")


@dataclass
class TemplateCriterion:
    section: str
    requirement: str
    title: str
    subitems: list[str] = field(default_factory=list)


def parse_template(path: Path) -> list[TemplateCriterion]:
    criteria: list[TemplateCriterion] = []
    section: str | None = None
    requirement: str | None = None
    current: TemplateCriterion | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            level, _, heading = line.partition(" ")
            heading = heading.strip()
            current = None
            if level == "##":
                section, requirement = heading, None
            elif level == "###" and heading.lower() in ("suggested", "required"):
                requirement = heading.lower()
            else:
                requirement = None
            continue
        if match := CRITERION.match(line):
            assert section and requirement, f"criterion outside a Suggested/Required heading: {line!r}"
            current = TemplateCriterion(section, requirement, match["title"])
            criteria.append(current)
            continue
        if current is not None and (match := SUBITEM.match(line)):
            current.subitems.append(match["text"])
    return criteria


@pytest.fixture(scope="module")
def reference_catalogue() -> dict:
    return yaml.safe_load((REFERENCE / "criteria-catalogue.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("level", sorted(TEMPLATES))
def test_parser_finds_every_template_criterion(level: str) -> None:
    assert len(parse_template(TEMPLATES[level])) == EXPECTED_COUNTS[level]


@pytest.mark.parametrize("level", sorted(TEMPLATES))
def test_catalogue_transcribes_the_template(level: str) -> None:
    expected = parse_template(TEMPLATES[level])
    catalogue = load_catalogue(level)
    actual = [TemplateCriterion(c.section, c.requirement.value, c.title, list(c.subitems)) for c in catalogue.criteria]
    assert len(actual) == EXPECTED_COUNTS[level]
    for position, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert got == want, f"{level} criterion #{position + 1} ({catalogue.criteria[position].id})"


@pytest.mark.parametrize("level", sorted(TEMPLATES))
def test_catalogue_ids_and_requirements_agree_with_the_reference(level: str, reference_catalogue: dict) -> None:
    reference = {c["id"]: c for c in reference_catalogue["criteria"]}
    catalogue = load_catalogue(level)
    for criterion in catalogue.criteria:
        assert criterion.id in reference, f"{criterion.id} is not a criteria-catalogue.yaml id"
        assert criterion.requirement.value == reference[criterion.id]["requirement"][level], criterion.id
        assert criterion.section == reference[criterion.id]["section"], criterion.id
    listed = {i for i, c in reference.items() if c["requirement"][level] in ("required", "suggested")}
    assert {c.id for c in catalogue.criteria} == listed


@pytest.mark.parametrize("level", sorted(TEMPLATES))
def test_catalogue_names_the_template_blob_it_transcribes(level: str, reference_catalogue: dict) -> None:
    template = next(t for t in reference_catalogue["source"]["templates"] if t["level"] == level)
    catalogue = load_catalogue(level)
    assert template["blob"][:8] in catalogue.source
    assert template["path"] in catalogue.source
    assert catalogue.revision == "2026-06-29"
