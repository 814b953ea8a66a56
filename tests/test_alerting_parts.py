"""Alerting is optional and may be partial: rule files alone, Alertmanager alone, or both. `dash check` checks
what is declared and says so when nothing is; nothing is invented (no runbook, no compose stack)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli

BOARD = '''\
from publisher.sdk import Dashboard, Datasource, stat

PROM = Datasource("Prometheus", type="prometheus", uid="prometheus")
board = Dashboard("Board", uid="board", datasource=PROM, description="d")
board.row("R", stat("Up", "sum(up)", unit="short", description="Targets up."))
'''

RULES_ONLY = '''\
from alerts.model import AlertRule, Alerting, Fires, PanelLink, RuleFile, RuleGroup, Silent

DOWN = AlertRule(alert="NothingUp", expr="sum(up) < 1", summary="Down", description="Nothing is up.",
                 dashboard=PanelLink("board", "Up"), runbook_url="https://runbooks.internal/NothingUp",
                 tests=[Fires("all down", {'up{job="api"}': "0x10"}, at="5m"),
                        Silent("one up", {'up{job="api"}': "1x10"}, at="5m")])
ALERTING = Alerting(rule_files=[RuleFile("board.yml", [RuleGroup("board", [DOWN])])])
'''

ALERTMANAGER_ONLY = '''\
from alerts.model import AlertmanagerConfig, Alerting, Receiver, Route, RoutingCase, Webhook

ALERTING = Alerting(
    alertmanager=AlertmanagerConfig(route=Route("hook"), receivers=[Receiver("hook", [Webhook("http://hook:9000")])]),
    routing_cases=[RoutingCase({"alertname": "Anything"}, ["hook"])],
)
'''


def _tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        if os.environ.get("DASH_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{', '.join(missing)} not installed and DASH_REQUIRE_TOOLS=1")
        pytest.skip(f"{', '.join(missing)} not installed")


def _repo(tmp_path: Path, alerts: str | None, extra: str = "") -> Path:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "board.py").write_text(BOARD)
    config = "dashboards: dashboards\n" + extra
    if alerts is not None:
        (tmp_path / "alerting.py").write_text(alerts)
        config += "alerts: alerting.py\n"
    (tmp_path / "dash.yaml").write_text(config)
    return tmp_path


def _built(repo: Path) -> list[str]:
    out = repo / "out"
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.parts[len(out.parts)] in ("prometheus", "alertmanager", "loki", "blackbox")
                  or p.name == "docker-compose.yml")


def test_rules_alone_are_built_and_checked_without_prometheus_or_alertmanager(tmp_path: Path) -> None:
    _tools("promtool")
    repo = _repo(tmp_path, RULES_ONLY)
    result = run_cli("check", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _built(repo) == ["prometheus/rules/board.yml", "prometheus/tests/board.test.yml"]
    assert result.stdout.splitlines()[-3:] == ["ok      promtool check rules", "ok      promtool test rules",
                                               "2 of 2 checks passed."]


def test_alertmanager_alone_is_built_and_checked(tmp_path: Path) -> None:
    _tools("amtool")
    repo = _repo(tmp_path, ALERTMANAGER_ONLY)
    result = run_cli("check", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _built(repo) == ["alertmanager/alertmanager.yml", "alertmanager/routing-tests.yml"]
    assert "ok      amtool check-config" in result.stdout
    assert "ok      route alertname=Anything -> hook" in result.stdout
    assert "promtool" not in result.stdout


def test_check_with_no_alerting_says_so_and_passes(tmp_path: Path) -> None:
    repo = _repo(tmp_path, None)
    result = run_cli("check", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("nothing to check: dash.yaml declares no alerting")
    assert _built(repo) == []


def test_an_alert_without_runbook_gets_none_invented_and_a_lint_warning(tmp_path: Path) -> None:
    repo = _repo(tmp_path, RULES_ONLY.replace(', runbook_url="https://runbooks.internal/NothingUp"', ""))
    build = run_cli("build", cwd=repo)
    assert build.returncode == 0, build.stderr
    rule = yaml.safe_load((repo / "out/prometheus/rules/board.yml").read_text())["groups"][0]["rules"][0]
    assert "runbook_url" not in rule["annotations"] and rule["annotations"]["dashboard"].startswith("/d/board?")
    lint = run_cli("lint", cwd=repo)
    assert lint.returncode == 0  # a warning
    assert "DASH062 warning" in lint.stdout and "alert 'NothingUp' has no runbook_url" in lint.stdout


def test_the_guides_stack_is_written_only_when_dash_yaml_asks(tmp_path: Path) -> None:
    guide = f"alerts: {ROOT / 'alerts/guide.py'}\n"
    (tmp_path / "dash.yaml").write_text(f"dashboards: {ROOT / 'dashboards'}\n" + guide)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "out/docker-compose.yml").exists() and not (tmp_path / "out/loki").exists()
    (tmp_path / "dash.yaml").write_text(f"dashboards: {ROOT / 'dashboards'}\n" + guide + "stack: guide\n")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out/docker-compose.yml").is_file() and (tmp_path / "out/loki/loki-config.yaml").is_file()


@pytest.mark.parametrize("alerts, extra, message", [
    ("from alerts.model import Alerting\nALERTING = Alerting()\n", "",
     "alerting.py:2: AlertsError: Alerting(...) declares nothing: give rule_files=, prometheus= or alertmanager="),
    (RULES_ONLY, "stack: guide\n", "`stack: guide` in dash.yaml mounts prometheus.yml and alertmanager.yml"),
    ("from alerts.model import Alerting, RoutingCase\n"
     "ALERTING = Alerting(routing_cases=[RoutingCase({'a': 'b'}, ['x'])], rule_files=[])\n", "",
     "routing_cases= test Alertmanager's routes: give alertmanager= too"),
])
def test_partial_alerting_mistakes_are_named(tmp_path: Path, alerts: str, extra: str, message: str) -> None:
    repo = _repo(tmp_path, alerts, extra)
    result = run_cli("build", cwd=repo)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("how", ["dash", "python -m publisher"])
def test_a_users_alerts_package_does_not_shadow_dashs(tmp_path: Path, how: str) -> None:
    repo = _repo(tmp_path, None, "alerts: alerts/service.py\n")
    (repo / "alerts").mkdir()
    (repo / "alerts" / "__init__.py").write_text("raise RuntimeError('the user package was imported')\n")
    (repo / "alerts" / "service.py").write_text(RULES_ONLY)
    if how == "dash":
        dash = Path(sys.executable).parent / "dash"
        result = subprocess.run([str(dash), "build"], cwd=repo, capture_output=True, text=True, timeout=120)
    else:
        result = run_cli("build", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "out/prometheus/rules/board.yml").is_file()


def test_check_runs_no_tool_on_a_build_that_failed(tmp_path: Path) -> None:
    """The last good build's files are still in out/: checking them would pass what the code no longer says."""
    _tools("promtool")
    repo = _repo(tmp_path, RULES_ONLY)
    assert run_cli("check", cwd=repo).returncode == 0
    (repo / "alerting.py").write_text(RULES_ONLY.replace('summary="Down"', 'summary=""'))
    result = run_cli("check", cwd=repo)
    assert result.returncode == 1
    assert "give a summary and a description" in result.stderr
    assert "not checked: the build failed" in result.stderr
    assert "promtool" not in result.stdout and "passed" not in result.stdout


