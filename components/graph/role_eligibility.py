"""Time-bound PIM eligibility for an Entra directory role, over Microsoft Graph.

``DirectoryRoleEligibility`` (graphKind ``directoryRoleEligibility``) guarantees an eligibility that
EXPIRES: it posts ``adminAssign`` to ``/v1.0/roleManagement/directory/roleEligibilityScheduleRequests``
with ``scheduleInfo.expiration`` of type ``afterDuration`` or ``afterDateTime`` and refuses
``noExpiration`` (the azuread provider's eligibility resource is always permanent). The resource ID is
the schedule ID; ``read`` uses ``/roleEligibilitySchedules/{id}`` (Graph deletes request objects after
about 45 days), reports an eligibility removed or expired in the portal as gone, and a changed or
removed end date as drift. Updates post ``adminUpdate`` keeping the original start (an update does
not extend the lifetime); principal, role or scope changes replace (delete first: only one
eligibility may exist per principal, role and scope). Delete posts ``adminRemove``.

Graph permission: ``RoleEligibilitySchedule.ReadWrite.Directory`` (application), role Privileged Role
Administrator for delegated use. The role's PIM policy may still reject the request (e.g. a lifetime
beyond its ``Expiration_Admin_Eligibility``); the Graph error is reported as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
from privileged_facts import defaults as secure
from privileged_facts.values import is_guid, is_unknown, parse_datetime, parse_duration, utc_iso
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, create_or_adopt, diff, odata_quote, only, output, pick, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = "directoryRoleEligibility"
REQUESTS = "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests"
SCHEDULES = "/v1.0/roleManagement/directory/roleEligibilitySchedules"
FAILED = ("Failed", "Denied", "Canceled", "FailedAsResourceIsLocked", "AdminDenied")  # "Revoked" = removed
INPUT_KEYS = (
    "graphKind",
    "principalId",
    "roleDefinitionId",
    "directoryScopeId",
    "justification",
    "scheduleInfo",
    "ticketInfo",
)
REPLACE_KEYS = ("graphKind", "principalId", "roleDefinitionId", "directoryScopeId")
DEFAULT_DURATION = secure.MAX_ELIGIBILITY
_TOLERANCE = timedelta(minutes=2)


def validate_scope(value: Any) -> None:
    if is_unknown(value) or not isinstance(value, str) or value == "/":
        return
    prefix = "/administrativeUnits/"
    if not (value.startswith(prefix) and is_guid(value[len(prefix) :])):
        raise ValueError(
            f"directoryScopeId: {value!r} is not a directory scope; use '/' (tenant) or "
            "'/administrativeUnits/{administrative unit object ID}'"
        )


def validate_schedule(schedule: Any) -> None:
    """An expiration is mandatory; noExpiration (permanent eligibility) is refused."""
    if is_unknown(schedule):
        return
    expiration = schedule.get("expiration") if isinstance(schedule, dict) else None
    exp: dict = expiration if isinstance(expiration, dict) else {}
    kind = exp.get("type")
    if kind == "afterDuration":
        parse_duration(exp.get("duration"), "scheduleInfo.expiration.duration", positive=True)
        if exp.get("endDateTime"):
            raise ValueError("scheduleInfo.expiration: afterDuration must not carry endDateTime; give one of them")
    elif kind == "afterDateTime":
        parse_datetime(exp.get("endDateTime"), "scheduleInfo.expiration.endDateTime", require_offset=True)
    else:
        raise ValueError(
            f"scheduleInfo.expiration.type: {kind!r} is refused; eligibility must expire: use "
            "'afterDuration' with a duration (e.g. 'P180D') or 'afterDateTime' with an endDateTime"
        )
    if isinstance(schedule, dict) and schedule.get("startDateTime"):
        parse_datetime(schedule["startDateTime"], "scheduleInfo.startDateTime", require_offset=True)


def validate_justification(value: Any) -> None:
    if not is_unknown(value) and not (isinstance(value, str) and value.strip()):
        raise ValueError("justification: is required (PIM records it with the assignment); give a short reason")


def live_end(info: dict) -> datetime | None:
    """When a live schedule ends: its endDateTime, or, for a duration-based one that Graph answers
    with ``endDateTime: null``, its start plus its duration; None when it never ends."""
    exp = info.get("expiration") or {}
    if exp.get("endDateTime"):
        return parse_datetime(exp["endDateTime"], "endDateTime", require_offset=True)
    if exp.get("type") == "afterDuration" and exp.get("duration") and info.get("startDateTime"):
        return parse_datetime(info["startDateTime"], "startDateTime", require_offset=True) + parse_duration(
            exp["duration"], "duration", positive=True
        )
    return None


def expected_end(schedule: dict, start: str | None) -> datetime | None:
    exp = schedule.get("expiration", {})
    if exp.get("type") == "afterDateTime":
        return parse_datetime(exp["endDateTime"], "endDateTime", require_offset=True)
    if exp.get("type") == "afterDuration" and start:
        return parse_datetime(start, "startDateTime", require_offset=True) + parse_duration(
            exp["duration"], "duration", positive=True
        )
    return None


class DirectoryRoleEligibilityProvider(GraphProvider):
    """CRUD for ``DirectoryRoleEligibility``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        return check_result(
            news,
            [
                ("principalId", lambda: require_guid(news.get("principalId"), "principalId")),
                ("roleDefinitionId", lambda: require_guid(news.get("roleDefinitionId"), "roleDefinitionId")),
                ("directoryScopeId", lambda: validate_scope(news.get("directoryScopeId"))),
                ("justification", lambda: validate_justification(news.get("justification"))),
                ("scheduleInfo", lambda: validate_schedule(news.get("scheduleInfo"))),
            ],
        )

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, INPUT_KEYS, REPLACE_KEYS, delete_before_replace=True)

    def _request(self, client: GraphClient, action: str, props: dict, start: str | None) -> dict:
        body = {
            "action": action,
            **pick(props, ("principalId", "roleDefinitionId", "directoryScopeId", "justification", "ticketInfo")),
        }
        if action != "adminRemove":
            body["scheduleInfo"] = {"startDateTime": start, "expiration": props["scheduleInfo"]["expiration"]}
        resp = client.post(REQUESTS, body)
        if resp.get("status") in FAILED:
            raise GraphError(400, "requestNotProvisioned", f"{action} ended with status {resp['status']!r}")
        return resp

    def _outs(self, props: dict, schedule_id: str, status: str, start: str | None, end: datetime | None) -> dict:
        return {
            **pick(props, INPUT_KEYS),
            "graphKind": GRAPH_KIND,
            "scheduleId": schedule_id,
            "status": status,
            "startDateTime": start,
            "endDateTime": utc_iso(end) if end else None,
        }

    def _find(self, client: GraphClient, props: dict) -> dict | None:
        """The live eligibility schedule of this principal, role and scope (at most one exists)."""
        found = client.get_all(
            SCHEDULES,
            {
                "$filter": f"principalId eq {odata_quote(props['principalId'])} and "
                f"roleDefinitionId eq {odata_quote(props['roleDefinitionId'])}"
            },
        )
        scope = props.get("directoryScopeId") or "/"
        return only(
            [s for s in found if (s.get("directoryScopeId") or "/").lower() == scope.lower()], "this eligibility"
        )

    def _adoptable(self, live: dict, props: dict) -> dict:
        """``live`` when it has the declared lifetime (so adopting it changes nothing); otherwise a
        clear error: an eligibility this stack did not declare is never taken over silently."""
        info = live.get("scheduleInfo") or {}
        start = info.get("startDateTime")
        declared = props["scheduleInfo"]
        want = expected_end(declared, declared.get("startDateTime") or start)
        end = live_end(info)
        if want is not None and end is not None and abs(end - want) <= _TOLERANCE:
            return live
        raise GraphError(
            409,
            "RoleAssignmentExists",
            f"principal {props['principalId']} already has an eligibility for role {props['roleDefinitionId']} "
            f"at scope {props.get('directoryScopeId') or '/'} (schedule {live.get('id')}, ending "
            f"{utc_iso(end) if end else 'never'}) that does not match this declaration; remove it in PIM or "
            f"adopt it with `pulumi import`",
        )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()
        start = props["scheduleInfo"].get("startDateTime") or utc_iso(datetime.now(UTC))

        def find() -> dict | None:
            live = self._find(client, props)
            return self._adoptable(live, props) if live else None

        def post() -> dict:
            try:
                return self._request(client, "adminAssign", props, start)
            except GraphError as err:
                if err.code != "RoleAssignmentExists":
                    raise
                live = find()  # Graph's own uniqueness: adopt the eligibility when it matches
                if live is None:
                    raise
                return live

        made, adopted = create_or_adopt(client, "the eligibility", find, post)
        if adopted or "action" not in made:  # a live schedule (found and adopted), not a request
            info = made.get("scheduleInfo") or {}
            start = info.get("startDateTime") or start
            return CreateResult(
                made["id"], self._outs(props, made["id"], made.get("status", ""), start, live_end(info))
            )
        schedule_id = made.get("targetScheduleId") or made["id"]
        status = made.get("status", "")
        end = expected_end(props["scheduleInfo"], start)
        if not status.startswith("Pending"):  # confirm the schedule (retrying Graph's replication lag)
            try:
                live = client.get(f"{SCHEDULES}/{schedule_id}", retry_not_found=True)
            except GraphError as err:
                if err.status != 404:
                    raise
                live = {}  # created, not yet readable: it is tracked; the next refresh reads it
            status = live.get("status", status)
            end = live_end(live.get("scheduleInfo") or {}) or end
        return CreateResult(schedule_id, self._outs(props, schedule_id, status, start, end))

    def _read(self, id_: str, props: dict) -> ReadResult:
        try:
            live = self.client().get(f"{SCHEDULES}/{id_}")
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})  # removed in the portal or expired: gone
            raise
        info = live.get("scheduleInfo") or {}
        start = info.get("startDateTime") or props.get("startDateTime")
        live_exp = info.get("expiration") or {}
        end = live_end({**info, "startDateTime": start})
        declared = props.get("scheduleInfo")
        want = expected_end(declared, props.get("startDateTime") or start) if declared else None
        schedule: dict[str, Any] | None
        if end is None:
            schedule = {"expiration": {"type": live_exp.get("type") or "noExpiration"}}
        elif want is not None and abs(end - want) <= _TOLERANCE:
            schedule = declared
        else:
            schedule = {"expiration": {"type": "afterDateTime", "endDateTime": utc_iso(end)}}
        merged = {
            **props,
            **pick(live, ("principalId", "roleDefinitionId", "directoryScopeId")),
            "scheduleInfo": schedule,
            "justification": props.get("justification") or "imported",
        }
        outs = self._outs(merged, id_, live.get("status", ""), start, end)
        return ReadResult(id_, outs, pick(outs, INPUT_KEYS))

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        start = news["scheduleInfo"].get("startDateTime") or olds.get("startDateTime")
        resp = self._request(self.client(), "adminUpdate", news, start)
        return UpdateResult(
            self._outs(news, id_, resp.get("status", ""), start, expected_end(news["scheduleInfo"], start))
        )

    def _delete(self, id_: str, props: dict) -> None:
        try:
            self._request(self.client(), "adminRemove", props, None)
        except GraphError as err:
            if err.status != 404 and err.code != "RoleAssignmentDoesNotExist":
                raise


