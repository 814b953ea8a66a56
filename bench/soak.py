"""The fault soak: publish N dashboards through injected faults, then compare what arrived with what was reported.

    python -m bench --soak             # 200 dashboards, 10 seeds, both profiles (a few minutes on 2 cores)
    python -m bench --soak --smoke     # 5 dashboards, 2 seeds: does the soak run at all?

The target (the issue's "done when"): with 20% transient faults plus 10% lost
replies, and with SQLite lock contention at 20 ms latency, every run has all
dashboards, folders and datasources arrive, reports nothing failed that was in
fact saved, and exits 0.

Each run starts a fresh emulator, turns the profile's faults on with the run's
seed, and runs `dash publish --env bench --output json` in a subprocess, as a
user does: the publisher's own Backoff, unpatched, so the times are honest.
Then, with the faults off, it compares the emulator's state, object by object,
with a fault-free reference publish of the same code (content, folder, version
message; folder titles and parents; datasource bodies), and with the JSON
report. `dash diff` must also find nothing to do.
"""

from __future__ import annotations

import copy
import json
import statistics
from pathlib import Path
from typing import Any

from tests.grafana_emulator import Emulator

from .measure import captured
from .suites import _Target as Target

KINDS = ("folder", "datasource", "dashboard")


def transient(total: float = 0.20, lost: float = 0.10, retry_after: str = "1") -> dict[str, Any]:
    """Resets, a proxy's 502/503/504 and 429s that together hit `total` of the requests, plus `lost` replies.

    The emulator draws them in that order for each request (server._fault_before), so the 429 rate is what
    brings the union to `total`. Grafana OSS sends no 429 (behaviour.md §9); a proxy or Grafana Cloud's
    limits do, with Retry-After in whole seconds, which the transport honours as it is (Backoff.delay, capped
    at 30 s): "1" is the smallest wait that still makes the client wait ("0" skips the backoff entirely).
    """
    reset, error = 0.05, 0.10
    rate_limit = 1 - (1 - total) / ((1 - reset) * (1 - error))
    return {"reset_rate": reset, "error_rate": error, "rate_limit_rate": round(rate_limit, 4),
            "retry_after": retry_after, "lost_response_rate": lost}


PROFILES: dict[str, dict[str, Any]] = {
    "transient": transient(),
    "sqlite_locked": {"database_locked": True, "latency": 0.020},
}
DESCRIPTIONS = {
    "transient": "20% transient (5% reset, 10% 502/503/504, 6.43% 429 Retry-After 1 s) + 10% lost replies",
    "sqlite_locked": "SQLite 'database is locked' on overlapping writes, 20 ms latency",
}


def snapshot(emulator: Emulator) -> dict[str, dict[str, Any]]:
    """What Grafana holds, without what differs between two servers (ids, versions, times): kind -> uid -> object."""
    with emulator.grafana.lock:
        org = emulator.grafana.org(1)
        return {
            "dashboard": {uid: {"json": {k: v for k, v in d.json.items() if k not in ("id", "version")},
                                "folder": d.folder_uid, "message": d.versions[0].message if d.versions else ""}
                          for uid, d in copy.deepcopy(org.dashboards).items()},
            "folder": {uid: {"title": f.title, "parent": f.parent_uid} for uid, f in org.folders.items()},
            "datasource": {uid: copy.deepcopy(ds.body) for uid, ds in org.datasources.items()},
        }


def _versions(emulator: Emulator) -> dict[str, int]:
    with emulator.grafana.lock:
        return {uid: d.version for uid, d in emulator.grafana.org(1).dashboards.items()}


