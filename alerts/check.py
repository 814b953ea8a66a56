"""The real tools judge the built files: promtool and amtool.

    promtool check config   prometheus.yml (and the rule files it names)
    promtool check rules --lint=duplicate-rules --lint-fatal   every rule file; a lint problem fails
    promtool test rules     every test file written from the Python test cases
    amtool check-config     alertmanager.yml (templates included)
    amtool config routes test --verify.receivers=...   every routing case
    alertmanager secret files   every `*_file` alertmanager.yml names exists (where the secrets are: below)

The secret files are checked where Alertmanager's secrets are on this machine: `--secrets DIR` (what
Alertmanager sees at its secrets_dir is DIR here), else secrets_dir itself when it exists here (dash check
run on the Alertmanager host); otherwise the check is reported as skipped, saying so. In CI they don't exist.
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
    skipped: bool = False  # not run (said why in output); ok, and not counted as passed

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "command": list(self.command), "ok": self.ok, "output": self.output,
                "skipped": self.skipped}


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


def run_checks(out: Path, secrets_dir: str | None = None, secrets: Path | None = None) -> list[Check]:
    """Run every check that applies to the files under `out` (as `dash build` wrote them): only the parts the
    alerting declares were written, and only those are checked. `secrets_dir`: where Alertmanager reads its
    secrets; `secrets`: the local directory holding them (see the module's doc)."""
    prom, am = out / "prometheus", out / "alertmanager"
    rules = sorted(str(p.relative_to(out)) for p in (prom / "rules").glob("*.yml"))
    tests = sorted(str(p.relative_to(out)) for p in (prom / "tests").glob("*.test.yml"))
    checks = []
    if (prom / "prometheus.yml").is_file():
        checks.append(_run("promtool check config", ["promtool", "check", "config", "prometheus/prometheus.yml"], out))
    if rules:
        # --lint and --lint-fatal: promtool 2.42 (Debian's) and 3.x both have them; duplicate-rules is the one
        # rule lint of both, and --lint-fatal makes it exit 3 instead of 0 with a printed warning.
        checks.append(_run("promtool check rules", ["promtool", "check", "rules", "--lint=duplicate-rules",
                                                    "--lint-fatal", *rules], out))
    if tests:
        checks.append(_run("promtool test rules", ["promtool", "test", "rules", *tests], out))
    config = "alertmanager/alertmanager.yml"
    if not (out / config).is_file():
        return checks
    checks.append(_run("amtool check-config", ["amtool", "check-config", config], out))
    secret_check = secret_files(yaml.safe_load((out / config).read_text()) or {}, secrets_dir, secrets)
    if secret_check is not None:
        checks.append(secret_check)
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


SECRETS_CHECK = "alertmanager secret files"


def _file_fields(data: Any) -> list[str]:
    """The values of every `*_file` key of Alertmanager's config (secrets, TLS files), in order."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if str(k).endswith("_file") and isinstance(v, str)] + [
            p for v in data.values() for p in _file_fields(v)]
    if isinstance(data, list):
        return [p for v in data for p in _file_fields(v)]
    return []


def secret_files(config: dict[str, Any], secrets_dir: str | None, secrets: Path | None) -> Check | None:
    """Every `*_file` of alertmanager.yml exists: amtool check-config never opens them, and Alertmanager finds
    a missing one only when it sends (notes.md section 3). None when the config names no file."""
    paths = list(dict.fromkeys(_file_fields(config)))
    if not paths:
        return None
    if secrets is None:
        if secrets_dir is None or not Path(secrets_dir).is_dir():
            return Check(SECRETS_CHECK, (), True, f"skipped: {secrets_dir or 'the secrets directory'} does not exist "
                         f"on this machine, so the {len(paths)} file(s) alertmanager.yml names ({', '.join(paths)}) "
                         "were not checked; pass --secrets DIR (or DASH_ALERTMANAGER_SECRETS=DIR) with the "
                         "directory that holds them here", skipped=True)
        secrets = Path(secrets_dir)
    lines, missing = [], 0
    for path in paths:
        local = _local(path, secrets_dir, secrets)
        if local is None:
            lines.append(f"unknown {path}: not under secrets_dir {secrets_dir}, so where it is here is unknown; "
                         "not checked")
        elif local.is_file():
            lines.append(f"found   {path}" + (f" ({local})" if str(local) != path else ""))
        else:
            missing += 1
            lines.append(f"missing {path}: alertmanager.yml reads it, and {local} does not exist")
    return Check(SECRETS_CHECK, (), not missing, "\n".join(lines))


def _local(path: str, secrets_dir: str | None, secrets: Path) -> Path | None:
    """Where `path` (as Alertmanager sees it) is on this machine: under secrets_dir, in `secrets`; None for a path
    elsewhere (a TLS ca_file, say), whose place on this machine dash cannot know."""
    root = (secrets_dir or "").rstrip("/")
    if root and path.startswith(root + "/"):
        return secrets / path[len(root) + 1:]
    return secrets / path if not root and not path.startswith("/") else None
