"""The guide's SLO alerts end to end, with the real daemons: a /metrics app -> Prometheus -> Alertmanager ->
a webhook, through test_alerts_e2e's helpers (the guide's alerting made fast: 1 s intervals, `for: 0s`).

On a fresh Prometheus every window fills at once (rate() uses the samples there are), so a steady error
ratio gives the same burn rate over 5m as over 3d within seconds:

- 2% of requests fail (burn rate 20 against a 0.1% budget) and 20% are slower than 1 s (20 against 1%):
  both SLOs page. The app writes `le="1.0"`, as Python's client (and Prometheus 3) do.
- 0.5% fail (burn rate 5): the availability tickets (3x over 1d, 1x over 3d) arrive, and no page (14.4x,
  6x): Prometheus evaluates the pages and the tickets on the same samples, so a page would come with them.
"""

from __future__ import annotations

import shutil
import time
from http.server import BaseHTTPRequestHandler

import pytest

from .test_alerts import REQUIRE_TOOLS, guide_panels, guide_project, needs_tools, rendered_dashboards
from .test_alerts_e2e import _Server, e2e_alerting, free_port, start, stop, webhook, write_files

DEADLINE = 30.0  # seconds per run; the notes measured 6.6-7.7 s from start to the webhook
SETTLE = 3.0  # seconds to wait after the tickets for a page that must not come


def _alertmanager_bin() -> str:
    needs_tools()
    found = [b for b in ("prometheus-alertmanager", "alertmanager") if shutil.which(b)]
    missing = [name for name, ok in (("prometheus", shutil.which("prometheus")), ("alertmanager", found)) if not ok]
    if missing:
        if REQUIRE_TOOLS:
            pytest.fail(f"{', '.join(missing)} missing but DASH_REQUIRE_TOOLS=1: .ci/run must install them")
        pytest.skip(f"{', '.join(missing)} not installed")
    return found[0]


def slo_app(error_share: float, slow_share: float) -> _Server:
    """100 requests/s, `error_share` of them 5xx and `slow_share` slower than 1 s (buckets le="1.0" and +Inf)."""
    started = time.monotonic()

    class Metrics(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            total = 100 * (time.monotonic() - started)
            body = (
                "# TYPE http_requests_total counter\n"
                f'http_requests_total{{status="200"}} {total * (1 - error_share):.3f}\n'
                f'http_requests_total{{status="500"}} {total * error_share:.3f}\n'
                "# TYPE http_request_duration_seconds histogram\n"
                f'http_request_duration_seconds_bucket{{le="1.0"}} {total * (1 - slow_share):.3f}\n'
                f'http_request_duration_seconds_bucket{{le="+Inf"}} {total:.3f}\n'
                f"http_request_duration_seconds_count {total:.3f}\n"
                f"http_request_duration_seconds_sum {total * 0.2:.3f}\n"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return _Server(Metrics)


def _firing(received: list[dict]) -> dict[str, tuple[str, dict]]:
    """alertname -> (receiver, alert) of every firing alert the webhook got."""
    return {a["labels"]["alertname"]: (p["receiver"], a)
            for p in list(received) for a in p.get("alerts", []) if a["status"] == "firing"}


def _run(tmp_path, error_share: float, slow_share: float, wanted: set[str], settle: float = 0.0):
    """Start the daemons on the app, wait until every alert in `wanted` reached the webhook (then `settle`
    seconds more), and return what arrived and when."""
    alertmanager_bin = _alertmanager_bin()
    app = slo_app(error_share, slow_share)
    hook, received = webhook()
    am_port, prom_port = free_port(), free_port()
    project = guide_project()
    alerting = e2e_alerting(project.alerting, app.url.removeprefix("http://"), f"127.0.0.1:{am_port}", hook.url)
    write_files(alerting, guide_panels(rendered_dashboards(project), "http://grafana.test"), tmp_path)
    procs = []
    started = time.monotonic()
    arrived = None
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
        while time.monotonic() - started < DEADLINE:
            for proc, name in zip(procs, ("alertmanager", "prometheus")):
                assert proc.poll() is None, f"{name} exited:\n" + (tmp_path / f"{name}.log").read_text()[-2000:]
            if arrived is None and wanted <= set(_firing(received)):
                arrived = time.monotonic() - started
            if arrived is not None and time.monotonic() - started >= arrived + settle:
                break
            time.sleep(0.1)
    finally:
        for proc in reversed(procs):
            stop(proc)
        app.stop()
        hook.stop()
    firing = _firing(received)
    assert arrived is not None, (f"only {sorted(firing)} of {sorted(wanted)} within {DEADLINE:.0f} s; prometheus "
                                 "log:\n" + (tmp_path / "prometheus.log").read_text()[-3000:])
    return firing, arrived


def test_a_2_percent_error_ratio_pages(tmp_path):
    firing, arrived = _run(tmp_path, 0.02, 0.2, {"ApiAvailabilityBurnRate1h", "ApiLatencyBurnRate1h"})
    receiver, alert = firing["ApiAvailabilityBurnRate1h"]
    assert receiver == "slack-critical"
    assert alert["labels"] == {"alertname": "ApiAvailabilityBurnRate1h", "slo": "api-availability", "service": "api",
                               "severity": "critical"}
    assert "burns its error budget 20.0x as fast as it can sustain over the last 1h" in \
        alert["annotations"]["description"]
    assert alert["annotations"]["dashboard"].startswith("http://grafana.test/d/slo-api?viewPanel=panel-")
    assert alert["annotations"]["runbook_url"].endswith("/alerts/runbooks/ErrorBudgetBurn.md")
    receiver, alert = firing["ApiLatencyBurnRate1h"]  # from le="1.0": the regex matched it
    assert receiver == "slack-critical" and "20.0x" in alert["annotations"]["description"]
    print(f"\nthe pages reached the webhook {arrived:.1f} s after the daemons started")


def test_a_half_percent_error_ratio_opens_tickets_and_pages_nobody(tmp_path):
    firing, arrived = _run(tmp_path, 0.005, 0.0, {"ApiAvailabilityBurnRate1d", "ApiAvailabilityBurnRate3d"},
                           settle=SETTLE)
    assert {name: receiver for name, (receiver, _) in firing.items()} == {
        "ApiAvailabilityBurnRate1d": "slack-notifications", "ApiAvailabilityBurnRate3d": "slack-notifications"}
    _, alert = firing["ApiAvailabilityBurnRate1d"]
    assert alert["labels"]["severity"] == "warning"
    assert "burns its error budget 5.0x" in alert["annotations"]["description"]
    print(f"\nthe tickets reached the webhook {arrived:.1f} s after the daemons started; no page {SETTLE:.0f} s later")