def test_the_alerting_file_imports_the_rule_modules_beside_it(tmp_path: Path) -> None:
    """A module beside the alerting file wins over a dashboard module of the same name; the dashboards' helpers
    stay importable."""
    repo = _repo(tmp_path, None, "alerts: alerts/service.py\n")
    (repo / "dashboards" / "_helpers.py").write_text("RUNBOOK = 'https://runbooks.internal/NothingUp'\n")
    (repo / "dashboards" / "board2.py").write_text(BOARD.replace('"board"', '"board2"').replace('"Board"', '"B2"'))
    (repo / "alerts").mkdir()
    rules = RULES_ONLY.split("ALERTING = ")[0].replace('"https://runbooks.internal/NothingUp"', "RUNBOOK")
    (repo / "alerts" / "board2.py").write_text("from _helpers import RUNBOOK\n" + rules)
    (repo / "alerts" / "service.py").write_text(
        "from alerts.model import Alerting, RuleFile, RuleGroup\nfrom board2 import DOWN\n"
        "ALERTING = Alerting(rule_files=[RuleFile('board.yml', [RuleGroup('board', [DOWN])])])\n")
    result = run_cli("build", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "out/prometheus/rules/board.yml").is_file()


def test_alerts_naming_a_directory_says_what_to_name(tmp_path: Path) -> None:
    repo = _repo(tmp_path, None, "alerts: rules\n")
    (repo / "rules").mkdir()
    result = run_cli("build", cwd=repo)
    assert result.returncode == 1
    assert "rules: is a directory: `alerts:` in dash.yaml names one Python file that defines ALERTING" in result.stderr
