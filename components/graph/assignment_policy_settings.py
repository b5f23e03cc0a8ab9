"""What pulumi-azuread 6.11.1's AccessPackageAssignmentPolicy cannot declare, over Microsoft Graph: the policy's
custom extension stages (v1.0 ``customExtensionStageSettings``), an assignment lifetime in hours (v1.0
``expiration``: the provider writes whole days only, beta ``durationInDays``) and its Verified ID requirement (beta
``verifiableCredentialSettings``).

``AssignmentPolicySettings`` (graphKind ``accessPackagePolicySettings``) adds settings to a policy the azuread
provider manages. Both Graph APIs update a policy only by replacing it (``PUT``:
https://learn.microsoft.com/graph/api/accesspackageassignmentpolicy-update, and the beta
``accessPackageAssignmentPolicies/{id}`` PUT), so two owners of one object must never overwrite each other:

- **GET-merge-PUT.** Every write reads the whole live policy first and PUTs it back with only this resource's
  part changed: the stages it declares (``stages``) replace live entries of the *same stage names*, every other
  stage entry, the questions, approval, requestor and review settings stay as Graph answered them. A declared
  ``expiration`` (``{"type": "afterDuration", "duration": "PT2H"}``) replaces the live one in the same PUT;
  components/access_packages.py then gives the azuread policy one day (the shortest it can write, so a PUT of
  its own that drops the hours leaves a day, never "no expiration") and ``ignore_changes`` on it, so Graph's
  read of the hours policy is not drift the provider fights on every ``up --refresh``. The Verified
  ID requirement is written through the beta API in the same way (a separate GET-merge-PUT of the beta object),
  and only when one is declared or was declared before; when a policy has both, the stages are read back after
  the beta PUT and a loss is an error (``settingsNotKept``), never silent; so is a lost ``expiration``.
- **Re-applied whenever the azuread policy changes.** ``policyFingerprint`` is a SHA-256 of the azuread policy's
  declared arguments (components/access_packages.py computes it from the same values it gives the provider), and
  the resource depends on the policy. A change of the azuread policy, whose own PUT knows nothing of these
  settings and may drop them, changes the fingerprint, so Pulumi updates this resource right after the policy
  and the settings are merged back in the same ``up``.
- **Drift on refresh.** ``read`` reports the live stage entries of the declared stage names, the live
  ``expiration`` (when one is declared) and the live Verified ID requirement, so a portal edit or a PUT by another
  tool that lost them shows as drift and the next ``up`` restores them.
- **Delete** takes out only this resource's stages and Verified ID requirement (GET-merge-PUT again) and leaves
  a policy that is already gone alone. It leaves the expiration as it is: the shorter lifetime stays until the
  azuread policy's next write (which the removal of ``durationInHours`` from the stack makes) replaces it.

Face Check: Graph's ``verifiableCredentialSettings`` has no Face Check member (``credentialTypes`` of
``{credentialType, issuers}`` only, msgraph-beta 1.66 ``VerifiableCredentialType``); ``faceCheckRequired`` is
recorded here so policies and the privilege map can see the requirement, and docs/journey-automation.md gives
the portal step that turns Face Check on for the policy.

Graph permission: ``EntitlementManagement.ReadWrite.All`` (delegated: Catalog owner or Identity Governance
Administrator).
"""

from __future__ import annotations

from typing import Any

import pulumi
from privileged_facts.values import format_duration, is_unknown, parse_duration
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, diff, output, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = "accessPackagePolicySettings"
V1_POLICIES = "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies"
BETA_POLICIES = "/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies"
V1_EXPAND = "accessPackage,questions,customExtensionStageSettings($expand=customExtension)"
STAGE_EXPAND = "customExtensionStageSettings($expand=customExtension)"
STAGES = frozenset(
    {"assignmentRequestCreated", "assignmentRequestApproved", "assignmentRequestGranted", "assignmentRequestRemoved"}
)  # msgraph AccessPackageCustomExtensionStage (request stages; the expiry stages need another extension type)
REQUEST_EXTENSION = "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
READ_ONLY = frozenset({"@odata.context", "createdDateTime", "modifiedDateTime", "createdBy", "modifiedBy", "catalog"})
UPDATE_KEYS = (
    "stages",
    "expiration",
    "verifiableCredentials",
    "faceCheckRequired",
    "onPremisesReach",
    "policyFingerprint",
)
INPUT_KEYS = ("graphKind", "policyId", "accessPackageId", *UPDATE_KEYS)


