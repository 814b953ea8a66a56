"""The emulator's /apis dashboard.grafana.app and folder.grafana.app answer like Grafana 12 and 13
(tests/grafana_emulator/README.md, "Kubernetes-style APIs"). Raw HTTP, no client library."""

from __future__ import annotations

import time

import pytest

from .grafana_emulator import Emulator, User
from .test_emulator import call, save

DASHBOARD_VERSION = {"12.x": "v1beta1", "13.x": "v1"}  # the preferred served version of each mode
FOLDER_VERSION = {"12.x": "v1beta1", "13.x": "v1"}


def dashboards(grafana, namespace="default", version=None):
    version = version or DASHBOARD_VERSION.get(grafana.grafana.mode.name, "v1beta1")
    return f"/apis/dashboard.grafana.app/{version}/namespaces/{namespace}/dashboards"


def folders(grafana, namespace="default"):
    version = FOLDER_VERSION.get(grafana.grafana.mode.name, "v1beta1")
    return f"/apis/folder.grafana.app/{version}/namespaces/{namespace}/folders"


def apis_or_skip(grafana):
    if grafana.grafana.mode.name == "11.6":
        pytest.skip("11.6 serves neither dashboard.grafana.app nor folder.grafana.app")


def new_dashboard(name, title="T", folder="", message="", **spec):
    annotations = {**({"grafana.app/folder": folder} if folder else {}),
                   **({"grafana.app/message": message} if message else {})}
    return {"metadata": {"name": name, "annotations": annotations}, "spec": {"title": title, **spec}}


def test_the_groups_are_served_per_version(grafana):
    mode = grafana.grafana.mode.name
    served = {"11.6": set(), "12.x": {"v1beta1"}, "13.x": {"v1", "v1beta1"}}[mode]
    for version in ("v1", "v1beta1"):
        status, body = call(grafana, "GET", dashboards(grafana, version=version))
        if version in served:
            assert (status, body["kind"], body["items"]) == (200, "DashboardList", [])
            discovery = call(grafana, "GET", f"/apis/dashboard.grafana.app/{version}")[1]
            assert [r["name"] for r in discovery["resources"]] == ["dashboards"]
        else:
            assert (status, body["reason"], body["message"]) == (
                404, "NotFound", "the server could not find the requested resource")
    status, body = call(grafana, "GET", folders(grafana))
    assert status == (404 if mode == "11.6" else 200)


def test_a_dashboard_is_created_and_read_through_both_apis(grafana):
    apis_or_skip(grafana)
    assert call(grafana, "POST", "/api/folders", {"uid": "f", "title": "F"})[0] == 200
    status, made = call(grafana, "POST", dashboards(grafana),
                        new_dashboard("d1", "D1", folder="f", message="first", uid="ignored", id=99, version=7))
    assert status == 201 and made["kind"] == "Dashboard"
    meta, spec = made["metadata"], made["spec"]
    assert (meta["name"], meta["namespace"], meta["generation"]) == ("d1", "default", 1)
    assert spec == {"title": "D1"}  # id, uid and version are dropped (mutate.go)
    assert meta["annotations"] == {"grafana.app/createdBy": "service-account:dash-ci", "grafana.app/folder": "f",
                                   "grafana.app/message": "first"}  # no updatedBy/updatedTimestamp on create
    legacy = call(grafana, "GET", "/api/dashboards/uid/d1")[1]
    assert legacy["dashboard"]["version"] == 1 and legacy["meta"]["folderUid"] == "f"
    assert meta["labels"] == {"grafana.app/deprecatedInternalID": str(legacy["dashboard"]["id"])}
    assert call(grafana, "GET", dashboards(grafana) + "/d1")[1] == made
    assert call(grafana, "GET", dashboards(grafana) + "/nope") == (404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "NotFound", "code": 404,
        "message": 'dashboards.dashboard.grafana.app "nope" not found',
        "details": {"name": "nope", "group": "dashboard.grafana.app", "kind": "dashboards"}})
    status, body = call(grafana, "DELETE", dashboards(grafana) + "/d1")
    assert (status, body["status"], body["details"]["uid"]) == (200, "Success", meta["uid"])
    assert call(grafana, "GET", "/api/dashboards/uid/d1")[0] == 404


