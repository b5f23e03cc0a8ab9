"""An independent reference for the Graph stand-in: Microsoft's own SDK models and request builders.

Every exchange the stand-in records is checked against the msgraph SDKs (``msgraph-sdk`` for v1.0,
``msgraph-beta-sdk`` for beta; test-only dependencies), which are generated from Graph's published
metadata, so neither our providers nor the stand-in are the judge of their own shapes:

- ``ENDPOINTS`` maps (method, URL template, API version) to the SDK model of the request body and of the
  success response body (collections use the ``...CollectionResponse`` model, actions their
  ``...PostRequestBody``, a ``$ref`` PUT ``ReferenceUpdate``), the documented success status, and the
  request-builder path that addresses it. An exchange whose endpoint is not in the table is a problem:
  a new endpoint must be added here, with its models.
- :func:`check_exchange` parses each body with kiota's JSON parse node into that model, walks the parsed
  object graph beside the raw JSON and reports: an unknown key (any non-empty ``additional_data``, except
  the OData annotations Graph legitimately sends there: ``@odata.context``/``@odata.nextLink``/
  ``@odata.count``/``@odata.deltaLink`` at the root of a response, ``@odata.type``/``@odata.id``/
  ``@odata.etag`` anywhere); an ``@odata.type`` the model's discriminator does not resolve to that derived
  type, or a polymorphic base type sent without one; a value of the wrong JSON type for the model's
  field (in particular a float such as ``1.0`` where the model has an integer: kiota silently drops it);
  an enum value the model does not define (kiota silently turns it into None); a success status other
  than the documented one, a body where none is expected or none where one is; an error answer that is
  not Graph's ``{"error": {"code", "message", "innerError"}}``.
- The request URL (path and query) must equal the URL the SDK's own request builder produces for the same
  call (``GraphServiceClient`` over a request adapter with ``AnonymousAuthenticationProvider``), with the
  path IDs and query parameters taken from the recorded request; a query parameter the builder does not
  offer is a problem too. Compared decoded, with the base URL and the query order normalised.

Exemptions (the SDK cannot address them; their bodies are still checked against the models):

- the Private Access application segments,
  ``/beta/applications/{id}/onPremisesPublishing/segmentsConfiguration/microsoft.graph.IpSegmentConfiguration/applicationSegments``
  (and ``/{segmentId}``): the beta SDK generates no request builder for ``onPremisesPublishing`` under an
  application (it is a complex property, and the segments sit behind a type cast in it), so the URL cannot
  be built with it; bodies are checked against ``msgraph_beta...ip_application_segment.IpApplicationSegment``
  (documented in https://learn.microsoft.com/graph/api/ipsegmentconfiguration-post-applicationsegments?view=graph-rest-beta).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

GRAPH = "https://graph.microsoft.com"
ANNOTATIONS_ANYWHERE = frozenset({"@odata.type", "@odata.id", "@odata.etag"})
ANNOTATIONS_AT_RESPONSE_ROOT = frozenset({"@odata.context", "@odata.nextLink", "@odata.deltaLink", "@odata.count"})
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

V1 = "msgraph.generated.models."
BETA = "msgraph_beta.generated.models."
ERROR_MODEL = V1 + "o_data_errors.o_data_error.ODataError"
_SEGMENTS_EXEMPTION = (
    "the beta SDK has no request builder for onPremisesPublishing under an application (a complex property whose "
    "segments sit behind the microsoft.graph.IpSegmentConfiguration cast), so it cannot address this URL"
)


@dataclass(frozen=True)
class Endpoint:
    """One Graph endpoint: how to parse what is sent and answered, and how the SDK addresses it.

    ``template``: the path with ``{name}`` for each ID, version included. ``request``/``response``: dotted
    path of the SDK model of the body (None: no body). ``status``: the documented success status.
    ``builder``: the request-builder path from the client, ``.``-separated attribute names, ``[name]`` for
    the item of a collection (its single ``by_...`` method, given that path ID); None with ``exempt``
    saying why the SDK cannot address it.
    """

    method: str
    template: str
    request: str | None
    response: str | None
    status: int
    builder: str | None
    exempt: str = ""

    @property
    def version(self) -> str:
        return self.template.split("/")[1]

    @functools.cached_property
    def regex(self) -> re.Pattern:
        parts = re.split(r"(\{\w+\})", self.template)
        return re.compile("".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts if p))


_POLICIES = "/v1.0/policies/roleManagementPolicies/{policyId}/rules"
_ELIGIBILITY = "/v1.0/roleManagement/directory/roleEligibility"
_WORKFLOWS = "/v1.0/identityGovernance/lifecycleWorkflows/workflows"
_APP = "/beta/applications/{applicationId}"
_SEGMENTS = (
    _APP + "/onPremisesPublishing/segmentsConfiguration/microsoft.graph.IpSegmentConfiguration/applicationSegments"
)
_SP = "/v1.0/servicePrincipals/{servicePrincipalId}"
_RULE = V1 + "unified_role_management_policy_rule.UnifiedRoleManagementPolicyRule"
_WORKFLOW = V1 + "identity_governance.workflow.Workflow"
_APPLICATION = BETA + "application.Application"
_SEGMENT = BETA + "ip_application_segment.IpApplicationSegment"
_ASSIGNMENT = V1 + "app_role_assignment.AppRoleAssignment"

ENDPOINTS: tuple[Endpoint, ...] = (
    # PIM role settings
    Endpoint(
        "GET",
        "/v1.0/policies/roleManagementPolicyAssignments",
        None,
        V1 + "unified_role_management_policy_assignment_collection_response."
        "UnifiedRoleManagementPolicyAssignmentCollectionResponse",
        200,
        "policies.role_management_policy_assignments",
    ),
    Endpoint(
        "GET",
        _POLICIES,
        None,
        V1
        + "unified_role_management_policy_rule_collection_response.UnifiedRoleManagementPolicyRuleCollectionResponse",
        200,
        "policies.role_management_policies[policyId].rules",
    ),
    Endpoint(
        "GET", _POLICIES + "/{ruleId}", None, _RULE, 200, "policies.role_management_policies[policyId].rules[ruleId]"
    ),
    Endpoint(
        "PATCH", _POLICIES + "/{ruleId}", _RULE, None, 204, "policies.role_management_policies[policyId].rules[ruleId]"
    ),
    # PIM eligibility
    Endpoint(
        "POST",
        _ELIGIBILITY + "ScheduleRequests",
        V1 + "unified_role_eligibility_schedule_request.UnifiedRoleEligibilityScheduleRequest",
        V1 + "unified_role_eligibility_schedule_request.UnifiedRoleEligibilityScheduleRequest",
        201,
        "role_management.directory.role_eligibility_schedule_requests",
    ),
    Endpoint(
        "GET",
        _ELIGIBILITY + "Schedules",
        None,
        V1 + "unified_role_eligibility_schedule_collection_response.UnifiedRoleEligibilityScheduleCollectionResponse",
        200,
        "role_management.directory.role_eligibility_schedules",
    ),
    Endpoint(
        "GET",
        _ELIGIBILITY + "Schedules/{scheduleId}",
        None,
        V1 + "unified_role_eligibility_schedule.UnifiedRoleEligibilitySchedule",
        200,
        "role_management.directory.role_eligibility_schedules[scheduleId]",
    ),
    # Private Access application
    Endpoint(
        "POST",
        "/beta/applicationTemplates/{templateId}/instantiate",
        "msgraph_beta.generated.application_templates.item.instantiate.instantiate_post_request_body."
        "InstantiatePostRequestBody",
        BETA + "application_service_principal.ApplicationServicePrincipal",
        201,
        "application_templates[templateId].instantiate",
    ),
    Endpoint(
        "GET",
        "/beta/applications",
        None,
        BETA + "application_collection_response.ApplicationCollectionResponse",
        200,
        "applications",
    ),
    Endpoint("GET", _APP, None, _APPLICATION, 200, "applications[applicationId]"),
    Endpoint("PATCH", _APP, _APPLICATION, None, 204, "applications[applicationId]"),
    Endpoint("DELETE", _APP, None, None, 204, "applications[applicationId]"),
    Endpoint(
        "GET",
        _APP + "/owners",
        None,
        BETA + "directory_object_collection_response.DirectoryObjectCollectionResponse",
        200,
        "applications[applicationId].owners",
    ),
    Endpoint(
        "PUT",
        _APP + "/connectorGroup/$ref",
        BETA + "reference_update.ReferenceUpdate",
        None,
        204,
        "applications[applicationId].connector_group.ref",
    ),
    Endpoint(
        "GET",
        _APP + "/connectorGroup",
        None,
        BETA + "connector_group.ConnectorGroup",
        200,
        "applications[applicationId].connector_group",
    ),
    Endpoint(
        "GET",
        _SEGMENTS,
        None,
        BETA + "ip_application_segment_collection_response.IpApplicationSegmentCollectionResponse",
        200,
        None,
        _SEGMENTS_EXEMPTION,
    ),
    Endpoint("POST", _SEGMENTS, _SEGMENT, _SEGMENT, 201, None, _SEGMENTS_EXEMPTION),
    Endpoint("PATCH", _SEGMENTS + "/{segmentId}", _SEGMENT, None, 204, None, _SEGMENTS_EXEMPTION),
    Endpoint("DELETE", _SEGMENTS + "/{segmentId}", None, None, 204, None, _SEGMENTS_EXEMPTION),
    Endpoint(
        "GET",
        "/v1.0/servicePrincipals",
        None,
        V1 + "service_principal_collection_response.ServicePrincipalCollectionResponse",
        200,
        "service_principals",
    ),
    Endpoint(
        "GET", _SP, None, V1 + "service_principal.ServicePrincipal", 200, "service_principals[servicePrincipalId]"
    ),
    Endpoint(
        "GET",
        _SP + "/appRoleAssignedTo",
        None,
        V1 + "app_role_assignment_collection_response.AppRoleAssignmentCollectionResponse",
        200,
        "service_principals[servicePrincipalId].app_role_assigned_to",
    ),
    Endpoint(
        "POST",
        _SP + "/appRoleAssignedTo",
        _ASSIGNMENT,
        _ASSIGNMENT,
        201,
        "service_principals[servicePrincipalId].app_role_assigned_to",
    ),
    Endpoint(
        "DELETE",
        _SP + "/appRoleAssignedTo/{assignmentId}",
        None,
        None,
        204,
        "service_principals[servicePrincipalId].app_role_assigned_to[assignmentId]",
    ),
    # Lifecycle Workflows
    Endpoint("POST", _WORKFLOWS, _WORKFLOW, _WORKFLOW, 201, "identity_governance.lifecycle_workflows.workflows"),
    Endpoint(
        "GET",
        _WORKFLOWS,
        None,
        V1 + "identity_governance.workflow_collection_response.WorkflowCollectionResponse",
        200,
        "identity_governance.lifecycle_workflows.workflows",
    ),
    Endpoint(
        "GET",
        _WORKFLOWS + "/{workflowId}",
        None,
        _WORKFLOW,
        200,
        "identity_governance.lifecycle_workflows.workflows[workflowId]",
    ),
    Endpoint(
        "PATCH",
        _WORKFLOWS + "/{workflowId}",
        _WORKFLOW,
        None,
        204,
        "identity_governance.lifecycle_workflows.workflows[workflowId]",
    ),
    Endpoint(
        "DELETE",
        _WORKFLOWS + "/{workflowId}",
        None,
        None,
        204,
        "identity_governance.lifecycle_workflows.workflows[workflowId]",
    ),
    Endpoint(
        "POST",
        _WORKFLOWS + "/{workflowId}/microsoft.graph.identityGovernance.createNewVersion",
        "msgraph.generated.identity_governance.lifecycle_workflows.workflows.item."
        "microsoft_graph_identity_governance_create_new_version.create_new_version_post_request_body."
        "CreateNewVersionPostRequestBody",
        _WORKFLOW,
        200,
        "identity_governance.lifecycle_workflows.workflows[workflowId]."
        "microsoft_graph_identity_governance_create_new_version",
    ),
)


# the newer Graph providers' endpoints live beside their stand-in routes (tests/standin_*.py)
def _area_endpoints() -> tuple[Endpoint, ...]:
    import standin_conditional_access
    import standin_credentials
    import standin_governance
    import standin_tenant

    areas = (standin_conditional_access, standin_governance, standin_credentials, standin_tenant)
    return tuple(Endpoint(*args) for area in areas for args in area.ENDPOINTS)


ENDPOINTS += _area_endpoints()


def endpoint_for(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    """The table entry for a request (decoded path, no query) and its path IDs, or None."""
    for ep in ENDPOINTS:
        match = ep.regex.fullmatch(path)
        if match and ep.method == method:
            return ep, match.groupdict()
    return None


# -- models ---------------------------------------------------------------------------------------
def model(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


_MARK = object()


class _Probe:
    """Stands in for a parse node: records which getter a field deserializer calls, and with what."""

    def __init__(self) -> None:
        self.call: tuple[str, tuple] | None = None

    def __getattr__(self, name: str) -> Callable:
        def getter(*args: Any) -> Any:
            self.call = (name, args)
            return _MARK

        return getter


@functools.cache
def fields_of(cls: type) -> dict[str, tuple[str, str, Any]]:
    """Wire key -> (attribute, getter, its argument) of a model class, read off its field deserializers."""
    out: dict[str, tuple[str, str, Any]] = {}
    for key in cls().get_field_deserializers():
        fresh, probe = cls(), _Probe()
        fresh.get_field_deserializers()[key](probe)
        attr = next((f.name for f in dataclasses.fields(fresh) if getattr(fresh, f.name, None) is _MARK), "")
        name, args = probe.call or ("", ())
        out[key] = (attr, name, args[0] if args else None)
    return out


def _namespace_name(cls: type) -> str:
    """``#microsoft.graph[.sub].typeName`` from where the SDK generated the class."""
    module = cls.__module__.split(".generated.models.", 1)[-1].split(".")[:-1]
    sub = "".join(f".{p.split('_')[0]}{''.join(w.title() for w in p.split('_')[1:])}" for p in module)
    return f"#microsoft.graph{sub}.{cls.__name__[0].lower()}{cls.__name__[1:]}"