def validate(props: dict) -> None:
    require_guid(props.get("policyId"), "policyId")
    require_guid(props.get("accessPackageId"), "accessPackageId")
    stages = props.get("stages")
    if is_unknown(stages) or stages is None:
        stages = []
    seen: set[str] = set()
    for index, item in enumerate(stages):
        stage = item.get("stage") if isinstance(item, dict) else None
        if is_unknown(stage):
            continue
        if stage not in STAGES:
            raise ValueError(f"stages[{index}].stage: {stage!r} is not one of {sorted(STAGES)}")
        if stage in seen:
            raise ValueError(f"stages[{index}].stage: {stage!r} is declared twice (a policy has one entry per stage)")
        seen.add(stage)
        require_guid(item.get("customExtensionId"), f"stages[{index}].customExtensionId")
    expiration = props.get("expiration")
    if expiration is not None and not is_unknown(expiration):
        kind = expiration.get("type") if isinstance(expiration, dict) else None
        if kind != "afterDuration":
            raise ValueError('expiration.type: only "afterDuration" (assignments always expire after a duration)')
        duration = expiration.get("duration")
        if not is_unknown(duration):
            parse_duration(duration, "expiration.duration", positive=True)
        if props.get("verifiableCredentials"):
            raise ValueError(
                "expiration: the beta API that writes the Verified ID requirement carries whole days only "
                "(durationInDays), so its PUT would undo the hours; declare one or the other on a policy"
            )
    vc = props.get("verifiableCredentials")
    if vc is not None and not is_unknown(vc):
        types = vc.get("credentialTypes") if isinstance(vc, dict) else None
        if not isinstance(types, list) or not types:
            raise ValueError("verifiableCredentials.credentialTypes: name at least one credential type")
        for index, t in enumerate(types):
            if not (
                isinstance(t, dict) and t.get("credentialType") and isinstance(t.get("issuers"), list) and t["issuers"]
            ):
                raise ValueError(
                    f"verifiableCredentials.credentialTypes[{index}]: needs credentialType and at least one issuer DID"
                )
    if props.get("faceCheckRequired") and not vc:
        raise ValueError(
            "faceCheckRequired: Face Check is part of a Verified ID requirement; declare verifiableCredentials"
        )


def _stage_key(items: Any) -> list:
    return sorted(
        ((i.get("stage"), str(i.get("customExtensionId") or "").lower()) for i in items or [] if isinstance(i, dict)),
        key=lambda x: str(x[0]),
    )


def _vc_key(vc: Any) -> Any:
    if not isinstance(vc, dict):
        return None
    return (
        sorted(
            (t.get("credentialType"), tuple(sorted(t.get("issuers") or [])))
            for t in vc.get("credentialTypes") or []
            if isinstance(t, dict)
        )
        or None
    )


def _normalize(key: str, value: Any) -> Any:
    if key == "stages":
        return _stage_key(value)
    if key == "verifiableCredentials":
        return _vc_key(value)
    if key == "faceCheckRequired":
        return bool(value)
    if key == "expiration":
        return _expiration_key(value)
    return value


def _expiration_key(value: Any) -> Any:
    """An expiration as Graph compares it: its type and its duration in canonical form ('PT120M' is 'PT2H')."""
    if not isinstance(value, dict):
        return None
    duration: Any = value.get("duration")
    try:
        duration = format_duration(parse_duration(duration, "expiration.duration"))
    except ValueError:
        pass  # compared as Graph answered it
    return (value.get("type"), duration)


def _reference(extension: dict) -> dict:
    """A stage entry's extension as the PUT names it: its derived type and ID (the documented update example)."""
    return {"@odata.type": extension.get("@odata.type") or REQUEST_EXTENSION, "id": extension.get("id")}