def test_updates_carry_the_generation_and_resource_version(grafana):
    apis_or_skip(grafana)
    base = dashboards(grafana)
    made = call(grafana, "POST", base, new_dashboard("u", "One"))[1]
    rv = made["metadata"]["resourceVersion"]
    body = {"metadata": {"name": "u", "resourceVersion": rv, "annotations": {"grafana.app/message": "two"}},
            "spec": {"title": "Two"}}
    status, updated = call(grafana, "PUT", base + "/u", body)
    assert status == 200 and updated["metadata"]["generation"] == 2
    assert {"grafana.app/updatedBy", "grafana.app/updatedTimestamp"} <= set(updated["metadata"]["annotations"])
    status, stale = call(grafana, "PUT", base + "/u", body)  # the resourceVersion of before the update
    assert (status, stale["reason"], stale["message"]) == (409, "Conflict", (
        'Operation cannot be fulfilled on dashboards.dashboard.grafana.app "u": the object has been modified; '
        "please apply your changes to the latest version and try again"))
    same = {"metadata": {"name": "u"}, "spec": {"title": "Two"}}  # no resourceVersion: unconditional
    status, again = call(grafana, "PUT", base + "/u", same)
    assert status == 200 and again["metadata"]["generation"] == 2  # the spec did not change
    assert again["metadata"]["resourceVersion"] != updated["metadata"]["resourceVersion"]
    assert save(grafana, {"uid": "u", "title": "Three", "version": 2})[1]["version"] == 3  # the legacy API
    status, body = call(grafana, "PUT", base + "/u", {**same, "metadata": {
        "name": "u", "resourceVersion": again["metadata"]["resourceVersion"]}})
    assert (status, body["reason"]) == (409, "Conflict")  # the legacy save moved the resourceVersion on
    current = call(grafana, "GET", base + "/u")[1]
    assert (current["metadata"]["generation"], current["spec"]["title"]) == (3, "Three")
    assert call(grafana, "PUT", base + "/fresh", new_dashboard("fresh"))[0] == 201  # a PUT may create


@pytest.mark.parametrize("change, expected", [
    (lambda b: b["metadata"].pop("name"), (422, "Invalid")),
    (lambda b: b["spec"].update(title=""), (400, "Dashboard title cannot be empty")),
    (lambda b: b["metadata"].update(name="bad uid"), (400, "uid contains illegal characters")),
    (lambda b: b["metadata"].update(name="x" * 41), (400, "uid too long, max 40 characters")),
    (lambda b: b["metadata"]["annotations"].update({"grafana.app/message": "m" * 501}),
     (400, "message too long, max 500 characters")),
    (lambda b: b["metadata"]["annotations"].update({"grafana.app/folder": "gone"}),
     (404, 'folders.folder.grafana.app "gone" not found')),
    (lambda b: b.update(apiVersion="dashboard.grafana.app/v0alpha9"), (400, "BadRequest")),
    (lambda b: b["metadata"].update(namespace="org-2"), (400, "the namespace of the provided object does not match "
                                                              "the namespace sent on the request")),
    (lambda b: b["metadata"].update(resourceVersion="1"), (500, "resourceVersion should not be set on objects to be "
                                                                "created")),
])
def test_a_create_is_validated_like_grafanas(grafana, change, expected):
    apis_or_skip(grafana)
    body = new_dashboard("ok")
    change(body)
    status, answer = call(grafana, "POST", dashboards(grafana), body)
    assert (status, answer["kind"]) == (expected[0], "Status")
    assert expected[1] in (answer["message"], answer.get("reason"))


def test_names_conflict_and_are_generated(grafana):
    apis_or_skip(grafana)
    base = dashboards(grafana)
    status, made = call(grafana, "POST", base, {"metadata": {"generateName": "gen-"}, "spec": {"title": "G"}})
    assert status == 201 and made["metadata"]["name"].startswith("gen-") and len(made["metadata"]["name"]) == 9
    status, body = call(grafana, "POST", base, new_dashboard(made["metadata"]["name"]))
    assert (status, body["reason"]) == (409, "AlreadyExists")
    status, body = call(grafana, "PUT", base + "/other", new_dashboard(made["metadata"]["name"]))
    assert (status, body["message"]) == (400, f"the name of the object ({made['metadata']['name']}) does not match "
                                              "the name on the URL (other)")
    status, body = call(grafana, "POST", base, {"metadata": {}, "spec": {"title": "N"}})
    assert (status, body["message"], body["details"]["causes"][0]["field"]) == (
        422, 'Dashboard.dashboard.grafana.app "" is invalid: metadata.name: Required value: name or generateName is '
             "required", "metadata.name")