@functools.cache
def odata_type_of(cls: type) -> str:
    return (cls().odata_type if hasattr(cls(), "odata_type") else None) or _namespace_name(cls)


@functools.cache
def is_polymorphic_base(cls: type) -> bool:
    """The discriminator maps other type names (the class has derived types) and the class names none itself:
    Graph needs ``@odata.type`` to know which derived type is meant."""
    consts = cls.create_from_discriminator_value.__code__.co_consts
    return any(isinstance(c, str) and c.startswith("#microsoft.graph.") for c in consts) and not getattr(
        cls(), "odata_type", None
    )


def _kind_problem(getter: str, arg: Any, raw: Any, parsed: Any, where: str) -> str | None:
    """A raw JSON value that does not fit the field's type, or that kiota could not read."""
    if getter == "get_str_value":
        ok = isinstance(raw, str)
    elif getter == "get_bool_value":
        ok = isinstance(raw, bool)
    elif getter == "get_int_value":
        if isinstance(raw, float):
            return f"{where}: {raw!r} is a float where the model has an integer (kiota drops it)"
        ok = isinstance(raw, int) and not isinstance(raw, bool)
    elif getter == "get_float_value":
        ok = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    elif getter == "get_uuid_value":
        ok = isinstance(raw, str) and bool(GUID.match(raw))
    elif getter in ("get_datetime_value", "get_timedelta_value", "get_date_value", "get_time_value", "get_bytes_value"):
        ok = isinstance(raw, str) and parsed is not None
    elif getter == "get_enum_value":
        if isinstance(raw, str) and parsed is None:
            return f"{where}: {raw!r} is not a value of {arg.__name__} ({', '.join(e.value for e in arg)})"
        ok = isinstance(raw, str)
    else:
        return None
    return None if ok else f"{where}: {raw!r} is not a {getter[4:-6]} value"


