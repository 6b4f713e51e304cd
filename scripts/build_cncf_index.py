#!/usr/bin/env python3
"""Regenerate ``dd_evidence/data/cncf-projects.json``, the CNCF project index bundled with dd-evidence.

Usage::

    python scripts/build_cncf_index.py [--landscape FILE_OR_URL] [--clomonitor FILE_OR_URL | --no-clomonitor]
                                       [--out dd_evidence/data/cncf-projects.json] [--check]

By default both sources are fetched live from GitHub. Offline, point them at local copies, e.g. (from the
repository root)::

    python scripts/build_cncf_index.py --landscape ../shared/data/cncf/landscape-projects.yaml
                                       --clomonitor ../shared/data/cncf/clomonitor-cncf.yaml

The landscape file may be the full ``landscape.yml`` (categories → subcategories → items) or an extract
that is a plain list of items (optionally under a top-level ``projects:`` key). Only items with a
``project:`` key (the CNCF maturity) are kept. CLOMonitor's ``data/cncf.yaml`` adds the CLOMonitor
project name and the repositories CLOMonitor checks.

The output is deterministic: keys are sorted, lists are sorted, and ``generated_from`` records only what
identifies the input (file name and content hash, or the URL and the day it was fetched), so regenerating
from unchanged sources gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

LANDSCAPE_URL = "https://raw.githubusercontent.com/cncf/landscape/master/landscape.yml"
CLOMONITOR_URL = "https://raw.githubusercontent.com/cncf/clomonitor/main/data/cncf.yaml"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "dd_evidence" / "data" / "cncf-projects.json"

# Repository names too generic to be a useful alias for a project: a user typing "spec" or "server" should get
# suggestions, not silently the one project whose main repository happens to carry that name.
GENERIC_REPO_NAMES = frozenset(
    {
        ".github",
        "api",
        "build",
        "cli",
        "community",
        "core",
        "docs",
        "hub",
        "operator",
        "pipeline",
        "policy",
        "project",
        "server",
        "serving",
        "spec",
        "specification",
        "website",
    }
)


def name_key(text: str) -> str:
    """The index key for a project name: lower-case, spaces to ``-``, only ``[a-z0-9.-]`` kept.

    Runs of ``-`` are collapsed and trimmed so "A & B" gives "a-b", not "a---b". Must stay identical to
    ``dd_evidence.resolve._name_key``; this script does not import the package so that it runs from a bare
    checkout.
    """
    lowered = re.sub(r"\s+", "-", text.strip().lower())
    kept = re.sub(r"[^a-z0-9.-]", "", lowered)
    return re.sub(r"-{2,}", "-", kept).strip("-")


def parse_repo_url(url: str | None) -> tuple[str, str | None] | None:
    """``(owner, repo)`` from a forge URL, ``(owner, None)`` for an org URL, None when there is no owner."""
    if not url:
        return None
    parts = [p for p in urlsplit(url.strip()).path.split("/") if p]
    if not parts:
        return None
    repo = parts[1].removesuffix(".git") if len(parts) > 1 else None
    return parts[0], repo or None


# ----------------------------------------------------------------------------------------------------
# Reading the sources


def read_source(source: str) -> tuple[str, dict[str, str]]:
    """The text of a local file or URL and a stable description of where it came from."""
    if source.startswith(("http://", "https://")):
        return _fetch(source), {"url": source, "retrieved": dt.datetime.now(dt.UTC).date().isoformat()}
    path = Path(source).expanduser()
    text = path.read_text(encoding="utf-8")
    # The file name and a content hash identify the input without tying the output to where the checkout
    # lives, so the same sources give the same bytes on every machine.
    origin = {"file": path.name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    upstream = re.search(r"^#\s*Source:\s*(\S+)", text, re.MULTILINE)
    if upstream:
        origin["upstream"] = upstream.group(1)
    return text, origin


def _fetch(url: str) -> str:
    import httpx  # only the live refresh needs the network

    response = httpx.get(url, follow_redirects=True, timeout=60.0)
    response.raise_for_status()
    return response.text


def landscape_items(document: Any) -> list[dict[str, Any]]:
    """The CNCF project items of a landscape document, whichever of the two shapes it has."""
    if isinstance(document, dict) and "landscape" in document:
        items: Iterable[dict[str, Any]] = _walk_live_landscape(document["landscape"])
    elif isinstance(document, dict) and "projects" in document:
        items = document["projects"] or []
    elif isinstance(document, list):
        items = document
    else:
        raise ValueError("unrecognised landscape document: expected `landscape:`, `projects:` or a list of items")
    return [item for item in items if isinstance(item, dict) and item.get("project")]


def _unwrap(node: dict[str, Any], marker: str) -> dict[str, Any]:
    """The fields of a landscape node.

    landscape.yml writes ``- item:`` (null) beside the fields; ``{item: {...}}`` nesting is accepted too.
    """
    inner = node.get(marker)
    return inner if isinstance(inner, dict) else node


def _walk_live_landscape(categories: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for category_node in categories or []:
        category = _unwrap(category_node, "category")
        for subcategory_node in category.get("subcategories") or []:
            subcategory = _unwrap(subcategory_node, "subcategory")
            for item_node in subcategory.get("items") or []:
                item = dict(_unwrap(item_node, "item"))
                item.pop("item", None)
                yield item


def clomonitor_projects(document: Any) -> list[dict[str, Any]]:
    """The project list of CLOMonitor's ``data/cncf.yaml``."""
    if not isinstance(document, list):
        raise ValueError("unrecognised CLOMonitor document: expected a list of projects")
    return [p for p in document if isinstance(p, dict) and p.get("name")]


