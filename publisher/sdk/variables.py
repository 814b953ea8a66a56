"""Template variables, as grafanalib Templates with today's defaults."""

from __future__ import annotations

import re
from typing import Iterable

import grafanalib.core as G

from .datasources import Datasource
from .errors import DashboardError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(name: str) -> str:
    if not _NAME.match(name or "") or name.startswith("__"):
        raise DashboardError(
            f"variable name {name!r} must be letters, digits and underscores, not starting with a "
            "digit or '__' (Grafana keeps those for its own variables)"
        )
    return name


def label_values(
    name: str,
    metric: str,
    label: str | None = None,
    *,
    title: str | None = None,
    multi: bool = True,
    include_all: bool = True,
    all_value: str = ".*",
) -> G.Template:
    """A variable listing the values of `label` (default: `name`) on `metric`: `label_values("job", "up")`.

    Use it in queries as `{label=~"$name"}`: with "All" selected it expands to
    `.*`, which matches every value.
    """
    label = label or name
    query = f"label_values({metric}, {label})"
    return G.Template(
        name=_check_name(name),
        query=query,
        label=title or label.replace("_", " ").capitalize(),
        multi=multi,
        includeAll=include_all,
        allValue=all_value if include_all else None,
        refresh=G.REFRESH_ON_TIME_RANGE_CHANGE,
        sort=G.SORT_ALPHA_ASC,
        regex="",
    )


def custom(name: str, values: Iterable[str], default: str | None = None, *, title: str | None = None) -> G.Template:
    """A fixed list of values: `custom("env", ["prod", "staging"], default="prod")`."""
    values = list(values)
    if not values:
        raise DashboardError(f"variable {name!r}: give at least one value")
    default = default if default is not None else values[0]
    if default not in values:
        raise DashboardError(f"variable {name!r}: default {default!r} is not one of {values}")
    return G.Template(
        name=_check_name(name), query=",".join(values), type="custom", default=default, label=title
    )


def datasource_variable(name: str, datasource: Datasource, *, title: str = "Data source") -> G.Template:
    """A datasource picker whose default is `datasource`: panels refer to `${name}`.

    `datasource_variable("logs", LOKI, title="Logs")`; each Dashboard makes its own for the datasources it uses."""
    template = G.Template(
        name=_check_name(name), query=datasource.type, type="datasource", label=title, regex="", refresh=1
    )
    # grafanalib sets text and value to the same default; Grafana shows the name and stores the uid.
    template._current = {"text": datasource.name, "value": datasource.uid}
    return template
