"""An on-disk cache of parsed Markdown documents, so a re-scan does not parse unchanged files again.

Parsing is most of a warm scan's CPU time (markdown-it over every governance and community document), and most
documents do not change between two scans. Entries are content-addressed: the key is the SHA-256 of the text
plus a fingerprint of the parsing code (this package's markdown modules and markdown-it's version), so an edit to
the parser never serves an answer computed by the old one. Entries are JSON (never pickle: a cache directory is
not trusted to hold code), written atomically; an unreadable or corrupt entry is simply recomputed. Each entry
records the hash of the text it was parsed from and is served only for that text, so an entry copied or moved
under another name is a miss, never another document's answer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from markdown_it import __version__ as MARKDOWN_IT_VERSION

from dd_evidence import markdown, mdsections

# The key under which an entry records the SHA-256 of the text it was parsed from.
TEXT_HASH = "text_sha256"
# Entries of other code versions (an older dd-evidence, an edited parser) not used for this long are removed: each
# version keeps a folder of its own, and the cache would otherwise grow by a full copy with every upgrade.
STALE_VERSION_DAYS = 30
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_USED = ".used"


PACKAGE = Path(__file__).resolve().parent
# The code that turns a document's text into its parsed form (headings, links, sections, anchors).
PARSE_CODE = (
    Path(str(markdown.__file__)).resolve(),
    Path(str(mdsections.__file__)).resolve(),
    PACKAGE / "mdparts.py",  # the shape of an entry
    PACKAGE / "facts" / "parsed.py",  # how an entry is read back
)


def text_key(text: str) -> str:
    """The SHA-256 of a text: what names its entry, and what the entry records it was computed from."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def code_fingerprint(code: tuple[Path, ...] = PARSE_CODE) -> str:
    """A short hash of the code (and data) files that turn text into an entry, and of markdown-it's version."""
    digest = hashlib.sha256(MARKDOWN_IT_VERSION.encode())
    for path in code:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ParseCache:
    """Entries computed from a text, by text; ``root`` None disables it (every lookup misses, nothing is written).

    ``kind`` names the entries (a folder of its own) and ``code`` the files that compute them, so entries of
    another kind, or computed by other code, are never served.
    """

    def __init__(self, root: Path | None, kind: str = "parsed", code: tuple[Path, ...] = PARSE_CODE):
        self.root = root / kind / code_fingerprint(code) if root is not None else None
        self.hits = 0
        self.misses = 0
        if self.root is not None:
            prune_other_versions(self.root)

    def load(self, text: str) -> dict[str, Any] | None:
        path, key = self._path(text)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(data, dict) or data.get(TEXT_HASH) != key:
            self.misses += 1  # an entry of another text (swapped or copied): parse again
            return None
        self.hits += 1
        return data

    def has(self, text: str) -> bool:
        """Whether an entry for ``text`` is on disk (not whether it is sound: :meth:`load` says that)."""
        path, _ = self._path(text)
        return path is not None and path.is_file()

    def store(self, text: str, data: dict[str, Any]) -> None:
        path, key = self._path(text)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({**data, TEXT_HASH: key}, separators=(",", ":")), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next scan

    def _path(self, text: str) -> tuple[Path | None, str]:
        key = text_key(text)
        if self.root is None:
            return None, key
        return self.root / key[:2] / f"{key}.json", key


@functools.cache
def prune_other_versions(current: Path, now: float | None = None) -> None:
    """Mark ``current`` (one code version's folder) as used, and remove the folders of other versions beside it
    that were not used for :data:`STALE_VERSION_DAYS` days. Only folders named like a fingerprint go, never a
    symlink (nothing outside the cache is ever removed); a folder that cannot be read or removed is left. Once per
    folder and process."""
    moment = time.time() if now is None else now
    try:
        if current.is_dir():  # made by the first entry written; until then its own time says it is new
            (current / _USED).touch()
        others = [p for p in current.parent.iterdir() if p != current and _FINGERPRINT.fullmatch(p.name)]
    except OSError:
        return
    for other in others:
        try:
            if other.is_symlink() or not other.is_dir():
                continue
            marker = other / _USED
            used = (marker if marker.exists() else other).stat().st_mtime
        except OSError:
            continue
        if moment - used > STALE_VERSION_DAYS * 86400:
            shutil.rmtree(other, ignore_errors=True)
