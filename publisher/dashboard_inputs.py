"""An export's `__inputs`, filled the way Grafana's import fills them.

pkg/services/dashboardimport/utils/dash_template_evaluator.go: every `${NAME}` of an input, in every string
of the dashboard, becomes the input's value (varRegex `\\$\\{.+?\\}`; a placeholder that is no input, such as
`${__rate_interval}` or a dashboard variable, is left alone), and `__inputs` is dropped at every level.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{.+?\}")  # Grafana's varRegex


def fill_inputs(value: Any, values: dict[str, str]) -> Any:
    """`value` with each `${NAME}` of `values` (keys include the `${...}`) replaced; a new object."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), value) if "${" in value else value
    if isinstance(value, list):
        return [fill_inputs(v, values) for v in value]
    if isinstance(value, dict):
        return {k: fill_inputs(v, values) for k, v in value.items() if k != "__inputs"}
    return value
