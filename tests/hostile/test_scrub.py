"""No token in any output: exception texts that quote a header are scrubbed before they become findings, report
errors, CLI lines or terminal output."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hostile_limits import limited_env, plain_project, run_cli, write_plugin

from dd_evidence import cli
from dd_evidence.scrub import REDACTED, ScrubbingFilter, describe, scrub, scrub_value

GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"  # the shape of a classic token, not a real one
CLASSIC_HEX = "0123456789abcdef0123456789abcdef01234567"  # an old 40-hex token: only known because it is ours

LEAKY = """
import os
from dd_evidence.model import ProbeSpec
from dd_evidence.probes.base import Probe

def header():
    return "InvalidHeader: Invalid leading whitespace in header value: Authorization 'token " + os.environ["LEAK"] + "'"

class RaisesHeader(Probe):
    spec = ProbeSpec("hostile.raises_header", "Does it leak through an exception?")
    def run(self, ctx):
        raise ValueError(header())

class ReturnsHeader(Probe):
    spec = ProbeSpec("hostile.returns_header", "Does it leak through a finding?")
    def run(self, ctx):
        return [self.finding("demo", "error" == "x", "request failed: " + header(),
                             {"detail": [header()], "config_token": ctx.config.token or ""})]

class RaisesConfigToken(Probe):
    spec = ProbeSpec("hostile.raises_config_token", "Does it leak the configured token?")
    def run(self, ctx):
        raise RuntimeError(f"GET /orgs failed with Authorization: {ctx.config.token}")
"""


def test_scrub_removes_the_scan_token_and_any_github_token() -> None:
    text = f"InvalidHeader: ... 'token {GITHUB_TOKEN}\r' and github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
    cleaned = scrub(text, [GITHUB_TOKEN + "\r"])
    assert GITHUB_TOKEN not in cleaned and "github_pat_11" not in cleaned
    assert cleaned.count(REDACTED) == 2
    assert scrub(f"failed: {CLASSIC_HEX}", [CLASSIC_HEX]) == f"failed: {REDACTED}"
    assert scrub(f"Authorization: Bearer {CLASSIC_HEX}") == f"Authorization: Bearer {REDACTED}"
    assert scrub("https://x-access-token:s3cr3t@github.com/a/b") == f"https://{REDACTED}@github.com/a/b"
    # Ordinary words stay: "token file", "git@" user names, short values.
    for kept in ("cannot read token file ./tok", "ssh://git@github.com/acme/acme", "token abc"):
        assert scrub(kept) == kept


def test_scrub_value_and_describe_reach_nested_values() -> None:
    values = {"errors": [f"token {GITHUB_TOKEN}", ("x", GITHUB_TOKEN)], "count": 3}
    assert GITHUB_TOKEN not in json.dumps(scrub_value(values))
    assert scrub_value(values)["count"] == 3
    assert describe(ValueError(f"bad header {GITHUB_TOKEN}")) == f"ValueError: bad header {REDACTED}"


def test_logging_filter_scrubs_messages_and_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("dd_evidence.test_scrub")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(ScrubbingFilter([CLASSIC_HEX]))
    logger.addHandler(handler)
    try:
        logger.warning("retrying with %s", CLASSIC_HEX)
        try:
            raise OSError(f"header {GITHUB_TOKEN}")
        except OSError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    text = " ".join(r.getMessage() for r in records)
    assert CLASSIC_HEX not in text and GITHUB_TOKEN not in text
    assert "request failed (OSError: header [redacted])" in text


@pytest.mark.parametrize("token", [GITHUB_TOKEN, CLASSIC_HEX])
def test_no_output_of_a_scan_carries_the_token(tmp_path: Path, token: str) -> None:
    """The token (with the "\\r" a Windows-edited file leaves) quoted by failing probes: not in any report file,
    stdout or stderr."""
    project = plain_project(tmp_path / "demo")
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "leaky", LEAKY)
    out = tmp_path / "out"
    env = limited_env({"GITHUB_TOKEN": token + "\r", "LEAK": token + "\r"})
    proc = run_cli(
        str(project),
        "--offline",
        "--no-progress",
        "--verbose",
        "--probes-dir",
        str(plugins),
        "--probes",
        "hostile",
        "--format",
        "terminal,md,json,html,csv,sarif",
        "--out",
        str(out),
        env=env,
        cpu_seconds=60,
    )
    assert proc.returncode == 0, proc.stderr
    outputs = {"stdout": proc.stdout, "stderr": proc.stderr}
    outputs |= {p.name: p.read_text() for p in out.iterdir()}
    assert len(outputs) == 7
    for name, text in outputs.items():
        assert token not in text, f"the token leaked into {name}"
    report = json.loads(next(out.glob("*.json")).read_text())
    messages = {f["probe"]: f["message"] for f in report["findings"]}
    assert "Authorization 'token [redacted]" in messages["hostile.raises_header"]
    assert "Authorization 'token [redacted]" in messages["hostile.returns_header"]
    assert f"Authorization: {REDACTED}" in messages["hostile.raises_config_token"]
    assert "[redacted]" in proc.stdout  # the terminal summary shows the scrubbed message


def test_cli_error_lines_are_scrubbed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CLASSIC_HEX)
    monkeypatch.delenv("DD_EVIDENCE_DEBUG", raising=False)

    def leak(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"connection reset while sending 'Authorization: token {CLASSIC_HEX}\x1b[2J'")

    monkeypatch.setattr("dd_evidence.resolve.resolve_project", leak)  # the CLI imports it when a scan starts
    assert cli.main(["demo", "--offline", "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError" in err
    assert CLASSIC_HEX not in err and "\x1b" not in err