def _walk(raw: Any, parsed: Any, declared: type, where: str, response: bool, root: bool, problems: list[str]) -> None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: {type(raw).__name__} where the model has an object ({declared.__name__})")
        return
    cls = type(parsed)
    named = raw.get("@odata.type")
    if isinstance(named, str):
        if named.lstrip("#").casefold() != odata_type_of(cls).lstrip("#").casefold():
            problems.append(
                f"{where}: @odata.type {named!r} does not resolve to that type under {declared.__name__} "
                f"(the discriminator gives {cls.__name__})"
            )
    elif not response and is_polymorphic_base(cls):  # Graph reads a request body as the type it names
        problems.append(f"{where}: {cls.__name__} is a base type; @odata.type must name the derived type")
    allowed = ANNOTATIONS_ANYWHERE | (ANNOTATIONS_AT_RESPONSE_ROOT if response and root else frozenset())
    unknown = sorted(k for k in getattr(parsed, "additional_data", None) or {} if k not in allowed)
    if unknown:
        problems.append(f"{where}: unknown keys {unknown} for {cls.__name__}")
    fields = fields_of(cls)
    for key, value in raw.items():
        if key not in fields or value is None:
            continue
        attr, getter, arg = fields[key]
        at = f"{where}.{key}"
        live = getattr(parsed, attr, None) if attr else None
        if getter == "get_object_value":
            _walk(value, live, arg, at, response, False, problems)
        elif getter == "get_collection_of_object_values":
            if not isinstance(value, list):
                problems.append(f"{at}: {type(value).__name__} where the model has a collection")
                continue
            for i, (item, parsed_item) in enumerate(zip(value, live or [])):
                _walk(item, parsed_item, arg, f"{at}[{i}]", response, False, problems)
        elif getter == "get_collection_of_primitive_values":
            if not isinstance(value, list):
                problems.append(f"{at}: {type(value).__name__} where the model has a collection")
                continue
            one = {bool: "get_bool_value", str: "get_str_value", int: "get_int_value", float: "get_float_value"}
            for i, (item, parsed_item) in enumerate(zip(value, live or [])):
                problem = _kind_problem(one.get(arg, "get_str_value"), arg, item, parsed_item, f"{at}[{i}]")
                if problem:
                    problems.append(problem)
        elif getter == "get_collection_of_enum_values":
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, list):
                problems.append(f"{at}: {type(value).__name__} where the model has enum values")
                continue
            for i, item in enumerate(items):
                enum_value = _enum(arg, item)
                if enum_value is None:
                    problems.append(
                        f"{at}[{i}]: {item!r} is not a value of {arg.__name__} ({', '.join(e.value for e in arg)})"
                    )
        else:
            problem = _kind_problem(getter, arg, value, live, at)
            if problem:
                problems.append(problem)


