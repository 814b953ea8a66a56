"""Find the alerting definition: a Python file that defines `ALERTING = Alerting(...)`.

dash.yaml's `alerts:` key names the file. Without it, the guide's alerting
(alerts/guide.py) goes with the guide's dashboards; a repository with its own
`dashboards:` and no `alerts:` builds no alerting files.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

import attrs

BUILTIN = "alerts/guide.py"


@attrs.frozen
class Loaded:
    alerting: Any | None  # an alerts.model.Alerting, or None
    source: str | None
    error: Any | None = None  # a publisher.discovery.LoadError


def load_alerting(path: Path | None, builtin: bool) -> Loaded:
    from publisher.discovery import LoadError, display_path

    if path is None:
        if not builtin:
            return Loaded(None, None)
        from .guide import ALERTING

        return Loaded(ALERTING, BUILTIN)
    from .model import Alerting

    shown = display_path(path)
    if not path.is_file():
        return Loaded(None, shown, LoadError(shown, 0, "no such alerts file (from `alerts:` in dash.yaml)"))
    name = "dash_user_alerts"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        return Loaded(None, shown, LoadError(shown, exc.lineno or 1, f"SyntaxError: {exc.msg}"))
    except Exception as exc:  # noqa: BLE001 - reported with its line, not raised
        line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                     if Path(f.filename).resolve() == path.resolve()), 1)
        return Loaded(None, shown, LoadError(shown, line or 1, f"{type(exc).__name__}: {exc}"))
    alerting = getattr(module, "ALERTING", None)
    if not isinstance(alerting, Alerting):
        return Loaded(None, shown, LoadError(shown, 1, "defines no ALERTING = Alerting(...)"))
    return Loaded(alerting, shown)
