"""dash.yaml: where the dashboards live and the environments to publish to.

    dashboards: dashboards            # optional; default: ./dashboards beside dash.yaml
    alerts: alerts/guide.py           # optional: a Python file defining ALERTING
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
import ipaddress
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from .config_values import SECRET_HINT, ConfigError, Reader, kind_of
from .secrets import Secret, SecretError, SecretRef

DEFAULT_FILE = "dash.yaml"
DEFAULT_DASHBOARDS = "dashboards"
TOP_LEVEL_KEYS = ("project", "dashboards", "alerts", "environments", "lint")
LINT_CODE = re.compile(r"^DASH(?!000)\d{3}$")  # DASH000 (a module that failed to load) is never suppressed
PROJECT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,36}$")  # it goes into a dashboard tag (Grafana: at most 50 bytes)
ENV_KEYS = (
    "url", "directory", "org_id", "token", "basic_auth", "verify_tls", "ca_bundle", "timeout", "concurrency", "folder",
    "allow_insecure_http", "datasources", "retries", "alerting", "namespace", "api",
)
API_CHOICES = ("auto", "legacy", "apis")
ALERTING_KEYS = ("targets", "alertmanagers", "blackbox_exporter", "secrets_dir")
DATASOURCE_KEYS = ("url", "name", "type", "access", "is_default", "basic_auth", "json_data", "secure_json_data")


@attrs.frozen
class BasicAuth:
    user: str
    password: SecretRef


@attrs.frozen
class DatasourceSettings:
    """Per-environment settings of one datasource, keyed by its uid in dash.yaml."""

    uid: str
    url: str
    name: str | None = None  # default: the Datasource declared in Python
    type: str | None = None
    access: str = "proxy"
    is_default: bool = False
    basic_auth: BasicAuth | None = None
    json_data: dict[str, Any] = attrs.field(factory=dict)
    secure_json_data: dict[str, SecretRef] = attrs.field(factory=dict)


@attrs.frozen
class AlertingSettings:
    """Per-environment inputs of prometheus.yml and alertmanager.yml."""

    targets: dict[str, tuple[str, ...]] = attrs.field(factory=dict)  # scrape job -> targets
    alertmanagers: tuple[str, ...] | None = None
    blackbox_exporter: str | None = None
    secrets_dir: str | None = None  # absolute: Alertmanager reads *_file relative to its cwd


@attrs.frozen
class Environment:
    name: str
    url: str  # "" for a directory environment
    org_id: int = 1
    token: SecretRef | None = None
    basic_auth: BasicAuth | None = None
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout: float = 10.0
    reads: int = 16  # a ceiling: reads adapt to the server's health (transport.AdaptiveLimit)
    writes: int = 8  # a ceiling: writes adapt to what the server takes (transport.AdaptiveLimit)
    retries: int = 10  # per request; the fault soak (python -m bench --soak) needs 10 at 28% failed attempts
    folder: str | None = None
    allow_insecure_http: bool = False
    datasources: dict[str, DatasourceSettings] = attrs.field(factory=dict)
    alerting: AlertingSettings | None = None
    source: str = DEFAULT_FILE  # the file it came from, for error messages
    base_dir: Path = Path(".")
    directory: Path | None = None  # a Grafana provisioning tree to write instead of a server
    namespace: str | None = None  # the /apis namespace; default "default" / "org-<id>"; Cloud: "stacks-<id>"
    api: str = "auto"  # which API dashboards and folders go through: chosen by the probe, or forced

    @property
    def target(self) -> str:
        return str(self.directory) if self.directory is not None else self.url

    def auth_description(self) -> str:
        if self.token is not None:
            return f"token from {self.token.describe()}"
        if self.basic_auth is not None:
            return f"basic auth as {self.basic_auth.user}, password from {self.basic_auth.password.describe()}"
        return "none"

    def credentials(self) -> Secret | tuple[str, Secret] | None:
        """The resolved token, or (user, password); raises ConfigError when a reference is unset."""
        try:
            if self.token is not None:
                return self.token.resolve(self.base_dir)
            if self.basic_auth is not None:
                return (self.basic_auth.user, self.basic_auth.password.resolve(self.base_dir))
        except SecretError as exc:
            key = "token" if self.token is not None else "basic_auth.password"
            raise ConfigError(f"{self.source}: environments.{self.name}.{key}: {exc}") from None
        return None

    @property
    def is_loopback(self) -> bool:
        host = urlsplit(self.url).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


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

    def environment(self, name: str) -> Environment:
        if name not in self.environments:
            where = str(self.path) if self.path else f"./{DEFAULT_FILE} (not found)"
            known = ", ".join(sorted(self.environments)) or "none"
            hint = difflib.get_close_matches(name, list(self.environments), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(f"{where}: no environment {name!r} (known: {known}){suggestion}")
        return self.environments[name]


def _basic_auth(reader: Reader, value: Any, path: str) -> BasicAuth | None:
    if value is None:
        return None
    data = reader.mapping(value, path, ("user", "password"))
    user = reader.string(data.get("user"), f"{path}.user", required=True)
    if "password" not in data:
        raise reader.fail(f"{path}.password", f"is required: {SECRET_HINT}")
    return BasicAuth(user, reader.secret(data["password"], f"{path}.password"))


def _url(reader: Reader, value: Any, path: str) -> str:
    url = reader.string(value, path, required=True)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise reader.fail(path, f"must be an http:// or https:// URL such as https://grafana.example.com, got {url!r}")
    if parts.query or parts.fragment:
        raise reader.fail(path, "must not carry a query string or fragment")
    return url.rstrip("/")


def _datasources(reader: Reader, value: Any, path: str) -> dict[str, DatasourceSettings]:
    out = {}
    for uid, raw in reader.mapping(value, path).items():
        where = f"{path}.{uid}"
        data = reader.mapping(raw, where, DATASOURCE_KEYS)
        secure = {
            key: reader.secret(ref, f"{where}.secure_json_data.{key}")
            for key, ref in reader.mapping(data.get("secure_json_data"), f"{where}.secure_json_data").items()
        }
        access = data.get("access", "proxy")
        if access not in ("proxy", "direct"):
            raise reader.fail(f"{where}.access", f"must be 'proxy' or 'direct', got {access!r}")
        out[str(uid)] = DatasourceSettings(
            uid=str(uid),
            url=_url(reader, data.get("url"), f"{where}.url"),
            name=reader.string(data.get("name"), f"{where}.name"),
            type=reader.string(data.get("type"), f"{where}.type"),
            access=access,
            is_default=reader.boolean(data.get("is_default"), f"{where}.is_default", False),
            basic_auth=_basic_auth(reader, data.get("basic_auth"), f"{where}.basic_auth"),
            json_data=dict(reader.mapping(data.get("json_data"), f"{where}.json_data")),
            secure_json_data=secure,
        )
    return out


def _strings(reader: Reader, value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise reader.fail(path, f"must be a list of strings, got {kind_of(value)}")
    return tuple(value)


def _alerting(reader: Reader, value: Any, path: str) -> AlertingSettings | None:
    if value is None:
        return None
    data = reader.mapping(value, path, ALERTING_KEYS)
    targets = {str(job): _strings(reader, items, f"{path}.targets.{job}")
               for job, items in reader.mapping(data.get("targets"), f"{path}.targets").items()}
    managers = data.get("alertmanagers")
    secrets_dir = reader.string(data.get("secrets_dir"), f"{path}.secrets_dir")
    if secrets_dir is not None and not secrets_dir.startswith("/"):
        raise reader.fail(f"{path}.secrets_dir", "must be an absolute path: Alertmanager reads *_file paths "
                          "relative to its own working directory")
    return AlertingSettings(
        targets=targets,
        alertmanagers=_strings(reader, managers, f"{path}.alertmanagers") if managers is not None else None,
        blackbox_exporter=reader.string(data.get("blackbox_exporter"), f"{path}.blackbox_exporter"),
        secrets_dir=secrets_dir,
    )


def _environment(reader: Reader, name: str, raw: Any, base: Path) -> Environment:
    path = f"environments.{name}"
    data = reader.mapping(raw, path, ENV_KEYS)
    directory = reader.string(data.get("directory"), f"{path}.directory")
    if directory is not None and data.get("url") is not None:
        raise reader.fail(path, "give either url (a Grafana server) or directory (a provisioning tree), not both")
    if directory is None and data.get("url") is None:
        raise reader.fail(f"{path}.url", "is required: the Grafana URL, or `directory:` for a provisioning tree")
    url = _url(reader, data.get("url"), f"{path}.url") if directory is None else ""
    if directory is not None:
        for key in ("token", "basic_auth", "ca_bundle", "allow_insecure_http"):
            if data.get(key) is not None:
                raise reader.fail(f"{path}.{key}", "has no meaning for a directory environment")
    for key in ("token", "basic_auth"):
        if key in data and data[key] is None:  # `token:` with nothing after it is no "no auth"
            raise reader.fail(f"{path}.{key}", f"is empty; give {SECRET_HINT}, or remove the key for no auth")
    token = reader.secret(data["token"], f"{path}.token") if data.get("token") is not None else None
    basic = _basic_auth(reader, data.get("basic_auth"), f"{path}.basic_auth")
    if token is not None and basic is not None:
        raise reader.fail(path, "give either token or basic_auth, not both")
    concurrency = reader.mapping(data.get("concurrency"), f"{path}.concurrency", ("reads", "writes"))
    ca_bundle = reader.string(data.get("ca_bundle"), f"{path}.ca_bundle")
    if ca_bundle is not None:
        bundle = (base / ca_bundle).expanduser()
        if not bundle.is_file():
            raise reader.fail(f"{path}.ca_bundle", f"no such file: {bundle}")
        ca_bundle = str(bundle)
    folder = reader.string(data.get("folder"), f"{path}.folder")
    if folder is not None and "/" in folder:
        raise reader.fail(f"{path}.folder", "must be a single folder title (dashboards' own folders go below it)")
    if folder is not None and folder.strip().lower() == "general":
        raise reader.fail(f"{path}.folder", "'General' is Grafana's name for the top level and no folder may take "
                          "it (in any case); leave folder out to publish at the top level, or choose another title")
    return Environment(
        name=name,
        url=url,
        org_id=reader.number(data.get("org_id"), f"{path}.org_id", 1, 1, integer=True),
        token=token,
        basic_auth=basic,
        verify_tls=reader.boolean(data.get("verify_tls"), f"{path}.verify_tls", True),
        ca_bundle=ca_bundle,
        timeout=float(reader.number(data.get("timeout"), f"{path}.timeout", 10.0, 0.1)),
        reads=reader.number(concurrency.get("reads"), f"{path}.concurrency.reads", 16, 1, integer=True),
        writes=reader.number(concurrency.get("writes"), f"{path}.concurrency.writes", 8, 1, integer=True),
        retries=reader.number(data.get("retries"), f"{path}.retries", 10, 0, integer=True),
        folder=folder,
        allow_insecure_http=reader.boolean(data.get("allow_insecure_http"), f"{path}.allow_insecure_http", False),
        datasources=_datasources(reader, data.get("datasources"), f"{path}.datasources"),
        alerting=_alerting(reader, data.get("alerting"), f"{path}.alerting"),
        source=str(reader.file),
        base_dir=base,
        directory=(base / directory) if directory is not None else None,
        namespace=reader.string(data.get("namespace"), f"{path}.namespace"),
        api=_api_choice(reader, data.get("api"), f"{path}.api", directory is not None),
    )


def _api_choice(reader: Reader, value: Any, path: str, is_directory: bool) -> str:
    choice = reader.string(value, path) or "auto"
    if choice not in API_CHOICES:
        raise reader.fail(path, f"must be one of {', '.join(API_CHOICES)} (auto: /apis where the server serves "
                          f"dashboard.grafana.app, else /api), not {choice!r}")
    if is_directory and value is not None:
        raise reader.fail(path, "has no meaning for a directory environment")
    return choice


def _lint_codes(reader: Reader, value: Any, path: str) -> frozenset[str]:
    codes = _strings(reader, value, path)
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
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
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
    envs = {
        str(name): _environment(reader, str(name), raw, base)
        for name, raw in reader.mapping(data.get("environments"), "environments").items()
    }
    return Config(path=file, dashboards=(base / dashboards) if dashboards else _default_dashboards(base),
                  environments=envs, alerts=(base / alerts) if alerts else None,
                  project=_project(reader, data.get("project"), base), lint=_lint(reader, data.get("lint")))
