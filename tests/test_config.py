"""dash.yaml: bad configuration gives an error naming the file, the key and the fix."""

from __future__ import annotations

import pytest

from publisher.config import ConfigError, load_config

BASE = "environments:\n  prod:\n    url: https://grafana.example.com\n    token: {env: T}\n"


def _load(tmp_path, text):
    path = tmp_path / "dash.yaml"
    path.write_text(text)
    return load_config(path)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("environments:\n  prod:\n    url: https://g.example.com\n    token: glsa_abc123\n",
         "environments.prod.token: a secret written inline is refused (it would live in Git); reference it instead: "
         "{env: VARIABLE_NAME} or {file: /path/to/secret}"),
        (BASE + "    tokn: {env: T}\n", "environments.prod.tokn: unknown key; did you mean 'token'?"),
        (BASE + "    timeout: ten\n", "environments.prod.timeout: must be a number, got the string 'ten'"),
        (BASE + "    org_id: 1.5\n", "environments.prod.org_id: must be a whole number, got 1.5"),
        (BASE + "    verify_tls: 'no'\n", "environments.prod.verify_tls: must be true or false, got the string 'no'"),
        (BASE + "    concurrency: {reads: 0}\n", "environments.prod.concurrency.reads: must be at least 1, got 0"),
        ("environments:\n  prod:\n    token: {env: T}\n", "environments.prod.url: is required"),
        ("environments:\n  prod:\n    url: grafana.example.com\n",
         "environments.prod.url: must be an http:// or https:// URL"),
        (BASE + "    datasources:\n      loki:\n        url: http://loki:3100\n"
                "        basic_auth: {user: u, password: hunter2}\n",
         "environments.prod.datasources.loki.basic_auth.password: a secret written inline is refused"),
        (BASE + "    ca_bundle: /nonexistent/ca.pem\n",
         "environments.prod.ca_bundle: no such file: /nonexistent/ca.pem"),
        ("environmnets: {}\n", "environmnets: unknown key; did you mean 'environments'?"),
        ("environments: [a, b]\n", "environments: must be a mapping, got a list"),
        ("environments:\n  prod: {url: 'https://x', token: {env: A, file: B}}\n",
         "environments.prod.token: give exactly one of env or file"),
        ("environments:\n\tprod: 1\n", "not valid YAML"),
    ],
)
def test_bad_config_names_file_key_and_fix(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "dash.yaml"))
    assert expected in message


def test_unknown_environment_lists_the_known_ones(tmp_path):
    config = _load(tmp_path, BASE)
    with pytest.raises(ConfigError, match=r"no environment 'prd' \(known: prod\); did you mean 'prod'\?"):
        config.environment("prd")


def test_a_missing_variable_is_named_when_the_env_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("T", raising=False)
    env = _load(tmp_path, BASE).environment("prod")
    with pytest.raises(ConfigError, match=r"environments\.prod\.token: environment variable T is not set"):
        env.credentials()


def test_a_token_file_is_read_without_its_newline(tmp_path):
    (tmp_path / "token").write_text("glsa_from_file\n")
    env = _load(tmp_path, "environments:\n  e: {url: 'https://x.example', token: {file: token}}\n").environment("e")
    secret = env.credentials()
    assert secret.reveal() == "glsa_from_file"
    assert "glsa_from_file" not in repr(secret) and "glsa_from_file" not in str(secret)


def test_credentials_are_never_sent_over_plain_http_to_another_host(tmp_path, monkeypatch):
    from publisher.grafana.transport import Transport

    monkeypatch.setenv("T", "glsa_x")
    config = _load(tmp_path, "environments:\n"
                             "  remote: {url: 'http://grafana.example.com', token: {env: T}}\n"
                             "  trusted: {url: 'http://grafana.example.com', token: {env: T},"
                             " allow_insecure_http: true}\n"
                             "  local: {url: 'http://localhost:3000', token: {env: T}}\n")
    with pytest.raises(ConfigError, match="refusing to send credentials over plain http:// to grafana.example.com"):
        Transport(config.environment("remote"))
    for name in ("trusted", "local"):
        Transport(config.environment(name))


def test_the_example_config_loads_with_three_environments():
    from .conftest import ROOT

    config = load_config(ROOT / "dash.yaml")
    assert sorted(config.environments) == ["local", "prod", "staging"]
    prod = config.environment("prod")
    assert prod.url == "https://ops.example.com/grafana" and prod.token.file == "/run/secrets/grafana-token"


