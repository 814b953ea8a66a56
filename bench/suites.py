"""The measurements. Each returns a plain dict; ratios compare with a baseline measured in the same run."""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.grafana_emulator import Emulator

from . import workload
from .measure import Sample, peak_rss_mb, repeat, run, tool

TOKEN = "glsa_test_admin_token"


def startup(runs: int, tmp: Path) -> dict[str, Any]:
    """`dash --help` against `python -c pass`."""
    python = repeat(runs, lambda: run([sys.executable, "-c", "pass"], tmp))
    dash = repeat(runs, lambda: run([tool("dash"), "--help"], tmp))
    return {
        "python": python.to_json(),
        "dash_help": dash.to_json(),
        "overhead_ms": round((dash.median - python.median) * 1000, 1),
        "target_overhead_ms": 120,
    }


def build(sizes: list[int], runs: int, tmp: Path) -> dict[str, Any]:
    """`dash build` and `dash lint` against grafanalib's `generate-dashboards`, on the same dashboards.

    `dash_build` is a first build (an empty cache: DASH_CACHE_DIR is emptied before each run); `dash_rebuild`
    is the same build again with nothing changed (the module cache warm), as a user's second run is.
    """
    results: dict[str, Any] = {}
    for n in sizes:
        root = tmp / f"build-{n}"
        sdk, gl = workload.write(n, root)
        files = sorted(str(p) for p in gl.glob("*.dashboard.py"))
        out = root / "out"
        command = [tool("dash"), "--dashboards", str(sdk), "build", "--out", str(out)]
        times = runs if runs == 1 or n > 100 else max(runs, 7)  # short runs are noisy: take more
        dash = repeat(times, lambda: run(command, root), before=lambda: (_empty_cache(),
                                                                        shutil.rmtree(out, ignore_errors=True)))
        rebuild = repeat(times, lambda: run(command, root))
        grafanalib = repeat(times, lambda: run([tool("generate-dashboards"), *files], root))
        lint = repeat(times, lambda: run([tool("dash"), "--dashboards", str(sdk), "lint"], root))
        results[str(n)] = {
            "dash_build": dash.to_json(),
            "dash_rebuild": rebuild.to_json(),
            "grafanalib": grafanalib.to_json(),
            "dash_lint": lint.to_json(),
            "dash_per_second": round(n / dash.median, 1),
            "grafanalib_per_second": round(n / grafanalib.median, 1),
            "lint_per_second": round(n / lint.median, 1),
            "speedup": round(grafanalib.median / dash.median, 2),
            "rebuild_speedup": round(dash.median / rebuild.median, 2),
            "target_speedup": 1.5 if n >= 1000 else 1.0,
            "target_rebuild_speedup": 10.0,
        }
    return results


def _empty_cache() -> None:
    """A first run: nothing in dash's cache (bench's own DASH_CACHE_DIR: see `isolate_cache`)."""
    shutil.rmtree(os.environ["DASH_CACHE_DIR"], ignore_errors=True)


def isolate_cache(tmp: Path) -> None:
    """Every dash the benchmark starts uses a cache of its own under `tmp`, never the user's."""
    os.environ["DASH_CACHE_DIR"] = str(tmp / "dash-cache")


def memory(n: int, tmp: Path) -> dict[str, Any]:
    """Peak RSS of `dash build` (and, for reference, of generate-dashboards) for n dashboards."""
    root = tmp / f"memory-{n}"
    sdk, gl = workload.write(n, root)
    _empty_cache()
    dash = peak_rss_mb([tool("dash"), "--dashboards", str(sdk), "build", "--out", str(root / "out")], root)
    grafanalib = peak_rss_mb([tool("generate-dashboards"), *sorted(str(p) for p in gl.glob("*.dashboard.py"))], root)
    return {"dashboards": n, "dash_build_peak_rss_mb": round(dash, 1), "grafanalib_peak_rss_mb": round(grafanalib, 1),
            "target_mb": 200 if n >= 10_000 else 300}


