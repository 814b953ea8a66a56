"""The command line itself: help, version, `python -m publisher`, and startup imports."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import run_cli

HEAVY = ("grafanalib", "grafana_client", "niquests", "jsonschema", "promql_parser", "yaml", "rich", "attrs")


def test_help_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from publisher.cli import main\n"
        "try:\n"
        "    main(['--help'], prog_name='dash')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_python_dash_m_publisher_is_the_same_command(tmp_path):
    proc = run_cli("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("dash, version ")
    proc = run_cli("--help", cwd=tmp_path)
    for command in ("build", "lint", "list"):
        assert command in proc.stdout


def test_list_shows_where_each_dashboard_is_declared(dash):
    result = dash("list", "--output", "json")
    rows = json.loads(result.output)["dashboards"]
    assert {r["uid"]: r["source"].rsplit("/", 1)[-1].split(":")[0] for r in rows} == {
        "api-performance": "api.py", "business-metrics": "business.py", "system": "system.py",
        "grafana-com-1860": "node_exporter_full.py", "slo-api": "slo.py",
        "saved-log-queries": "logs.py",  # the stand-in for a query library, built from the queries logs.py declares
    }


def test_a_missing_config_file_is_a_clear_error(dash):
    result = dash("--config", "nope.yaml", "list")
    assert result.exit_code == 1
    assert "nope.yaml: no such configuration file" in result.output
