"""The lint checks. Each takes the rendered dashboards and yields Findings.

They read the JSON that dash writes (or a JSON file given on the command
line), not the Python objects, so that what is checked is what ships.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from alerts.render import Panels

from ..dashboard_json import COLUMNS, fits_grid, overlaps, panel_ids, uid_problem, walk_panels
from ..querylang import logql, promql
from . import datasources
from .findings import Finding
from .units import has_unit

# Panels that show no query results, so need no query (and no unit).
NO_QUERY_TYPES = frozenset({"row", "text", "dashlist", "news", "alertlist", "annolist", "welcome", "gettingstarted"})
NO_UNIT_TYPES = NO_QUERY_TYPES | {"logs", "table", "traces", "nodeGraph", "flamegraph"}


@attrs.frozen
class LintedAlert:
    """What lint needs of an alert: its links, its expression, and whether it has a runbook."""

    name: str
    dashboard: Any  # alerts.model.PanelLink, or None
    expr: str
    source: str | None
    runbook: bool


@attrs.frozen
class LintedRule:
    """What lint needs of any rule (alerting or recording): its name and its expression."""

    name: str  # "alert X" or "recording rule a:b:c"
    expr: str
    source: str | None


@attrs.frozen
class LintTarget:
    """One dashboard to lint: its JSON and where it came from."""

    uid: str
    title: str
    folder: str
    json: dict[str, Any]
    source: str
    panel_sources: Mapping[int, str] = attrs.field(factory=dict)  # panel id -> file:line, when built from Python


@attrs.frozen
class Context:
    dashboards: Sequence[LintTarget]
    datasource_uids: frozenset[str] | None  # declared datasources; None when unknown (JSON files)
    alerts: Sequence["LintedAlert"] = ()
    rules: Sequence[LintedRule] = ()  # every rule of the alerting's rule files
    # The names the alerting's recording rules define; None when it declares no rule files (recording rules
    # may then live in another repository: DASH064 is not checked).
    recorded: frozenset[str] | None = None
    # Some modules failed to load (DASH000): the dashboards they declare are unknown, so "links to a dashboard dash
    # does not build" would only repeat that failure.
    incomplete: bool = False


def _finding(t: LintTarget, code: str, message: str, panel: dict[str, Any] | None = None) -> Finding:
    title = None if panel is None else (panel.get("title") or f"(untitled, id {panel.get('id')})")
    panel_id = panel.get("id") if panel is not None else None
    source = t.panel_sources.get(panel_id, t.source) if isinstance(panel_id, int) else t.source
    return Finding(code, message, t.uid, title, source)


# DASH003's message has always read "uid 'x' longer than 40 characters".
_UID_WORDING = {"is longer than 40 characters": "longer than 40 characters"}


def check_uids(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, LintTarget] = {}
    titles: dict[tuple[str, str], LintTarget] = {}
    for t in ctx.dashboards:
        why = uid_problem(t.uid)
        if why:
            yield _finding(t, "DASH003", f"uid {t.uid!r} {_UID_WORDING.get(why, why)}")
        if t.uid in seen:
            yield _finding(t, "DASH001", f"uid {t.uid!r} is also used by {seen[t.uid].source}")
        else:
            seen[t.uid] = t
        key = (t.folder, (t.title or "").strip().lower())
        if key in titles:
            yield _finding(t, "DASH002",
                           f"title {t.title!r} is also used in folder {t.folder!r} by {titles[key].source}")
        else:
            titles[key] = t


def check_grid(ctx: Context) -> Iterator[Finding]:
    for t in ctx.dashboards:
        groups: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for at in walk_panels(t.json):
            panel, row = at.panel, at.row
            if at.legacy:
                continue  # the pre-5.0 rows place panels by `span`; Grafana computes their grid when it loads them
            g = panel.get("gridPos")
            if not isinstance(g, dict):
                yield _finding(t, "DASH010", "panel has no gridPos", panel)
                continue
            x, y, w, h = (g.get(k) for k in ("x", "y", "w", "h"))
            if not fits_grid(x, y, w, h):
                yield _finding(t, "DASH010", f"gridPos x={x} y={y} w={w} h={h} does not fit the {COLUMNS}-column grid",
                               panel)
                continue
            # Panels in a collapsed row are positioned among themselves only.
            group = id(row) if row is not None and row.get("collapsed") else None
            groups[group].append(panel)
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if overlaps(a["gridPos"], b["gridPos"]):
                        yield _finding(t, "DASH011", f"overlaps panel {b.get('title')!r} ({_pos(a)} and {_pos(b)})", a)


def _pos(p: dict[str, Any]) -> str:
    g = p["gridPos"]
    return f"x={g['x']} y={g['y']} w={g['w']} h={g['h']}"


def check_panels(ctx: Context) -> Iterator[Finding]:
    for t in ctx.dashboards:
        variables = datasources.variables(t.json)
        version = t.json.get("schemaVersion")
        for why in datasources.undeclared_defaults(variables, ctx.datasource_uids):
            yield _finding(t, "DASH023", why)
        for panel, _path, _row in walk_panels(t.json):
            kind = _text(panel.get("type")) or "untyped"
            if kind == "row":
                if not _text(panel.get("title")).strip():
                    yield _finding(t, "DASH020", "row has no title", panel)
                continue
            if not _text(panel.get("title")).strip():
                yield _finding(t, "DASH020", f"{kind} panel has no title", panel)
            targets = _targets(panel)
            if kind not in NO_QUERY_TYPES and not targets:
                yield _finding(t, "DASH021", f"{kind} panel has no query", panel)
            for ref in [panel.get("datasource")] + [x.get("datasource") for x in targets]:
                problem = datasources.problem(ref, variables, ctx.datasource_uids, version)
                if problem:
                    yield _finding(t, "DASH022", problem, panel)
                    break
            if not _text(panel.get("description")).strip():
                yield _finding(t, "DASH050", f"{kind} panel has no description", panel)
            if kind not in NO_UNIT_TYPES and not has_unit(panel):
                yield _finding(t, "DASH051", f"{kind} panel has no unit", panel)
            outside = _thresholds_outside_range(panel)
            if outside:
                yield _finding(t, "DASH053", f"{kind} panel: {outside}", panel)


def _thresholds_outside_range(panel: dict[str, Any]) -> str | None:
    """Threshold steps beyond the panel's own min/max are never reached: a colour that can never show (grafanalib's
    BarGauge keeps red at 80 on a 0-1 scale, say). Percentage thresholds are shares of the range: always inside."""
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, dict) else None
    thresholds = defaults.get("thresholds") if isinstance(defaults, dict) else None
    if not isinstance(thresholds, dict) or thresholds.get("mode") == "percentage":
        return None
    low, high = (v if _is_number(v) else None for v in (defaults.get("min"), defaults.get("max")))
    steps = thresholds.get("steps") if isinstance(thresholds.get("steps"), list) else []
    values = [s.get("value") for s in steps if isinstance(s, dict) and _is_number(s.get("value"))]
    out = [v for v in values if (low is not None and v < low) or (high is not None and v > high)]
    if not out:
        return None
    bounds = f"{'' if low is None else f'{low:g}'}..{'' if high is None else f'{high:g}'}"
    return f"threshold {', '.join(f'{v:g}' for v in out)} lies outside the panel's range {bounds}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_queries(ctx: Context) -> Iterator[Finding]:
    for t in ctx.dashboards:
        variables = datasources.variables(t.json)
        defined = set(variables) | promql.GLOBALS
        yield from _variable_query_findings(t, variables, defined)
        for panel, _path, _row in walk_panels(t.json):
            repeat = _text(panel.get("repeat"))
            texts = [_text(panel.get("title")), repeat]
            for target in _targets(panel):
                texts += [_text(target.get("expr")), _text(target.get("legendFormat")), _uid(target.get("datasource"))]
                problem = _query_problem(target, datasources.query_type(target, panel, variables))
                if problem:
                    yield _finding(t, *problem, panel)
            texts.append(_uid(panel.get("datasource")))
            used = set(promql.variables(" ".join(texts))) | ({repeat} if repeat else set())
            for name in sorted(used - defined):
                yield _finding(t, "DASH031", f"${name} is used but the dashboard defines no such variable", panel)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _targets(panel: dict[str, Any]) -> list[dict[str, Any]]:
    """A panel's queries (the objects among its `targets`)."""
    targets = panel.get("targets")
    return [x for x in targets if isinstance(x, dict)] if isinstance(targets, list) else []


