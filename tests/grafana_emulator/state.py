"""The emulator's Grafana: orgs, each with dashboards and versions, nested folders, datasources and saved queries.

The rules of each API area live in their own module (dashboards.py, folders.py,
datasources.py; the query library in query_library.py); `Grafana` puts them
together over one store. They follow shared/grafana/behaviour.md and return
(status, body).
"""

from __future__ import annotations

import threading
import time

from .apis_dashboards import DashboardApiRules
from .apis_folders import FolderApiRules
from .dashboards import DashboardRules
from .datasources import DatasourceRules
from .folders import FolderRules
from .model import Org
from .modes import DEFAULT, MODES, Mode


class Grafana(DashboardRules, FolderRules, DatasourceRules, DashboardApiRules, FolderApiRules):
    """All state, behind one lock (Grafana's own database serialises writes too)."""

    def __init__(self, mode: Mode | None = None) -> None:
        self.mode = mode or MODES[DEFAULT]
        self.search_lag = 0.0  # seconds a new dashboard stays out of search (unified storage modes only)
        self.stack_id: int | None = None  # Grafana Cloud: /apis namespaces are stacks-<id> (Emulator.stack_id)
        self.nested_folders = True  # 11.6's `nestedFolders` toggle (Emulator.nested_folders); ignored from 12.2
        self._rv = 0
        self.lock = threading.RLock()
        self.orgs: dict[int, Org] = {1: Org(1, "Main Org."), 2: Org(2, "Second Org.")}
        self._ids = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def next_rv(self) -> int:
        """A resourceVersion: increasing, microsecond-based like unified storage's (clients treat it as opaque)."""
        self._rv = max(self._rv + 1, int(time.time() * 1_000_000))
        return self._rv

    def org(self, org_id: int) -> Org:
        return self.orgs.setdefault(org_id, Org(org_id, f"Org {org_id}"))
