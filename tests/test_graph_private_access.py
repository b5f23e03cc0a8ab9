"""PrivateAccessApplication provider against the local Graph stand-in."""

import pytest
from graph_standin import CONNECTOR_GROUP

from components.graph.client import GraphError
from components.graph.private_access import PrivateAccessApplication, PrivateAccessApplicationProvider

ADMINS = "eeeeeeee-0000-4000-8000-000000000001"
OPS = "eeeeeeee-0000-4000-8000-000000000002"
SSH = {"destinationHost": "10.1.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22-22"], "protocol": "tcp"}
RDP = {"destinationHost": "paw.contoso.local", "destinationType": "fqdn", "ports": ["3389-3389"], "protocol": "tcp"}


def provider(graph):
    return PrivateAccessApplicationProvider(client_factory=graph.client)


def props(segments=(SSH,), groups=(ADMINS,), **extra):
    return {
        "graphKind": "privateAccessApp",
        "displayName": "Linux SSH",
        "applicationType": "nonwebapp",
        "segments": [dict(s) for s in segments],
        "connectorGroupId": CONNECTOR_GROUP,
        "assignedGroupIds": list(groups),
        "ownerTag": "pum:" + "0" * 32,
        **extra,
    }


def live_segments(graph, object_id):
    return sorted((s["destinationHost"], tuple(s["ports"])) for s in graph.segments[object_id].values())


def test_create_builds_the_whole_app(graph):
    result = provider(graph).create(props(segments=(SSH, RDP)))
    app = graph.apps[result.id]
    assert result.outs["objectId"] == result.id and result.outs["appId"] == app["appId"]
    assert app["onPremisesPublishing"] == {"applicationType": "nonwebapp", "isAccessibleViaZTNAClient": True}
    assert graph.connectors[result.id] == CONNECTOR_GROUP
    assert live_segments(graph, result.id) == [("10.1.0.0/24", ("22-22",)), ("paw.contoso.local", ("3389-3389",))]
    sp = graph.sps[result.outs["servicePrincipalId"]]
    (assignment,) = graph.assignments[sp["id"]].values()
    user_role = next(r["id"] for r in sp["appRoles"] if r["displayName"] == "User")
    assert (assignment["principalId"], assignment["appRoleId"]) == (ADMINS, user_role)
    # order matters: the app must be ZTNA-enabled before segments are added (the stand-in enforces it)
    methods = [(r.method, r.path.rsplit("/", 1)[-1]) for r in graph.requests]
    assert methods.index(("PATCH", result.id)) < methods.index(("POST", "applicationSegments"))


def test_create_survives_replication_lag_and_throttling(graph):
    graph.lag(2)
    graph.throttle(1, status=503, retry_after="4")
    result = provider(graph).create(props())
    assert result.id in graph.apps
    assert graph.sleeps[0] == 4.0 and graph.sleeps.count(2.0) >= 1


def test_failed_create_leaves_nothing_behind(graph):
    p = props()
    p["connectorGroupId"] = "c0c0c0c0-0000-4000-8000-00000000dead"  # no such connector group
    with pytest.raises(GraphError) as err:
        provider(graph).create(p)
    assert err.value.status == 404
    assert graph.apps == {} and graph.sps == {}


def test_read_reports_portal_changes_as_drift(graph):
    prov = provider(graph)
    created = prov.create(props(segments=(SSH, RDP)))
    read = prov.read(created.id, created.outs)
    assert not prov.diff(created.id, read.outs, props(segments=(SSH, RDP))).changes
    seg = next(s for s in graph.segments[created.id].values() if s["destinationHost"] == "10.1.0.0/24")
    seg["ports"] = ["1-65535"]  # widened in the portal
    drifted = prov.read(created.id, created.outs)
    assert drifted.outs["segments"][0]["ports"] == ["1-65535"]  # declared order kept
    assert drifted.inputs["segments"] == drifted.outs["segments"]
    d = prov.diff(created.id, drifted.outs, props(segments=(SSH, RDP)))
    assert d.changes and d.replaces == []
    graph.requests.clear()
    prov.update(created.id, drifted.outs, props(segments=(SSH, RDP)))
    assert [r.method for r in graph.requests if "applicationSegments/" in r.path] == ["PATCH"]  # that one only
    assert live_segments(graph, created.id) == [("10.1.0.0/24", ("22-22",)), ("paw.contoso.local", ("3389-3389",))]


