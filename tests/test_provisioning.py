"""Grafana file provisioning: the tree's format, the directory environment, and the compose stack."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from .conftest import GUIDE_ALERTS

# Grafana's documented provisioning format ("Provision Grafana", administration/provisioning), as a schema:
# the keys Grafana reads, their types, and what is required.
SECRET_VALUE = {"type": "string", "pattern": r"^\$__(env|file)\{[^}]+\}$"}
DATASOURCES_FORMAT = {
    "type": "object",
    "required": ["apiVersion", "datasources"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": 1},
        "deleteDatasources": {"type": "array"},
        "prune": {"type": "boolean"},
        "datasources": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "type"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1}, "type": {"type": "string", "minLength": 1},
                "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,40}$"}, "orgId": {"type": "integer"},
                "access": {"enum": ["proxy", "direct"]}, "url": {"type": "string"}, "user": {"type": "string"},
                "database": {"type": "string"}, "basicAuth": {"type": "boolean"},
                "basicAuthUser": {"type": "string"}, "withCredentials": {"type": "boolean"},
                "isDefault": {"type": "boolean"}, "jsonData": {"type": "object"},
                "secureJsonData": {"type": "object", "additionalProperties": SECRET_VALUE},
                "version": {"type": "integer"}, "editable": {"type": "boolean"},
            },
        }},
    },
}
PROVIDERS_FORMAT = {
    "type": "object",
    "required": ["apiVersion", "providers"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": 1},
        "providers": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["name", "type", "options"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"}, "orgId": {"type": "integer"}, "folder": {"type": "string"},
                "folderUid": {"type": "string"}, "type": {"const": "file"}, "disableDeletion": {"type": "boolean"},
                "updateIntervalSeconds": {"type": "integer"}, "allowUiUpdates": {"type": "boolean"},
                "options": {"type": "object", "required": ["path"], "additionalProperties": False, "properties": {
                    "path": {"type": "string"}, "foldersFromFilesStructure": {"type": "boolean"}}},
            },
        }},
    },
}


@pytest.fixture
def built(dash, tmp_path):
    (tmp_path / "dash.yaml").write_text(GUIDE_ALERTS)
    result = dash("build")
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def test_the_tree_follows_grafanas_documented_format(built):
    tree = built / "grafana/provisioning"
    datasources = yaml.safe_load((tree / "datasources/dash.yaml").read_text())
    jsonschema.validate(datasources, DATASOURCES_FORMAT)
    assert [(d["uid"], d["url"]) for d in datasources["datasources"]] == [
        ("loki", "http://loki:3100"), ("prometheus", "http://prometheus:9090")]
    providers = yaml.safe_load((tree / "dashboards/dash.yaml").read_text())
    jsonschema.validate(providers, PROVIDERS_FORMAT)
    provider = providers["providers"][0]
    # With folders from the file structure Grafana ignores `folder`, so it must not be set.
    assert provider["options"] == {"path": "/etc/grafana/provisioning/dashboards/json",
                                   "foldersFromFilesStructure": True}
    assert "folder" not in provider and "folderUid" not in provider
    dashboards = sorted(str(p.relative_to(tree)) for p in (tree / "dashboards/json").rglob("*.json"))
    assert dashboards == [
        "dashboards/json/Business/business-metrics.json", "dashboards/json/Logs/saved-log-queries.json",
        "dashboards/json/Platform/api-performance.json", "dashboards/json/Platform/grafana-com-1860.json",
        "dashboards/json/Platform/slo-api.json", "dashboards/json/Platform/system.json"]
    for name in ("system.json", "grafana-com-1860.json"):
        assert (tree / "dashboards/json/Platform" / name).read_bytes() == (built / "Platform" / name).read_bytes()


def test_secrets_are_grafana_interpolations_never_values(dash, tmp_path, monkeypatch):
    monkeypatch.setenv("LOKI_PASSWORD", "never-in-a-file")
    (tmp_path / "dash.yaml").write_text(
        "environments:\n"
        "  prod:\n"
        "    url: https://grafana.example.com\n"
        "    org_id: 3\n"
        "    folder: Monitoring\n"
        "    datasources:\n"
        "      prometheus: {url: 'http://prom.internal:9090', is_default: true}\n"
        "      loki:\n"
        "        url: http://loki.internal:3100\n"
        "        basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}\n"
        "        secure_json_data: {httpHeaderValue1: {file: /run/secrets/loki-tenant}}\n"
    )
    assert dash("build", "--env", "prod").exit_code == 0
    text = (tmp_path / "out/grafana/provisioning/datasources/dash.yaml").read_text()
    assert "never-in-a-file" not in text
    data = yaml.safe_load(text)
    jsonschema.validate(data, DATASOURCES_FORMAT)
    loki = next(d for d in data["datasources"] if d["uid"] == "loki")
    assert loki["secureJsonData"] == {"basicAuthPassword": "$__env{LOKI_PASSWORD}",
                                      "httpHeaderValue1": "$__file{/run/secrets/loki-tenant}"}
    assert loki["basicAuthUser"] == "grafana" and loki["orgId"] == 3
    assert (tmp_path / "out/grafana/provisioning/dashboards/json/Monitoring/Platform/system.json").exists()


def _local(tmp_path):
    (tmp_path / "dash.yaml").write_text(
        "environments:\n"
        "  local:\n"
        "    directory: grafana/provisioning\n"
        "    folder: Monitoring\n"
        "    datasources: {prometheus: {url: 'http://prometheus:9090'}, loki: {url: 'http://loki:3100'}}\n"
    )
    return tmp_path / "grafana/provisioning"


def test_the_local_directory_target_publish_diff_and_change(dash, tmp_path):
    root = _local(tmp_path)
    first = dash("diff", "--env", "local")
    assert first.exit_code == 2 and "8 to create" in first.output
    assert "file provisioning has no query library" in first.output
    published = dash("publish", "--env", "local")
    assert published.exit_code == 0, published.output
    assert (root / "dashboards/json/Monitoring/Platform/api-performance.json").exists()
    assert json.loads((root / ".dash-managed.json").read_text())["files"]
    clean = dash("diff", "--env", "local")
    assert clean.exit_code == 0 and "0 to create, 0 to update, 0 to delete, 8 unchanged" in clean.output

    # Someone edits a generated file by hand: drift, refused without --force.
    system = root / "dashboards/json/Monitoring/Platform/system.json"
    data = json.loads(system.read_text())
    data["panels"] = [p for p in data["panels"] if p.get("title") != "Disk usage"]
    system.write_text(json.dumps(data))
    drifted = dash("diff", "--env", "local")
    assert drifted.exit_code == 2
    assert "panel 'Disk usage' added" in drifted.output and "edited by hand since dash wrote it" in drifted.output
    refused = dash("publish", "--env", "local")
    assert refused.exit_code == 1 and "refused" in refused.output
    assert "Disk usage" not in system.read_text()
    assert dash("publish", "--env", "local", "--force").exit_code == 0
    assert "Disk usage" in system.read_text()
    assert dash("diff", "--env", "local").exit_code == 0


def test_the_directory_target_never_touches_files_it_did_not_write(dash, tmp_path):
    root = _local(tmp_path)
    assert dash("publish", "--env", "local").exit_code == 0
    mine = root / "datasources/team.yaml"
    mine.write_text("apiVersion: 1\ndatasources: []\n")
    assert dash("publish", "--env", "local", "--prune").exit_code == 0
    assert mine.exists()


def test_the_directory_target_prunes_only_with_prune(dash, tmp_path):
    root = _local(tmp_path)
    assert dash("publish", "--env", "local").exit_code == 0
    manifest = json.loads((root / ".dash-managed.json").read_text())
    old = root / "dashboards/json/Monitoring/Old/old.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}")
    manifest["files"]["dashboards/json/Monitoring/Old/old.json"] = __import__("hashlib").sha256(b"{}").hexdigest()
    (root / ".dash-managed.json").write_text(json.dumps(manifest))
    diff = dash("diff", "--env", "local")
    assert diff.exit_code == 0 and "--prune deletes them" in diff.output
    pruned = dash("publish", "--env", "local", "--prune")
    assert pruned.exit_code == 0 and not old.exists()


def test_compose_pins_every_image_and_mounts_the_built_files(built):
    compose = yaml.safe_load((built / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"prometheus", "grafana", "loki", "alertmanager", "node-exporter",
                             "postgres-exporter", "redis-exporter", "blackbox-exporter"}
    for name, service in services.items():
        image, _, tag = service["image"].rpartition(":")
        assert image and tag and tag != "latest" and not tag.startswith("latest"), (name, service["image"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./") and not source.startswith("./secrets"):
                assert (built / source).exists(), volume
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in services["grafana"]["volumes"]
    assert "./secrets/alertmanager:/etc/alertmanager/secrets:ro" in services["alertmanager"]["volumes"]
    assert services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GF_SECURITY_ADMIN_PASSWORD:?")
    assert "secure_password" not in (built / "docker-compose.yml").read_text()  # the guide's inline password
    loki = yaml.safe_load((built / "loki/loki-config.yaml").read_text())
    assert loki["schema_config"]["configs"][0]["store"] == "tsdb"
    blackbox = yaml.safe_load((built / "blackbox/blackbox.yml").read_text())
    assert blackbox["modules"]["http_2xx"]["http"]["fail_if_not_ssl"] is True


def test_a_directory_environment_refuses_server_settings(dash, tmp_path):
    (tmp_path / "dash.yaml").write_text("environments:\n  local: {directory: out, token: {env: T}}\n")
    result = dash("envs")
    assert result.exit_code == 1
    assert "environments.local.token: has no meaning for a directory environment" in result.output


def test_a_change_in_the_code_updates_that_one_file(dash, tmp_path):
    root = _local(tmp_path)
    boards = tmp_path / "boards"
    boards.mkdir()
    module = boards / "team.py"
    source = (
        "from publisher.sdk import Dashboard, Datasource, stat\n"
        "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
        "LOKI = Datasource('Loki', 'loki', 'loki')\n"
        "d = Dashboard('Team', uid='team', folder='Team', datasource=PROM)\n"
        "d.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n"
    )
    module.write_text(source)
    first = dash("--dashboards", "boards", "publish", "--env", "local")
    assert first.exit_code == 0, first.output
    module.write_text(source.replace("sum(up)", 'sum(up{job="api"})'))
    diff = dash("--dashboards", "boards", "diff", "--env", "local")
    assert diff.exit_code == 2, diff.output
    assert "~ update    dashboard   dashboards/json/Monitoring/Team/team.json" in diff.output
    assert "panel 'Up': query A: sum(up) → sum(up{job=\"api\"})" in diff.output and "1 to update" in diff.output
    assert dash("--dashboards", "boards", "publish", "--env", "local").exit_code == 0
    assert 'job=\\"api\\"' in (root / "dashboards/json/Monitoring/Team/team.json").read_text()


def test_a_directory_diff_needs_no_secret_value_like_build(dash, tmp_path, monkeypatch):
    """Files carry $__env{} references, so an unset variable is no error for diff, publish or build."""
    monkeypatch.delenv("LOKI_PASSWORD", raising=False)
    (tmp_path / "dash.yaml").write_text(
        "environments:\n"
        "  local:\n"
        "    directory: grafana/provisioning\n"
        "    datasources:\n"
        "      prometheus: {url: 'http://prometheus:9090'}\n"
        "      loki: {url: 'http://loki:3100', basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}}\n"
    )
    assert dash("build", "--env", "local").exit_code == 0
    diff = dash("diff", "--env", "local")
    assert diff.exit_code == 2, diff.output
    assert dash("publish", "--env", "local").exit_code == 0
    text = (tmp_path / "grafana/provisioning/datasources/dash.yaml").read_text()
    assert "basicAuthPassword: $__env{LOKI_PASSWORD}" in text
    assert text == (tmp_path / "out/grafana/provisioning/datasources/dash.yaml").read_text()


def test_an_interrupted_directory_publish_can_be_run_again_without_force(dash, tmp_path, monkeypatch):
    """Killed after a file was written but before the manifest recorded it: the rerun finds it as wanted."""
    from publisher.targets import directory

    root = _local(tmp_path)
    real = directory.Manifest.record
    calls = []

    def dies_on_the_third(self, path, data):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as a SIGINT between the file's write and the manifest's
        real(self, path, data)

    monkeypatch.setattr(directory.Manifest, "record", dies_on_the_third)
    interrupted = dash("publish", "--env", "local")
    assert interrupted.exit_code != 0
    assert len(json.loads((root / ".dash-managed.json").read_text())["files"]) == 2
    monkeypatch.setattr(directory.Manifest, "record", real)
    rerun = dash("publish", "--env", "local")
    assert rerun.exit_code == 0, rerun.output
    assert "refused:" not in rerun.output
    assert len(json.loads((root / ".dash-managed.json").read_text())["files"]) == 8
    assert dash("diff", "--env", "local").exit_code == 0


# --- the guide's stack: Loki 3, mounts that work, secret files, the api service's logging -------------------

# Keys Loki 3.0 removed, and where Loki says so. Source: "Upgrade Loki", section 3.0.0
# (https://grafana.com/docs/loki/latest/setup/upgrade/#300), and the 3.0 release notes' "Deprecations" /
# removed configuration (docs/sources/release-notes/v3-0.md in grafana/loki). A config that still carries one
# fails to start on Loki 3 ("field ... not found in type ...").
REMOVED_IN_LOKI_3 = {
    "shared_store": "storage_config.boltdb_shipper / tsdb_shipper and compactor: removed, the store comes from the "
                    "schema's object_store (compactor: delete_request_store)",
    "shared_store_key_prefix": "storage_config.boltdb_shipper / tsdb_shipper and compactor: removed",
    "enforce_metric_name": "limits_config: removed",
    "max_transfer_retries": "ingester: removed (transfers between ingesters are gone)",
    "max_look_back_period": "chunk_store_config: removed",
    "deletion_mode": "compactor: removed, now limits_config.deletion_mode",
    "use_boltdb_shipper_as_backup": "storage_config: removed",
    "boltdb_shipper": "storage_config: boltdb-shipper is deprecated in 3.0 (still read, no longer recommended); "
                      "its v11 schema cannot hold structured metadata, which 3.0 turns on",
}


def _keys(data, path=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield f"{path}.{key}".lstrip("."), key
            yield from _keys(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _keys(value, f"{path}[{i}]")


def test_loki_is_a_pinned_3x_with_a_loki_3_config(built):
    from provisioning.compose import IMAGES

    image, tag = IMAGES["loki"].split(":")
    assert image == "grafana/loki" and tag.startswith("3.") and tag.count(".") == 2  # a patch release, pinned
    text = (built / "loki/loki-config.yaml").read_text()
    loki = yaml.safe_load(text)
    [schema] = loki["schema_config"]["configs"]
    assert (schema["store"], schema["schema"], schema["object_store"]) == ("tsdb", "v13", "filesystem")
    assert schema["index"]["period"] == "24h"  # tsdb needs 24h index periods
    assert "tsdb_shipper" in loki["storage_config"]
    found = [(path, REMOVED_IN_LOKI_3[key]) for path, key in _keys(loki) if key in REMOVED_IN_LOKI_3]
    assert found == []
    assert "boltdb" not in text  # not even as a store name
    # The image runs as uid 10001: every path Loki writes is under the named volume mounted at /loki.
    paths = [v for _, v in _walk_values(loki) if isinstance(v, str) and v.startswith("/")]
    assert paths and all(p.startswith("/loki/") or p == "/loki" for p in paths), paths


def _walk_values(data, path=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk_values(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk_values(value, f"{path}[{i}]")
    else:
        yield path, data


def _mounts(service):
    """(source, target, read_only) of each short-syntax volume."""
    for volume in service.get("volumes", []):
        source, target, *mode = volume.split(":")
        yield source, target, "ro" in (mode[0].split(",") if mode else [])


def _inside(path, directory):
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _host_path(service, container_path, built):
    """The file in the build output that a container path of `service` is, through its bind mounts (the
    deepest mount wins, as in Docker); None when no build-output mount covers it."""
    best = None
    for source, target, _ in _mounts(service):
        if source.startswith("./") and _inside(container_path, target) and (best is None or len(target) > len(best[1])):
            best = (source, target)
    if best is None:
        return None
    return built / best[0] / container_path[len(best[1]):].lstrip("/")


def test_every_mount_works_and_no_mount_sits_inside_a_read_only_one(built):
    compose = yaml.safe_load((built / "docker-compose.yml").read_text())
    documented_user_paths = {"./secrets/alertmanager"}  # created by the build with its README; you add the files
    for name, service in compose["services"].items():
        mounts = list(_mounts(service))
        for source, target, _ in mounts:
            if source.startswith("./"):
                assert (built / source).exists() or source in documented_user_paths, (name, source)
            elif source.startswith("/"):
                assert name == "node-exporter", (name, source)  # host paths: only node-exporter reads the host
            else:
                assert source in compose["volumes"], (name, source)  # a named volume, declared
        for _, target, _ in mounts:
            for _, outer, read_only in mounts:
                if outer != target and read_only:
                    assert not _inside(target, outer), f"{name}: {target} is a mount point inside read-only {outer}"
        # Every file a command line names inside a build-output mount is there.
        for arg in service.get("command", []):
            _, _, value = arg.partition("=")
            if value.startswith("/"):
                host = _host_path(service, value, built)
                assert host is None or host.exists(), (name, arg)
    assert (built / "secrets/alertmanager/README.yml").is_file()


def test_each_secret_file_alertmanager_reads_is_mounted_and_named_in_the_readme(built):
    compose = yaml.safe_load((built / "docker-compose.yml").read_text())
    service = compose["services"]["alertmanager"]
    config = yaml.safe_load((built / "alertmanager/alertmanager.yml").read_text())
    readme = yaml.safe_load((built / "secrets/alertmanager/README.yml").read_text())
    files = [v for path, v in _walk_values(config) if path.endswith("_file")]
    assert sorted(files) == ["/etc/alertmanager/secrets/slack-webhook-url", "/etc/alertmanager/secrets/smtp-password"]
    for path in files:
        host = _host_path(service, path, built)
        assert host is not None and host.parent == built / "secrets/alertmanager", path
        assert host.name in readme["secret_files"], path  # the README says to create it
        assert not host.exists()  # and the build never writes a secret
    assert "/etc/alertmanager/secrets" in (built / "secrets/alertmanager/README.yml").read_text()


def test_a_secrets_dir_under_the_config_mount_moves_the_config_aside():
    from provisioning.compose import compose

    service = compose("/etc/alertmanager/config/secrets")["services"]["alertmanager"]
    mounts = list(_mounts(service))
    targets = [t for _, t, _ in mounts]
    assert "/etc/alertmanager/config/secrets" in targets
    for _, target, _ in mounts:
        assert not any(_inside(target, outer) for _, outer, ro in mounts if ro and outer != target), mounts
    config = next(t for s, t, _ in mounts if s == "./alertmanager")
    assert f"--config.file={config}/alertmanager.yml" in service["command"]


def _selectors(query):
    """The label matchers of each stream selector `{...}` of a LogQL query: [(name, op, value)]."""
    import re

    for selector in re.findall(r"\{([^{}]*)\}", query.replace("{{", "").replace("}}", "")):
        yield re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', selector)


def test_the_api_services_loki_labels_are_what_the_log_queries_select(built):
    import re

    from .test_alerts import guide_project, rendered_dashboards

    override = yaml.safe_load((built / "docker-compose.logging.yml").read_text())
    logging = override["services"]["api"]["logging"]
    assert logging["driver"] == "loki"
    options = logging["options"]
    assert "labels" not in options  # Docker's `labels` names container label keys: not label values
    labels = dict(pair.split("=", 1) for pair in options["loki-external-labels"].split(","))
    assert labels["job"] == "api" and labels["environment"] == "production"
    assert options["loki-url"].endswith(":3100/loki/api/v1/push")  # the port the stack publishes on the host
    assert not options["loki-url"].startswith("http://loki:")  # the daemon's plugin is not on the compose network

    project = guide_project()
    queries = [q.expr for q in project.log_queries]
    for item in rendered_dashboards(project):
        for panel in item.json.get("panels", []):
            for target in panel.get("targets", []) or []:
                ds = target.get("datasource") or panel.get("datasource") or {}
                if isinstance(ds, dict) and ds.get("type") == "loki" and target.get("expr"):
                    queries.append(target["expr"])
    assert len(queries) >= 6
    for query in queries:
        selectors = list(_selectors(query))
        assert selectors, query
        for matchers in selectors:
            for name, op, value in matchers:
                actual = labels.get(name, "")
                ok = {"=": actual == value, "!=": actual != value,
                      "=~": re.fullmatch(value, actual) is not None, "!~": re.fullmatch(value, actual) is None}[op]
                assert ok, f"{query}: {name}{op}{value!r} does not match the api service's labels {labels}"
