"""Duplicated and contradicting procedures across governance documents.

The same procedure is often written twice: "### Adding New Member/Approver/Maintainer" in a membership document
and "**How to Become a Member**" bold bullets in a ladder. Both normalise to (action, role) pairs (see
:func:`dd_evidence.facts.governance.procedure_of`); a pair defined in two files is a duplicate. For each role,
the numbers the documents give (months of activity, vote thresholds) are compared, and disagreements reported
with both file:line citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, governance_documents, subject
from dd_evidence.facts.governance import CANONICAL, Procedure, procedures, role_sections, roles_in
from dd_evidence.mdsections import NUMBER_WORDS, Section, count_value, sentences
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe

_N = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
# Starts only where a digit run starts: otherwise every digit of a long run rescans the rest of it.
_DURATION = re.compile(r"(?<!\d)" + _N + r"\+?\s*(months?|years?)\b", re.I)
_SUPER = re.compile(r"\bsuper-?majority\b|\btwo[- ]thirds\b|\b2/3\b", re.I)
_MAJORITY = re.compile(r"\b(simple\s+)?majority\b|(?:more than|>)\s*50\s*%", re.I)
_UNANIMOUS = re.compile(r"\bunanimous\w*\b", re.I)
_PERCENT = re.compile(r"(\d{2})\s*%")
_NOT_TIME = r"(?!\s*\+?\s*(?:months?|years?|weeks?|days?)\b)"
_COUNT = re.compile(
    r"\b(?:lgtms?|approvals?|votes?)\b[^.]{0,40}?\bfrom at least " + _N + _NOT_TIME + r"\b"
    r"|\bat least " + _N + _NOT_TIME + r"\s+(?:\"?lgtm\"?s?|approvals?|votes?|\w+\s+(?:lgtm|approvals?|votes?))",
    re.I,
)
# "Maintainer: more than 3 months" inside a list: the number belongs to that role only.
# One run of blanks before the list mark and one after it: "\s*(?:mark)?\s*" let two runs share the blanks, quadratic
# on a line of spaces.
_ROLE_LABEL = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)])\s*)?\**(\w+?)s?\**\s*:", re.I)


def _number(raw: str) -> int:
    return count_value(raw)


def months_in(text: str) -> list[int]:
    """Durations in ``text`` in months ("at least two months" -> 2, "1 year" -> 12)."""
    found = []
    for match in _DURATION.finditer(text):
        value = _number(match.group(1))
        found.append(value * 12 if match.group(2).lower().startswith("year") else value)
    return found


def thresholds_in(text: str) -> list[str]:
    """Vote thresholds in ``text``, normalised: ``supermajority``, ``majority``, ``unanimous``, ``count:N``."""
    found: list[str] = []
    percents = [int(p) for p in _PERCENT.findall(text)]
    if _SUPER.search(text) or any(60 <= p < 100 for p in percents):
        found.append("supermajority")
    elif _MAJORITY.search(text) or any(p == 50 for p in percents):
        found.append("majority")
    if _UNANIMOUS.search(text):
        found.append("unanimous")
    for match in _COUNT.finditer(text):
        raw = match.group(1) or match.group(2)
        found.append(f"count:{_number(raw)}")
    return found


@dataclass(frozen=True)
class Fact:
    """A number one document gives for a role: kind ``months`` or ``threshold``, for action ``join``/``remove``."""

    doc: ParsedDoc
    line: int
    action: str
    role: str
    kind: str
    value: str
    text: str

    @property
    def cite(self) -> str:
        return f"{self.doc.label}#L{self.line}"


def facts(doc: ParsedDoc) -> list[Fact]:
    """Every duration and vote threshold ``doc`` gives per (action, role), from procedure and role sections."""
    contexts: list[tuple[str, tuple[str, ...], Section]] = []
    for proc in procedures([doc]):
        contexts.append((proc.canonical, proc.roles, proc.section))
    removal_lines = {line for action, _, s in contexts if action == "remove" for line in range(s.start, s.end + 1)}
    for role, section in role_sections(doc):
        contexts.append(("join", (role,), section))
    found: dict[tuple[int, str, str, str], Fact] = {}
    for action, roles, section in contexts:
        for sentence in sentences(section.text, section.start):
            # A role section's removal subsection is a removal rule, not a joining requirement.
            if action == "join" and sentence.line in removal_lines:
                continue
            label = _ROLE_LABEL.match(sentence.text)
            labelled = roles_in(label.group(1)) if label else ()
            targets = labelled if labelled and set(labelled) <= set(roles) | set(labelled) else roles
            for role in targets:
                for months in months_in(sentence.text):
                    key = (sentence.line, action, role, f"months:{months}")
                    found.setdefault(key, Fact(doc, sentence.line, action, role, "months", str(months), sentence.text))
                for threshold in thresholds_in(sentence.text):
                    key = (sentence.line, action, role, threshold)
                    found.setdefault(key, Fact(doc, sentence.line, action, role, "threshold", threshold, sentence.text))
    return list(found.values())


class Definition(TypedDict):
    """Where one document defines a procedure."""

    file: str
    line: int
    title: str
    kind: str


class Duplicate(TypedDict):
    """An (action, role) procedure defined in several documents; ``_procs`` stays out of ``Finding.values``."""

    action: str
    role: str
    definitions: list[Definition]
    _procs: list[Procedure]


class Cited(TypedDict):
    """One number a document gives, with its file:line."""

    at: str
    value: str
    text: str


class Conflict(TypedDict):
    """Numbers two documents give for the same (action, role, kind) that share no value; ``_facts`` stays out of
    ``Finding.values``."""

    action: str
    role: str
    kind: str
    a: list[Cited]
    b: list[Cited]
    _facts: list[Fact]


def duplicates(docs: list[ParsedDoc]) -> list[Duplicate]:
    """(action, role) procedures defined in more than one document, with each definition's title and line."""
    by_pair: dict[tuple[str, str], list[Procedure]] = {}
    for proc in procedures(docs):
        for role in proc.roles:
            by_pair.setdefault((proc.canonical, role), []).append(proc)
    found: list[Duplicate] = []
    for (action, role), procs in by_pair.items():
        files = {p.doc.label for p in procs}
        if len(files) < 2:
            continue
        found.append(
            {
                "action": action,
                "role": role,
                "definitions": [
                    {"file": p.doc.label, "line": p.section.start, "title": p.section.title, "kind": p.section.kind}
                    for p in procs
                ],
                "_procs": procs,
            }
        )
    return found


