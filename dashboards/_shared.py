"""What the guide's dashboards share: their datasources and links to each other.

Files whose name starts with "_" hold helpers, not dashboards.
"""

from dashboards.sdk import Link

# Declared once, in provisioning/datasources.py, with the rest of the datasource settings.
from provisioning.datasources import LOKI, PROMETHEUS  # noqa: E402,F401

SYSTEM_UID = "system"
API_UID = "api-performance"
BUSINESS_UID = "business-metrics"

_TITLES = {SYSTEM_UID: "System", API_UID: "API performance", BUSINESS_UID: "Business metrics"}


def links_from(uid: str) -> list[Link]:
    """Header links from one of the guide's dashboards to the other two."""
    return [Link(title, uid=other) for other, title in _TITLES.items() if other != uid]
