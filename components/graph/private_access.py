"""An Entra Private Access (Global Secure Access) enterprise application, over Microsoft Graph beta.

``PrivateAccessApplication`` (graphKind ``privateAccessApp``) is the raw Graph resource; a component
wraps it. Create instantiates the "Custom" application template
(``8adf8e6e-67b2-4cf2-a259-e3dc5476c621``), sets ``onPremisesPublishing`` {applicationType,
isAccessibleViaZTNAClient: true}, assigns the connector group (PUT ``connectorGroup/$ref``), adds the
application segments and assigns the service principal's "User" app role to the named groups. A
failed create deletes the half-made application (create is all or nothing).

Guarantees after ``up``: exactly the declared segments (reconciled one by one: unchanged ones kept,
a changed one PATCHed, removed ones deleted before new ones are added, so access never exceeds
either the old or the new declaration), exactly the declared principals assigned (anyone assigned
in the portal is removed; a group declared twice is assigned once and is not drift), the declared
connector group, and the resource's owner tag on the application (``read`` reports ``ownerTag``
only while the app carries it, so a tag removed in the portal, or an imported app, is drift and the
next ``up`` tags it: a later ``up`` without state then adopts the app instead of making another).
``read`` (refresh, import by application object ID) reports all of these as live, so a segment
edited in the portal shows as a diff; an app no longer reachable through the ZTNA client reads back
as ``applicationType: null``. Delete removes the application (Graph then removes its service
principal).

Graph permissions: ``Application.ReadWrite.All`` and ``NetworkAccess.ReadWrite.All`` (application;
``AppRoleAssignment.ReadWrite.All`` too when the identity does not own the app), roles Application
Administrator and Global Secure Access Administrator for delegated use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from .base import (
    GraphProvider,
    check_result,
    create_or_adopt,
    diff,
    odata_quote,
    only,
    output,
    owner_tag,
    pick,
    require_guid,
)
from .client import GraphClient, GraphError

GRAPH_KIND = "privateAccessApp"
CUSTOM_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
APPLICATION_TYPES = ("nonwebapp", "quickaccessapp")
DESTINATION_TYPES = ("ipAddress", "ipRange", "ipRangeCidr", "fqdn", "dnsSuffix")
PROTOCOLS = ("tcp", "udp", "tcp,udp")
SEGMENT_KEYS = ("destinationHost", "destinationType", "ports", "protocol")
INPUT_KEYS = ("graphKind", "displayName", "applicationType", "segments", "connectorGroupId", "assignedGroupIds")
DEFAULT_APP_ROLE = "00000000-0000-0000-0000-000000000000"


def _app(object_id: str) -> str:
    return f"/beta/applications/{object_id}"


def _segments(object_id: str) -> str:
    return (
        f"{_app(object_id)}/onPremisesPublishing/segmentsConfiguration/"
        "microsoft.graph.IpSegmentConfiguration/applicationSegments"
    )


def _assigned(sp_id: str) -> str:
    return f"/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"


def provisional(props: dict) -> str:
    """The name an application carries between its instantiation and the PATCH that tags it, unique
    to the resource, so that an interrupted create is found and adopted, never made twice."""
    return f"{props['displayName']} ({props['ownerTag']})"


def with_tag(tags: Any, tag: str) -> list:
    """The application's tags plus the owner tag (the template's own tags are kept)."""
    kept = [t for t in tags or [] if isinstance(t, str) and t != tag]
    return [*kept, tag]


def normalize_ports(ports: Sequence[Any]) -> list:
    """'22' -> '22-22' (Graph stores ranges); other values are left for validation."""
    return [f"{p}-{p}" if isinstance(p, (str, int)) and str(p).isdigit() else p for p in ports]


def segment_key(seg: dict) -> tuple:
    return (
        str(seg.get("destinationHost", "")).lower(),
        seg.get("destinationType"),
        tuple(sorted(seg.get("ports") or [])),
        seg.get("protocol"),
    )


def validate_segments(segments: Any) -> None:
    if is_unknown(segments):
        return
    if not isinstance(segments, list) or not segments:
        raise ValueError("segments: declare at least one segment {destinationHost, destinationType, ports, protocol}")
    seen = set()
    for i, seg in enumerate(segments):
        where = f"segments[{i}]"
        if not isinstance(seg, dict) or not isinstance(seg.get("destinationHost"), str) or not seg["destinationHost"]:
            raise ValueError(f"{where}.destinationHost: is required (an IP, range, CIDR, FQDN or DNS suffix)")
        if seg.get("destinationType") not in DESTINATION_TYPES:
            raise ValueError(
                f"{where}.destinationType: {seg.get('destinationType')!r} is not allowed; "
                f"use one of {', '.join(DESTINATION_TYPES)}"
            )
        if seg.get("protocol") not in PROTOCOLS:
            raise ValueError(f"{where}.protocol: {seg.get('protocol')!r} is not allowed; use one of {PROTOCOLS}")
        ports = seg.get("ports")
        if not isinstance(ports, list) or not ports:
            raise ValueError(f"{where}.ports: give a list of port ranges such as ['22-22']")
        for port in ports:
            low, _, high = str(port).partition("-")
            if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 65535):
                raise ValueError(f"{where}.ports: {port!r} is not a port range; use 'N-M' with 1 <= N <= M <= 65535")
        if segment_key(seg) in seen:
            raise ValueError(f"{where}: duplicates an earlier segment; declare each segment once")
        seen.add(segment_key(seg))


def _in_declared_order(live: list, declared: list | None, key) -> list:
    """Live items in the declared order (exact match first, then same destination), extras last,
    so a refresh diff lines up with the declaration."""
    declared = declared or []
    exact = {key(d): i for i, d in enumerate(declared)}
    near = {key(d)[:2]: i for i, d in enumerate(declared) if isinstance(key(d), tuple)}

    def index(item: Any) -> int:
        k = key(item)
        return exact.get(k, near.get(k[:2], len(declared)) if isinstance(k, tuple) else len(declared))

    return sorted(live, key=index)


class PrivateAccessApplicationProvider(GraphProvider):
    """CRUD and import for ``PrivateAccessApplication``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        def groups() -> None:
            ids = news.get("assignedGroupIds")
            if is_unknown(ids):
                return
            if not isinstance(ids, list) or not ids:
                raise ValueError("assignedGroupIds: assign the app to at least one group")
            for i, gid in enumerate(ids):
                require_guid(gid, f"assignedGroupIds[{i}]")

        def app_type() -> None:
            if news.get("applicationType") not in APPLICATION_TYPES:
                raise ValueError(
                    f"applicationType: {news.get('applicationType')!r} is not allowed; use one of {APPLICATION_TYPES}"
                )

        def name() -> None:
            if not news.get("displayName"):
                raise ValueError("displayName: is required")
            if not (isinstance(news.get("ownerTag"), str) and news["ownerTag"].startswith("pum:")):
                raise ValueError("ownerTag: is required (PrivateAccessApplication sets it from the resource name)")

        return check_result(
            news,
            [
                ("displayName", name),
                ("applicationType", app_type),
                ("segments", lambda: validate_segments(news.get("segments"))),
                ("connectorGroupId", lambda: require_guid(news.get("connectorGroupId"), "connectorGroupId")),
                ("assignedGroupIds", groups),
            ],
        )

    @staticmethod
    def _declared_diff(olds: dict, news: dict) -> DiffResult:
        def norm(key: str, value: Any) -> Any:
            if key == "segments" and isinstance(value, list):
                return sorted(segment_key(s) for s in value)
            if key == "assignedGroupIds" and isinstance(value, list):
                return sorted(set(value))  # a group named twice is assigned once
            return value

        return diff(olds, news, INPUT_KEYS, ("graphKind",), norm, delete_before_replace=True)

    def _diff(self, id_: str, olds: dict, news: dict):
        result = self._declared_diff(olds, news)
        if olds.get("appId") and not olds.get("servicePrincipalId"):  # its enterprise app was deleted: make it again
            return DiffResult(changes=True, replaces=["servicePrincipalId"], stables=[], delete_before_replace=True)
        if news.get("ownerTag") and olds.get("ownerTag") != news.get("ownerTag"):  # untagged: tag it (update)
            return DiffResult(
                changes=True,
                replaces=result.replaces,
                stables=[k for k in result.stables or [] if k != "ownerTag"],
                delete_before_replace=result.delete_before_replace,
            )
        return result

    # -- reconcilers ----------------------------------------------------------------------------
    def _publishing(self, client: GraphClient, object_id: str, app_type: str) -> None:
        client.patch(
            _app(object_id),
            {"onPremisesPublishing": {"applicationType": app_type, "isAccessibleViaZTNAClient": True}},
            retry_not_found=True,
        )

    def _connector(self, client: GraphClient, object_id: str, group_id: str) -> None:
        ref = f"{client.base_url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/{group_id}"
        client.put(f"{_app(object_id)}/connectorGroup/$ref", {"@odata.id": ref}, retry_not_found=True)

    def _reconcile_segments(self, client: GraphClient, object_id: str, desired: list) -> None:
        live = client.get_all(_segments(object_id), retry_not_found=True)
        want = {segment_key(s) for s in desired}
        have = {segment_key(s) for s in live}
        stale = [s for s in live if segment_key(s) not in have & want]
        new = [s for s in desired if segment_key(s) not in have]
        for seg in list(new):  # same destination, other ports/protocol: edit that segment in place
            match = next((s for s in stale if segment_key(s)[:2] == segment_key(seg)[:2]), None)
            if match:
                client.patch(f"{_segments(object_id)}/{match['id']}", pick(seg, SEGMENT_KEYS))
                stale.remove(match)
                new.remove(seg)
        for seg in stale:
            client.delete(f"{_segments(object_id)}/{seg['id']}")
        for seg in new:

            def find(seg: dict = seg) -> dict | None:
                return next(
                    (s for s in client.get_all(_segments(object_id)) if segment_key(s) == segment_key(seg)), None
                )

            def post(seg: dict = seg) -> dict:
                return client.post(_segments(object_id), pick(seg, SEGMENT_KEYS))

            create_or_adopt(client, f"segment {seg['destinationHost']}", find, post, look_first=False)

    def _reconcile_assignments(self, client: GraphClient, sp_id: str, app_role_id: str, groups: list) -> None:
        live = client.get_all(_assigned(sp_id), retry_not_found=True)
        have = {a["principalId"].lower() for a in live}
        for assignment in live:
            if assignment["principalId"].lower() not in groups:
                client.delete(f"{_assigned(sp_id)}/{assignment['id']}")
        for group_id in dict.fromkeys(groups):  # each group once, however often it is declared
            if group_id in have:
                continue

            def find(group_id: str = group_id) -> dict | None:
                return next((a for a in client.get_all(_assigned(sp_id)) if a["principalId"].lower() == group_id), None)

            def post(group_id: str = group_id) -> dict:
                body = {"principalId": group_id, "resourceId": sp_id, "appRoleId": app_role_id}
                try:
                    return client.post(_assigned(sp_id), body, retry_not_found=True)
                except GraphError as err:
                    found = find() if err.status == 400 else None  # "already exists": Graph's own uniqueness
                    if found is None:
                        raise
                    return found

            create_or_adopt(client, f"the assignment of group {group_id}", find, post, look_first=False)

    @staticmethod
    def _user_role(sp: dict) -> str:
        roles = [r for r in sp.get("appRoles") or [] if r.get("displayName") == "User" and r.get("isEnabled", True)]
        return roles[0]["id"] if roles else DEFAULT_APP_ROLE

    def _outs(self, props: dict, app: dict, sp_id: str | None, app_role_id: str) -> dict:
        return {
            **{k: props.get(k) for k in INPUT_KEYS},
            "graphKind": GRAPH_KIND,
            "appId": app["appId"],
            "objectId": app["id"],
            "servicePrincipalId": sp_id,
            "appRoleId": app_role_id,
        }

    # -- CRUD -----------------------------------------------------------------------------------
    def _find(self, client: GraphClient, props: dict) -> tuple[dict, dict] | None:
        """The application this resource made on an earlier, interrupted ``up``: tagged with its
        ``ownerTag``, or still under its provisional name (the tag is set right after instantiation)."""
        tag, select = props["ownerTag"], "id,appId,displayName,tags,passwordCredentials,keyCredentials"
        found = {
            a["id"]: a
            for query in (f"tags/any(t:t eq {odata_quote(tag)})", f"displayName eq {odata_quote(provisional(props))}")
            for a in client.get_all("/beta/applications", {"$filter": query, "$select": select})
        }
        app = only(list(found.values()), f"owner tag {tag}")
        if app is None:
            return None
        self._refuse_foreign(client, app, tag)
        sp = only(
            client.get_all("/v1.0/servicePrincipals", {"$filter": f"appId eq {odata_quote(app['appId'])}"}),
            f"appId {app['appId']}",
        )
        if sp is None:
            raise GraphError(
                404,
                "servicePrincipalMissing",
                f"application {app['id']} (tagged {tag}) has no service principal yet; run `pulumi up` again, "
                "or delete the application if it stays so",
            )
        return app, sp

    @staticmethod
    def _refuse_foreign(client: GraphClient, app: dict, tag: str) -> None:
        """Adopt only an application this stack's deploying identity made: the owner tag and the
        provisional name are predictable, so anyone allowed to register applications could plant one.
        An application owned by anyone but the caller, or carrying credentials, is refused: adopting
        it would hand its owner the segments and assignments of a privileged access path."""
        me = client.caller_id()
        owners = {str(o.get("id", "")).lower() for o in client.get_all(f"{_app(app['id'])}/owners", {"$select": "id"})}
        strangers = sorted(owners - {me}) if me else sorted(owners)
        credentials = len(app.get("passwordCredentials") or []) + len(app.get("keyCredentials") or [])
        if strangers or credentials:
            why = f"owned by {', '.join(strangers)}" if strangers else f"carrying {credentials} credential(s)"
            raise GraphError(
                409,
                "adoptionRefused",
                f"application {app['id']} carries this resource's owner tag {tag} (or its provisional name) but is "
                f"{why}, so this stack's deployments did not make it; delete it, or remove those owners and "
                "credentials after checking it, then run `pulumi up` again",
            )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()

        def instantiate() -> tuple[dict, dict]:
            made = client.post(
                f"/beta/applicationTemplates/{CUSTOM_TEMPLATE_ID}/instantiate", {"displayName": provisional(props)}
            )
            return made["application"], made["servicePrincipal"]

        (app, sp), adopted = create_or_adopt(
            client, f"application {props['displayName']!r}", lambda: self._find(client, props), instantiate
        )
        role = self._user_role(sp)
        try:
            client.patch(
                _app(app["id"]),
                {"displayName": props["displayName"], "tags": with_tag(app.get("tags"), props["ownerTag"])},
                retry_not_found=True,
            )
            self._publishing(client, app["id"], props["applicationType"])
            self._connector(client, app["id"], props["connectorGroupId"])
            self._reconcile_segments(client, app["id"], props["segments"])
            self._reconcile_assignments(client, sp["id"], role, props["assignedGroupIds"])
        except Exception as failure:
            if adopted:  # made by an earlier run (perhaps in use): left as it is, never deleted here
                failure.add_note(
                    f"the adopted application {app['id']} was left as it was; the next `pulumi up` finishes it"
                )
            else:
                self._roll_back(client, app["id"], props, failure)
            raise
        return CreateResult(app["id"], {**self._outs(props, app, sp["id"], role), "ownerTag": props["ownerTag"]})

    @staticmethod
    def _roll_back(client: GraphClient, object_id: str, props: dict, failure: Exception) -> None:
        """All or nothing: delete the half-made application; when even that fails, say what was
        left (it carries the owner tag or the provisional name, so the next ``up`` adopts and finishes it).

        The application was just made, so a 404 is a replica that has not seen it yet (the step that
        failed may have failed for that very reason), never proof that it is gone: the DELETE is retried
        through the replication budget, and a 404 that outlasts it is reported as a possible leftover."""
        try:
            client.request("DELETE", _app(object_id), retry_not_found=True)
        except GraphError as err:
            failure.add_note(
                f"the half-made application {object_id} could not be deleted ({err.code}); it may be left, tagged "
                f"{props['ownerTag']} or named {provisional(props)!r}: the next `pulumi up` adopts and finishes it "
                "(or delete it in the portal)"
            )

    def _read(self, id_: str, props: dict) -> ReadResult:
        client = self.client()
        try:
            app = client.get(_app(id_), {"$select": "id,appId,displayName,onPremisesPublishing,tags"})
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})
            raise
        publishing = app.get("onPremisesPublishing") or {}
        segments = [pick(s, SEGMENT_KEYS) for s in client.get_all(_segments(id_))]
        try:
            connector = client.get(f"{_app(id_)}/connectorGroup").get("id")
        except GraphError as err:
            if err.status != 404:
                raise
            connector = None
        sp = self._live_sp(client, app, props.get("servicePrincipalId"))
        groups = [a["principalId"].lower() for a in client.get_all(_assigned(sp["id"]))] if sp.get("id") else []
        live = {
            "displayName": app.get("displayName"),
            "applicationType": publishing.get("applicationType")
            if publishing.get("isAccessibleViaZTNAClient")
            else None,
            "segments": _in_declared_order(segments, props.get("segments"), segment_key),
            "connectorGroupId": connector,
            "assignedGroupIds": _in_declared_order(groups, props.get("assignedGroupIds"), lambda g: g),
        }
        tag = props.get("ownerTag")
        tagged = isinstance(tag, str) and tag.lower() in [
            t.lower() for t in app.get("tags") or [] if isinstance(t, str)
        ]
        outs = {
            **self._outs(live, app, sp.get("id"), props.get("appRoleId") or self._user_role(sp)),
            "ownerTag": tag if tagged else None,  # None: the app does not carry it (removed, or imported)
        }
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    @staticmethod
    def _live_sp(client: GraphClient, app: dict, sp_id: str | None) -> dict:
        """The app's service principal, or {} when it was deleted (refresh shows that as drift)."""
        try:
            if sp_id:
                return client.get(f"/v1.0/servicePrincipals/{sp_id}", {"$select": "id,appRoles"})
            found = client.get_all("/v1.0/servicePrincipals", {"$filter": f"appId eq {odata_quote(app['appId'])}"})
        except GraphError as err:
            if err.status != 404:
                raise
            return {}
        return found[0] if found else {}

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client()
        changed = {k for k in INPUT_KEYS if self._declared_diff({k: olds.get(k)}, {k: news.get(k)}).changes}
        patch: dict[str, Any] = {"displayName": news["displayName"]} if "displayName" in changed else {}
        tag = news.get("ownerTag")
        if tag and olds.get("ownerTag") != tag:  # put the owner tag (back) on, keeping the app's other tags
            tags = client.get(_app(id_), {"$select": "tags"}).get("tags")
            patch["tags"] = with_tag(tags, tag)
        if patch:
            client.patch(_app(id_), patch)
        if "applicationType" in changed:
            self._publishing(client, id_, news["applicationType"])
        if "connectorGroupId" in changed:
            self._connector(client, id_, news["connectorGroupId"])
        if "segments" in changed:
            self._reconcile_segments(client, id_, news["segments"])
        role = olds.get("appRoleId") or DEFAULT_APP_ROLE
        if "assignedGroupIds" in changed:
            self._reconcile_assignments(client, olds["servicePrincipalId"], role, news["assignedGroupIds"])
        return UpdateResult(
            {
                **self._outs(news, {"id": id_, "appId": olds["appId"]}, olds["servicePrincipalId"], role),
                "ownerTag": news.get("ownerTag") or olds.get("ownerTag"),
            }
        )

    def _delete(self, id_: str, props: dict) -> None:
        self.client().delete(_app(id_))


