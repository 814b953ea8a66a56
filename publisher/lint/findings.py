"""Findings: one problem each, with a stable code, where it is, and the fix."""

from __future__ import annotations

from typing import Any

import attrs

from ..output import counted

ERROR = "error"
WARNING = "warning"

#: code -> (severity, what the check is about, the one-line fix)
CODES: dict[str, tuple[str, str, str]] = {
    "DASH000": (ERROR, "module or dashboard failed to load",
                "correct the Python at that file and line (the message says what it raised); the module's "
                "dashboards are not built until it imports"),
    "DASH001": (ERROR, "duplicate dashboard uid", "give each dashboard its own uid"),
    "DASH002": (ERROR, "duplicate title in a folder", "rename one dashboard or move it to another folder"),
    "DASH003": (ERROR, "invalid uid", "use 1-40 characters of a-z, A-Z, 0-9, '-' and '_'"),
    "DASH010": (ERROR, "panel outside the 24-column grid",
                "keep x >= 0, w >= 1, h >= 1 and x + w <= 24; or drop grid= and let dash place the panel"),
    "DASH011": (ERROR, "panels overlap", "drop the explicit grid= of one panel so dash places it, or move it"),
    "DASH020": (ERROR, "panel without a title", "give the panel a title"),
    "DASH021": (ERROR, "panel without a query", "add at least one query to the panel"),
    "DASH022": (ERROR, "datasource does not resolve",
                "refer to a declared Datasource, or to a datasource variable such as ${datasource}"),
    "DASH023": (WARNING, "datasource variable defaults to an undeclared datasource",
                "declare the Datasource (publisher.sdk.Datasource) and make it the variable's default"),
    "DASH024": (ERROR, "datasource uid declared twice with different settings",
                "declare each datasource once (in a _shared.py module) and import it where it is used"),
    "DASH030": (ERROR, "PromQL does not parse", "fix the expression (try it in Prometheus' expression browser)"),
    "DASH032": (ERROR, "LogQL does not parse", "fix the query: a stream selector, known stages, quoted strings"),
    "DASH031": (ERROR, "undefined variable",
                "define the variable (label_values(...), custom(...)) or remove it from the query"),
    "DASH033": (WARNING, "le or quantile matcher on an integer string, which Prometheus 3 never matches",
                'match the float form too: le=~"1|1.0" (valid on Prometheus 2 and 3; 3 stores le and quantile '
                'as floats, so le="1" is le="1.0" there)'),
    "DASH040": (ERROR, "dashboard schema violation", "make the dashboard match Grafana's dashboard schema"),
    "DASH041": (ERROR, "panel options or query schema violation",
                "use the option names and values of the panel plugin's schema"),
    "DASH050": (WARNING, "panel without a description", "add description=... saying what the panel shows"),
    "DASH051": (WARNING, "panel without a unit", "add unit=... (see publisher.sdk.units)"),
    "DASH052": (ERROR, "link to an unknown dashboard",
                "link to the uid of a dashboard that dash builds; for another team's dashboard "
                "write Link(title, uid=..., external=True) or url=..."),
    "DASH053": (WARNING, "threshold outside the panel's min/max",
                "give thresholds in the panel's scale (0.8 for 80% when unit is percentunit and max is 1), or "
                "widen min/max"),
    "DASH060": (ERROR, "alert links to a dashboard or panel that does not exist",
                "point the alert's PanelLink at a dashboard uid and a panel title that exist"),
    "DASH061": (WARNING, "alert links to a panel that does not query the alert's metric",
                "link the alert to the panel that shows its metric"),
    "DASH062": (WARNING, "alert without a runbook",
                "give AlertRule(..., runbook_url=...) or Alerting(..., runbook_url='https://.../{alert}')"),
    "DASH063": (WARNING, "alert without a dashboard panel",
                "give AlertRule(..., dashboard=PanelLink(dashboard_uid, panel_title)) for the panel that shows it"),
    "DASH064": (ERROR, "recording-rule metric that no recording rule of the alerting defines",
                "define it with RecordingRule(record=..., expr=...) in one of the alerting's rule files, or correct "
                "the name; checked only when the alerting declares rule files"),
}


@attrs.frozen
class Finding:
    code: str
    message: str
    uid: str | None = None
    panel: str | None = None
    source: str | None = None  # file:line, or the JSON file
    suppressed: bool = False  # by a `# dash: ignore[...]` comment or dash.yaml's `lint:` (lint/suppress.py)

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def fix(self) -> str:
        return CODES[self.code][2]

    def line(self) -> str:
        where = self.uid or "-"
        if self.panel is not None:
            where += f" / panel {self.panel!r}"
        prefix = f"{self.source}: " if self.source else ""
        return f"{prefix}{self.code} {self.severity} [{where}] {self.message}\n    fix: {self.fix}"

    def to_json(self) -> dict[str, Any]:
        file, _, line = (self.source or "").rpartition(":")
        if not line.isdigit():  # a JSON file's path, with no line
            file, line = self.source or "", ""
        return {
            "file": file or None,
            "line": int(line) if line else None,
            "code": self.code,
            "severity": self.severity,
            "uid": self.uid,
            "panel": self.panel,
            "message": self.message,
            "fix": self.fix,
            "source": self.source,
            "suppressed": self.suppressed,
        }


@attrs.frozen
class Report:
    findings: list[Finding]
    dashboards: int
    strict: bool = False

    @property
    def shown(self) -> list[Finding]:
        """The findings that count: all but the suppressed ones."""
        return [f for f in self.findings if not f.suppressed]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.shown if f.severity == ERROR or self.strict]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The text report: each finding that counts, then the totals (the suppressed ones only counted)."""
        shown = self.shown
        out = [f.line() for f in shown]
        errors = len([f for f in shown if f.severity == ERROR])
        suppressed = len(self.findings) - len(shown)
        tail = f", {suppressed} suppressed" if suppressed else ""
        out.append(f"linted {counted(self.dashboards, 'dashboard')}: {counted(errors, 'error')}, "
                   f"{counted(len(shown) - errors, 'warning')}{tail}")
        return out

    def to_json(self) -> dict[str, Any]:
        """Every finding, the suppressed ones too (marked `"suppressed": true`), and their count."""
        return {
            "dashboards": self.dashboards,
            "ok": self.ok,
            "suppressed": len(self.findings) - len(self.shown),
            "findings": [f.to_json() for f in self.findings],
        }

