"""Graph stand-in endpoints for the governance Graph providers (merged into graph_standin.ROUTES).

Handlers are plain functions taking the stand-in as their first argument, exactly like GraphStandIn's methods;
they keep their state in `standin.area["governance"]` and import graph_standin's helpers (bad, not_found, ...)
inside the function (graph_standin imports this module at its end). `ENDPOINTS` are graph_models.Endpoint
argument tuples for the same endpoints (graph_models wraps and appends them).

What they answer as Graph does (not echoing what was sent):

- catalog custom extensions (v1.0,
  https://learn.microsoft.com/graph/api/accesspackagecatalog-post-customworkflowextensions): `POST` checks the
  `@odata.type` (the request- or assignment-stage extension type), a display name, a Logic App endpoint naming a
  subscription GUID, a resource group and a workflow, and the PoP authentication; Graph refuses a Logic App it
  cannot find (400 `InvalidLogicApp`; the Logic Apps that exist are `state["logic_apps"]`, (subscription, group,
  name) in lower case, matched case-insensitively as ARM does). It answers 201 with the extension as Graph stores
  it: a new `id`, `createdDateTime`/`lastModifiedDateTime`, `clientConfiguration` and `callbackConfiguration`
  null, and the endpoint with the Logic App's trigger `url` filled in (callers never send it). `GET` lists a
  catalog's extensions (no `$filter`: the caller filters), `GET`/`PATCH` (200 with the updated extension) and
  `DELETE` (204) one. An unknown catalog or extension answers 404.
- assignment policies (v1.0, https://learn.microsoft.com/graph/api/accesspackageassignmentpolicy-update): the
  policy as the azuread provider leaves it (`add_policy`). `GET` with `$expand` of `accessPackage`, `questions` and
  `customExtensionStageSettings($expand=customExtension)` (navigation properties: without the `$expand` Graph
  leaves them out). `PUT` *replaces* the policy: a structural property the body leaves out is reset (questions
  to none, settings to null), which is how a writer that does not merge would lose them; each stage entry must
  name a stage of `AccessPackageCustomExtensionStage` and an existing extension of the policy's catalog. Answers
  200 with the policy.
- the beta view of the same policy (`/beta/.../accessPackageAssignmentPolicies/{id}`): `GET` answers the beta
  shape (`accessPackageId`, `durationInDays`, `canExtend`, `questions` inline, `verifiableCredentialSettings`);
  `PUT` replaces it (a body without `displayName` or `accessPackageId` is refused), credential types must name a
  type and at least one issuer DID. Both views share one stored policy.

State: `area["governance"]` = {"catalogs": {id: {"extensions": {id: ext}}}, "logic_apps": set, "policies":
{id: policy}}; `beta_put_drops_stages: True` makes a beta PUT drop the policy's stage entries (a test knob: it is not
documented either way whether the beta PUT keeps the v1.0 navigation property).
"""

from __future__ import annotations

import copy
import re
import uuid
from datetime import UTC, datetime
from typing import Any

