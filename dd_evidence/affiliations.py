"""Company names as people write them, turned into one name per organisation, and told apart from
affiliations that are not companies (a university, a foundation, "independent").

The alias table is deliberately small: it only folds spellings that name the same legal group as far as
maintainer rosters are concerned. Subsidiaries that are separate employers (for example Ant Group, which is
not Alibaba) are never folded together. Extend it when a roster shows a new spelling; keep each entry obvious.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from dd_evidence import yamlio


def _load_aliases() -> dict[str, str]:
    text = resources.files("dd_evidence").joinpath("data", "companies.yaml").read_text("utf-8")
    data = yamlio.safe_load(text) or {}
    return {str(k).casefold(): str(v) for k, v in (data.get("aliases") or {}).items()}


# Affiliation kinds. Only companies, academic and foundation affiliations count as organisations;
# "independent" and "unknown" people are reported but never pooled into one organisation.
COMPANY = "company"
ACADEMIC = "academic"
FOUNDATION = "foundation"
INDEPENDENT = "independent"
UNKNOWN = "unknown"

# normalised key -> canonical display name (``data/companies.yaml``). Keys are what ``_key`` makes of a spelling.
ALIASES: dict[str, str] = _load_aliases()


# Legal-form suffixes that do not change which organisation is meant. "Group" is *not* here: "Ant Group"
# and "Ant" are different names, and a group is often a different employer from its namesake product.
# The look-behind starts a match only where a run of separators starts: without it, every position inside a long
# run ("Acme" + ", " * 8000) starts a new scan to the end, quadratic in the run's length.
_SUFFIX = re.compile(
    r"(?<![\s,])[\s,]+(?:inc|incorporated|ltd|limited|llc|gmbh|co|corp|corporation|company|plc|ag|s\.?a|b\.?v|pte|pty)\.?$",
    re.IGNORECASE,
)
_INDEPENDENT = re.compile(
    r"^(?:independent|individual|self|self[- ]employed|none|n/?a|-+|freelance(?:r)?|personal|unaffiliated)$",
    re.IGNORECASE,
)
_ACADEMIC = re.compile(r"\b(?:university|universit[éà]|college|institute of technology|academy of sciences)\b", re.I)
_FOUNDATION = re.compile(r"\bfoundation\b", re.IGNORECASE)
# No organisation's name is longer; a longer cell is cut here before the suffix loops below (one pass per suffix).
MAX_NAME = 200


@dataclass(frozen=True)
class Affiliation:
    """One affiliation after normalisation: the display name, its kind and the text it came from."""

    name: str
    kind: str
    raw: str

    @property
    def is_organisation(self) -> bool:
        """Companies, universities and foundations are organisations; independent/unknown are not."""
        return self.kind in (COMPANY, ACADEMIC, FOUNDATION)


def _key(text: str) -> str:
    """Lower case, single spaces, no legal-form suffixes, no trailing punctuation."""
    key = re.sub(r"\s+", " ", text[: MAX_NAME * 4]).strip()[:MAX_NAME].strip(".,;").strip()
    previous = None
    while previous != key:
        previous = key
        key = _SUFFIX.sub("", key).strip().strip(".,")
    return key.casefold()


def normalise(raw: str | None) -> Affiliation:
    """The canonical affiliation for a company name as written in a roster, CSV or profile."""
    text = re.sub(r"\s+", " ", (raw or "")[: MAX_NAME * 4]).strip()[:MAX_NAME]
    text = text.lstrip("@")  # GitHub profile company fields often start with "@org"
    if not text:
        return Affiliation("", UNKNOWN, raw or "")
    if _INDEPENDENT.match(text):
        return Affiliation("Independent", INDEPENDENT, raw or "")
    key = _key(text)
    name = ALIASES.get(key) or _display(text)
    return Affiliation(name, classify(name), raw or "")


def _display(text: str) -> str:
    """The spelling to show when no alias applies: suffix-free, as written."""
    shown = text.strip()[:MAX_NAME]
    previous = None
    while previous != shown:
        previous = shown
        shown = _SUFFIX.sub("", shown).strip().strip(",")
    return shown


def classify(name: str) -> str:
    """company, academic, foundation or independent, from the canonical name alone."""
    if not name:
        return UNKNOWN
    if _INDEPENDENT.match(name) or name == "Independent":
        return INDEPENDENT
    if _ACADEMIC.search(name):
        return ACADEMIC
    if _FOUNDATION.search(name):
        return FOUNDATION
    return COMPANY


def same_organisation(a: str | None, b: str | None) -> bool:
    """Whether two spellings name the same organisation (case-, suffix- and alias-insensitive)."""
    left, right = normalise(a), normalise(b)
    return bool(left.name) and left.name.casefold() == right.name.casefold()


def count_by_organisation(raws: Iterable[str | None]) -> tuple[Counter[str], Counter[str]]:
    """(organisation -> people, non-organisation kind -> people) for a list of raw affiliations.

    Organisation names are merged case-insensitively; the first spelling seen is the one shown.
    """
    orgs: Counter[str] = Counter()
    shown: dict[str, str] = {}
    others: Counter[str] = Counter()
    for raw in raws:
        aff = normalise(raw)
        if aff.is_organisation:
            name = shown.setdefault(aff.name.casefold(), aff.name)
            orgs[name] += 1
        else:
            others[aff.kind] += 1
    return orgs, others


def elephant_factor(counts: Counter[str], total: int | None = None) -> int:
    """The smallest number of organisations that together hold more than half of ``total`` people (default:
    the people counted); 0 when all organisations together do not reach half (say, mostly independents)."""
    total = sum(counts.values()) if total is None else total
    held = 0
    for index, (_, n) in enumerate(counts.most_common(), start=1):
        held += n
        if held * 2 > total:
            return index
    return 0
