"""The tenant's Temporary Access Pass policy as code, over Microsoft Graph.

``TemporaryAccessPassPolicy`` (graphKind ``temporaryAccessPassPolicy``) owns the tenant's one Temporary Access
Pass authentication method configuration, a singleton that always exists and is never created or deleted:

    GET   /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass
    PATCH /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass

(https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get and -update; the
PATCH must carry ``@odata.type`` ``#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration`` and is
answered 204; the shape is msgraph's ``temporary_access_pass_authentication_method_configuration``). What it
declares: ``state`` (enabled), ``includeTargets`` = the given groups only (never ``all_users``: only GUIDs are
accepted), ``excludeTargets``, ``isUsableOnce`` true, and short lifetimes. Documented bounds
(https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration):
``minimumLifetimeInMinutes`` and ``maximumLifetimeInMinutes`` 10..43200, ``defaultLifetimeInMinutes`` between
them, ``defaultLength`` 8..48.

Create is a PATCH (nothing is made, so nothing can be duplicated; the client retries a PATCH whose answer was lost,
which is idempotent) preceded by a GET whose answer is kept as the output ``previous`` (what the tenant had before,
for the record). ``read`` (refresh) answers the live configuration in the declared shape, so a change in the portal
(another group, all users, reusable passes, a longer lifetime) is a diff and the next ``up`` puts the declaration
back. Graph's answer carries fields this resource does not declare (``id``, ``@odata.context``, a target's
``isRegistrationRequired``, and ``includeTargets@odata.context`` in the documented example); they are not drift.

Delete: the configuration cannot be deleted (Graph's DELETE "reverts to its default configuration", whose target is
``all_users``). Removing the resource therefore leaves the last applied, group-scoped, one-time configuration in
place and stops managing it. It never restores ``previous`` (that may have been TAP for all users) and never
disables the method on its own: a renamed resource is created before the old one is deleted, and a delete that
disabled TAP would switch off what the new one had just applied. To switch TAP off, declare ``state="disabled"``.

Graph permission: ``Policy.ReadWrite.AuthenticationMethod`` (application); Authentication Policy Administrator is
the least privileged role for delegated use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeGuard

import pulumi
from privileged_facts.values import UNKNOWN, is_unknown
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, diff, output, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = "temporaryAccessPassPolicy"
PATH = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
ODATA_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
ID = "TemporaryAccessPass"
TARGET_TYPE = "#microsoft.graph.authenticationMethodTarget"
MIN_LIFETIME, MAX_LIFETIME = 10, 43200  # minutes, as documented
MIN_LENGTH, MAX_LENGTH = 8, 48
STATES = ("enabled", "disabled")
LIFETIMES = ("minimumLifetimeInMinutes", "defaultLifetimeInMinutes", "maximumLifetimeInMinutes")
SETTINGS = ("state", "isUsableOnce", *LIFETIMES, "defaultLength")
KEYS = ("graphKind", *SETTINGS, "includeGroupIds", "excludeGroupIds")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _within(value: Any, low: int, high: int) -> bool:
    return _is_int(value) and low <= value <= high


def validate(props: dict) -> None:
    """Raise ValueError naming the field, the bad value and the fix (values unknown at preview pass)."""
    state = props.get("state")
    if not is_unknown(state) and state not in STATES:
        raise ValueError(f"state: {state!r}; use 'enabled' or 'disabled'")
    once = props.get("isUsableOnce")
    if not is_unknown(once) and once is not True:
        raise ValueError(
            f"isUsableOnce: {once!r}; a Temporary Access Pass here is one-time (true): a reusable pass is a "
            "password that lives for its whole lifetime"
        )
    values = {k: props.get(k) for k in LIFETIMES}
    for key, value in values.items():
        if is_unknown(value):
            continue
        if not _within(value, MIN_LIFETIME, MAX_LIFETIME):
            raise ValueError(f"{key}: {value!r}; use whole minutes from {MIN_LIFETIME} to {MAX_LIFETIME}")
    low, default, high = (values[k] for k in LIFETIMES)
    if _is_int(low) and _is_int(default) and _is_int(high) and not low <= default <= high:
        raise ValueError(
            f"defaultLifetimeInMinutes: {default} must lie between minimumLifetimeInMinutes ({low}) and "
            f"maximumLifetimeInMinutes ({high})"
        )
    length = props.get("defaultLength")
    if not is_unknown(length) and not _within(length, MIN_LENGTH, MAX_LENGTH):
        raise ValueError(f"defaultLength: {length!r}; use {MIN_LENGTH} to {MAX_LENGTH} characters")
    for key in ("includeGroupIds", "excludeGroupIds"):
        ids = props.get(key)
        if is_unknown(ids):
            continue
        if not isinstance(ids, list):
            raise ValueError(f"{key}: must be a list of group object IDs")
        for i, value in enumerate(ids):
            require_guid(value, f"{key}[{i}]")
    include = props.get("includeGroupIds")
    if state == "enabled" and isinstance(include, list) and not include:
        raise ValueError("includeGroupIds: an enabled TAP policy names the groups that may use it (never all users)")


def body(props: dict) -> dict:
    """The PATCH body for a declaration (the documented shape)."""
    return {
        "@odata.type": ODATA_TYPE,
        **{k: props[k] for k in SETTINGS},
        # authenticationMethodTarget is a polymorphic base (Authenticator, SMS, passkey targets derive from it): a
        # request names the type it means, the base itself for TAP
        "includeTargets": [
            {"@odata.type": TARGET_TYPE, "targetType": "group", "id": g, "isRegistrationRequired": False}
            for g in props["includeGroupIds"]
        ],
        "excludeTargets": [{"targetType": "group", "id": g} for g in props.get("excludeGroupIds") or []],
    }


def _targets(live: Any) -> list[str]:
    """The targets Graph answers, as the declaration spells them: group IDs; anything else (``all_users``, a user)
    by its ID with its type, so that it differs from every declared group."""
    out = []
    for target in live if isinstance(live, list) else []:
        if not isinstance(target, dict):
            continue
        kind, ident = target.get("targetType"), str(target.get("id") or "")
        out.append(ident.lower() if kind == "group" and ident != "all_users" else f"{kind}:{ident}")
    return sorted(out)


def declared_shape(live: dict) -> dict:
    """The live configuration in the declaration's shape (fields Graph adds left out)."""
    return {
        "graphKind": GRAPH_KIND,
        **{k: live.get(k) for k in SETTINGS},
        "includeGroupIds": _targets(live.get("includeTargets")),
        "excludeGroupIds": _targets(live.get("excludeTargets")),
    }


