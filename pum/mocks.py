"""Answers for the mock runtime: resources behave as in `pulumi preview`, invokes as a real tenant.

Preview semantics: a resource being created has no ID yet and only echoes its known inputs, so
object IDs, ARM IDs and every computed output are unknown, exactly as the engine shows them.
Invokes (data sources) run during a real preview too, so they get realistic, deterministic
answers: GUIDs derived from the call, a fixed offline tenant and subscription.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from .wire import SIG_KEY

OFFLINE_TENANT_ID = "00000000-0000-4000-8000-0000000000a1"
OFFLINE_SUBSCRIPTION_ID = "00000000-0000-4000-8000-0000000000b2"
OFFLINE_CLIENT_ID = "00000000-0000-4000-8000-0000000000c3"
OFFLINE_OBJECT_ID = "00000000-0000-4000-8000-0000000000d4"
_NAMESPACE = uuid.UUID("6f1c2a2e-3b7c-4d4e-9a55-7e0f4f2b9a10")


def stable_guid(*parts: Any) -> str:
    """A deterministic GUID for the same call, so previews are reproducible."""
    return str(uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts)))


_DROP = object()
_SECRET_KEYS = {SIG_KEY, "value"}


def _known_or_drop(value: Any) -> Any:
    if isinstance(value, Unknown):
        return _DROP
    if isinstance(value, dict):
        kept = {k: _known_or_drop(v) for k, v in value.items()}
        if set(value) == _SECRET_KEYS and kept["value"] is _DROP:  # a secret whose value is unknown
            return _DROP
        return {k: v for k, v in kept.items() if v is not _DROP}
    if isinstance(value, list):
        return [v for v in (_known_or_drop(v) for v in value) if v is not _DROP]
    return value


def _known(inputs: dict) -> dict:
    """Drop values that are unknown at preview: they must stay unknown in the outputs too."""
    return _known_or_drop(inputs)


def _as_provider_answers(token: str, outputs: dict) -> dict:
    """Where a provider answers in another shape than it is given: azure-native takes a managed identity's
    `userAssignedIdentities` as a list of ARM IDs and answers a map from ID to the identity's details (the SDK's
    output type), so echoing the list would fail the SDK's own output translation."""
    identity = outputs.get("identity")
    if token.startswith("azure-native:") and isinstance(identity, dict):
        assigned = identity.get("userAssignedIdentities")
        if isinstance(assigned, list):
            outputs = {**outputs, "identity": {**identity, "userAssignedIdentities": {i: {} for i in assigned}}}
    return outputs


def _client_config(_args: dict) -> dict:
    return {
        "tenantId": OFFLINE_TENANT_ID,
        "clientId": OFFLINE_CLIENT_ID,
        "objectId": OFFLINE_OBJECT_ID,
        "subscriptionId": OFFLINE_SUBSCRIPTION_ID,
    }


def _lookup_object(kind: str) -> Callable[[dict], dict]:
    def answer(args: dict) -> dict:
        key = args.get("displayName") or args.get("userPrincipalName") or args.get("objectId") or args
        object_id = args.get("objectId") or stable_guid(kind, key)
        result = {"id": object_id, "objectId": object_id}
        result.update({k: v for k, v in args.items() if isinstance(v, (str, bool, int))})
        return result

    return answer


def _registration_token(args: dict) -> dict:
    token = "offline-registration-token-" + stable_guid("avd", args.get("hostPoolName"))
    return {"token": token, "expirationTime": "2099-01-01T00:00:00Z"}


def _list_registration_tokens(args: dict) -> dict:
    return {"value": [_registration_token(args)]}


INVOKES: dict[str, Callable[[dict], dict]] = {
    "azuread:index/getClientConfig:getClientConfig": _client_config,
    "azure-native:authorization:getClientConfig": _client_config,
    "azuread:index/getGroup:getGroup": _lookup_object("group"),
    "azuread:index/getUser:getUser": _lookup_object("user"),
    "azuread:index/getServicePrincipal:getServicePrincipal": _lookup_object("servicePrincipal"),
    "azuread:index/getAdministrativeUnit:getAdministrativeUnit": _lookup_object("administrativeUnit"),
    "azure-native:desktopvirtualization:getHostPoolRegistrationToken": _registration_token,
    "azure-native:desktopvirtualization:listHostPoolRegistrationTokens": _list_registration_tokens,
}


class PreviewMocks(Mocks):
    """Mocks with `pulumi preview` semantics for resources and realistic answers for invokes."""

    def __init__(self) -> None:
        self.unanswered_invokes: list[str] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        outputs = _as_provider_answers(args.typ, _known(args.inputs))
        if args.resource_id:  # a read or an import: the object exists, its ID is known
            return args.resource_id, outputs
        return "", outputs

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        answer = INVOKES.get(args.token)
        if answer is None:
            self.unanswered_invokes.append(args.token)
            return {}, []
        return answer(dict(args.args)), []  # no check failures (the SDK iterates them: never None)
