"""Where a project says its security policy is, when it has no document of that role: a link from a README,
a contributing guide or a contact page whose text says "security" or "vulnerability" to a document of the scan."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dd_evidence.facts.documents import Doc
from dd_evidence.facts.links import file_in
from dd_evidence.facts.projectmap import project_map

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

_SECURITY_LINK = re.compile(r"security|vulnerabilit", re.IGNORECASE)
# The documents people start from when they look for how to report a vulnerability.
LINKING_ROLES = ("contributing", "channels", "support", "governance")


def linked_policies(ctx: ScanContext) -> list[Doc]:
    """Documents of the scan that a README, contributing guide, contact or support page links as the security
    policy (the link text or target says security or vulnerability), in search order, once each."""
    pmap = project_map(ctx)
    sources = [d for repo in pmap.repos if (d := pmap.readme(repo)) is not None]
    sources += [d for role in LINKING_ROLES for d in pmap.documents(role) if not d.is_stub]
    found: dict[tuple[str, str], Doc] = {}
    for source in dict.fromkeys(sources):
        if not source.read:
            continue
        for link in pmap.parsed(source).document.links:
            if link.image or link.url.startswith(("#", "mailto:")):
                continue
            if not _SECURITY_LINK.search(f"{link.text} {link.url}"):
                continue
            target = pmap.resolve_url(link.url, source)
            path = file_in(target.repo, target.path) if target else None
            if target is None or path is None or (target.repo.full_name, path) == source.key:
                continue
            doc = pmap.doc(target.repo, path) or pmap.read_document(target.repo, path)
            if doc.read and doc.key not in found:
                found[doc.key] = doc
    return list(found.values())
