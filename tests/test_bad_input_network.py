"""Bad input that meets the network, signals, and secrets: `dash` in a subprocess against local servers.

The servers are the Grafana emulator (one mode: nothing here depends on the version) and small
stand-ins on 127.0.0.1 for what is not Grafana: a closed port, a port that never answers, another
service, a login page. Retries are off (`retries: 0`) so that each failure shows at once.
"""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, quote_plus

import pytest

from .grafana_emulator import Emulator, User
from .test_bad_input import DIFF, GOOD, TOKEN_ENV, Case, board, dash_command, dash_env, env_yaml, run_case, write_files

TOKEN = "glsa_bad_input_admin_0123456789"
VIEWER = "glsa_bad_input_viewer_0123456789"
TOKENS = {TOKEN: User("dash-ci", "Admin", (1,), True), VIEWER: User("watcher", "Viewer", (1,), True)}
USERS = {("deploy", "correct-horse-battery"): User("deploy", "Admin", (1,))}
PUBLISH = ("--dashboards", "boards", "publish", "--env", "test")


def _html(status: int) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # a proxy's login page, or its 404
            body = b"<!doctype html><html><body><form>Sign in</form></body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return
    return Handler


def _other_service(listener: socket.socket, stop: threading.Event) -> None:
    """Not HTTP at all (an SSH server on the port): a banner, then the connection is closed."""
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        with conn:
            conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[dict[str, str]]:
    """URLs of what is not Grafana, on 127.0.0.1."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _html(status)) for status in (200, 404)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    silent = socket.create_server(("127.0.0.1", 0), backlog=8)  # accepts (the kernel does), never answers
    other = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    threading.Thread(target=_other_service, args=(other, stop), daemon=True).start()
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    url = "http://127.0.0.1:{}".format
    yield {"login": url(servers[0].server_port), "html404": url(servers[1].server_port),
           "silent": url(silent.getsockname()[1]), "other": url(other.getsockname()[1]), "closed": url(closed_port)}
    stop.set()
    for server in servers:
        server.shutdown()
        server.server_close()
    silent.close()
    other.close()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    em = Emulator(tokens=dict(TOKENS), users=dict(USERS)).start()
    try:
        yield em
    finally:
        em.stop()


def net(id: str, argv: tuple[str, ...], phrase: str | tuple[str, ...], url: str, *lines: str,
        knob: Callable[[Emulator], None] | None = None, token: str = TOKEN, auth: str = TOKEN_ENV, **kw: Any) -> Any:
    files = {**GOOD, "dash.yaml": env_yaml(auth, "retries: 0", "timeout: 1", *lines, url=url)}
    phrases = (phrase,) if isinstance(phrase, str) else phrase
    return pytest.param(Case(argv, phrases, files, env={"DASH_T": token, **kw.pop("env", {})}, **kw), knob, id=id)


BASIC = "basic_auth: {user: deploy, password: {env: GF_PW}}"
WRONG = "glsa_wrong_token_0123456789abcdef"

NETWORK = [
    net("closed-port", DIFF, "cannot reach Grafana at @closed@/ (env test) for health check", "@closed@"),
    net("closed-port-json", (*DIFF, "--output", "json"), "cannot reach Grafana at @closed@/", "@closed@", json=True),
    net("never-answers", DIFF, ("cannot reach Grafana at @silent@/ (env test)", "timed out"), "@silent@"),
    net("another-service-on-the-port", DIFF, "cannot reach Grafana at @other@/ (env test)", "@other@"),
    net("html-login-page", DIFF, ("@login@/ (env test)", "is this Grafana? check the url"), "@login@"),
    net("html-404", DIFF, "no Grafana answers at @html404@/ (env test): GET api/health is 404", "@html404@"),
    net("wrong-sub-path", DIFF, ("no Grafana answers at @url@/nope/", "check the url, and its sub-path"), "@url@/nope"),
    net("tls-to-a-plain-port", DIFF, ("cannot reach Grafana at https://127.0.0.1:@port@/ (env test)",
                                      "http://"), "https://127.0.0.1:@port@"),  # the fix: it speaks plain http
    net("token-rejected-401", DIFF, "the credentials for env test (token from $DASH_T) were rejected (HTTP 401: "
        "Invalid API key)", "@url@", token=WRONG, absent=(WRONG,)),
    net("password-rejected-401", DIFF, "the credentials for env test (basic auth as deploy, password from $GF_PW) "
        "were rejected (HTTP 401", "@url@", auth=BASIC, env={"GF_PW": "not-the-password"},
        absent=("not-the-password",)),
    net("token-for-another-org-401", DIFF, ("API key does not belong to the requested organization", "org 2"), "@url@",
        "org_id: 2"),
    net("viewer-token-403", PUBLISH, ("HTTP 403: ",
                                      "good: skipped: its folder 'dash-team' could not be written"), "@url@",
        token=VIEWER),
    net("permanent-500-json", (*PUBLISH, "--output", "json"), ("dashboard 'good': HTTP 500", "disk on fire"),
        "@url@", knob=lambda em: em.set_faults(permanent={"good": (500, {"message": "disk on fire"})}), json=True),
    net("proxy-502-every-time", DIFF, "upstream error from the proxy in front of Grafana", "@url@",
        knob=lambda em: em.set_faults(error_rate=1.0)),
    net("rate-limited-429", DIFF, "HTTP 429: Too Many Requests", "@url@",
        knob=lambda em: em.set_faults(rate_limit_rate=1.0, retry_after="1")),
    net("connection-reset", DIFF, "cannot reach Grafana at @url@/ (env test)", "@url@",
        knob=lambda em: em.set_faults(reset_rate=1.0)),
]


@pytest.mark.parametrize("c,knob", NETWORK)
def test_bad_network(c: Case, knob: Callable[[Emulator], None] | None, tmp_path: Path, stand_ins, emulator) -> None:
    if knob is not None:
        knob(emulator)
    run_case(c, tmp_path, {**stand_ins, "url": emulator.url, "port": str(emulator.port)})


# --- signals: SIGINT / SIGTERM while dash works -----------------------------------------------------------

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
MANY = {f"boards/b{i:02d}.py": board(f"b{i:02d}") for i in range(12)}


def _start(tmp_path: Path, emulator: Emulator, argv: tuple[str, ...]) -> tuple[subprocess.Popen, list[str], list[str]]:
    """`dash ARGV` running against `emulator` (slowed), with both streams read line by line into lists."""
    emulator.set_faults(latency=0.05)
    write_files(tmp_path, {**MANY, "dash.yaml": env_yaml(TOKEN_ENV, "concurrency: {reads: 2, writes: 1}",
                                                         url=emulator.url)}, {})
    proc = subprocess.Popen(dash_command(argv), cwd=tmp_path, env=dash_env({"DASH_T": TOKEN}),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: list[str] = []
    err: list[str] = []
    proc.readers = [threading.Thread(target=lambda s=stream, x=lines: x.extend(iter(s.readline, "")), daemon=True)
                    for stream, lines in ((proc.stdout, out), (proc.stderr, err))]
    for reader in proc.readers:
        reader.start()
    return proc, out, err


def _wait(what: Callable[[], bool], proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not what() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert what(), f"never happened before dash ended (exit {proc.poll()})"


def _stopped(proc: subprocess.Popen, out: list[str], err: list[str]) -> str:
    proc.wait(timeout=30)
    for reader in proc.readers:  # both pipes read to their end
        reader.join(timeout=10)
    text = "".join(out) + "".join(err)
    shown = f"(exit {proc.returncode})\n--- stdout\n{''.join(out)}--- stderr\n{''.join(err)}"
    assert proc.returncode > 0, "dash must exit non-zero by itself, not die of the signal " + shown
    assert "Traceback" not in text and "internal error" not in text, shown
    assert "interrupted" in text.lower(), shown
    return shown


@SIGNALS
def test_a_signal_mid_publish_stops_cleanly_and_prints_what_was_done(signum, tmp_path, emulator):
    proc, out, err = _start(tmp_path, emulator, PUBLISH)
    # Progress comes on stderr as objects complete; the results on stdout once, in plan order, at the end.
    _wait(lambda: any("] ok " in line for line in err), proc)
    proc.send_signal(signum)
    shown = _stopped(proc, out, err)
    printed = {line.split()[3] for line in out if line.startswith("ok ") and len(line.split()) > 3}
    with emulator.grafana.lock:
        org = emulator.grafana.org(1)
        written = set(org.dashboards) | set(org.folders)
    assert printed == written, f"printed as done: {sorted(printed)}; in Grafana: {sorted(written)}\n{shown}"
    assert len(set(org.dashboards)) < len(MANY), "the publish was not stopped mid-run\n" + shown


@SIGNALS
def test_a_signal_during_the_plan_stops_cleanly_with_nothing_written(signum, tmp_path, emulator):
    proc, out, err = _start(tmp_path, emulator, DIFF)
    _wait(lambda: emulator.count() > 0, proc)
    proc.send_signal(signum)
    shown = _stopped(proc, out, err)
    assert "nothing was written" in shown and emulator.writes() == 0, shown


# --- secrets: no form of any secret in any output stream or written file --------------------------------

S_TOKEN = 'glsa_Tk/9+x="q\\w&zEnd01'  # characters that differ in each encoding: / + = " \ &
S_FILE_TOKEN = 'glsa_F1le/t+k"n\\x=42'
S_USER, S_PASSWORD = "deploy", 'pa:ss/w"rd+\\1&x'
S_LOKI, S_LOKI_ROTATED = 'loki/Pw"+x\\1=a', 'loki/Rot"+8\\2=b'
LOKI = ["datasources:", "  loki:", "    url: http://loki:3100",
        "    basic_auth: {user: grafana, password: {env: S_LOKI}}"]


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def forms(value: str) -> dict[str, str]:
    """Each form a secret can take in text: as it is, base64, URL-encoded and JSON-escaped."""
    found = {"raw": value, "base64": _b64(value), "base64url": base64.urlsafe_b64encode(value.encode()).decode(),
             "url-encoded": quote(value, safe=""), "url-encoded (form)": quote_plus(value),
             "JSON-escaped": json.dumps(value)[1:-1]}
    return {name: form.rstrip("=") for name, form in found.items()}


SECRETS = {"token": S_TOKEN, "file token": S_FILE_TOKEN, "password": S_PASSWORD, "datasource password": S_LOKI,
           "rotated datasource password": S_LOKI_ROTATED}
LEAKS = {f"{name}, {kind}": form for name, value in SECRETS.items() for kind, form in forms(value).items()}
LEAKS["base64 of user:password"] = _b64(f"{S_USER}:{S_PASSWORD}").rstrip("=")


def _echo(header: str, secret: str) -> dict[str, str]:
    """An error body that echoes the request's Authorization header, and the secret in its other forms.

    The emulator has no knob that echoes the header it received; a permanent failure whose body is
    built from the header dash must have sent stands in for it (the client sees the same answer)."""
    return {"message": f"upstream said: Authorization: {header}; " + "; ".join(forms(secret).values())}


def _secret_runs(tmp: Path, em: Emulator) -> list[tuple[str, subprocess.CompletedProcess]]:
    env = dash_env({"S_TOKEN": S_TOKEN, "S_PW": S_PASSWORD, "S_LOKI": S_LOKI, "HOME": str(tmp / "home"),
                    "TMPDIR": str(tmp / "tmpdir")})

    def run(*argv: str, expect: int = 0, **more: str) -> tuple[str, subprocess.CompletedProcess]:
        proc = subprocess.run(dash_command(("--dashboards", "boards", *argv)), cwd=tmp, env={**env, **more},
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert proc.returncode == expect, f"dash {' '.join(argv)}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
        return " ".join(argv), proc

    runs = [run("publish", "--env", "tok"), run("publish", "--env", "basic"), run("diff", "--env", "tok"),
            run("diff", "--env", "basic", "--output", "json"),
            run("diff", "--env", "tok", "--verbose", expect=2, S_LOKI=S_LOKI_ROTATED),
            run("build", "--env", "tok", "--out", "out"), run("envs"), run("envs", "--probe"),
            run("envs", "--probe", "--output", "json")]
    (tmp / "boards/fail.py").write_text(board("fail-me"))
    em.set_faults(permanent={"fail-me": (500, _echo(f"Bearer {S_TOKEN}", S_TOKEN))})
    runs += [run("publish", "--env", "tok", expect=1), run("publish", "--env", "tok", "--output", "json", expect=1)]
    em.set_faults(permanent={"fail-me": (500, _echo("Basic " + _b64(f"{S_USER}:{S_PASSWORD}"), S_PASSWORD))})
    runs += [run("publish", "--env", "basic", expect=1), run("publish", "--env", "basic", "--output", "json", expect=1)]
    return runs


def test_no_form_of_a_secret_reaches_any_output_or_file(tmp_path: Path) -> None:
    em = Emulator(tokens={S_TOKEN: User("dash-ci", "Admin", (1,), True), S_FILE_TOKEN: User("ci-2", "Admin", (1,))},
                  users={(S_USER, S_PASSWORD): User(S_USER, "Admin", (1,))}).start()
    try:
        common = ("retries: 0", *LOKI)
        yaml = (env_yaml("token: {env: S_TOKEN}", *common, url=em.url, name="tok")
                + env_yaml(f"basic_auth: {{user: {S_USER}, password: {{env: S_PW}}}}", *common, url=em.url,
                           name="basic").split("\n", 1)[1]
                + env_yaml("token: {file: secret-token}", "retries: 0", url=em.url, name="file").split("\n", 1)[1])
        write_files(tmp_path, {**GOOD, "boards/_shared.py": "from publisher.sdk import Datasource\n"
                               "LOKI = Datasource('Loki', 'loki', 'loki')\n", "boards/logs.py": board("logs") +
                               "from _shared import LOKI  # noqa\n", "dash.yaml": yaml, "secret-token": S_FILE_TOKEN,
                               "home/.keep": "", "tmpdir/.keep": ""}, {})
        runs = _secret_runs(tmp_path, em)
        assert "loki" in em.grafana.org(1).datasources  # the datasource and its password did go out
    finally:
        em.stop()
    failing = [proc.stdout + proc.stderr for argv, proc in runs if proc.returncode == 1]
    assert all("upstream said: Authorization: " in text for text in failing), "the echoing body never reached dash"
    streams = {f"run {i} `dash {argv}` ({name})": text for i, (argv, proc) in enumerate(runs, 1)
               for name, text in (("stdout", proc.stdout), ("stderr", proc.stderr))}
    files = {str(p.relative_to(tmp_path)): p.read_bytes().decode("utf-8", "replace")
             for p in tmp_path.rglob("*") if p.is_file() and p.name != "secret-token"}
    leaks = [f"{what} in {where}" for where, text in {**streams, **files}.items()
             for what, form in LEAKS.items() if form in text]
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
