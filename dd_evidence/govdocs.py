"""Transitional re-exports of :mod:`dd_evidence.facts` (removed once every probe imports the facts layer)."""

from dd_evidence.facts import GOVERNANCE_ROLES, ParsedDoc, documents, hit_doc, parse_cache, parsed, readmes, subject

__all__ = ["GOVERNANCE_ROLES", "ParsedDoc", "documents", "hit_doc", "parse_cache", "parsed", "readmes", "subject"]
