"""Checks a reviewer would run over a DD draft before pasting it: shared by the synthetic render tests and the
Dragonfly acceptance test (tests/realdata/test_draft_dragonfly.py).

- ``contradictions``: a criterion whose TODO or recommendation asks for something a ✔ finding of the same criterion
  says is there ("Add a CODE_OF_CONDUCT.md that adopts the CNCF Code of Conduct" under "✔ CODE_OF_CONDUCT.md adopts
  the CNCF Code of Conduct");
- ``conflicting_facts``: the same fact stated twice with different numbers (one window says 5 inactive maintainers,
  another 7; two totals of human commits; two activity windows);
- ``cut_words``: quotes cut in the middle of a word ("…any single compa").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

TODO_MARK = "**TODO for "
FINDING = re.compile(r"^  - (?P<mark>[✔✘?–⚠]) (?P<text>.*)$")
CRITERION = re.compile(r"^- \[(?P<box>[ x])\] \*\*(?P<title>.+?)\*\* — (?P<tag>.*)$")
SUMMARY_ITEM = re.compile(r"^  - \*\*(?P<title>.+?)\*\* — (?P<text>.*)$")


@dataclass
class Block:
    """One criterion of the draft: its title, status tag, finding lines, TODO and (from the summary) recommendations."""

    title: str
    tag: str
    findings: list[tuple[str, str]] = field(default_factory=list)  # (mark, text)
    todo: str = ""
    recommendations: str = ""

    def passing(self) -> list[str]:
        return [text for mark, text in self.findings if mark == "✔"]


def blocks(markdown: str) -> list[Block]:
    """Every criterion item of the draft, with the recommendations the summary gives for it."""
    found: list[Block] = []
    current: Block | None = None
    for line in markdown.splitlines():
        item = CRITERION.match(line)
        if item:
            current = Block(item["title"], item["tag"])
            found.append(current)
            continue
        if current is None:
            continue
        if line.startswith("<!--") or line.startswith("#"):
            current = None
            continue
        finding = FINDING.match(line)
        if finding:
            current.findings.append((finding["mark"], finding["text"]))
        elif line.startswith(f"  - {TODO_MARK}"):
            current.todo = line.split(":**", 1)[1].strip()
    advice = recommendations(markdown)
    for block in found:
        block.recommendations = advice.get(block.title, "")
    return found


def recommendations(markdown: str) -> dict[str, str]:
    """Criterion title → the recommendation text of the summary's non-blocking list."""
    start = markdown.find("are non-blocking.")
    end = markdown.find("\n- ", start)
    if start < 0:
        return {}
    out = {}
    for line in markdown[start:end].splitlines():
        item = SUMMARY_ITEM.match(line)
        if item:
            out[item["title"]] = item["text"]
    return out


# -- contradictions ---------------------------------------------------------------------------------------------

# "Add a X.md", "Write a X.md", "Publish an X.md", "Add X.md": asks for a file to be created.
_CREATE_FILE = re.compile(r"\b(?:Add|Create|Write|Publish)\s+(?:an?\s+)?(?P<file>[A-Z][A-Z_-]*\.md)\b")
_PAIRS = (
    # (what the advice asks for, what a passing finding says is there already)
    (re.compile(r"adopts? or links? the CNCF Code of Conduct", re.I),
     re.compile(r"adopts the CNCF Code of Conduct", re.I)),
    (re.compile(r"\baffiliations?\b", re.I), re.compile(r"affiliation for all", re.I)),
    (re.compile(r"issue (?:and pull request )?templates", re.I), re.compile(r"issue template file", re.I)),
    (re.compile(r"Link (?:the Code of Conduct|CODE_OF_CONDUCT\.md) from GOVERNANCE\.md", re.I),
     re.compile(r"Code of Conduct is linked from .*GOVERNANCE", re.I)),
)  # fmt: skip


def contradictions(markdown: str) -> list[str]:
    """``title: advice / finding`` for every piece of advice a passing finding of the same criterion contradicts."""
    problems = []
    for block in blocks(markdown):
        for kind, advice in (("TODO", block.todo), ("recommendation", block.recommendations)):
            if not advice:
                continue
            for passing in block.passing():
                why = _contradicts(advice, passing)
                if why:
                    problems.append(f"{block.title[:60]}: {kind} {why!r} contradicted by ✔ {passing[:100]!r}")
    return problems


