"""dash.yaml: where the dashboards live and the environments to publish to.

    dashboards: dashboards            # optional; default: ./dashboards beside dash.yaml
    alerts: alerts/guide.py           # optional: a Python file defining ALERTING (any part of it)
    stack: guide                      # optional: also write the guide's docker-compose stack (needs alerts:)
    environments:
      prod:
        url: https://grafana.example.com/grafana    # a sub-path is fine
        org_id: 1
        token: {env: GRAFANA_TOKEN_PROD}            # or {file: /run/secrets/grafana-token}
        verify_tls: true
        ca_bundle: /etc/ssl/certs/internal-ca.pem   # optional
        timeout: 10                                 # seconds per request
        concurrency: {reads: 16, writes: 8}      # ceilings: both adapt to what the server takes
        api: auto                                   # auto | legacy (/api) | apis (/apis, Grafana 12+)
        folder: Monitoring                          # dashboards' folders go below it
        datasources:
          prometheus: {url: "http://prometheus:9090"}
    lint: {ignore: [DASH050], per_uid: {api-performance: [DASH051]}}   # optional: findings not counted

Errors name the file, the key and the fix. Unknown keys are refused rather
than ignored, so a typo cannot silently change what is published. Secrets are
references only; a token written inline is refused.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

import attrs

from .config_environment import AlertingSettings, BasicAuth, DatasourceSettings, Environment, environment  # noqa: F401 - re-exported: the records are part of the config's API
from .config_values import ConfigError, Reader

DEFAULT_FILE = "dash.yaml"
DEFAULT_DASHBOARDS = "dashboards"
TOP_LEVEL_KEYS = ("project", "dashboards", "alerts", "stack", "environments", "lint")
STACKS = ("guide",)  # the compose stacks dash can write (provisioning/compose.py)
LINT_CODE = re.compile(r"^DASH(?!000)\d{3}$")  # DASH000 (a module that failed to load) is never suppressed
PROJECT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,36}$")  # it goes into a dashboard tag (Grafana: at most 50 bytes)


@attrs.frozen
class LintSettings:
    """dash.yaml's `lint:`: codes not counted, in every dashboard (`ignore`) or in some (`per_uid`)."""

    ignore: frozenset[str] = frozenset()
    per_uid: dict[str, frozenset[str]] = attrs.field(factory=dict)


@attrs.frozen
class Config:
    path: Path | None  # None when no file exists and defaults apply
    dashboards: Path | None = None  # None: no dashboards directory was given or found
    environments: dict[str, Environment] = attrs.field(factory=dict)
    alerts: Path | None = None  # a Python file defining ALERTING; None: no alerting
    project: str = "dash"  # whose objects these are: prune touches only this project's
    lint: LintSettings = LintSettings()
    stack: str | None = None  # "guide": the build writes the guide's docker-compose stack beside the alerting

    def environment(self, name: str) -> Environment:
        if name not in self.environments:
            where = str(self.path) if self.path else f"./{DEFAULT_FILE} (not found)"
            known = ", ".join(sorted(self.environments)) or "none"
            hint = difflib.get_close_matches(name, list(self.environments), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            if not hint and self.path is not None and _commented_out(self.path, name):
                suggestion = f"; it is commented out in {self.path}: uncomment its block (and set what it names)"
            raise ConfigError(f"{where}: no environment {name!r} (known: {known}){suggestion}",
                              str(self.path) if self.path else None, "environments")
        env = self.environments[name]
        if env.unusable:
            raise ConfigError(f"{env.unusable} (env {name} cannot be used until it is)", env.source,
                              f"environments.{name}")
        return env


def _commented_out(path: Path, name: str) -> bool:
    """Whether dash.yaml has the environment as a comment (`# prod:`), as `dash init` writes a server's."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^\s*#\s*{re.escape(name)}:\s*$", text, re.M) is not None


def _lint_codes(reader: Reader, value: Any, path: str) -> frozenset[str]:
    codes = reader.strings(value, path)
    wrong = [c for c in codes if not LINT_CODE.match(c)]
    if wrong:
        raise reader.fail(path, f"{wrong[0]!r} is no lint code that can be ignored: give codes such as DASH050 "
                          "(see `dash lint`'s output; DASH000, a module that failed to load, cannot be)")
    return frozenset(codes)


def _lint(reader: Reader, value: Any) -> LintSettings:
    data = reader.mapping(value, "lint", ("ignore", "per_uid"))
    ignore = _lint_codes(reader, data["ignore"], "lint.ignore") if "ignore" in data else frozenset()
    per_uid = {str(uid): _lint_codes(reader, codes, f"lint.per_uid.{uid}")
               for uid, codes in reader.mapping(data.get("per_uid"), "lint.per_uid").items()}
    return LintSettings(ignore, per_uid)


def _unique_keys_loader() -> Any:
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML would keep the last)."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        f"while reading the mapping that starts on line {node.start_mark.line + 1}", node.start_mark,
                        f"duplicate key {key!r} (first on line {seen[key] + 1}); a second one would silently "
                        "replace the first", key_node.start_mark)
                seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep)

    return Loader


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_unique_keys_loader())  # noqa: S506 - safe
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}", str(path),
                          line=mark.line + 1 if mark is not None else None) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None


def _default_dashboards(base: Path) -> Path | None:
    """./dashboards beside dash.yaml (or in the working directory), when it exists."""
    candidate = base / DEFAULT_DASHBOARDS
    return candidate if candidate.is_dir() else None


def _project(reader: "Reader | None", value: Any, base: Path) -> str:
    """dash.yaml's `project:`, else the name of the directory that holds it, lower-cased and slugged."""
    if value is None:
        return re.sub(r"[^a-z0-9._-]+", "-", base.resolve().name.lower()).strip("-._")[:37] or "dash"
    if reader is not None and (not isinstance(value, str) or not PROJECT.match(value)):
        raise reader.fail("project", f"must be 1-37 characters of a-z, 0-9, '.', '_' and '-' starting with a "
                          f"letter or digit (it goes into a Grafana tag), got {value!r}")
    return value


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load `path`, or ./dash.yaml when it exists, or return the defaults."""
    explicit = path is not None
    file = Path(path) if explicit else Path(DEFAULT_FILE)
    if not file.exists():
        if explicit:
            raise ConfigError(f"{file}: no such configuration file (from --config or DASH_CONFIG)")
        return Config(path=None, dashboards=_default_dashboards(Path.cwd()), project=_project(None, None, Path.cwd()))
    reader = Reader(file)
    data = _read_yaml(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping with keys such as 'environments'")
    reader.mapping(data, "", TOP_LEVEL_KEYS)
    base = file.resolve().parent
    dashboards = reader.string(data.get("dashboards"), "dashboards")
    alerts = reader.string(data.get("alerts"), "alerts")
    stack = reader.string(data.get("stack"), "stack")
    if stack is not None and stack not in STACKS:
        raise reader.fail("stack", f"must be one of {', '.join(STACKS)} (the guide's docker-compose stack), "
                          f"got {stack!r}")
    if stack is not None and not alerts:
        raise reader.fail("stack", "the stack mounts the alerting files: set `alerts:` too")
    envs = {
        str(name): environment(reader, str(name), raw, base)
        for name, raw in reader.mapping(data.get("environments"), "environments").items()
    }
    return Config(path=file, dashboards=(base / dashboards) if dashboards else _default_dashboards(base),
                  environments=envs, alerts=(base / alerts) if alerts else None,
                  project=_project(reader, data.get("project"), base), lint=_lint(reader, data.get("lint")),
                  stack=stack)
