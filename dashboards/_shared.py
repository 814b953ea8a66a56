"""What the guide's dashboards share: their datasources, and links to each other.

Files whose name starts with "_" hold helpers, not dashboards; the dashboard
modules beside this one import it as `_shared`.

The datasources are declared once: Prometheus for metrics, Loki for logs.
Their uids are the same in every environment and dashboards refer to them by
uid. URLs differ per environment and come from dash.yaml (`datasources:`);
`url=` here is the service name in the guide's docker-compose stack, used by
the provisioning tree that `dash build` writes without `--env`.

Loki has no derived field: the guide's JSON log records (level, logger,
timestamp, message) carry no request or trace id to link from. To add one
when the application logs a `request_id`, extend `settings` with
`"derivedFields": [{"name": "request_id", "matcherRegex": "\\"request_id\\":\\"(\\\\w+)\\"",
"url": "<link, with ${__value.raw}>"}]`.
"""

from publisher.sdk import Datasource, Link

PROMETHEUS = Datasource(
    "Prometheus",
    type="prometheus",
    uid="prometheus",
    settings={"httpMethod": "POST", "timeInterval": "15s"},  # the guide's scrape_interval
    description="Metrics scraped by Prometheus (the guide's prometheus.yml).",
    url="http://prometheus:9090",
)

LOKI = Datasource(
    "Loki",
    type="loki",
    uid="loki",
    settings={"maxLines": 1000},
    description="Logs shipped by the Docker Loki driver (the guide's labels: job, environment).",
    url="http://loki:3100",
)

SYSTEM_UID = "system"
API_UID = "api-performance"
BUSINESS_UID = "business-metrics"

_TITLES = {SYSTEM_UID: "System", API_UID: "API performance", BUSINESS_UID: "Business metrics"}


def links_from(uid: str) -> list[Link]:
    """Header links from one of the guide's dashboards to the other two."""
    return [Link(title, uid=other) for other, title in _TITLES.items() if other != uid]
