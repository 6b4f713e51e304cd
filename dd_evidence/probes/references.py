"""Deferrals between governance documents: when one document says a rule is "defined in" another, does the other
actually define it?

A **deferral** is a sentence of a governance, ladder, membership or maintainers document that links to another such
document (a relative link or a GitHub URL into a scanned repo of the project) and uses a deferral phrase ("defined
in", "described in", "as per", "according to", "criteria in", "for X, see ...", "see ... for X"). Its **topic** is
the noun phrase the sentence is about, reduced to key terms: lower-cased, stop and filler words dropped, plurals
folded ("The roles of Member, Approver or Maintainer are defined in ..." -> head ``role``, qualifiers ``member
approver maintainer``; "... detailed in [the governance] under the commit access criteria" -> ``commit access
criterion``). An explicit place named after the link ("under the X", "in the X section") wins over the subject.

The target (or the section an anchor names; a missing anchor is a dead end) is then read:

- **resolved**: a section whose title has a head term (a section named after a role counts for "role") and whose own
  text, deferral sentences left out, covers the head (all of one or two specific terms, two thirds of more;
  general words such as "rules" or "criteria" are not required); or, failing such a section, the target's own
  text covers the head; or the target forwards the topic to a third document (that hop is its own deferral);
- **circular**: no such section, and the target itself defers back to the source document for the same topic
  (each head names something the other sentence is about);
- **dangling**: the target's own text does not cover the topic, or the anchor does not exist.

Sentences whose topic cannot be told (only filler words) are left out: precision over recall.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import unquote, urlparse

from dd_evidence.context import ScanContext
from dd_evidence.facts import GOVERNANCE_ROLES, ParsedDoc, project_map, subject
from dd_evidence.facts.governance import role_sections
from dd_evidence.facts.links import github_target
from dd_evidence.mdsections import Section, Sentence, sentences
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe

# Governance, contributor ladder / membership, and maintainer lists: the documents that define roles and rules
# and send readers to each other for them.
REFERENCE_ROLES = (*GOVERNANCE_ROLES, "maintainers")
MAX_EVIDENCE = 20
LINK = "\u00a7"  # stands for a link inside a cleaned sentence

# Words that say nothing about *what* a rule is: grammar, filler ("a detailed look", "the specifics"), the
# deferral wording itself and words naming documents rather than topics.
_STOP_TEXT = """
    a an the this that these those it its our your their his her my we you they them he she i us
    is are was were be been being am will would can could may might must shall should do does did has have had
    and or nor but if then than so as per via of in on at to for from by with within without about into onto
    under over between across through after before during upon also all any each every some such other another
    more most further full fully complete detailed detail details specific specifics information info overview
    breakdown explanation description look view summary here there below above following what which who whom
    whose where when how why please see refer check out consult read visit find found available
    defined described documented specified outlined listed explained covered maintained set laid according
    accordance pursuant officially formally clearly currently current different various respective
    document documents doc docs file files page pages guide section sections part chapter md markdown
    project projects org
    eg ie etc latest new similar same additional extra general respectively
    one ones involve involves include includes including make makes made handle handles handled take takes taken
    get gets
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
# Heads this general ("the process", "the rules") need the words that say which one.
_GENERIC_TEXT = "process procedure rule policy requirement criterion guideline term step way thing matter"
GENERIC_HEADS = frozenset(_GENERIC_TEXT.split())
IRREGULAR = {"criteria": "criterion", "people": "person", "indices": "index", "bylaws": "bylaw"}