def _uid(ref: Any) -> str:
    """The uid (or, in old dashboards, the name) of a datasource reference: it may be a variable."""
    return _text(ref.get("uid")) if isinstance(ref, dict) else _text(ref)


def _variable_query_findings(t: LintTarget, variables: dict[str, dict[str, Any]],
                             defined: set[str]) -> Iterator[Finding]:
    """The query variables: Prometheus queries parse, and use only defined variables."""
    for name, var in variables.items():
        query = var.get("query")
        if isinstance(query, dict):  # what Grafana 10+ writes: {"query": "label_values(...)", "refId": ...}
            query = query.get("query")
        if var.get("type") != "query" or not isinstance(query, str):
            continue
        if datasources.variable_query_type(var, variables) == "prometheus":
            problem = promql.variable_query_error(query)
            if problem:
                yield _finding(t, "DASH030", f"variable {name!r}: query {query!r}: {problem}")
        for used in sorted(set(promql.variables(query)) - defined):
            yield _finding(t, "DASH031", f"variable {name!r} uses ${used}, which is not defined")


def _query_problem(target: dict[str, Any], kind: str | None) -> tuple[str, str] | None:
    """(code, message) when a panel's PromQL or LogQL query does not parse."""
    expr = target.get("expr")
    if not isinstance(expr, str):
        return None
    if kind == "prometheus":
        if not expr.strip():
            return "DASH030", f"query {target.get('refId')} is empty"
        problem = promql.parse_error(expr)
        if problem:
            return "DASH030", f"query {target.get('refId')}: {problem}: {expr}"
        integers = promql.integer_bucket_matchers(expr)
        return ("DASH033", f"query {target.get('refId')}: {', '.join(integers)}: {promql.FLOAT_BUCKETS}: "
                f"{expr}") if integers else None
    if kind == "loki":
        problem = logql.check(promql.substitute(expr))
        return ("DASH032", f"query {target.get('refId')}: {problem}: {expr}") if problem else None
    return None