def test_lists_page_with_an_opaque_continue_token_and_select_labels(grafana):
    apis_or_skip(grafana)
    base = dashboards(grafana)
    for name in ("e", "a", "c", "b", "d"):
        labelled = {**new_dashboard(name), "metadata": {"name": name, "labels": {"team": "x" if name < "c" else "y"}}}
        assert call(grafana, "POST", base, labelled)[0] == 201
    seen, token = [], ""
    while True:
        page = call(grafana, "GET", base + "?limit=2" + (f"&continue={token}" if token else ""))[1]
        seen += [item["metadata"]["name"] for item in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            break
        assert not token.isdigit()  # opaque, not an offset
    assert seen == ["a", "b", "c", "d", "e"]
    names = lambda q: [i["metadata"]["name"] for i in call(grafana, "GET", base + q)[1]["items"]]  # noqa: E731
    assert names("?labelSelector=team%3Dx") == ["a", "b"]
    assert names("?labelSelector=team%21%3Dx") == ["c", "d", "e"]
    assert names("?labelSelector=team+in+(y)&fieldSelector=metadata.name%3Dd") == ["d"]
    assert call(grafana, "GET", base + "?limit=2&continue=nonsense")[0] == 400


def test_history_lists_every_version_with_its_message(grafana):
    apis_or_skip(grafana)
    base = dashboards(grafana)
    first = call(grafana, "POST", base, new_dashboard("h", "H1", message="made by dash"))[1]
    save(grafana, {"uid": "h", "title": "H2", "version": 1}, message="legacy save")
    call(grafana, "PUT", base + "/h", new_dashboard("h", "H3", message="apis save"))
    history = base + "?labelSelector=grafana.app/get-history%3Dtrue&fieldSelector=metadata.name%3Dh"
    items = call(grafana, "GET", history)[1]["items"]
    assert [(i["metadata"]["generation"], i["spec"]["title"], i["metadata"]["annotations"].get("grafana.app/message"))
            for i in items] == [(3, "H3", "apis save"), (2, "H2", "legacy save"), (1, "H1", "made by dash")]
    page = call(grafana, "GET", history + "&limit=2")[1]
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    rest = call(grafana, "GET", history + "&limit=2&continue=" + page["metadata"]["continue"])[1]
    assert [i["metadata"]["generation"] for i in rest["items"]] == [1]
    old = call(grafana, "GET", base + "/h?resourceVersion=" + first["metadata"]["resourceVersion"])[1]
    assert old["spec"]["title"] == "H1"
    for query, message in [
        ("?labelSelector=grafana.app/get-history%3Dtrue", "metadata.name field selector required for history "
                                                          "requests"),
        ("?labelSelector=grafana.app/get-history%3Dtrue,team%3Dx&fieldSelector=metadata.name%3Dh",
         "single label supported with: grafana.app/get-history"),
        ("?labelSelector=grafana.app/get-history%21%3Dtrue&fieldSelector=metadata.name%3Dh",
         "only = operator supported with: grafana.app/get-history"),
        ("?labelSelector=grafana.app/get-history%3Dtrue&fieldSelector=spec.title%3Dh",
         "metadata.name field selector required for history requests")]:
        assert call(grafana, "GET", base + query)[1]["message"] == message


def test_a_v2_stored_dashboard_is_down_converted_on_v1(grafana):
    apis_or_skip(grafana)
    save(grafana, {"uid": "v2", "title": "V2"})
    grafana.store_as_v2("v2")
    status, body = call(grafana, "GET", dashboards(grafana) + "/v2")
    assert status == 200 and body["status"] == {"conversion": {"failed": False, "storedVersion": "v2beta1"}}
    assert call(grafana, "GET", "/api/dashboards/uid/v2")[0] == 406


def test_only_a_repository_manager_refuses_writes(grafana):
    apis_or_skip(grafana)
    base = dashboards(grafana)
    terraform = {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "tf",
                 "grafana.app/managerAllowsEdits": "false"}
    made = call(grafana, "POST", base, {**new_dashboard("tf"), "metadata": {"name": "tf", "annotations": terraform}})
    assert made[0] == 201 and made[1]["metadata"]["annotations"]["grafana.app/managedBy"] == "terraform"
    assert call(grafana, "PUT", base + "/tf", new_dashboard("tf", "Edited by a person"))[0] == 200  # not enforced
    repo = {"grafana.app/managedBy": "repo", "grafana.app/managerId": "git-sync", "grafana.app/sourcePath": "a.json"}
    status, body = call(grafana, "POST", base, {**new_dashboard("r"), "metadata": {"name": "r", "annotations": repo}})
    assert (status, body["message"]) == (404, 'repositories.provisioning.grafana.app "git-sync" not found')
    status, body = call(grafana, "POST", base, {**new_dashboard("r"), "metadata": {
        "name": "r", "annotations": {"grafana.app/managedBy": "repo"}}})
    assert (status, body["message"]) == (500, "expected managed resource")
    save(grafana, {"uid": "synced", "title": "Synced"})
    grafana.grafana.org(1).dashboards["synced"].k8s.annotations.update(repo)  # as a repository sync leaves it
    status, body = call(grafana, "PUT", base + "/synced", new_dashboard("synced", "Unmanaged now"))
    assert (status, body["message"]) == (403, "Can not remove resource manager from resource")
    assert call(grafana, "DELETE", base + "/synced")[0] == 404  # routed to the (absent) repository
    assert call(grafana, "GET", "/api/dashboards/uid/synced")[0] == 200


def folder(name, title, parent=""):
    return {"metadata": {"name": name, "annotations": {"grafana.app/folder": parent} if parent else {}},
            "spec": {"title": title}}


def test_folders_are_served_over_the_legacy_folders(grafana):
    apis_or_skip(grafana)
    base = folders(grafana)
    status, top = call(grafana, "POST", base, folder("top", "  Top  "))
    assert status == 201 and top["spec"] == {"title": "Top"} and top["metadata"]["generation"] == 1
    status, child = call(grafana, "POST", base, folder("child", "Child", parent="top"))
    assert status == 201 and child["metadata"]["annotations"]["grafana.app/folder"] == "top"
    legacy = call(grafana, "GET", "/api/folders/child")[1]
    assert legacy["parentUid"] == "top" and [p["uid"] for p in legacy["parents"]] == ["top"]
    assert call(grafana, "PUT", "/api/folders/top", {"title": "Renamed", "version": 1})[0] == 200
    renamed = call(grafana, "GET", base + "/top")[1]
    assert (renamed["spec"]["title"], renamed["metadata"]["generation"]) == ("Renamed", 2)
    assert call(grafana, "POST", base, folder("g", "general"))[1]["message"] == "A folder with that name already exists"
    assert call(grafana, "POST", base, folder("lost", "Lost", parent="nowhere"))[0] == 404
    status, body = call(grafana, "PUT", base + "/top", folder("top", "Renamed", parent="child"))
    assert (status, body["details"]["uid"]) == (400, "folder.circular-reference")
    parent = "child"
    for depth in (3, 4):
        assert call(grafana, "POST", base, folder(f"d{depth}", f"D{depth}", parent=parent))[0] == 201
        parent = f"d{depth}"
    status, body = call(grafana, "POST", base, folder("d5", "D5", parent="d4"))
    assert (status, body["message"]) == (400, "Maximum nested folder depth reached")
    status, body = call(grafana, "DELETE", base + "/d3")  # d4 is inside: /apis refuses, /api would cascade
    assert (status, body["message"], body["details"]["uid"]) == (
        400, "Folder cannot be deleted: folder is not empty", "folder.not-empty")
    assert call(grafana, "DELETE", base + "/d4")[1]["status"] == "Success"
    assert call(grafana, "GET", "/api/folders/d4")[0] == 404
    listed = [i["metadata"]["name"] for i in call(grafana, "GET", base)[1]["items"]]
    assert listed == ["child", "d3", "top"]


def test_a_namespace_must_be_the_callers(grafana):
    apis_or_skip(grafana)
    status, body = call(grafana, "GET", dashboards(grafana, "org-2"))
    assert (status, body["reason"]) == (403, "Forbidden") and body["message"].endswith(": invalid org")
    status, body = call(grafana, "GET", dashboards(grafana, "stacks-5"))
    assert (status, body["message"][-19:]) == (403, ": invalid namespace")
    assert call(grafana, "GET", dashboards(grafana, "nonsense"))[0] == 500  # ParseNamespace fails
    grafana.stack_id = 5  # Grafana Cloud: CloudNamespaceFormatter
    assert call(grafana, "GET", dashboards(grafana))[0] == 403
    status, made = call(grafana, "POST", dashboards(grafana, "stacks-5"), new_dashboard("cloud"))
    assert status == 201 and made["metadata"]["namespace"] == "stacks-5"
    assert call(grafana, "GET", dashboards(grafana, "stack-5") + "/cloud")[0] == 200  # the deprecated spelling
    grafana.query_library = True
    assert call(grafana, "GET", "/apis/queries.grafana.app/v1/namespaces/stacks-5/queries")[0] == 200
    assert call(grafana, "GET", "/apis/queries.grafana.app/v1/namespaces/default/queries")[0] == 403
    grafana.store_as_v2("cloud")
    url = "/apis/dashboard.grafana.app/v2beta1/namespaces/stacks-5/dashboards/cloud"
    assert call(grafana, "GET", "/api/dashboards/uid/cloud")[1]["message"].endswith(f"use {url} instead")


def test_a_viewer_may_read_but_not_write():
    emulator = Emulator(mode="13.x", tokens={"viewer": User("v", "Viewer"), "admin": User("a", "Admin")}).start()
    try:
        base = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"
        assert call(emulator, "POST", base, new_dashboard("x"), token="admin")[0] == 201
        assert call(emulator, "GET", base + "/x", token="viewer")[0] == 200
        status, body = call(emulator, "PUT", base + "/x", new_dashboard("x"), token="viewer")
        assert (status, body["reason"]) == (403, "Forbidden")
        assert call(emulator, "DELETE", base + "/x", token="viewer")[0] == 403
    finally:
        emulator.stop()


def test_search_lag_applies_to_writes_through_apis(grafana):
    apis_or_skip(grafana)
    grafana.grafana.search_lag = 0.3
    assert call(grafana, "POST", dashboards(grafana), new_dashboard("late", "Late"))[0] == 201
    assert [h["uid"] for h in call(grafana, "GET", "/api/search?type=dash-db")[1]] == []
    assert call(grafana, "GET", "/api/dashboards/uid/late")[0] == 200
    time.sleep(0.35)
    assert [h["uid"] for h in call(grafana, "GET", "/api/search?type=dash-db")[1]] == ["late"]


def test_legacy_writes_show_on_apis(grafana):
    apis_or_skip(grafana)
    save(grafana, {"uid": "old", "title": "Old"}, message="published by dash")
    made = call(grafana, "GET", dashboards(grafana) + "/old")[1]
    assert made["metadata"]["annotations"]["grafana.app/message"] == "published by dash"
    assert call(grafana, "POST", "/api/folders", {"uid": "p", "title": "P"})[0] == 200
    assert call(grafana, "POST", "/api/folders", {"uid": "q", "title": "Q"})[0] == 200
    assert call(grafana, "POST", "/api/folders/q/move", {"parentUid": "p"})[0] == 200
    moved = call(grafana, "GET", folders(grafana) + "/q")[1]
    assert (moved["metadata"]["annotations"]["grafana.app/folder"], moved["metadata"]["generation"]) == ("p", 2)


def test_the_nested_folders_toggle_only_exists_in_11_6(grafana):
    grafana.nested_folders = False
    assert call(grafana, "POST", "/api/folders", {"uid": "a", "title": "A"})[0] == 200
    status, created = call(grafana, "POST", "/api/folders", {"uid": "b", "title": "B", "parentUid": "a"})
    assert status == 200 and created["parentUid"] == "a"
    moved = call(grafana, "POST", "/api/folders/b/move", {"parentUid": ""})
    listed = [f["uid"] for f in call(grafana, "GET", "/api/folders")[1]]
    if grafana.grafana.mode.name != "11.6":  # removed in 12.2 (PR #109212): nesting is always on
        assert moved[0] == 200 and listed == ["a", "b"]
        return
    assert "parents" not in created  # newToFolderDto returns before the parents
    assert "parentUid" not in call(grafana, "GET", "/api/folders/b")[1]
    assert moved == (404, {"message": "To use this service, you need to activate nested folder feature."})
    assert listed == ["a", "b"]  # searchFolders: every folder, whatever parentUid says
    assert [f["uid"] for f in call(grafana, "GET", "/api/folders?parentUid=a")[1]] == ["a", "b"]
    grafana.nested_folders = True
    assert [f["uid"] for f in call(grafana, "GET", "/api/folders?parentUid=a")[1]] == ["b"]