_EM = r"/v1\.0/identityGovernance/entitlementManagement"
_EXT = _EM + r"/catalogs/([^/]+)/customWorkflowExtensions"
_POLICY = _EM + r"/assignmentPolicies/([^/]+)"
_BETA_POLICY = r"/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies/([^/]+)"
REQUEST_TYPE = "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
ASSIGNMENT_TYPE = "#microsoft.graph.accessPackageAssignmentWorkflowExtension"
LOGIC_APP = "#microsoft.graph.logicAppTriggerEndpointConfiguration"
POP = "#microsoft.graph.azureAdPopTokenAuthentication"
STAGES = {
    "assignmentRequestCreated",
    "assignmentRequestApproved",
    "assignmentRequestGranted",
    "assignmentRequestRemoved",
    "assignmentFourteenDaysBeforeExpiration",
    "assignmentOneDayBeforeExpiration",
}
FULL_EXPAND = "accessPackage,questions,customExtensionStageSettings($expand=customExtension)"
STAGES_EXPAND = "customExtensionStageSettings($expand=customExtension)"
_DID = re.compile(r"^did:(web|ion):\S+$")
# structural members of a v1.0 policy (what a PUT replaces) and their value when a PUT leaves them out
_V1_MEMBERS = {
    "displayName": None,
    "description": None,
    "allowedTargetScope": "notSpecified",
    "specificAllowedTargets": [],
    "expiration": None,
    "requestorSettings": None,
    "requestApprovalSettings": None,
    "reviewSettings": None,
    "automaticRequestSettings": None,
    "notificationSettings": None,
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def state(standin: Any) -> dict:
    return standin.area.setdefault("governance", {"catalogs": {}, "logic_apps": set(), "policies": {}})


def add_catalog(standin: Any) -> str:
    catalog_id = str(uuid.uuid4())
    state(standin)["catalogs"][catalog_id] = {"extensions": {}}
    return catalog_id


def add_logic_app(standin: Any, subscription: str, group: str, name: str) -> None:
    state(standin)["logic_apps"].add((subscription.lower(), group.lower(), name.lower()))


def add_policy(standin: Any, catalog_id: str, package_id: str | None = None, question: bool = True) -> str:
    """A policy as the azuread provider creates it (manager approval, a ticket question, a review)."""
    policy_id = str(uuid.uuid4())
    state(standin)["policies"][policy_id] = {
        "id": policy_id,
        "catalogId": catalog_id,
        "accessPackageId": package_id or str(uuid.uuid4()),
        "displayName": "User Admin: members",
        "description": "Request User Admin",
        "allowedTargetScope": "specificDirectoryUsers",
        "specificAllowedTargets": [
            {"@odata.type": "#microsoft.graph.singleUser", "userId": str(uuid.uuid4()), "description": "pedro"}
        ],
        "expiration": {"type": "afterDuration", "duration": "P180D", "endDateTime": None},
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": True,
            "enableTargetsToSelfUpdateAccess": False,
            "enableTargetsToSelfRemoveAccess": True,
            "allowCustomAssignmentSchedule": False,
            "enableOnBehalfRequestorsToAddAccess": False,
            "enableOnBehalfRequestorsToUpdateAccess": False,
            "enableOnBehalfRequestorsToRemoveAccess": False,
            "onBehalfRequestors": [],
        },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": True,
            "isApprovalRequiredForUpdate": True,
            "isRequestorJustificationRequired": True,
            "stages": [
                {
                    "@odata.type": "#microsoft.graph.accessPackageApprovalStage",
                    "durationBeforeAutomaticDenial": "P7D",
                    "isApproverJustificationRequired": True,
                    "isEscalationEnabled": False,
                    "durationBeforeEscalation": "PT0S",
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
                    "fallbackPrimaryApprovers": [],
                    "escalationApprovers": [],
                    "fallbackEscalationApprovers": [],
                }
            ],
        },
        "reviewSettings": {
            "isEnabled": True,
            "expirationBehavior": "removeAccess",
            "isRecommendationEnabled": True,
            "isReviewerJustificationRequired": True,
            "isSelfReview": False,
            "primaryReviewers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
            "fallbackReviewers": [],
        },
        "automaticRequestSettings": None,
        "notificationSettings": None,
        "questions": [
            {
                "@odata.type": "#microsoft.graph.accessPackageTextInputQuestion",
                "id": str(uuid.uuid4()),
                "sequence": 1,
                "isRequired": True,
                "isAnswerEditable": False,
                "text": "Change or incident ticket number",
                "localizations": [],
                "isSingleLineQuestion": True,
                "regexPattern": None,
            }
        ]
        if question
        else [],
        "stages": [],  # [(stage, extension id)]
        "verifiableCredentialSettings": None,
        "createdDateTime": _now(),
        "modifiedDateTime": _now(),
    }
    return policy_id


