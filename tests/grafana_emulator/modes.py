"""What differs between the Grafana versions the emulator stands in for (see README.md's conformance table).

- 11.6: the legacy SQL storage: search is consistent with writes; a stale save is 412.
- 12.x: dashboards in unified storage behind /api (`kubernetesClientDashboardsFolders`): search may lag
  behind writes (`dashboard_service.go` waitForSearchQuery: "US doesn't offer search-after-write
  guarantees"); a dashboard stored as v2 gets 406 from GET /api/dashboards/uid (`pkg/api/dashboard.go`
  GetDashboard: "v2 is not supported in /api").
- 13.x: `pkg/api/dashboard.go` saveDashboardViaK8s (PR #122027, reapplied in #125950): a save whose
  version is not the stored generation is 409 "Dashboard already exists. Use overwrite flag to update."

- /apis: dashboard.grafana.app and folder.grafana.app at the versions `groups` lists (apis_dashboards.py,
  apis_folders.py); 11.6 serves neither. The emulator renders dashboards at v0alpha1, v1beta1 and v1 only.

The lag is a knob (`Emulator.grafana.search_lag`, seconds), zero unless a test sets it: how long it is on a
real server depends on its indexer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    name: str
    version: str  # what /api/health and /api/frontend/settings report
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # GET /apis: API group -> served versions, preferred first
    unified_storage: bool  # search may lag behind writes
    v2_not_acceptable: bool  # GET /api/dashboards/uid/{uid} of a v2-stored dashboard answers 406
    stale_save_conflict: bool  # a stale save is 409 (saveDashboardViaK8s), not 412
    nested_folders_toggle: bool  # the `nestedFolders` toggle exists (Emulator.nested_folders); gone in 12.2, PR #109212


# The dashboard and folder groups by release: v1beta1 from 12 (mcp-grafana's marker for 12+, real-grafana.md),
# v1 at GA (PR #120748), the v2 dashboard schema in 13 (behaviour.md §10). 11.6 serves /apis without them.
_V12 = (("dashboard.grafana.app", ("v1beta1", "v0alpha1")), ("folder.grafana.app", ("v1beta1",)))
_V13 = (("dashboard.grafana.app", ("v1", "v2", "v1beta1", "v2beta1", "v0alpha1")),
        ("folder.grafana.app", ("v1", "v1beta1")))
MODES = {
    "11.6": Mode("11.6", "11.6.4", (), False, False, False, True),
    "12.x": Mode("12.x", "12.3.3", _V12, True, True, False, False),
    "13.x": Mode("13.x", "13.2.1", _V13, True, True, True, False),
}
DEFAULT = "12.x"
