"""Bad input, run as a user would: the `dash` command in a subprocess, one case per mistake.

Each case states the command line, the files it finds, its environment, the exit status it must
end with and a phrase its message must contain (the file, key, object or path, and what to do).
Every case also checks that no traceback and no "internal error" is shown, and that stdout is
JSON for `--output json`. The network, signal and secret cases are in test_bad_input_network.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pytest

DASH = Path(sys.executable).parent / "dash"  # the venv's console script (not Debian's /bin/dash)
HEAD = ("from publisher.sdk import Dashboard, Datasource, stat\n"
        "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n")
B = ("--dashboards", "boards")
BUILD = (*B, "build", "--out", "out")
DIFF = (*B, "diff", "--env", "test")


def board(uid: str, folder: str = "Team", extra: str = "") -> str:
    """A module declaring one small, lint-clean dashboard."""
    return HEAD + (f"d = Dashboard({uid.title()!r}, uid={uid!r}, folder={folder!r}, datasource=PROM)\n"
                   f"d.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n{extra}")


GOOD = {"boards/good.py": board("good")}


def env_yaml(*lines: str, url: str = "https://grafana.example.com", name: str = "test") -> str:
    """A dash.yaml with one environment: its url, then `lines` as its other keys."""
    return f"environments:\n  {name}:\n    url: {url}\n" + "".join(f"    {line}\n" for line in lines)


TOKEN_ENV = "token: {env: DASH_T}"
CLOSED = env_yaml(TOKEN_ENV, "retries: 0", url="http://127.0.0.1:9")  # config errors come before any request


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    phrases: tuple[str, ...]  # each must appear in stdout + stderr
    files: dict[str, str | bytes] = field(default_factory=dict)
    code: int = 1
    env: dict[str, str] = field(default_factory=dict)
    json: bool = False  # --output json: stdout must parse
    absent: tuple[str, ...] = ()  # must appear nowhere (a secret, say)
    exists: str | None = None  # a file the run must still have written (the other dashboards build)
    setup: Callable[[Path], Callable[[], None] | None] | None = None
    module: bool = False  # run as `python -m publisher` (the README: the same command)


def case(id: str, argv: tuple[str, ...], phrase: str | tuple[str, ...], files: dict[str, str | bytes] | None = None,
         **kw) -> object:
    phrases = (phrase,) if isinstance(phrase, str) else phrase
    return pytest.param(Case(argv, phrases, {**GOOD, **(files or {})}, **kw), id=id)


def dash_command(argv: tuple[str, ...], module: bool = False) -> list[str]:
    command = [sys.executable, "-m", "publisher"] if module or not DASH.exists() else [str(DASH)]
    return [*command, *argv]


def dash_env(env: dict[str, str] | None = None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DASH_CONFIG", "DASH_DASHBOARDS", "DASH_DEBUG")}
    return {**base, **(env or {})}


def run_dash(argv: tuple[str, ...], cwd: Path, env: dict[str, str] | None = None, module: bool = False,
             timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(dash_command(argv, module), cwd=cwd, env=dash_env(env), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def substitute(value: str, subs: dict[str, str]) -> str:
    for key, replacement in subs.items():
        value = value.replace(f"@{key}@", replacement)
    return value


def write_files(root: Path, files: dict[str, str | bytes], subs: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(substitute(content, subs))


def problems(c: Case, proc: subprocess.CompletedProcess, cwd: Path) -> list[str]:
    """What is wrong with one run, as the list of broken promises."""
    both = proc.stdout + proc.stderr
    found = [f"shows {word!r}" for word in ("Traceback", "internal error") if word in both]
    if proc.returncode != c.code:
        found.append(f"exit status {proc.returncode}, expected {c.code}")
    found += [f"missing phrase {p!r}" for p in c.phrases if p not in both]
    found += [f"shows {s!r}" for s in c.absent if s in both]
    if c.json:
        try:
            json.loads(proc.stdout)
        except ValueError as exc:
            found.append(f"stdout is not JSON ({exc})")
    if c.exists and not (cwd / c.exists).is_file():
        found.append(f"{c.exists} was not written (the other dashboards must still build)")
    return found


def run_case(c: Case, tmp_path: Path, subs: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    subs = {"tmp": str(tmp_path), **(subs or {})}
    write_files(tmp_path, c.files, subs)
    cleanup = c.setup(tmp_path) if c.setup else None
    try:
        argv = tuple(substitute(a, subs) for a in c.argv)
        env = {k: substitute(v, subs) for k, v in c.env.items()}
        proc = run_dash(argv, tmp_path, env, module=c.module)
    finally:
        if cleanup:
            cleanup()
    shown = replace(c, phrases=tuple(substitute(p, subs) for p in c.phrases))
    found = problems(shown, proc, tmp_path)
    assert not found, (f"{'; '.join(found)}\n$ dash {' '.join(argv)}\n(exit {proc.returncode})\n"
                       f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
    return proc


def read_only_dir(rel: str) -> Callable[[Path], Callable[[], None]]:
    """A directory nobody may write into, root included (chattr +i), undone after the run."""
    def setup(tmp: Path) -> Callable[[], None]:
        path = tmp / rel
        path.mkdir()
        if os.geteuid() != 0:
            path.chmod(0o555)
            return lambda: path.chmod(0o755)
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("running as root on a file system without chattr +i: no read-only directory to be had")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    return setup


PASTED = "glsa_abcdefghijklmnopqrstuvwxyz012345"  # a token pasted where a reference belongs

CONFIG = [
    case("yaml-tab", ("envs",), "dash.yaml:2: not valid YAML", {"dash.yaml": "environments:\n\ttest: 1\n"}),
    case("yaml-unclosed-flow", ("envs",), ("dash.yaml", "not valid YAML"),
         {"dash.yaml": "environments: {test: {url: https://x\n"}),
    case("yaml-top-level-list", ("envs",), "dash.yaml: the top level must be a mapping",
         {"dash.yaml": "- test\n- prod\n"}),
    case("yaml-duplicate-env", ("envs",), ("dash.yaml", "duplicate", "'test'"),
         {"dash.yaml": env_yaml(TOKEN_ENV) + "  test:\n    url: https://other.example.com\n"}),
    case("timeout-string", ("envs",), "environments.test.timeout: must be a number, got the string 'ten'",
         {"dash.yaml": env_yaml("timeout: ten")}),
    case("org-id-float", ("envs",), "environments.test.org_id: must be a whole number, got 1.5",
         {"dash.yaml": env_yaml("org_id: 1.5")}),
    case("verify-tls-string", ("envs",), "environments.test.verify_tls: must be true or false",
         {"dash.yaml": env_yaml("verify_tls: 'no'")}),
    case("retries-negative", ("envs",), "environments.test.retries: must be at least 0, got -1",
         {"dash.yaml": env_yaml("retries: -1")}),
    case("concurrency-zero", ("envs",), "environments.test.concurrency.reads: must be at least 1",
         {"dash.yaml": env_yaml("concurrency: {reads: 0}")}),
    case("datasources-list", ("envs",), "environments.test.datasources: must be a mapping, got a list",
         {"dash.yaml": env_yaml("datasources: [prometheus]")}),
    case("dashboards-number", ("envs",), "dash.yaml: dashboards: must be a non-empty string, got 42",
         {"dash.yaml": "dashboards: 42\n"}),
    case("unknown-env-key", ("envs",), "environments.test.tokn: unknown key; did you mean 'token'?",
         {"dash.yaml": env_yaml("tokn: {env: DASH_T}")}),
    case("unknown-top-key", ("envs",), "dashbaords: unknown key; did you mean 'dashboards'?",
         {"dash.yaml": "dashbaords: boards\n"}),
    case("missing-env", (*B, "diff", "--env", "prd"), "no environment 'prd' (known: prod); did you mean 'prod'?",
         {"dash.yaml": env_yaml(TOKEN_ENV, name="prod")}),
    case("no-dash-yaml", DIFF, ("./dash.yaml (not found): no environment 'test'",)),
    case("config-missing", ("--config", "nope.yaml", "envs"), "nope.yaml: no such configuration file"),
    case("config-env-var-missing", ("envs",), "(from --config or DASH_CONFIG)", env={"DASH_CONFIG": "@tmp@/no.yaml"}),
    case("config-is-directory", ("--config", "boards", "envs"), "boards: cannot read the configuration"),
    case("non-utf8", ("envs",), "dash.yaml: not UTF-8 text (byte",
         {"dash.yaml": b"environments:\n  t: {url: '\xff'}\n"}),
    case("empty-token", ("envs",), "environments.test.token: is empty; give {env: VARIABLE_NAME}",
         {"dash.yaml": env_yaml("token:")}),
    case("inline-token", ("envs",), "environments.test.token: a secret written inline is refused",
         {"dash.yaml": env_yaml(f"token: {PASTED}")}, absent=(PASTED,)),
    case("token-pasted-into-env", ("envs",), "environments.test.token.env: is not an environment variable name",
         {"dash.yaml": env_yaml(f"token: {{env: {PASTED}}}")}, absent=(PASTED,)),
    case("token-pasted-into-file", ("envs",), "environments.test.token.file: is not a file path",
         {"dash.yaml": env_yaml(f"token: {{file: {PASTED}}}")}, absent=(PASTED,)),
    case("token-env-and-file", ("envs",), "environments.test.token: give exactly one of env or file",
         {"dash.yaml": env_yaml("token: {env: A, file: b}")}),
    case("inline-datasource-password", ("envs",), "datasources.loki.basic_auth.password: a secret written inline",
         {"dash.yaml": env_yaml("datasources:", "  loki:", "    url: http://loki:3100",
                                "    basic_auth: {user: u, password: hunter2pass}")}, absent=("hunter2pass",)),
    case("token-and-basic-auth", ("envs",), "environments.test: give either token or basic_auth, not both",
         {"dash.yaml": env_yaml(TOKEN_ENV, "basic_auth: {user: u, password: {env: P}}")}),
    case("general-folder", ("envs",), "environments.test.folder: 'General' is Grafana's name for the top level",
         {"dash.yaml": env_yaml("folder: general")}),
    case("folder-with-slash", ("envs",), "environments.test.folder: must be a single folder title",
         {"dash.yaml": env_yaml("folder: Team/Sub")}),
    case("url-without-scheme", ("envs",), "environments.test.url: must be an http:// or https:// URL",
         {"dash.yaml": env_yaml(url="grafana.example.com")}),
    case("url-with-query", ("envs",), "environments.test.url: must not carry a query string",
         {"dash.yaml": env_yaml(url="https://grafana.example.com/?orgId=1")}),
    case("url-missing", ("envs",), "environments.test.url: is required",
         {"dash.yaml": "environments:\n  test:\n    token: {env: DASH_T}\n"}),
    case("url-and-directory", ("envs",), "environments.test: give either url",
         {"dash.yaml": env_yaml("directory: prov")}),
    case("project-invalid", ("envs",), "project: must be 1-37 characters", {"dash.yaml": "project: Not Valid!\n"}),
    case("ca-bundle-missing", ("envs",), "environments.test.ca_bundle: no such file: @tmp@/ca.pem",
         {"dash.yaml": env_yaml("ca_bundle: ca.pem")}),
    case("plain-http-to-remote", DIFF, "refusing to send credentials over plain http:// to grafana.example.com",
         {"dash.yaml": env_yaml(TOKEN_ENV, url="http://grafana.example.com")}, env={"DASH_T": "glsa_x"}),
]

ENVIRONMENT = [
    case("token-env-unset", DIFF, "environments.test.token: environment variable DASH_T is not set; export it",
         {"dash.yaml": CLOSED}),
    case("token-env-empty", DIFF, "environments.test.token: environment variable DASH_T is empty",
         {"dash.yaml": CLOSED}, env={"DASH_T": ""}),
    case("password-env-unset", DIFF, "environments.test.basic_auth.password: environment variable GF_PW is not set",
         {"dash.yaml": env_yaml("basic_auth: {user: u, password: {env: GF_PW}}", url="http://127.0.0.1:9")}),
    case("token-file-missing", DIFF, "environments.test.token: cannot read secret file @tmp@/token",
         {"dash.yaml": env_yaml("token: {file: token}", url="http://127.0.0.1:9")}),
    case("token-file-is-directory", DIFF, "cannot read secret file @tmp@/boards: Is a directory",
         {"dash.yaml": env_yaml("token: {file: boards}", url="http://127.0.0.1:9")}),
    case("token-file-empty", DIFF, "environments.test.token: secret file @tmp@/token is empty",
         {"dash.yaml": env_yaml("token: {file: token}", url="http://127.0.0.1:9"), "token": "\n"}),
    case("token-file-not-utf8", DIFF, ("environments.test.token", "@tmp@/token"),
         {"dash.yaml": env_yaml("token: {file: token}", url="http://127.0.0.1:9"), "token": b"\xff\xfeglsa\n"}),
    case("directory-env-is-a-file", (*B, "publish", "--env", "local"), "@tmp@/provisioning",
         {"dash.yaml": "environments:\n  local: {directory: provisioning}\n", "provisioning": "not a directory\n"}),
    case("directory-env-under-a-file", (*B, "publish", "--env", "local"), "@tmp@/provisioning",
         {"dash.yaml": "environments:\n  local: {directory: provisioning/tree}\n", "provisioning": "a file\n"}),
    case("dashboards-env-var-missing-dir", ("build", "--out", "out"), "nowhere: no such directory or .py file",
         env={"DASH_DASHBOARDS": "nowhere"}),
    case("dashboards-option-not-python", ("--dashboards", "notes.txt", "build"), "notes.txt: no such directory",
         {"notes.txt": "hello\n"}),
]

OUTPUT = [
    case("out-onto-a-file", ("--dashboards", "boards", "build", "--out", "out.txt"), "out.txt",
         {"out.txt": "a file\n"}),
    case("out-under-a-file", ("--dashboards", "boards", "build", "--out", "out.txt/sub"), "out.txt",
         {"out.txt": "a file\n"}),
    case("out-read-only", ("--dashboards", "boards", "build", "--out", "ro-out"), "ro-out",
         setup=read_only_dir("ro-out")),
    case("out-folder-is-a-file", BUILD, "out/Team", {"out/Team": "a file where the folder's directory goes\n"}),
    case("out-onto-a-file-json", (*BUILD[:-1], "out.txt", "--output", "json"), "out.txt",
         {"out.txt": "a file\n"}, json=True),
]


LOCAL = {"dash.yaml": "environments:\n  local: {directory: prov}\n"}
BUILT = "out/Team/good.json"  # the good module's dashboard, built whatever its neighbours do
NOISY = {"boards/noisy.py": "print('hello from noisy')\n" + board("noisy")}

MODULES = [
    case("syntax-error", BUILD, "boards/syntax.py:2: SyntaxError: '(' was never closed",
         {"boards/syntax.py": "x = 1\ny = (1,\n"}, exists=BUILT),
    case("exception-at-import", BUILD, "boards/raises.py:3: ZeroDivisionError: division by zero",
         {"boards/raises.py": "import os\n\nRATIO = 1 / 0\n"}, exists=BUILT),
    case("prints-with-output-json", (*BUILD, "--output", "json"), ("boards/noisy.py", "hello from noisy"),
         {**NOISY, "boards/raises.py": "1 / 0\n"}, json=True, exists=BUILT),
    case("prints-with-lint-json", (*B, "lint", "--output", "json"), "boards/noisy.py",
         {**NOISY, "boards/dup.py": board("good")}, json=True),
    case("prints-with-publish-json", (*B, "publish", "--env", "local", "--dry-run", "--output", "json"),
         "boards/noisy.py", {**NOISY, **LOCAL}, json=True, code=2),
    case("os-exit-0", BUILD, "boards/exits.py:2: os._exit(0)", {"boards/exits.py": "import os\nos._exit(0)\n"},
         exists=BUILT),
    case("sys-exit-3", BUILD, "boards/sysexit.py:2: sys.exit(3)", {"boards/sysexit.py": "import sys\nsys.exit(3)\n"},
         exists=BUILT),
    case("keyboard-interrupt", BUILD, "boards/ctrlc.py:1: KeyboardInterrupt",
         {"boards/ctrlc.py": "raise KeyboardInterrupt\n"}, exists=BUILT),
    case("os-exit-in-publish", (*B, "publish", "--env", "local"), ("boards/exits.py:2", "nothing was written"),
         {**LOCAL, "boards/exits.py": "import os\nos._exit(0)\n"}),
    case("infinite-recursion", BUILD, ("boards/recurse.py:", "RecursionError"),
         {"boards/recurse.py": "def f():\n    return f()\n\n\nf()\n"}, exists=BUILT),
    case("missing-module", BUILD, "boards/missing.py:1: ModuleNotFoundError: No module named 'nope_missing_mod'",
         {"boards/missing.py": "import nope_missing_mod\n"}, exists=BUILT),
    case("missing-helper", BUILD, "boards/helper.py:1: ModuleNotFoundError: No module named '_shared'",
         {"boards/helper.py": "from _shared import PROM\n"}, exists=BUILT),
    case("input-at-import", BUILD, "boards/ask.py:1: EOFError", {"boards/ask.py": "NAME = input('name? ')\n"},
         exists=BUILT),
    case("duplicate-uid-build", BUILD, "uid 'good' is already used by boards/dup.py:3",
         {"boards/dup.py": board("good")}),
    case("duplicate-uid-lint", (*B, "lint"), "DASH001 error [good] uid 'good' is also used by boards/dup.py:3",
         {"boards/dup.py": board("good")}),
    case("duplicate-uid-publish", (*B, "publish", "--env", "local"), "nothing was written to env local",
         {**LOCAL, "boards/dup.py": board("good")}),
    case("grafanalib-dashboard", BUILD, ("boards/plain.py:", "publisher.sdk"),
         {"boards/plain.py": "from grafanalib.core import Dashboard\nd = Dashboard(title='Plain')\n"}, exists=BUILT),
    case("dict-not-dashboard", BUILD, "boards/dict.py:1: declares no dashboard",
         {"boards/dict.py": "d = {'uid': 'x', 'title': 'a dict'}\n"}, exists=BUILT),
    case("str-as-panel", BUILD, "boards/str.py:4: DashboardError: expected a panel",
         {"boards/str.py": HEAD + "d = Dashboard('S', uid='s', datasource=PROM)\nd.row('R', 'not a panel')\n"}),
    case("uid-not-str", BUILD, "boards/uid.py:3: DashboardError: dashboard 'U': uid 123",
         {"boards/uid.py": HEAD + "d = Dashboard('U', uid=123, datasource=PROM)\n"}),
    case("unit-typo", BUILD, "unknown unit 'reqs'; did you mean 'reqps'",
         {"boards/unit.py": board("unit").replace("unit='short'", "unit='reqs'")}),
    case("angular-panel", BUILD, "use TimeSeries", {"boards/graph.py": HEAD + (
        "from grafanalib.core import Graph\nd = Dashboard('G', uid='g', datasource=PROM)\n"
        "d.row('R', Graph(title='g', dataSource='x', targets=[]))\n")}),
    case("general-folder-in-code", BUILD, "folder 'Team/General': 'General' is Grafana's name",
         {"boards/gen.py": board("gen", folder="Team/General")}),
    case("folder-clashes-with-build", BUILD, "folder 'prometheus' clashes with the build's own output directory",
         {"boards/clash.py": board("clash", folder="prometheus")}),
    case("module-not-utf8", BUILD, "boards/latin.py:1: SyntaxError", {"boards/latin.py": b"TITLE = 'caf\xe9'\n"}),
    case("module-declares-nothing", BUILD, "boards/empty.py:1: declares no dashboard", {"boards/empty.py": ""}),
]

RULES = ("from alerts.model import (AlertmanagerConfig, AlertRule, Alerting, PanelLink, PrometheusConfig, Receiver,\n"
         "                          Route, RuleFile, RuleGroup, ScrapeJob, Webhook)\n"
         "ALERTING = Alerting(\n"
         "    prometheus=PrometheusConfig(scrape_jobs=[ScrapeJob('api', targets=['api:8000'])]),\n"
         "    rule_files=[RuleFile('api.yml', [RuleGroup('api', [AlertRule(\n"
         "        alert='Down', expr='{expr}', summary='Down', description='All down.',\n"
         "        runbook_url='https://runbooks.internal/Down', dashboard=PanelLink('{link}', 'Up'))])])],\n"
         "    alertmanager=AlertmanagerConfig(route=Route('{receiver}'), receivers=[Receiver('hook', [Webhook("
         "'http://hook:9000')])]),\n)\n")


def alerts(expr: str = "sum(up) < 1", link: str = "good", receiver: str = "hook", name: str = "rules.py") -> dict:
    return {"dash.yaml": f"dashboards: boards\nalerts: {name}\n",
            name: RULES.replace("{expr}", expr).replace("{link}", link).replace("{receiver}", receiver)}


ALERTS = [
    case("alerts-file-missing", ("build",), "rules.py: no such alerts file (from `alerts:` in dash.yaml)",
         {"dash.yaml": "dashboards: boards\nalerts: rules.py\n"}),
    case("alerts-no-alerting", ("build",), "rules.py:1: defines no ALERTING = Alerting(...)",
         {**alerts(), "rules.py": "X = 1\n"}),
    case("alerts-raise", ("build",), "rules.py:2: ZeroDivisionError", {**alerts(), "rules.py": "X = 1\nY = 1 / 0\n"}),
    case("alerts-bad-expr", ("build",), "rules.py:5: AlertsError: alert 'Down': expression does not parse",
         alerts(expr="sum(up < 1")),
    case("alerts-unknown-dashboard", ("lint",), "DASH060 error [nosuch / panel 'Up'] alert 'Down' links to dashboard",
         alerts(link="nosuch")),
    case("alerts-unknown-receiver", ("build",), "a route sends to unknown receiver 'nohook' (receivers: hook)",
         alerts(receiver="nohook")),
    case("alerts-py-beside-dash-yaml", ("build",), "alerts.py:1: defines no ALERTING",
         {**alerts(name="alerts.py"), "alerts.py": "X = 1\n"}, module=True),
]


@pytest.mark.parametrize("c", CONFIG + ENVIRONMENT + OUTPUT + MODULES + ALERTS)
def test_bad_input(c: Case, tmp_path: Path) -> None:
    run_case(c, tmp_path)