def _catalog(standin: Any, catalog_id: str) -> dict:
    from graph_standin import not_found

    found = standin._find(state(standin)["catalogs"], catalog_id)
    if found is None:
        raise not_found(catalog_id)
    return state(standin)["catalogs"][found]


# -- custom extensions ---------------------------------------------------------------------------------------


def _validate_extension(standin: Any, body: Any, partial: bool = False) -> None:
    from graph_standin import GUID, Reject, bad

    if not isinstance(body, dict):
        raise bad("a custom extension body must be an object")
    if body.get("@odata.type") not in (REQUEST_TYPE, ASSIGNMENT_TYPE):
        raise bad(f"custom extension @odata.type {body.get('@odata.type')!r}")
    allowed = {"@odata.type", "displayName", "description", "endpointConfiguration", "authenticationConfiguration"}
    allowed |= {"callbackConfiguration", "clientConfiguration"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad(f"custom extension members {unknown}")
    if not partial and not (isinstance(body.get("displayName"), str) and body["displayName"].strip()):
        raise bad("displayName is required")
    endpoint = body.get("endpointConfiguration")
    if endpoint is not None or not partial:
        if not isinstance(endpoint, dict) or endpoint.get("@odata.type") != LOGIC_APP:
            raise bad(f"endpointConfiguration {endpoint!r}")
        if "url" in endpoint:
            raise bad("endpointConfiguration.url is read-only (Graph fills it in)")
        sub, group, name = (endpoint.get(k) for k in ("subscriptionId", "resourceGroupName", "logicAppWorkflowName"))
        if not (isinstance(sub, str) and GUID.match(sub)) or not group or not name:
            raise bad(
                f"endpointConfiguration needs subscriptionId, resourceGroupName, logicAppWorkflowName: {endpoint!r}"
            )
        if (sub.lower(), str(group).lower(), str(name).lower()) not in state(standin)["logic_apps"]:
            raise Reject(400, "InvalidLogicApp", "The Logic App could not be found or the caller cannot access it.")
    auth = body.get("authenticationConfiguration")
    if (auth is not None or not partial) and (not isinstance(auth, dict) or auth.get("@odata.type") != POP):
        raise bad(f"authenticationConfiguration {auth!r}")


def _answer_extension(ext: dict) -> dict:
    return copy.deepcopy(ext)


def list_extensions(standin: Any, catalog_id: str, query: dict, body: Any):
    catalog = _catalog(standin, catalog_id)
    return {"value": standin._listed([_answer_extension(e) for e in catalog["extensions"].values()])}


def post_extension(standin: Any, catalog_id: str, query: dict, body: Any):
    catalog = _catalog(standin, catalog_id)
    _validate_extension(standin, body)
    endpoint = dict(body["endpointConfiguration"])
    endpoint["url"] = (
        f"https://prod-00.westeurope.logic.azure.com/workflows/{uuid.uuid4().hex}/triggers/manual/paths/invoke"
    )
    ext = {
        "@odata.type": body["@odata.type"],
        "id": standin._created(str(uuid.uuid4())),
        "displayName": body["displayName"],
        "description": body.get("description"),
        "createdDateTime": _now(),
        "lastModifiedDateTime": _now(),
        "endpointConfiguration": endpoint,
        "authenticationConfiguration": {"@odata.type": POP},
        "clientConfiguration": None,
        "callbackConfiguration": copy.deepcopy(body.get("callbackConfiguration")),
    }
    catalog["extensions"][ext["id"]] = ext
    return 201, _answer_extension(ext), {}


def _extension(standin: Any, catalog_id: str, ext_id: str) -> dict:
    from graph_standin import not_found

    catalog = _catalog(standin, catalog_id)
    found = standin._find(catalog["extensions"], ext_id)
    if found is None:
        raise not_found(ext_id)
    return catalog["extensions"][found]


def get_extension(standin: Any, catalog_id: str, ext_id: str, query: dict, body: Any):
    return _answer_extension(_extension(standin, catalog_id, ext_id))


def patch_extension(standin: Any, catalog_id: str, ext_id: str, query: dict, body: Any):
    from graph_standin import bad

    ext = _extension(standin, catalog_id, ext_id)
    _validate_extension(standin, body, partial=True)
    if body["@odata.type"] != ext["@odata.type"]:
        raise bad("a custom extension's type cannot change")
    for key in ("displayName", "description", "authenticationConfiguration", "callbackConfiguration"):
        if key in body:
            ext[key] = copy.deepcopy(body[key])
    if "endpointConfiguration" in body:
        ext["endpointConfiguration"] = {**body["endpointConfiguration"], "url": ext["endpointConfiguration"]["url"]}
    ext["lastModifiedDateTime"] = _now()
    return 200, _answer_extension(ext), {}


def delete_extension(standin: Any, catalog_id: str, ext_id: str, query: dict, body: Any):
    ext = _extension(standin, catalog_id, ext_id)
    del _catalog(standin, catalog_id)["extensions"][ext["id"]]
    return 204, None, {}


# -- assignment policies ---------------------------------------------------------------------------------------


def _policy(standin: Any, policy_id: str) -> dict:
    from graph_standin import not_found

    found = standin._find(state(standin)["policies"], policy_id)
    if found is None:
        raise not_found(policy_id)
    return state(standin)["policies"][found]


def _v1_view(standin: Any, policy: dict, expand: str | None) -> dict:
    from graph_standin import bad

    parts = {p.strip() for p in re.split(r",(?![^(]*\))", expand)} if expand else set()
    unknown = parts - {"accessPackage", "questions", STAGES_EXPAND}
    if unknown:
        raise bad(f"policy $expand {sorted(unknown)}")
    view = {"id": policy["id"], **{k: copy.deepcopy(policy[k]) for k in _V1_MEMBERS}}
    view["createdDateTime"], view["modifiedDateTime"] = policy["createdDateTime"], policy["modifiedDateTime"]
    if "accessPackage" in parts:
        view["accessPackage"] = {"id": policy["accessPackageId"], "displayName": "User Admin", "isHidden": False}
    if "questions" in parts:
        view["questions"] = copy.deepcopy(policy["questions"])
    if STAGES_EXPAND in parts:
        catalog = state(standin)["catalogs"].get(policy["catalogId"], {"extensions": {}})
        view["customExtensionStageSettings"] = [
            {"id": sid, "stage": stage, "customExtension": _answer_extension(catalog["extensions"][eid])}
            for sid, stage, eid in policy["stages"]
            if eid in catalog["extensions"]
        ]
    return view


def get_policy(standin: Any, policy_id: str, query: dict, body: Any):
    return _v1_view(standin, _policy(standin, policy_id), query.get("$expand"))


def put_policy(standin: Any, policy_id: str, query: dict, body: Any):
    from graph_standin import bad

    policy = _policy(standin, policy_id)
    if not isinstance(body, dict):
        raise bad("a policy body must be an object")
    allowed = {"id", "accessPackage", "questions", "customExtensionStageSettings", *_V1_MEMBERS}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad(f"PUT policy members {unknown} (read-only or unknown)")
    if (body.get("accessPackage") or {}).get("id", "").lower() != policy["accessPackageId"].lower():
        raise bad("accessPackage.id must name the policy's access package")
    if not body.get("displayName"):
        raise bad("displayName is required")
    catalog = state(standin)["catalogs"].get(policy["catalogId"], {"extensions": {}})
    stages = []
    for entry in body.get("customExtensionStageSettings") or []:
        stage, ext_id = entry.get("stage"), (entry.get("customExtension") or {}).get("id")
        if stage not in STAGES:
            raise bad(f"customExtensionStageSettings stage {stage!r}")
        found = standin._find(catalog["extensions"], str(ext_id))
        if found is None:
            raise bad(f"customExtensionStageSettings: extension {ext_id!r} is not in the policy's catalog")
        if set(entry) - {"stage", "customExtension"} or set(entry["customExtension"]) - {"id", "@odata.type"}:
            raise bad(f"customExtensionStageSettings entry {entry!r}")
        stages.append((str(uuid.uuid4()), stage, found))
    if len({s for _, s, _ in stages}) != len(stages):
        raise bad("a stage appears twice in customExtensionStageSettings")
    for key, empty in _V1_MEMBERS.items():  # PUT replaces: a member left out is reset
        policy[key] = copy.deepcopy(body.get(key, empty))
    policy["questions"] = [{**q, "id": q.get("id") or str(uuid.uuid4())} for q in body.get("questions") or []]
    policy["stages"] = stages
    policy["modifiedDateTime"] = _now()
    return 200, _v1_view(standin, policy, None), {}


_BETA_QUESTION = (
    "@odata.type",
    "id",
    "sequence",
    "isRequired",
    "isAnswerEditable",
    "isSingleLineQuestion",
    "regexPattern",
)


def _beta_question(q: dict) -> dict:
    """A question as beta answers it: its text is localized content (msgraph-beta AccessPackageLocalizedContent)."""
    return {
        **{k: v for k, v in q.items() if k in _BETA_QUESTION},
        "text": {"defaultText": q.get("text"), "localizedTexts": []},
    }


def _v1_question(q: dict) -> dict:
    text = q.get("text")
    return {
        **{k: v for k, v in q.items() if k in _BETA_QUESTION},
        "text": text.get("defaultText") if isinstance(text, dict) else text,
        "localizations": [],
    }


def _beta_view(policy: dict) -> dict:
    expiration = policy.get("expiration") or {}
    duration = re.fullmatch(r"P(\d+)D", expiration.get("duration") or "")
    return {
        "id": policy["id"],
        "accessPackageId": policy["accessPackageId"],
        "displayName": policy["displayName"],
        "description": policy["description"],
        "canExtend": False,
        "durationInDays": int(duration.group(1)) if duration else 0,
        "expirationDateTime": None,
        "createdBy": "azuread provider",
        "modifiedBy": "azuread provider",
        "createdDateTime": policy["createdDateTime"],
        "modifiedDateTime": policy["modifiedDateTime"],
        "questions": [_beta_question(q) for q in copy.deepcopy(policy["questions"])],
        "verifiableCredentialSettings": copy.deepcopy(policy["verifiableCredentialSettings"])
        or {"credentialTypes": []},
    }


def get_beta_policy(standin: Any, policy_id: str, query: dict, body: Any):
    return _beta_view(_policy(standin, policy_id))


def put_beta_policy(standin: Any, policy_id: str, query: dict, body: Any):
    from graph_standin import bad

    policy = _policy(standin, policy_id)
    if not isinstance(body, dict) or not body.get("displayName") or not body.get("accessPackageId"):
        raise bad("a beta PUT replaces the policy: displayName and accessPackageId are required")
    allowed = set(_beta_view(policy)) - {"createdBy", "modifiedBy", "createdDateTime", "modifiedDateTime"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad(f"beta PUT policy members {unknown} (read-only or unknown)")
    vc = body.get("verifiableCredentialSettings") or {"credentialTypes": []}
    for t in vc.get("credentialTypes") or []:
        issuers = t.get("issuers")
        if not t.get("credentialType") or not isinstance(issuers, list) or not issuers:
            raise bad(f"verifiableCredentialSettings credential type {t!r}")
        if not all(isinstance(i, str) and _DID.match(i) for i in issuers):
            raise bad(f"verifiableCredentialSettings issuers {issuers!r} are not DIDs")
    policy["displayName"], policy["description"] = body["displayName"], body.get("description")
    policy["questions"] = [_v1_question(q) for q in body.get("questions") or []]  # PUT replaces them too
    policy["verifiableCredentialSettings"] = copy.deepcopy(vc) if vc.get("credentialTypes") else None
    if "durationInDays" in body:  # whole days are all beta says of the lifetime, and a PUT replaces it
        days = body["durationInDays"]
        policy["expiration"] = (
            {"type": "afterDuration", "duration": f"P{days}D", "endDateTime": None}
            if days
            else {"type": "noExpiration", "duration": None, "endDateTime": None}
        )
    if state(standin).get("beta_put_drops_stages"):  # a knob: what a beta PUT that resets navigation would do
        policy["stages"] = []
    policy["modifiedDateTime"] = _now()
    return 200, _beta_view(policy), {}


ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("GET", _EXT, list_extensions, ()),
    ("POST", _EXT, post_extension, ()),
    ("GET", _EXT + r"/([^/]+)", get_extension, ()),
    ("PATCH", _EXT + r"/([^/]+)", patch_extension, ()),
    ("DELETE", _EXT + r"/([^/]+)", delete_extension, ()),
    ("GET", _POLICY, get_policy, ("$expand",)),
    ("PUT", _POLICY, put_policy, ()),
    ("GET", _BETA_POLICY, get_beta_policy, ()),
    ("PUT", _BETA_POLICY, put_beta_policy, ()),
]

_V1 = "msgraph.generated.models."
_BETA = "msgraph_beta.generated.models."
_EXTENSIONS = "/v1.0/identityGovernance/entitlementManagement/catalogs/{catalogId}/customWorkflowExtensions"
_EXT_BUILDER = "identity_governance.entitlement_management.catalogs[catalogId].custom_workflow_extensions"
_CALLOUT = _V1 + "custom_callout_extension.CustomCalloutExtension"
_POLICY_V1 = "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/{policyId}"
_POLICY_BETA = "/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies/{policyId}"
_POLICY_MODEL = _V1 + "access_package_assignment_policy.AccessPackageAssignmentPolicy"
_POLICY_BETA_MODEL = _BETA + "access_package_assignment_policy.AccessPackageAssignmentPolicy"
ENDPOINTS: list[tuple[Any, ...]] = [
    (
        "GET",
        _EXTENSIONS,
        None,
        _V1 + "custom_callout_extension_collection_response.CustomCalloutExtensionCollectionResponse",
        200,
        _EXT_BUILDER,
    ),
    ("POST", _EXTENSIONS, _CALLOUT, _CALLOUT, 201, _EXT_BUILDER),
    ("GET", _EXTENSIONS + "/{extensionId}", None, _CALLOUT, 200, _EXT_BUILDER + "[extensionId]"),
    ("PATCH", _EXTENSIONS + "/{extensionId}", _CALLOUT, _CALLOUT, 200, _EXT_BUILDER + "[extensionId]"),
    ("DELETE", _EXTENSIONS + "/{extensionId}", None, None, 204, _EXT_BUILDER + "[extensionId]"),
    (
        "GET",
        _POLICY_V1,
        None,
        _POLICY_MODEL,
        200,
        "identity_governance.entitlement_management.assignment_policies[policyId]",
    ),
    (
        "PUT",
        _POLICY_V1,
        _POLICY_MODEL,
        _POLICY_MODEL,
        200,
        "identity_governance.entitlement_management.assignment_policies[policyId]",
    ),
    (
        "GET",
        _POLICY_BETA,
        None,
        _POLICY_BETA_MODEL,
        200,
        "identity_governance.entitlement_management.access_package_assignment_policies[policyId]",
    ),
    (
        "PUT",
        _POLICY_BETA,
        _POLICY_BETA_MODEL,
        _POLICY_BETA_MODEL,
        200,
        "identity_governance.entitlement_management.access_package_assignment_policies[policyId]",
    ),
]
