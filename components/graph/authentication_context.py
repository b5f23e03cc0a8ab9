"""A Conditional Access authentication context (``c1``..``c99``), over Microsoft Graph.

``AuthenticationContext`` (graphKind ``authenticationContext``) guarantees an
``authenticationContextClassReference`` in ``/v1.0/identity/conditionalAccess/authenticationContextClassReferences``
whose ID is the declared claim value (``claimValue``, the ``acrs`` claim PIM and apps request) with the declared
``displayName``, ``description`` and ``isAvailable``. A context means nothing by itself: the CA policies that
target it (``conditions.applications.includeAuthenticationContextClassReferences``, see
``conditional_access_policy.py``) give it its meaning.

Create. Graph documents one write for contexts, ``PATCH .../authenticationContextClassReferences/{id}``: it "creates an
authenticationContextClassReference object, if the ID has not been used; if the ID has been used, this call updates
the object" (https://learn.microsoft.com/graph/api/authenticationcontextclassreference-update?view=graph-rest-1.0;
the resource page lists it as "Create or update"). Because that PATCH would silently take over a context someone
already uses, the create looks first (``GET .../{id}``) and adopts an existing context only when it already has the
declared ``displayName`` and ``description`` (what an interrupted ``up`` of this declaration leaves); its
``isAvailable`` is then set to the declaration. A context with another name or description already means something
else in this tenant (CA policies, SharePoint sensitivity labels or Defender for Cloud Apps may request it): taking it
over would change what those require, so the create is refused (``authenticationContextExists``, naming the context,
the fix: another claim value, or ``pulumi import``). The upsert is idempotent (the ID is the key, so it can never
make a second object): the client repeats a PATCH whose answer was lost, and ``base.create_or_adopt`` still looks
first and confirms.

``read`` reports the live values (portal edits are drift; a deleted context reads as gone and the next ``up`` makes
it again). Update PATCHes what changed; another claim value replaces the resource. Delete removes the context
(Pulumi deletes the policies that target it first: they depend on it).

Graph permission: ``AuthenticationContext.ReadWrite.All`` (least privileged; ``Policy.ReadWrite.ConditionalAccess``
also allows it), role Conditional Access Administrator or Security Administrator for delegated use.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
from privileged_facts.graph_kinds import AUTHENTICATION_CONTEXT
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, create_or_adopt, diff, output
from .client import GraphError

GRAPH_KIND = AUTHENTICATION_CONTEXT  # the spelling the pack recognises (privileged_facts.graph_kinds)
CONTEXTS = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences"
CLAIM_VALUE = re.compile(r"^c([1-9]|[1-9][0-9])$")
BODY_KEYS = ("displayName", "description", "isAvailable")
INPUT_KEYS = ("graphKind", "claimValue", *BODY_KEYS)


def validate(props: dict) -> None:
    claim = props.get("claimValue")
    if not is_unknown(claim) and not (isinstance(claim, str) and CLAIM_VALUE.match(claim)):
        raise ValueError(f"claimValue: {claim!r} is not an authentication context ID; use c1 to c99")
    name = props.get("displayName")
    if not is_unknown(name) and not (isinstance(name, str) and name.strip()):
        raise ValueError("displayName: is required (the name admins pick the context by)")
    available = props.get("isAvailable")
    if not is_unknown(available) and not isinstance(available, bool):
        raise ValueError(f"isAvailable: {available!r} is not true or false")


class AuthenticationContextProvider(GraphProvider):
    """CRUD for ``AuthenticationContext``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        return check_result(news, [("claimValue", lambda: validate(news))])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, INPUT_KEYS, ("graphKind", "claimValue"))

    @staticmethod
    def _outs(props: dict, live: dict | None = None) -> dict:
        live = live or {}
        return {
            **{k: props.get(k) for k in INPUT_KEYS},
            **{k: live[k] for k in BODY_KEYS if k in live},
            "graphKind": GRAPH_KIND,
        }

    def _get(self, claim: str) -> dict | None:
        try:
            return self.client().get(f"{CONTEXTS}/{claim}")
        except GraphError as err:
            if err.status == 404:
                return None
            raise

    def _adoptable(self, found: dict, props: dict) -> dict:
        differ = [k for k in ("displayName", "description") if (found.get(k) or "") != (props.get(k) or "")]
        if not differ:
            return found
        raise GraphError(
            409,
            "authenticationContextExists",
            f"authentication context {props['claimValue']!r} already exists in this tenant with another "
            f"{' and '.join(differ)}: it already means something else (CA policies or apps may request it). "
            "Declare another claim value (c2 to c99) in conditionalAccess.authenticationContexts, or, if it is "
            "this one, give it the declared name and description or adopt it with `pulumi import`",
        )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()
        claim = props["claimValue"]
        body = {k: props[k] for k in BODY_KEYS if props.get(k) is not None}

        def find() -> dict | None:
            found = self._get(claim)
            return self._adoptable(found, props) if found else None

        def upsert() -> dict:
            client.patch(f"{CONTEXTS}/{claim}", body)
            return {"id": claim}

        made, adopted = create_or_adopt(client, f"authentication context {claim}", find, upsert)
        if adopted and made.get("isAvailable") != props.get("isAvailable"):
            client.patch(f"{CONTEXTS}/{claim}", {"isAvailable": props.get("isAvailable")})
        try:  # confirm it is readable (replication lag); created either way, so tracked
            live = client.get(f"{CONTEXTS}/{claim}", retry_not_found=True)
        except GraphError as err:
            if err.status != 404:
                raise
            live = {}
        return CreateResult(claim, self._outs(props, {**live, "isAvailable": props.get("isAvailable")}))

    def _read(self, id_: str, props: dict) -> ReadResult:
        live = self._get(id_)
        if live is None:
            return ReadResult("", {})
        outs = self._outs({**props, "claimValue": id_}, {k: live.get(k) for k in BODY_KEYS})
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        changed = {k: news.get(k) for k in BODY_KEYS if olds.get(k) != news.get(k)}
        if changed:
            self.client().patch(f"{CONTEXTS}/{id_}", changed)
        return UpdateResult(self._outs(news))

    def _delete(self, id_: str, props: dict) -> None:
        self.client().delete(f"{CONTEXTS}/{id_}")


class AuthenticationContext(Resource):
    """An authentication context ``claim_value`` (c1..c99) with its name and description; ``is_available``
    publishes it to apps (PIM, SharePoint) that request it. Output: ``claim_value``."""

    claim_value = output("claimValue")

    def __init__(
        self,
        name: str,
        claim_value: str,
        display_name: pulumi.Input[str],
        description: pulumi.Input[str] = "",
        is_available: bool = True,
        opts: pulumi.ResourceOptions | None = None,
        _provider: AuthenticationContextProvider | None = None,
    ):
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "claimValue": claim_value,
            "displayName": display_name,
            "description": description,
            "isAvailable": is_available,
        }
        try:
            validate(props)
        except ValueError as err:
            raise ValueError(f"AuthenticationContext {name!r}: {err}") from None
        super().__init__(_provider or AuthenticationContextProvider(), name, props, opts)