def _enum(enum_class: Any, raw: Any) -> Any:
    from kiota_serialization_json.json_parse_node import JsonParseNode

    return JsonParseNode(raw.strip() if isinstance(raw, str) else raw).get_enum_value(enum_class)


def check_body(raw: bytes, dotted: str, where: str, response: bool = False) -> list[str]:
    """Problems of one JSON body against an SDK model (see the module docstring)."""
    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory

    try:
        data = json.loads(raw)
    except ValueError:
        return [f"{where}: not JSON: {raw[:80]!r}"]
    cls = model(dotted)
    try:
        parsed = JsonParseNodeFactory().get_root_parse_node("application/json", raw).get_object_value(cls)
    except Exception as err:  # kiota raises on e.g. a malformed GUID or date: the SDK could not read it
        return [f"{where}: the SDK cannot parse it as {cls.__name__}: {type(err).__name__}: {err}"]
    problems: list[str] = []
    _walk(data, parsed, cls, where, response, True, problems)
    return problems


# -- URLs -----------------------------------------------------------------------------------------
@functools.cache
def _client(version: str) -> Any:
    from kiota_abstractions.authentication import AnonymousAuthenticationProvider

    if version == "beta":
        from msgraph_beta import GraphRequestAdapter as BetaAdapter
        from msgraph_beta import GraphServiceClient as BetaClient

        return BetaClient(request_adapter=BetaAdapter(AnonymousAuthenticationProvider()))
    from msgraph import GraphRequestAdapter, GraphServiceClient

    return GraphServiceClient(request_adapter=GraphRequestAdapter(AnonymousAuthenticationProvider()))


