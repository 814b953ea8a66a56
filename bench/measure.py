"""Timing and memory of whole commands, as a user runs them: each in a fresh process."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import attrs


@attrs.frozen
class Sample:
    """Wall times in seconds of repeated runs of one command."""

    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def to_json(self) -> dict[str, float]:
        return {"median": round(self.median, 4), "min": round(min(self.times), 4), "max": round(max(self.times), 4),
                "runs": len(self.times)}


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> float:
    """Wall time of one run of `command`."""
    elapsed, proc = captured(command, cwd, env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


def captured(command: Sequence[str], cwd: Path,
             env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time and the finished process (exit status, output) of one run of `command`."""
    started = time.perf_counter()
    proc = subprocess.run(list(command), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def repeat(runs: int, once: Callable[[], float], before: Callable[[], None] = lambda: None) -> Sample:
    times = []
    for _ in range(runs):
        before()
        times.append(once())
    return Sample(tuple(times))


def peak_rss_mb(command: Sequence[str], cwd: Path) -> float:
    """Peak resident memory of `command`, measured from a fresh parent so that nothing else counts."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # Linux reports KiB


def tool(name: str) -> str:
    """A console script of this interpreter's environment (dash, generate-dashboards).

    Never a bare name from PATH: on Debian, `dash` there is the /bin/dash shell.
    """
    candidate = Path(sys.executable).parent / name
    if not candidate.exists():
        raise SystemExit(f"error: {candidate} not found: run the benchmark with the Python of the virtualenv "
                         "where dash is installed (. .venv/bin/activate && python -m bench)")
    return str(candidate)


__all__ = ["Sample", "captured", "peak_rss_mb", "repeat", "resource", "run", "tool"]
