"""Where the foundation's maintainer CSV comes from: a local copy, a live download, or nothing offline."""

from __future__ import annotations

import httpx
import pytest
from memrepo import context

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.cncf import DATA_ENV, MAINTAINERS_CSV_URL, maintainers_csv_text
from dd_evidence.sources.http import HttpClient

CSV = ",Project,Maintainer Name,Company,Github Name,OWNERS/MAINTAINERS\nSandbox,Acme,Ada Example,Example,ada,x\n"


def test_live_download_when_online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_ENV, raising=False)
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text=CSV)

    ctx = context({"acme": {}})
    ctx.config.offline = False
    ctx.client("http", lambda: HttpClient(transport=httpx.MockTransport(handler), sleep=lambda _s: None))
    assert maintainers_csv_text(ctx) == CSV
    assert asked == [MAINTAINERS_CSV_URL]


def test_local_copy_wins_and_offline_without_one_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / "project-maintainers.csv").write_text(CSV)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    ctx = context({"acme": {}})
    ctx.config.offline = True
    assert maintainers_csv_text(ctx) == CSV
    monkeypatch.delenv(DATA_ENV)
    offline = context({"acme": {}})
    offline.config.offline = True
    with pytest.raises(SourceUnavailable, match="offline"):
        maintainers_csv_text(offline)
