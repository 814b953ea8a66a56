"""A Grafana HTTP API emulator for the publisher's tests (test support, not product).

It is a real HTTP server on 127.0.0.1, faithful to shared/grafana/behaviour.md
and checked against shared/grafana/openapi/api-merged.subset.json.
"""

from .server import Emulator, Exchange, Faults
from .state import User

__all__ = ["Emulator", "Exchange", "Faults", "User"]
