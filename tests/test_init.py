"""`dash init`: a scaffolded repository lints clean, builds, publishes locally, and init never overwrites."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.test_ci_examples import check_dash, dash_commands, github_scripts

DOCS_WORKFLOW = Path(__file__).resolve().parent.parent / "docs" / "ci" / "github-actions.yml"
EXPECTED = ["dash.yaml", "dashboards/service.py", "alerts/service.py", ".gitignore", ".github/workflows/dash.yml"]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "My Service"
    result = run_cli("init", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return target


def test_init_writes_the_scaffold_and_says_what_next(repo: Path) -> None:
    assert sorted(_tree(repo)) == sorted(EXPECTED)
    config = yaml.safe_load((repo / "dash.yaml").read_text())
    assert config["project"] == "my-service"  # slugged like config._project
    assert config["dashboards"] == "dashboards"
    assert config["alerts"] == "alerts/service.py"
    assert config["environments"] == {"local": {"directory": "grafana/provisioning",
                                                "datasources": {"prometheus": {"url": "http://prometheus:9090"}}}}
    assert "token: {env: GRAFANA_TOKEN}" in (repo / "dash.yaml").read_text()  # the commented server env
    assert "_shared" not in (repo / "dashboards" / "service.py").read_text()


def test_init_output_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "svc", tmp_path / "b" / "svc"
    out = [run_cli("init", str(d), cwd=tmp_path) for d in (a, b)]
    assert _tree(a) == _tree(b)
    assert out[0].stdout.replace(str(a), "D") == out[1].stdout.replace(str(b), "D")
    assert "  dash lint && dash build && dash check   #" in out[0].stdout
    assert "  dash publish --env local   " in out[0].stdout


def test_scaffold_lints_lists_builds_and_publishes(repo: Path) -> None:
    lint = run_cli("lint", cwd=repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "0 errors, 0 warnings" in lint.stdout and "warning" not in lint.stderr.lower()
    listed = run_cli("list", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()[1:]
    assert len(rows) == 1 and rows[0].split()[0] == "service-overview", listed.stdout  # none of the guide's
    build = run_cli("build", cwd=repo)
    assert build.returncode == 0, build.stderr
    assert (repo / "out" / "Services" / "service-overview.json").is_file()
    publish = run_cli("publish", "--env", "local", cwd=repo)
    assert publish.returncode == 0, publish.stdout + publish.stderr
    tree = repo / "grafana" / "provisioning"
    assert (tree / "dashboards" / "json" / "Services" / "service-overview.json").is_file()
    provisioned = yaml.safe_load((tree / "datasources" / "dash.yaml").read_text())["datasources"]
    assert [(d["uid"], d["url"]) for d in provisioned] == [("prometheus", "http://prometheus:9090")]


def test_second_init_refuses_and_writes_nothing(repo: Path) -> None:
    (repo / "dash.yaml").write_text("mine\n")
    (repo / ".gitignore").unlink()
    before = _tree(repo)
    again = run_cli("init", str(repo), cwd=repo.parent)
    assert again.returncode == 1
    assert "dash.yaml" in again.stderr and "--force" in again.stderr and "wrote nothing" in again.stderr
    assert ".gitignore" not in again.stderr.split("wrote nothing")[0]
    assert _tree(repo) == before  # not even the missing .gitignore


def test_init_into_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("notes\n")
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "other.txt").write_text("x\n")
    result = run_cli("init", cwd=tmp_path)  # DIR defaults to .
    assert result.returncode == 0, result.stderr
    assert "  dash lint && dash build" in result.stdout and "  cd " not in result.stdout  # no `cd .`
    assert (tmp_path / "README.md").read_text() == "notes\n"
    assert all((tmp_path / name).is_file() for name in EXPECTED)


def test_scaffolded_workflow_passes_the_ci_command_checker(repo: Path) -> None:
    doc = yaml.safe_load((repo / ".github" / "workflows" / "dash.yml").read_text())
    commands = [args for script in github_scripts(doc).values() for line in script
                for args in dash_commands(line)]
    assert commands
    for args in commands:
        check_dash(args)  # raises click.UsageError on what dash would refuse
    # In sync with the docs' workflow: the same dash commands, in the same order.
    docs = yaml.safe_load(DOCS_WORKFLOW.read_text())
    assert commands == [args for script in github_scripts(docs).values() for line in script
                        for args in dash_commands(line)]
    assert set(doc["jobs"]) == set(docs["jobs"])


def test_scaffolded_alert_rules_pass_dash_check(repo: Path) -> None:
    """Rules only: promtool checks the rule file and runs its tests; no prometheus.yml, no Alertmanager."""
    if shutil.which("promtool") is None:
        if os.environ.get("DASH_REQUIRE_TOOLS") == "1":
            pytest.fail("promtool is not installed and DASH_REQUIRE_TOOLS=1")
        pytest.skip("promtool is not installed")
    result = run_cli("check", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-3:] == ["ok      promtool check rules", "ok      promtool test rules",
                                               "2 of 2 checks passed."]
    built = sorted(p.relative_to(repo / "out").as_posix() for p in (repo / "out").rglob("*.yml")
                   if not p.as_posix().startswith(str(repo / "out" / "grafana")))
    assert built == ["prometheus/rules/service.yml", "prometheus/tests/service.test.yml"]
    rules = yaml.safe_load((repo / "out/prometheus/rules/service.yml").read_text())
    annotations = rules["groups"][0]["rules"][0]["annotations"]
    assert annotations["dashboard"] == "/d/service-overview?viewPanel=panel-3"
    assert "example.com" not in annotations["runbook_url"]


def test_the_scaffolds_commented_server_environment_is_named_as_such(repo: Path) -> None:
    result = run_cli("diff", "--env", "prod", cwd=repo)
    assert result.returncode == 1
    assert "no environment 'prod' (known: local); it is commented out in dash.yaml: uncomment its block" \
        in result.stderr
