"""YAML reading through libyaml when PyYAML was built with it (ten times faster than the pure-Python loader).

The criteria catalogue alone is a few hundred kilobytes of YAML read on every scan; scanned repositories'
maintainers.yaml and SECURITY-INSIGHTS files go through here too. Both loaders are the *safe* ones: scanned
content is untrusted.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """``yaml.safe_load`` with the C loader when available."""
    return yaml.load(source, Loader=_LOADER)  # noqa: S506 - a SafeLoader (C or Python), never the full one
