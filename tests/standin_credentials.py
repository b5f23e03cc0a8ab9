"""Graph stand-in endpoints for the credentials Graph providers (merged into graph_standin.ROUTES).

Handlers are plain functions taking the stand-in as their first argument, exactly like GraphStandIn's methods;
they keep their state in `standin.area["credentials"]` and import graph_standin's helpers (bad, not_found, ...)
inside the function (graph_standin imports this module at its end). `ENDPOINTS` are graph_models.Endpoint
argument tuples for the same endpoints (graph_models wraps and appends them).

What they answer as Graph does (not echoing what was sent):

- the Temporary Access Pass method configuration (v1.0), a singleton that always exists:
  `GET .../authenticationMethodConfigurations/TemporaryAccessPass` (the ID as the providers send it; the
  documented examples also write `temporaryAccessPass`) answers the object with `@odata.type`, `id:
  "TemporaryAccessPass"`, every setting, and targets carrying what Graph adds (`isRegistrationRequired` on include
  targets). A new tenant's configuration is the one of the documented GET example
  (https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get): enabled for
  the `all_users` group, reusable passes, 60..480 minutes, length 8 (`tenant_default`). `PATCH` requires the
  `@odata.type` (documented: "must be included"), checks the documented bounds (lifetimes 10..43200, minimum <=
  default <= maximum, length 8..48; Int32 values, a float is refused), replaces only the properties it is given and
  answers 204 without a body (https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-update).
  The documented example's `includeTargets@odata.context` is left out: the SDK model check has no place for it.
- users (v1.0): `PATCH /users/{id}` accepts only `passwordProfile` here (what the providers send), checks the
  password against Entra's rule (8..256 characters, three of lower, upper, digit, symbol), records it and moves
  `lastPasswordChangeDateTime` on (strictly later than before), 204 without a body. `GET /users/{id}` (with
  `$select`) answers the user with `id`, `displayName`, `userPrincipalName`, `accountEnabled` and
  `lastPasswordChangeDateTime`, 404 `Request_ResourceNotFound` for an unknown ID.

State: `area["credentials"]` = {"tap": the configuration, "users": {id: user}, "passwords": {id: [every password
set, in order]}}. `add_user(standin)` puts a user there (as azuread.User would have made it) and returns its ID.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

_TAP = r"/v1\.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
_USER = r"/v1\.0/users/([^/]+)"
TAP_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
_SETTINGS = {
    "state": str,
    "isUsableOnce": bool,
    "minimumLifetimeInMinutes": int,
    "defaultLifetimeInMinutes": int,
    "maximumLifetimeInMinutes": int,
    "defaultLength": int,
}
_SYMBOLS = set("@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ")


def tenant_default() -> dict:
    """A tenant's TAP configuration as the documented GET example answers it."""
    return {
        "@odata.type": TAP_TYPE,
        "id": "TemporaryAccessPass",
        "state": "enabled",
        "defaultLifetimeInMinutes": 60,
        "defaultLength": 8,
        "minimumLifetimeInMinutes": 60,
        "maximumLifetimeInMinutes": 480,
        "isUsableOnce": False,
        "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}],
        "excludeTargets": [],
    }


def state(standin: Any) -> dict:
    return standin.area.setdefault("credentials", {"tap": tenant_default(), "users": {}, "passwords": {}})


