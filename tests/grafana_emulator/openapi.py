"""Check the emulator's requests and answers against Grafana's own OpenAPI (Swagger 2.0) subset.

Answers are checked strictly: an object may only carry the properties the spec
declares, so that the emulator cannot invent fields Grafana does not send. The
spec's known errors (shared/grafana/README.md, "Known gaps") are applied
first: the dashboard save answer's `slug` (the spec calls it `title`), the
`{continueToken, versions}` envelope of the versions list, and errutil-shaped
error bodies (`messageId`, `statusCode`, `extra`, `traceID`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .model import clone

# A byte-for-byte copy of shared/grafana/openapi/api-merged.subset.json (a test checks
# that it still matches), so that CI validates even without shared/ beside the clone.
SPEC_CANDIDATES = [Path(__file__).resolve().parent / "spec/api-merged.subset.json"]
ERRUTIL_KEYS = {"messageId", "statusCode", "extra", "traceID"}
# Statuses the real server sends that the 12.x-era spec does not list (behaviour.md names the source).
EXTRA_STATUSES = {
    ("POST", "/dashboards/uid/{uid}/restore", 400),  # identical version, newer k8s code (§1.6)
    ("DELETE", "/dashboards/uid/{uid}", 400),  # provisioned dashboard (§1.5)
    ("PUT", "/folders/{folder_uid}", 412),  # version-mismatch, ToFolderErrorResponse (§3)
    ("POST", "/folders/{folder_uid}/move", 400),  # circular reference / depth (§3)
    ("POST", "/dashboards/db", 409),  # 13.x saveDashboardViaK8s: a stale version (real-grafana.md M3)
    ("GET", "/dashboards/uid/{uid}", 406),  # a v2-stored dashboard (pkg/api/dashboard.go GetDashboard, M9)
}


def spec_path() -> Path | None:
    return next((p for p in SPEC_CANDIDATES if p.is_file()), None)


@functools.cache
def _spec() -> dict[str, Any]:
    path = spec_path()
    if path is None:
        raise FileNotFoundError("tests/grafana_emulator/spec/api-merged.subset.json is missing")
    return json.loads(path.read_text())


def _strict(schema: Any) -> Any:
    """Close every object schema that lists its properties (responses only)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def _response_schema(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    answer = operation["responses"].get(str(status))
    if answer is None:
        return None
    if "$ref" in answer:
        answer = _spec()["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer.get("schema")


def check(method: str, template: str, request: Any, status: int, response: Any) -> list[str]:
    """Problems with one exchange; an empty list when it matches the spec."""
    spec = _spec()
    operation = spec["paths"].get(template, {}).get(method.lower())
    if operation is None:
        # /frontend/settings and the /apis (Kubernetes-style) routes are not in the legacy spec subset;
        # the query library's shape follows Grafana's "Queries HTTP API" docs instead.
        if template == "/frontend/settings" or template.startswith("/apis"):
            return []
        return [f"{method} {template} is not in the spec"]
    problems = []
    body_param = next((p for p in operation.get("parameters", []) if p.get("in") == "body"), None)
    if body_param is not None and request is not None and 200 <= status < 300:
        problems += _validate(body_param["schema"], request, strict=False, what="request")
    if str(status) not in operation["responses"]:
        if (method, template, status) in EXTRA_STATUSES and isinstance(response, dict) and "message" in response:
            return problems
        return problems + [f"{method} {template} answered {status}, which the spec does not list"]
    schema = _response_schema(operation, status)
    if schema is None:
        return problems
    body = clone(response)
    if operation.get("operationId") in ("postDashboard", "restoreDashboardVersionByUID") and status == 200:
        body["title"] = body.pop("slug")  # erratum: the spec's `title` is the real `slug`
    if operation.get("operationId") == "getDashboardVersionsByUID" and status == 200:
        if set(body) != {"continueToken", "versions"}:
            return problems + ["versions answer must be the {continueToken, versions} envelope (Grafana >= 11.6)"]
        body = body["versions"]  # erratum: the spec still declares a bare array
    if status >= 400 and isinstance(body, dict) and ERRUTIL_KEYS <= set(body):
        body = {k: v for k, v in body.items() if k not in ERRUTIL_KEYS}  # erratum: errutil error bodies
    return problems + _validate(schema, body, strict=True, what=f"{status} answer")


def _validate(schema: dict[str, Any], instance: Any, strict: bool, what: str) -> list[str]:
    from jsonschema import Draft4Validator

    spec = _spec()
    definitions = _strict(spec["definitions"]) if strict else spec["definitions"]
    root = _strict(schema) if strict else schema
    validator = Draft4Validator({**root, "definitions": definitions})
    return [f"{what}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)]
