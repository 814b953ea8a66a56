"""What the guide's dashboards share: their datasources and links to each other.

Files whose name starts with "_" hold helpers, not dashboards.
"""

from dashboards.sdk import Datasource, Link

PROMETHEUS = Datasource(
    "Prometheus",
    type="prometheus",
    uid="prometheus",
    settings={"httpMethod": "POST", "timeInterval": "15s"},  # the guide's scrape_interval
    description="Metrics scraped by Prometheus (the guide's prometheus.yml).",
)

LOKI = Datasource(
    "Loki",
    type="loki",
    uid="loki",
    settings={"maxLines": 1000},
    description="Logs shipped by the Docker Loki driver (the guide's labels: job, environment).",
)

SYSTEM_UID = "system"
API_UID = "api-performance"
BUSINESS_UID = "business-metrics"

_TITLES = {SYSTEM_UID: "System", API_UID: "API performance", BUSINESS_UID: "Business metrics"}


def links_from(uid: str) -> list[Link]:
    """Header links from one of the guide's dashboards to the other two."""
    return [Link(title, uid=other) for other, title in _TITLES.items() if other != uid]