def conflicts(docs: list[ParsedDoc]) -> list[Conflict]:
    """Numbers two documents give for the same (action, role, kind) that share no value."""
    by_key: dict[tuple[str, str, str], dict[str, list[Fact]]] = {}
    for doc in docs:
        for fact in facts(doc):
            by_key.setdefault((fact.action, fact.role, fact.kind), {}).setdefault(doc.label, []).append(fact)
    found: list[Conflict] = []
    for (action, role, kind), per_doc in by_key.items():
        labels = sorted(per_doc)
        for i, first in enumerate(labels):
            for second in labels[i + 1 :]:
                a_values = {f.value for f in per_doc[first]}
                b_values = {f.value for f in per_doc[second]}
                if a_values & b_values:
                    continue
                found.append(
                    {
                        "action": action,
                        "role": role,
                        "kind": kind,
                        "a": [{"at": f.cite, "value": f.value, "text": f.text[:160]} for f in per_doc[first]],
                        "b": [{"at": f.cite, "value": f.value, "text": f.text[:160]} for f in per_doc[second]],
                        "_facts": per_doc[first][:1] + per_doc[second][:1],
                    }
                )
    return found


def _public(items: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]


class NoDuplicateProceduresValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.no_duplicate_procedures``."""

    duplicates: list[dict[str, Any]]
    checked: list[str]


class NoDuplicateProcedures(Probe):
    spec = ProbeSpec(
        id="governance.no_duplicate_procedures",
        title="Is each membership procedure (becoming, adding, removing a role) defined in only one document?",
        motivation="The same procedure written in two places drifts apart and leaves contributors unsure which "
        "one applies.",
        remediation="Keep each procedure in one document and link to it from the others.",
    )
    values_type = NoDuplicateProceduresValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = governance_documents(ctx)
        if not docs:
            yield self.not_available(subject(ctx), "no governance, ladder or membership document to compare")
            return
        found = duplicates(docs)
        values: NoDuplicateProceduresValues = {"duplicates": _public(found), "checked": [d.label for d in docs]}
        if not found:
            yield self.finding(
                subject(ctx), True, f"no procedure is defined in two documents ({len(docs)} checked)", values
            )
            return
        evidence: list[Evidence] = []
        for item in found:
            for proc in item["_procs"]:
                if len(evidence) < 10:
                    evidence.append(proc.evidence())
        pairs = ", ".join(f"{CANONICAL.get(str(i['action']), i['action'])} {i['role']}" for i in found)
        first = found[0]["definitions"]
        where = " vs ".join(f"{d['file']}#L{d['line']} {d['title']!r}" for d in first)
        files = sorted({str(d["file"]) for item in found for d in item["definitions"]})
        yield self.finding(
            subject(ctx),
            False,
            f"{len(found)} procedures defined in two documents ({pairs}); e.g. {where}",
            values,
            evidence,
            remedy=f"Define the {pairs} procedures in one of {' or '.join(files)} and replace the other copy with a "
            "link to it.",
        )


class NoContradictingNumbersValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.no_contradicting_numbers``."""

    conflicts: list[dict[str, Any]]
    checked: list[str]