class _Target:
    """A temporary repository that publishes its n dashboards to an emulator."""

    def __init__(self, n: int, tmp: Path, emulator: Emulator | None) -> None:
        self.n = n
        self.root = tmp / f"publish-{n}"
        self.sdk, self.gl = workload.write(n, self.root)
        if emulator is not None:  # else point_at() before publishing
            self.point_at(emulator)

    def point_at(self, emulator: Emulator, retries: int | None = None) -> None:
        """Publish to `emulator` from now on (a fresh one listens on another port); `retries`: dash's default
        unless given."""
        self.emulator = emulator
        (self.root / "dash.yaml").write_text(
            "environments:\n"
            "  bench:\n"
            f"    url: {emulator.url}\n"
            "    token: {env: BENCH_TOKEN}\n"
            "    folder: Bench\n"
            "    datasources: {prometheus: {url: 'http://prometheus:9090'}}\n"
            + (f"    retries: {retries}\n" if retries is not None else "")
        )

    def dash(self, *args: str) -> list[str]:
        """The `dash` command line for this repository: `dash --dashboards SDK ARGS...`."""
        return [tool("dash"), "--dashboards", str(self.sdk), *args]



    PUBLISH = ("publish", "--env", "bench", "-m", "bench", "--output", "json")
    ENV = {"BENCH_TOKEN": TOKEN}

    def publish(self, *options: str) -> float:
        """One publish; `options` go before the command (`--no-cache`)."""
        return run([*self.dash(*options, *self.PUBLISH)], self.root, self.ENV)

    def naive(self) -> float:
        files = sorted(str(p) for p in self.gl.glob("*.dashboard.py"))
        return run([sys.executable, "-m", "bench.naive", self.emulator.url, TOKEN, *files], self.root,
                   {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)})

    def counts(self) -> dict[str, int]:
        """Requests by method, and how many of them went to /apis (the native path)."""
        by_method: dict[str, int] = {}
        for (method, path), count in self.emulator.counts.items():
            by_method[method] = by_method.get(method, 0) + count
            if path.startswith("/apis"):
                by_method["of which /apis"] = by_method.get("of which /apis", 0) + count
        return dict(sorted(by_method.items()))

    def change_one(self) -> None:
        """Retitle one panel of one dashboard: each call is exactly one dashboard update."""
        self.changes = getattr(self, "changes", 0) + 1
        module = self.sdk / "svc_0000.py"
        text = re.sub(r'"Request rate( v\d+)?"', f'"Request rate v{self.changes}"', module.read_text(), count=1)
        module.write_text(text)


NATIVE, LEGACY = "12.x", "11.6"  # the emulator's modes: /apis dashboards (v1beta1) and folders; /api only
# The targets per path: a no-op on the native path reads every dashboard with one paged LIST.
NO_OP_TARGET = {NATIVE: 20.0, LEGACY: 10.0}


def _emulator(latency: float, mode: str = NATIVE) -> Emulator:
    emulator = Emulator(mode=mode).start()
    emulator.set_faults(latency=latency)
    return emulator


