"""The guide's service level objectives, declared once: the alerting file (alerts/guide.py) turns them
into recording rules, burn-rate alerts and routing cases, and dashboards/slo.py into the SLO dashboard.

- api-availability: 99.9% of API requests answered without a 5xx status, over 30 days.
- api-latency: 99% of API requests served within 1 s, over 30 days. The bucket is matched as `le="1"`
  (Go clients, Prometheus 2) and `le="1.0"` (Python's client, and every client on Prometheus 3).
"""

from alerts.model import SLO, latency, ratio

RUNBOOK = "https://github.com/your-org/monitoring/blob/main/alerts/runbooks/ErrorBudgetBurn.md"

API_AVAILABILITY = SLO(
    "api-availability",
    "api",
    objective=99.9,
    window="30d",
    sli=ratio(errors='http_requests_total{status=~"5.."}', total="http_requests_total"),
    runbook_url=RUNBOOK,
    description="Share of API requests answered without a 5xx status (http_requests_total).",
)

API_LATENCY = SLO(
    "api-latency",
    "api",
    objective=99,
    window="30d",
    sli=latency(histogram="http_request_duration_seconds", threshold=1.0),
    runbook_url=RUNBOOK,
    description="Share of API requests served within 1 s (http_request_duration_seconds buckets).",
)

SLOS = (API_AVAILABILITY, API_LATENCY)
