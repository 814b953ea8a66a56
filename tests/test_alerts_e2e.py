"""End to end with the real daemons: a /metrics app -> Prometheus -> Alertmanager -> a webhook.

The guide's files are generated from alerts/guide.py, with what a test needs
changed through the model: 1 s intervals, `for: 0s`, the api job pointed at a
tiny app that makes HighApiErrorRate true, and every receiver's integrations
replaced by a webhook to this test. Timings and traps are those of
shared/prometheus/notes.md: no gossip (`--cluster.listen-address=`), a 1 s
resend delay, Prometheus' fixed 5 s discovery tick. Processes are started and
stopped by pid, and die with the test process (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs

from alerts.build import render_files
from alerts.model import Alerting, AlertRule, Receiver, Webhook
from publisher.output import write_atomic, yaml_text

from .test_alerts import guide_panels, guide_project, needs_tools, rendered_dashboards

DEADLINE = 60.0  # seconds; the notes measured 6.6-7.7 s to the webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def metrics_app() -> _Server:
    """http_requests_total at +100/s for 200 and +10/s for 500: a 9.1% error rate."""
    started = time.monotonic()

    class Metrics(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            elapsed = time.monotonic() - started
            body = (
                "# TYPE http_requests_total counter\n"
                f'http_requests_total{{method="GET",endpoint="/api/items",status="200"}} {100 * elapsed:.3f}\n'
                f'http_requests_total{{method="GET",endpoint="/api/items",status="500"}} {10 * elapsed:.3f}\n'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return _Server(Metrics)


def webhook() -> tuple[_Server, list[dict]]:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return _Server(Hook), received


def e2e_alerting(guide: Alerting, app: str, alertmanager: str, hook: str) -> Alerting:
    """The guide's alerting, made fast and pointed at this test."""
    prometheus = attrs.evolve(
        guide.prometheus,
        scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s", alertmanagers=(alertmanager,),
        scrape_jobs=[attrs.evolve(guide.prometheus.job("api"), targets=(app,))],
    )
    rule_files = [
        attrs.evolve(f, groups=[attrs.evolve(g, rules=[attrs.evolve(r, for_="0s") if isinstance(r, AlertRule) else r
                                        for r in g.rules]) for g in f.groups])
        for f in guide.rule_files
    ]
    am = guide.alertmanager
    route = attrs.evolve(am.route, group_wait="0s", group_interval="1s")
    receivers = [Receiver(r.name, [Webhook(hook + f"/{r.name}")]) for r in am.receivers]
    return attrs.evolve(guide, prometheus=prometheus, rule_files=rule_files,
                        alertmanager=attrs.evolve(am, route=route, receivers=receivers))


def write_files(alerting: Alerting, panels, out: Path) -> None:
    for rel, (header, data) in sorted(render_files(alerting, panels).items()):
        write_atomic(out / rel, yaml_text(data, header).encode())


