"""The names of the other CNCF projects (from the bundled landscape index), as one pattern to find them in text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dd_evidence.resolve import load_index

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# CNCF project names that are ordinary words in headings ("Score", "Spin", "ko") are matched by file name only.
_AMBIGUOUS_NAMES = {
    "score", "spin", "ko", "porter", "kpt", "flux", "dex", "cedar", "drasi", "lima", "hexa", "distribution",
    "carina", "curve", "oxia", "radius", "stacker", "teller", "tremor", "fonio", "cartography", "interlink",
}  # fmt: skip


@dataclass(frozen=True)
class CncfNames:
    """CNCF project names (lower case, aliases too) -> display name, with one pattern that finds any of them."""

    names: dict[str, str]
    # One alternation instead of a regex per name: several hundred names would thrash ``re``'s compile cache
    # and cost a compile per name for every heading and README line.
    pattern: re.Pattern[str] | None

    def match(self, text: str, whole: bool) -> str | None:
        """The CNCF project ``text`` is (``whole``) or names as a word (the first one named)."""
        if whole:
            norm = re.sub(r"[-_]+", " ", text.lower()).strip()
            names = self.names
            return names.get(norm) or names.get(norm.replace(" ", "-")) or names.get(norm.replace(" ", ""))
        found = self.pattern.search(text) if self.pattern else None
        return self.names.get(found.group(1).lower()) if found else None


def cncf_names(ctx: ScanContext) -> CncfNames:
    """The CNCF project names and aliases, the scanned project itself left out."""

    def build() -> CncfNames:
        names: dict[str, str] = {}
        own = ctx.project.name.lower()
        for key, entry in load_index().items():
            if key == own:
                continue
            display = str(entry.get("display_name") or key)
            for name in {key, display, *(entry.get("aliases") or [])}:
                clean = re.sub(r"\s*\(.*?\)\s*", " ", str(name)).strip().lower()
                if len(clean) >= 3:
                    names.setdefault(clean, display)
        # Longest first, so that "kubernetes dashboard" wins over "kubernetes" at the same place.
        words = sorted((n for n in names if n not in _AMBIGUOUS_NAMES), key=lambda n: (-len(n), n))
        alternation = "|".join(re.escape(n) for n in words)
        pattern = re.compile(rf"(?<![\w-])({alternation})(?![\w-])", re.IGNORECASE) if words else None
        return CncfNames(names, pattern)

    return ctx.memo("docs.cncf_names", build)
