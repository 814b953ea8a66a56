"""The native path (Grafana 12/13's /apis): chosen by the probe or by `api:`, marked as managed by dash, and
cheaper to plan than one GET per dashboard."""

from __future__ import annotations

import json

import pytest

from .conftest import PROJECT, write_config
from .grafana_emulator import Emulator

NATIVE = ("12.x", "13.x")


def _paths(grafana) -> set[str]:
    return {template for (_, template) in grafana.counts}


def test_the_probe_chooses_the_path_and_envs_probe_says_which(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0
    native = grafana.grafana.mode.name in NATIVE
    wrote_through = {t.split("/")[2] for t in _paths(grafana) if t.startswith("/apis/")}
    assert wrote_through == ({"dashboard.grafana.app", "folder.grafana.app"} if native else set())
    assert ("/dashboards/db" in _paths(grafana)) is not native
    found = json.loads(env_dash("envs", "--probe", "--output", "json").output)["test"]
    assert found["api"] == ("apis" if native else "legacy")
    text = env_dash("envs", "--probe").output
    assert ("dashboards and folders through /apis (dashboard.grafana.app/" in text) is native


def test_api_legacy_keeps_a_13_server_on_the_legacy_api(dash, tmp_path, monkeypatch):
    emulator = Emulator(mode="13.x").start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", "glsa_test_admin_token")
        write_config(tmp_path / "dash.yaml", emulator.url, api="legacy")
        assert dash("publish", "--env", "test").exit_code == 0
        assert not any(t.startswith("/apis/") for (_, t) in emulator.counts)
        assert emulator.dashboard("system") is not None
    finally:
        emulator.stop()


def test_api_apis_on_a_server_without_them_is_a_clear_error(dash, tmp_path, monkeypatch):
    emulator = Emulator(mode="11.6").start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", "glsa_test_admin_token")
        write_config(tmp_path / "dash.yaml", emulator.url, api="apis")
        result = dash("diff", "--env", "test")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "environments.test.api: apis, but Grafana 11.6.4" in result.output
        assert "use api: auto or api: legacy" in result.output
    finally:
        emulator.stop()


def test_an_unknown_api_choice_is_refused_in_config(dash, tmp_path):
    write_config(tmp_path / "dash.yaml", "http://127.0.0.1:1", api="native")
    result = dash("envs")
    assert result.exit_code == 1 and "environments.test.api: must be one of auto, legacy, apis" in result.output


@pytest.mark.parametrize("mode", NATIVE)
def test_what_dash_writes_natively_says_dash_manages_it(dash, tmp_path, monkeypatch, mode):
    emulator = Emulator(mode=mode).start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", "glsa_test_admin_token")
        write_config(tmp_path / "dash.yaml", emulator.url)
        assert dash("publish", "--env", "test").exit_code == 0
        org = emulator.grafana.org(1)
        wanted = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": f"dash/{PROJECT}",
                  "grafana.app/managerAllowsEdits": "true"}
        for item in [*org.dashboards.values(), *org.folders.values()]:
            assert wanted.items() <= item.k8s.annotations.items(), item
        system = org.dashboards["system"].k8s.annotations
        assert system["grafana.app/folder"] == "dash-monitoring-platform"
        assert "[dash sha256:" in system["grafana.app/message"]
    finally:
        emulator.stop()


@pytest.mark.parametrize("mode", NATIVE)
def test_a_no_op_plan_of_many_dashboards_reads_them_in_one_list(dash, tmp_path, monkeypatch, mode):
    boards = tmp_path / "boards"
    boards.mkdir()
    for i in range(30):
        (boards / f"b{i:02}.py").write_text(
            "from publisher.sdk import Dashboard, Datasource, stat\n"
            "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
            "LOKI = Datasource('Loki', 'loki', 'loki')\n"
            f"d = Dashboard('Board {i}', uid='b{i:02}', folder='Team', datasource=PROM)\n"
            "d.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n")
    emulator = Emulator(mode=mode).start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", "glsa_test_admin_token")
        write_config(tmp_path / "dash.yaml", emulator.url)
        assert dash("--dashboards", str(boards), "publish", "--env", "test").exit_code == 0
        emulator.reset_counts()
        result = dash("--dashboards", str(boards), "diff", "--env", "test")
        assert result.exit_code == 0, result.output
        dashboard_requests = {t: n for (_, t), n in emulator.counts.items() if "dashboard" in t}
        assert dashboard_requests == {"/apis/dashboard.grafana.app/{version}/namespaces/{namespace}/dashboards": 1}
        assert "/search" not in _paths(emulator)
    finally:
        emulator.stop()
