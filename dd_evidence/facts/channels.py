"""Channel knowledge from ``data/channels.yaml``: discussion kinds, Slack invite hosts, expiring invite links."""

from __future__ import annotations

import functools
import re
from typing import Any

from dd_evidence.facts.knowledge import load_data


@functools.cache
def _data() -> dict[str, Any]:
    data = load_data("channels.yaml")
    return data if isinstance(data, dict) else {}


@functools.cache
def discussion_kinds() -> tuple[str, ...]:
    """Channel kinds people can talk in (a social account only broadcasts)."""
    return tuple(str(k) for k in _data().get("discussion_kinds") or ())


@functools.cache
def slack_invite_hosts() -> dict[str, str]:
    """Invite host -> Slack workspace (``slack.cncf.io`` -> ``cloud-native``)."""
    hosts = _data().get("slack_invite_hosts") or {}
    return {str(k).lower(): str(v) for k, v in hosts.items()}


@functools.cache
def expiring_invites() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(service, pattern) of chat invite links that expire by design."""
    found = _data().get("expiring_invites") or []
    return tuple((str(service), re.compile(str(pattern), re.IGNORECASE)) for service, pattern in found)


@functools.cache
def personal_mail_domains() -> frozenset[str]:
    """Mail domains of personal mailboxes and list hosts (never a company's asset)."""
    return frozenset(str(d).lower() for d in _data().get("personal_mail_domains") or ())
