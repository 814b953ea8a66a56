"""Node Exporter Full (grafana.com dashboard 1860), which the guide says to import for the hosts.

Fetched by the build at the pinned revision and checked against its SHA-256
(publisher/grafana_com.py), its Prometheus datasource pointed at ours, and
published beside the System dashboard. The project holds the declaration, not
the file: the file is rfmoz/grafana-dashboards' and stays in `.dash-cache/`.
"""

from _shared import PROMETHEUS

from publisher.sdk import GrafanaCom

node_exporter_full = GrafanaCom(
    1860,
    revision=41,
    sha256="d5cdb9a475a9a97df332d12da68130c4dc02ef1cc9fe17d51b1d4ceb1010540a",
    folder="Platform",
    datasource=PROMETHEUS,
    tags=["node-exporter"],
)