def add_user(
    standin: Any, upn: str = "adm-new@contoso.onmicrosoft.com", changed: datetime | None = None, user_id: str = ""
) -> str:
    """A user as azuread.User leaves it (created with the provider's password a moment ago); returns its ID (as Graph
    stores it: lower case)."""
    user_id = (user_id or str(uuid.uuid4())).lower()
    when = changed or datetime.now(UTC) - timedelta(minutes=5)
    state(standin)["users"][user_id] = {
        "id": user_id,
        "displayName": upn.split("@")[0],
        "userPrincipalName": upn,
        "accountEnabled": True,
        "lastPasswordChangeDateTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return user_id


# -- the TAP method configuration ---------------------------------------------------------------------------


def get_tap(standin: Any, query: dict, body: Any):
    return copy.deepcopy(state(standin)["tap"])


def _targets(standin: Any, value: Any, where: str, include: bool) -> list[dict]:
    from graph_standin import GUID, bad

    if not isinstance(value, list):
        raise bad(f"{where}: a list of targets")
    out = []
    for target in value:
        if not isinstance(target, dict) or target.get("targetType") not in ("group", "user"):
            raise bad(f"{where}: targetType must be group or user, not {target!r}")
        extra = set(target) - {"@odata.type", "targetType", "id", *(("isRegistrationRequired",) if include else ())}
        if extra:
            raise bad(f"{where}: unknown target properties {sorted(extra)}")
        ident = target.get("id")
        if not (isinstance(ident, str) and (GUID.match(ident) or ident == "all_users")):
            raise bad(f"{where}: id {ident!r} is not an object ID or all_users")
        entry = {"targetType": target["targetType"], "id": standin._id(ident)}
        if include:  # Graph answers include targets with isRegistrationRequired, sent or not
            entry["isRegistrationRequired"] = bool(target.get("isRegistrationRequired", False))
        out.append(entry)
    return out


def patch_tap(standin: Any, query: dict, body: Any):
    from graph_standin import bad

    if not isinstance(body, dict) or body.get("@odata.type") != TAP_TYPE:
        raise bad(f"the @odata.type {TAP_TYPE!r} must be included")
    unknown = sorted(set(body) - {"@odata.type", "id", *_SETTINGS, "includeTargets", "excludeTargets"})
    if unknown:
        raise bad(f"unknown properties {unknown}")
    for key, kind in _SETTINGS.items():
        if key in body and (not isinstance(body[key], kind) or isinstance(body[key], bool) != (kind is bool)):
            raise bad(f"{key}: {body[key]!r} is not {kind.__name__} (Edm.Int32 refuses 1.0)")
    if "state" in body and body["state"] not in ("enabled", "disabled"):
        raise bad(f"state: {body['state']!r}")
    merged = {**state(standin)["tap"], **{k: v for k, v in body.items() if k in _SETTINGS}}
    for key in ("minimumLifetimeInMinutes", "defaultLifetimeInMinutes", "maximumLifetimeInMinutes"):
        if not 10 <= merged[key] <= 43200:
            raise bad(f"{key}: {merged[key]} is outside 10..43200")
    if (
        not merged["minimumLifetimeInMinutes"]
        <= merged["defaultLifetimeInMinutes"]
        <= merged["maximumLifetimeInMinutes"]
    ):
        raise bad("defaultLifetimeInMinutes must lie between the minimum and the maximum")
    if not 8 <= merged["defaultLength"] <= 48:
        raise bad(f"defaultLength: {merged['defaultLength']} is outside 8..48")
    if "includeTargets" in body:
        merged["includeTargets"] = _targets(standin, body["includeTargets"], "includeTargets", True)
    if "excludeTargets" in body:
        merged["excludeTargets"] = _targets(standin, body["excludeTargets"], "excludeTargets", False)
    state(standin)["tap"] = merged
    return 204, None, {}


# -- users ----------------------------------------------------------------------------------------------------


def _user(standin: Any, user_id: str) -> dict:
    from graph_standin import not_found

    users = state(standin)["users"]
    key = standin._find(users, user_id)
    if key is None:
        raise not_found(user_id)
    return users[key]


def get_user(standin: Any, user_id: str, query: dict, body: Any):
    return copy.deepcopy(_user(standin, user_id))


def patch_user(standin: Any, user_id: str, query: dict, body: Any):
    from graph_standin import Reject, bad

    user = _user(standin, user_id)
    if not isinstance(body, dict) or set(body) != {"passwordProfile"} or not isinstance(body["passwordProfile"], dict):
        raise bad(
            f"the stand-in takes only a passwordProfile here, not {sorted(body) if isinstance(body, dict) else body!r}"
        )
    profile = body["passwordProfile"]
    unknown = set(profile) - {"password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"}
    if unknown:
        raise bad(f"passwordProfile: unknown properties {sorted(unknown)}")
    password = profile.get("password")
    if not isinstance(password, str):
        raise bad("passwordProfile.password: required string")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in _SYMBOLS for c in password),
    ]
    if (
        not 8 <= len(password) <= 256
        or sum(classes) < 3
        or any(c not in _SYMBOLS and not c.isalnum() for c in password)
    ):
        # Graph's answer names the rule, never the password
        raise Reject(
            400,
            "Request_BadRequest",
            "The specified password does not comply with password complexity requirements. Please provide a "
            "different password.",
        )
    for key in ("forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"):
        if key in profile and not isinstance(profile[key], bool):
            raise bad(f"passwordProfile.{key}: a boolean")
    state(standin)["passwords"].setdefault(user["id"], []).append(password)
    before = datetime.fromisoformat(user["lastPasswordChangeDateTime"].replace("Z", "+00:00"))
    now = max(datetime.now(UTC).replace(microsecond=0), before + timedelta(seconds=1))
    user["lastPasswordChangeDateTime"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return 204, None, {}


ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("GET", _TAP, get_tap, ()),
    ("PATCH", _TAP, patch_tap, ()),
    ("GET", _USER, get_user, ("$select",)),
    ("PATCH", _USER, patch_user, ()),
]

_V1 = "msgraph.generated.models."
_CONFIG = _V1 + "authentication_method_configuration.AuthenticationMethodConfiguration"
_CONFIGS = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}"
_BUILDER = "policies.authentication_methods_policy.authentication_method_configurations[configId]"
ENDPOINTS: list[tuple[Any, ...]] = [
    # the base model: its discriminator must resolve @odata.type to the TAP configuration's derived type
    ("GET", _CONFIGS, None, _CONFIG, 200, _BUILDER),
    ("PATCH", _CONFIGS, _CONFIG, None, 204, _BUILDER),
    ("GET", "/v1.0/users/{userId}", None, _V1 + "user.User", 200, "users[userId]"),
    ("PATCH", "/v1.0/users/{userId}", _V1 + "user.User", None, 204, "users[userId]"),
]
