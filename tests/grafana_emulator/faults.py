"""The fault knobs: what can go wrong between the client and Grafana, and what Grafana answers then.

The request handler (server.py) applies them: latency, then (for eligible requests)
a reset, a proxy's 502/503/504 or a 429 before processing; "database is locked"
for overlapping writes and permanent failures instead of processing; a lost
response after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import clone, err


@dataclass
class Faults:
    """What can go wrong. Probabilities are per request, drawn from a seeded RNG."""

    latency: float = 0.0  # seconds added to every request
    error_rate: float = 0.0  # 502/503/504 from "a proxy in front", before the request is processed
    rate_limit_rate: float = 0.0  # 429 with Retry-After, before processing
    retry_after: str = "1"
    reset_rate: float = 0.0  # connection closed without a response, before processing
    lost_response_rate: float = 0.0  # processed, then the connection closed: the client cannot know
    database_locked: bool = False  # a write that overlaps another write gets SQLite's 500
    permanent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # uid -> answer to its writes
    seed: int = 1
    only_writes: bool = False  # apply the random faults to writes only


def locked_body(handler: str) -> dict[str, Any]:
    """SQLite's busy error as Grafana reports it in production mode (no "error" key)."""
    if "dashboard" in handler:
        return err("Failed to save dashboard")
    if "folder" in handler:
        return err("Folder API error")
    return err("Failed to update datasource" if handler == "update_datasource" else "Failed to add datasource")


def permanent(faults: Faults, handler: str, args: tuple[str, ...], body: Any) -> tuple[int, Any] | None:
    """A configured permanent failure for the object this write touches."""
    if not faults.permanent:
        return None
    uid = None
    if isinstance(body, dict):  # /apis objects name themselves in metadata; /api bodies in dashboard.uid or uid
        named = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        uid = named.get("name") or ((body.get("dashboard") or {}).get("uid") if isinstance(body.get("dashboard"),
                                                                                            dict) else body.get("uid"))
    if uid is None and args:
        uid = args[-1]  # /api/.../{uid}, /apis/.../namespaces/{ns}/{resource}/{name}
    answer = faults.permanent.get(uid or "")
    return clone(answer) if answer else None