def merged_v1(
    live: dict, declared: list[dict], managed: set[str], access_package_id: str, expiration: dict | None = None
) -> dict:
    """The PUT body: the live policy as Graph answered it, minus read-only members, with the entries of the
    ``managed`` stage names replaced by the ``declared`` ones (every other stage entry kept) and, when one is
    declared, the ``expiration`` replaced by it."""
    body = {
        k: v
        for k, v in live.items()
        if k not in READ_ONLY and k not in ("accessPackage", "customExtensionStageSettings")
    }
    package = live.get("accessPackage")
    body["accessPackage"] = {"id": (package.get("id") if isinstance(package, dict) else None) or access_package_id}
    kept = [
        {"stage": s.get("stage"), "customExtension": _reference(s.get("customExtension") or {})}
        for s in live.get("customExtensionStageSettings") or []
        if s.get("stage") not in managed
    ]
    ours = [
        {"stage": s["stage"], "customExtension": {"@odata.type": REQUEST_EXTENSION, "id": s["customExtensionId"]}}
        for s in declared
    ]
    body["customExtensionStageSettings"] = kept + ours
    if expiration:
        body["expiration"] = {"type": expiration["type"], "duration": expiration["duration"]}
    return body


def merged_beta(live: dict, vc: dict | None) -> dict:
    body = {k: v for k, v in live.items() if k not in READ_ONLY and k not in ("accessPackage", "accessPackageCatalog")}
    body["verifiableCredentialSettings"] = (
        {
            "credentialTypes": [
                {"credentialType": t["credentialType"], "issuers": list(t["issuers"])} for t in vc["credentialTypes"]
            ]
        }
        if vc
        else {"credentialTypes": []}
    )
    return body


class AssignmentPolicySettingsProvider(GraphProvider):
    """GET-merge-PUT of a policy's custom extension stages and Verified ID requirement; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        return check_result(news, [("stages", lambda: validate(news))])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, INPUT_KEYS, ("graphKind", "policyId", "accessPackageId"), normalize=_normalize)

    @staticmethod
    def _outs(props: dict) -> dict:
        return {**{k: props.get(k) for k in INPUT_KEYS}, "graphKind": GRAPH_KIND}

    def _apply(self, client: GraphClient, news: dict, olds: dict | None) -> None:
        policy = news["policyId"]
        declared = list(news.get("stages") or [])
        managed = {s["stage"] for s in declared} | {s.get("stage") for s in (olds or {}).get("stages") or []}
        expiration = news.get("expiration")
        if declared or managed or expiration:
            live = client.get(f"{V1_POLICIES}/{policy}", {"$expand": V1_EXPAND}, retry_not_found=True)
            body = merged_v1(live, declared, managed, news["accessPackageId"], expiration)
            client.put(f"{V1_POLICIES}/{policy}", body)
        vc = news.get("verifiableCredentials")
        if vc or (olds or {}).get("verifiableCredentials"):
            live = client.get(f"{BETA_POLICIES}/{policy}", retry_not_found=True)
            client.put(f"{BETA_POLICIES}/{policy}", merged_beta(live, vc))
            if declared or expiration:
                self._confirm(client, news)

    def _confirm(self, client: GraphClient, news: dict) -> None:
        """Both writes replace the policy through different API versions: check that the second (beta, Verified ID)
        kept the first's stages, through replication lag, and fail loudly if Graph dropped them (never silently)."""
        want = _stage_key(news.get("stages"))
        expiration = news.get("expiration")
        policy, policy_retry = news["policyId"], client.retry
        for attempt in range(policy_retry.not_found_attempts):
            live = client.get(f"{V1_POLICIES}/{policy}", {"$expand": STAGE_EXPAND})
            have = [
                {"stage": s.get("stage"), "customExtensionId": (s.get("customExtension") or {}).get("id")}
                for s in live.get("customExtensionStageSettings") or []
            ]
            kept = not expiration or _expiration_key(live.get("expiration")) == _expiration_key(expiration)
            if kept and all(item in _stage_key(have) for item in want):
                return
            client.pause(policy_retry.not_found_delay * (attempt + 1))
        raise GraphError(
            409,
            "settingsNotKept",
            f"policy {policy}: writing its Verified ID requirement (beta) dropped its custom extension stages or its "
            "expiration (v1.0); declare them and the Verified ID on separate policies, or report it: the next `up` "
            "writes them again",
        )

    def _create(self, props: dict) -> CreateResult:
        self._apply(self.client(), props, None)  # idempotent: a repeat merges the same entries again
        return CreateResult(props["policyId"], self._outs(props))

    def _read(self, id_: str, props: dict) -> ReadResult:
        client = self.client()
        try:
            live = client.get(
                f"{V1_POLICIES}/{id_}", {"$expand": "customExtensionStageSettings($expand=customExtension)"}
            )
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})
            raise
        names = {s.get("stage") for s in props.get("stages") or []}
        stages = [
            {"stage": s.get("stage"), "customExtensionId": (s.get("customExtension") or {}).get("id")}
            for s in live.get("customExtensionStageSettings") or []
            if s.get("stage") in names
        ]
        state = {**props, "policyId": id_, "stages": sorted(stages, key=lambda s: str(s["stage"]))}
        if props.get("expiration"):
            have = live.get("expiration")
            state["expiration"] = (
                {"type": have.get("type"), "duration": have.get("duration")} if isinstance(have, dict) else None
            )
        if props.get("verifiableCredentials"):
            beta = client.get(f"{BETA_POLICIES}/{id_}")
            types = (beta.get("verifiableCredentialSettings") or {}).get("credentialTypes") or []
            state["verifiableCredentials"] = (
                {
                    "credentialTypes": [
                        {"credentialType": t.get("credentialType"), "issuers": t.get("issuers") or []} for t in types
                    ]
                }
                if types
                else None
            )
        outs = self._outs(state)
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        self._apply(self.client(), news, olds)
        return UpdateResult(self._outs(news))

    def _delete(self, id_: str, props: dict) -> None:
        try:
            cleared = {**props, "stages": [], "expiration": None, "verifiableCredentials": None}
            self._apply(self.client(), cleared, props)
        except GraphError as err:
            if err.status != 404:  # the policy is gone, and with it these settings
                raise