_VERBS = (
    r"(?:defined|described|documented|specified|outlined|listed|detailed|explained|covered|maintained"
    r"|set out|laid out|written down|found)"
)
_GAP = r"(?P<gap>[^\u00a7.;:!?]{0,60}?)\u00a7"
PASSIVE = re.compile(r"\b(?P<phrase>" + _VERBS + r"\s+(?:in|within|under|by|at|on))\b" + _GAP, re.I)
PER = re.compile(r"\b(?P<phrase>as per|according to|in accordance with|pursuant to)\b" + _GAP, re.I)
NOUN_IN = re.compile(
    r"\b(?P<phrase>(?P<noun>criteria|requirements|rules|process|procedures?|polic(?:y|ies)|guidelines)"
    r"\s+(?:in|of|from))\b" + _GAP,
    re.I,
)
SEE = re.compile(r"\b(?P<phrase>see|refer to|check out|consult|read)\b" + _GAP, re.I)
# "[GOVERNANCE.md] that describes the voting rules": the link comes first, the topic after the verb.
ACTIVE = re.compile(
    r"\u00a7\s*(?:(?:document|file|page|guide)\s+)?,?\s*(?:(?:that|which)\s+)?"
    r"(?P<phrase>describes|defines|documents|specifies|outlines|lists|details|explains|covers)\b",
    re.I,
)

# "under the commit access criteria", "in the Voting section": a place in the target named after the link.
# Written so that no two repeats can share the same blanks (three "\s*" in a row, or a place that may start or
# end with blanks before "\s*", were cubic on a run of spaces): the place starts and ends with a non-blank.
_PLACE = re.compile(
    r"^\s*(?:(?:document|file|page|guide)\s*)?(?:,\s*)?(?:under|in)\s+(?:the\s+)?"
    r"(?P<place>[^,.;:()\u00a7\s](?:[^,.;:()\u00a7]*?[^,.;:()\u00a7\s])?)"
    r"(?:\s+(?:section|heading|chapter|part))?\s*(?:[,.;:()]|$)",
    re.I,
)
# "For X, see [..]" opens the sentence; "see [..] for X" follows the link within a word or two.
_FOR_BEFORE = re.compile(r"^\W*for\s+(?P<topic>[^\u00a7;]+)", re.I)
_FOR_AFTER = re.compile(r"^[\s,]*(?:(?:document|file|page|guide|section)\s+)?for\s+(?P<topic>[^\u00a7;]+)", re.I)
# Where a noun phrase stops and its qualifiers start ("the roles | of Member, Approver").
_CHUNK = re.compile(
    r"\b(?:of|in|on|at|for|about|within|under|with|to|by|from|regarding|that|which|who|whom|whose|where|when"
    r"|how|what|why)\b|[()]",
    re.I,
)
_TRAILING_AUX = re.compile(
    r"(?:\s+(?:is|are|was|were|be|been|being|will|can|may|must|shall|should|also|all|officially|formally|fully"
    r"|further|clearly|currently|now|as))+\s*$",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z0-9]*")
# Labels stop at the next "[" (and a title at the next ")"): each character is then scanned from one start only, so a
# line of 100k "[" is linear; with "[^\]]*" every "[" rescanned the rest of the line, quadratic.
_INLINE_LINK = re.compile(r"(?<!!)\[(?P<label>[^\[\]]*)\]\(\s*<?(?P<url>[^)\s>]+)>?(?:\s+\"[^\")]*\")?\s*\)")
_REF_LINK = re.compile(r"(?<!!)\[(?P<label>[^\[\]]+)\]\[(?P<ref>[^\[\]]*)\]")
_BARE_URL = re.compile(r"(?<![(<\[/])https?://[^\s)>\]]+")
_REF_DEF = re.compile(r"^\s{0,3}\[(?P<ref>[^\]\n]+)\]:\s*<?(?P<url>[^\s>]+)>?", re.M)  # a label within its line
_LINE_ANCHOR = re.compile(r"L\d+(?:-L\d+)?")


# -- terms -------------------------------------------------------------------------------------------------------


