"""A Grafana HTTP API emulator for the publisher's tests (test support, not product).

It is a real HTTP server on 127.0.0.1, faithful to shared/grafana/behaviour.md
and checked against shared/grafana/openapi/api-merged.subset.json. README.md
maps each behaviour it models to Grafana's source, its code here and its test.
"""

from .faults import Faults
from .model import User
from .server import Emulator, Exchange

__all__ = ["Emulator", "Exchange", "Faults", "User"]