def _normalize(key: str, value: Any) -> Any:
    if key in ("includeGroupIds", "excludeGroupIds") and isinstance(value, list):
        return sorted(str(v).lower() for v in value)
    return value


@contextmanager
def _permission() -> Iterator[None]:
    """A refused call (403) says what the deploying identity lacks."""
    try:
        yield
    except GraphError as err:
        if err.status != 403:
            raise
        raise GraphError(
            err.status,
            err.code,
            f"{err.message}; the deploying identity needs Policy.ReadWrite.AuthenticationMethod (application; "
            "Policy.Read.All to read) or the Authentication Policy Administrator role",
            err.request_id,
            err.method,
            err.path,
        ) from None


class TemporaryAccessPassPolicyProvider(GraphProvider):
    """CRUD for ``TemporaryAccessPassPolicy``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        try:
            validate(news)
        except ValueError as err:  # the failure names the property its message starts with
            prop = str(err).split(":", 1)[0].split("[", 1)[0]
            return CheckResult(news, [CheckFailure(prop if prop in KEYS else "graphKind", str(err))])
        return CheckResult(news, [])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, KEYS, (), _normalize)

    def _outs(self, props: dict, previous: Any) -> dict:
        return {
            **{k: props.get(k) for k in KEYS},
            "graphKind": GRAPH_KIND,
            "includeGroupIds": sorted(props.get("includeGroupIds") or []),
            "excludeGroupIds": sorted(props.get("excludeGroupIds") or []),
            "previous": previous,
        }

    def _apply(self, client: GraphClient, props: dict) -> None:
        with _permission():
            client.patch(PATH, body(props))

    def _live(self, client: GraphClient) -> dict:
        with _permission():
            return declared_shape(client.get(PATH))

    def _create(self, props: dict) -> CreateResult:
        client = self.client()
        previous = self._live(client)
        previous.pop("graphKind")
        self._apply(client, props)
        return CreateResult(ID, self._outs(props, previous))

    def _read(self, id_: str, props: dict) -> ReadResult:
        live = self._live(self.client())
        outs = {**live, "previous": props.get("previous")}
        return ReadResult(ID, outs, {k: live[k] for k in KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        self._apply(self.client(), news)
        return UpdateResult(self._outs(news, olds.get("previous")))

    def _delete(self, id_: str, props: dict) -> None:
        """Leaves the applied, group-scoped configuration in place (see the module docstring)."""


class TemporaryAccessPassPolicy(Resource):
    """The tenant's Temporary Access Pass method: only the given groups, one-time passes, short lifetimes.

    Guarantees after ``up``: TAP is usable only by members of ``include_group_ids`` (never all users), every pass
    is one-time, lifetimes are within the declared bounds; drift in any of them shows on refresh and the next
    ``up`` repairs it; removal leaves the hardened configuration applied. Outputs: ``previous`` (the tenant's
    configuration before the first ``up``).
    """

    previous = output("previous")

    def __init__(
        self,
        name: str,
        include_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        *,
        exclude_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = (),
        default_lifetime_minutes: int = 60,
        minimum_lifetime_minutes: int = MIN_LIFETIME,
        maximum_lifetime_minutes: int = 60,
        default_length: int = 16,
        state: str = "enabled",
        opts: pulumi.ResourceOptions | None = None,
        _provider: TemporaryAccessPassPolicyProvider | None = None,
    ):
        include = list(include_group_ids) if isinstance(include_group_ids, (list, tuple)) else include_group_ids
        exclude = list(exclude_group_ids) if isinstance(exclude_group_ids, (list, tuple)) else exclude_group_ids
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "state": state,
            "isUsableOnce": True,
            "minimumLifetimeInMinutes": minimum_lifetime_minutes,
            "defaultLifetimeInMinutes": default_lifetime_minutes,
            "maximumLifetimeInMinutes": maximum_lifetime_minutes,
            "defaultLength": default_length,
            "includeGroupIds": include,
            "excludeGroupIds": exclude,
        }
        # what is known now is checked now (group IDs that are Outputs are checked by the provider's check)
        validate({**props, "includeGroupIds": UNKNOWN, "excludeGroupIds": UNKNOWN})
        for key, ids in (("include_group_ids", include), ("exclude_group_ids", exclude)):
            for i, value in enumerate(ids if isinstance(ids, list) else []):
                require_guid(value, f"{key}[{i}]")
        if state == "enabled" and isinstance(include, list) and not include:
            raise ValueError("include_group_ids: an enabled TAP policy names the groups that may use it")
        super().__init__(_provider or TemporaryAccessPassPolicyProvider(), name, {**props, "previous": None}, opts)