# ----------------------------------------------------------------------------------------------------
# Building the index


def _date(value: Any) -> str | None:
    """ISO date string; PyYAML turns unquoted dates into ``datetime.date``."""
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _full_name(url: str | None) -> str | None:
    parsed = parse_repo_url(url)
    if parsed is None or parsed[1] is None:
        return None
    return f"{parsed[0]}/{parsed[1]}"


def _unique_ci(values: Iterable[str | None]) -> list[str]:
    """Keep the first spelling of each value, comparing case-insensitively."""
    seen: dict[str, str] = {}
    for value in values:
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def _match_clomonitor(item: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The CLOMonitor project for a landscape item: by the landscape's clomonitor_name, else by repo URL.

    The URL fallback catches renamed CLOMonitor entries (the landscape may still say ``podman`` where
    CLOMonitor now says ``podman-container-tools``).
    """
    extra = item.get("extra") or {}
    named = by_name.get(str(extra.get("clomonitor_name") or "").lower())
    if named is not None:
        return named
    main = (_full_name(item.get("repo_url")) or "").lower()
    if not main:
        return None
    for project in by_name.values():
        urls = {(_full_name(r.get("url")) or "").lower() for r in project.get("repositories") or []}
        if main in urls:
            return project
    return None


def _aliases(key: str, entry: dict[str, Any], main_repo: str | None) -> list[str]:
    display = entry["display_name"]
    candidates = [display.lower(), entry["clomonitor_name"], entry["lfx_slug"], *entry["orgs"]]
    # "Service Mesh Interface (SMI)" is usually called SMI.
    candidates += re.findall(r"\(([^)]+)\)", display)
    if main_repo and main_repo.lower() not in GENERIC_REPO_NAMES:
        candidates.append(main_repo)
    aliases = {str(c).strip().lower() for c in candidates if c and str(c).strip()}
    aliases.discard(key)
    return sorted(aliases)


def build_entry(item: dict[str, Any], clomonitor: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """One index entry (and its key) from a landscape item and its CLOMonitor project, if any."""
    extra = item.get("extra") or {}
    main = parse_repo_url(item.get("repo_url"))
    additional = [r.get("repo_url") for r in item.get("additional_repos") or [] if isinstance(r, dict)]
    project_org = parse_repo_url(item.get("project_org"))
    orgs = _unique_ci(
        [main[0] if main else None]
        + [p[0] for p in map(parse_repo_url, additional) if p]
        + [project_org[0] if project_org else None]
    )
    clomonitor_repos = [r.get("url") for r in (clomonitor or {}).get("repositories") or []]
    main_full = _full_name(item.get("repo_url"))
    extra_repos = [
        name
        for name in _unique_ci([main_full, *map(_full_name, additional), *map(_full_name, clomonitor_repos)])
        if name != main_full
    ]
    entry: dict[str, Any] = {
        "display_name": str(item["name"]).strip(),
        "maturity": item.get("project"),
        "accepted": _date(extra.get("accepted")),
        "incubating": _date(extra.get("incubating")),
        "graduated": _date(extra.get("graduated")),
        "archived": _date(extra.get("archived")),
        "homepage": item.get("homepage_url"),
        "repo_url": item.get("repo_url"),
        "orgs": orgs,
        "extra_repos": sorted(extra_repos, key=str.lower),
        "lfx_slug": extra.get("lfx_slug"),
        "clomonitor_name": (clomonitor or {}).get("name") or extra.get("clomonitor_name"),
        "devstats_url": extra.get("dev_stats_url") or (clomonitor or {}).get("devstats_url"),
    }
    key = name_key(entry["display_name"])
    entry["aliases"] = _aliases(key, entry, main[1] if main else None)
    return key, entry


def _merge(first: dict[str, Any], again: dict[str, Any]) -> dict[str, Any]:
    """The same project listed twice (``second_path``): keep the first, add the second's repos and orgs."""
    merged = dict(first)
    merged["orgs"] = _unique_ci([*first["orgs"], *again["orgs"]])
    merged["extra_repos"] = sorted(_unique_ci([*first["extra_repos"], *again["extra_repos"]]), key=str.lower)
    merged["aliases"] = sorted(set(first["aliases"]) | set(again["aliases"]))
    return merged


def build_index(items: list[dict[str, Any]], clomonitor: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The ``projects`` mapping of the index, keyed by name key."""
    by_name = {str(p["name"]).lower(): p for p in clomonitor}
    projects: dict[str, dict[str, Any]] = {}
    for item in items:
        key, entry = build_entry(item, _match_clomonitor(item, by_name))
        if key in projects and projects[key]["repo_url"] == entry["repo_url"]:
            projects[key] = _merge(projects[key], entry)
            continue
        if key in projects:
            # Two different projects with the same name key: keep both, the later one qualified by its org.
            key = f"{key}-{name_key(entry['orgs'][0])}" if entry["orgs"] else f"{key}-2"
        projects[key] = entry
    return dict(sorted(projects.items()))


def build_document(landscape: str, clomonitor: str | None) -> dict[str, Any]:
    """The whole index document from the given sources (paths or URLs)."""
    landscape_text, landscape_origin = read_source(landscape)
    generated_from: dict[str, Any] = {"landscape": landscape_origin}
    clomonitor_list: list[dict[str, Any]] = []
    if clomonitor:
        clomonitor_text, clomonitor_origin = read_source(clomonitor)
        clomonitor_list = clomonitor_projects(yaml.safe_load(clomonitor_text))
        generated_from["clomonitor"] = clomonitor_origin
    projects = build_index(landscape_items(yaml.safe_load(landscape_text)), clomonitor_list)
    return {"generated_from": generated_from, "projects": projects}


def render(document: dict[str, Any]) -> str:
    """Stable JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landscape", default=LANDSCAPE_URL, help="landscape.yml or an extract (path or URL)")
    parser.add_argument("--clomonitor", default=CLOMONITOR_URL, help="CLOMonitor data/cncf.yaml (path or URL)")
    parser.add_argument("--no-clomonitor", action="store_true", help="build from the landscape alone")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON index")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the regenerated projects differ from --out",
    )
    return parser.parse_args(argv)


def check(document: dict[str, Any], bundled_path: Path) -> list[str]:
    """Differences between the regenerated projects and the bundled file, as unified-diff lines.

    Only ``projects`` is compared: ``generated_from`` legitimately differs between a live fetch and the
    offline copy the bundled file may have been built from.
    """
    try:
        bundled = json.loads(bundled_path.read_text(encoding="utf-8")).get("projects", {})
    except FileNotFoundError:
        bundled = {}
    old = render({"projects": bundled}).splitlines()
    new = render({"projects": document["projects"]}).splitlines()
    return list(difflib.unified_diff(old, new, str(bundled_path), "regenerated", lineterm=""))


def main(argv: list[str] | None = None) -> int:
    """Build the index; with ``--check`` report whether the bundled file is current."""
    args = parse_args(argv)
    document = build_document(args.landscape, None if args.no_clomonitor else args.clomonitor)
    if args.check:
        diff = check(document, args.out)
        if diff:
            print("\n".join(diff[:200]))
            print(f"{args.out} is out of date ({len(diff)} diff lines); rerun without --check", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(document['projects'])} projects)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(document), encoding="utf-8")
    print(f"wrote {len(document['projects'])} projects to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