class AssignmentPolicySettings(Resource):
    """Custom extension stages, a lifetime in hours and the Verified ID requirement of one access-package assignment
    policy that the azuread provider manages. ``stages`` is a list of ``{"stage": ..., "customExtensionId": ...}``;
    ``expiration`` ``{"type": "afterDuration", "duration": "PT2H"}`` (give the azuread policy ``ignore_changes`` on
    ``durationInDays``: see the module docstring);
    ``verifiable_credentials`` ``{"credentialTypes": [{"credentialType": ..., "issuers": [did, ...]}]}``;
    ``policy_fingerprint`` changes whenever the azuread policy's declaration does (re-applies the settings);
    ``on_premises_reach`` ``{"adGroups": [...], "sudoGroups": [...], "writebackGroups": [...]}`` records (it writes
    nothing to Graph) what the journey reaches on-premises, for the privilege map: the AD groups its automation adds
    on grant and removes on removal, and the AD groups its written-back cloud groups are nested in.
    Pass ``depends_on=[policy]`` in ``opts``."""

    policy_id = output("policyId")

    def __init__(
        self,
        name: str,
        policy_id: pulumi.Input[str],
        access_package_id: pulumi.Input[str],
        policy_fingerprint: pulumi.Input[str],
        stages: list[dict] | None = None,
        expiration: dict | None = None,
        verifiable_credentials: dict | None = None,
        face_check_required: bool = False,
        on_premises_reach: dict | None = None,
        opts: pulumi.ResourceOptions | None = None,
        _provider: AssignmentPolicySettingsProvider | None = None,
    ):
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "policyId": policy_id,
            "accessPackageId": access_package_id,
            "stages": list(stages or []),
            "expiration": expiration,
            "verifiableCredentials": verifiable_credentials,
            "faceCheckRequired": face_check_required,
            "onPremisesReach": on_premises_reach or {"adGroups": [], "sudoGroups": [], "writebackGroups": []},
            "policyFingerprint": policy_fingerprint,
        }
        try:
            validate(props)
        except ValueError as err:
            raise ValueError(f"AssignmentPolicySettings {name!r}: {err}") from None
        super().__init__(_provider or AssignmentPolicySettingsProvider(), name, props, opts)
