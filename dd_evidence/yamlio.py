"""YAML reading through libyaml when PyYAML was built with it (ten times faster than the pure-Python loader),
bounded so that a hostile document cannot blow up memory or the stack.

The criteria catalogue alone is a few hundred kilobytes of YAML read on every scan; scanned repositories'
maintainers.yaml, OWNERS and SECURITY-INSIGHTS files go through here too. Both loaders are the *safe* ones:
scanned content is untrusted.

The safe loader keeps an alias as a reference to the anchored node, so loading a "billion laughs" document is
cheap; what explodes is everything afterwards that walks or prints the result (``str()``, a recursive walk,
a merge key that copies the anchored mapping's pairs). So before loading, one pass over the parser's events
(libyaml's parser keeps its own stack: no recursion) measures the document as if every alias were expanded,
and the document is refused when it would be bigger than :data:`MAX_EXPANDED`, uses more than
:data:`MAX_ALIASES` aliases, or nests deeper than :data:`MAX_DEPTH`. A refusal raises :class:`YAMLRefused`,
a :class:`~dd_evidence.errors.SourceUnavailable`: a probe that does not catch it gets a ``not_available``
finding with the reason, never a ``false`` one.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

from dd_evidence.errors import SourceUnavailable

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_ALIASES = 200
"""Aliases a document may use. Hand-written rosters and security-insights files use none or a handful."""
MAX_EXPANDED = 4_000_000
"""Size of the document with every alias expanded: one per node plus the characters of each scalar."""
MAX_DEPTH = 64
"""Nested mappings and sequences. Real files nest a few levels; thousands of ``[`` overflow recursive walks."""


class YAMLRefused(SourceUnavailable):
    """A YAML document was not loaded because it is built to exhaust memory or the stack."""

    def __init__(self, reason: str):
        super().__init__("yaml", reason)


def safe_load(source: str | bytes | IO[str] | IO[bytes], name: str | None = None) -> Any:
    """``yaml.safe_load`` with the C loader when available, refusing documents past the alias and depth bounds.

    Raises ``yaml.YAMLError`` for a document that is not YAML and :class:`YAMLRefused` for a hostile one (its
    reason names the document as ``name``, e.g. ``repo/OWNERS``).
    """
    text = source if isinstance(source, (str, bytes)) else source.read()
    try:
        check_bounds(text)
    except YAMLRefused as exc:
        raise YAMLRefused(f"{name} not read: {exc.reason}" if name else f"not read: {exc.reason}") from None
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a SafeLoader (C or Python), never the full one


def check_bounds(text: str | bytes) -> None:
    """Raise :class:`YAMLRefused` when ``text`` expands past the bounds; ``yaml.YAMLError`` when it is not YAML."""
    budget = _Budget()
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            budget.add(event)
    except yaml.YAMLError as exc:
        # libyaml stops at 1000 levels on its own: that is a hostile document too, not a malformed one.
        if "maximum nesting depth" in str(exc):
            raise YAMLRefused(f"YAML nested more than {MAX_DEPTH} levels deep") from None
        raise


class _Budget:
    """The running size of a document as if every alias were expanded, from its parser events."""

    def __init__(self) -> None:
        self.anchors: dict[str, int] = {}  # anchor -> expanded size of the node it names
        self.open: list[list[Any]] = []  # per open collection: [anchor, expanded size so far]
        self.total = 0
        self.aliases = 0

    def add(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionStartEvent):
            self.open.append([event.anchor, 1])
            self._grow(1)
            if len(self.open) > MAX_DEPTH:
                raise YAMLRefused(f"YAML nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent) and self.open:
            anchor, size = self.open.pop()
            self._name(anchor, size)
            if self.open:
                self.open[-1][1] += size  # already counted in the total as its parts arrived
        elif isinstance(event, yaml.ScalarEvent):
            size = 1 + len(event.value)
            self._name(event.anchor, size)
            self._add_node(size)
        elif isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YAMLRefused(f"more than {MAX_ALIASES} YAML aliases")
            self._add_node(self.anchors.get(event.anchor or "", 1))

    def _name(self, anchor: str | None, size: int) -> None:
        if anchor:
            self.anchors[anchor] = size

    def _add_node(self, size: int) -> None:
        if self.open:
            self.open[-1][1] += size
        self._grow(size)

    def _grow(self, size: int) -> None:
        self.total += size
        if self.total > MAX_EXPANDED:
            raise YAMLRefused(f"YAML aliases expand past {MAX_EXPANDED:,} characters (a 'billion laughs' document)")
