"""API performance: traffic, errors and latency of the FastAPI backend, its
database queries, the browser's web vitals, and its error logs.

The four panels of the guide's "API Performance Dashboard" come first, with
its PromQL; the rest shows the other metrics the guide's code exports:
`http_request_duration_seconds` as a heatmap, `http_requests_total` by
status, `database_query_duration_seconds` by query type and the
`web_vitals_*` gauges.
"""

from _shared import API_UID, LOKI, PROMETHEUS, links_from

from publisher.sdk import (
    Dashboard,
    Query,
    breakdown,
    high_is_bad,
    histogram_heatmap,
    label_values,
    logs,
    quantile,
    rate,
    ratio,
    stat,
    units,
)

ENDPOINT = 'endpoint=~"$endpoint"'

api = Dashboard(
    "API performance",
    uid=API_UID,
    folder="Platform",
    tags=["api", "fastapi"],
    description="Request rate, errors and latency of the API, its database queries and the frontend's web vitals.",
    datasource=PROMETHEUS,
    variables=[label_values("endpoint", "http_requests_total", title="Endpoint")],
    links=links_from(API_UID),
    time=("now-3h", "now"),
    refresh="30s",
)

api.row(
    "API performance overview",
    rate("Request rate", f"http_requests_total{{{ENDPOINT}}}", by="endpoint"),
    ratio(
        "Error rate",
        f'http_requests_total{{status=~"5..", {ENDPOINT}}}',
        f"http_requests_total{{{ENDPOINT}}}",
        thresholds=high_is_bad(0.01, 0.05),
        description="Share of requests answered with a 5xx status over 5 minutes. "
        "HighApiErrorRate fires above 5% for 2 minutes.",
    ),
    quantile(
        "P95 latency",
        f"http_request_duration_seconds{{{ENDPOINT}}}",
        0.95,
        by="endpoint",
        thresholds=high_is_bad(0.5, 1),
        description="95th percentile of request duration per endpoint over 5 minutes. "
        "ApiHighLatency fires when the overall P95 stays above 1 s for 5 minutes.",
    ),
    stat(
        "Active sessions",
        "sum(sessions_active)",
        unit=units.SHORT,
        description="Sessions currently open in the session store (the sessions_active gauge).",
    ),
)

api.row(
    "Latency and status codes",
    histogram_heatmap(
        "Request duration",
        "http_request_duration_seconds",
        weight=2,
        description="How request durations spread over the histogram's buckets; darker cells hold more requests.",
    ),
    breakdown(
        "Status codes",
        Query(f"sum by (status) (rate(http_requests_total{{{ENDPOINT}}}[5m]))", legend="{{status}}"),
        unit=units.REQUESTS_PER_SECOND,
        description="Requests per second by HTTP status code over the last 5 minutes.",
    ),
)

api.row(
    "Database",
    quantile(
        "Query duration (P95) by type",
        "database_query_duration_seconds",
        0.95,
        by="query_type",
        description="95th percentile of SQL statement time by statement type "
        "(select, insert, update, delete, other), from the SQLAlchemy listeners.",
    ),
    rate(
        "Queries per second by type",
        "database_query_duration_seconds_count",
        by="query_type",
        unit=units.OPS_PER_SECOND,
        description="SQL statements executed per second, by statement type.",
    ),
)

api.row(
    "Web vitals",
    stat(
        "Cumulative Layout Shift (CLS)",
        "max(web_vitals_cls)",
        unit=units.NONE,
        decimals=3,
        thresholds=high_is_bad(0.1, 0.25),
        description="Last reported CLS: how much the page layout moves while it loads. "
        "Good below 0.1, poor above 0.25.",
    ),
    stat(
        "First Input Delay (FID)",
        "max(web_vitals_fid)",
        unit=units.MILLISECONDS,
        thresholds=high_is_bad(100, 300),
        description="Last reported FID: delay before the page reacts to the first input. "
        "Good below 100 ms, poor above 300 ms.",
    ),
    stat(
        "Largest Contentful Paint (LCP)",
        "max(web_vitals_lcp)",
        unit=units.MILLISECONDS,
        thresholds=high_is_bad(2500, 4000),
        description="Last reported LCP: time until the largest element is drawn. Good below 2.5 s, poor above 4 s.",
    ),
)

api.row(
    "Logs",
    logs(
        "API errors",
        '{job="api"} |= "error" | json | level="ERROR"',
        datasource=LOKI,
        description="ERROR-level lines of the API's JSON logs (the guide's first log query).",
    ),
    collapsed=True,
    height=10,
)
