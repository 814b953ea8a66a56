"""Shared test helpers: run the real `dash` command in-process or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory):
    """Tests (and the dash processes they start) cache in a directory of their own, never in ~/.cache."""
    os.environ["DASH_CACHE_DIR"] = str(tmp_path_factory.mktemp("dash-cache"))


@pytest.fixture(autouse=True, scope="session")
def _grafana_com_stand_in():
    """grafana.com for every test: the guide's Node Exporter Full (1860 at revision 41) from the corpus, served
    locally (tests/grafana_com_standin.py), so a build of the guide fetches it as it would from grafana.com."""
    from .grafana_com_standin import NODE_EXPORTER_FULL, GrafanaComStandIn

    if not NODE_EXPORTER_FULL.is_file():
        yield None  # no corpus: the guide builds without it, with a warning that names it
        return
    stand_in = GrafanaComStandIn({(1860, 41): NODE_EXPORTER_FULL}).start()
    os.environ["DASH_GRAFANA_COM_URL"] = stand_in.url
    try:
        yield stand_in
    finally:
        stand_in.stop()


# dash.yaml lines: the guide's alerting and its compose stack
GUIDE_ALERTS = f"alerts: {ROOT / 'alerts/guide.py'}\nstack: guide\n"


def guide_repository(path: Path) -> None:
    """A working directory laid out like this repository: the guide's dashboards at ./dashboards."""
    (path / "dashboards").symlink_to(ROOT / "dashboards")


@pytest.fixture
def dash(monkeypatch, tmp_path):
    """Run `dash ARGS...` in-process in a working directory that holds the guide's content; returns click's Result.

    The guide's alerting comes in when a test's dash.yaml names it (GUIDE_ALERTS)."""
    from publisher.cli import main

    guide_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASH_CONFIG", raising=False)
    monkeypatch.delenv("DASH_DASHBOARDS", raising=False)

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        runner = CliRunner()
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=True)

    return run


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m publisher ARGS...` in a fresh interpreter."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DASH_CONFIG", None) if env is None or "DASH_CONFIG" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the Grafana emulator -------------------------------------------------------------

TOKEN = "glsa_test_admin_token"
PROJECT = "dash-tests"  # the `project:` of write_config's dash.yaml


@pytest.fixture(params=["11.6", "12.x", "13.x"])
def grafana(request):
    """A started emulator, once per Grafana version it stands in for (grafana_emulator/modes.py), whose
    every exchange is checked against Grafana's OpenAPI at teardown."""
    from .grafana_emulator import Emulator
    from .grafana_emulator.openapi import check

    emulator = Emulator(mode=request.param).start()
    emulator.record = True
    try:
        yield emulator
    finally:
        emulator.stop()
    problems = [f"{x.method} {x.template} -> {x.status}: {p}"
                for x in emulator.exchanges for p in check(x.method, x.template, x.request, x.status, x.response)]
    assert problems == [], "the emulator drifted from Grafana's OpenAPI:\n" + "\n".join(problems[:20])


def write_config(path: Path, url: str, extra: str = "", env_name: str = "test", **settings: str) -> Path:
    """A dash.yaml with one environment pointing at `url`."""
    lines = [
        f"project: {PROJECT}",
        f"dashboards: {ROOT / 'dashboards'}",
        "environments:",
        f"  {env_name}:",
        f"    url: {url}",
        "    token: {env: DASH_TEST_TOKEN}",
        "    folder: Monitoring",
        "    retries: 8",
        "    datasources:",
        '      prometheus: {url: "http://prometheus:9090"}',
        '      loki: {url: "http://loki:3100"}',
    ]
    lines = [line for line in lines if line.strip().split(":")[0] not in settings]  # a setting replaces its default
    lines += [f"    {key}: {value}" for key, value in settings.items()]
    text = "\n".join(lines) + "\n" + extra
    path.write_text(text)
    return path


@pytest.fixture
def env_dash(dash, tmp_path, grafana, monkeypatch):
    """`dash` with a dash.yaml whose env `test` points at the emulator."""
    monkeypatch.setenv("DASH_TEST_TOKEN", TOKEN)
    from publisher.grafana.transport import Backoff

    monkeypatch.setattr("publisher.grafana.transport.Backoff", lambda: Backoff(base=0.01, cap=0.05))  # fast retries
    write_config(tmp_path / "dash.yaml", grafana.url)
    return dash
