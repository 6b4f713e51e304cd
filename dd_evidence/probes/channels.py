"""Communication channels and meetings: is there a public channel, does the community list every channel the
org's repos advertise, and is there a published meeting schedule with recent notes?

Channels are collected from each repo's README and community documents as facts (:class:`Channel`) with a
stable identity (``key``) so the same Slack channel or mailing list written two ways compares equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TypedDict
from urllib.parse import parse_qs, urlparse

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, project_map, subject
from dd_evidence.facts.blocks import blocks
from dd_evidence.facts.channels import discussion_kinds, slack_invite_hosts
from dd_evidence.facts.meetings import meeting_notes
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents
from dd_evidence.repoview import RepoView

# Roles of the documents (besides the README) where projects list their channels.
CHANNEL_DOC_ROLES = ("governance", "contributing", "contributor_ladder", "channels", "meetings")

_URL = re.compile(r"https?://[^\s)\]>\"'`]+", re.IGNORECASE)
_SLACK_CHANNEL = re.compile(r"^([\w-]+)\.slack\.com$")
_LIST_HOST = re.compile(r"(^|\.)(googlegroups\.com|groups\.io)$|^lists\.|^list\.", re.IGNORECASE)
# Parts bounded as RFC 5321 bounds them (64-character local part, 63-character labels): unbounded, every start
# in a long run of address characters with no "@" ("a." * 400000) rescans to the end, quadratic.
_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63})"
)
_MAILING_WORDS = re.compile(r"mailing[- ]?list|\bmail(ing)? group", re.IGNORECASE)
_DINGTALK = re.compile(r"ding\s?talk|钉钉", re.IGNORECASE)
_WECHAT = re.compile(r"we\s?chat|weixin|微信", re.IGNORECASE)
_GROUP_NUMBER = re.compile(r"(?<![\w/=.,+-])(\d{6,})(?![\w/])")
# Not "community.": community.apache.org, community.cncf.io and the like are sites about communities, not forums.
_FORUM_HOST = re.compile(r"^(discuss|forum|forums|discourse)\.|discourse", re.IGNORECASE)
_TWITTER_SKIP = {"intent", "share", "search", "hashtag", "i", "home"}


@dataclass(frozen=True)
class Channel:
    """One channel a document advertises: ``key`` identifies it across spellings, ``line`` is 1-based."""

    kind: str
    key: str
    repo: RepoView
    path: str
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.repo.name}/{self.path}#L{self.line}"

    def evidence(self) -> Evidence:
        return self.repo.evidence(self.path, self.line, excerpt=self.text[:160])


def _url_channel(url: str, line_text: str) -> tuple[str, str] | None:
    """(kind, key) of a URL that points at a channel, or None."""
    parsed_url = urlparse(url.rstrip(".,;"))
    host = (parsed_url.hostname or "").lower().removeprefix("www.")
    parts = [p for p in parsed_url.path.split("/") if p]
    if host in slack_invite_hosts():
        return "slack", f"slack:{slack_invite_hosts()[host]}"
    if host == "join.slack.com" and len(parts) >= 2 and parts[0] == "t":
        return "slack", f"slack:{parts[1].lower()}"
    slack = _SLACK_CHANNEL.match(host)
    if slack and host != "join.slack.com":
        workspace = slack.group(1)
        if len(parts) >= 2 and parts[0] in ("messages", "archives", "channels", "app_redirect"):
            return "slack", f"slack:{workspace}#{parts[1].lower()}"
        return "slack", f"slack:{workspace}"
    if host == "groups.google.com":
        name = _google_group(parsed_url.path + "#" + parsed_url.fragment)
        return ("mailing-list", f"list:{name}@googlegroups.com") if name else None
    if host.endswith("groups.io") or host.startswith("lists."):
        if len(parts) >= 2 and parts[0] == "g":
            return "mailing-list", f"list:{parts[1].lower()}@{host}"
        return None
    if host == "github.com" and len(parts) >= 3 and parts[2] == "discussions":
        # Discussions of any repo of the same org are one forum for the diff: repos get renamed (a
        # "Dragonfly2" link redirects to "dragonfly"), and the org owns them all anyway.
        return "discussions", f"discussions:{parts[0].lower()}"
    if host in ("discord.gg", "discord.com", "discordapp.com") and parts:
        code = parts[1] if parts[0] in ("invite", "channels") and len(parts) > 1 else parts[0]
        return "discord", f"discord:{code.lower()}"
    if host == "matrix.to":
        room = parsed_url.fragment.lstrip("/")
        return ("matrix", f"matrix:{room.lower()}") if room else None
    if host == "gitter.im" and parts:
        return "gitter", f"gitter:{'/'.join(parts[:2]).lower()}"
    if host.endswith("zulipchat.com"):
        return "zulip", f"zulip:{host}"
    if host in ("t.me", "telegram.me") and parts:
        return "telegram", f"telegram:{parts[0].lower()}"
    if host in ("twitter.com", "x.com") and parts and parts[0].lower() not in _TWITTER_SKIP:
        return "social", f"twitter:@{parts[0].lower()}"
    if host.endswith("dingtalk.com"):
        number = _GROUP_NUMBER.search(_URL.sub(" ", line_text))
        if number:
            return "dingtalk", f"dingtalk:{number.group(1)}"
        code = parse_qs(parsed_url.query).get("code", [parsed_url.path])[0]
        return "dingtalk", f"dingtalk:invite:{code[:24]}"
    if host in ("weixin.qq.com", "u.wechat.com"):
        return "wechat", f"wechat:{'/'.join(parts).lower()}"
    if _FORUM_HOST.search(host) and not host.endswith(("github.com", "cncf.io")):
        return "forum", f"forum:{host}"
    return None


def _google_group(path: str) -> str | None:
    match = re.search(r"(?:/g/|forum/#!forum/|/d/forum/|/forum/#!topic/)([\w.-]+)", path)
    return match.group(1).lower() if match else None


def channels_in_text(repo: RepoView, path: str, text: str) -> list[Channel]:
    """Every channel ``text`` advertises, in line order (a channel seen twice on one line counts once)."""
    found: list[Channel] = []
    in_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        # HTML comments hide text from readers; channels inside them are not advertised.
        if "<!--" in line and "-->" not in line:
            in_comment = True
        if in_comment:
            in_comment = "-->" not in line
            continue
        keys: set[str] = set()

        def add(kind: str, key: str, line: str = line, number: int = number, keys: set[str] = keys) -> None:
            if key not in keys:
                keys.add(key)
                found.append(Channel(kind, key, repo, path, number, line.strip()))

        for url in _URL.findall(line):
            hit = _url_channel(url, line)
            if hit:
                add(*hit)
        bare = _URL.sub(" ", line)
        for match in _EMAIL.finditer(bare):
            address = match.group(1).lower()
            domain = address.rsplit("@", 1)[1]
            if _LIST_HOST.search(domain) or (_MAILING_WORDS.search(line) and not address.startswith("git@")):
                add("mailing-list", f"list:{address}")
        if _DINGTALK.search(line) and not any(k.startswith("dingtalk:") for k in keys):
            number_match = _GROUP_NUMBER.search(bare)
            if number_match:
                add("dingtalk", f"dingtalk:{number_match.group(1)}")
        if _WECHAT.search(line) and not any(k.startswith("wechat:") for k in keys):
            number_match = _GROUP_NUMBER.search(bare)
            if number_match:
                add("wechat", f"wechat:{number_match.group(1)}")
    return found


def doc_channels(ctx: ScanContext, doc: ParsedDoc) -> list[Channel]:
    """The channels of a parsed document, memoised for the scan."""
    return ctx.memo(("channels", doc.repo.full_name, doc.path), lambda: channels_in_text(doc.repo, doc.path, doc.text))


def _readme(ctx: ScanContext, repo: RepoView) -> ParsedDoc | None:
    pmap = project_map(ctx)
    doc = pmap.readme(repo)
    return pmap.parsed(doc) if doc is not None else None


def repo_channel_docs(ctx: ScanContext, repo: RepoView) -> list[ParsedDoc]:
    """A repo's README and its own community documents (governance, contributing, ladder), stubs left out."""
    pmap = project_map(ctx)
    docs = [d for d in [_readme(ctx, repo)] if d is not None]
    for role in CHANNEL_DOC_ROLES:
        for hit in pmap.in_repo(repo, role):
            if not hit.is_stub and all(d.path != hit.path for d in docs):
                docs.append(pmap.parsed(hit))
    return docs


