"""A local Microsoft Graph stand-in for the Graph provider tests (loopback only, bounded, self-stopping).

It implements exactly the endpoints components/graph uses (``ROUTES``), validates request bodies against the
documented shapes independently of the code under test (a bad body is answered 400 like Graph AND recorded
in ``violations``, which the fixture asserts empty unless a test clears it), answers errors as Graph does
(``{"error": {"code", "message", "innerError": {"request-id", "client-request-id", "date"}}}``), and answers
as Graph does rather than echoing what our code sent (see "Graph-like answers" below).

Every exchange is recorded as a :class:`Recorded` in ``requests`` (tests may clear it) and in ``exchanges``
(never cleared): at teardown the ``graph`` fixture runs ``graph_models.check_exchange`` over ``exchanges``,
checking every request and answer against Microsoft's SDK models and request builders, and fails the test
on any problem. A test that sends an SDK-invalid body on purpose takes it out with ``graph.excuse(recorded)``.

Bounds: loopback only (127.0.0.1, an ephemeral port), bodies above ``MAX_BODY`` answered 413, at most
``max_requests`` requests (then 503), and the server stops itself after ``lifetime`` seconds.

Knobs:

- ``throttle(n, status=429, retry_after="3")``: the next n requests are answered ``status`` (with
  ``Retry-After`` unless None) and not processed.
- ``throttle_matching(method, fragment="", n=1, status=429, retry_after="3")``: the same, only for requests
  with that method and ``fragment`` in the path (``n=0`` lifts it).
- ``fail_next(status, code, message)``: the next request is answered with that error and not processed.
- ``redirect_next(method, fragment="", to="", status=307)``: the next matching request is answered with a
  redirect to ``to`` and not processed; the ``other_origin`` fixture is a loopback server on another port
  that records the ``Authorization`` headers it receives (none may arrive).
- ``lag(n)``: objects created from now on are not there yet for their next n requests: a request whose path
  names one answers 404, and a collection or ``$filter`` answer that would hold one leaves it out (each such
  answer uses up one of its n). ``settle()`` ends the lag.
- ``lose_answer(method, fragment="", how="504", n=1)``: the next n requests with that method and ``fragment``
  in the path ARE processed (state changes), but the answer is replaced with a 504 Gateway Timeout error
  (``how="504"``) or the connection is closed with no HTTP answer at all (``how="drop"``).
- ``end_dates`` (attribute, default False): True answers an ``afterDuration`` eligibility with its computed
  ``endDateTime`` (``afterDateTime``) instead of the duration (see 3 below).
- one attribute per Graph-like answer below (``lowercase_operations``, ``lowercase_ids``, ``lag_lists``,
  ``odata_context``, ``select``, ``opaque_assignment_ids``), default from ``GRAPH_LIKE``.

Graph-like answers (each with its source):

1. PIM rules answer ``target.operations`` as Graph serialises the enum, lower-case (``["all"]``), whatever
   the PATCH sent (``"All"`` is accepted on input). Source: the response example of
   https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicy-list-rules (every rule answers
   ``"operations": ["all"]``), and the enum members in the SDK (``UnifiedRoleManagementPolicyRuleTargetOperations``,
   values ``all, activate, ...``). The default rules follow that example too (``Expiration_Admin_Assignment``
   ``isExpirationRequired: false``; ``Approval_EndUser_Assignment`` ``approvalMode: "SingleStage"`` with one
   stage of no approvers while approval is not required).
2. GUIDs are stored and answered lower-case (principalId, roleDefinitionId, approvers' groupId/userId,
   appRoleAssignment principalId/resourceId/appRoleId, connector group IDs, object IDs in paths and
   filters are matched case-insensitively): Graph accepts an upper-case GUID and answers the canonical form
   (every ID in the Graph reference examples is lower-case; Entra object IDs are GUIDs compared as GUIDs).
   ``directoryScopeId`` is kept as sent (a string, not a GUID, to Graph), but matched case-insensitively.
3. An eligibility created ``afterDuration`` is answered ``scheduleInfo.expiration`` =
   ``{"type": "afterDuration", "endDateTime": null, "duration": "P90D"}``: Graph may answer a
   duration-based schedule with its duration and no end date (https://learn.microsoft.com/graph/api/resources/expirationpattern:
   ``endDateTime`` and ``duration`` are alternatives for the ``type``), so a provider must compute the end
   itself. ``graph.end_dates = True`` answers the computed ``afterDateTime`` end instead (the form of the
   examples in https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedules).
   The schedule's ``createdUsing`` is the request ID and equals the schedule ID, as in those examples;
   an ``adminRemove`` answers ``status: "Revoked"``, ``targetScheduleId: null`` and ``scheduleInfo: null``
   (https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests, example 2),
   and needs no justification. ``adminAssign`` for a principal, role and scope that already has an
   eligibility answers 400 ``RoleAssignmentExists`` ("The Role assignment already exists."), ``adminUpdate``
   or ``adminRemove`` of none 400 ``RoleAssignmentDoesNotExist``; a lifetime beyond the role's
   ``Expiration_Admin_Eligibility`` 400 ``RoleAssignmentRequestPolicyValidationFailed``.
4. Replication lag (``lag``) also applies to collection and ``$filter`` answers (``lag_lists``): a new
   object is not listed until it has replicated (https://learn.microsoft.com/graph/best-practices-concept,
   "eventual consistency"; the directory's replicas answer reads).
5. Throttling (``throttle``): 429 ``TooManyRequests`` or 503 with ``Retry-After`` in seconds
   (https://learn.microsoft.com/graph/throttling).
6. A lost answer (``lose_answer``): the request took effect but no answer, or a gateway's 504, came back
   (https://learn.microsoft.com/graph/errors: 504 Gateway Timeout).
7. Lookups, with Graph's filter syntax (OData string literals in single quotes, a quote in the value
   doubled) and nothing else (an unexpected ``$filter`` or query option is a violation):

   - ``GET /v1.0/roleManagement/directory/roleEligibilitySchedules`` with
     ``$filter=principalId eq '{id}' and roleDefinitionId eq '{id}'`` (the caller filters ``directoryScopeId``)
   - ``GET /v1.0/identityGovernance/lifecycleWorkflows/workflows?$filter=displayName eq '{name}'``
     (workflows answered without ``tasks``, a navigation property, as in
     https://learn.microsoft.com/graph/api/identitygovernance-lifecycleworkflowscontainer-list-workflows)
   - ``GET /beta/applications?$filter=displayName eq '{name}'`` and ``...?$filter=tags/any(t:t eq '{tag}')``
     (optionally ``$select``; directory string comparisons are case-insensitive,
     https://learn.microsoft.com/graph/aad-advanced-queries)
   - ``GET /v1.0/servicePrincipals?$filter=appId eq '{appId}'`` (optionally ``$select``)

   ``$select`` answers only the selected properties (``select``), and a property the stand-in does not know
   is a violation (Graph: 400 "Could not find a property named ..."). Answers carry ``@odata.context``
   (``odata_context``) as in every reference example. Applications have ``tags`` (PATCH accepts
   ``displayName``, ``onPremisesPublishing`` and ``tags``). The instantiated service principal carries the
   tags, ``appRoleAssignmentRequired: true`` and ``servicePrincipalNames`` of the response example in
   https://learn.microsoft.com/graph/api/applicationtemplate-instantiate?view=graph-rest-beta.
   App role assignment IDs are not GUIDs but 43-character base64url keys beginning with the principal's ID
   (``opaque_assignment_ids``; the example ``"-WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc"`` of
   https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto).
   Rule PATCH answers 204 (https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update).
8. An application or service principal deleted "in the portal" (a test removes it from ``apps``/``sps``)
   answers 404 ``Request_ResourceNotFound`` for every path under it (segments, connector group, app role
   assignments), with Graph's message "Resource '{id}' does not exist or one of its queried
   reference-property objects are not present."

``GRAPH_LIKE = False`` (module level, read when a stand-in is made) answers all of 1-4 and 7's
``$select``/``@odata.context``/IDs the old, echoing way, for bisecting; a test can switch one answer for
itself (``graph.end_dates = True``).
"""

