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


@pytest.fixture
def dash(monkeypatch, tmp_path):
    """Run `dash ARGS...` in-process in an empty working directory; returns click's Result."""
    from publisher.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASH_CONFIG", raising=False)
    monkeypatch.delenv("DASH_DASHBOARDS", raising=False)

    def run(*args: str, env: dict[str, str] | None = None):
        runner = CliRunner()
        return runner.invoke(main, list(args), env=env, catch_exceptions=True)

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