def _project_repos(ctx: ScanContext) -> list[RepoView]:
    """The repositories whose documents speak for the project: main, community, then website."""
    main = [r for r in [ctx.main_repo] if r is not None]
    return list(dict.fromkeys(main + ctx.repos_with_role("community") + ctx.repos_with_role("website")))


def channel_list_docs(ctx: ScanContext) -> list[ParsedDoc]:
    """Where the project lists its channels: the community and main READMEs and the project's community or contact
    pages (a website's community page included)."""
    pmap = project_map(ctx)
    candidates = [r for r in ctx.repos_with_role("community")] + [r for r in [ctx.main_repo] if r is not None]
    docs = [d for d in (_readme(ctx, repo) for repo in candidates) if d is not None]
    for hit in pmap.documents("channels"):
        if not hit.is_stub and hit.read and hit.repo in _project_repos(ctx):
            docs.append(pmap.parsed(hit))
    return list(dict.fromkeys(docs))


def main_channel_list(ctx: ScanContext) -> tuple[ParsedDoc | None, list[Channel]]:
    """The project's channel list: of :func:`channel_list_docs`, the one naming the most channels; the community
    README first on a tie."""
    best: tuple[ParsedDoc, list[Channel]] | None = None
    for doc in channel_list_docs(ctx):
        found = doc_channels(ctx, doc)
        if found and (best is None or len({c.key for c in found}) > len({c.key for c in best[1]})):
            best = (doc, found)
    return best if best is not None else (None, [])


