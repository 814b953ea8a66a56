"""The results as a table: ratios first, each with its target."""

from __future__ import annotations

from typing import Any


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _publish_rows(p: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """One publish suite (bench/suites.publish): cold, cold uncached, no-op and one change, on one path."""
    at = f"publish {p['dashboards']} ({p['path']}, Grafana {p['grafana']})"
    return [
        (f"{at} cold vs naive loop", f"{p['cold_speedup']}x "
         f"({p['dash_cold']['median']:.2f} s vs {p['naive_cold']['median']:.2f} s)",
         f">= {p['target_cold_speedup']}x", _verdict(p["cold_speedup"] >= p["target_cold_speedup"])),
        (f"{at} cold, --no-cache", f"{p['cold_no_cache_speedup']}x ({p['dash_cold_no_cache']['median']:.2f} s)",
         "", ""),
        (f"{at} no-op vs naive cold", f"{p['no_op_speedup']}x "
         f"({p['dash_no_op']['median']:.2f} s, {p['no_op_writes']} writes, {p['dash_no_op']['requests']})",
         f">= {p['target_no_op_speedup']}x, 0 writes",
         _verdict(p["no_op_speedup"] >= p["target_no_op_speedup"] and p["no_op_writes"] == 0)),
        (f"{at} one changed", f"{p['dash_one_changed']['median']:.2f} s ({p['dash_one_changed']['requests']})",
         "-", "-"),
    ]


def table(r: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str]] = []
    s = r["startup"]
    rows.append(("startup: dash --help over python -c pass", f"+{s['overhead_ms']} ms",
                 f"<= +{s['target_overhead_ms']} ms", _verdict(s["overhead_ms"] <= s["target_overhead_ms"])))
    for n, b in r["build"].items():
        rows.append((f"build {n}: dash vs grafanalib generate-dashboards",
                     f"{b['speedup']}x ({b['dash_per_second']} vs {b['grafanalib_per_second']} dashboards/s)",
                     f">= {b['target_speedup']}x", _verdict(b["speedup"] >= b["target_speedup"])))
        rows.append((f"build {n} again, nothing changed, vs the first build", f"{b['rebuild_speedup']}x "
                     f"({b['dash_rebuild']['median']:.2f} s vs {b['dash_build']['median']:.2f} s)",
                     f">= {b['target_rebuild_speedup']}x",
                     _verdict(b["rebuild_speedup"] >= b["target_rebuild_speedup"])))
        rows.append((f"lint {n}: dash lint (schema, PromQL, ...)", f"{b['lint_per_second']} dashboards/s", "-", "-"))
    for key in ("memory", "memory_large"):
        if key in r:
            m = r[key]
            rows.append((f"memory: dash build of {m['dashboards']} (first build)", f"{m['dash_build_peak_rss_mb']} MB "
                         f"peak RSS (grafanalib {m['grafanalib_peak_rss_mb']} MB)", f"< {m['target_mb']} MB",
                         _verdict(m["dash_build_peak_rss_mb"] < m["target_mb"])))
    for key in ("publish", "publish_legacy"):
        if key in r:
            rows += _publish_rows(r[key])
    if "publish_large" in r:
        p = r["publish_large"]
        rows.append((f"publish {p['dashboards']} at {p['latency_ms']:.0f} ms, no-op vs naive cold (native)",
                     f"{p['no_op_speedup']}x ({p['dash_no_op']['median']:.2f} s vs {p['naive_cold_s']:.1f} s)",
                     f">= {p['target_no_op_speedup']}x", _verdict(p["no_op_speedup"] >= p["target_no_op_speedup"])))
    for key, label in (("build", "build"), ("no_op_publish", "no-op publish")):
        if "scaling" not in r:
            rows.append((f"scaling {label}", "not measured (needs two --sizes)", "e <= 1", "-"))
            continue
        g = r["scaling"][key]
        per = ", ".join(f"{n}: {ms} ms" for n, ms in g["ms_per_dashboard"].items())
        rows.append((f"scaling {label}: time ~ N^e; per dashboard", f"e = {g['exponent']} ({per})",
                     "e <= 1 (linear or better)", _verdict(g["exponent"] <= 1.0)))
    widths = [max(len(row[i]) for row in rows + [("measure", "result", "target", "verdict")]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("measure", "result", "target", "verdict"), widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    machine = r["machine"]
    lines.append(f"\nmachine: {machine['cpus']} CPUs, Python {machine['python']}, {machine['platform']}; "
                 f"median of {r['settings']['runs']} runs")
    return "\n".join(lines)
