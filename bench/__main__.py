"""python -m bench: measure dash, print a table, write the numbers as JSON.

    python -m bench                      # the full run (a few minutes on 2 cores)
    python -m bench --smoke              # N=5, one run each: checks that the benchmark works
    python -m bench --large              # also 2,000 dashboards at 100 ms and a build of 10,000 (about 15 min)
    python -m bench --soak               # the fault soak alone: 200 dashboards, 10 seeds, 2 profiles (bench/soak.py)
    python -m bench --soak --smoke       # 5 dashboards, 2 seeds
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import soak, suites
from .report import table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="build workloads (dashboards) [10,100,1000]")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported [3]")
    parser.add_argument("--publish", type=int, default=200, help="dashboards for the publish runs [200]")
    parser.add_argument("--latency", type=float, default=0.020, help="emulator latency per request, s [0.020]")
    parser.add_argument("--json", help="where to write the results [bench-results.json; bench-soak.json with --soak]")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run: does the benchmark run at all?")
    parser.add_argument("--large", action="store_true", help="also: a no-op publish of 2,000 dashboards at 100 ms "
                        "on the native path, and peak memory of a build of 10,000")
    parser.add_argument("--soak", action="store_true", help="run the fault soak alone (bench/soak.py); "
                        "--publish dashboards per run [200]")
    parser.add_argument("--seeds", type=int, default=10, help="soak runs per fault profile, one seed each [10]")
    parser.add_argument("--retries", type=int, help="soak: the environment's retries: in dash.yaml [dash's default]")
    parser.add_argument("--profiles", default=",".join(soak.PROFILES),
                        help=f"soak: the fault profiles to run [{','.join(soak.PROFILES)}]")
    args = parser.parse_args(argv)
    if args.soak:
        unknown = set(args.profiles.split(",")) - set(soak.PROFILES)
        if unknown:
            parser.error(f"--profiles: no such fault profile {', '.join(sorted(unknown))}")
        return _soak(args)
    args.json = args.json or "bench-results.json"
    if args.smoke:
        args.sizes, args.runs, args.publish, args.latency = "5,10", 1, 5, 0.001
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = suites.workdir()
    suites.isolate_cache(tmp)
    started = time.perf_counter()
    try:
        _compile()
        results = {
            "machine": _machine(),
            "settings": {"sizes": sizes, "runs": args.runs, "publish_dashboards": args.publish,
                         "latency_s": args.latency},
            "startup": suites.startup(max(args.runs, 5), tmp),
            "build": suites.build(sizes, args.runs, tmp),
        }
        results["memory"] = suites.memory(max(sizes), tmp)
        results["publish"] = suites.publish(args.publish, args.runs, args.latency, tmp, suites.NATIVE)
        results["publish_legacy"] = suites.publish(args.publish, args.runs, args.latency, tmp, suites.LEGACY)
        if args.large:
            results["memory_large"] = suites.memory(10_000, tmp)
            results["publish_large"] = suites.publish_large(2000, args.runs, 0.100, tmp)
        # Growth is measured between the two largest sizes, so it needs two.
        if len(set(sizes)) >= 2:
            results["scaling"] = suites.scaling(results["build"], sorted(set(sizes)), args.runs, args.latency, tmp)
        results["seconds"] = round(time.perf_counter() - started, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(table(results))
    print(f"\nwrote {args.json} ({results['seconds']} s)")
    return 0


def _compile() -> None:
    """A real install byte-compiles the package; an editable one may not (PYTHONDONTWRITEBYTECODE)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", *[str(Path(__file__).resolve().parent.parent / d)
                    for d in ("dashboards", "publisher", "alerts", "provisioning")]], capture_output=True)


def _machine() -> dict[str, object]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def _soak(args: argparse.Namespace) -> int:
    """The fault soak: a table, and the numbers as JSON; exit 1 when the target is not met."""
    n, seeds = (5, 2) if args.smoke else (args.publish, args.seeds)
    out = Path(args.json or "bench-soak.json")
    tmp = suites.workdir()
    suites.isolate_cache(tmp)
    started = time.perf_counter()
    try:
        _compile()
        profiles = soak.soak(n, list(range(1, seeds + 1)), tmp, args.profiles.split(","), retries=args.retries,
                             progress=lambda line: print(line, flush=True))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results = {"machine": _machine(),
               "settings": {"dashboards": n, "seeds": list(range(1, seeds + 1)), "retries": args.retries},
               "profiles": profiles, "seconds": round(time.perf_counter() - started, 1)}
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print()
    print(soak.table(results))
    print(f"\nwrote {out} ({results['seconds']} s)")
    return 0 if all(p["summary"]["target_met"] for p in profiles.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
