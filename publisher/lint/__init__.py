"""`dash lint`: offline checks of dashboards, each finding with a stable code and a fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import attrs
import orjson

from ..loader import LoadError, display_path
from .checks import CHECKS, PER_DASHBOARD, Context, LintedAlert, LintedRule, LintTarget
from .findings import CODES, Finding, Report
from .suppress import apply as apply_suppressions

__all__ = ["CODES", "Finding", "LintTarget", "Report", "lint_dashboards", "load_json_dashboards"]


def lint_dashboards(
    dashboards: Sequence[Any],
    load_errors: Iterable[Any] = (),
    datasource_uids: Iterable[str] | None = None,
    strict: bool = False,
    alerting: Any = None,
    alerting_source: str | None = None,
    cache: Any = None,
    settings: Any = None,
    datasource_conflicts: Sequence[Any] = (),
) -> Report:
    """Run every check. `dashboards` are render.Rendered or LintTarget items; `alerting` an alerts.model.Alerting.

    `cache` (a cache.Cache) keeps each dashboard's findings from the one-dashboard checks, keyed by its JSON,
    where it was declared, the declared datasources and dash's own code: the same input, the same findings.
    `datasource_conflicts`: project.datasource_conflicts (LoadError-like).
    `settings` (config.LintSettings) and `# dash: ignore[...]` comments suppress findings after the cache."""
    targets = [LintTarget(d.uid, d.title, d.folder, d.json, d.source, getattr(d, "panel_sources", {}))
               for d in dashboards]
    known = frozenset(datasource_uids) if datasource_uids is not None else None
    alerts = [LintedAlert(r.alert, r.dashboard, r.expr, alerting_source, bool(r.runbook_url or alerting.runbook_url))
              for _, _, r in alerting.alerts()] if alerting else []
    rules, recorded = _rules(alerting, alerting_source)
    ctx = Context(targets, known, alerts, rules, recorded, incomplete=bool(load_errors))
    own = [_own_findings(t, known, cache) for t in targets]
    findings = [Finding("DASH000", e.message, None, None, e.where) for e in load_errors]
    findings += [Finding("DASH024", e.message, None, None, e.where) for e in datasource_conflicts]
    for check in CHECKS:
        if check.__name__ in PER_DASHBOARD:
            findings.extend(f for per_check in own for f in per_check[check.__name__])
        else:
            findings.extend(check(ctx))
    return Report(apply_suppressions(findings, settings), len(targets), strict)


def _rules(alerting: Any, source: str | None) -> tuple[list[LintedRule], frozenset[str] | None]:
    """Every rule of the alerting's rule files, and the names its recording rules define (None: no rule files)."""
    if alerting is None or not alerting.rule_files:
        return [], None
    rules, recorded = [], set()
    for file in alerting.rule_files:
        for group in file.groups:
            for rule in group.rules:
                record = getattr(rule, "record", None)
                if record:
                    recorded.add(record)
                name = f"recording rule {record!r}" if record else f"alert {getattr(rule, 'alert', '?')!r}"
                rules.append(LintedRule(f"{file.name}: {name}", rule.expr, source))
    return rules, frozenset(recorded)


def _own_findings(target: LintTarget, known: frozenset[str] | None, cache: Any) -> dict[str, list[Finding]]:
    """The one-dashboard checks' findings for `target`, by check, from the cache where it has them."""
    def compute() -> dict[str, list[dict[str, Any]]]:
        alone = Context([target], known)
        return {c.__name__: [attrs.asdict(f) for f in c(alone)] for c in CHECKS if c.__name__ in PER_DASHBOARD}

    if cache is None or not cache.on:
        found = compute()
    else:
        from ..cache import dash_fingerprint, key

        entry = key("lint", dash_fingerprint(), orjson.dumps(target.json, option=orjson.OPT_SORT_KEYS),
                    target.source, orjson.dumps({str(k): v for k, v in sorted(target.panel_sources.items())}),
                    "-" if known is None else "\0".join(sorted(known)))
        found = cache.get_or_compute(entry, compute)
    return {name: [Finding(**f) for f in items] for name, items in found.items()}


def load_json_dashboards(paths: Iterable[Path]) -> tuple[list[LintTarget], list[Any]]:
    """Dashboard JSON files, or directories searched for *.json, as lint targets."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*.json") if not p.name.startswith(".")) if path.is_dir() else [path])
    targets, errors = [], []
    seen: set[tuple[str, bytes]] = set()
    for file in files:
        shown = display_path(file)
        raw = file.read_bytes()
        try:
            data = json.loads(raw)
        except ValueError as exc:
            errors.append(LoadError(shown, getattr(exc, "lineno", 1), f"not valid JSON: {exc}"))
            continue
        if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
            data = data["dashboard"]  # the API's {"dashboard": ..., "meta": ...} envelope
        if not isinstance(data, dict) or "panels" not in data and "title" not in data:
            errors.append(LoadError(shown, 1, "not a Grafana dashboard (no title, no panels)"))
            continue
        uid = str(data.get("uid") or "")
        if (uid, raw) in seen:
            continue  # a byte-identical copy (dash build writes each dashboard twice: out/ and provisioning)
        seen.add((uid, raw))
        targets.append(LintTarget(uid, str(data.get("title") or ""), file.parent.name, data, shown))
    return targets, errors
