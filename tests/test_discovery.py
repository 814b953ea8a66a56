"""Discovery of dashboard modules, and broken modules reported without a traceback."""

from __future__ import annotations

import json

from publisher.project import load_project

from .conftest import FIXTURES, run_cli

BROKEN = FIXTURES / "broken"


def test_broken_modules_are_reported_with_file_line_and_error(tmp_path):
    proc = run_cli("--dashboards", str(BROKEN), "build", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    err = proc.stderr
    assert "syntax_error.py:3: SyntaxError: '(' was never closed" in err
    assert "raises.py:6: DashboardError: panel 'Requests': unknown unit 'reqs'; did you mean 'reqps'" in err
    assert "empty.py:1: declares no dashboard" in err
    assert "angular.py:7: dashboard 'angular': panel 'Old graph' is a 'graph' panel" in err
    assert "use TimeSeries" in err
    # The good dashboard is still written.
    assert json.loads((tmp_path / "out/General/still-good.json").read_text())["uid"] == "still-good"


def test_lint_and_list_report_the_same_broken_modules(tmp_path):
    lint = run_cli("--dashboards", str(BROKEN), "lint", "--output", "json", cwd=tmp_path)
    assert lint.returncode == 1 and "Traceback" not in lint.stderr
    findings = json.loads(lint.stdout)["findings"]
    assert sorted(f["source"].rsplit("/", 1)[-1] for f in findings if f["code"] == "DASH000") == [
        "angular.py:7", "empty.py:1", "raises.py:6", "syntax_error.py:3",
    ]
    listing = run_cli("--dashboards", str(BROKEN), "list", cwd=tmp_path)
    assert listing.returncode == 1 and "still-good" in listing.stdout and "Traceback" not in listing.stderr


def test_a_missing_directory_is_an_error_not_a_crash(dash):
    result = dash("--dashboards", "nowhere", "build")
    assert result.exit_code == 1
    assert "nowhere: no such directory" in result.output


def test_user_directory_from_the_config_file(dash, tmp_path):
    repo = tmp_path / "repo"
    (repo / "boards").mkdir(parents=True)
    (repo / "boards/_helpers.py").write_text(
        "from publisher.sdk import Datasource\nPROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
    )
    (repo / "boards/team.py").write_text(
        "from _helpers import PROM\n"
        "from publisher.sdk import Dashboard, stat\n"
        "team = Dashboard('Team', uid='team', folder='Teams/Payments', datasource=PROM)\n"
        "team.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n"
    )
    (repo / "dash.yaml").write_text("dashboards: boards\n")
    result = dash("--config", str(repo / "dash.yaml"), "build", "--out", "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/Teams/Payments/team.json").exists()  # nested folders become nested directories


def test_helpers_modules_are_not_dashboard_modules():
    from .conftest import ROOT

    project = load_project(ROOT / "dashboards", None)
    files = {r.source.rsplit(":", 1)[0].rsplit("/", 1)[-1] for r in project.rendered if r.role == "dashboard"}
    assert files == {"api.py", "business.py", "system.py", "node_exporter_full.py", "slo.py"}
    assert [q.uid for q in project.log_queries][:1] == ["api-errors"]  # logs.py declares saved queries
    assert project.errors == []


def test_two_projects_in_one_process_do_not_share_helpers(tmp_path):
    """Each load forgets the modules of the last: a second `_shared` is the second project's own."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "_shared.py").write_text(f"UID = {name!r}\n")
        (tmp_path / name / "board.py").write_text(
            "from _shared import UID\nfrom publisher.sdk import Dashboard\nd = Dashboard(UID, uid=UID)\n")
    assert [d.uid for d in load_project(tmp_path / "one", None).rendered] == ["one"]
    assert [d.uid for d in load_project(tmp_path / "two", None).rendered] == ["two"]


def test_a_module_may_declare_several_dashboards(tmp_path):
    (tmp_path / "many.py").write_text(
        "from publisher.sdk import Dashboard\n"
        "ALL = [Dashboard(f'D{i}', uid=f'd{i}') for i in range(3)]\n"
    )
    assert [d.uid for d in load_project(tmp_path, None).rendered] == ["d0", "d1", "d2"]