def test_assignment_and_connector_drift(graph):
    prov = provider(graph)
    created = prov.create(props())
    sp_id = created.outs["servicePrincipalId"]
    graph.assignments[sp_id]["x"] = {"id": "x", "principalId": OPS, "principalType": "User"}
    graph.connectors.pop(created.id)
    drifted = prov.read(created.id, created.outs)
    assert drifted.outs["assignedGroupIds"] == [ADMINS, OPS] and drifted.outs["connectorGroupId"] is None
    prov.update(created.id, drifted.outs, props())
    assert [a["principalId"] for a in graph.assignments[sp_id].values()] == [ADMINS]
    assert graph.connectors[created.id] == CONNECTOR_GROUP


def test_ztna_switched_off_in_the_portal_is_drift(graph):
    prov = provider(graph)
    created = prov.create(props())
    graph.apps[created.id]["onPremisesPublishing"]["isAccessibleViaZTNAClient"] = False
    drifted = prov.read(created.id, created.outs)
    assert drifted.outs["applicationType"] is None
    prov.update(created.id, drifted.outs, props())
    assert graph.apps[created.id]["onPremisesPublishing"]["isAccessibleViaZTNAClient"] is True


def test_update_reconciles_segments_individually_removing_before_adding(graph):
    prov = provider(graph)
    created = prov.create(props(segments=(SSH, RDP)))
    kept = {s["id"] for s in graph.segments[created.id].values() if s["destinationHost"] == "paw.contoso.local"}
    new_seg = {"destinationHost": "10.2.0.5", "destinationType": "ipAddress", "ports": ["443-443"], "protocol": "tcp"}
    graph.requests.clear()
    prov.update(created.id, created.outs, props(segments=(RDP, new_seg), groups=(OPS,)))
    ops = [r.method for r in graph.requests if "applicationSegments" in r.path and r.method != "GET"]
    assert ops == ["DELETE", "POST"]
    assert kept <= set(graph.segments[created.id])  # the unchanged segment kept its identity
    assert live_segments(graph, created.id) == [("10.2.0.5", ("443-443",)), ("paw.contoso.local", ("3389-3389",))]
    assert [a["principalId"] for a in graph.assignments[created.outs["servicePrincipalId"]].values()] == [OPS]


def test_rename_only_patches_the_name(graph):
    prov = provider(graph)
    created = prov.create(props())
    graph.requests.clear()
    prov.update(created.id, created.outs, {**props(), "displayName": "Linux SSH (PAW)"})
    assert [(r.method, r.body) for r in graph.requests] == [("PATCH", {"displayName": "Linux SSH (PAW)"})]


def test_import_by_object_id(graph):
    created = provider(graph).create(props(segments=(SSH, RDP), groups=(ADMINS, OPS)))
    read = provider(graph).read(created.id, {})
    assert read.outs["servicePrincipalId"] == created.outs["servicePrincipalId"]
    assert read.outs["appId"] == created.outs["appId"]
    assert sorted(read.outs["assignedGroupIds"]) == sorted([ADMINS, OPS])
    assert len(read.outs["segments"]) == 2 and read.outs["connectorGroupId"] == CONNECTOR_GROUP


def test_delete_removes_app_and_tolerates_absence(graph):
    prov = provider(graph)
    created = prov.create(props())
    prov.delete(created.id, created.outs)
    assert graph.apps == {} and graph.sps == {}
    prov.delete(created.id, created.outs)
    assert prov.read(created.id, created.outs).id == ""


def test_diff_ignores_order_and_replaces_nothing_but_kind(graph):
    prov = provider(graph)
    assert not prov.diff(
        "i", props(segments=(SSH, RDP), groups=(ADMINS, OPS)), props(segments=(RDP, SSH), groups=(OPS, ADMINS))
    ).changes
    d = prov.diff("i", props(), props(segments=(RDP,)))
    assert d.changes and d.replaces == []


@pytest.mark.parametrize(
    "change, prop",
    [
        ({"segments": [{**SSH, "ports": ["22"]}]}, "segments"),
        ({"segments": [{**SSH, "protocol": "icmp"}]}, "segments"),
        ({"segments": [{**SSH, "destinationType": "url"}]}, "segments"),
        ({"segments": [SSH, SSH]}, "segments"),
        ({"segments": []}, "segments"),
        ({"applicationType": "webapp"}, "applicationType"),
        ({"assignedGroupIds": []}, "assignedGroupIds"),
        ({"connectorGroupId": "default"}, "connectorGroupId"),
    ],
)
def test_check_refuses(graph, change, prop):
    assert [f.property for f in provider(graph).check({}, {**props(), **change}).failures] == [prop]


def test_component_normalises_single_ports_and_validates():
    with pytest.raises(ValueError, match=r"'pa'.*segments\[0\].ports: '70000-70000'"):
        PrivateAccessApplication("pa", "x", [{**SSH, "ports": ["70000"]}], CONNECTOR_GROUP, [ADMINS])