class DirectoryRoleEligibility(Resource):
    """A PIM eligibility for an Entra directory role that always expires (never permanent).

    ``duration`` (ISO 8601, default P180D) or ``end_date_time`` (UTC), not both. Outputs:
    ``schedule_id``, ``status``, ``start_date_time``, ``end_date_time``.
    """

    schedule_id = output("scheduleId")
    start_date_time = output("startDateTime")
    end_date_time = output("endDateTime")

    def __init__(
        self,
        name: str,
        principal_id: pulumi.Input[str],
        role_definition_id: pulumi.Input[str],
        directory_scope_id: pulumi.Input[str] = "/",
        duration: str | None = None,
        end_date_time: str | None = None,
        justification: str | None = None,
        ticket_number: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        ticket_system: str | None = None,
        start_date_time: str | None = None,
        _provider: DirectoryRoleEligibilityProvider | None = None,
    ):
        if duration is not None and end_date_time is not None:
            raise ValueError(f"{name}: give duration ({duration!r}) or end_date_time ({end_date_time!r}), not both")
        expiration = (
            {"type": "afterDateTime", "endDateTime": end_date_time}
            if end_date_time is not None
            else {"type": "afterDuration", "duration": duration or DEFAULT_DURATION}
        )
        schedule = {"expiration": expiration, **({"startDateTime": start_date_time} if start_date_time else {})}
        for check in (
            lambda: require_guid(principal_id, "principal_id"),
            lambda: require_guid(role_definition_id, "role_definition_id"),
            lambda: validate_scope(directory_scope_id),
            lambda: validate_justification(justification),
            lambda: validate_schedule(schedule),
        ):
            try:
                check()
            except ValueError as err:
                raise ValueError(f"DirectoryRoleEligibility {name!r}: {err}") from None
        ticket = (
            {"ticketNumber": ticket_number, **({"ticketSystem": ticket_system} if ticket_system else {})}
            if ticket_number
            else None
        )
        super().__init__(
            _provider or DirectoryRoleEligibilityProvider(),
            name,
            {
                "graphKind": GRAPH_KIND,
                "principalId": principal_id,
                "roleDefinitionId": role_definition_id,
                "directoryScopeId": directory_scope_id,
                "justification": justification,
                "scheduleInfo": schedule,
                "ticketInfo": ticket,
                "scheduleId": None,
                "status": None,
                "startDateTime": None,
                "endDateTime": None,
            },
            opts,
        )
