"""The benchmark still runs (tiny sizes, one run each). It asserts nothing about speed."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT


def test_the_benchmark_runs_and_reports_every_section(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads(out.read_text())
    assert set(results) >= {"machine", "settings", "startup", "build", "memory", "publish", "scaling"}
    assert set(results["build"]) == {"5", "10"}
    publish = results["publish"]
    for run in ("naive_cold", "dash_cold", "dash_no_op", "dash_one_changed"):
        assert publish[run]["median"] > 0 and publish[run]["requests"]
    assert publish["dash_cold"]["requests"]["POST"] >= 5  # every dashboard was created
    assert publish["no_op_writes"] == 0
    changed = publish["dash_one_changed"]["requests"]
    assert changed.get("POST", 0) + changed.get("PUT", 0) == 1  # exactly the changed dashboard (/api or /apis)
    assert "measure" in proc.stdout and "verdict" in proc.stdout
