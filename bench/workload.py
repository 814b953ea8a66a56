"""N realistic dashboards, written twice: as dash SDK modules and as grafanalib `.dashboard.py` files.

Each dashboard is one service's: 12 panels in 3 rows (request rate, error
ratio, P95 and P99 latency, in-flight requests, CPU, memory, a saturation
gauge, queue depth, a status breakdown, database time and cache hit ratio).
The grafanalib version is what a grafanalib user writes for the same
dashboard: the same panels, queries and units, with hand-made GridPos.
"""

from __future__ import annotations

from pathlib import Path

SHARED = '''from publisher.sdk import Datasource

PROM = Datasource("Prometheus", "prometheus", "prometheus")
'''

SDK = '''from _shared import PROM

from publisher.sdk import Dashboard, Query, gauge, high_is_bad, quantile, rate, ratio, stat, timeseries, units

SERVICE = "svc{i}"
d = Dashboard("Service {i:04d}", uid="svc-{i:04d}", folder="Team {team}", tags=["bench", "team-{team}"],
              datasource=PROM, description="Service {i} at a glance.")
d.row("Traffic",
    rate("Request rate", 'http_requests_total{{service="svc{i}"}}', by="endpoint"),
    ratio("Error ratio", 'http_requests_total{{service="svc{i}", status=~"5.."}}', 'http_requests_total{{service="svc{i}"}}'),
    quantile("P95 latency", 'http_request_duration_seconds{{service="svc{i}"}}', 0.95, by="endpoint"),
    quantile("P99 latency", 'http_request_duration_seconds{{service="svc{i}"}}', 0.99),
)
d.row("Resources",
    stat("In-flight requests", 'sum(http_requests_in_flight{{service="svc{i}"}})', unit=units.SHORT, description="Requests being served."),
    timeseries("CPU", Query('sum(rate(process_cpu_seconds_total{{service="svc{i}"}}[5m]))', legend="cpu"), unit=units.PERCENT_UNIT, description="CPU seconds per second."),
    timeseries("Memory", Query('sum(process_resident_memory_bytes{{service="svc{i}"}})', legend="rss"), unit=units.BYTES, description="Resident memory."),
    gauge("Saturation", 'max(svc_saturation_ratio{{service="svc{i}"}}) * 100', thresholds=high_is_bad(70, 90), description="Worker pool use."),
)
d.row("Dependencies",
    timeseries("Queue depth", Query('sum(queue_depth{{service="svc{i}"}})', legend="depth"), unit=units.SHORT, description="Messages waiting."),
    timeseries("Status codes", Query('sum by (status) (rate(http_requests_total{{service="svc{i}"}}[5m]))', legend="{{{{status}}}}"), unit=units.REQUESTS_PER_SECOND, description="Requests by status."),
    quantile("Database time", 'db_query_duration_seconds{{service="svc{i}"}}', 0.95, by="query_type"),
    ratio("Cache hit ratio", 'cache_hits_total{{service="svc{i}"}}', 'cache_requests_total{{service="svc{i}"}}'),
)
'''  # noqa: E501 (the generated module is what a user writes)

GRAFANALIB = '''import grafanalib.core as G

DS = {{"type": "prometheus", "uid": "prometheus"}}


def ts(title, expr, unit, legend, x, y, w=6, h=8, desc=""):
    return G.TimeSeries(title=title, description=desc, dataSource=DS, unit=unit, gridPos=G.GridPos(h=h, w=w, x=x, y=y),
                        targets=[G.Target(expr=expr, legendFormat=legend, refId="A", datasource=DS)])


dashboard = G.Dashboard(
    title="Service {i:04d}", uid="svc-{i:04d}", tags=["bench", "team-{team}"], description="Service {i} at a glance.",
    templating=G.Templating(list=[G.Template(name="datasource", query="prometheus", type="datasource", default="prometheus")]),
    panels=[
        G.RowPanel(title="Traffic", gridPos=G.GridPos(h=1, w=24, x=0, y=0)),
        ts("Request rate", 'sum(rate(http_requests_total{{service="svc{i}"}}[5m])) by (endpoint)', "reqps", "{{{{endpoint}}}}", 0, 1),
        ts("Error ratio", 'sum(rate(http_requests_total{{service="svc{i}", status=~"5.."}}[5m])) / sum(rate(http_requests_total{{service="svc{i}"}}[5m]))', "percentunit", "Error ratio", 6, 1),
        ts("P95 latency", 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{{service="svc{i}"}}[5m])) by (le, endpoint))', "s", "{{{{endpoint}}}}", 12, 1),
        ts("P99 latency", 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{{service="svc{i}"}}[5m])) by (le))', "s", "p99", 18, 1),
        G.RowPanel(title="Resources", gridPos=G.GridPos(h=1, w=24, x=0, y=9)),
        G.Stat(title="In-flight requests", description="Requests being served.", dataSource=DS, format="short", gridPos=G.GridPos(h=8, w=6, x=0, y=10),
               targets=[G.Target(expr='sum(http_requests_in_flight{{service="svc{i}"}})', refId="A", datasource=DS)]),
        ts("CPU", 'sum(rate(process_cpu_seconds_total{{service="svc{i}"}}[5m]))', "percentunit", "cpu", 6, 10, desc="CPU seconds per second."),
        ts("Memory", 'sum(process_resident_memory_bytes{{service="svc{i}"}})', "bytes", "rss", 12, 10, desc="Resident memory."),
        G.GaugePanel(title="Saturation", description="Worker pool use.", dataSource=DS, format="percent", gridPos=G.GridPos(h=8, w=6, x=18, y=10),
                     thresholds=[G.Threshold("green", 0, 0.0), G.Threshold("orange", 1, 70.0), G.Threshold("red", 2, 90.0)],
                     targets=[G.Target(expr='max(svc_saturation_ratio{{service="svc{i}"}}) * 100', refId="A", datasource=DS)]),
        G.RowPanel(title="Dependencies", gridPos=G.GridPos(h=1, w=24, x=0, y=18)),
        ts("Queue depth", 'sum(queue_depth{{service="svc{i}"}})', "short", "depth", 0, 19, desc="Messages waiting."),
        ts("Status codes", 'sum by (status) (rate(http_requests_total{{service="svc{i}"}}[5m]))', "reqps", "{{{{status}}}}", 6, 19, desc="Requests by status."),
        ts("Database time", 'histogram_quantile(0.95, sum(rate(db_query_duration_seconds_bucket{{service="svc{i}"}}[5m])) by (le, query_type))', "s", "{{{{query_type}}}}", 12, 19),
        ts("Cache hit ratio", 'sum(rate(cache_hits_total{{service="svc{i}"}}[5m])) / sum(rate(cache_requests_total{{service="svc{i}"}}[5m]))', "percentunit", "Cache hit ratio", 18, 19),
    ],
).auto_panel_ids()
'''  # noqa: E501 (the generated file is what a grafanalib user writes)

TEAMS = 10


def write(n: int, root: Path) -> tuple[Path, Path]:
    """Write n dashboards as SDK modules (root/sdk) and grafanalib files (root/grafanalib)."""
    sdk, gl = root / "sdk", root / "grafanalib"
    sdk.mkdir(parents=True, exist_ok=True)
    gl.mkdir(parents=True, exist_ok=True)
    (sdk / "_shared.py").write_text(SHARED)
    for i in range(n):
        team = i % TEAMS
        (sdk / f"svc_{i:04d}.py").write_text(SDK.format(i=i, team=team))
        (gl / f"svc_{i:04d}.dashboard.py").write_text(GRAFANALIB.format(i=i, team=team))
    return sdk, gl
