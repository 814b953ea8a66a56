"""The wheel a user installs: `python -m build` makes it, it carries the tool and none of this repository's
content or tests, and installed on its own it runs `dash init`, lint, build, list and check in a new directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # From a copy of the tracked files, so that the build's own build/ and egg-info never land in the checkout.
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in (n for n in tracked.decode().split("\0") if n):
        if (ROOT / name).is_file():  # a file deleted in the working tree is not copied
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    for name in ("publisher", "alerts", "provisioning"):  # new files not yet committed belong to the tool too
        for path in (ROOT / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                (source / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, source / path.relative_to(ROOT))
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (built,) = out.glob("grafana_dash-*.whl")
    return built


def test_the_wheel_holds_the_tool_and_nothing_of_this_repositorys_content(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("grafana_dash-")}
    assert tops == {"publisher", "alerts", "provisioning"}
    assert not any(n.startswith(("tests/", "dashboards/", "bench/", "docs/")) for n in names)
    assert "publisher/lint/schemas/dashboard.jsonschema.json" in names  # package data comes along
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "dash = publisher.cli:main" in entry_points


CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DASH_CONFIG")}


def _installed(wheel: Path, venv: Path) -> Path:
    """A fresh venv with the wheel alone installed (no deps from the index: the test venv's are reused through a
    path entry, which does not run that venv's .pth files, so its editable dash is not visible)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120, env=CLEAN)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, timeout=300,
                   env=CLEAN, cwd=venv)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True, check=True, env=CLEAN).stdout.strip())
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "dash"


def test_the_installed_wheel_scaffolds_lints_and_builds_a_new_repository(wheel: Path, tmp_path: Path) -> None:
    dash = _installed(wheel, tmp_path / "venv")
    repo = tmp_path / "elsewhere" / "checkout-service"
    env = CLEAN

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(dash), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)

    repo.mkdir(parents=True)
    where = subprocess.run([str(dash.parent / "python"), "-c", "import publisher; print(publisher.__file__)"],
                           cwd=repo, env=env, capture_output=True, text=True, check=True).stdout
    assert str(tmp_path / "venv") in where  # the wheel's code, not this checkout's
    assert run("init").returncode == 0
    for step in (("lint",), ("build",)):
        result = run(*step)
        assert result.returncode == 0, result.stdout + result.stderr
    listed = run("list").stdout.splitlines()
    assert [line.split()[0] for line in listed[1:]] == ["service-overview"]  # only the user's
    out = sorted(p.relative_to(repo / "out").as_posix() for p in (repo / "out").rglob("*") if p.is_file())
    assert out == [".dash-build.json", "Services/service-overview.json",
                   "grafana/provisioning/dashboards/dash.yaml",
                   "grafana/provisioning/dashboards/json/Services/service-overview.json",
                   "grafana/provisioning/datasources/dash.yaml",
                   "prometheus/rules/service.yml", "prometheus/tests/service.test.yml"]  # nothing of the guide's
    if shutil.which("promtool"):
        check = run("check")
        assert check.returncode == 0, check.stdout + check.stderr