def fold(word: str) -> str:
    """A word in the form topics are compared in: lower-case, singular ("criteria" -> "criterion")."""
    word = IRREGULAR.get(word.lower(), word.lower())
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Key terms of ``text`` in order, once each: folded, stop words and one-letter words dropped."""
    found: list[str] = []
    for raw in _WORD.findall(text.lower()):
        word = fold(raw)
        stop = raw in STOP_WORDS or word in STOP_WORDS or word in extra_stop
        if len(word) > 1 and not stop and word not in found:
            found.append(word)
    return found


def head_and_qualifiers(phrase: str, extra_stop: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """The head terms of a noun phrase (its first chunk with key terms) and the terms of the rest.

    "The roles of Member, Approver, or Maintainer" -> (["role"], ["member", "approver", "maintainer"]). A head as
    general as "process" takes the next chunk along ("the process for adding reviewers" -> process, adding,
    reviewer).
    """
    chunks = [terms(c, extra_stop) for c in _CHUNK.split(phrase)]
    chunks = [c for c in chunks if c]
    if not chunks:
        return [], []
    head = list(chunks[0])
    rest = chunks[1:]
    while set(head) <= GENERIC_HEADS and rest:
        head += [t for t in rest[0] if t not in head]
        rest = rest[1:]
    qualifiers = [t for chunk in rest for t in chunk if t not in head]
    return head, list(dict.fromkeys(qualifiers))


# -- deferral sentences -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A governance document a sentence links to, and the anchor of the link (empty for none)."""

    doc: ParsedDoc
    anchor: str

    @property
    def label(self) -> str:
        return self.doc.label + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class Deferral:
    """A sentence that sends the reader to other governance documents for a topic."""

    doc: ParsedDoc
    sentence: Sentence
    phrase: str
    head: tuple[str, ...]
    qualifiers: tuple[str, ...]
    targets: tuple[Target, ...]

    @property
    def line(self) -> int:
        return self.sentence.line

    @property
    def topic(self) -> str:
        return " ".join(self.head)

    @property
    def all_terms(self) -> set[str]:
        return set(self.head) | set(self.qualifiers)


def _key(doc: ParsedDoc) -> tuple[str, str]:
    return (doc.repo.full_name, doc.path)


def reference_documents(ctx: ScanContext) -> list[ParsedDoc]:
    """The Markdown governance, ladder, membership and maintainers documents of the scan, stubs included: a
    stub is a deferral too."""
    pmap = project_map(ctx)
    found = {d.key: d for role in REFERENCE_ROLES for d in pmap.hits(role)}
    return [pmap.parsed(d) for d in found.values() if d.path.lower().endswith((".md", ".markdown"))]


def _link_target(ctx: ScanContext, doc: ParsedDoc, url: str) -> tuple[str, str, str] | None:
    """(repo full name, path, anchor) a link of ``doc`` points to, or None (external, mail, same document)."""
    url = url.strip()
    if not url or url.startswith(("#", "mailto:", "tel:")):
        return None
    if urlparse(url).scheme or url.startswith("//"):
        github = github_target(ctx, url)
        return (github[0].full_name, github[1], github[2]) if github else None
    path, _, anchor = url.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path.startswith("/"):
        resolved = posixpath.normpath(path.lstrip("/"))
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), path))
    if resolved.startswith(".."):
        return None
    return (doc.repo.full_name, resolved, anchor)


def _links(text: str, ref_defs: dict[str, str]) -> list[tuple[int, int, str, str]]:
    """(start, end, url, label) of every link in a sentence: inline, reference-style and bare URLs."""
    found = [(m.start(), m.end(), m["url"], m["label"]) for m in _INLINE_LINK.finditer(text)]
    for match in _REF_LINK.finditer(text):
        url = ref_defs.get((match["ref"] or match["label"]).lower())
        if url:
            found.append((match.start(), match.end(), url, match["label"]))
    taken = [(s, e) for s, e, _, _ in found]
    for match in _BARE_URL.finditer(text):
        if not any(s <= match.start() < e for s, e in taken):
            found.append((match.start(), match.end(), match.group(0).rstrip(".,"), ""))
    return sorted(found)


