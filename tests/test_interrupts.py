"""Stopping a publish: SIGINT and SIGTERM let the requests in flight finish and say what was done; a publish
that deletes asks first on a terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, TOKEN, write_config
from .grafana_emulator import Emulator
from .test_real_grafana import _boards, _publish


def _start_publish(tmp_path, emulator: Emulator) -> subprocess.Popen:
    write_config(tmp_path / "dash.yaml", emulator.url)
    env = {**os.environ, "DASH_TEST_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    env.pop("DASH_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "publisher", "publish", "--env", "test"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_first_result(proc: subprocess.Popen) -> list[str]:
    """Lines of stderr up to the first object published (progress: a line per object as it completes; the
    results come on stdout at the end, in plan order)."""
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "] ok " in line:
            return lines
    raise AssertionError("publish printed no progress:\n" + "".join(lines) + proc.stdout.read())


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_publish_finishes_what_is_in_flight_and_says_what_was_done(tmp_path, sig, code):
    (tmp_path / "dashboards").symlink_to(ROOT / "dashboards")
    emulator = Emulator(mode="12.x").start()
    try:
        emulator.set_faults(latency=0.3)  # slow enough that the signal lands while the first writes run
        proc = _start_publish(tmp_path, emulator)
        before = _wait_for_first_result(proc)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        output = "".join(before) + out + err
        assert proc.returncode == code, output
        assert "Traceback" not in output and "internal error" not in output
        assert f"Interrupted by {sig.name}" in output and "not started" in output
        org = emulator.grafana.org(1)
        published = [line.split()[3] for line in output.splitlines() if line.startswith("ok ") and "dashboard" in line]
        assert sorted(published) == sorted(org.dashboards), "what is reported done is exactly what Grafana holds"
        assert len(org.dashboards) < 5, "the signal stopped the run before every dashboard was written"
        emulator.set_faults(latency=0.0)
        again = subprocess.run([sys.executable, "-m", "publisher", "publish", "--env", "test"], cwd=tmp_path,
                               env={**os.environ, "DASH_TEST_TOKEN": TOKEN}, capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "0 refused, 0 failed" in again.stdout
    finally:
        emulator.stop()


@pytest.fixture
def at_a_terminal(monkeypatch):
    monkeypatch.setattr("publisher.cli_publish._interactive", lambda: True)


def test_a_publish_that_deletes_asks_first_on_a_terminal(env_dash, grafana, tmp_path, at_a_terminal):
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up)", beta="sum(up)")).exit_code == 0
    args = _boards(tmp_path, alpha="sum(up)")
    grafana.reset_counts()
    declined = env_dash(*args, "publish", "--env", "test", "--prune", input="n\n")
    assert declined.exit_code == 1 and "Delete 1 object(s) from env test (dashboard beta)?" in declined.output
    assert "the deletes were not confirmed" in declined.output
    assert grafana.writes() == 0 and "beta" in grafana.grafana.org(1).dashboards
    accepted = env_dash(*args, "publish", "--env", "test", "--prune", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "beta" not in grafana.grafana.org(1).dashboards


def test_yes_skips_the_question_and_a_plan_without_deletes_asks_nothing(env_dash, grafana, tmp_path, at_a_terminal):
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up)", beta="sum(up)")).exit_code == 0
    unchanged = _publish(env_dash, _boards(tmp_path, alpha="sum(up)", beta="sum(up)"), "--prune")
    assert unchanged.exit_code == 0 and "Delete" not in unchanged.output
    result = _publish(env_dash, _boards(tmp_path, alpha="sum(up)"), "--prune", "--yes")
    assert result.exit_code == 0 and "Delete" not in result.output
    assert "beta" not in grafana.grafana.org(1).dashboards
