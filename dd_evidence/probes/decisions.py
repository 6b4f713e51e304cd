"""Decision making: does the governance say how each of the four kinds of decision the TOC names is made?

The four are reported separately: leadership, accepting contributions, requests to the CNCF, and changes to
the governance or the project's goals. Each is found by a section (heading or bold bullet item) whose title
names the topic and whose text has decision wording, else by a sentence that has both; the finding cites the
heading or sentence line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import GOVERNANCE_ROLES, ParsedDoc, documents, subject
from dd_evidence.mdsections import Section, sentences
from dd_evidence.model import Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

_DECISION = re.compile(
    r"\b(vot(e|es|ed|ing)|elect\w*|nominat\w*|majority|supermajority|quorum|consensus|approv\w*|decid\w*|"
    r"decision\w*|lgtm|appoint\w*|two-thirds|\d+\s*%)",
    re.IGNORECASE,
)
# A change to a governing text is only "documented" when it says who decides and by what threshold.
_THRESHOLD = re.compile(
    r"\b(vot(e|es|ed|ing)|majority|supermajority|two-thirds|quorum|consensus|unanimous\w*|approv\w*)|(?<!\d)\d+\s*%",
    re.IGNORECASE,
)
_COC = re.compile(r"code\s+of\s+conduct", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    """What one decision area looks like: words of its topic, and the wording that makes it a decision rule."""

    topic: re.Pattern[str]
    decision: re.Pattern[str]


LEADERSHIP = Topic(
    re.compile(
        r"\b(leader(s|ship)?|steering|elections?|chairs?|committee|(new|become|becoming|adding|add)\s+(an?\s+)?"
        r"maintainers?|maintainers?\s+(team|council|election|nomination))\b",
        re.IGNORECASE,
    ),
    _DECISION,
)
CONTRIBUTIONS = Topic(
    re.compile(
        r"\b(pull\s+requests?|PRs?|patch(es)?|contributions?|changes?\s+(are|is|get|can\s+be)\s+merged|merg\w*|"
        r"code\s+review|reviews?|issues?\s+can\s+be\s+merged)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(accept\w*|approv\w*|lgtm|merg\w*|consensus|reviewers?|object\w*)\b", re.IGNORECASE),
)
CNCF_REQUESTS = Topic(
    re.compile(r"\bCNCF\b"),
    re.compile(
        r"\b(requests?|communicat\w*|TOC|service\s*desk|servicedesk|helpdesk|foundation\s+staff)\b", re.IGNORECASE
    ),
)
GOAL_CHANGES = Topic(
    re.compile(r"\b(goals?|mission|vision|scope|strategic\s+direction|road-?maps?)\b", re.IGNORECASE),
    re.compile(r"\b(chang\w*|amend\w*|modif\w*|revis\w*)\b", re.IGNORECASE),
)
GOVERNANCE_CHANGES = Topic(
    re.compile(r"\b(governance|charter|by-?laws|this\s+document|(these|the|our)\s+rules)\b", re.IGNORECASE),
    re.compile(r"\b(amend\w*|chang\w*|modif\w*|revis\w*|updat\w*)\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Hit:
    doc: ParsedDoc
    line: int
    text: str
    how: str


def _section_hits(doc: ParsedDoc, topic: Topic, extra: re.Pattern[str] | None) -> list[Hit]:
    hits = []
    for section in doc.sections:
        # A document's title heading spans the whole file; matching it would say nothing about where.
        if section.level == 1 and len(doc.sections) > 1:
            continue
        if _COC.search(section.title) or not topic.topic.search(section.title):
            continue
        if not (topic.decision.search(section.title) or topic.decision.search(_body(section))):
            continue
        if extra is not None and not extra.search(section.text):
            continue
        hits.append(Hit(doc, section.start, section.title, "heading"))
    return hits


def _body(section: Section) -> str:
    return section.text.split("\n", 1)[1] if "\n" in section.text else ""


def _sentence_hits(doc: ParsedDoc, topic: Topic, extra: re.Pattern[str] | None) -> list[Hit]:
    hits = []
    for sentence in sentences(doc.text):
        text = sentence.text
        # A CNCF Code of Conduct link mentions the CNCF but says nothing about how the project decides.
        if _COC.search(text):
            continue
        if topic.topic.search(text) and topic.decision.search(text) and (extra is None or extra.search(text)):
            hits.append(Hit(doc, sentence.line, text[:160], "wording"))
    return hits


def find(docs: list[ParsedDoc], topic: Topic, extra: re.Pattern[str] | None = None) -> list[Hit]:
    """Sections whose heading names ``topic``, else sentences with both topic and decision wording."""
    by_heading = [h for doc in docs for h in _section_hits(doc, topic, extra)]
    return by_heading or [h for doc in docs for h in _sentence_hits(doc, topic, extra)]


class DecisionValues(TypedDict, total=False):
    """What every decision-area probe's ``Finding.values`` hold: the documents read, what was found and by which
    signal (``heading`` or ``wording``)."""

    checked: list[str]
    found: list[str]
    by: str | None


class _DecisionProbe(Probe):
    """One decision area, searched in every governance, membership and ladder document."""

    area: str = ""
    topic: Topic = LEADERSHIP
    extra: re.Pattern[str] | None = None

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = documents(ctx, *GOVERNANCE_ROLES)
        checked = [d.label for d in docs]
        if not docs:
            yield self.finding(subject(ctx), False, f"no governance document to say how {self.area} is decided")
            return
        hits = find(docs, self.topic, self.extra)
        values: DecisionValues = {
            "checked": checked,
            "found": [f"{h.doc.label}#L{h.line}: {h.text}" for h in hits],
            "by": hits[0].how if hits else None,
        }
        if hits:
            first = hits[0]
            yield self.finding(
                subject(ctx),
                True,
                f"{self.area} is covered in {first.doc.label} line {first.line} ({first.text!r})",
                values,
                [h.doc.repo.evidence(h.doc.path, h.line, excerpt=h.text) for h in hits[:6]],
            )
        else:
            yield self.finding(
                subject(ctx),
                False,
                f"no heading or wording on how {self.area} is decided in {', '.join(checked)}",
                values,
                [d.repo.evidence(d.path) for d in docs[:6]],
                remedy=f"{self.spec.remediation.rstrip('.')}, in {docs[0].label}.",
            )


class DocumentsLeadershipValues(DecisionValues, total=False):
    """``Finding.values`` of ``decisions.documents_leadership``."""


class DocumentsLeadership(_DecisionProbe):
    area, topic = "leadership", LEADERSHIP
    spec = ProbeSpec(
        id="decisions.documents_leadership",
        title="Does the governance say how leadership (maintainers, steering) is chosen and decides?",
        motivation="The TOC checks that leadership decisions follow a documented, open process.",
        remediation="Document how maintainers or steering members are elected or appointed, and by what vote.",
    )
    values_type = DocumentsLeadershipValues


class DocumentsContributionAcceptanceValues(DecisionValues, total=False):
    """``Finding.values`` of ``decisions.documents_contribution_acceptance``."""


class DocumentsContributionAcceptance(_DecisionProbe):
    area, topic = "accepting contributions", CONTRIBUTIONS
    spec = ProbeSpec(
        id="decisions.documents_contribution_acceptance",
        title="Does the governance say how contributions are accepted (reviews, approvals, merging)?",
        motivation="Contributors need to know who accepts a change and how.",
        remediation="Document how many approvals a change needs, from whom, and how disagreements are settled.",
    )
    values_type = DocumentsContributionAcceptanceValues


class DocumentsCncfRequestsValues(DecisionValues, total=False):
    """``Finding.values`` of ``decisions.documents_cncf_requests``."""


class DocumentsCncfRequests(_DecisionProbe):
    area, topic = "making requests to the CNCF", CNCF_REQUESTS
    spec = ProbeSpec(
        id="decisions.documents_cncf_requests",
        title="Does the governance say how requests to the CNCF are decided and made?",
        motivation="The TOC asks how the project decides what to ask of the CNCF and who communicates it.",
        remediation="Add a section on who may file CNCF requests (ServiceDesk, TOC) and how they are agreed.",
    )
    values_type = DocumentsCncfRequestsValues


class DocumentsGovernanceChangesValues(DecisionValues, total=False):
    """``Finding.values`` of ``decisions.documents_governance_changes``."""


class DocumentsGovernanceChanges(_DecisionProbe):
    area, topic, extra = "changing the governance", GOVERNANCE_CHANGES, _THRESHOLD
    spec = ProbeSpec(
        id="decisions.documents_governance_changes",
        title="Does the governance say how it is amended, with a vote or threshold?",
        motivation="Changes to the rules need a documented, open decision process.",
        remediation="Add a section on amending the governance documents, with the vote or threshold needed.",
    )
    values_type = DocumentsGovernanceChangesValues


class DocumentsGoalChangesValues(DecisionValues, total=False):
    """``Finding.values`` of ``decisions.documents_goal_changes``."""


class DocumentsGoalChanges(_DecisionProbe):
    area, topic = "changing the project's goals", GOAL_CHANGES
    spec = ProbeSpec(
        id="decisions.documents_goal_changes",
        title="Does the governance say how the project's goals, mission or scope are changed?",
        motivation="The TOC asks how changes to project goals are decided.",
        remediation="Add a section on how the project's goals or scope change and who approves the change.",
    )
    values_type = DocumentsGoalChangesValues
