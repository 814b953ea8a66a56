"""How plans and publish results are shown: words for people, JSON for CI."""

from __future__ import annotations

import sys
from typing import Any, Callable, TextIO

from .engine import Plan
from .model import CREATE, DELETE, UNCHANGED, UPDATE, Outcome

SIGNS = {CREATE: "+", UPDATE: "~", DELETE: "-", UNCHANGED: "="}


def plan_lines(plan: Plan, header: str, verbose: bool = False, force: bool = False) -> list[str]:
    lines = [header]
    if not plan.changes:
        lines.append("  (nothing declared)")
    width = max((len(c.uid) for c in plan.changes), default=10)
    for change in plan.changes:
        lines.append(f"  {SIGNS[change.action]} {change.action:<9} {change.kind:<11} {change.uid:<{width}}  {change.title}")
        for detail in change.details if change.action != UNCHANGED else ():
            lines.append(f"        {detail}")
        for note in change.notes:
            lines.append(f"        note: {note}")
        if change.drift is not None:
            consequence = "--force overwrites it" if force else "publish refuses to overwrite it without --force"
            lines.append(f"        ! {change.drift.describe()}; {consequence}")
        if verbose and change.unified_diff:
            lines.extend("        " + line for line in change.unified_diff.splitlines())
    for note in plan.notes:
        lines.append(f"note: {note}")
    counts = plan.counts()
    lines.append(
        f"Plan: {counts[CREATE]} to create, {counts[UPDATE]} to update, {counts[DELETE]} to delete, "
        f"{counts[UNCHANGED]} unchanged."
    )
    return lines


def plan_json(plan: Plan, env: Any, target: str) -> dict[str, Any]:
    return {
        "env": env.name,
        "url": target,
        "org_id": env.org_id,
        "changes": [c.to_json() for c in plan.changes],
        "notes": plan.notes,
        "summary": plan.counts(),
        "changed": bool(plan.pending),
        "saved_queries_path": plan.saved_queries_path,
    }


def outcome_line(outcome: Outcome) -> str:
    change = outcome.change
    state = "ok" if outcome.ok else ("skipped" if outcome.skipped else "FAILED")
    version = f" (version {outcome.version})" if outcome.version is not None else ""
    text = f"{state:<8}{change.action:<8}{change.kind:<12}{change.uid}{version}"
    if not outcome.ok:
        text += f": {outcome.message}"
    return text


def summary_rows(outcomes: list[Outcome], plan: Plan) -> list[tuple[str, str, str, str, str]]:
    rows = [(o.change.kind, o.change.uid, o.change.action, "ok" if o.ok else ("skipped" if o.skipped else "failed"),
             o.message) for o in outcomes]
    rows += [(c.kind, c.uid, "unchanged", "ok", "") for c in plan.changes if c.action == UNCHANGED]
    order = {"folder": 0, "datasource": 1, "saved-query": 2, "dashboard": 3}
    return sorted(rows, key=lambda r: (order.get(r[0], 9), r[1]))


def totals(outcomes: list[Outcome], plan: Plan) -> dict[str, int]:
    out = {"created": 0, "updated": 0, "deleted": 0, "unchanged": plan.counts()[UNCHANGED], "failed": 0, "skipped": 0}
    for o in outcomes:
        if o.ok:
            out[{CREATE: "created", UPDATE: "updated", DELETE: "deleted"}[o.change.action]] += 1
        elif o.skipped:
            out["skipped"] += 1
        else:
            out["failed"] += 1
    return out


class Progress:
    """A progress bar on a terminal (rich); one plain line per object otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, force_plain: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() and not force_plain
        self._bar = None
        if self.tty and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("{task.description}"), transient=True)
            self._task = self._bar.add_task("", total=total)
            self._bar.start()

    def __call__(self, outcome: Outcome) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"{outcome.change.kind} {outcome.change.uid}")
            if not outcome.ok:
                self._bar.console.print(outcome_line(outcome))
        else:
            print(outcome_line(outcome), file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def print_summary(outcomes: list[Outcome], plan: Plan, tty: bool, echo: Callable[[str], None]) -> None:
    rows = summary_rows(outcomes, plan)
    if tty:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="dash publish")
        for column in ("kind", "uid", "action", "result", "message"):
            table.add_column(column)
        for row in rows:
            style = {"failed": "red", "skipped": "yellow"}.get(row[3])
            table.add_row(*row, style=style)
        Console().print(table)
    else:
        widths = [max(len(r[i]) for r in rows + [("kind", "uid", "action", "result", "")]) for i in range(4)]
        echo("  ".join(h.upper().ljust(w) for h, w in zip(("kind", "uid", "action", "result"), widths)) + "  MESSAGE")
        for row in rows:
            echo(("  ".join(v.ljust(w) for v, w in zip(row[:4], widths)) + "  " + row[4]).rstrip())
