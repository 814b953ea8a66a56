"""Manager (managed-by) annotations on /apis writes, as unified storage enforces them.

Keys: `pkg/apimachinery/utils/meta.go` (AnnoKeyManagerKind ... AnnoKeySourceTimestamp). Kinds:
`pkg/apimachinery/utils/manager.go` (ManagerKind, ParseManagerKindString). Enforcement:
`pkg/storage/unified/apistore/managed.go` (`enforceManagerProperties`, `checkManagerPropertiesOnCreate`,
`checkManagerPropertiesOnUpdateSpec`, `checkManagerPropertiesOnDelete`, `handleManagedResourceRouting`).

Only the `repo` kind is enforced: a write by anyone but the provisioning service identity is re-routed to
`provisioning.grafana.app` repositories/{managerId}/files/{sourcePath}. No client of the emulator is that
identity and it has no repositories, so such a write fails the way the routing fails. `terraform` and
`kubectl` are not checked ("TODO: check the kubectl+terraform resource"), whatever managerAllowsEdits says;
`plugin`, `classic-file-provisioning` and unknown kinds are not checked either.
"""

from __future__ import annotations

from . import kube

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
MANAGER_ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
MANAGER_SUSPENDED = "grafana.app/managerSuspended"
SOURCE_PATH = "grafana.app/sourcePath"
SOURCE_CHECKSUM = "grafana.app/sourceChecksum"
SOURCE_TIMESTAMP = "grafana.app/sourceTimestamp"
KINDS = ("repo", "terraform", "kubectl", "plugin", "grafana", "classic-file-provisioning")
REPOSITORIES = ("provisioning.grafana.app", "repositories")


def manager(annotations: dict[str, str]) -> tuple[str, str, bool, bool] | None:
    """GetManagerProperties: (kind, identity, allowsEdits, suspended); None unless managerId is set."""
    identity = annotations.get(MANAGER_ID, "")
    if not identity:
        return None
    kind = annotations.get(MANAGED_BY, "")
    return (kind if kind in KINDS else "", identity, annotations.get(MANAGER_ALLOWS_EDITS) == "true",
            annotations.get(MANAGER_SUSPENDED) == "true")


def _repo_managed(annotations: dict[str, str]) -> bool:
    return annotations.get(MANAGED_BY, "") == "repo"


def _routed(annotations: dict[str, str]) -> kube.Answer:
    """handleManagedResourceRouting for a write that is not the provisioning service's."""
    props = manager(annotations)
    if props is None:
        return kube.internal("expected managed resource")
    if not annotations.get(SOURCE_PATH):
        return kube.internal("managed resource is missing source path annotation")
    return kube.not_found(REPOSITORIES, props[1])  # the emulator serves no provisioning repositories


def on_create(new: dict[str, str]) -> kube.Answer | None:
    return _routed(new) if _repo_managed(new) else None


def on_update(new: dict[str, str], old: dict[str, str]) -> kube.Answer | None:
    if not new.get(MANAGED_BY) and not old.get(MANAGED_BY):
        return None
    if _repo_managed(new):
        return _routed(new)
    if manager(new) is None and manager(old) is not None and _repo_managed(old):
        return 403, kube.status(403, "Forbidden", "Can not remove resource manager from resource")
    return None


def on_delete(old: dict[str, str]) -> kube.Answer | None:
    return _routed(old) if _repo_managed(old) else None
