"""The real tools judge the built files: promtool and amtool.

    promtool check config   prometheus.yml (and the rule files it names)
    promtool check rules    every rule file
    promtool test rules     every test file written from the Python test cases
    amtool check-config     alertmanager.yml (templates included)
    amtool config routes test --verify.receivers=...   every routing case
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs
import yaml

INSTALL = {
    "promtool": "Debian's prometheus package: apt-get install --no-install-recommends prometheus "
                "(or promtool from https://prometheus.io/download/)",
    "amtool": "Debian's prometheus-alertmanager package: apt-get install --no-install-recommends "
              "prometheus-alertmanager (or amtool from https://prometheus.io/download/)",
}


@attrs.frozen
class Check:
    name: str
    command: tuple[str, ...]
    ok: bool
    output: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "command": list(self.command), "ok": self.ok, "output": self.output}


def missing_tools(needed: list[str] | None = None) -> list[str]:
    """One sentence per missing tool (of `needed`, default all), saying how to install it."""
    return [f"{tool} is not installed; install {how}" for tool, how in INSTALL.items()
            if (needed is None or tool in needed) and shutil.which(tool) is None]


def _run(name: str, command: list[str], cwd: Path) -> Check:
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return Check(name, tuple(command), False, "timed out after 60 s")
    # amtool always warns that --config.file overrides --alertmanager.url; that is not news.
    stderr = "\n".join(line for line in proc.stderr.splitlines() if "overrides the --alertmanager.url" not in line)
    return Check(name, tuple(command), proc.returncode == 0, (proc.stdout + stderr).strip())


def needed_tools(out: Path) -> list[str]:
    """The tools the built files need: promtool for Prometheus's files, amtool for Alertmanager's."""
    return [tool for tool, part in (("promtool", "prometheus"), ("amtool", "alertmanager")) if (out / part).is_dir()]


def run_checks(out: Path) -> list[Check]:
    """Run every check that applies to the files under `out` (as `dash build` wrote them): only the parts the
    alerting declares were written, and only those are checked."""
    prom, am = out / "prometheus", out / "alertmanager"
    rules = sorted(str(p.relative_to(out)) for p in (prom / "rules").glob("*.yml"))
    tests = sorted(str(p.relative_to(out)) for p in (prom / "tests").glob("*.test.yml"))
    checks = []
    if (prom / "prometheus.yml").is_file():
        checks.append(_run("promtool check config", ["promtool", "check", "config", "prometheus/prometheus.yml"], out))
    if rules:
        checks.append(_run("promtool check rules", ["promtool", "check", "rules", *rules], out))
    if tests:
        checks.append(_run("promtool test rules", ["promtool", "test", "rules", *tests], out))
    config = "alertmanager/alertmanager.yml"
    if not (out / config).is_file():
        return checks
    checks.append(_run("amtool check-config", ["amtool", "check-config", config], out))
    cases_file = am / "routing-tests.yml"
    cases = (yaml.safe_load(cases_file.read_text()) or {}).get("cases", []) if cases_file.exists() else []
    for case in cases:
        labels = [f"{k}={v}" for k, v in case["labels"].items()]
        receivers = ",".join(case["receivers"])
        checks.append(_run(
            f"route {' '.join(labels) or '(no labels)'} -> {receivers}",
            ["amtool", "config", "routes", "test", f"--config.file={config}", f"--verify.receivers={receivers}",
             *labels],
            out,
        ))
    return checks
