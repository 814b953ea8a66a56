"""One module's failure never stops the others: a failed import, a DashboardError, or dash's own exception."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

GOOD = '''\
from publisher.sdk import Dashboard, Datasource, stat

PROM = Datasource("Prometheus", type="prometheus", uid="prometheus")
good = Dashboard("Good", uid="good", datasource=PROM, description="d")
good.row("R", stat("Up", "sum(up)", unit="short", description="Targets up."))
'''

# A grafanalib panel whose rendering raises what no validator foresaw: dash's own failure, not a DashboardError.
EXPLODES = '''\
import grafanalib.core as G
from publisher.sdk import Dashboard, Datasource


class Exploding(G.Text):
    def to_json_data(self):
        raise RuntimeError("renderer exploded")


PROM = Datasource("Prometheus", type="prometheus", uid="prometheus")
bad = Dashboard("Explodes", uid="explodes", datasource=PROM)  # line 11
bad.row("R", Exploding(title="boom"))
'''

FAILS_TO_IMPORT = "from publisher.sdk import Dashboard\nDashboard(  # never closed\n"


def test_a_failing_module_does_not_stop_the_others(tmp_path: Path) -> None:
    boards = tmp_path / "dashboards"
    boards.mkdir()
    (boards / "a_explodes.py").write_text(EXPLODES)
    (boards / "b_good.py").write_text(GOOD)
    (boards / "c_syntax.py").write_text(FAILS_TO_IMPORT)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (tmp_path / "out" / "General" / "good.json").is_file(), result.stdout + result.stderr
    assert "dashboards/a_explodes.py:11: dashboard 'Explodes' could not be rendered: RuntimeError: renderer " \
           "exploded" in result.stderr
    assert "dashboards/c_syntax.py:2: SyntaxError" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "built 1 dashboard and" in result.stdout and "2 errors" in result.stdout


def test_dash_debug_shows_the_traceback_of_dashs_own_failure(tmp_path: Path) -> None:
    boards = tmp_path / "dashboards"
    boards.mkdir()
    (boards / "explodes.py").write_text(EXPLODES)
    result = run_cli("build", cwd=tmp_path, env={"DASH_DEBUG": "1"})
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "renderer exploded" in result.stderr


def test_an_environment_naming_a_broken_modules_datasource_still_builds_the_rest(tmp_path: Path) -> None:
    """The environment's datasource is declared only by the module that failed: that is an error of the build
    (named in dash.yaml's terms), not dash's own crash, and the other dashboards are still written."""
    boards = tmp_path / "dashboards"
    boards.mkdir()
    (boards / "a_syntax.py").write_text(FAILS_TO_IMPORT)
    (boards / "b_text.py").write_text('from publisher.sdk import Dashboard, text\n'
                                      'notes = Dashboard("Notes", uid="notes").row("R", text("Read me", "Hello"))\n')
    (tmp_path / "dash.yaml").write_text("environments:\n  local:\n    directory: tree\n"
                                        "    datasources:\n      prometheus: {url: 'http://prometheus:9090'}\n")
    result = run_cli("build", "--env", "local", cwd=tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "out" / "General" / "notes.json").is_file(), result.stdout + result.stderr
    assert "environments.local.datasources.prometheus" in result.stderr
    assert "(a dashboard module failed to load, see above: it may declare what is missing)" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_lint_names_the_failed_module_not_the_alert_links_it_breaks(tmp_path: Path) -> None:
    """An alert linking to a dashboard of a module that failed to load gets no DASH060: DASH000 is the cause."""
    boards = tmp_path / "dashboards"
    boards.mkdir()
    (boards / "good.py").write_text(GOOD.replace("Syntax", ""))
    (boards / "broken.py").write_text(FAILS_TO_IMPORT)
    (tmp_path / "alerting.py").write_text(
        "from alerts.model import AlertRule, Alerting, PanelLink, RuleFile, RuleGroup\n"
        "ALERTING = Alerting(runbook_url='https://runbooks.internal/{alert}', rule_files=[RuleFile('a.yml', [\n"
        "    RuleGroup('a', [AlertRule(alert='Down', expr='sum(up) < 1', summary='s', description='d',\n"
        "                              dashboard=PanelLink('in-the-broken-module', 'Up')),\n"
        "                    AlertRule(alert='Gone', expr='sum(up) < 1', summary='s', description='d',\n"
        "                              dashboard=PanelLink('good', 'Missing panel'))])])])\n")
    (tmp_path / "dash.yaml").write_text("alerts: alerting.py\n")
    result = run_cli("lint", cwd=tmp_path)
    assert result.returncode == 1
    codes = [line.split()[1] for line in result.stdout.splitlines() if " DASH" in line]
    assert codes == ["DASH000", "DASH060"], result.stdout  # the panel missing from a dashboard that was built
    assert "'Missing panel'" in result.stdout and "in-the-broken-module" not in result.stdout