def _navigate(client: Any, path: str, ids: dict[str, str]) -> Any:
    builder = client
    for step in path.split("."):
        name, _, item = step.partition("[")
        builder = getattr(builder, name)
        if item:
            (by,) = [m for m in dir(builder) if m.startswith("by_")]
            builder = getattr(builder, by)(ids[item.rstrip("]")])
    return builder


def _query_config(builder: Any, method: str, query: list[tuple[str, str]]) -> tuple[Any, list[str]]:
    """The builder's RequestConfiguration for the recorded query, and the parameters it does not offer."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    if not query:
        return None, []
    params_class = getattr(type(builder), f"{type(builder).__name__}{method.title()}QueryParameters", None)
    if params_class is None:
        return None, [k for k, _ in query]
    instance = params_class()
    by_wire = {unquote(instance.get_query_parameter(f.name)): f for f in dataclasses.fields(params_class)}
    values: dict[str, Any] = {}
    missing = []
    for key, value in query:
        field = by_wire.get(key)
        if field is None:
            missing.append(key)
        elif "list" in str(field.type):
            values[field.name] = value.split(",")
        elif "bool" in str(field.type):
            values[field.name] = value.lower() == "true"
        elif "int" in str(field.type):
            values[field.name] = int(value) if value.isdigit() else value
        else:
            values[field.name] = value
    return RequestConfiguration(query_parameters=params_class(**values)), missing


def sdk_url(ep: Endpoint, ids: dict[str, str], query: list[tuple[str, str]], body: Any = None) -> tuple[str, list[str]]:
    """The URL (version-prefixed path + query) the SDK builds for this call, and query keys it lacks."""
    assert ep.builder is not None
    builder = _navigate(_client(ep.version), ep.builder, ids)
    config, missing = _query_config(builder, ep.method, query)
    to_info = getattr(builder, f"to_{ep.method.lower()}_request_information")
    info = to_info(body, config) if ep.method in ("POST", "PATCH", "PUT") else to_info(config)
    info.path_parameters["baseurl"] = f"{GRAPH}/{ep.version}"
    return str(info.url), missing


def _normal(url: str) -> tuple[str, list[tuple[str, str]]]:
    split = urlsplit(url)
    path = unquote(split.path)
    return path, sorted(parse_qsl(split.query, keep_blank_values=True))


def check_url(ep: Endpoint, ids: dict[str, str], raw_path: str, where: str) -> list[str]:
    path, query = _normal(raw_path)
    if ep.builder is None:
        return [f"{where}: query {query} on an endpoint the SDK cannot address ({ep.exempt})"] if query else []
    body = model(ep.request)() if ep.request else None
    built, missing = sdk_url(ep, ids, query, body)
    if missing:
        return [f"{where}: the SDK's request builder offers no query parameter {missing}"]
    want_path, want_query = _normal(built)
    if (want_path, want_query) != (path, query):
        return [f"{where}: URL {path}?{query} differs from the SDK's {want_path}?{want_query}"]
    return []


# -- exchanges ------------------------------------------------------------------------------------
def check_exchange(recorded: Any) -> list[str]:
    """Problems of recorded exchanges (one or an iterable) against the SDK models and builders.

    Each needs ``method``, ``raw_path`` (path and query as sent), ``raw_body`` (bytes), ``status`` (None: no
    answer was sent) and ``raw_response`` (bytes).
    """
    items: Iterable[Any] = [recorded] if hasattr(recorded, "method") else recorded
    problems: list[str] = []
    with warnings.catch_warnings():  # the SDKs warn about their own deprecated classes as they import them
        warnings.simplefilter("ignore", DeprecationWarning)
        for r in items:
            problems += _check_one(r)
    return problems


def _check_one(r: Any) -> list[str]:
    where = f"{r.method} {r.raw_path}"
    path = unquote(urlsplit(r.raw_path).path)
    found = endpoint_for(r.method, path)
    if found is None:
        return [f"{where}: not in the SDK-model table (add the endpoint to graph_models.ENDPOINTS)"]
    ep, ids = found
    problems = check_url(ep, ids, r.raw_path, where)
    if ep.request:
        problems += (
            check_body(r.raw_body, ep.request, f"{where} request") if r.raw_body else [f"{where}: no request body"]
        )
    elif r.raw_body:
        problems.append(f"{where}: a request body where none is expected")
    if r.status is None or 300 <= r.status < 400:  # no answer, or a redirect: nothing of Graph's to parse
        return problems
    if r.status >= 400:
        problems += check_error(r.raw_response, f"{where} answer {r.status}")
    elif r.status != ep.status:
        problems.append(f"{where}: answered {r.status}; Graph documents {ep.status}")
    elif ep.response:
        problems += (
            check_body(r.raw_response, ep.response, f"{where} answer", response=True)
            if r.raw_response
            else [f"{where}: no answer body"]
        )
    elif r.raw_response:
        problems.append(f"{where}: an answer body with {r.status}")
    return problems


def check_error(raw: bytes, where: str) -> list[str]:
    problems = check_body(raw, ERROR_MODEL, where, response=True) if raw else [f"{where}: no error body"]
    if not problems:
        error = json.loads(raw).get("error") or {}
        if not (isinstance(error.get("code"), str) and error["code"] and isinstance(error.get("message"), str)):
            problems.append(f"{where}: an error needs a code and a message: {error!r}")
        elif not (error.get("innerError") or {}).get("request-id"):
            problems.append(f"{where}: Graph errors carry innerError.request-id")
    return problems
