"""Graph stand-in endpoints for the conditional_access Graph providers (merged into graph_standin.ROUTES).

Handlers are plain functions taking the stand-in as their first argument, exactly like GraphStandIn's methods;
they keep their state in `standin.area["conditional_access"]` and import graph_standin's helpers (bad, not_found, ...)
inside the function (graph_standin imports this module at its end). `ENDPOINTS` are graph_models.Endpoint
argument tuples for the same endpoints (graph_models wraps and appends them).

What they answer as Graph does (not echoing what was sent):
- authentication contexts (v1.0): `PATCH .../authenticationContextClassReferences/{id}` creates the context when the
  ID is unused and updates it otherwise (documented upsert), 204 without a body; an empty body creates one with null
  name and description and isAvailable false; the ID must be c1..c99. `GET` answers the object, 404 when absent.
- conditional access policies (beta): `POST` assigns the ID (a lower-case GUID), `createdDateTime`, a null
  `modifiedDateTime`, and fills Graph's defaults for what was omitted (empty user and application lists,
  `clientAppTypes: [all]`, null locations/platforms/devices, null control blocks); grant controls answer the
  authentication strength expanded (display name, policy type, allowed combinations) as Graph does. `PATCH`
  replaces the top-level parts it is given (204), `DELETE` 204; lists leave out objects still replicating.
State: `area["conditional_access"]` = {"contexts": {id: object}, "policies": {id: object}}.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

_ID = r"([^/]+)"
_CTX = r"/v1\.0/identity/conditionalAccess/authenticationContextClassReferences"
_POL = r"/beta/identity/conditionalAccess/policies"
_CLAIM = re.compile(r"^c([1-9]|[1-9][0-9])$")
_STATES = ("enabled", "disabled", "enabledForReportingButNotEnforced")
_BUILTIN_STRENGTHS = {
    "00000000-0000-0000-0000-000000000002": ("Multifactor authentication", ["password,microsoftAuthenticatorPush"]),
    "00000000-0000-0000-0000-000000000003": ("Passwordless MFA", ["windowsHelloForBusiness", "fido2"]),
    "00000000-0000-0000-0000-000000000004": (
        "Phishing-resistant MFA",
        ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
    ),
}
_USER_LISTS = ("includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles")
_APP_LISTS = (
    "includeApplications",
    "excludeApplications",
    "includeUserActions",
    "includeAuthenticationContextClassReferences",
)


def state(standin: Any) -> dict:
    return standin.area.setdefault("conditional_access", {"contexts": {}, "policies": {}})


# -- authentication contexts --------------------------------------------------------------------------------


def get_context(standin: Any, context_id: str, query: dict, body: Any):
    from graph_standin import Reject

    found = state(standin)["contexts"].get(context_id)
    lagging = state(standin).setdefault("lagging", {})
    if lagging.get(context_id, 0) > 0 and standin._lag_n:
        lagging[context_id] -= 1
        found = None
    if found is None:
        raise Reject(404, "Request_ResourceNotFound", f"Resource '{context_id}' does not exist.")
    return copy.deepcopy(found)


def patch_context(standin: Any, context_id: str, query: dict, body: Any):
    from graph_standin import bad

    if not _CLAIM.match(context_id):
        raise bad(f"authenticationContextClassReference id {context_id!r}: the ID must be c1 to c99")
    if not isinstance(body, dict) or not set(body) <= {"displayName", "description", "isAvailable"}:
        raise bad(f"authenticationContextClassReference PATCH body {sorted(body or {})}")
    if "isAvailable" in body and not isinstance(body["isAvailable"], bool):
        raise bad(f"isAvailable: {body['isAvailable']!r}")
    contexts = state(standin)["contexts"]
    if context_id not in contexts:
        if standin._lag_n:  # replication lag: the new context is missing from its next reads
            state(standin).setdefault("lagging", {})[context_id] = standin._lag_n
        contexts[context_id] = {"id": context_id, "displayName": None, "description": None, "isAvailable": False}
    contexts[context_id].update(copy.deepcopy(body))
    return 204, None, {}


def delete_context(standin: Any, context_id: str, query: dict, body: Any):
    from graph_standin import Reject

    if state(standin)["contexts"].pop(context_id, None) is None:
        raise Reject(404, "Request_ResourceNotFound", f"Resource '{context_id}' does not exist.")
    return 204, None, {}


# -- conditional access policies ----------------------------------------------------------------------------


def _strength(standin: Any, strength: Any) -> dict | None:
    from graph_standin import bad

    if strength is None:
        return None
    if not isinstance(strength, dict) or not isinstance(strength.get("id"), str):
        raise bad(f"grantControls.authenticationStrength: {strength!r}")
    sid = strength["id"].lower()
    name, combos = _BUILTIN_STRENGTHS.get(sid, ("Custom strength", ["fido2"]))
    return {
        "id": sid,
        "createdDateTime": "2021-12-01T00:00:00Z",
        "modifiedDateTime": "2021-12-01T00:00:00Z",
        "displayName": name,
        "description": None,
        "policyType": "builtIn" if sid in _BUILTIN_STRENGTHS else "custom",
        "requirementsSatisfied": "mfa",
        "allowedCombinations": combos,
    }


def _validate_policy(body: Any, partial: bool = False) -> None:
    from graph_standin import bad

    if not isinstance(body, dict):
        raise bad("conditionalAccessPolicy body is not an object")
    allowed = {"displayName", "state", "conditions", "grantControls", "sessionControls", "description"}
    if not set(body) <= allowed:
        raise bad(f"conditionalAccessPolicy: unexpected {sorted(set(body) - allowed)}")
    if (not partial or "displayName" in body) and not (
        isinstance(body.get("displayName"), str) and body["displayName"]
    ):
        raise bad("displayName is required")
    if (not partial or "state" in body) and body.get("state") not in _STATES:
        raise bad(f"state: {body.get('state')!r}")
    if partial and "conditions" not in body:
        return
    cond = body.get("conditions")
    if not isinstance(cond, dict) or not isinstance(cond.get("users"), dict):
        raise bad("conditions.users is required")
    users, apps = cond["users"], cond.get("applications")
    if not any(users.get(k) for k in ("includeUsers", "includeGroups", "includeRoles")):
        raise bad("conditions.users: include at least one user, group or role")
    if not isinstance(apps, dict) or not any(
        apps.get(k)
        for k in ("includeApplications", "includeUserActions", "includeAuthenticationContextClassReferences")
    ):
        raise bad("conditions.applications: include applications, user actions or authentication contexts")
    for key in (*_USER_LISTS, *_APP_LISTS):
        for where in (users, apps):
            if key in where and not all(isinstance(i, str) for i in where[key] or []):
                raise bad(f"conditions.{key}: {where[key]!r}")
    if not partial and body.get("grantControls") is None and body.get("sessionControls") is None:
        raise bad("a policy needs grantControls or sessionControls")


def _stored(standin: Any, body: dict, existing: dict | None = None) -> dict:
    """The policy as Graph keeps and answers it: defaults for what was omitted, the strength expanded."""
    policy = copy.deepcopy(existing) if existing else {}
    policy.update(copy.deepcopy(body))
    cond = policy["conditions"]
    users = {
        **{k: [] for k in _USER_LISTS},
        "includeGuestsOrExternalUsers": None,
        "excludeGuestsOrExternalUsers": None,
        **cond.get("users", {}),
    }
    for key in _USER_LISTS:
        users[key] = [standin._id(i) for i in users[key] or []]
    apps = {**{k: [] for k in _APP_LISTS}, "applicationFilter": None, **cond.get("applications", {})}
    policy["conditions"] = {
        "userRiskLevels": [],
        "signInRiskLevels": [],
        "servicePrincipalRiskLevels": [],
        "clientAppTypes": ["all"],
        "platforms": None,
        "locations": None,
        "devices": None,
        "clientApplications": None,
        "authenticationFlows": None,
        **{k: v for k, v in cond.items() if v is not None},
        "users": users,
        "applications": apps,
    }
    grant = policy.get("grantControls")
    if grant is not None:
        policy["grantControls"] = {
            "operator": grant.get("operator", "OR"),
            "builtInControls": grant.get("builtInControls") or [],
            "customAuthenticationFactors": grant.get("customAuthenticationFactors") or [],
            "termsOfUse": grant.get("termsOfUse") or [],
            "authenticationStrength": _strength(standin, grant.get("authenticationStrength")),
        }
    session = policy.get("sessionControls")
    if session is not None:
        policy["sessionControls"] = {
            "disableResilienceDefaults": None,
            "applicationEnforcedRestrictions": None,
            "cloudAppSecurity": None,
            "persistentBrowser": None,
            "signInFrequency": None,
            "continuousAccessEvaluation": None,
            "secureSignInSession": None,
            **session,
        }
    policy.setdefault("grantControls", None)
    policy.setdefault("sessionControls", None)
    policy.setdefault("description", None)
    return policy


def post_policy(standin: Any, query: dict, body: Any):
    from graph_standin import _now

    _validate_policy(body)
    policy = _stored(standin, body)
    policy.update(id=standin._created(str(uuid.uuid4())), createdDateTime=_now(), modifiedDateTime=None)
    state(standin)["policies"][policy["id"]] = policy
    return 201, copy.deepcopy(policy), {}


def _policy(standin: Any, policy_id: str) -> dict:
    from graph_standin import Reject

    policies = state(standin)["policies"]
    found = standin._find(policies, policy_id)
    if found is None:
        raise Reject(404, "ResourceNotFound", f"Policy {policy_id} not found.")
    return policies[found]


def get_policy(standin: Any, policy_id: str, query: dict, body: Any):
    return copy.deepcopy(_policy(standin, policy_id))


def list_policies(standin: Any, query: dict, body: Any):
    return {"value": standin._listed([copy.deepcopy(p) for p in state(standin)["policies"].values()])}


def patch_policy(standin: Any, policy_id: str, query: dict, body: Any):
    from graph_standin import _now

    policy = _policy(standin, policy_id)
    _validate_policy(body, partial=True)
    merged = {k: v for k, v in {**policy, **body}.items() if k not in ("id", "createdDateTime", "modifiedDateTime")}
    _validate_policy({k: v for k, v in merged.items() if k != "description" or v is not None})
    stored = _stored(standin, {k: v for k, v in body.items()}, policy)
    stored["modifiedDateTime"] = _now()
    policy.clear()
    policy.update(stored)
    return 204, None, {}


def delete_policy(standin: Any, policy_id: str, query: dict, body: Any):
    policy = _policy(standin, policy_id)
    del state(standin)["policies"][policy["id"]]
    return 204, None, {}


ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("GET", _CTX + "/" + _ID, get_context, ()),
    ("PATCH", _CTX + "/" + _ID, patch_context, ()),
    ("DELETE", _CTX + "/" + _ID, delete_context, ()),
    ("POST", _POL, post_policy, ()),
    ("GET", _POL, list_policies, ()),
    ("GET", _POL + "/" + _ID, get_policy, ()),
    ("PATCH", _POL + "/" + _ID, patch_policy, ()),
    ("DELETE", _POL + "/" + _ID, delete_policy, ()),
]

_V1 = "msgraph.generated.models."
_BETA = "msgraph_beta.generated.models."
_CONTEXT = _V1 + "authentication_context_class_reference.AuthenticationContextClassReference"
_CONTEXT_BUILDER = (
    "identity.conditional_access.authentication_context_class_references[authenticationContextClassReferenceId]"
)
_CONTEXT_PATH = (
    "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/{authenticationContextClassReferenceId}"
)
_POLICY = _BETA + "conditional_access_policy.ConditionalAccessPolicy"
_POLICIES_PATH = "/beta/identity/conditionalAccess/policies"
ENDPOINTS: list[tuple[Any, ...]] = [
    ("GET", _CONTEXT_PATH, None, _CONTEXT, 200, _CONTEXT_BUILDER),
    ("PATCH", _CONTEXT_PATH, _CONTEXT, None, 204, _CONTEXT_BUILDER),
    ("DELETE", _CONTEXT_PATH, None, None, 204, _CONTEXT_BUILDER),
    ("POST", _POLICIES_PATH, _POLICY, _POLICY, 201, "identity.conditional_access.policies"),
    (
        "GET",
        _POLICIES_PATH,
        None,
        _BETA + "conditional_access_policy_collection_response.ConditionalAccessPolicyCollectionResponse",
        200,
        "identity.conditional_access.policies",
    ),
    (
        "GET",
        _POLICIES_PATH + "/{conditionalAccessPolicyId}",
        None,
        _POLICY,
        200,
        "identity.conditional_access.policies[conditionalAccessPolicyId]",
    ),
    (
        "PATCH",
        _POLICIES_PATH + "/{conditionalAccessPolicyId}",
        _POLICY,
        None,
        204,
        "identity.conditional_access.policies[conditionalAccessPolicyId]",
    ),
    (
        "DELETE",
        _POLICIES_PATH + "/{conditionalAccessPolicyId}",
        None,
        None,
        204,
        "identity.conditional_access.policies[conditionalAccessPolicyId]",
    ),
]