def start(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_high_api_error_rate_reaches_the_webhook(tmp_path):
    needs_tools()
    alertmanager_bin = "prometheus-alertmanager" if shutil.which("prometheus-alertmanager") else "alertmanager"
    app = metrics_app()
    hook, received = webhook()
    am_port, prom_port = free_port(), free_port()
    project = guide_project()
    alerting = e2e_alerting(project.alerting, app.url.removeprefix("http://"), f"127.0.0.1:{am_port}", hook.url)
    write_files(alerting, guide_panels(rendered_dashboards(project), "http://grafana.test"), tmp_path)
    procs = []
    started = time.monotonic()
    try:
        procs.append(start([
            alertmanager_bin, f"--config.file={tmp_path}/alertmanager/alertmanager.yml",
            f"--storage.path={tmp_path}/am-data", f"--web.listen-address=127.0.0.1:{am_port}",
            f"--web.external-url=http://127.0.0.1:{am_port}", "--cluster.listen-address=",
        ], tmp_path / "alertmanager.log"))
        procs.append(start([
            "prometheus", f"--config.file={tmp_path}/prometheus/prometheus.yml",
            f"--storage.tsdb.path={tmp_path}/prom-data", f"--web.listen-address=127.0.0.1:{prom_port}",
            f"--web.external-url=http://127.0.0.1:{prom_port}", "--rules.alert.resend-delay=1s",
        ], tmp_path / "prometheus.log"))
        alert = None
        while time.monotonic() - started < DEADLINE and alert is None:
            for proc, name in zip(procs, ("alertmanager", "prometheus")):
                assert proc.poll() is None, f"{name} exited:\n" + (tmp_path / f"{name}.log").read_text()[-2000:]
            for payload in list(received):
                for item in payload.get("alerts", []):
                    if item["labels"].get("alertname") == "HighApiErrorRate" and item["status"] == "firing":
                        alert = (payload, item)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        for proc in reversed(procs):
            stop(proc)
        app.stop()
        hook.stop()
    assert alert is not None, "no HighApiErrorRate within 60 s; prometheus log:\n" + (
        tmp_path / "prometheus.log").read_text()[-3000:]
    payload, item = alert
    assert payload["receiver"] == "slack-critical"  # the guide's route for severity=critical
    assert item["labels"] == {"alertname": "HighApiErrorRate", "severity": "critical"}
    assert item["annotations"]["summary"] == "High API error rate (> 5%)"
    assert item["annotations"]["description"].startswith("API error rate is 9.")  # 10 of 110 requests
    assert item["annotations"]["dashboard"] == "http://grafana.test/d/api-performance?viewPanel=panel-3"
    print(f"\nHighApiErrorRate reached the webhook {elapsed:.1f} s after the daemons started")
    assert elapsed < DEADLINE


def _post_alerts(am_url: str, alerts: list[dict]) -> None:
    import urllib.request

    request = urllib.request.Request(f"{am_url}/api/v2/alerts", data=json.dumps(alerts).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def _am_alerts(am_url: str) -> list[dict]:
    import urllib.request

    with urllib.request.urlopen(f"{am_url}/api/v2/alerts", timeout=5) as response:
        return json.loads(response.read())


def _wait(predicate, proc: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert proc.poll() is None, "alertmanager exited:\n" + log.read_text()[-2000:]
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} within {DEADLINE:.0f} s; alertmanager log:\n" + log.read_text()[-2000:])


def _delivered(received: list[dict], alertname: str, severity: str, status: str = "firing") -> list[str]:
    """The receivers that got `alertname` at `severity` with `status`."""
    return [p["receiver"] for p in list(received) for a in p.get("alerts", [])
            if a["labels"].get("alertname") == alertname and a["labels"].get("severity") == severity
            and a["status"] == status]


def test_a_critical_alert_inhibits_the_matching_warning(tmp_path):
    """The guide's inhibit rule (source severity=critical, target severity=warning, equal alertname), against the
    real Alertmanager: alerts posted to /api/v2/alerts (no Prometheus), group_wait 0s, no gossip."""
    needs_tools()
    alertmanager_bin = "prometheus-alertmanager" if shutil.which("prometheus-alertmanager") else "alertmanager"
    hook, received = webhook()
    port = free_port()
    am_url = f"http://127.0.0.1:{port}"
    project = guide_project()
    alerting = e2e_alerting(project.alerting, "127.0.0.1:1", f"127.0.0.1:{port}", hook.url)
    write_files(alerting, guide_panels(rendered_dashboards(project), "http://grafana.test"), tmp_path)
    import yaml

    config = yaml.safe_load((tmp_path / "alertmanager/alertmanager.yml").read_text())
    assert config["inhibit_rules"] == [{"source_matchers": ['severity="critical"'],
                                        "target_matchers": ['severity="warning"'], "equal": ["alertname"]}]
    log = tmp_path / "alertmanager.log"
    started = time.monotonic()
    proc = start([
        alertmanager_bin, f"--config.file={tmp_path}/alertmanager/alertmanager.yml",
        f"--storage.path={tmp_path}/am-data", f"--web.listen-address=127.0.0.1:{port}",
        f"--web.external-url={am_url}", "--cluster.listen-address=",
    ], log)
    try:
        _wait(lambda: _ready(am_url), proc, log, "Alertmanager ready")
        labels = {"alertname": "DiskFilling", "job": "node"}
        critical = {"labels": {**labels, "severity": "critical"}, "annotations": {"summary": "critical"}}
        warning = {"labels": {**labels, "severity": "warning"}, "annotations": {"summary": "warning"}}
        _post_alerts(am_url, [critical])
        _wait(lambda: _delivered(received, "DiskFilling", "critical"), proc, log, "the critical alert delivered")
        _post_alerts(am_url, [warning])
        # Alertmanager marks the warning suppressed, inhibited by the critical, when its group is flushed.
        state = _wait(lambda: next((a["status"] for a in _am_alerts(am_url)
                                    if a["labels"].get("severity") == "warning"
                                    and a["status"]["state"] == "suppressed"), None), proc, log, "warning suppressed")
        assert state["inhibitedBy"], state
        time.sleep(2.5)  # two more group_interval flushes (1 s): still nothing for the warning
        assert _delivered(received, "DiskFilling", "warning") == []
        assert set(_delivered(received, "DiskFilling", "critical")) == {"slack-critical"}

        # Another alertname has no critical to inhibit it (equal: [alertname]): delivered on the warning route.
        _post_alerts(am_url, [{"labels": {"alertname": "QueueSlow", "job": "api", "severity": "warning"}}])
        assert _wait(lambda: _delivered(received, "QueueSlow", "warning"), proc, log,
                     "the uninhibited warning delivered") == ["slack-notifications"]

        # The critical resolves: the inhibition ends, and the warning is delivered.
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        _post_alerts(am_url, [{**critical, "endsAt": now}, warning])
        assert "slack-notifications" in _wait(lambda: _delivered(received, "DiskFilling", "warning"), proc, log,
                                              "the warning delivered once the critical resolved")
        elapsed = time.monotonic() - started
    finally:
        stop(proc)
        hook.stop()
    print(f"\ninhibition checked in {elapsed:.1f} s after Alertmanager started")


def _ready(am_url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{am_url}/-/ready", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False