def _contradicts(advice: str, passing: str) -> str | None:
    for match in _CREATE_FILE.finditer(advice):
        name = match["file"].lower()
        if re.search(rf"(?<![\w-]){re.escape(name)}\b", passing.lower()):
            return match.group(0)
    for asked, present in _PAIRS:
        match = asked.search(advice)
        if match and present.search(passing):
            return match.group(0)
    return None


# -- facts stated twice --------------------------------------------------------------------------------------------

_ACTIVE = re.compile(r"(\d+) of (\d+) (?:listed )?maintainers(?: in \S+)? committed")
_INACTIVE = re.compile(r"(\d+) of (\d+) (?:listed )?maintainers have no commits")
_WINDOW = re.compile(r"from (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d),? \(?exclusive\)?")
_MONTHS_ACTIVITY = re.compile(r"maintainers[^.;]{0,80}?no commits[^.;]{0,60}?in the last (\d+) months")
_HUMAN_COMMITS = re.compile(r"of (\d+) human commits")
_NAME = r"[A-Za-z][\w.-]*"
_NO_COMMITS_NAMES = re.compile(rf"no commits from ((?:{_NAME}, )*{_NAME})(?=[;)\s—]|$)")
_INACTIVE_NAMES = re.compile(rf"have no commits[^;]*?\(((?:{_NAME}, )+{_NAME})\)")
_CONFIRM_NAMES = re.compile(rf"Confirm with ((?:{_NAME}, )*{_NAME}) \(no commits")
_ORGS = re.compile(r"(\d+) maintainers from (\d+) organisations")


def conflicting_facts(markdown: str) -> list[str]:
    """Facts the draft states more than once, with different numbers or names."""
    text = " ".join(markdown.split())
    problems = []

    def same(name: str, values: Iterable[object]) -> None:
        distinct = sorted(set(map(str, values)))
        if len(distinct) > 1:
            problems.append(f"{name}: {distinct}")

    active = {(int(m[0]), int(m[1])) for m in _ACTIVE.findall(text)}
    inactive = {(int(m[0]), int(m[1])) for m in _INACTIVE.findall(text)}
    same("active maintainers", active)
    same("inactive maintainers", inactive)
    for a, total in active:
        for i, other_total in inactive:
            if total == other_total and a + i != total:
                problems.append(f"{a} of {total} active but {i} of {total} inactive")
    same("activity window", _WINDOW.findall(text))
    months = _MONTHS_ACTIVITY.findall(text)
    if months and _WINDOW.findall(text):
        problems.append(f"maintainer activity counted over {months[0]} months and over the activity window")
    same("human commits in the window", _HUMAN_COMMITS.findall(text))
    listed = _NO_COMMITS_NAMES.findall(text) + _INACTIVE_NAMES.findall(text) + _CONFIRM_NAMES.findall(text)
    names = [frozenset(n.split(", ")) for n in listed]
    same("maintainers without commits", [sorted(n) for n in names])
    same("maintainers and organisations", _ORGS.findall(text))
    return problems


# -- quotes --------------------------------------------------------------------------------------------------------

_BEFORE_ELLIPSIS = re.compile(r"(\w+)…")
# A quoted excerpt: a code span right after the link it quotes ("[file#L9](url) `...`", "...: `...`").
_CODE_SPAN = re.compile(r"(?:\) |\): |^    - )(`+) ?(.+?) ?\1", re.M)
_BEFORE_LINKS = re.compile(r"^  - [✔✘?–⚠] (.*?) — \[", re.M)


def cut_words(markdown: str, vocabulary: set[str]) -> list[str]:
    """Words where a quote may have been cut that are not whole words of the quoted sources: the word before each
    "…", the last word of each quoted excerpt, and the last word of each finding's text."""
    candidates = set(_BEFORE_ELLIPSIS.findall(markdown))
    ends = [m.group(2) for m in _CODE_SPAN.finditer(markdown)] + _BEFORE_LINKS.findall(markdown)
    for text in ends:
        last = re.findall(r"\w+", text.removesuffix("…"))
        if last:
            candidates.add(last[-1])
    return sorted(w for w in candidates if w.lower() not in vocabulary and not w.isdigit())


def words(texts: Iterable[str]) -> set[str]:
    """The whole words of ``texts``, lower-cased: the vocabulary quotes are checked against."""
    return {w.lower() for text in texts for w in re.findall(r"\w+", text)}
