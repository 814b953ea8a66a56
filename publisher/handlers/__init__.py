"""One handler per kind of object: small verbs that the engine's one loop drives.

A handler knows its kind's semantics (what is wanted, how a live object is
read and normalised, what differs, who owns it) and talks to its target
through one API class. A target (a Grafana server, a provisioning directory)
is the list of handlers it serves, in the order creates and updates apply.
"""

from .base import ApplyOptions, Handler, PlanOptions

__all__ = ["ApplyOptions", "Handler", "PlanOptions"]