class PrivateAccessApplication(Resource):
    """An Entra Private Access app: exactly the declared segments, connector group and assigned groups.

    Outputs: ``app_id`` (target it with Conditional Access), ``object_id``, ``service_principal_id``.
    Ports may be given as '22' or '22-22'.
    """

    app_id = output("appId")
    object_id = output("objectId")
    service_principal_id = output("servicePrincipalId")

    def __init__(
        self,
        name: str,
        display_name: pulumi.Input[str],
        segments: Sequence[dict],
        connector_group_id: pulumi.Input[str],
        assigned_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        application_type: str = "nonwebapp",
        opts: pulumi.ResourceOptions | None = None,
        _provider: PrivateAccessApplicationProvider | None = None,
    ):
        segs = [
            {**seg, "ports": normalize_ports(seg.get("ports") or [])} if isinstance(seg, dict) else seg
            for seg in segments
        ]
        try:
            validate_segments(segs)
            require_guid(connector_group_id, "connector_group_id")
            if application_type not in APPLICATION_TYPES:
                raise ValueError(
                    f"application_type: {application_type!r} is not allowed; use one of {APPLICATION_TYPES}"
                )
        except ValueError as err:
            raise ValueError(f"PrivateAccessApplication {name!r}: {err}") from None
        super().__init__(
            _provider or PrivateAccessApplicationProvider(),
            name,
            {
                "graphKind": GRAPH_KIND,
                "displayName": display_name,
                "applicationType": application_type,
                "segments": segs,
                "connectorGroupId": connector_group_id,
                "assignedGroupIds": assigned_group_ids,
                "ownerTag": owner_tag(name),
                "appId": None,
                "objectId": None,
                "servicePrincipalId": None,
            },
            opts,
        )
