"""python -m bench: measure dash, print a table, write the numbers as JSON.

    python -m bench                      # the full run (a few minutes on 2 cores)
    python -m bench --smoke              # N=5, one run each: checks that the benchmark works
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import suites
from .report import table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="build workloads (dashboards) [10,100,1000]")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported [3]")
    parser.add_argument("--publish", type=int, default=200, help="dashboards for the publish runs [200]")
    parser.add_argument("--latency", type=float, default=0.020, help="emulator latency per request, s [0.020]")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run: does the benchmark run at all?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.runs, args.publish, args.latency = "5,10", 1, 5, 0.001
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = suites.workdir()
    started = time.perf_counter()
    try:
        # A real install byte-compiles the package; an editable one may not (PYTHONDONTWRITEBYTECODE).
        subprocess.run([sys.executable, "-m", "compileall", "-q", *[str(Path(__file__).resolve().parent.parent / d)
                        for d in ("dashboards", "publisher", "alerts", "provisioning")]], capture_output=True)
        results = {
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "cpus": __import__("os").cpu_count()},
            "settings": {"sizes": sizes, "runs": args.runs, "publish_dashboards": args.publish,
                         "latency_s": args.latency},
            "startup": suites.startup(max(args.runs, 5), tmp),
            "build": suites.build(sizes, args.runs, tmp),
        }
        results["memory"] = suites.memory(max(sizes), tmp)
        results["publish"] = suites.publish(args.publish, args.runs, args.latency, tmp)
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


if __name__ == "__main__":
    sys.exit(main())
