"""``--record DIR`` / ``--replay DIR``: one whole scan's HTTP exchanges as a vcrpy cassette.

A recorded scan can be reproduced and shared without network or token: every GitHub, bestpractices.dev, LFX
and Scorecard answer comes from the cassette (git content comes from the clone cache). Secrets are filtered
before anything is written: the Authorization header, cookies, and token-looking query parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from dd_evidence.errors import BadInput

FILTERED_HEADERS = ["authorization", "cookie", "set-cookie", "x-github-sso"]
FILTERED_QUERY = ["access_token", "token", "client_secret"]


def cassette_path(directory: Path, project: str, level: str) -> Path:
    return directory / f"{project}-{level}.yaml"


@contextlib.contextmanager
def recording(mode: str | None, directory: Path | None, project: str, level: str) -> Iterator[None]:
    """Record (``mode="record"``) or replay (``"replay"``) every HTTP exchange of the block; no-op for None."""
    if mode is None or directory is None:
        yield
        return
    import vcr  # imported only when asked for: it patches the HTTP libraries while active

    path = cassette_path(directory, project, level)
    if mode == "replay" and not path.exists():
        raise BadInput(f"--replay: no cassette {path}; record one with --record {directory}")
    if mode == "record":
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"--record: cannot write to {directory}: {exc.strerror or exc}") from None
    recorder = vcr.VCR(
        record_mode="all" if mode == "record" else "none",
        filter_headers=FILTERED_HEADERS,
        filter_query_parameters=FILTERED_QUERY,
        match_on=["method", "scheme", "host", "port", "path", "query"],
        decode_compressed_response=True,
    )
    # Repeats: probes may ask the same URL twice in one scan (each asks for what it needs).
    with recorder.use_cassette(str(path), allow_playback_repeats=True):
        yield
