"""A dashboard from grafana.com, declared by id, revision and content hash, published like our own.

    node = GrafanaCom(1860, revision=41, sha256="d5cdb9a4...", folder="Platform", datasource=PROMETHEUS)

The declaration is a value; the build fetches the file (publisher/grafana_com.py),
checks its hash, points its datasource inputs and variables at ours, and gives
it the uid declared here, so the same file is the same dashboard in every
environment.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from ..dashboard_json import UID
from .datasources import Datasource
from .errors import DashboardError
from .source import declared_at

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _positive(what: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise DashboardError(f"GrafanaCom: {what} {value!r} must be a positive integer (see the dashboard's "
                                 "page on grafana.com: the id is in its URL, the revisions are listed under it)")
    return check


@attrs.frozen
class GrafanaCom:
    """Dashboard `id` of grafana.com at `revision`, whose downloaded file has this `sha256`.

    `datasource` stands for every datasource input and datasource variable of its type (the usual case: one
    Prometheus); `datasources` maps an input's name (`DS_PROMETHEUS`) to a datasource when there are several;
    `inputs` gives the value of each constant input that has no default. `uid` defaults to grafana-com-<id>,
    `title` to the file's.
    """

    id: int = attrs.field(validator=_positive("id"))
    revision: int = attrs.field(validator=_positive("revision"))
    sha256: str = attrs.field(converter=lambda v: v.lower() if isinstance(v, str) else v)
    folder: str = "General"
    uid: str | None = None
    title: str | None = None
    datasource: Datasource | None = None
    datasources: Mapping[str, Datasource] = attrs.field(factory=dict, converter=dict)
    inputs: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    tags: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    declared_at: tuple[str, int] = attrs.field(factory=declared_at, eq=False)

    def __attrs_post_init__(self) -> None:
        from .dashboard import _folder

        if not isinstance(self.sha256, str) or not _SHA256.match(self.sha256):
            raise DashboardError(
                f"GrafanaCom({self.id}): sha256 {self.sha256!r} must be 64 hex digits: the SHA-256 of the file "
                "grafana.com serves for this revision (the build names it when the cache holds the file; "
                "`sha256sum` of the downloaded JSON gives it too)")
        if not UID.match(self.dashboard_uid):
            raise DashboardError(f"GrafanaCom({self.id}): uid {self.dashboard_uid!r} must be 1-40 characters of "
                                 "[a-zA-Z0-9_-]")
        for name, ds in [("datasource", self.datasource), *self.datasources.items()]:
            if ds is not None and not isinstance(ds, Datasource):
                raise DashboardError(f"GrafanaCom({self.id}): {name} must be a Datasource, got {type(ds).__name__}")
        object.__setattr__(self, "folder", _folder(self.folder))

    @property
    def dashboard_uid(self) -> str:
        return self.uid if self.uid is not None else f"grafana-com-{self.id}"

    @property
    def label(self) -> str:
        """How messages name it: grafana.com/1860@41."""
        return f"grafana.com/{self.id}@{self.revision}"

    def all_datasources(self) -> list[Datasource]:
        """The datasources it is pointed at, the default first."""
        found = [self.datasource] if self.datasource is not None else []
        found += [ds for ds in self.datasources.values() if ds not in found]
        return found