def reference(target: Target) -> dict[str, dict[str, Any]]:
    """The state a fault-free publish of the target's code leaves: what every soak run must reach."""
    emulator = Emulator().start()
    try:
        target.point_at(emulator)
        _, proc = captured(target.dash(*target.PUBLISH), target.root, target.ENV)
        if proc.returncode != 0:
            raise RuntimeError(f"the fault-free reference publish exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                               f"{proc.stderr[-2000:]}")
        state = snapshot(emulator)
    finally:
        emulator.stop()
    wanted = {f"svc-{i:04d}" for i in range(target.n)}
    if set(state["dashboard"]) != wanted or not state["folder"] or not state["datasource"]:
        raise RuntimeError(f"the reference publish did not hold the {target.n} declared dashboards, their folders "
                           f"and the datasource: {sorted(state['dashboard'])[:5]}, {sorted(state['folder'])}")
    return state


def _report(stdout: str) -> dict[str, Any] | None:
    try:
        report = json.loads(stdout)
    except ValueError:
        return None  # the plan failed before anything was written: dash printed an error, not a report
    # An error as JSON ({"ok": false, "error": ...}) is no publish report either.
    return report if isinstance(report, dict) and "results" in report else None


def judge(want: dict[str, dict[str, Any]], state: dict[str, dict[str, Any]], report: dict[str, Any] | None,
          ) -> dict[str, Any]:
    """Compare the state with the reference and with the report, object by object."""
    wrong = [f"{kind} {uid}" for kind in KINDS for uid, obj in sorted(want[kind].items())
             if state[kind].get(uid) != obj]
    extra = [f"{kind} {uid}" for kind in KINDS for uid in sorted(set(state[kind]) - set(want[kind]))]
    results = (report or {}).get("results") or []
    not_ok = [r for r in results if r.get("result") != "ok"]
    # Reported failed (or skipped) although Grafana holds it: the user would chase a failure that is not one.
    false = [f"{r['kind']} {r['uid']}" for r in not_ok if r["uid"] in state.get(r["kind"], {})]
    arrived = {kind: sum(state[kind].get(uid) == obj for uid, obj in want[kind].items()) for kind in KINDS}
    return {
        "arrived": arrived,
        "declared": {kind: len(want[kind]) for kind in KINDS},
        "all_arrived": not wrong,
        "missing": len(wrong),
        "missing_or_wrong": wrong[:10],
        "extra": extra[:10],
        "reported_failed": sum(r.get("result") == "failed" for r in not_ok),
        "reported_skipped": sum(r.get("result") == "skipped" for r in not_ok),
        "false_failures": false,
        "failures": [f"{r['kind']} {r['uid']}: {r.get('message', '')}"[:300] for r in not_ok][:10],
        "report": report is not None,
    }


def run_once(target: Target, want: dict[str, dict[str, Any]], faults: dict[str, Any], seed: int,
             retries: int | None = None) -> dict[str, Any]:
    """One soak run: a fresh emulator, a publish through the faults, then the checks with the faults off."""
    emulator = Emulator().start()
    try:
        target.point_at(emulator, retries)
        emulator.set_faults(seed=seed, **faults)
        elapsed, proc = captured(target.dash(*target.PUBLISH), target.root, target.ENV)
        requests = emulator.count()
        emulator.set_faults()
        state = snapshot(emulator)
        versions = _versions(emulator)
        _, diff = captured(target.dash("diff", "--env", "bench"), target.root, target.ENV)
    finally:
        emulator.stop()
    report = _report(proc.stdout)
    out = {"seed": seed, "exit_code": proc.returncode, "seconds": round(elapsed, 2), "requests": requests,
           "retries": (report or {}).get("retries"), "write_concurrency": (report or {}).get("write_concurrency"),
           **judge(want, state, report),
           # A dashboard saved twice: a retried save that had landed was repeated instead of recognised.
           "saved_twice": sorted(uid for uid, v in versions.items() if v > 1)[:10],
           "diff_clean": diff.returncode == 0}
    if report is None:
        out["error"] = (proc.stdout + proc.stderr).strip()[-600:]
    out["target_met"] = out["all_arrived"] and not out["false_failures"] and out["exit_code"] == 0
    return out


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    retries = [r["retries"] for r in runs if r["retries"] is not None]
    return {
        "runs": len(runs),
        "all_arrived_runs": sum(r["all_arrived"] for r in runs),
        "false_failures": sum(len(r["false_failures"]) for r in runs),
        "failures": sum(r["reported_failed"] + r["reported_skipped"] for r in runs),
        # dash stopped before writing (a read of the plan ran out of retries): an error, no report
        "no_report_runs": sum(not r["report"] for r in runs),
        "exit_0_runs": sum(r["exit_code"] == 0 for r in runs),
        "diff_clean_runs": sum(r["diff_clean"] for r in runs),
        "saved_twice": sum(len(r["saved_twice"]) for r in runs),
        "median_seconds": round(statistics.median(seconds), 2),
        "max_seconds": round(max(seconds), 2),
        "median_retries": statistics.median(retries) if retries else None,
        "median_requests": statistics.median(r["requests"] for r in runs),
        "target_met": all(r["target_met"] for r in runs),
    }


def soak(n: int, seeds: list[int], tmp: Path, profiles: list[str] | None = None, retries: int | None = None,
         progress: Any = lambda line: None) -> dict[str, Any]:
    """Every profile, one run per seed, on n dashboards: {profile: {faults, runs, summary}}.

    `retries` goes into dash.yaml when given; by default dash's own default applies, as for a user."""
    target = Target(n, tmp, None)  # pointed at each run's emulator in turn
    want = reference(target)
    out: dict[str, Any] = {}
    for name in profiles or list(PROFILES):
        runs = []
        for seed in seeds:
            runs.append(run_once(target, want, PROFILES[name], seed, retries))
            last = runs[-1]
            progress(f"{name} seed {seed}: exit {last['exit_code']}, {sum(last['arrived'].values())}/"
                     f"{sum(last['declared'].values())} arrived, {len(last['false_failures'])} false failures, "
                     f"{last['retries']} retries, {last['seconds']} s")
        out[name] = {"description": DESCRIPTIONS[name], "faults": PROFILES[name], "runs": runs,
                     "summary": summarise(runs)}
    return out


def table(results: dict[str, Any]) -> str:
    headers = ("profile", "runs", "all arrived", "false failures", "failures", "no report", "exit 0", "median s",
               "max s", "median retries", "median requests", "target")
    rows = []
    for name, profile in results["profiles"].items():
        s = profile["summary"]
        rows.append((name, *(str(s[k]) for k in ("runs", "all_arrived_runs", "false_failures", "failures",
                                                  "no_report_runs", "exit_0_runs")),
                     f"{s['median_seconds']:.2f}", f"{s['max_seconds']:.2f}", str(s["median_retries"]),
                     str(s["median_requests"]), "met" if s["target_met"] else "NOT MET"))
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    settings = results["settings"]
    retries = "dash's default" if settings.get("retries") is None else settings["retries"]
    lines.append(f"\n{settings['dashboards']} dashboards per run, seeds {settings['seeds']}, retries: {retries}; "
                 "target: every run all arrived, 0 false failures, exit 0")
    for name, profile in results["profiles"].items():
        lines.append(f"  {name}: {profile['description']}")
        for run in profile["runs"]:
            if run["target_met"]:
                continue
            why = run["failures"][:3] if run["report"] else [f"no report: {run.get('error', '')[-200:]}"]
            lines.append(f"    seed {run['seed']}: exit {run['exit_code']}; {run['missing']} missing "
                         f"({', '.join(run['missing_or_wrong'][:3])}); false failures {run['false_failures']}; {why}")
    return "\n".join(lines)
