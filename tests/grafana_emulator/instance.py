"""The small endpoints (behaviour.md §8): health, frontend settings, the current org and user."""

from __future__ import annotations

from .model import Org, User, slugify


class InstanceEndpoints:
    """/api/health, /api/frontend/settings, /api/org and /api/user of the request handler (server.py)."""

    def h_health(self, user, org, query, body):
        return 200, {"commit": "0123456789abcdef", "database": "ok", "version": self.app.grafana.mode.version}

    def h_api_groups(self, user, org, query, body):
        """GET /apis: Kubernetes' APIGroupList, the groups this version serves (modes.py)."""
        groups = list(self.app.grafana.mode.groups)
        if self.app.query_library:
            groups.append(("queries.grafana.app", ("v1", "v1beta1")))
        return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": name, "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
             "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}}
            for name, versions in groups]}

    def h_frontend_settings(self, user, org, query, body):
        VERSION = self.app.grafana.mode.version  # noqa: N806
        return 200, {"buildInfo": {"hideVersion": False, "version": VERSION, "versionString": f"Grafana v{VERSION}",
                                   "commit": "0123456789abcdef", "commitShort": "0123456", "buildstamp": 0,
                                   "edition": "Open Source", "latestVersion": "", "hasUpdate": False,
                                   "env": "production"}}

    def h_get_org(self, user, org: Org, query, body):
        return 200, {"id": org.id, "name": org.name, "address": {"address1": "", "address2": "", "city": "",
                                                               "zipCode": "", "state": "", "country": ""}}

    def h_get_user(self, user: User, org: Org, query, body):
        return 200, {"id": 1, "uid": "u" + slugify(user.login), "email": f"{user.login}@example.com",
                     "name": user.login, "login": user.login, "theme": "", "orgId": org.id,
                     "isGrafanaAdmin": user.role == "Admin", "isDisabled": False, "isExternal": False,
                     "isExternallySynced": False, "isGrafanaAdminExternallySynced": False, "isProvisioned": False,
                     "authLabels": [], "updatedAt": "2026-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z",
                     "avatarUrl": "", "accessControl": {}}
