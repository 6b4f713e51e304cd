"""Website sources: which scanned repository builds which site, and which source file a published URL comes from.

A project's governance often lives on its website: MAINTAINERS.md says "moved to https://<site>/docs/community/",
and the page is a Markdown file of a Hugo, Docusaurus, MkDocs or Jekyll source tree in the same repository or in
the org's website repository. A :class:`Site` knows its generator, its published hosts (configured base URL, a
``CNAME`` file, the project's homepage) and a map from URL paths to source files built from the generator's
content layout (``data/sites.yaml``), so such a link resolves to the file behind it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from dd_evidence.facts.knowledge import load_data
from dd_evidence.facts.paths import excluded, split_name
from dd_evidence.repoview import RepoView

PAGE_EXTENSIONS = ("md", "mdx", "markdown", "rst", "adoc", "html")
_INDEX = ("index", "_index", "readme")
_NUMBER_PREFIX = re.compile(r"^\d+[-_.]")
_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$")
# Config files bigger than this are not configuration anyone wrote by hand; skip them.
MAX_CONFIG_BYTES = 200_000


@dataclass(frozen=True)
class Generator:
    name: str
    configs: tuple[str, ...]
    base_url: tuple[re.Pattern[str], ...]
    content: tuple[tuple[str, str], ...]
    route_path: re.Pattern[str] | None
    route_base: re.Pattern[str] | None
    docs_dir: re.Pattern[str] | None
    strip_numbers: bool
    base_url_files: tuple[str, ...] = ()


@functools.cache
def generators() -> tuple[Generator, ...]:
    data = load_data("sites.yaml")
    found = []
    for name, spec in (data.get("generators") or {}).items():
        routes = spec.get("routes") or {}
        found.append(
            Generator(
                name=name,
                configs=tuple(str(c) for c in spec.get("configs") or ()),
                base_url=tuple(re.compile(p) for p in spec.get("base_url") or ()),
                content=tuple((str(a).strip("/"), str(b).strip("/")) for a, b in spec.get("content") or ()),
                route_path=re.compile(routes["path"]) if routes.get("path") else None,
                route_base=re.compile(routes["route"]) if routes.get("route") else None,
                docs_dir=re.compile(spec["docs_dir"]) if spec.get("docs_dir") else None,
                strip_numbers=bool(spec.get("strip_number_prefixes")),
                base_url_files=tuple(str(f) for f in spec.get("base_url_files") or ()),
            )
        )
    return tuple(found)


@functools.cache
def website_link_texts() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in load_data("sites.yaml").get("website_link_texts") or ())


@dataclass
class Site:
    """One website built from a scanned repository."""

    repo: RepoView
    generator: str
    config: str
    base_url: str | None
    hosts: set[str] = field(default_factory=set)
    base_path: str = ""
    # URL path key (lower case, no slashes at either end) -> source path in the repo
    pages: dict[str, str] = field(default_factory=dict)
    # Where each host came from ("docusaurus.config.js url", "CNAME", "project homepage").
    host_sources: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        shown = ", ".join(sorted(self.hosts)) or "no known host"
        return f"{self.repo.name} ({self.generator}, {shown})"

    def add_host(self, host: str, source: str) -> None:
        host = host.lower().removeprefix("www.")
        if host and host not in self.hosts:
            self.hosts.add(host)
            self.host_sources[host] = source

    def source_of(self, url_path: str) -> str | None:
        """The source file published at ``url_path`` (the path part of a URL on this site), or None."""
        key = _url_key(url_path, self.base_path)
        for candidate in _key_variants(key):
            if candidate in self.pages:
                return self.pages[candidate]
        return None


def host_of(url: str) -> str:
    return (urlparse(url).hostname or "").lower().removeprefix("www.")


def _url_key(url_path: str, base_path: str) -> str:
    path = unquote(url_path).strip("/").lower()
    base = base_path.strip("/").lower()
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    for suffix in ("/index.html", ".html", "/index.htm", ".htm", ".md", ".mdx"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path.strip("/")


def _key_variants(key: str) -> list[str]:
    """The key as given, and without a leading language segment (/en/docs/x is docs/x)."""
    variants = [key]
    head, _, rest = key.partition("/")
    if _LANGUAGE.fullmatch(head):
        variants.append(rest)
    return variants


def _page_key(relative: str, prefix: str, strip_numbers: bool) -> str | None:
    folder, stem, ext = split_name(relative)
    if ext not in PAGE_EXTENSIONS or stem.startswith("_") and stem.lower() != "_index":
        return None
    parts = [p for p in folder.split("/") if p] if folder else []
    if stem.lower() not in _INDEX:
        parts.append(stem)
    if strip_numbers:
        parts = [_NUMBER_PREFIX.sub("", p) for p in parts]
    return "/".join(p for p in [prefix, *parts] if p).lower()


def _config_text(repo: RepoView, path: str) -> str:
    size = repo.size(path)
    if size is not None and size > MAX_CONFIG_BYTES:
        return ""
    return (repo.read(path) or "")[:MAX_CONFIG_BYTES]


def _find_configs(repo: RepoView, generator: Generator) -> list[str]:
    """Config files of ``generator`` at the root or up to two folders down, shallowest first."""
    names = {c.lower() for c in generator.configs}
    found = []
    for path in repo.files:
        if path.count("/") > 2:
            continue
        lower = path.lower()
        # A joined path ends with the config's name: the cheap test first, over every file of every generator.
        matching = [config for config in names if lower.endswith(config)]
        if not matching or excluded(path):
            continue
        folder = path.rpartition("/")[0]
        for config in matching:
            if lower == posixpath.join(folder.lower(), config) and ("/" not in config or path.lower().endswith(config)):
                found.append(path)
    # Hugo's config.toml is a common name; only a folder with a content/ tree is a Hugo site.
    return sorted(set(found), key=lambda p: (p.count("/"), p))


def _routes(generator: Generator, text: str) -> list[tuple[str, str]]:
    """Docusaurus content plugins declared in the config: (source folder, route base) pairs."""
    if generator.route_path is None or generator.route_base is None:
        return []
    found = []
    for route in generator.route_base.finditer(text):
        window = text[max(0, route.start() - 400) : route.end() + 400]
        paths = list(generator.route_path.finditer(window))
        if paths:
            # The path written closest to the routeBasePath belongs to the same plugin block.
            middle = route.start() - max(0, route.start() - 400)
            nearest = min(paths, key=lambda m: abs(m.start() - middle))
            found.append((nearest.group(1).strip("/"), route.group(1).strip("/")))
    return found


def _site_from_config(repo: RepoView, generator: Generator, config: str) -> Site | None:
    text = _config_text(repo, config)
    root = config.rpartition("/")[0]
    content = list(generator.content)
    if generator.docs_dir is not None:
        docs_dir = generator.docs_dir.search(text)
        if docs_dir:
            content = [(docs_dir.group(1).strip("/"), "")]
    content = _routes(generator, text) + content
    prefixes = [(posixpath.join(root, folder).strip("/"), prefix) for folder, prefix in content]
    if generator.name in ("hugo", "jekyll", "sphinx") and not any(
        p.startswith(folder + "/") or not folder for folder, _ in prefixes for p in repo.files
    ):
        return None
    if generator.name == "hugo" and not any(
        f.startswith(posixpath.join(root, "content").strip("/") + "/") for f in repo.files
    ):
        return None  # a config.toml without a content/ tree is some other tool's configuration
    texts = [text] + [_config_text(repo, posixpath.join(root, f)) for f in generator.base_url_files]
    base_url = next((m.group(1) for t in texts for p in generator.base_url if (m := p.search(t))), None)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        base_url = None  # a computed value (siteBaseUrl()) or a relative one says nothing about the host
    site = Site(repo, generator.name, config, base_url)
    if base_url:
        site.add_host(host_of(base_url), f"{config} base URL")
        site.base_path = urlparse(base_url).path
    for path in repo.files:
        if excluded(path) in ("vendored", "generated", "translations", "old versions"):
            continue
        for folder, prefix in prefixes:
            if folder and not path.startswith(folder + "/"):
                continue
            key = _page_key(path[len(folder) + 1 :] if folder else path, prefix, generator.strip_numbers)
            if key is not None:
                site.pages.setdefault(key, path)
    return site if site.pages else None


def detect_sites(repos: Iterable[RepoView], homepage: str | None = None) -> list[Site]:
    """Every website whose sources are among ``repos``, with its hosts and page map."""
    sites: list[Site] = []
    for repo in repos:
        for generator in generators():
            site = None
            for config in _find_configs(repo, generator):
                site = _site_from_config(repo, generator, config)
                if site is not None:
                    break
            if site is not None:
                _add_cname(repo, site)
                sites.append(site)
                break  # one generator per repository
    _add_homepage(sites, homepage)
    return sites


def _add_cname(repo: RepoView, site: Site) -> None:
    for path in ("CNAME", "static/CNAME", "docs/CNAME", "public/CNAME"):
        if repo.exists(path):
            text = (repo.read(path) or "").strip().splitlines()
            if text and re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text[0].strip()):
                site.add_host(text[0].strip(), path)


def _add_homepage(sites: list[Site], homepage: str | None) -> None:
    """The project's homepage is the website's host when exactly one scanned site could be it."""
    host = host_of(homepage or "")
    if not host or any(host in s.hosts for s in sites):
        return
    unclaimed = [s for s in sites if not s.hosts or s.repo.role == "website"]
    if len(unclaimed) == 1:
        unclaimed[0].add_host(host, "project homepage")


def readme_website(text: str) -> str | None:
    """The website a README names in a link whose text says so ("Website", "Homepage"), if any."""
    from dd_evidence.markdown import parse

    for link in parse(text).links:
        if link.image or not link.url.startswith(("http://", "https://")):
            continue
        if any(p.search(link.text.strip()) for p in website_link_texts()):
            return link.url
    return None
