"""A Conditional Access policy over Microsoft Graph (beta), for what pulumi-azuread cannot declare.

``GraphConditionalAccessPolicy`` (graphKind ``conditionalAccessPolicy``) guarantees a policy in
``/beta/identity/conditionalAccess/policies`` with exactly the declared ``displayName``, ``state``, ``conditions``,
``grantControls`` and ``sessionControls``, in Graph's own camelCase JSON shape (the props are what Graph answers, so
the policy pack reads them as it reads Graph). pulumi-azuread 6.11.1 has neither
``conditions.applications.includeAuthenticationContextClassReferences`` (a policy that gives an authentication
context its meaning) nor ``sessionControls.continuousAccessEvaluation`` (CAE strict enforcement); the beta endpoint
has both (msgraph_beta ``ConditionalAccessApplications``, ``ConditionalAccessSessionControls``,
``ContinuousAccessEvaluationSessionControl``; https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-beta).

Create looks for a policy of the declared display name first (the name is the key the component controls, see
``ConditionalAccessBaseline.display_name``) and adopts it only when it already has the declared state, conditions and
controls (what an interrupted ``up`` leaves, or an identical hand-made policy: adopting it changes nothing about who
must do what). A policy of that name with other content is refused (``conditionalAccessPolicyExists``, naming it and
the fix), never rewritten: it may exclude or include people on purpose, and overwriting it silently could lock out or
let in anyone. More than one policy of that name is an error too. A POST whose answer was lost is never repeated
(``base.create_or_adopt``): it looks again through Graph's replication lag.

``read`` reports the live policy as a whole, with Graph's defaults for what was not declared (empty lists, null
conditions, ``clientAppTypes: [all]``, the expanded authentication strength) taken out, so an exclusion, condition or
control added in the portal shows as drift, and the next ``up`` PATCHes the policy back. Lists are compared as sets
(Graph keeps them unordered). Update PATCHes the whole declaration; delete removes the policy.

The CAE session control (``sessionControls.continuousAccessEvaluation.mode``: ``strictEnforcement``, ``disabled``,
``strictLocation``) is accepted only on a policy that applies to every sign-in of its users: All resources, none
excluded, no user actions or authentication contexts, no other condition. Microsoft documents that the ``disabled``
mode works only with All resources and no condition; this provider asks the same of the strict modes, so a CAE policy
cannot be narrowed to some sign-ins.

Spellings: ``check`` refuses any key under ``conditions``, ``grantControls`` and ``sessionControls`` that is not the
beta model's camelCase spelling (``SCHEMA``; Graph reads names case-insensitively, so ``ExcludeRoles`` would exclude
roles that a reader of ``excludeRoles`` never sees), any top-level key that is not an input, and
(``base.GraphProvider``) any graphKind but ``conditionalAccessPolicy``.

Graph permission: ``Policy.ReadWrite.ConditionalAccess`` with ``Policy.Read.All`` (application), role Conditional
Access Administrator for delegated use.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
from privileged_facts.graph_kinds import CONDITIONAL_ACCESS_POLICY
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, create_or_adopt, diff, only, output
from .client import GraphClient, GraphError

GRAPH_KIND = CONDITIONAL_ACCESS_POLICY  # the spelling the pack recognises (privileged_facts.graph_kinds)
POLICIES = "/beta/identity/conditionalAccess/policies"
STATES = ("enabled", "disabled", "enabledForReportingButNotEnforced")
CAE_MODES = ("strictEnforcement", "disabled", "strictLocation")
CONTENT_KEYS = ("state", "conditions", "grantControls", "sessionControls")
BODY_KEYS = ("displayName", *CONTENT_KEYS)
INPUT_KEYS = ("graphKind", *BODY_KEYS)
_CAE_ALLOWED_CONDITIONS = {"users", "applications", "clientAppTypes"}


def normal(value: Any, key: str = "") -> Any:
    """A policy part as the declaration would spell it: Graph's defaults for undeclared fields (None, empty lists and
    objects, ``clientAppTypes: [all]``), OData annotations and the expanded strength's read-only fields removed;
    lists sorted (Graph keeps them unordered). Equal for a declaration and Graph's answer to it."""
    if isinstance(value, dict):
        if key == "authenticationStrength":
            return {"id": value.get("id")} if value.get("id") is not None else None
        out = {}
        for k, v in value.items():
            if "@odata." in k:
                continue
            n = normal(v, k)
            if n is None or n == [] or n == {}:
                continue
            if k == "clientAppTypes" and n == ["all"]:
                continue
            out[k] = n
        return out
    if isinstance(value, list):
        items = [normal(v, key) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def content(props: dict) -> dict:
    return {k: normal(props.get(k), k) for k in CONTENT_KEYS}


def _sole_all(apps: dict) -> bool:
    included = apps.get("includeApplications")
    return (
        isinstance(included, list)
        and [str(a).lower() for a in included] == ["all"]
        and not apps.get("excludeApplications")
        and not apps.get("includeUserActions")
        and not apps.get("includeAuthenticationContextClassReferences")
        and not apps.get("applicationFilter")
    )


# Every key Graph's beta model spells under conditions, grantControls and sessionControls (msgraph_beta models
# ConditionalAccessConditionSet, ConditionalAccessUsers, ConditionalAccessApplications, ConditionalAccessDevices,
# ConditionalAccessFilter, ConditionalAccessLocations, ConditionalAccessPlatforms, ConditionalAccessClientApplications,
# ConditionalAccessAuthenticationFlows, ConditionalAccessGuestsOrExternalUsers, ConditionalAccessGrantControls,
# AuthenticationStrengthPolicy, ConditionalAccessSessionControls, ContinuousAccessEvaluationSessionControl; kept equal
# to the installed SDK by tests/test_ca_graph_keys.py). A dict is checked key by key; None is a value not looked into.
# Graph reads property names case-insensitively, so ``ExcludeRoles`` would exclude roles while a reader looking for
# ``excludeRoles`` sees nothing: any other spelling is refused here, and the policy pack folds case when it reads.
_FILTER: dict = {"mode": None, "rule": None}
_GUESTS: dict = {"externalTenants": None, "guestOrExternalUserTypes": None}
SCHEMA: dict = {
    "conditions": {
        "agentContext": None,
        "agentIdRiskLevels": None,
        "agents": None,
        "applications": {
            "applicationFilter": _FILTER,
            "excludeApplications": None,
            "globalSecureAccess": None,
            "includeApplications": None,
            "includeAuthenticationContextClassReferences": None,
            "includeUserActions": None,
            "networkAccess": None,
        },
        "authenticationFlows": {"transferMethods": None},
        "clientAppTypes": None,
        "clientApplications": {
            "agentIdServicePrincipalFilter": _FILTER,
            "excludeAgentIdServicePrincipals": None,
            "excludeServicePrincipals": None,
            "includeAgentIdServicePrincipals": None,
            "includeServicePrincipals": None,
            "servicePrincipalFilter": _FILTER,
        },
        "deviceStates": None,
        "devices": {
            "deviceFilter": _FILTER,
            "excludeDeviceStates": None,
            "excludeDevices": None,
            "includeDeviceStates": None,
            "includeDevices": None,
        },
        "insiderRiskLevels": None,
        "locations": {"excludeLocations": None, "includeLocations": None},
        "platforms": {"excludePlatforms": None, "includePlatforms": None},
        "servicePrincipalRiskLevels": None,
        "signInRiskLevels": None,
        "userRiskLevels": None,
        "users": {
            "excludeGroups": None,
            "excludeGuestsOrExternalUsers": _GUESTS,
            "excludeRoles": None,
            "excludeUsers": None,
            "includeGroups": None,
            "includeGuestsOrExternalUsers": _GUESTS,
            "includeRoles": None,
            "includeUsers": None,
        },
    },
    "grantControls": {
        "authenticationStrength": dict.fromkeys(
            (
                "allowedCombinations",
                "combinationConfigurations",
                "createdDateTime",
                "deletedDateTime",
                "description",
                "displayName",
                "id",
                "modifiedDateTime",
                "policyType",
                "requirementsSatisfied",
            )
        ),
        "builtInControls": None,
        "customAuthenticationFactors": None,
        "operator": None,
        "termsOfUse": None,
    },
    "sessionControls": {
        "applicationEnforcedRestrictions": None,
        "cloudAppSecurity": None,
        "continuousAccessEvaluation": {"mode": None},
        "disableResilienceDefaults": None,
        "globalSecureAccessFilteringProfile": None,
        "persistentBrowser": None,
        "secureSignInSession": None,
        "signInFrequency": None,
    },
}


def check_keys(value: Any, schema: dict | None, path: str) -> None:
    """Raise for a key that is not Graph's spelling at ``path`` (OData annotations aside; unknowns pass)."""
    if schema is None or not isinstance(value, dict):
        return
    for key, item in value.items():
        if "@odata." in key:
            continue
        if key not in schema:
            same = [k for k in schema if k.lower() == key.lower()]
            hint = f"Graph spells it {same[0]!r}" if same else f"Graph's keys here are {sorted(schema)}"
            raise ValueError(
                f"{path}.{key}: not a property of the beta conditionalAccessPolicy model ({hint}); Graph would read "
                "another spelling case-insensitively while the policy pack judges the declaration as written"
            )
        if not is_unknown(item):
            check_keys(item, schema[key], f"{path}.{key}")


def validate(props: dict) -> None:
    for part, schema in SCHEMA.items():
        check_keys(props.get(part), schema, part)
    name = props.get("displayName")
    if not is_unknown(name) and not (isinstance(name, str) and name.strip()):
        raise ValueError("displayName: is required (it is the key the policy is found and adopted by)")
    state = props.get("state")
    if not is_unknown(state) and state not in STATES:
        raise ValueError(f"state: {state!r} is not one of {list(STATES)}")
    conditions = props.get("conditions")
    if is_unknown(conditions):
        return
    if not isinstance(conditions, dict) or not isinstance(conditions.get("users"), dict):
        raise ValueError("conditions.users: is required (includeUsers, includeGroups or includeRoles)")
    if not isinstance(conditions.get("applications"), dict):
        raise ValueError(
            "conditions.applications: is required (includeApplications, includeUserActions or "
            "includeAuthenticationContextClassReferences)"
        )
    grant, session = props.get("grantControls"), props.get("sessionControls")
    if grant is None and session is None:
        raise ValueError("grantControls or sessionControls: a policy needs at least one of them")
    operator = grant.get("operator") if isinstance(grant, dict) else None
    if operator is not None and not is_unknown(operator) and operator not in ("AND", "OR"):
        raise ValueError(f"grantControls.operator: {operator!r} is not AND or OR")
    cae = session.get("continuousAccessEvaluation") if isinstance(session, dict) else None
    if cae is None or is_unknown(cae):
        return
    mode = cae.get("mode") if isinstance(cae, dict) else None
    if not is_unknown(mode) and mode not in CAE_MODES:
        raise ValueError(f"sessionControls.continuousAccessEvaluation.mode: {mode!r} is not one of {list(CAE_MODES)}")
    apps = conditions.get("applications")
    if not isinstance(apps, dict) or any(is_unknown(v) for v in apps.values()):
        return
    others = sorted(k for k, v in conditions.items() if k not in _CAE_ALLOWED_CONDITIONS and normal(v, k))
    client_apps = normal(conditions.get("clientAppTypes"), "clientAppTypes")
    if not _sole_all(apps) or others or client_apps not in (None, [], ["all"]):
        raise ValueError(
            "sessionControls.continuousAccessEvaluation: applies only to a policy on every sign-in of its users: "
            "conditions.applications.includeApplications [All] with nothing excluded and no user actions or "
            "authentication contexts, clientAppTypes all, and no other condition"
            + (f" (this one sets {others})" if others else "")
        )


def body(props: dict) -> dict:
    """The POST body: the declared parts (an undeclared control block is left out, not sent as null)."""
    return {k: props[k] for k in BODY_KEYS if props.get(k) is not None}


class GraphConditionalAccessPolicyProvider(GraphProvider):
    """CRUD for ``GraphConditionalAccessPolicy``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        def known_keys() -> None:
            extra = sorted(k for k in news if k not in (*INPUT_KEYS, "policyId") and not k.startswith("__"))
            if extra:
                raise ValueError(f"{extra}: not inputs of GraphConditionalAccessPolicy (its keys: {list(INPUT_KEYS)})")

        return check_result(news, [("conditions", lambda: validate(news)), ("graphKind", known_keys)])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, INPUT_KEYS, ("graphKind",), lambda k, v: normal(v, k))

    @staticmethod
    def _outs(props: dict, live: dict) -> dict:
        return {**{k: props.get(k) for k in INPUT_KEYS}, "graphKind": GRAPH_KIND, "policyId": live.get("id")}

    def _find(self, client: GraphClient, props: dict) -> dict | None:
        found = [p for p in client.get_all(POLICIES) if p.get("displayName") == props["displayName"]]
        return only(found, f"conditional access policy name {props['displayName']!r}")

    @staticmethod
    def _adoptable(found: dict, props: dict) -> dict:
        live, declared = content(found), content(props)
        differ = [k for k in CONTENT_KEYS if live[k] != declared[k]]
        if not differ:
            return found
        raise GraphError(
            409,
            "conditionalAccessPolicyExists",
            f"a conditional access policy named {props['displayName']!r} already exists ({found.get('id')}) with "
            f"other {', '.join(differ)}; it is not adopted (overwriting it could lock out or let in whoever it "
            "names). Rename this one (conditionalAccess.namePrefix), delete or rename that one in the portal, or "
            "adopt it with `pulumi import` after reviewing it",
        )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()

        def find() -> dict | None:
            found = self._find(client, props)
            return self._adoptable(found, props) if found else None

        made, _adopted = create_or_adopt(
            client,
            f"conditional access policy {props['displayName']!r}",
            find,
            lambda: client.post(POLICIES, body(props)),
        )
        try:  # confirm it is readable (Graph replicates with a lag); created either way, so tracked
            client.get(f"{POLICIES}/{made['id']}", retry_not_found=True)
        except GraphError as err:
            if err.status != 404:
                raise
        return CreateResult(made["id"], self._outs(props, made))

    def _read(self, id_: str, props: dict) -> ReadResult:
        try:
            live = self.client().get(f"{POLICIES}/{id_}")
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})
            raise
        state = {"displayName": live.get("displayName"), **content(live)}
        outs = self._outs(state, live)
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        # the whole declaration: a part no longer declared is sent as null, so Graph drops it
        self.client().patch(f"{POLICIES}/{id_}", {k: news.get(k) for k in BODY_KEYS})
        return UpdateResult(self._outs(news, {"id": id_}))

    def _delete(self, id_: str, props: dict) -> None:
        self.client().delete(f"{POLICIES}/{id_}")


class GraphConditionalAccessPolicy(Resource):
    """A conditional access policy in Graph's JSON shape (``conditions``, ``grant_controls``, ``session_controls``
    as Graph spells them). Output: ``policy_id``."""

    policy_id = output("policyId")

    def __init__(
        self,
        name: str,
        display_name: str,
        state: pulumi.Input[str],
        conditions: pulumi.Input[dict],
        grant_controls: pulumi.Input[dict] | None = None,
        session_controls: pulumi.Input[dict] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        _provider: GraphConditionalAccessPolicyProvider | None = None,
    ):
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "displayName": display_name,
            "state": state,
            "conditions": conditions,
            "grantControls": grant_controls,
            "sessionControls": session_controls,
        }
        try:
            validate(props)
        except ValueError as err:
            raise ValueError(f"GraphConditionalAccessPolicy {name!r}: {err}") from None
        except (AttributeError, TypeError):
            pass  # Outputs inside the declaration: checked by the provider's check at preview/up
        super().__init__(_provider or GraphConditionalAccessPolicyProvider(), name, {**props, "policyId": None}, opts)