class NoContradictingNumbers(Probe):
    spec = ProbeSpec(
        id="governance.no_contradicting_numbers",
        title="Do the governance documents agree on the numbers for each role (months of activity, vote thresholds)?",
        motivation="Two documents giving different requirements for the same role make the process ambiguous.",
        remediation="Make one document authoritative for each role's requirements and align or remove the other.",
    )
    values_type = NoContradictingNumbersValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = governance_documents(ctx)
        if len(docs) < 2:
            yield self.finding(
                subject(ctx),
                True,
                f"{len(docs)} governance document(s): nothing to contradict",
                {"checked": [d.label for d in docs]},
            )
            return
        found = conflicts(docs)
        values: NoContradictingNumbersValues = {"conflicts": _public(found), "checked": [d.label for d in docs]}
        if not found:
            yield self.finding(
                subject(ctx), True, f"no conflicting durations or vote thresholds across {len(docs)} documents", values
            )
            return
        evidence: list[Evidence] = []
        for item in found:
            for fact in item["_facts"]:
                if len(evidence) < 10:
                    evidence.append(fact.doc.repo.evidence(fact.doc.path, fact.line, excerpt=fact.text[:160]))
        parts = []
        for item in found:
            a, b = item["a"][0], item["b"][0]
            parts.append(f"{item['role']} {item['kind']}: {a['value']} ({a['at']}) vs {b['value']} ({b['at']})")
        files = sorted({str(x["at"]).split("#")[0] for item in found for x in (*item["a"], *item["b"])})
        topics = ", ".join(dict.fromkeys(f"{item['role']} {item['kind']}" for item in found))
        yield self.finding(
            subject(ctx),
            False,
            f"{len(found)} conflicts: " + "; ".join(parts),
            values,
            evidence,
            remedy=f"Make one of {' or '.join(files)} authoritative for the {topics} rules and align the other "
            "with it.",
        )


__all__ = ["NoDuplicateProcedures", "NoContradictingNumbers", "duplicates", "conflicts", "facts"]
