"""A local Microsoft Graph stand-in for the Graph provider tests (loopback only, bounded, self-stopping).

It implements exactly the endpoints components/graph uses, validates request bodies against the
documented shapes independently of the code under test (a bad body is answered 400 like Graph AND
recorded in ``violations``, which the fixture asserts empty unless a test clears it), answers errors as
``{"error": {"code", "message", "innerError": {"request-id"}}}``, and has knobs:
``throttle(n, status, retry_after)``, ``lag(n)`` (404 for the next n requests that touch an object
created afterwards), ``fail_next(status, code, message)``. Every request is recorded in ``requests``.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

TENANT = "11111111-2222-3333-4444-555555555555"
CUSTOM_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
CONNECTOR_GROUP = "c0c0c0c0-0000-4000-8000-000000000001"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
RULE_IDS = [
    "Expiration_EndUser_Assignment",
    "Enablement_EndUser_Assignment",
    "AuthenticationContext_EndUser_Assignment",
    "Approval_EndUser_Assignment",
    "Expiration_Admin_Eligibility",
    "Expiration_Admin_Assignment",
    "Enablement_Admin_Assignment",
    "Enablement_Admin_Eligibility",
    "Notification_Admin_Admin_Eligibility",
    "Notification_Requestor_Admin_Eligibility",
    "Notification_Approver_Admin_Eligibility",
    "Notification_Admin_Admin_Assignment",
    "Notification_Requestor_Admin_Assignment",
    "Notification_Approver_Admin_Assignment",
    "Notification_Admin_EndUser_Assignment",
    "Notification_Requestor_EndUser_Assignment",
    "Notification_Approver_EndUser_Assignment",
]
LEAVER_TASK_IDS = {
    "42ae2956-193d-4f39-be06-691b8ac4fa1d",
    "b3a31406-2a15-4c9a-b25b-a658fa5f07fc",
    "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
    "81f7b200-2816-4b3b-8c5d-dc556f07b024",
    "8fa97d28-3e52-4985-b3a9-a1126f9b8b4e",
    "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff",
    "498770d9-bab7-4e4c-b73d-5ded82a1d0b3",
    "1953a66c-751c-45e5-8bfe-01462c70da3c",
}
SEG = "/onPremisesPublishing/segmentsConfiguration/microsoft.graph.IpSegmentConfiguration/applicationSegments"
MAX_BODY = 1 << 20


class Reject(Exception):
    def __init__(self, status: int, code: str, message: str, violation: bool = False, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.violation = status, code, message, violation
        self.headers = headers or {}


def bad(message: str) -> Reject:
    """A request body our code must never send: 400 and a recorded violation."""
    return Reject(400, "BadRequest", message, violation=True)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    body: Any
    authorization: str


def _seconds(duration: str) -> float:
    m = DURATION.match(duration or "")
    if not m or duration in ("P", "PT"):
        raise bad(f"invalid ISO 8601 duration {duration!r}")
    w, d, h, mi, s = (int(g or 0) for g in m.groups())
    return timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s).total_seconds()


def _time(text: Any, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise bad(f"{field}: invalid timestamp {text!r}") from None
    if value.tzinfo is None:
        raise bad(f"{field}: timestamp without offset {text!r}")
    return value


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _need(body: Any, key: str, kind: type, where: str) -> Any:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get(key), kind)
        or isinstance(body.get(key), bool) != (kind is bool)
    ):
        raise bad(f"{where}.{key}: required {kind.__name__}")
    return body[key]


def default_rule(rule_id: str) -> dict:
    kind, caller, level = rule_id.split("_")[0], rule_id.split("_")[-2], rule_id.split("_")[-1]
    rule: dict = {
        "@odata.type": f"#microsoft.graph.unifiedRoleManagementPolicy{kind}Rule",
        "id": rule_id,
        "target": {
            "caller": caller,
            "operations": ["All"],
            "level": level,
            "inheritableSettings": [],
            "enforcedSettings": [],
            "targetObjects": [],
        },
    }
    if kind == "Expiration":  # Microsoft defaults: 8 h activation, permanent eligibility allowed
        rule.update(
            isExpirationRequired=rule_id != "Expiration_Admin_Eligibility",
            maximumDuration={"EndUser": "PT8H"}.get(caller, "P365D" if level == "Eligibility" else "P180D"),
        )
    elif kind == "Enablement":
        rule["enabledRules"] = ["Justification"] if caller == "EndUser" else []
    elif kind == "AuthenticationContext":
        rule.update(isEnabled=False, claimValue=None)
    elif kind == "Approval":
        rule["setting"] = {
            "isApprovalRequired": False,
            "isApprovalRequiredForExtension": False,
            "isRequestorJustificationRequired": True,
            "approvalMode": "NoApproval",
            "approvalStages": [],
        }
    else:
        rule.update(
            notificationType="Email",
            recipientType=rule_id.split("_")[1],
            notificationLevel="All",
            isDefaultRecipientsEnabled=True,
            notificationRecipients=[],
        )
    return rule


def validate_rule(rule_id: str, body: Any) -> None:
    where = f"rule {rule_id}"
    if rule_id not in RULE_IDS:
        raise Reject(404, "NotFound", f"no rule {rule_id!r}")
    expected = default_rule(rule_id)
    if not isinstance(body, dict) or body.get("id") != rule_id:
        raise bad(f"{where}: body id must be {rule_id!r}")
    if body.get("@odata.type") != expected["@odata.type"]:
        raise bad(f"{where}: @odata.type {body.get('@odata.type')!r} must be {expected['@odata.type']!r}")
    target = _need(body, "target", dict, where)
    for key in ("caller", "level"):
        if target.get(key) != expected["target"][key]:
            raise bad(f"{where}.target.{key}: {target.get(key)!r} must be {expected['target'][key]!r}")
    ops = target.get("operations", [])
    if not set(ops) <= {"All", "Activate", "Deactivate", "Assign", "Update", "Remove", "Extend", "Renew"}:
        raise bad(f"{where}.target.operations: {ops!r}")
    kind = rule_id.split("_")[0]
    if kind == "Expiration":
        if _need(body, "isExpirationRequired", bool, where):
            _seconds(_need(body, "maximumDuration", str, where))
    elif kind == "Enablement":
        allowed = {"MultiFactorAuthentication", "Justification", "Ticketing"}
        if not set(_need(body, "enabledRules", list, where)) <= allowed:
            raise bad(f"{where}.enabledRules: {body['enabledRules']!r}")
    elif kind == "AuthenticationContext":
        if _need(body, "isEnabled", bool, where) and not re.match(r"^c\d{1,2}$", str(body.get("claimValue"))):
            raise bad(f"{where}.claimValue: {body.get('claimValue')!r}")
    elif kind == "Approval":
        setting = _need(body, "setting", dict, where)
        _need(setting, "isApprovalRequired", bool, where + ".setting")
        if setting.get("approvalMode") not in ("SingleStage", "Serial", "Parallel", "NoApproval"):
            raise bad(f"{where}.setting.approvalMode: {setting.get('approvalMode')!r}")
        stages = _need(setting, "approvalStages", list, where + ".setting")
        if setting["isApprovalRequired"] and not 1 <= len(stages) <= 2:
            raise bad(f"{where}: approval required needs one or two stages")
        for stage in stages:
            approvers = _need(stage, "primaryApprovers", list, where + ".approvalStages[]")
            if setting["isApprovalRequired"] and not approvers:
                raise bad(f"{where}: a stage without primaryApprovers")
            for a in approvers + stage.get("escalationApprovers", []):
                key = {"#microsoft.graph.singleUser": "userId", "#microsoft.graph.groupMembers": "groupId"}.get(
                    a.get("@odata.type")
                )
                if not key or not GUID.match(str(a.get(key))):
                    raise bad(f"{where}: bad approver {a!r}")
    else:
        if body.get("notificationType") != "Email" or body.get("recipientType") != rule_id.split("_")[1]:
            raise bad(
                f"{where}: notificationType/recipientType {body.get('notificationType')!r}/"
                f"{body.get('recipientType')!r}"
            )
        if body.get("notificationLevel") not in ("None", "Critical", "All"):
            raise bad(f"{where}.notificationLevel: {body.get('notificationLevel')!r}")
        _need(body, "isDefaultRecipientsEnabled", bool, where)
        if not all(isinstance(r, str) and "@" in r for r in _need(body, "notificationRecipients", list, where)):
            raise bad(f"{where}.notificationRecipients: {body['notificationRecipients']!r}")


class GraphStandIn:
    """The stand-in server and its state; see the module docstring."""

    def __init__(
        self, token: str = "standin-token-" + uuid.uuid4().hex, lifetime: float = 120.0, max_requests: int = 2000
    ):
        self.token, self.lifetime, self.max_requests = token, lifetime, max_requests
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.sleeps: list[float] = []
        self.policies: dict[str, dict] = {}  # roleDefinitionId -> {"id", "rules": {ruleId: rule}}
        self.schedules: dict[str, dict] = {}
        self.apps: dict[str, dict] = {}
        self.sps: dict[str, dict] = {}
        self.segments: dict[str, dict[str, dict]] = {}  # app object id -> {segment id: segment}
        self.connectors: dict[str, str] = {}  # app object id -> connector group id
        self.connector_groups = {CONNECTOR_GROUP}
        self.assignments: dict[str, dict[str, dict]] = {}  # sp id -> {assignment id: assignment}
        self.workflows: dict[str, dict] = {}
        self._throttle: list[tuple[int, str | None]] = []
        self._fail: list[tuple[int, str, str]] = []
        self._lag_n = 0
        self._lagging: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._stopped = False

    # -- knobs ----------------------------------------------------------------------------------
    def throttle(self, n: int, status: int = 429, retry_after: str | None = "3") -> None:
        self._throttle += [(status, retry_after)] * n

    def fail_next(self, status: int, code: str, message: str) -> None:
        self._fail.append((status, code, message))

    def lag(self, n: int) -> None:
        """Objects created from now on answer 404 to their next n requests (replication lag)."""
        self._lag_n = n

    def client(self, **kwargs: Any):
        from components.graph.client import GraphClient

        return GraphClient(sleep=self.sleeps.append, **kwargs)

    def calls(self, method: str, fragment: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and fragment in r.path]

    def policy(self, role_id: str) -> dict:
        if role_id not in self.policies:
            self.policies[role_id] = {
                "id": f"DirectoryRole_{TENANT}_{uuid.uuid4()}",
                "rules": {r: default_rule(r) for r in RULE_IDS},
            }
        return self.policies[role_id]

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GraphStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                standin._handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        with self._lock:
            if self._stopped or self._server is None:
                return
            self._stopped = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    # -- dispatch -------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        request_id = str(uuid.uuid4())
        split = urlsplit(h.path)
        path, query = unquote(split.path), {k: v[0] for k, v in parse_qs(split.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(min(length, MAX_BODY)) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        auth = h.headers.get("Authorization", "")
        with self._lock:
            self.requests.append(Recorded(h.command, path, query, body, auth))
            try:
                status, payload, headers = self._route(h.command, path, query, body, auth, length)
            except Reject as rej:
                if rej.violation:
                    self.violations.append(f"{h.command} {path}: {rej.message}")
                status, headers = rej.status, rej.headers
                payload = {
                    "error": {
                        "code": rej.code,
                        "message": rej.message,
                        "innerError": {"request-id": request_id, "date": _iso(datetime.now(UTC))},
                    }
                }
        data = b"" if payload is None else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("request-id", request_id)
        for key, value in headers.items():
            h.send_header(key, value)
        if data:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _route(self, method: str, path: str, query: dict, body: Any, auth: str, length: int):
        if len(self.requests) > self.max_requests:
            raise Reject(503, "ServiceUnavailable", "stand-in request budget exhausted")
        if length > MAX_BODY:
            raise Reject(413, "RequestTooLarge", "body too large")
        if auth != f"Bearer {self.token}":
            # like Graph: the message never echoes the credential
            raise Reject(401, "InvalidAuthenticationToken", "Access token validation failure.")
        if self._throttle:
            status, retry_after = self._throttle.pop(0)
            raise Reject(
                status,
                "TooManyRequests" if status == 429 else "ServiceUnavailable",
                "Too many requests, retry later.",
                headers={"Retry-After": retry_after} if retry_after is not None else {},
            )
        if self._fail:
            raise Reject(*self._fail.pop(0))
        for object_id, left in list(self._lagging.items()):
            if object_id in path and left > 0:
                self._lagging[object_id] = left - 1
                raise Reject(404, "Request_ResourceNotFound", f"Resource '{object_id}' does not exist.")
        for verb, pattern, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                result = handler(self, *match.groups(), query=query, body=body)
                return result if isinstance(result, tuple) else (200, result, {})
        raise bad(f"no such endpoint {method} {path}")

    def _created(self, object_id: str) -> str:
        if self._lag_n:
            self._lagging[object_id] = self._lag_n
        return object_id

    # -- PIM policies ---------------------------------------------------------------------------
    def list_policy_assignments(self, query: dict, body: Any):
        m = re.fullmatch(
            r"scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '([^']+)'",
            query.get("$filter", ""),
        )
        if not m:
            raise bad(f"unexpected $filter {query.get('$filter')!r}")
        role_id = m.group(1)
        if not GUID.match(role_id):
            return {"value": []}
        policy = self.policy(role_id)
        return {
            "value": [
                {
                    "id": f"{policy['id']}_{role_id}",
                    "policyId": policy["id"],
                    "roleDefinitionId": role_id,
                    "scopeId": "/",
                    "scopeType": "DirectoryRole",
                }
            ]
        }

    def _policy_by_id(self, policy_id: str) -> dict:
        for policy in self.policies.values():
            if policy["id"] == policy_id:
                return policy
        raise Reject(404, "NotFound", f"policy {policy_id} not found")

    def list_rules(self, policy_id: str, query: dict, body: Any):
        return {"value": list(self._policy_by_id(policy_id)["rules"].values())}

    def get_rule(self, policy_id: str, rule_id: str, query: dict, body: Any):
        return self._policy_by_id(policy_id)["rules"][rule_id]

    def patch_rule(self, policy_id: str, rule_id: str, query: dict, body: Any):
        policy = self._policy_by_id(policy_id)
        validate_rule(rule_id, body)
        stored = policy["rules"][rule_id]
        stored.update({k: v for k, v in body.items() if k != "target"})
        stored["target"].update(body["target"])
        return 204, None, {}

    # -- eligibility ----------------------------------------------------------------------------
    def post_eligibility(self, query: dict, body: Any):
        where = "roleEligibilityScheduleRequest"
        action = _need(body, "action", str, where)
        if action not in ("adminAssign", "adminUpdate", "adminRemove"):
            raise bad(f"{where}.action: {action!r} is not one our code sends")
        for key in ("principalId", "roleDefinitionId"):
            if not GUID.match(_need(body, key, str, where)):
                raise bad(f"{where}.{key}: not a GUID")
        scope = _need(body, "directoryScopeId", str, where)
        if scope != "/" and not re.fullmatch(r"/administrativeUnits/[0-9a-f-]{36}", scope):
            raise bad(f"{where}.directoryScopeId: {scope!r}")
        if not _need(body, "justification", str, where).strip():
            raise bad(f"{where}.justification: empty")
        key = (body["principalId"], body["roleDefinitionId"], scope)
        existing = next(
            (
                s
                for s in self.schedules.values()
                if (s["principalId"], s["roleDefinitionId"], s["directoryScopeId"]) == key
            ),
            None,
        )
        request_id = str(uuid.uuid4())
        if action == "adminRemove":
            if existing is None:
                raise Reject(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
            del self.schedules[existing["id"]]
            return (
                201,
                {"id": request_id, "action": action, "status": "Revoked", "targetScheduleId": existing["id"]},
                {},
            )
        info = _need(body, "scheduleInfo", dict, where)
        start = _time(_need(info, "startDateTime", str, where + ".scheduleInfo"), "startDateTime")
        exp = _need(info, "expiration", dict, where + ".scheduleInfo")
        kind = exp.get("type")
        if kind not in ("afterDuration", "afterDateTime"):
            raise bad(f"{where}.scheduleInfo.expiration.type: {kind!r} (our code must never send it)")
        if kind == "afterDuration":
            if exp.get("endDateTime"):
                raise bad(f"{where}: afterDuration with endDateTime")
            end = start + timedelta(seconds=_seconds(_need(exp, "duration", str, where)))
        else:
            end = _time(_need(exp, "endDateTime", str, where), "endDateTime")
        rule = self.policy(body["roleDefinitionId"])["rules"]["Expiration_Admin_Eligibility"]
        if rule["isExpirationRequired"] and (end - start).total_seconds() > _seconds(rule["maximumDuration"]):
            raise Reject(
                400,
                "RoleAssignmentRequestPolicyValidationFailed",
                'The following policy rules failed: ["ExpirationRule"]',
            )
        if action == "adminAssign" and existing is not None:
            raise Reject(400, "RoleAssignmentExists", "The Role assignment already exists.")
        if action == "adminUpdate" and existing is None:
            raise Reject(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
        schedule_id = existing["id"] if existing else self._created(request_id)
        self.schedules[schedule_id] = {
            "id": schedule_id,
            "principalId": key[0],
            "roleDefinitionId": key[1],
            "directoryScopeId": scope,
            "appScopeId": None,
            "memberType": "Direct",
            "status": "Provisioned",
            "scheduleInfo": {
                "startDateTime": _iso(start),
                "recurrence": None,
                "expiration": {"type": "afterDateTime", "endDateTime": _iso(end), "duration": None},
            },
        }
        return (
            201,
            {
                "id": request_id,
                "action": action,
                "status": "Provisioned",
                "targetScheduleId": schedule_id,
                **{k: body.get(k) for k in ("principalId", "roleDefinitionId", "directoryScopeId")},
            },
            {},
        )

    def get_schedule(self, schedule_id: str, query: dict, body: Any):
        if schedule_id not in self.schedules:
            raise Reject(404, "NotFound", "The schedule does not exist.")
        return self.schedules[schedule_id]

    # -- private access -------------------------------------------------------------------------
    def instantiate(self, template_id: str, query: dict, body: Any):
        if template_id != CUSTOM_TEMPLATE:
            raise bad(f"unexpected application template {template_id}")
        name = _need(body, "displayName", str, "instantiate")
        app = {
            "id": self._created(str(uuid.uuid4())),
            "appId": str(uuid.uuid4()),
            "displayName": name,
            "onPremisesPublishing": None,
        }
        sp = {
            "id": self._created(str(uuid.uuid4())),
            "appId": app["appId"],
            "displayName": name,
            "appRoles": [
                {
                    "id": str(uuid.uuid4()),
                    "displayName": "msiam_access",
                    "isEnabled": True,
                    "allowedMemberTypes": ["User"],
                },
                {"id": str(uuid.uuid4()), "displayName": "User", "isEnabled": True, "allowedMemberTypes": ["User"]},
            ],
        }
        self.apps[app["id"]], self.sps[sp["id"]] = app, sp
        self.segments[app["id"]], self.assignments[sp["id"]] = {}, {}
        return 201, {"application": app, "servicePrincipal": sp}, {}

    def _app(self, app_id: str) -> dict:
        if app_id not in self.apps:
            raise Reject(404, "Request_ResourceNotFound", f"Resource '{app_id}' does not exist.")
        return self.apps[app_id]

    def get_app(self, app_id: str, query: dict, body: Any):
        return self._app(app_id)

    def patch_app(self, app_id: str, query: dict, body: Any):
        app = self._app(app_id)
        if not isinstance(body, dict) or not body or not set(body) <= {"displayName", "onPremisesPublishing"}:
            raise bad(f"application PATCH with unexpected keys {body!r}")
        pub = body.get("onPremisesPublishing")
        if pub is not None:
            if pub.get("applicationType") not in ("nonwebapp", "quickaccessapp"):
                raise bad(f"onPremisesPublishing.applicationType: {pub.get('applicationType')!r}")
            _need(pub, "isAccessibleViaZTNAClient", bool, "onPremisesPublishing")
            app["onPremisesPublishing"] = {**(app["onPremisesPublishing"] or {}), **pub}
        if "displayName" in body:
            app["displayName"] = _need(body, "displayName", str, "application")
        return 204, None, {}

    def delete_app(self, app_id: str, query: dict, body: Any):
        app = self.apps.pop(self._app(app_id)["id"])
        for sp_id in [s for s, sp in self.sps.items() if sp["appId"] == app["appId"]]:
            del self.sps[sp_id]
            self.assignments.pop(sp_id, None)
        self.segments.pop(app_id, None)
        self.connectors.pop(app_id, None)
        return 204, None, {}

    def put_connector(self, app_id: str, query: dict, body: Any):
        self._app(app_id)
        ref = _need(body, "@odata.id", str, "connectorGroup $ref")
        m = re.fullmatch(
            r"https?://[^/]+/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/([0-9a-f-]{36})", ref
        )
        if not m:
            raise bad(f"connectorGroup $ref: {ref!r}")
        if m.group(1) not in self.connector_groups:
            raise Reject(404, "Request_ResourceNotFound", f"connector group {m.group(1)} does not exist")
        self.connectors[app_id] = m.group(1)
        return 204, None, {}

    def get_connector(self, app_id: str, query: dict, body: Any):
        self._app(app_id)
        if app_id not in self.connectors:
            raise Reject(404, "Request_ResourceNotFound", "no connector group")
        return {"id": self.connectors[app_id], "name": "pum-connectors", "connectorGroupType": "applicationProxy"}

    @staticmethod
    def _validate_segment(seg: Any) -> dict:
        where = "ipApplicationSegment"
        if not isinstance(seg, dict) or set(seg) != {"destinationHost", "destinationType", "ports", "protocol"}:
            raise bad(f"{where}: expected exactly destinationHost, destinationType, ports, protocol; got {seg!r}")
        _need(seg, "destinationHost", str, where)
        if seg["destinationType"] not in ("ipAddress", "ipRange", "ipRangeCidr", "fqdn", "dnsSuffix"):
            raise bad(f"{where}.destinationType: {seg['destinationType']!r}")
        if seg["protocol"] not in ("tcp", "udp", "tcp,udp"):
            raise bad(f"{where}.protocol: {seg['protocol']!r}")
        for port in _need(seg, "ports", list, where):
            if not re.fullmatch(r"(\d{1,5})-(\d{1,5})", str(port)):
                raise bad(f"{where}.ports: {port!r}")
        return seg

    def _ztna(self, app_id: str) -> None:
        if not (self._app(app_id).get("onPremisesPublishing") or {}).get("isAccessibleViaZTNAClient"):
            raise bad("segments on an application that is not accessible via the ZTNA client")

    def list_segments(self, app_id: str, query: dict, body: Any):
        self._app(app_id)
        return {"value": list(self.segments[app_id].values())}

    def post_segment(self, app_id: str, query: dict, body: Any):
        self._ztna(app_id)
        seg = {"id": str(uuid.uuid4()), **self._validate_segment(body), "port": 0}
        self.segments[app_id][seg["id"]] = seg
        return 201, seg, {}

    def patch_segment(self, app_id: str, seg_id: str, query: dict, body: Any):
        self._ztna(app_id)
        if seg_id not in self.segments[app_id]:
            raise Reject(404, "NotFound", "segment not found")
        self.segments[app_id][seg_id].update(self._validate_segment(body))
        return 204, None, {}

    def delete_segment(self, app_id: str, seg_id: str, query: dict, body: Any):
        self._app(app_id)
        if self.segments[app_id].pop(seg_id, None) is None:
            raise Reject(404, "NotFound", "segment not found")
        return 204, None, {}

    def _sp(self, sp_id: str) -> dict:
        if sp_id not in self.sps:
            raise Reject(404, "Request_ResourceNotFound", f"Resource '{sp_id}' does not exist.")
        return self.sps[sp_id]

    def get_sp(self, sp_id: str, query: dict, body: Any):
        return self._sp(sp_id)

    def list_sps(self, query: dict, body: Any):
        m = re.fullmatch(r"appId eq '([0-9a-f-]{36})'", query.get("$filter", ""))
        if not m:
            raise bad(f"servicePrincipals $filter {query.get('$filter')!r}")
        return {"value": [sp for sp in self.sps.values() if sp["appId"] == m.group(1)]}

    def list_assignments(self, sp_id: str, query: dict, body: Any):
        self._sp(sp_id)
        return {"value": list(self.assignments[sp_id].values())}

    def post_assignment(self, sp_id: str, query: dict, body: Any):
        sp = self._sp(sp_id)
        where = "appRoleAssignment"
        if not GUID.match(_need(body, "principalId", str, where)) or body.get("resourceId") != sp_id:
            raise bad(f"{where}: principalId must be a GUID and resourceId the service principal: {body!r}")
        if body.get("appRoleId") not in {r["id"] for r in sp["appRoles"]} | {"00000000-0000-0000-0000-000000000000"}:
            raise bad(f"{where}.appRoleId: {body.get('appRoleId')!r} is not a role of the service principal")
        if any(a["principalId"] == body["principalId"] for a in self.assignments[sp_id].values()):
            raise Reject(400, "Request_BadRequest", "Permission being assigned already exists on the object")
        item = {"id": str(uuid.uuid4()), "principalType": "Group", **body}
        self.assignments[sp_id][item["id"]] = item
        return 201, item, {}

    def delete_assignment(self, sp_id: str, assignment_id: str, query: dict, body: Any):
        self._sp(sp_id)
        if self.assignments[sp_id].pop(assignment_id, None) is None:
            raise Reject(404, "NotFound", "assignment not found")
        return 204, None, {}

    # -- lifecycle workflows --------------------------------------------------------------------
    @staticmethod
    def _validate_workflow(body: Any, partial: bool = False) -> None:
        where = "workflow"
        if partial:
            if (
                not isinstance(body, dict)
                or not body
                or not set(body) <= {"displayName", "description", "isEnabled", "isSchedulingEnabled"}
            ):
                raise bad(f"{where} PATCH may only change basic properties; got {sorted(body or {})}")
            return
        if _need(body, "category", str, where) not in ("joiner", "leaver", "mover"):
            raise bad(f"{where}.category: {body['category']!r}")
        _need(body, "displayName", str, where)
        cond = _need(body, "executionConditions", dict, where)
        if cond.get("@odata.type") != "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions":
            raise bad(f"{where}.executionConditions.@odata.type: {cond.get('@odata.type')!r}")
        scope, trigger = cond.get("scope") or {}, cond.get("trigger") or {}
        if scope.get("@odata.type") != "#microsoft.graph.identityGovernance.ruleBasedSubjectSet" or not scope.get(
            "rule"
        ):
            raise bad(f"{where}.executionConditions.scope: {scope!r}")
        if (
            trigger.get("@odata.type") != "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger"
            or trigger.get("timeBasedAttribute") not in ("employeeHireDate", "employeeLeaveDateTime", "createdDateTime")
            or not isinstance(trigger.get("offsetInDays"), int)
            or not -180 <= trigger["offsetInDays"] <= 180
        ):
            raise bad(f"{where}.executionConditions.trigger: {trigger!r}")
        tasks = _need(body, "tasks", list, where)
        if not tasks:
            raise bad(f"{where}.tasks: empty")
        for task in tasks:
            if body["category"] == "leaver" and task.get("taskDefinitionId") not in LEAVER_TASK_IDS:
                raise bad(f"{where}.tasks: {task.get('taskDefinitionId')!r} is not a leaver task")
            if (
                task.get("category") != body["category"]
                or not isinstance(task.get("isEnabled"), bool)
                or not task.get("displayName")
            ):
                raise bad(f"{where}.tasks: malformed task {task!r}")

    @staticmethod
    def _scheduling(workflow: dict) -> None:
        if workflow.get("isSchedulingEnabled") and workflow.get("isEnabled") is False:
            raise Reject(400, "BadRequest", "isSchedulingEnabled cannot be true when isEnabled is false")

    def post_workflow(self, query: dict, body: Any):
        self._validate_workflow(body)
        self._scheduling(body)
        workflow = {
            "isEnabled": True,
            "isSchedulingEnabled": False,
            "description": None,
            **body,
            "id": self._created(str(uuid.uuid4())),
            "version": 1,
            "tasks": [{"id": str(uuid.uuid4()), "executionSequence": i + 1, **t} for i, t in enumerate(body["tasks"])],
        }
        self.workflows[workflow["id"]] = workflow
        return 201, {k: v for k, v in workflow.items() if k != "tasks"}, {}

    def _workflow(self, workflow_id: str) -> dict:
        if workflow_id not in self.workflows:
            raise Reject(404, "NotFound", f"workflow {workflow_id} not found")
        return self.workflows[workflow_id]

    def get_workflow(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        return workflow if query.get("$expand") == "tasks" else {k: v for k, v in workflow.items() if k != "tasks"}

    def patch_workflow(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        self._validate_workflow(body, partial=True)
        self._scheduling({**workflow, **body})
        workflow.update(body)
        return 204, None, {}

    def new_version(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        new = body.get("workflow") if isinstance(body, dict) else None
        self._validate_workflow(new)
        if new["category"] != workflow["category"]:
            raise bad("createNewVersion cannot change the category")
        self._scheduling(new)
        workflow.update(
            {**new, "version": workflow["version"] + 1, "tasks": [{"id": str(uuid.uuid4()), **t} for t in new["tasks"]]}
        )
        return 200, {k: v for k, v in workflow.items() if k != "tasks"}, {}

    def delete_workflow(self, workflow_id: str, query: dict, body: Any):
        del self.workflows[self._workflow(workflow_id)["id"]]
        return 204, None, {}


_ID = r"([^/]+)"
_APP = r"/beta/applications/" + _ID
_SP = r"/v1\.0/servicePrincipals/" + _ID
_WF = r"/v1\.0/identityGovernance/lifecycleWorkflows/workflows"
ROUTES = [
    ("GET", r"/v1\.0/policies/roleManagementPolicyAssignments", GraphStandIn.list_policy_assignments),
    ("GET", r"/v1\.0/policies/roleManagementPolicies/" + _ID + "/rules", GraphStandIn.list_rules),
    ("GET", r"/v1\.0/policies/roleManagementPolicies/" + _ID + "/rules/" + _ID, GraphStandIn.get_rule),
    ("PATCH", r"/v1\.0/policies/roleManagementPolicies/" + _ID + "/rules/" + _ID, GraphStandIn.patch_rule),
    ("POST", r"/v1\.0/roleManagement/directory/roleEligibilityScheduleRequests", GraphStandIn.post_eligibility),
    ("GET", r"/v1\.0/roleManagement/directory/roleEligibilitySchedules/" + _ID, GraphStandIn.get_schedule),
    ("POST", r"/beta/applicationTemplates/" + _ID + "/instantiate", GraphStandIn.instantiate),
    ("GET", _APP, GraphStandIn.get_app),
    ("PATCH", _APP, GraphStandIn.patch_app),
    ("DELETE", _APP, GraphStandIn.delete_app),
    ("PUT", _APP + r"/connectorGroup/\$ref", GraphStandIn.put_connector),
    ("GET", _APP + r"/connectorGroup", GraphStandIn.get_connector),
    ("GET", _APP + re.escape(SEG), GraphStandIn.list_segments),
    ("POST", _APP + re.escape(SEG), GraphStandIn.post_segment),
    ("PATCH", _APP + re.escape(SEG) + "/" + _ID, GraphStandIn.patch_segment),
    ("DELETE", _APP + re.escape(SEG) + "/" + _ID, GraphStandIn.delete_segment),
    ("GET", r"/v1\.0/servicePrincipals", GraphStandIn.list_sps),
    ("GET", _SP, GraphStandIn.get_sp),
    ("GET", _SP + "/appRoleAssignedTo", GraphStandIn.list_assignments),
    ("POST", _SP + "/appRoleAssignedTo", GraphStandIn.post_assignment),
    ("DELETE", _SP + "/appRoleAssignedTo/" + _ID, GraphStandIn.delete_assignment),
    ("POST", _WF, GraphStandIn.post_workflow),
    ("GET", _WF + "/" + _ID, GraphStandIn.get_workflow),
    ("PATCH", _WF + "/" + _ID, GraphStandIn.patch_workflow),
    ("DELETE", _WF + "/" + _ID, GraphStandIn.delete_workflow),
    ("POST", _WF + "/" + _ID + r"/microsoft\.graph\.identityGovernance\.createNewVersion", GraphStandIn.new_version),
]


@pytest.fixture
def graph(monkeypatch):
    """A running stand-in; the Graph client env points at it. Fails the test on unexpected bad bodies."""
    standin = GraphStandIn().start()
    monkeypatch.setenv("PUM_GRAPH_BASE_URL", standin.url)
    monkeypatch.setenv("PUM_GRAPH_TOKEN", standin.token)
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, f"requests our code must never send: {standin.violations}"