def _covered(key: str, main_keys: set[str]) -> bool:
    """Is a channel key covered by the main list? A bare workspace is covered by any of its channels and
    a channel by its workspace's invite (``slack.cncf.io`` next to ``#project`` on CNCF Slack)."""
    if key in main_keys:
        return True
    if key.startswith("slack:"):
        workspace = key.split("#", 1)[0]
        return any(k == workspace or k.startswith(workspace + "#") for k in main_keys) and "#" not in key
    return False


def _by_kind(found: Iterable[Channel]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for channel in found:
        label = f"{channel.key} ({channel.where})"
        if all(not existing.startswith(channel.key + " ") for existing in grouped.get(channel.kind, [])):
            grouped.setdefault(channel.kind, []).append(label)
    return grouped


class PublicChannelDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``channels.public_channel_documented``."""

    channels: dict[str, list[str]]
    checked: list[str]


class PublicChannelDocumented(Probe):
    spec = ProbeSpec(
        id="channels.public_channel_documented",
        title="Do the main README or the community documents link at least one public channel?",
        motivation="Every CNCF project must document at least one public channel for users and contributors.",
        remediation="Link a public Slack channel, mailing list or GitHub Discussions from the README.",
    )
    values_type = PublicChannelDocumentedValues

    @reads_documents("governance", "channels", "meetings")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs: list[ParsedDoc] = []
        for repo in _project_repos(ctx):
            for doc in repo_channel_docs(ctx, repo):
                if doc not in docs:
                    docs.append(doc)
        if not docs:
            yield self.finding(subject(ctx), False, "no README or community document to list channels in")
            return
        found = [c for d in docs for c in doc_channels(ctx, d) if c.kind in discussion_kinds()]
        checked = [d.label for d in docs]
        if not found:
            yield self.finding(
                subject(ctx),
                False,
                f"no public channel (chat, mailing list, forum) in {', '.join(checked)}",
                {"checked": checked},
                [d.repo.evidence(d.path, 1) for d in docs[:3]],
            )
            return
        kinds = sorted({c.kind for c in found})
        first: dict[str, Channel] = {}
        for channel in found:
            first.setdefault(channel.key, channel)
        yield self.finding(
            subject(ctx),
            True,
            f"{len(first)} public channel(s) documented ({', '.join(kinds)})",
            {"channels": _by_kind(first.values()), "checked": checked},
            [c.evidence() for c in list(first.values())[:8]],
        )


class AllChannelsListedValues(TypedDict, total=False):
    """``Finding.values`` of ``channels.all_channels_listed``."""

    main_list: str
    main_channels: dict[str, list[str]]
    extra: dict[str, list[str]]
    unlisted_mailing_lists: dict[str, list[str]]


class AllChannelsListed(Probe):
    spec = ProbeSpec(
        id="channels.all_channels_listed",
        title="Does the community channel list include every channel the org's repos advertise?",
        motivation="Graduation asks for every channel, subprojects' included, to be listed and documented.",
        remediation="Add each repo's own channels (Slack workspaces, chat groups, mailing lists) to the "
        "community channel list, or retire them.",
    )
    values_type = AllChannelsListedValues

    @reads_documents("channels")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        main_doc, main = main_channel_list(ctx)
        if main_doc is None:
            yield self.finding(subject(ctx), False, "no channel list in the community or main README")
            return
        # Every channel the project's own lists name is listed, whichever of them names it.
        main_keys = {c.key for doc in channel_list_docs(ctx) for c in doc_channels(ctx, doc)}
        extra: dict[str, list[Channel]] = {}
        in_channel_docs: set[str] = set(main_keys)
        for repo in ctx.repos:
            for doc in repo_channel_docs(ctx, repo):
                for channel in doc_channels(ctx, doc):
                    in_channel_docs.add(channel.key)
                    if not _covered(channel.key, main_keys) and all(
                        c.key != channel.key for c in extra.get(repo.name, [])
                    ):
                        extra.setdefault(repo.name, []).append(channel)
        lonely = self._lists_outside_channel_docs(ctx, in_channel_docs)
        values: AllChannelsListedValues = {
            "main_list": f"{main_doc.label}",
            "main_channels": _by_kind(main),
            "extra": {repo: [f"{c.key} ({c.where})" for c in found] for repo, found in extra.items()},
            "unlisted_mailing_lists": {key: [c.where for c in found] for key, found in lonely.items()},
        }
        evidence = [main_doc.repo.evidence(main_doc.path, main[0].line, main[-1].line)]
        evidence += [c.evidence() for found in extra.values() for c in found][:10]
        evidence += [found[0].evidence() for found in lonely.values()][:5]
        problems = []
        if extra:
            count = sum(len(v) for v in extra.values())
            problems.append(f"{count} channel(s) in {', '.join(sorted(extra))} missing from {main_doc.label}")
        if lonely:
            problems.append(
                "mailing list(s) named only outside any channel list: "
                + ", ".join(f"{k.removeprefix('list:')} ({found[0].where})" for k, found in lonely.items())
            )
        if problems:
            fixes = [
                f"add the {repo} channels ({', '.join(c.key for c in found)}) to {main_doc.label}, or retire them"
                for repo, found in sorted(extra.items())
            ]
            fixes += [
                f"list {key.removeprefix('list:')} (named in {found[0].where}) there too, or say what it is for"
                for key, found in lonely.items()
            ]
            remedy = "; ".join(fixes)
            yield self.finding(
                subject(ctx), False, "; ".join(problems), values, evidence, remedy=remedy[:1].upper() + remedy[1:] + "."
            )
        else:
            message = f"{main_doc.label} lists every channel the scanned repos advertise ({len(main_keys)})"
            yield self.finding(subject(ctx), True, message, values, evidence)

    @staticmethod
    def _lists_outside_channel_docs(ctx: ScanContext, known: set[str]) -> dict[str, list[Channel]]:
        """Mailing lists that only other documents (release, meeting docs...) name. A security policy's private
        reporting list is not a community channel."""
        lonely: dict[str, list[Channel]] = {}
        pmap = project_map(ctx)
        for doc in pmap.community_documents():
            if "/" in doc.path or doc.has("security_policy") or doc.has("security_response"):
                continue
            for channel in doc_channels(ctx, pmap.parsed(doc)):
                if channel.kind == "mailing-list" and channel.key not in known:
                    lonely.setdefault(channel.key, []).append(channel)
        return lonely


# -- meetings -----------------------------------------------------------------------------------------------

_MEETING_TITLE = re.compile(r"meeting|community call|office hours|\bsync\b|stand-?up|\bcalls?\b", re.IGNORECASE)
_CADENCE = re.compile(
    r"\b(weekly|bi-?weekly|fortnightly|monthly|every (?:other |two |2 |second |)(?:week|month)|"
    r"every (?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:first|second|third|fourth|last) "
    r"(?:mon|tues|wednes|thurs|fri)day)",
    re.IGNORECASE,
)
_MEETING_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("calendar", re.compile(r"calendar\.google\.com|tockify\.com|cncf\.io/calendar|\.ics\b|outlook\.office", re.I)),
    ("video", re.compile(r"zoom\.us/|zoom-lfx\.|meet\.google\.com|teams\.microsoft\.com|webex\.com|jit\.si", re.I)),
    ("notes", re.compile(r"docs\.google\.com/document|hackmd\.io|notion\.site|etherpad|/meetings?\b|minutes", re.I)),
)  # fmt: skip
# Notes older than this before the as-of date mean the meetings (or their notes) have stopped.
RECENT_DAYS = 90


class MeetingSchedulePublishedValues(TypedDict, total=False):
    """``Finding.values`` of ``channels.meeting_schedule_published``."""

    sections: list[str]
    links: dict[str, list[str]]
    cadence: list[str]
    scheduled: list[str]
    notes_count: int
    last_notes: str
    last_notes_age_days: int
    notes: str


class MeetingSchedulePublished(Probe):
    spec = ProbeSpec(
        id="channels.meeting_schedule_published",
        title="Is a public meeting schedule (section, calendar or meeting link) published, with recent notes?",
        motivation="Graduation asks for up-to-date public meeting schedules or integration with the CNCF calendar.",
        remediation="Publish the meeting schedule with a calendar link (or the CNCF calendar) and keep notes.",
    )
    values_type = MeetingSchedulePublishedValues

    @reads_documents("governance", "channels", "meetings")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs: list[ParsedDoc] = []
        for repo in _project_repos(ctx):
            for doc in repo_channel_docs(ctx, repo):
                if doc not in docs:
                    docs.append(doc)
        meeting_sections = []
        scheduled: list[tuple[ParsedDoc, int, str]] = []
        links: dict[str, list[tuple[ParsedDoc, int, str]]] = {}
        cadence: list[tuple[ParsedDoc, int, str]] = []
        for doc in docs:
            for section in doc.sections:  # parsed once per scan (and kept in the parse cache)
                if section.kind == "heading" and _MEETING_TITLE.search(section.title):
                    meeting_sections.append((doc, section))
                    for offset, line in enumerate(section.text.splitlines()):
                        match = _CADENCE.search(line)
                        if match:
                            cadence.append((doc, section.start + offset, match.group(0)))
            for link in doc.document.links:
                for kind, pattern in _MEETING_LINKS:
                    if pattern.search(link.url) and (kind != "notes" or _near_meeting(doc, link.line)):
                        links.setdefault(kind, []).append((doc, link.line, link.url))
            # "Come to our weekly meeting on Wednesdays at 14:00 UTC on Zoom": a schedule in one list item.
            for block in blocks(doc.text):
                cadence_match = _CADENCE.search(block.text)
                video = any(
                    pattern.search(link.url)
                    for link in doc.document.links
                    if block.start <= link.line <= block.end
                    for kind, pattern in _MEETING_LINKS
                    if kind in ("calendar", "video")
                )
                if cadence_match and video and _MEETING_TITLE.search(block.text):
                    scheduled.append((doc, block.start, block.text[:160]))
        has_calendar_or_video = bool(links.get("calendar") or links.get("video"))
        published = (
            bool(links.get("calendar"))
            or bool(meeting_sections and (has_calendar_or_video or cadence))
            or bool(scheduled)
        )
        values: MeetingSchedulePublishedValues = {
            "sections": [f"{d.label}#L{s.start}: {s.title}" for d, s in meeting_sections],
            "links": {k: [f"{d.label}#L{line}: {url}" for d, line, url in v] for k, v in links.items()},
            "cadence": [f"{d.label}#L{line}: {text}" for d, line, text in cadence[:3]],
            "scheduled": [f"{d.label}#L{line}: {text}" for d, line, text in scheduled[:3]],
        }
        evidence = [d.repo.evidence(d.path, s.start, s.end, excerpt=s.title) for d, s in meeting_sections[:3]]
        evidence += [d.repo.evidence(d.path, line, excerpt=text) for d, line, text in scheduled[:2]]
        evidence += [d.repo.evidence(d.path, line, excerpt=url) for v in links.values() for d, line, url in v[:2]]
        if not published:
            checked = ", ".join(d.label for d in docs) or "no README or community document"
            yield self.finding(
                subject(ctx), False, f"no meeting schedule, calendar or meeting link in {checked}", values, evidence
            )
            return
        as_of = ctx.as_of.astimezone(UTC).date()
        notes = [n for n in meeting_notes(ctx) if n.day <= as_of + timedelta(days=1)]
        if notes:
            last = max(notes, key=lambda n: n.day)
            age = (as_of - last.day).days
            values.update({"notes_count": len(notes), "last_notes": last.day.isoformat(), "last_notes_age_days": age})
            evidence.append(last.repo.evidence(last.path, last.line, excerpt=last.day.isoformat()))
            where = f"{last.repo.name}/{last.path}"
            if age <= RECENT_DAYS:
                message = f"meeting schedule published; latest notes {last.day} ({age} days before {as_of}, {where})"
                yield self.finding(subject(ctx), True, message, values, evidence)
            else:
                message = (
                    f"meeting schedule published, but the latest meeting notes are from {last.day}, "
                    f"{age} days before {as_of} ({where})"
                )
                yield self.finding(subject(ctx), False, message, values, evidence)
            return
        if links.get("notes"):
            values["notes"] = "external notes document linked; recency not checked"
            yield self.finding(
                subject(ctx), True, "meeting schedule published; notes kept in an external document, recency not "
                "checked", values, evidence,
            )  # fmt: skip
            return
        values["notes"] = "no meeting notes found"
        yield self.finding(subject(ctx), True, "meeting schedule published; no meeting notes found", values, evidence)


def _near_meeting(doc: ParsedDoc, line: int) -> bool:
    """Is a notes-like link in a meeting section, or on a line that talks about meetings?"""
    lines = doc.text.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if re.search(r"meeting|minutes|agenda|notes", text, re.IGNORECASE):
        return True
    return any(
        s.start <= line <= s.end and s.kind == "heading" and _MEETING_TITLE.search(s.title) for s in doc.sections
    )