from __future__ import annotations

import base64
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

GRAPH_LIKE = True
TENANT = "11111111-2222-3333-4444-555555555555"
CALLER = "99999999-0000-4000-8000-000000000099"  # the deploying identity's object ID (the token's `oid`)
CUSTOM_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
CONNECTOR_GROUP = "c0c0c0c0-0000-4000-8000-000000000001"
GRAPH = "https://graph.microsoft.com"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_G = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LITERAL = r"'((?:[^']|'')*)'"  # an OData string literal; a quote inside is doubled
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
OPERATIONS = ("all", "activate", "deactivate", "assign", "update", "remove", "extend", "renew")
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
KNOBS = ("lowercase_operations", "lowercase_ids", "duration_schedules", "lag_lists", "odata_context", "select")
KNOBS += ("opaque_assignment_ids",)


def graph_like(knob: str) -> bool:
    """Whether a new stand-in answers ``knob`` the Graph-like way (see the module docstring)."""
    return GRAPH_LIKE


def fake_jwt(oid: str) -> str:
    """A JWT-shaped bearer token (unsigned; the stand-in checks it by equality) carrying ``oid``."""

    def part(claims: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    return ".".join((part({"typ": "JWT", "alg": "none"}), part({"oid": oid, "nonce": uuid.uuid4().hex}), "sig"))


class Reject(Exception):
    def __init__(self, status: int, code: str, message: str, violation: bool = False, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.violation = status, code, message, violation
        self.headers = headers or {}


def bad(message: str) -> Reject:
    """A request our code must never send: 400 and a recorded violation."""
    return Reject(400, "BadRequest", message, violation=True)


def not_found(object_id: str) -> Reject:
    return Reject(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


@dataclass
class Recorded:
    """One exchange: what was sent (``path`` decoded without the query, ``query`` its first values, ``body``
    parsed JSON) and what the stand-in answered (``status`` None when the connection was dropped; ``lost``
    ``"504"``/``"drop"`` when ``lose_answer`` replaced the answer)."""

    method: str
    path: str
    query: dict
    body: Any
    authorization: str
    raw_path: str = ""
    raw_body: bytes = b""
    status: int | None = None
    response: Any = None
    raw_response: bytes = b""
    lost: str | None = None


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


def _now() -> str:
    return _iso(datetime.now(UTC))


def _need(body: Any, key: str, kind: type, where: str) -> Any:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get(key), kind)
        or isinstance(body.get(key), bool) != (kind is bool)
    ):
        raise bad(f"{where}.{key}: required {kind.__name__}")
    return body[key]


def _literal(text: str) -> str:
    return text.replace("''", "'")


def default_rule(rule_id: str, graph_like: bool = True) -> dict:
    kind, caller, level = rule_id.split("_")[0], rule_id.split("_")[-2], rule_id.split("_")[-1]
    rule: dict = {
        "@odata.type": f"#microsoft.graph.unifiedRoleManagementPolicy{kind}Rule",
        "id": rule_id,
        "target": {
            "caller": caller,
            "operations": ["all" if graph_like else "All"],
            "level": level,
            "inheritableSettings": [],
            "enforcedSettings": [],
            "targetObjects": [],
        },
    }
    if kind == "Expiration":  # Microsoft defaults: 8 h activation, permanent eligibility allowed
        permanent_allowed = ("Expiration_Admin_Eligibility", "Expiration_Admin_Assignment" if graph_like else "")
        rule.update(
            isExpirationRequired=rule_id not in permanent_allowed,
            maximumDuration={"EndUser": "PT8H"}.get(caller, "P365D" if level == "Eligibility" else "P180D"),
        )
    elif kind == "Enablement":
        rule["enabledRules"] = (
            ["MultiFactorAuthentication", "Justification"]
            if caller == "EndUser" and graph_like
            else ["Justification"]
            if caller == "EndUser" or (graph_like and level == "Assignment")
            else []
        )
    elif kind == "AuthenticationContext":
        rule.update(isEnabled=False, claimValue=None)
    elif kind == "Approval":
        stage = {
            "approvalStageTimeOutInDays": 1,
            "isApproverJustificationRequired": True,
            "escalationTimeInMinutes": 0,
            "isEscalationEnabled": False,
            "primaryApprovers": [],
            "escalationApprovers": [],
        }
        rule["setting"] = {
            "isApprovalRequired": False,
            "isApprovalRequiredForExtension": False,
            "isRequestorJustificationRequired": True,
            "approvalMode": "SingleStage" if graph_like else "NoApproval",
            "approvalStages": [stage] if graph_like else [],
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
    if not isinstance(ops, list) or not all(isinstance(o, str) and o[:1].lower() + o[1:] in OPERATIONS for o in ops):
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
            for key in ("approvalStageTimeOutInDays", "escalationTimeInMinutes"):  # Edm.Int32: 1.0 is refused
                if key in stage and (not isinstance(stage[key], int) or isinstance(stage[key], bool)):
                    raise bad(f"{where}.approvalStages[].{key}: {stage[key]!r} is not an Int32")
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

    def __init__(self, token: str | None = None, lifetime: float = 120.0, max_requests: int = 2000):
        # like Entra's, the bearer token is a JWT whose `oid` claim is the caller (the deploying identity)
        self.token = token or fake_jwt(CALLER)
        self.lifetime, self.max_requests = lifetime, max_requests
        self.owners: dict[str, list[dict]] = {}  # application id -> its owners (directory objects)
        self.requests: list[Recorded] = []
        self.exchanges: list[Recorded] = []
        self.violations: list[str] = []
        self.sleeps: list[float] = []
        # Graph-like answers (module docstring); a test may flip one for itself
        self.lowercase_operations = graph_like("lowercase_operations")
        self.lowercase_ids = graph_like("lowercase_ids")
        self.end_dates = not graph_like("duration_schedules")
        self.lag_lists = graph_like("lag_lists")
        self.odata_context = graph_like("odata_context")
        self.select = graph_like("select")
        self.opaque_assignment_ids = graph_like("opaque_assignment_ids")
        self.policies: dict[str, dict] = {}  # roleDefinitionId -> {"id", "rules": {ruleId: rule}}
        self.schedules: dict[str, dict] = {}
        self.apps: dict[str, dict] = {}
        self.sps: dict[str, dict] = {}
        self.segments: dict[str, dict[str, dict]] = {}  # app object id -> {segment id: segment}
        self.connectors: dict[str, str] = {}  # app object id -> connector group id
        self.connector_groups = {CONNECTOR_GROUP}
        self.assignments: dict[str, dict[str, dict]] = {}  # sp id -> {assignment id: assignment}
        self.workflows: dict[str, dict] = {}
        self.area: dict[str, dict[str, Any]] = {}  # per-area state of the tests/standin_*.py endpoints
        self._throttle: list[tuple[int, str | None]] = []
        self._fail: list[tuple[int, str, str]] = []
        self._lose: list[tuple[str, str, str]] = []
        self._throttle_matching: list[tuple[str, str, int, str | None]] = []
        self._redirect: list[tuple[str, str, str, int]] = []
        self._lag_n = 0
        self._lagging: dict[str, int] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._stopped = False

    # -- knobs ----------------------------------------------------------------------------------
    def throttle(self, n: int, status: int = 429, retry_after: str | None = "3") -> None:
        self._throttle += [(status, retry_after)] * n

    def fail_next(self, status: int, code: str, message: str) -> None:
        self._fail.append((status, code, message))

    def lag(self, n: int) -> None:
        """Objects created from now on are missing from their next n requests (replication lag)."""
        self._lag_n = n

    def throttle_matching(
        self, method: str, fragment: str = "", n: int = 1, status: int = 429, retry_after: str | None = "3"
    ) -> None:
        """The next n requests with that method and ``fragment`` in the path are throttled (others pass);
        ``n=0`` lifts it."""
        self._throttle_matching = [t for t in self._throttle_matching if t[:2] != (method, fragment)]
        self._throttle_matching += [(method, fragment, status, retry_after)] * n

    def redirect_next(self, method: str, fragment: str = "", to: str = "", status: int = 307) -> None:
        """The next request with that method and ``fragment`` in the path is answered ``status`` with
        ``Location: to`` and not processed (a front door redirecting; the client must not follow it off the
        Graph origin with the token)."""
        self._redirect.append((method, fragment, to, status))

    def settle(self) -> None:
        """Replication catches up: objects created under ``lag`` are there from now on."""
        self._lagging.clear()
        self._lag_n = 0

    def lose_answer(self, method: str, fragment: str = "", how: str = "504", n: int = 1) -> None:
        """The next n matching requests are processed, but their answer is a 504 or never comes."""
        if how not in ("504", "drop"):
            raise ValueError(f"how: {how!r}; use '504' or 'drop'")
        self._lose += [(method, fragment, how)] * n

    def excuse(self, *recorded: Recorded) -> None:
        """Leave exchanges a test sent SDK-invalid on purpose out of the fixture's model check."""
        self.exchanges = [r for r in self.exchanges if all(r is not x for x in recorded)]

    def client(self, **kwargs: Any):
        from components.graph.client import GraphClient

        return GraphClient(sleep=self.sleeps.append, **kwargs)

    def calls(self, method: str, fragment: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and fragment in r.path]

    def policy(self, role_id: str) -> dict:
        role_id = self._id(role_id)
        if role_id not in self.policies:
            self.policies[role_id] = {
                "id": f"DirectoryRole_{TENANT}_{uuid.uuid4()}",
                "rules": {r: default_rule(r, self.lowercase_operations) for r in RULE_IDS},
            }
        return self.policies[role_id]

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

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
        path = unquote(split.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(min(length, MAX_BODY)) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = Recorded(h.command, path, query, body, h.headers.get("Authorization", ""), h.path, raw)
        with self._lock:
            self._count += 1
            self.requests.append(record)
            self.exchanges.append(record)
            try:
                status, payload, headers = self._route(record, length)
            except Reject as rej:
                if rej.violation:
                    self.violations.append(f"{h.command} {path}: {rej.message}")
                status, headers, payload = rej.status, rej.headers, self._error(rej.code, rej.message, request_id)
            if record.lost == "504":
                status, headers = 504, {}
                payload = self._error("GatewayTimeout", "The gateway did not receive a timely response.", request_id)
            if record.lost == "drop":
                h.close_connection = True  # processed, but no answer: the client sees the connection closed
                return
            data = b"" if payload is None else json.dumps(payload).encode()
            record.status, record.response, record.raw_response = status, payload, data
        h.send_response(status)
        h.send_header("request-id", request_id)
        h.send_header("client-request-id", request_id)
        for key, value in headers.items():
            h.send_header(key, value)
        if data:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _error(code: str, message: str, request_id: str) -> dict:
        inner = {"date": _now(), "request-id": request_id, "client-request-id": request_id}
        return {"error": {"code": code, "message": message, "innerError": inner}}

    def _gate(self, record: Recorded, length: int):
        """The knobs and checks every request meets before it is served: the budget, the size, the bearer token,
        throttles, redirects, failures and lag. Raises the error to answer, returns a redirect, or None."""
        method, path = record.method, record.path
        if self._count > self.max_requests:
            raise Reject(503, "ServiceUnavailable", "stand-in request budget exhausted")
        if length > MAX_BODY:
            raise Reject(413, "RequestTooLarge", "body too large")
        if record.authorization != f"Bearer {self.token}":
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
        matching = next((t for t in self._throttle_matching if t[0] == method and t[1] in path), None)
        if matching:
            self._throttle_matching.remove(matching)
            raise Reject(
                matching[2],
                "TooManyRequests" if matching[2] == 429 else "ServiceUnavailable",
                "Too many requests, retry later.",
                headers={"Retry-After": matching[3]} if matching[3] is not None else {},
            )
        redirect = next((r for r in self._redirect if r[0] == method and r[1] in path), None)
        if redirect:
            self._redirect.remove(redirect)
            return redirect[3], None, {"Location": redirect[2]}
        if self._fail:
            raise Reject(*self._fail.pop(0))
        for object_id, left in list(self._lagging.items()):
            if object_id in path.lower() and left > 0:
                self._lagging[object_id] = left - 1
                raise not_found(object_id)
        return None

    def _route(self, record: Recorded, length: int):
        method, path, query, body = record.method, record.path, record.query, record.body
        gated = self._gate(record, length)
        if gated is not None:
            return gated
        for verb, pattern, handler, options in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                unexpected = sorted(set(query) - set(options))
                if unexpected:
                    raise bad(
                        f"query options {unexpected} on {method} {path} (the stand-in serves {options or 'none'})"
                    )
                lose = next((x for x in self._lose if x[0] == method and x[1] in path), None)
                if lose:
                    self._lose.remove(lose)
                    record.lost = lose[2]
                result = handler(self, *match.groups(), query=query, body=body)
                status, payload, headers = result if isinstance(result, tuple) else (200, result, {})
                if method == "GET" and "$select" in query and self.select:
                    payload = self._select(payload, query["$select"])
                if isinstance(payload, dict) and self.odata_context and "@odata.context" not in payload:
                    payload = {"@odata.context": self._context(path, match, payload, query), **payload}
                return status, payload, headers
        raise bad(f"no such endpoint {method} {path}")

    @staticmethod
    def _context(path: str, match: re.Match, payload: dict, query: dict) -> str:
        """``@odata.context`` as Graph writes it: the entity set path with keys in parentheses."""
        out, last = "", 0
        for i in range(1, (match.re.groups or 0) + 1):
            start, end = match.span(i)
            out += path[last : start - 1] + f"('{path[start:end]}')"
            last = end
        out = (out + path[last:]).split("/", 2)
        fragment = out[2] + (f"({query['$select']})" if "$select" in query else "")
        return f"{GRAPH}/{out[1]}/$metadata#{fragment}" + ("" if "value" in payload else "/$entity")

    @staticmethod
    def _select(payload: Any, select: str) -> Any:
        wanted = [s.strip() for s in select.split(",")]
        items = payload["value"] if isinstance(payload, dict) and "value" in payload else [payload]
        for item in items:
            unknown = [s for s in wanted if s not in item]
            if unknown:
                raise bad(
                    f"$select: could not find a property named {unknown[0]!r} (the stand-in knows {sorted(item)})"
                )
        pick = [{k: v for k, v in item.items() if k in wanted or k == "@odata.type"} for item in items]
        return {**payload, "value": pick} if isinstance(payload, dict) and "value" in payload else pick[0]

    def _created(self, object_id: str) -> str:
        if self._lag_n:
            self._lagging[object_id.lower()] = self._lag_n
        return object_id

    def _listed(self, items: list[dict]) -> list[dict]:
        """A collection answer: objects still replicating are left out (and use up one of their requests)."""
        out = []
        for item in items:
            left = self._lagging.get(str(item.get("id", "")).lower(), 0)
            if left > 0 and self.lag_lists:
                self._lagging[str(item["id"]).lower()] = left - 1
                continue
            out.append(item)
        return out

    def _id(self, value: Any) -> Any:
        """A GUID as Graph stores and answers it (lower-case); anything else as it is."""
        return value.lower() if self.lowercase_ids and isinstance(value, str) and GUID.match(value) else value

    @staticmethod
    def _find(table: dict, key: str) -> str | None:
        """The key of ``table`` that is ``key`` (GUIDs compared case-insensitively, as Graph does)."""
        if key in table:
            return key
        return next((k for k in table if GUID.match(key) and k.lower() == key.lower()), None)

    # -- PIM policies ---------------------------------------------------------------------------
    def list_policy_assignments(self, query: dict, body: Any):
        m = re.fullmatch(
            r"scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '([^']+)'",
            query.get("$filter", ""),
        )
        if not m:
            raise bad(f"unexpected $filter {query.get('$filter')!r}")
        role_id = self._id(m.group(1))
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
        rules = self._policy_by_id(policy_id)["rules"]
        if rule_id not in rules:
            raise Reject(404, "NotFound", f"no rule {rule_id!r}")
        return rules[rule_id]

    def patch_rule(self, policy_id: str, rule_id: str, query: dict, body: Any):
        policy = self._policy_by_id(policy_id)
        validate_rule(rule_id, body)
        stored = policy["rules"][rule_id]
        stored.update(json.loads(json.dumps({k: v for k, v in body.items() if k != "target"})))
        stored["target"].update(json.loads(json.dumps(body["target"])))
        if self.lowercase_operations:  # Graph answers the enum as it serialises it
            stored["target"]["operations"] = [o[:1].lower() + o[1:] for o in stored["target"]["operations"]]
        for stage in (stored.get("setting") or {}).get("approvalStages") or []:
            for approver in stage.get("primaryApprovers", []) + stage.get("escalationApprovers", []):
                for key in ("groupId", "userId"):
                    if key in approver:
                        approver[key] = self._id(approver[key])
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
        if scope != "/" and not re.fullmatch(r"/administrativeUnits/" + _G, scope):
            raise bad(f"{where}.directoryScopeId: {scope!r}")
        if action != "adminRemove" and not _need(body, "justification", str, where).strip():
            raise bad(f"{where}.justification: empty")
        principal, role = self._id(body["principalId"]), self._id(body["roleDefinitionId"])
        key = (principal.lower(), role.lower(), scope.lower())
        existing = next(
            (
                s
                for s in self.schedules.values()
                if (s["principalId"].lower(), s["roleDefinitionId"].lower(), s["directoryScopeId"].lower()) == key
            ),
            None,
        )
        request_id = str(uuid.uuid4())
        answer = {
            "id": request_id,
            "status": "Provisioned",
            "createdDateTime": _now(),
            "completedDateTime": _now(),
            "approvalId": None,
            "customData": None,
            "action": action,
            "principalId": principal,
            "roleDefinitionId": role,
            "directoryScopeId": scope,
            "appScopeId": None,
            "isValidationOnly": False,
            "justification": body.get("justification"),
            "createdBy": {"application": None, "device": None, "user": {"displayName": None, "id": TENANT}},
            "ticketInfo": {"ticketNumber": None, "ticketSystem": None, **(body.get("ticketInfo") or {})},
        }
        if action == "adminRemove":
            if existing is None:
                raise Reject(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
            del self.schedules[existing["id"]]
            return (
                201,
                {
                    **answer,
                    "status": "Revoked",
                    "completedDateTime": None,
                    "targetScheduleId": None,
                    "scheduleInfo": None,
                },
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
        rule = self.policy(role)["rules"]["Expiration_Admin_Eligibility"]
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
        expiration = (
            {"type": "afterDuration", "endDateTime": None, "duration": exp["duration"]}
            if kind == "afterDuration" and not self.end_dates
            else {"type": "afterDateTime", "endDateTime": _iso(end), "duration": None}
        )
        schedule_info = {"startDateTime": _iso(start), "recurrence": None, "expiration": expiration}
        self.schedules[schedule_id] = {
            "id": schedule_id,
            "principalId": principal,
            "roleDefinitionId": role,
            "directoryScopeId": scope,
            "appScopeId": None,
            "createdUsing": existing["createdUsing"] if existing else request_id,
            "createdDateTime": existing["createdDateTime"] if existing else _now(),
            "modifiedDateTime": _now() if existing else None,
            "memberType": "Direct",
            "status": "Provisioned",
            "scheduleInfo": schedule_info,
        }
        return (
            201,
            {**answer, "targetScheduleId": schedule_id, "scheduleInfo": json.loads(json.dumps(schedule_info))},
            {},
        )

    def get_schedule(self, schedule_id: str, query: dict, body: Any):
        found = self._find(self.schedules, schedule_id)
        if found is None:
            raise Reject(404, "NotFound", "The schedule does not exist.")
        return self.schedules[found]

    def list_schedules(self, query: dict, body: Any):
        m = re.fullmatch(
            f"principalId eq '({_G})' and roleDefinitionId eq '({_G})'",
            query.get("$filter", ""),
        )
        if not m:
            raise bad(f"roleEligibilitySchedules $filter {query.get('$filter')!r}")
        principal, role = m.group(1).lower(), m.group(2).lower()
        found = [
            s
            for s in self.schedules.values()
            if (s["principalId"].lower(), s["roleDefinitionId"].lower()) == (principal, role)
        ]
        return {"value": self._listed(found)}

    # -- private access -------------------------------------------------------------------------
    def instantiate(self, template_id: str, query: dict, body: Any):
        if template_id.lower() != CUSTOM_TEMPLATE:
            raise bad(f"unexpected application template {template_id}")
        name = _need(body, "displayName", str, "instantiate")
        app = {
            "id": self._created(str(uuid.uuid4())),
            "appId": str(uuid.uuid4()),
            "displayName": name,
            "tags": [],
            "onPremisesPublishing": None,
            "passwordCredentials": [],
            "keyCredentials": [],
        }
        # the caller who instantiates the template becomes the application's owner
        self.owners[app["id"]] = [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": CALLER}]
        sp = {
            "id": self._created(str(uuid.uuid4())),
            "appId": app["appId"],
            "applicationTemplateId": CUSTOM_TEMPLATE,
            "displayName": name,
            "appDisplayName": name,
            "accountEnabled": True,
            "appRoleAssignmentRequired": True,
            "servicePrincipalNames": [app["appId"]],
            "servicePrincipalType": "Application",
            "tags": [
                "WindowsAzureActiveDirectoryIntegratedApp",
                "WindowsAzureActiveDirectoryCustomSingleSignOnApplication",
            ],
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
        answer = {"application": app, "servicePrincipal": sp}
        if self.odata_context:
            answer = {"@odata.context": f"{GRAPH}/beta/$metadata#microsoft.graph.applicationServicePrincipal", **answer}
        return 201, json.loads(json.dumps(answer)), {}

    def _app(self, app_id: str) -> dict:
        found = self._find(self.apps, app_id)
        if found is None:
            raise not_found(app_id)
        self.segments.setdefault(found, {})
        return self.apps[found]

    def get_app(self, app_id: str, query: dict, body: Any):
        return self._app(app_id)

    def list_owners(self, app_id: str, query: dict, body: Any):
        return {"value": list(self.owners.get(self._app(app_id)["id"], []))}

    def list_apps(self, query: dict, body: Any):
        text = query.get("$filter", "")
        by_name = re.fullmatch(f"displayName eq {_LITERAL}", text)
        by_tag = re.fullmatch(rf"tags/any\((\w+):\1 eq {_LITERAL}\)", text)
        if by_name:
            name = _literal(by_name.group(1)).casefold()
            found = [a for a in self.apps.values() if str(a.get("displayName", "")).casefold() == name]
        elif by_tag:
            tag = _literal(by_tag.group(2)).casefold()
            found = [a for a in self.apps.values() if tag in [t.casefold() for t in a.get("tags") or []]]
        else:
            raise bad(f"applications $filter {text!r}")
        return {"value": self._listed(found)}

    def patch_app(self, app_id: str, query: dict, body: Any):
        app = self._app(app_id)
        if not isinstance(body, dict) or not body or not set(body) <= {"displayName", "onPremisesPublishing", "tags"}:
            raise bad(f"application PATCH with unexpected keys {body!r}")
        pub = body.get("onPremisesPublishing")
        if pub is not None:
            if pub.get("applicationType") not in ("nonwebapp", "quickaccessapp"):
                raise bad(f"onPremisesPublishing.applicationType: {pub.get('applicationType')!r}")
            _need(pub, "isAccessibleViaZTNAClient", bool, "onPremisesPublishing")
            app["onPremisesPublishing"] = {**(app["onPremisesPublishing"] or {}), **pub}
        if "displayName" in body:
            app["displayName"] = _need(body, "displayName", str, "application")
        if "tags" in body:
            tags = _need(body, "tags", list, "application")
            if not all(isinstance(t, str) and 0 < len(t) <= 256 for t in tags):
                raise bad(f"application.tags: {tags!r}")
            app["tags"] = list(tags)
        return 204, None, {}

    def delete_app(self, app_id: str, query: dict, body: Any):
        app = self.apps.pop(self._app(app_id)["id"])
        for sp_id in [s for s, sp in self.sps.items() if sp["appId"] == app["appId"]]:
            del self.sps[sp_id]
            self.assignments.pop(sp_id, None)
        self.segments.pop(app["id"], None)
        self.connectors.pop(app["id"], None)
        self.owners.pop(app["id"], None)
        return 204, None, {}

    def put_connector(self, app_id: str, query: dict, body: Any):
        app = self._app(app_id)
        ref = _need(body, "@odata.id", str, "connectorGroup $ref")
        m = re.fullmatch(
            r"https?://[^/]+/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/(" + _G + ")", ref, re.I
        )
        if not m:
            raise bad(f"connectorGroup $ref: {ref!r}")
        group = m.group(1).lower()
        if group not in {g.lower() for g in self.connector_groups}:
            raise not_found(m.group(1))
        self.connectors[app["id"]] = group if self.lowercase_ids else m.group(1)
        return 204, None, {}

    def get_connector(self, app_id: str, query: dict, body: Any):
        app = self._app(app_id)
        if app["id"] not in self.connectors:
            raise not_found("connectorGroup")
        return {
            "id": self.connectors[app["id"]],
            "name": "pum-connectors",
            "connectorGroupType": "applicationProxy",
            "isDefault": False,
            "region": "eur",
        }

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
        return json.loads(json.dumps(seg))

    def _ztna(self, app_id: str) -> dict:
        app = self._app(app_id)
        if not (app.get("onPremisesPublishing") or {}).get("isAccessibleViaZTNAClient"):
            raise bad("segments on an application that is not accessible via the ZTNA client")
        return app

    def list_segments(self, app_id: str, query: dict, body: Any):
        app = self._app(app_id)
        return {"value": self._listed(list(self.segments[app["id"]].values()))}

    def post_segment(self, app_id: str, query: dict, body: Any):
        app = self._ztna(app_id)
        seg = {"id": self._created(str(uuid.uuid4())), **self._validate_segment(body), "port": 0}
        self.segments[app["id"]][seg["id"]] = seg
        return 201, seg, {}

    def patch_segment(self, app_id: str, seg_id: str, query: dict, body: Any):
        app = self._ztna(app_id)
        found = self._find(self.segments[app["id"]], seg_id)
        if found is None:
            raise not_found(seg_id)
        self.segments[app["id"]][found].update(self._validate_segment(body))
        return 204, None, {}

    def delete_segment(self, app_id: str, seg_id: str, query: dict, body: Any):
        app = self._app(app_id)
        found = self._find(self.segments[app["id"]], seg_id)
        if found is None:
            raise not_found(seg_id)
        del self.segments[app["id"]][found]
        return 204, None, {}

    def _sp(self, sp_id: str) -> dict:
        found = self._find(self.sps, sp_id)
        if found is None:
            raise not_found(sp_id)
        self.assignments.setdefault(found, {})
        return self.sps[found]

    def get_sp(self, sp_id: str, query: dict, body: Any):
        return self._sp(sp_id)

    def list_sps(self, query: dict, body: Any):
        m = re.fullmatch(f"appId eq '({_G})'", query.get("$filter", ""))
        if not m:
            raise bad(f"servicePrincipals $filter {query.get('$filter')!r}")
        return {"value": self._listed([sp for sp in self.sps.values() if sp["appId"].lower() == m.group(1).lower()])}

    def list_assignments(self, sp_id: str, query: dict, body: Any):
        sp = self._sp(sp_id)
        return {"value": self._listed(list(self.assignments[sp["id"]].values()))}

    def _assignment_id(self, principal_id: str) -> str:
        if not self.opaque_assignment_ids:
            return str(uuid.uuid4())
        key = uuid.UUID(principal_id).bytes_le + uuid.uuid4().bytes
        return base64.urlsafe_b64encode(key).decode().rstrip("=")

    def post_assignment(self, sp_id: str, query: dict, body: Any):
        sp = self._sp(sp_id)
        where = "appRoleAssignment"
        principal = _need(body, "principalId", str, where)
        if not GUID.match(principal) or str(body.get("resourceId")).lower() != sp["id"].lower():
            raise bad(f"{where}: principalId must be a GUID and resourceId the service principal: {body!r}")
        roles = {r["id"].lower() for r in sp["appRoles"]} | {"00000000-0000-0000-0000-000000000000"}
        if str(body.get("appRoleId")).lower() not in roles:
            raise bad(f"{where}.appRoleId: {body.get('appRoleId')!r} is not a role of the service principal")
        if any(a["principalId"].lower() == principal.lower() for a in self.assignments[sp["id"]].values()):
            raise Reject(400, "Request_BadRequest", "Permission being assigned already exists on the object")
        item = {
            "id": self._created(self._assignment_id(principal)),
            "deletedDateTime": None,
            "appRoleId": self._id(body["appRoleId"]),
            "createdDateTime": _now(),
            "principalDisplayName": "group " + principal[:8],
            "principalId": self._id(principal),
            "principalType": "Group",
            "resourceDisplayName": sp["displayName"],
            "resourceId": self._id(body["resourceId"]),
        }
        self.assignments[sp["id"]][item["id"]] = item
        return 201, dict(item), {}

    def delete_assignment(self, sp_id: str, assignment_id: str, query: dict, body: Any):
        sp = self._sp(sp_id)
        if self.assignments[sp["id"]].pop(assignment_id, None) is None:
            raise not_found(assignment_id)
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
            or isinstance(trigger.get("offsetInDays"), bool)
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

    @staticmethod
    def _tasks(tasks: list[dict]) -> list[dict]:
        return [
            {"id": str(uuid.uuid4()), **json.loads(json.dumps(t)), "executionSequence": i + 1}
            for i, t in enumerate(tasks)
        ]

    @staticmethod
    def _without_tasks(workflow: dict) -> dict:
        return json.loads(json.dumps({k: v for k, v in workflow.items() if k != "tasks"}))

    def post_workflow(self, query: dict, body: Any):
        self._validate_workflow(body)
        self._scheduling(body)
        workflow = {
            "isEnabled": True,
            "isSchedulingEnabled": False,
            "description": None,
            **json.loads(json.dumps(body)),
            "id": self._created(str(uuid.uuid4())),
            "createdDateTime": _now(),
            "lastModifiedDateTime": _now(),
            "version": 1,
            "tasks": self._tasks(body["tasks"]),
        }
        self.workflows[workflow["id"]] = workflow
        return 201, self._without_tasks(workflow), {}

    def _workflow(self, workflow_id: str) -> dict:
        found = self._find(self.workflows, workflow_id)
        if found is None:
            raise Reject(404, "NotFound", f"workflow {workflow_id} not found")
        return self.workflows[found]

    def get_workflow(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        expand = query.get("$expand")
        if expand not in (None, "tasks"):
            raise bad(f"workflow $expand {expand!r}")
        return json.loads(json.dumps(workflow)) if expand == "tasks" else self._without_tasks(workflow)

    def list_workflows(self, query: dict, body: Any):
        m = re.fullmatch(f"displayName eq {_LITERAL}", query.get("$filter", ""))
        if not m:
            raise bad(f"workflows $filter {query.get('$filter')!r}")
        name = _literal(m.group(1))
        found = [self._without_tasks(w) for w in self.workflows.values() if w.get("displayName") == name]
        return {"value": self._listed(found)}

    def patch_workflow(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        self._validate_workflow(body, partial=True)
        self._scheduling({**workflow, **body})
        workflow.update(body, lastModifiedDateTime=_now())
        return 204, None, {}

    def new_version(self, workflow_id: str, query: dict, body: Any):
        workflow = self._workflow(workflow_id)
        new = body.get("workflow") if isinstance(body, dict) else None
        self._validate_workflow(new)
        assert isinstance(new, dict)
        if new["category"] != workflow["category"]:
            raise bad("createNewVersion cannot change the category")
        self._scheduling(new)
        workflow.update(
            {
                **json.loads(json.dumps(new)),
                "version": workflow["version"] + 1,
                "lastModifiedDateTime": _now(),
                "tasks": self._tasks(new["tasks"]),
            }
        )
        answer = self._without_tasks(workflow)
        if self.odata_context:
            answer = {
                "@odata.context": f"{GRAPH}/v1.0/$metadata#identityGovernance/lifecycleWorkflows/workflows/$entity",
                **answer,
            }
        return 200, answer, {}

    def delete_workflow(self, workflow_id: str, query: dict, body: Any):
        del self.workflows[self._workflow(workflow_id)["id"]]
        return 204, None, {}


_ID = r"([^/]+)"
_APP = r"/beta/applications/" + _ID
_SP = r"/v1\.0/servicePrincipals/" + _ID
_WF = r"/v1\.0/identityGovernance/lifecycleWorkflows/workflows"
_RULES = r"/v1\.0/policies/roleManagementPolicies/" + _ID + "/rules"
_ROLE = r"/v1\.0/roleManagement/directory/roleEligibility"
_S = ("$select",)
ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    # (method, path regex, handler, the query options it serves)
    ("GET", r"/v1\.0/policies/roleManagementPolicyAssignments", GraphStandIn.list_policy_assignments, ("$filter",)),
    ("GET", _RULES, GraphStandIn.list_rules, ()),
    ("GET", _RULES + "/" + _ID, GraphStandIn.get_rule, ()),
    ("PATCH", _RULES + "/" + _ID, GraphStandIn.patch_rule, ()),
    ("POST", _ROLE + "ScheduleRequests", GraphStandIn.post_eligibility, ()),
    ("GET", _ROLE + "Schedules", GraphStandIn.list_schedules, ("$filter",)),
    ("GET", _ROLE + "Schedules/" + _ID, GraphStandIn.get_schedule, ()),
    ("POST", r"/beta/applicationTemplates/" + _ID + "/instantiate", GraphStandIn.instantiate, ()),
    ("GET", r"/beta/applications", GraphStandIn.list_apps, ("$filter", *_S)),
    ("GET", _APP, GraphStandIn.get_app, _S),
    ("PATCH", _APP, GraphStandIn.patch_app, ()),
    ("GET", _APP + "/owners", GraphStandIn.list_owners, _S),
    ("DELETE", _APP, GraphStandIn.delete_app, ()),
    ("PUT", _APP + r"/connectorGroup/\$ref", GraphStandIn.put_connector, ()),
    ("GET", _APP + r"/connectorGroup", GraphStandIn.get_connector, ()),
    ("GET", _APP + re.escape(SEG), GraphStandIn.list_segments, ()),
    ("POST", _APP + re.escape(SEG), GraphStandIn.post_segment, ()),
    ("PATCH", _APP + re.escape(SEG) + "/" + _ID, GraphStandIn.patch_segment, ()),
    ("DELETE", _APP + re.escape(SEG) + "/" + _ID, GraphStandIn.delete_segment, ()),
    ("GET", r"/v1\.0/servicePrincipals", GraphStandIn.list_sps, ("$filter", *_S)),
    ("GET", _SP, GraphStandIn.get_sp, _S),
    ("GET", _SP + "/appRoleAssignedTo", GraphStandIn.list_assignments, ()),
    ("POST", _SP + "/appRoleAssignedTo", GraphStandIn.post_assignment, ()),
    ("DELETE", _SP + "/appRoleAssignedTo/" + _ID, GraphStandIn.delete_assignment, ()),
    ("POST", _WF, GraphStandIn.post_workflow, ()),
    ("GET", _WF, GraphStandIn.list_workflows, ("$filter",)),
    ("GET", _WF + "/" + _ID, GraphStandIn.get_workflow, ("$expand",)),
    ("PATCH", _WF + "/" + _ID, GraphStandIn.patch_workflow, ()),
    ("DELETE", _WF + "/" + _ID, GraphStandIn.delete_workflow, ()),
    (
        "POST",
        _WF + "/" + _ID + r"/microsoft\.graph\.identityGovernance\.createNewVersion",
        GraphStandIn.new_version,
        (),
    ),
]

# the endpoints of the newer Graph providers, one module per area (see tests/standin_*.py)
import standin_conditional_access  # noqa: E402
import standin_credentials  # noqa: E402
import standin_governance  # noqa: E402

for _area in (standin_conditional_access, standin_governance, standin_credentials):
    ROUTES += _area.ROUTES


@pytest.fixture
def graph(monkeypatch):
    """A running stand-in; the Graph client env points at it. Fails the test on unexpected bad bodies and on
    any exchange that Microsoft's SDK models or request builders disagree with (tests/graph_models.py)."""
    from graph_models import check_exchange

    standin = GraphStandIn().start()
    monkeypatch.setenv("PUM_GRAPH_BASE_URL", standin.url)
    monkeypatch.setenv("PUM_GRAPH_TOKEN", standin.token)
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, f"requests our code must never send: {standin.violations}"
    problems = check_exchange(standin.exchanges)
    assert not problems, "exchanges Microsoft's SDK models disagree with:\n" + "\n".join(problems)


class OtherOrigin:
    """A loopback server on another port: answers 200 ``{}`` to anything and records the Authorization headers."""

    def __init__(self) -> None:
        self.authorizations: list[str] = []
        self.paths: list[str] = []
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                origin.paths.append(self.path)
                if self.headers.get("Authorization"):
                    origin.authorizations.append(self.headers["Authorization"])
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(min(length, MAX_BODY))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def other_origin():
    """Another origin a redirect may point at (``redirect_next``); ``authorizations`` must stay empty."""
    origin = OtherOrigin()
    try:
        yield origin
    finally:
        origin.stop()