def check_schema(ctx: Context) -> Iterator[Finding]:
    from . import schema  # jsonschema: only when a dashboard's findings are not cached

    for t in ctx.dashboards:
        for error in schema.validate(t.json):
            code = "DASH040" if error.schema == "dashboard" else "DASH041"
            panel = {"title": error.panel_title, "id": error.panel_id} if error.panel_title or error.panel_id else None
            yield _finding(t, code, f"{error.path}: {error.message} ({error.schema} schema)", panel)


def check_links(ctx: Context) -> Iterator[Finding]:
    uids = {t.uid for t in ctx.dashboards}
    for t in ctx.dashboards:
        links = t.json.get("links")
        for link in links if isinstance(links, list) else []:
            url = _text(link.get("url")) if isinstance(link, dict) else ""
            if isinstance(link, dict) and link.get("icon") == "external link":
                continue  # written as a URL or marked external=True: not one of ours by intent
            match = re.match(r"^/d/([^/?#]+)", url)
            if match and match.group(1) not in uids:
                yield _finding(t, "DASH052",
                               f"link {link.get('title')!r} points to /d/{match.group(1)}, which dash does not build")


def check_alert_links(ctx: Context) -> Iterator[Finding]:
    if not ctx.alerts:
        return
    panels = Panels({t.uid: panel_ids(t.json) for t in ctx.dashboards})
    by_uid = {t.uid: t for t in ctx.dashboards}
    for alert in ctx.alerts:
        name, link, expr, source = alert.name, alert.dashboard, alert.expr, alert.source
        if not alert.runbook:
            yield Finding("DASH062", f"alert {name!r} has no runbook_url", link and link.dashboard_uid,
                          link and link.panel_title, source)
        if link is None:
            yield Finding("DASH063", f"alert {name!r} links to no dashboard panel", None, None, source)
            continue
        if ctx.incomplete and link.dashboard_uid not in by_uid:
            continue
        problem = panels.problem(link)
        if problem:
            yield Finding("DASH060", f"alert {name!r} {problem}", link.dashboard_uid, link.panel_title, source)
            continue
        panel = next(at.panel for at in walk_panels(by_uid[link.dashboard_uid].json)
                     if at.panel.get("title") == link.panel_title)
        targets = [x for x in panel.get("targets") or [] if isinstance(x, dict)]
        shown = {n.removesuffix("_bucket") for x in targets for n in promql.metric_names(x.get("expr") or "")}
        wanted = {n.removesuffix("_bucket") for n in promql.metric_names(expr)}
        if wanted and not wanted & shown:
            yield Finding("DASH061", f"alert {name!r} watches {', '.join(sorted(wanted))}, which panel "
                          f"{link.panel_title!r} does not query", link.dashboard_uid, link.panel_title, source)


def check_rules(ctx: Context) -> Iterator[Finding]:
    """The rules' expressions (DASH033), and the recording-rule metrics that dashboards and rules query but no
    recording rule of the alerting defines (DASH064)."""
    for rule in ctx.rules:
        integers = promql.integer_bucket_matchers(rule.expr)
        if integers:
            yield Finding("DASH033", f"{rule.name}: {', '.join(integers)}: {promql.FLOAT_BUCKETS}: {rule.expr}",
                          None, None, rule.source)
    if ctx.recorded is None:
        return
    for rule in ctx.rules:
        for name in sorted(promql.recording_rule_names(rule.expr) - ctx.recorded):
            yield Finding("DASH064", f"{rule.name} queries {name}, which no recording rule defines", None, None,
                          rule.source)
    for t in ctx.dashboards:
        variables = datasources.variables(t.json)
        for panel, _path, _row in walk_panels(t.json):
            names: set[str] = set()
            for target in _targets(panel):
                if isinstance(target.get("expr"), str) and \
                        datasources.query_type(target, panel, variables) == "prometheus":
                    names |= promql.recording_rule_names(target["expr"])
            for name in sorted(names - ctx.recorded):
                yield _finding(t, "DASH064", f"queries {name}, which no recording rule of the alerting defines", panel)


# Checks that look at one dashboard at a time (and the declared datasources): their findings are cached per
# dashboard (lint/__init__.py). The others compare dashboards with each other or with the alerts.
PER_DASHBOARD = frozenset({"check_grid", "check_panels", "check_queries", "check_schema"})
CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = (
    check_uids,
    check_grid,
    check_panels,
    check_queries,
    check_links,
    check_alert_links,
    check_rules,
    check_schema,
)