def _clean(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The sentence with each link replaced by the link mark and Markdown decoration removed."""
    out, position = [], 0
    for start, end, _, _ in spans:
        out.append(text[position:start])
        out.append(f" {LINK} ")
        position = end
    out.append(text[position:])
    cleaned = re.sub(r"<[^<>]+>|[*_`]", " ", "".join(out))
    cleaned = re.sub(r"^\s*(?:[-+]|\d+[.)])\s+", "", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def _subject_before(before: str) -> str:
    """The noun phrase a passive deferral is about: the clause before the verb, auxiliaries trimmed."""
    clause = re.split(r"[;:]", before)[-1]
    clause = _strip_trailing_aux(clause).strip().rstrip(",").strip()
    # "X, as defined in": the topic is X; a sentence opening with "As described in" has its topic after the link.
    if re.fullmatch(r"(?i)as", clause):
        return ""
    # "..., with additional requirements which are detailed in": the topic is the noun before "which", and the
    # rest of the clause says which ones.
    relative = re.search(r"(?i)(?<![\s,])[\s,]+(?:which|that|who)$", clause)
    if relative:
        clause = clause[: relative.start()]
        pieces = [p for p in re.split(r",|" + _CHUNK.pattern, clause, flags=re.I) if p and p.strip()]
        if pieces:
            antecedent = pieces[-1]
            return f"{antecedent} of {clause[: clause.rfind(antecedent)]}"
    return clause


def _strip_trailing_aux(clause: str) -> str:
    """``clause`` without its trailing auxiliaries ("... are also"). Searched in the last 400 characters only:
    from every start in a long run of auxiliaries the pattern rescans the run, quadratic in its length."""
    match = _TRAILING_AUX.search(clause, max(0, len(clause) - 400))
    return clause[: match.start()] if match else clause


def _topic_phrase(cleaned: str, match: re.Match[str], kind: str) -> str:
    """The phrase a deferral match is about, by the shape of its wording; empty when it cannot be told."""
    before, after = cleaned[: match.start()], cleaned[match.end() :]
    place = _PLACE.match(after)
    if place and kind in ("passive", "noun") and terms(place["place"]):
        return place["place"]
    if kind == "see":
        found = _FOR_BEFORE.search(before) or _FOR_AFTER.search(after)
        return found["topic"].strip(" ,") if found else ""
    if kind == "active":
        return re.split(r"[;:]", after)[0]
    if kind == "noun":
        # "meet the maintainer criteria in [..]": the words after the last determiner name the criteria; the
        # rest of the clause says whose they are.
        pieces = re.split(r"\b(?:the|a|an|our|its|their|these|those|all)\b", before, flags=re.I)
        lead, rest = pieces[-1], " ".join(pieces[:-1])
        return f"{lead} {match['noun']} of {rest}".strip()
    subject_ = _subject_before(before)
    if subject_:
        return subject_
    # "As described in [X], maintainers vote ..." / "According to [X], ...": the clause after the link.
    return re.split(r"[;:]", after.lstrip(" ,"))[0]


PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("passive", PASSIVE),
    ("per", PER),
    ("noun", NOUN_IN),
    ("see", SEE),
    ("active", ACTIVE),
)


def _extra_stop(ctx: ScanContext) -> frozenset[str]:
    """The project's own name and orgs: in every title, so they say nothing about a topic."""
    words = " ".join([ctx.project.name, ctx.project.display_name, *ctx.project.orgs])
    return frozenset(fold(w) for w in _WORD.findall(words.lower()))


def find_deferrals(ctx: ScanContext, doc: ParsedDoc, docs: dict[tuple[str, str], ParsedDoc]) -> list[Deferral]:
    """The deferral sentences of ``doc`` that link to another document of ``docs``."""
    ref_defs = {m["ref"].lower(): m["url"] for m in _REF_DEF.finditer(doc.text)}
    code = doc.code_lines  # links inside code blocks are examples, not references
    extra_stop = _extra_stop(ctx)
    found = []
    for sentence in sentences(doc.text):
        if sentence.line in code or sentence.text.lstrip().startswith("#"):
            continue
        spans = _links(sentence.text, ref_defs)
        targets: list[Target] = []
        for _, _, url, _ in spans:
            where = _link_target(ctx, doc, url)
            if where is None or (where[0], where[1]) == _key(doc) or (where[0], where[1]) not in docs:
                continue
            target = Target(docs[(where[0], where[1])], where[2])
            if target not in targets:
                targets.append(target)
        if not targets:
            continue
        deferral = _deferral(doc, sentence, spans, tuple(targets), extra_stop)
        if deferral is not None:
            found.append(deferral)
    return found


def _deferral(
    doc: ParsedDoc,
    sentence: Sentence,
    spans: list[tuple[int, int, str, str]],
    targets: tuple[Target, ...],
    extra_stop: frozenset[str],
) -> Deferral | None:
    cleaned = _clean(sentence.text, spans)
    for kind, pattern in PATTERNS:
        match = pattern.search(cleaned)
        if not match:
            continue
        head, qualifiers = head_and_qualifiers(_topic_phrase(cleaned, match, kind), extra_stop)
        # A head of general words only ("the process") cannot be matched against headings reliably.
        if not set(head) <= GENERIC_HEADS:
            phrase = re.sub(r"\s+", " ", match["phrase"].lower())
            return Deferral(doc, sentence, phrase, tuple(head), tuple(qualifiers), targets)
    return None


# -- resolution ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """What following one deferral to one target found."""

    deferral: Deferral
    target: Target
    status: str  # resolved | dangling | circular
    reason: str
    at_line: int | None = None
    back: Deferral | None = None

    def to_value(self) -> dict[str, object]:
        return {
            "file": self.deferral.doc.label,
            "line": self.deferral.line,
            "target": self.target.label,
            "targets": [t.label for t in self.deferral.targets],
            "topic": self.deferral.topic,
            "terms": list(self.deferral.head),
            "qualifiers": list(self.deferral.qualifiers),
            "phrase": self.deferral.phrase,
            "status": self.status,
            "reason": self.reason,
            "at_line": self.at_line,
            "back_line": self.back.line if self.back else None,
        }


def _anchored_section(doc: ParsedDoc, anchor: str) -> Section | None:
    """The section an anchor names: a heading's GitHub slug, or the section around an explicit HTML anchor."""
    wanted = unquote(anchor).lower()
    names = list(doc.anchor_order)
    headings = [s for s in doc.sections if not s.is_bullet]
    # The anchors are heading slugs first, in document order, then explicit HTML anchors.
    for name, section in zip(names, headings, strict=False):
        if name == wanted:
            return section
    if wanted not in names:
        return None
    for number, line in enumerate(doc.text.splitlines(), start=1):
        if re.search(r"""(?:name|id)\s*=\s*["']""" + re.escape(anchor) + r"""["']""", line, re.I):
            inside = [s for s in doc.sections if s.start <= number <= s.end]
            return max(inside, key=lambda s: s.start) if inside else Section("", 0, number, number, line)
    return None


def _title_terms(section: Section, role_starts: set[int], extra_stop: frozenset[str]) -> set[str]:
    found = set(terms(section.title, extra_stop))
    # A section named after a role ("### Maintainer") is where that role is defined.
    if section.start in role_starts:
        found.add("role")
    return found


def _own_terms(sentences_: Iterable[Sentence], skip: set[int], extra_stop: frozenset[str]) -> set[str]:
    return {t for s in sentences_ if s.line not in skip for t in terms(s.text, extra_stop)}


def covered(head: Iterable[str], have: set[str]) -> bool:
    """Whether ``have`` holds enough of ``head``: all of one or two terms, two thirds of longer heads.

    General words ("rule", "criteria") are left out when the head has others: a "Voting" section holds the voting
    rules without saying "rules".
    """
    wanted = _specific(head) or set(head)
    needed = max(1, -(-len(wanted) * 2 // 3))
    return len(wanted & have) >= needed


def _specific(words: Iterable[str]) -> set[str]:
    return {w for w in words if w not in GENERIC_HEADS}


def same_topic(one: Deferral, other: Deferral) -> bool:
    """Two deferrals are about the same thing when each one's head names something the other is about."""
    return bool(_specific(one.head) & other.all_terms) and bool(_specific(other.head) & one.all_terms)


@dataclass(frozen=True)
class _Scope:
    """The part of a target a deferral points at: the whole document or the anchored section."""

    doc: ParsedDoc
    start: int
    end: int
    deferrals: tuple[Deferral, ...]

    @property
    def skip(self) -> set[int]:
        return {d.line for d in self.deferrals}

    def sentences(self) -> list[Sentence]:
        return sentences("\n".join(self.doc.text.splitlines()[self.start - 1 : self.end]), self.start)

    def sections(self) -> list[Section]:
        inside = [s for s in self.doc.sections if self.start <= s.start and s.end <= self.end]
        return inside or [s for s in self.doc.sections if (s.start, s.end) == (self.start, self.end)]


def _defining_section(scope: _Scope, head: set[str], extra_stop: frozenset[str]) -> Section | None:
    """A section titled after the topic whose own text (deferrals left out) covers it."""
    role_starts = {s.start for _, s in role_sections(scope.doc)}
    scope_sentences = scope.sentences()
    for section in scope.sections():
        title = _title_terms(section, role_starts, extra_stop)
        if not title & head:
            continue
        body = [s for s in scope_sentences if section.start < s.line <= section.end]
        own = _own_terms(body, scope.skip, extra_stop)
        if own and covered(head, title | own):
            return section
    return None


def resolve(
    ctx: ScanContext, deferral: Deferral, target: Target, deferrals_of: dict[tuple[str, str], list[Deferral]]
) -> Resolution:
    """Follow ``deferral`` to ``target`` and say whether the topic is there, sent back, or missing.

    A target whose own text names the topic's terms somewhere, even outside a section of that name, is given the
    benefit of the doubt.
    """
    doc = target.doc
    extra_stop = _extra_stop(ctx)
    start, end = 1, doc.text.count("\n") + 1
    if target.anchor and not _LINE_ANCHOR.fullmatch(target.anchor):
        anchored = _anchored_section(doc, target.anchor)
        if anchored is None:
            return Resolution(deferral, target, "dangling", f"no anchor #{target.anchor} in {doc.label}")
        start, end = anchored.start, anchored.end
    scope = _Scope(doc, start, end, tuple(d for d in deferrals_of.get(_key(doc), []) if start <= d.line <= end))
    head = set(deferral.head)
    section = _defining_section(scope, head, extra_stop)
    if section is not None:
        return Resolution(deferral, target, "resolved", f"section {section.title!r}", at_line=section.start)
    back = [
        d
        for d in scope.deferrals
        if any(_key(t.doc) == _key(deferral.doc) for t in d.targets) and same_topic(deferral, d)
    ]
    if back:
        reason = f"{doc.label}#L{back[0].line} defers back to {deferral.doc.label}"
        return Resolution(deferral, target, "circular", reason, back=back[0])
    own = _own_terms(scope.sentences(), scope.skip, extra_stop)
    if covered(head, own):
        named = ", ".join(sorted(head & own))
        return Resolution(deferral, target, "resolved", f"mentions {named}")
    onward = [d for d in scope.deferrals if same_topic(deferral, d)]
    if onward:
        reason = f"forwarded to {onward[0].targets[0].label}"
        return Resolution(deferral, target, "resolved", reason, at_line=onward[0].line)
    where = f"{doc.label}#{target.anchor}" if start > 1 else doc.label
    missing = sorted((_specific(head) or head) - own)
    return Resolution(deferral, target, "dangling", f"{where} never mentions {', '.join(missing)}")


def _best(resolutions: list[Resolution]) -> Resolution:
    """One verdict per sentence: any target that resolves serves the reader; circular beats dangling."""
    for status in ("resolved", "circular", "dangling"):
        for resolution in resolutions:
            if resolution.status == status:
                return resolution
    raise ValueError("no resolutions")


def references(ctx: ScanContext) -> tuple[list[ParsedDoc], list[Resolution]]:
    """The governance documents read and one resolution per deferral sentence, in document order."""
    docs = reference_documents(ctx)
    by_key = {_key(d): d for d in docs}
    # A link to a stub is read where the stub leads: the reader follows "please refer to" to the real text.
    pmap = project_map(ctx)
    for key in list(by_key):
        stub = pmap.doc(by_key[key].repo, key[1])
        final = stub.final() if stub is not None and stub.is_stub else None
        if final is not None and final is not stub and final.key in by_key:
            by_key[key] = by_key[final.key]
    deferrals_of = {_key(d): find_deferrals(ctx, d, by_key) for d in docs}
    found = []
    for doc in docs:
        for deferral in deferrals_of[_key(doc)]:
            found.append(_best([resolve(ctx, deferral, t, deferrals_of) for t in deferral.targets]))
    return docs, found


# -- the probe ----------------------------------------------------------------------------------------------------


def _evidence(resolution: Resolution) -> list[Evidence]:
    deferral = resolution.deferral
    found = [deferral.doc.repo.evidence(deferral.doc.path, deferral.line, excerpt=_plain(deferral.sentence.text))]
    if resolution.back is not None:
        back = resolution.back
        found.append(back.doc.repo.evidence(back.doc.path, back.line, excerpt=_plain(back.sentence.text)))
    return found


def _plain(text: str) -> str:
    """A sentence as an excerpt: link text kept, link targets dropped (a report cites pinned permalinks only)."""
    return _INLINE_LINK.sub(lambda m: m["label"], text)[:200]


def _describe(resolution: Resolution) -> str:
    d = resolution.deferral
    where = f"{d.doc.label}#L{d.line} defers '{d.topic}' to {resolution.target.label}"
    if resolution.back is not None:
        return f"{where}, which defers back (L{resolution.back.line})"
    return f"{where}: {resolution.reason}"


class ReferencesResolveValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.references_resolve``."""

    references: list[dict[str, Any]]
    counts: dict[str, int]
    deferrals: int
    checked: list[str]


class ReferencesResolve(Probe):
    spec = ProbeSpec(
        id="governance.references_resolve",
        title="Do governance documents that defer to another document for a rule point to a document that "
        "actually contains it?",
        motivation="A rule defined nowhere cannot be followed: when the ladder says the roles are defined in the "
        "governance and the governance sends the reader back, or cites criteria it does not contain, nobody can "
        "tell what the rule is.",
        remediation="Define each rule in one document and make every deferral point at it (with an anchor to its "
        "section); remove deferrals to sections that do not exist, and break circular references by writing the "
        "rule down in one of the two documents.",
    )
    values_type = ReferencesResolveValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs, found = references(ctx)
        counts = {status: sum(r.status == status for r in found) for status in ("resolved", "dangling", "circular")}
        values: ReferencesResolveValues = {
            "references": [r.to_value() for r in found],
            "counts": counts,
            "deferrals": len(found),
            "checked": [d.label for d in docs],
        }
        if not found:
            what = f"{len(docs)} governance document(s)" if docs else "no governance documents"
            yield self.finding(
                subject(ctx), Outcome.NOT_APPLICABLE, f"no deferral to another governance document in {what}", values
            )
            return
        bad = [r for r in found if r.status != "resolved"]
        if not bad:
            evidence = [e for r in found[:MAX_EVIDENCE] for e in _evidence(r)][:MAX_EVIDENCE]
            yield self.finding(
                subject(ctx),
                True,
                f"all {len(found)} deferral(s) between governance documents lead to a document that covers the topic",
                values,
                evidence,
            )
            return
        evidence = [e for r in bad for e in _evidence(r)][:MAX_EVIDENCE]
        shown = "; ".join(_describe(r) for r in bad[:3]) + ("; ..." if len(bad) > 3 else "")
        yield self.finding(
            subject(ctx),
            False,
            f"{len(bad)} of {len(found)} deferral(s) lead nowhere ({counts['dangling']} dangling, "
            f"{counts['circular']} circular): {shown}",
            values,
            evidence,
            remedy=_remedy(bad),
        )


def _remedy(bad: list[Resolution]) -> str:
    """One instruction per deferral that leads nowhere, naming the files and the line of the deferral."""
    fixes = []
    for ref in bad:
        item = ref.to_value()
        at = f"{item['file']}#L{item['line']}"
        if item["status"] == "circular":
            fixes.append(
                f"write the {item['topic']} rule down in {item['file']} or {item['target']} and let the other link "
                f"to it ({at} and the link back defer to each other)"
            )
        else:
            fixes.append(f"add the {item['topic']} rule to {item['target']} or drop the reference at {at}")
    return "Governance cross-references: " + "; ".join(fixes) + "."
