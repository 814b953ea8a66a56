"""One environment of dash.yaml: its records, and the reading of its keys (url, auth, TLS, datasources, alerting).

config.py reads the file's top level and hands each `environments.<name>` mapping here.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from .config_values import SECRET_HINT, ConfigError, Reader
from .secrets import Secret, SecretError, SecretRef

DEFAULT_FILE = "dash.yaml"
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
    url_from: SecretRef | None = None  # `url: {env: X}`: where the url came from, for `dash envs`
    # Why the environment cannot be used (a `url: {env: X}` whose X is unset); raised only when it is chosen,
    # so that one unset variable does not stop the other environments.
    unusable: str | None = None

    @property
    def target(self) -> str:
        if self.directory is not None:
            return str(self.directory)
        if self.url_from is not None:
            return f"{self.url or '(not set)'} (from {self.url_from.describe()})"
        return self.url

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
            raise ConfigError(f"{self.source}: environments.{self.name}.{key}: {exc}", self.source,
                              f"environments.{self.name}.{key}") from None
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


def _basic_auth(reader: Reader, value: Any, path: str) -> BasicAuth | None:
    if value is None:
        return None
    data = reader.mapping(value, path, ("user", "password"))
    user = reader.string(data.get("user"), f"{path}.user", required=True)
    if "password" not in data:
        raise reader.fail(f"{path}.password", f"is required: {SECRET_HINT}")
    return BasicAuth(user, reader.secret(data["password"], f"{path}.password"))


class _Unset(Exception):
    """A `url: {env: X}` or `{file: F}` that cannot be read now; the environment is unusable, not the file."""


def _reference(reader: Reader, value: Any, path: str) -> tuple[str | None, SecretRef | None]:
    """A value given as itself or, like a secret, as {env: X} / {file: F} (read, but not treated as secret)."""
    if not isinstance(value, dict):
        return value, None
    ref = reader.secret(value, path)
    try:
        return ref.read(reader.file.parent), ref
    except SecretError as exc:
        raise _Unset(f"{reader.file}: {path}: {exc}") from None


def _url(reader: Reader, value: Any, path: str) -> str:
    text, ref = _reference(reader, value, path)
    url = reader.string(text, path, required=True)
    shown = f"from {ref.describe()}" if ref is not None else "got"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise reader.fail(path, f"must be an http:// or https:// URL such as https://grafana.example.com, "
                          f"{shown} {url!r}")
    if parts.username is not None or parts.password is not None:
        # Never echo it: the part before @ is a credential.
        raise reader.fail(path, "must not carry a user or password (user:password@host, not shown): give "
                          f"basic_auth with the password as {SECRET_HINT}")
    if parts.query or parts.fragment:
        raise reader.fail(path, "must not carry a query string or fragment")
    return url.rstrip("/")


def _datasources(reader: Reader, value: Any, path: str, unset: list[str]) -> dict[str, DatasourceSettings]:
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
            url=_later(unset, lambda: _url(reader, data.get("url"), f"{where}.url")),
            name=reader.string(data.get("name"), f"{where}.name"),
            type=reader.string(data.get("type"), f"{where}.type"),
            access=access,
            is_default=reader.boolean(data.get("is_default"), f"{where}.is_default", False),
            basic_auth=_basic_auth(reader, data.get("basic_auth"), f"{where}.basic_auth"),
            json_data=dict(reader.mapping(data.get("json_data"), f"{where}.json_data")),
            secure_json_data=secure,
        )
    return out


def _alerting(reader: Reader, value: Any, path: str) -> AlertingSettings | None:
    if value is None:
        return None
    data = reader.mapping(value, path, ALERTING_KEYS)
    targets = {str(job): reader.strings(items, f"{path}.targets.{job}")
               for job, items in reader.mapping(data.get("targets"), f"{path}.targets").items()}
    managers = data.get("alertmanagers")
    secrets_dir = reader.string(data.get("secrets_dir"), f"{path}.secrets_dir")
    if secrets_dir is not None and not secrets_dir.startswith("/"):
        raise reader.fail(f"{path}.secrets_dir", "must be an absolute path: Alertmanager reads *_file paths "
                          "relative to its own working directory")
    return AlertingSettings(
        targets=targets,
        alertmanagers=reader.strings(managers, f"{path}.alertmanagers") if managers is not None else None,
        blackbox_exporter=reader.string(data.get("blackbox_exporter"), f"{path}.blackbox_exporter"),
        secrets_dir=secrets_dir,
    )


def environment(reader: Reader, name: str, raw: Any, base: Path) -> Environment:
    path = f"environments.{name}"
    data = reader.mapping(raw, path, ENV_KEYS)
    directory = reader.string(data.get("directory"), f"{path}.directory")
    if directory is not None and data.get("url") is not None:
        raise reader.fail(path, "give either url (a Grafana server) or directory (a provisioning tree), not both")
    if directory is None and data.get("url") is None:
        raise reader.fail(f"{path}.url", "is required: the Grafana URL, or `directory:` for a provisioning tree")
    unset: list[str] = []  # references that cannot be read now: the environment is unusable until they can
    url = _later(unset, lambda: _url(reader, data.get("url"), f"{path}.url")) if directory is None else ""
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
        datasources=_datasources(reader, data.get("datasources"), f"{path}.datasources", unset),
        alerting=_alerting(reader, data.get("alerting"), f"{path}.alerting"),
        source=str(reader.file),
        base_dir=base,
        directory=(base / directory) if directory is not None else None,
        namespace=reader.string(data.get("namespace"), f"{path}.namespace"),
        api=_api_choice(reader, data.get("api"), f"{path}.api", directory is not None),
        url_from=_reference_of(reader, data.get("url"), f"{path}.url"),
        unusable="; ".join(unset) or None,
    )


def _later(unset: list[str], read: Any) -> str:
    """read(), or "" with the reason noted when a reference cannot be read now."""
    try:
        return read()
    except _Unset as exc:
        unset.append(str(exc))
        return ""


def _reference_of(reader: Reader, value: Any, path: str) -> SecretRef | None:
    return reader.secret(value, path) if isinstance(value, dict) else None


def _api_choice(reader: Reader, value: Any, path: str, is_directory: bool) -> str:
    choice = reader.string(value, path) or "auto"
    if choice not in API_CHOICES:
        raise reader.fail(path, f"must be one of {', '.join(API_CHOICES)} (auto: /apis where the server serves "
                          f"dashboard.grafana.app, else /api), not {choice!r}")
    if is_directory and value is not None:
        raise reader.fail(path, "has no meaning for a directory environment")
    return choice