def publish(n: int, runs: int, latency: float, tmp: Path, mode: str = NATIVE) -> dict[str, Any]:
    """Cold, no-op and one-change publishes against the naive sequential loop's cold run, on the emulator in
    `mode` (NATIVE: dash plans from the /apis LISTs; LEGACY: Grafana 11.6, /api only)."""
    emulator = _emulator(latency, mode)
    try:
        target = _Target(n, tmp, emulator)
        naive_counts: dict[str, int] = {}

        def naive_once() -> float:
            emulator.reset()
            elapsed = target.naive()
            naive_counts.update(target.counts())
            return elapsed

        naive = repeat(runs, naive_once)
        counts: dict[str, dict[str, int]] = {}

        def measured(label: str, before: Any) -> Sample:
            """`runs` publishes, each after `before()`; keeps the last run's request counts."""
            def once() -> float:
                before()
                elapsed = target.publish()
                counts[label] = target.counts()
                return elapsed
            return repeat(runs, once)

        cold = measured("cold", emulator.reset)

        def cold_no_cache() -> float:
            emulator.reset()
            elapsed = target.publish("--no-cache")
            counts["cold_no_cache"] = target.counts()
            return elapsed
        uncached = repeat(runs, cold_no_cache)
        noop = measured("no_op", emulator.reset_counts)
        changed = measured("one_changed", lambda: (target.change_one(), emulator.reset_counts()))
        no_op_writes = sum(v for k, v in counts["no_op"].items() if k in ("POST", "PUT", "DELETE", "PATCH"))
        return {
            "dashboards": n,
            "grafana": mode,
            "path": "native /apis" if mode == NATIVE else "legacy /api",
            "latency_ms": latency * 1000,
            "naive_cold": {**naive.to_json(), "requests": naive_counts},
            "dash_cold": {**cold.to_json(), "requests": counts["cold"]},  # an empty Grafana, dash's cache warm
            "dash_cold_no_cache": {**uncached.to_json(), "requests": counts["cold_no_cache"]},
            "dash_no_op": {**noop.to_json(), "requests": counts["no_op"]},
            "dash_one_changed": {**changed.to_json(), "requests": counts["one_changed"]},
            "cold_speedup": round(naive.median / cold.median, 2),
            "cold_no_cache_speedup": round(naive.median / uncached.median, 2),
            "no_op_speedup": round(naive.median / noop.median, 2),
            "no_op_writes": no_op_writes,
            "target_cold_speedup": 5.0,
            "target_no_op_speedup": NO_OP_TARGET[mode],
        }
    finally:
        emulator.stop()


def publish_large(n: int, runs: int, latency: float, tmp: Path) -> dict[str, Any]:
    """A no-op publish of many dashboards on the native path against the naive loop's cold run (one run of
    the loop: at 100 ms a request, 2,000 dashboards take it minutes)."""
    emulator = _emulator(latency, NATIVE)
    try:
        target = _Target(n, tmp, emulator)
        naive = target.naive()
        emulator.reset()
        cold = target.publish()
        emulator.reset_counts()
        noop = repeat(runs, target.publish)
        requests = target.counts()
        return {
            "dashboards": n,
            "grafana": NATIVE,
            "latency_ms": latency * 1000,
            "naive_cold_s": round(naive, 2),
            "dash_cold_s": round(cold, 2),
            "dash_no_op": {**noop.to_json(), "requests": requests},
            "no_op_speedup": round(naive / noop.median, 2),
            "target_no_op_speedup": 50.0,
        }
    finally:
        emulator.stop()


def scaling(build_results: dict[str, Any], sizes: list[int], runs: int, latency: float, tmp: Path) -> dict[str, Any]:
    """How build and no-op publish time grow with N: the marginal cost per dashboard, small N vs large N."""
    emulator = _emulator(latency)
    noop: dict[str, Sample] = {}
    try:
        for n in sizes:
            emulator.reset()
            target = _Target(n, tmp / "scaling", emulator)
            target.publish()
            noop[str(n)] = repeat(runs, target.publish)
    finally:
        emulator.stop()

    def growth(times: dict[str, float]) -> dict[str, Any]:
        """T grows like N^exponent between the two largest sizes; linear or better is exponent <= 1."""
        ns = sorted(int(k) for k in times)
        a, b = ns[-2], ns[-1]
        exponent = math.log(times[str(b)] / times[str(a)]) / math.log(b / a)
        return {"seconds": {k: round(v, 4) for k, v in times.items()},
                "ms_per_dashboard": {str(n): round(1000 * times[str(n)] / n, 3) for n in ns},
                "exponent": round(exponent, 2)}

    build_times = {k: v["dash_build"]["median"] for k, v in build_results.items()}
    return {
        "build": growth(build_times),
        "no_op_publish": growth({k: s.median for k, s in noop.items()}),
        "target": "linear or better: time grows like N^e with e <= 1 between the two largest sizes",
    }


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="dash-bench-"))
