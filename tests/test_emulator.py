"""The emulator answers like Grafana (shared/grafana/behaviour.md). Raw HTTP, no client library."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from .conftest import SHARED, TOKEN


def call(emulator, method, path, body=None, token=TOKEN, headers=None, basic=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(emulator.url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if basic:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode())
    elif token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def save(emulator, dashboard, **extra):
    return call(emulator, "POST", "/api/dashboards/db", {"dashboard": dashboard, **extra})


def test_the_vendored_openapi_subset_is_grafanas():
    from .grafana_emulator.openapi import spec_path

    shared = SHARED / "grafana/openapi/api-merged.subset.json"
    if not shared.is_file():
        pytest.skip("no ../shared checkout beside the repository")
    assert spec_path().read_bytes() == shared.read_bytes()


def test_auth_bodies_are_grafanas(grafana):
    assert call(grafana, "GET", "/api/search", token=None) == (401, {
        "extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""})
    status, body = call(grafana, "GET", "/api/search", token="glsa_nope")
    assert (status, body["messageId"], body["message"]) == (401, "api-key.invalid", "Invalid API key")
    assert call(grafana, "GET", "/api/search", token=None, basic=("admin", "admin"))[0] == 200
    assert call(grafana, "GET", "/api/search", token=None, basic=("admin", "wrong"))[0] == 401
    version = grafana.grafana.mode.version
    assert call(grafana, "GET", "/api/health", token=None) == (200, {
        "commit": "0123456789abcdef", "database": "ok", "version": version})
    assert call(grafana, "GET", "/api/frontend/settings")[1]["buildInfo"]["version"] == version


def test_org_header_selects_state_per_org(grafana):
    admin = ("admin", "admin")
    assert save(grafana, {"uid": "o", "title": "In org 2"})[0] == 200  # token: org 1
    status, _ = call(grafana, "GET", "/api/dashboards/uid/o", token=None, basic=admin,
                     headers={"X-Grafana-Org-Id": "2"})
    assert status == 404
    status, body = call(grafana, "GET", "/api/search", headers={"X-Grafana-Org-Id": "2"})
    assert (status, body["messageId"]) == (401, "api-key.organization-mismatch")


def test_dashboard_versions_and_conflicts(grafana):
    status, body = save(grafana, {"uid": "d", "title": "My dashboard"})
    assert status == 200 and body == {"id": body["id"], "uid": "d", "url": "/d/d/my-dashboard", "status": "success",
                                      "version": 1, "slug": "my-dashboard", "folderUid": ""}
    # A save without the current version is a conflict, not an overwrite: 412 until 13.x, then 409.
    stale = (409, {"message": "Dashboard already exists. Use overwrite flag to update."}) \
        if grafana.grafana.mode.stale_save_conflict else \
        (412, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
    assert save(grafana, {"uid": "d", "title": "Again"}) == stale
    assert save(grafana, {"uid": "d", "title": "Again", "version": 1})[1]["version"] == 2
    assert save(grafana, {"uid": "d", "title": "Forced", "version": 1}, overwrite=True)[1]["version"] == 3
    status, got = call(grafana, "GET", "/api/dashboards/uid/d")
    assert got["dashboard"]["version"] == got["meta"]["version"] == 3
    assert got["meta"]["folderTitle"] == "General" and got["meta"]["updatedBy"] == "dash-ci"
    versions = call(grafana, "GET", "/api/dashboards/uid/d/versions?limit=2")[1]
    assert set(versions) == {"continueToken", "versions"} and [v["version"] for v in versions["versions"]] == [3, 2]
    assert versions["continueToken"] != ""
    assert call(grafana, "GET", "/api/dashboards/uid/d/versions/1")[1]["message"] == "Initial save"
    assert call(grafana, "GET", "/api/dashboards/uid/d/versions/9") == (404, {"message": "Dashboard version not found"})
    status, restored = call(grafana, "POST", "/api/dashboards/uid/d/restore", {"version": 1})
    assert status == 200 and restored["version"] == 4
    assert call(grafana, "GET", "/api/dashboards/uid/d/versions/4")[1]["message"] == "Restored from version 1"
    assert call(grafana, "POST", "/api/dashboards/uid/d/restore", {"version": 1})[0] == 400  # identical
    # The list rewrites messages (GetDashboardVersions); one version's GET keeps them as saved.
    assert save(grafana, {"uid": "d", "title": "My dashboard", "version": 4}, message="five [mark]")[1]["version"] == 5
    answer = call(grafana, "GET", "/api/dashboards/uid/d/versions")[1]
    listed = {v["version"]: v["message"] for v in answer["versions"]}
    assert listed[1] == "Initial save" and listed[4] == "Restored from version 1" and listed[5] == "five [mark]"
    assert call(grafana, "DELETE", "/api/dashboards/uid/d") == (
        200, {"title": "My dashboard", "message": "Dashboard My dashboard deleted", "uid": "d"})
    assert call(grafana, "GET", "/api/dashboards/uid/d") == (404, {"message": "Dashboard not found"})


@pytest.mark.parametrize("dashboard,extra,expected", [
    ({"uid": "x", "title": "  "}, {}, (400, {"status": "empty-name", "message": "Dashboard title cannot be empty"})),
    ({"uid": "x" * 41, "title": "T"}, {}, (400, {"message": "uid too long, max 40 characters"})),
    ({"uid": "a b", "title": "T"}, {}, (400, {"message": "uid contains illegal characters"})),
    ({"uid": "x", "title": "T", "tags": ["t" * 51]}, {},
     (400, {"status": "tag-too-long", "message": "dashboard tag too long, max 50 characters"})),
    ({"uid": "x", "title": "T"}, {"folderUid": "nope"}, (400, {"message": "folder not found"})),
    ({"uid": "x", "title": "T"}, {"message": "m" * 501}, (400, {"message": "message too long, max 500 characters"})),
    ({"id": 999, "title": "T"}, {}, (404, {"status": "not-found", "message": "Dashboard not found"})),
])
def test_dashboard_validation_errors(grafana, dashboard, extra, expected):
    assert save(grafana, dashboard, **extra) == expected


def test_duplicate_titles_are_allowed_since_11_3(grafana):
    assert save(grafana, {"uid": "a", "title": "Same"})[0] == 200
    assert save(grafana, {"uid": "b", "title": "Same"})[0] == 200


def test_search_filters_and_pages(grafana):
    for i in range(5):
        save(grafana, {"uid": f"s{i}", "title": f"S{i}", "tags": ["a", "b"] if i % 2 else ["a"]})
    assert len(call(grafana, "GET", "/api/search?type=dash-db")[1]) == 5
    assert len(call(grafana, "GET", "/api/search?tag=a&tag=b")[1]) == 2  # all tags must match
    assert [h["uid"] for h in call(grafana, "GET", "/api/search?type=dash-db&limit=2&page=3")[1]] == ["s4"]
    assert call(grafana, "GET", "/api/search?limit=5001") == (422, {
        "message": "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"})
    assert [h["uid"] for h in call(grafana, "GET", "/api/search?dashboardUIDs=s1&dashboardUIDs=s3")[1]] == ["s1", "s3"]


def test_nested_folders(grafana):
    parent = ""
    for depth in range(1, 5):
        folder = {"uid": f"f{depth}", "title": f"F{depth}", "parentUid": parent}
        status, body = call(grafana, "POST", "/api/folders", folder)
        assert status == 200 and body.get("parentUid", "") == parent
        parent = f"f{depth}"
    assert [p["uid"] for p in call(grafana, "GET", "/api/folders/f4")[1]["parents"]] == ["f1", "f2", "f3"]
    status, body = call(grafana, "POST", "/api/folders", {"uid": "f5", "title": "F5", "parentUid": "f4"})
    assert (status, body["messageId"]) == (400, "folder.maximum-depth-reached")
    assert call(grafana, "POST", "/api/folders", {"uid": "f1", "title": "Dup"}) == (
        409, {"message": "a folder/dashboard with the same uid already exists"})
    assert call(grafana, "PUT", "/api/folders/f1", {"title": "New", "version": 9}) == (
        412, {"status": "version-mismatch", "message": "the folder has been changed by someone else"})
    assert call(grafana, "PUT", "/api/folders/f1", {"title": "New", "version": 1})[1]["version"] == 2
    status, body = call(grafana, "POST", "/api/folders/f1/move", {"parentUid": "f3"})
    assert (status, body["messageId"]) == (400, "folder.circular-reference")
    assert [f["uid"] for f in call(grafana, "GET", "/api/folders")[1]] == ["f1"]
    assert [f["uid"] for f in call(grafana, "GET", "/api/folders?parentUid=f1")[1]] == ["f2"]
    save(grafana, {"uid": "inside", "title": "Inside"}, folderUid="f3")
    assert call(grafana, "DELETE", "/api/folders/f2")[0] == 200  # takes f3, f4 and the dashboard with it
    assert call(grafana, "GET", "/api/dashboards/uid/inside")[0] == 404
    assert call(grafana, "GET", "/api/folders/f4") == (404, {"status": "not-found", "message": "folder not found"})


def test_datasources_never_return_secrets(grafana):
    ds = {"name": "Loki", "type": "loki", "uid": "loki", "url": "http://loki:3100", "access": "proxy",
          "basicAuth": True, "basicAuthUser": "u", "secureJsonData": {"basicAuthPassword": "hunter2"}}
    status, body = call(grafana, "POST", "/api/datasources", ds)
    assert status == 200 and body["message"] == "Datasource added" and body["datasource"]["version"] == 1
    for path in ("/api/datasources/uid/loki", "/api/datasources/name/Loki", "/api/datasources"):
        status, got = call(grafana, "GET", path)
        assert status == 200 and "hunter2" not in json.dumps(got)
    assert call(grafana, "GET", "/api/datasources/uid/loki")[1]["secureJsonFields"] == {"basicAuthPassword": True}
    assert call(grafana, "POST", "/api/datasources", {**ds, "uid": "other"}) == (
        409, {"message": "data source with the same name already exists"})
    assert call(grafana, "POST", "/api/datasources", {**ds, "name": "Other"}) == (
        409, {"message": "data source with the same uid already exists"})
    update = {k: v for k, v in ds.items() if k != "secureJsonData"}
    assert call(grafana, "PUT", "/api/datasources/uid/loki", {**update, "url": "http://l2:3100", "version": 1})[1][
        "datasource"]["version"] == 2
    assert grafana.grafana.org(1).datasources["loki"].secure == {"basicAuthPassword": "hunter2"}  # kept
    assert call(grafana, "PUT", "/api/datasources/uid/loki", {**update, "version": 1}) == (
        409, {"message": "Datasource has already been updated by someone else. Please reload and try again"})
    assert call(grafana, "GET", "/api/datasources/id/Loki")[1] == {"id": grafana.grafana.org(1).datasources["loki"].id}
    assert call(grafana, "GET", "/api/datasources/uid/nope") == (404, {"message": "Data source not found"})


def test_requests_are_counted_by_method_and_path(grafana):
    grafana.reset_counts()
    save(grafana, {"uid": "c", "title": "C"})
    call(grafana, "GET", "/api/dashboards/uid/c")
    call(grafana, "GET", "/api/dashboards/uid/other")
    assert grafana.counts[("POST", "/dashboards/db")] == 1
    assert grafana.counts[("GET", "/dashboards/uid/{uid}")] == 2
    assert grafana.writes() == 1


def test_fault_knobs(grafana):
    grafana.set_faults(rate_limit_rate=1.0, retry_after="7")
    request = urllib.request.Request(grafana.url + "/api/search", headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 429 and info.value.headers["Retry-After"] == "7"
    grafana.set_faults(reset_rate=1.0)
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        urllib.request.urlopen(request, timeout=5)
    grafana.set_faults(error_rate=1.0)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code in (502, 503, 504)
    grafana.set_faults(latency=0.2)
    import time

    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=5)
    assert time.perf_counter() - started >= 0.2


def test_a_first_version_is_listed_as_initial_save_whatever_its_message(grafana):
    assert save(grafana, {"uid": "m", "title": "M"}, message="dash publish [dash sha256:0123456789abcdef]")[0] == 200
    listed = call(grafana, "GET", "/api/dashboards/uid/m/versions")[1]["versions"]
    assert [v["message"] for v in listed] == ["Initial save"]
    assert call(grafana, "GET", "/api/dashboards/uid/m/versions/1")[1]["message"].endswith("0123456789abcdef]")


def test_a_v2_dashboard_is_not_acceptable_on_api_from_12(grafana):
    save(grafana, {"uid": "v2", "title": "V2"})
    grafana.store_as_v2("v2")
    status, body = call(grafana, "GET", "/api/dashboards/uid/v2")
    if grafana.grafana.mode.v2_not_acceptable:
        url = "/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/v2"
        assert status == 406 and body == {"message": f"dashboard api version not supported, use {url} instead"}
    else:
        assert status == 200


def test_search_lags_behind_writes_under_unified_storage(grafana):
    grafana.grafana.search_lag = 0.3
    save(grafana, {"uid": "late", "title": "Late"})
    hits = [h["uid"] for h in call(grafana, "GET", "/api/search?type=dash-db")[1]]
    assert hits == ([] if grafana.grafana.mode.unified_storage else ["late"])
    assert call(grafana, "GET", "/api/dashboards/uid/late")[0] == 200  # the object itself is there at once
    import time

    time.sleep(0.35)
    assert [h["uid"] for h in call(grafana, "GET", "/api/search?type=dash-db")[1]] == ["late"]


@pytest.mark.parametrize("title", ["General", "general", "GENERAL"])
def test_a_folder_may_not_be_called_general(grafana, title):
    assert call(grafana, "POST", "/api/folders", {"uid": "g", "title": title}) == (
        400, {"message": "A folder with that name already exists"})
    assert call(grafana, "POST", "/api/folders", {"uid": "p", "title": "Parent"})[0] == 200
    assert call(grafana, "POST", "/api/folders", {"uid": "g", "title": title, "parentUid": "p"})[0] == 400
