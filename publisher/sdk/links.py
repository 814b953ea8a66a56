"""Links on a panel: `link(...)` in the panel's header menu, `data_link(...)` on each value it shows.

    stat("Errors", ERRORS, unit="reqps",
         links=[link("Runbook", "https://runbooks.example.com/errors", new_tab=True)],
         data_links=[data_link("Logs of ${__field.labels.service}", "/explore?left=...")])

Both are Grafana's DataLink (`title`, `url`, `targetBlank`); a data link's
url may use Grafana's data variables (`${__value.raw}`, `${__field.labels.x}`).
Links in the dashboard's header are `Link` (publisher.sdk.Link).
"""

from __future__ import annotations

from typing import Any

import attrs

from .args import describe
from .errors import DashboardError


def _check(kind: str, title: Any, url: Any, new_tab: Any) -> None:
    if not isinstance(title, str) or not title.strip():
        raise DashboardError(f"{kind}: title must be a non-empty string, got {describe(title)}")
    if not isinstance(url, str) or not url.strip():
        raise DashboardError(f"{kind} {title!r}: url must be a non-empty string such as 'https://...' or "
                             f"'/d/other-uid', got {describe(url)}")
    if not isinstance(new_tab, bool):
        raise DashboardError(f"{kind} {title!r}: new_tab must be True or False, got {describe(new_tab)}")


@attrs.frozen
class PanelLink:
    """A link in a panel's header: made with `link(title, url, new_tab=False)`."""

    title: str
    url: str
    new_tab: bool = False

    def __attrs_post_init__(self) -> None:
        _check("link", self.title, self.url, self.new_tab)

    def to_json(self) -> dict[str, Any]:
        return {"targetBlank": self.new_tab, "title": self.title, "url": self.url}


@attrs.frozen
class DataLink(PanelLink):
    """A link on each value a panel shows: made with `data_link(title, url, new_tab=False)`."""

    def __attrs_post_init__(self) -> None:
        _check("data_link", self.title, self.url, self.new_tab)


def link(title: str, url: str, *, new_tab: bool = False) -> PanelLink:
    """A link in the panel's header menu: `link("Runbook", "https://runbooks.example.com/x", new_tab=True)`."""
    return PanelLink(title, url, new_tab)


def data_link(title: str, url: str, *, new_tab: bool = False) -> DataLink:
    """A link on each value (fieldConfig.defaults.links): `data_link("Host", "/d/host?var-host=${__value.raw}")`."""
    return DataLink(title, url, new_tab)


def check(prefix: str, value: Any, kind: type, example: str) -> list[Any]:
    if isinstance(value, str):
        raise DashboardError(f"{prefix}{'links' if kind is PanelLink else 'data_links'} must be a list such as "
                             f"{example}, got the string {value!r}")
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(type(v) is kind for v in value):
        raise DashboardError(f"{prefix}{'links' if kind is PanelLink else 'data_links'} must be a list such as "
                             f"{example}, got {describe(value)}")
    return list(value)