def test_envs_lists_references_not_secrets(dash, tmp_path, monkeypatch):
    monkeypatch.setenv("T", "glsa_value_that_must_not_show")
    (tmp_path / "dash.yaml").write_text(BASE)
    result = dash("envs")
    assert result.exit_code == 0
    assert "token from $T" in result.output and "glsa_value_that_must_not_show" not in result.output


def test_dash_config_variable_selects_the_file(dash, tmp_path, monkeypatch):
    (tmp_path / "elsewhere.yaml").write_text(BASE)
    result = dash("envs", env={"DASH_CONFIG": str(tmp_path / "elsewhere.yaml")})
    assert result.exit_code == 0 and "prod" in result.output


@pytest.mark.parametrize("text,expected", [
    ("environments:\n  e: {url: 'https://g.example', token: }\n",
     "environments.e.token: is empty; give {env: VARIABLE_NAME} or {file: /path/to/secret}"),
    ("environments:\n  e: {url: 'https://g.example', token: {env: glsa_abcdefghijklmnopqrstuvwxyz012345}}\n",
     "environments.e.token.env: is not an environment variable name: it looks like a secret itself (not shown)"),
    ("environments:\n  e: {url: 'https://g.example', token: {file: glsa_abcdefghijklmnopqrstuvwxyz012345}}\n",
     "environments.e.token.file: is not a file path: it looks like a secret itself (not shown)"),
    ("environments:\n  e: {url: 'https://g.example', folder: general}\n",
     "environments.e.folder: 'General' is Grafana's name for the top level"),
    ("project: Not Valid!\n", "project: must be 1-37 characters"),
])
def test_more_config_mistakes_are_named_and_never_echo_a_secret(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert expected in str(info.value)
    assert "abcdefghijklmnopqrstuvwxyz012345" not in str(info.value)


def test_a_dash_yaml_that_is_not_utf8_is_named(tmp_path):
    (tmp_path / "dash.yaml").write_bytes(b"environments:\n  e: {url: '\xff'}\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(tmp_path / "dash.yaml")


def test_the_project_defaults_to_the_directory_of_dash_yaml(tmp_path):
    repo = tmp_path / "Team Payments"
    repo.mkdir()
    (repo / "dash.yaml").write_text("environments: {}\n")
    assert load_config(repo / "dash.yaml").project == "team-payments"


URL_FROM_ENV = ("environments:\n  prod:\n    url: {env: DASH_TEST_PROD_URL}\n    token: {env: T}\n"
                "    datasources:\n      prom: {url: {file: prom-url.txt}}\n"
                "  stage:\n    url: https://stage.example.com\n")


def test_url_from_environment_variable_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DASH_TEST_PROD_URL", "https://grafana.internal.example/grafana/")
    (tmp_path / "prom-url.txt").write_text("http://prometheus.internal:9090\n")
    config = _load(tmp_path, URL_FROM_ENV)
    prod = config.environment("prod")
    assert prod.url == "https://grafana.internal.example/grafana"
    assert prod.datasources["prom"].url == "http://prometheus.internal:9090"
    assert prod.target == "https://grafana.internal.example/grafana (from $DASH_TEST_PROD_URL)"


def test_url_from_unset_variable_blocks_only_that_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("DASH_TEST_PROD_URL", raising=False)
    (tmp_path / "prom-url.txt").write_text("http://prometheus.internal:9090\n")
    config = _load(tmp_path, URL_FROM_ENV)
    assert config.environment("stage").url == "https://stage.example.com"  # the others still work
    assert config.environments["prod"].target == "(not set) (from $DASH_TEST_PROD_URL)"
    with pytest.raises(ConfigError) as err:
        config.environment("prod")
    assert "environments.prod.url: environment variable DASH_TEST_PROD_URL is not set" in str(err.value)
    assert "env prod cannot be used" in str(err.value)


def test_url_from_variable_is_still_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("DASH_TEST_PROD_URL", "grafana.example.com")
    with pytest.raises(ConfigError, match=r"environments.prod.url: must be an http:// or https:// URL such as "
                                          r"https://grafana.example.com, from \$DASH_TEST_PROD_URL 'grafana"):
        _load(tmp_path, "environments:\n  prod:\n    url: {env: DASH_TEST_PROD_URL}\n")


def test_url_with_credentials_is_refused_without_echoing_them(tmp_path):
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, "environments:\n  prod:\n    url: https://admin:s3cr3tpass@grafana.example.com\n")
    assert "must not carry a user or password" in str(err.value)
    assert "s3cr3tpass" not in str(err.value) and "admin" not in str(err.value)
