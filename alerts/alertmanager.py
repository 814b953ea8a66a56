"""alertmanager.yml: the routing tree, the receivers and their integrations, inhibitions, and routing cases."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import attrs

from .values import AlertsError, duration, label_set


def _matchers(match: Mapping[str, str], where: str) -> list[str]:
    return [f'{k}="{v}"' for k, v in label_set(match, where).items()]


@attrs.frozen
class Route:
    receiver: str
    match: Mapping[str, str] = attrs.field(factory=dict)  # equality matchers, written as `matchers:`
    continue_: bool = False
    group_by: tuple[str, ...] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    routes: tuple["Route", ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key) is not None:
                duration(getattr(self, key), f"route to {self.receiver!r}: {key}")
        label_set(self.match, f"route to {self.receiver!r}: match")

    def receivers(self) -> Iterable[str]:
        yield self.receiver
        for route in self.routes:
            yield from route.receivers()

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"receiver": self.receiver}
        if self.match:
            out["matchers"] = _matchers(self.match, f"route to {self.receiver!r}")
        if self.group_by is not None:
            out["group_by"] = list(self.group_by)
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.continue_:
            out["continue"] = True
        if self.routes:
            out["routes"] = [r.to_yaml_data() for r in self.routes]
        return out


# --- receivers and their integrations ------------------------------------------------


@attrs.frozen
class Slack:
    channel: str
    title: str = "{{ .GroupLabels.alertname }}"
    text: str = ""
    title_link: str | None = None
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "send_resolved": self.send_resolved, "title": self.title}
        if self.title_link:
            out["title_link"] = self.title_link
        if self.text:
            out["text"] = self.text
        return out


@attrs.frozen
class Email:
    to: str
    from_: str
    smarthost: str
    auth_username: str
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        return {
            "to": self.to,
            "from": self.from_,
            "smarthost": self.smarthost,
            "auth_username": self.auth_username,
            # Read by Alertmanager at notify time; not trimmed: write the file without a newline.
            "auth_password_file": f"{secrets_dir}/smtp-password",
            "send_resolved": self.send_resolved,
        }


@attrs.frozen
class Webhook:
    url: str
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        return {"url": self.url, "send_resolved": self.send_resolved}


_CONFIG_KEYS = {Slack: "slack_configs", Email: "email_configs", Webhook: "webhook_configs"}


@attrs.frozen
class Receiver:
    name: str
    configs: tuple[Slack | Email | Webhook, ...] = attrs.field(default=(), converter=tuple)

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for kind, key in _CONFIG_KEYS.items():
            items = [c.to_yaml_data(secrets_dir) for c in self.configs if isinstance(c, kind)]
            if items:
                out[key] = items
        return out


# --- the whole file ------------------------------------------------------------------


@attrs.frozen
class Inhibit:
    source: Mapping[str, str]
    target: Mapping[str, str]
    equal: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source_matchers": _matchers(self.source, "inhibit rule source"),
            "target_matchers": _matchers(self.target, "inhibit rule target"),
        }
        if self.equal:
            out["equal"] = list(self.equal)
        return out


@attrs.frozen
class AlertmanagerConfig:
    route: Route
    receivers: tuple[Receiver, ...] = attrs.field(converter=tuple)
    inhibit_rules: tuple[Inhibit, ...] = attrs.field(default=(), converter=tuple)
    resolve_timeout: str = "5m"
    secrets_dir: str = "/etc/alertmanager/secrets"

    def __attrs_post_init__(self) -> None:
        duration(self.resolve_timeout, "alertmanager.yml resolve_timeout")
        names = [r.name for r in self.receivers]
        if len(names) != len(set(names)):
            raise AlertsError("alertmanager.yml: two receivers share a name")
        for name in self.route.receivers():
            if name not in names:
                raise AlertsError(f"alertmanager.yml: a route sends to unknown receiver {name!r} "
                                  f"(receivers: {', '.join(names)})")
        if not self.secrets_dir.startswith("/"):
            raise AlertsError(
                f"alertmanager.yml: secrets_dir {self.secrets_dir!r} must be absolute: Alertmanager reads *_file "
                "paths relative to its working directory, not to its config file")

    @property
    def uses_slack(self) -> bool:
        return any(isinstance(c, Slack) for r in self.receivers for c in r.configs)

    def to_yaml_data(self) -> dict[str, Any]:
        glob: dict[str, Any] = {"resolve_timeout": self.resolve_timeout}
        if self.uses_slack:
            glob["slack_api_url_file"] = f"{self.secrets_dir}/slack-webhook-url"
        return {
            "global": glob,
            "route": self.route.to_yaml_data(),
            "receivers": [r.to_yaml_data(self.secrets_dir) for r in self.receivers],
            "inhibit_rules": [i.to_yaml_data() for i in self.inhibit_rules],
        }


@attrs.frozen
class RoutingCase:
    """Alerts with these labels must reach exactly these receivers, in this order."""

    labels: Mapping[str, str]
    receivers: tuple[str, ...] = attrs.field(converter=tuple)
