"""PIM settings of one Entra directory role (its role management policy), over Microsoft Graph.

``EntraRoleSettings`` (graphKind ``entraRoleSettings``) guarantees that each declared rule of the
role's policy equals its declaration after ``pulumi up``: it finds the policy through
``GET /v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq
'DirectoryRole' and roleDefinitionId eq '{id}'`` and PATCHes
``/v1.0/policies/roleManagementPolicies/{policyId}/rules/{ruleId}`` per declared rule. Rules it does
not declare are left as they are. ``read`` (refresh/import) reports the live values of the declared
rules, so a setting changed in the portal shows as a diff and the next ``up`` puts it back. Lists
Graph keeps unordered (approvers, stages, recipients) are compared regardless of order, in ``diff``
and in ``read`` alike, so an answer listed in another order is never drift.

Delete: Graph policies cannot be deleted and "resetting to defaults" would weaken the role (8 h
activation, no approval, permanent eligibility allowed). Removing the resource therefore leaves the
last applied, hardened rules in place and only stops managing them (the safest choice); restoring
anything else is an explicit, reviewed change.

``build_role_rules`` turns a few portal-like settings into the Graph rule bodies and validates them.

Graph permission: ``RoleManagementPolicy.ReadWrite.Directory`` (application), role Privileged Role
Administrator for delegated use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

import pulumi
from privileged_facts import defaults as secure
from privileged_facts.graph_kinds import ENTRA_ROLE_SETTINGS
from privileged_facts.pim_rules import PIM_RULE_IDS
from privileged_facts.values import is_unknown, parse_duration
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, diff, output, project, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = ENTRA_ROLE_SETTINGS  # the spelling the pack recognises (privileged_facts.graph_kinds)
ENABLED_RULES = ("MultiFactorAuthentication", "Justification", "Ticketing")
MIN_ACTIVATION, MAX_ACTIVATION = timedelta(minutes=30), timedelta(hours=24)
_POLICIES = "/v1.0/policies/roleManagementPolicies"


def rule_shape(rule_id: str) -> tuple[str, str, str]:
    """(@odata.type, caller, level) that Graph expects for a rule id."""
    parts = rule_id.split("_")
    return f"#microsoft.graph.unifiedRoleManagementPolicy{parts[0]}Rule", parts[-2], parts[-1]


def _rule(rule_id: str, **fields: Any) -> dict:
    odata, caller, level = rule_shape(rule_id)
    return {
        "@odata.type": odata,
        "id": rule_id,
        **fields,
        "target": {
            "caller": caller,
            "operations": ["all"],  # the enum member as Graph spells it (and answers GET)
            "level": level,
            "inheritableSettings": [],
            "enforcedSettings": [],
        },
    }


def _expiration(rule_id: str, max_duration: str | None, field: str) -> dict:
    if max_duration is None:  # permanent allowed: expressible so the policy pack can reject it
        return _rule(rule_id, isExpirationRequired=False, maximumDuration="P365D")
    parse_duration(max_duration, field, positive=True)
    return _rule(rule_id, isExpirationRequired=True, maximumDuration=max_duration)


def _notification(rule_id: str, recipients: Sequence[str]) -> dict:
    return _rule(
        rule_id,
        notificationType="Email",
        recipientType="Admin",
        notificationLevel="All",
        isDefaultRecipientsEnabled=True,
        notificationRecipients=list(recipients),
    )


def build_role_rules(
    activation_max_duration: str = secure.CRITICAL_MAX_ACTIVATION,
    require_mfa: bool = True,
    authentication_context: str | None = None,
    require_justification: bool = True,
    require_ticket: bool = False,
    require_approval: bool = False,
    approver_group_ids: Iterable[Any] = (),
    approver_user_ids: Iterable[Any] = (),
    eligible_max_duration: str | None = secure.MAX_ELIGIBILITY,
    active_max_duration: str | None = secure.MAX_ACTIVE_ASSIGNMENT,
    alert_recipients: Iterable[str] = (),
) -> list[dict]:
    """Graph rule bodies for a directory role's PIM policy, in the portal's terms.

    Raises ValueError naming the argument, the bad value and the fix. ``eligible_max_duration`` /
    ``active_max_duration`` of None allow permanent assignments (the policy pack rejects that).
    """
    activation = parse_duration(activation_max_duration, "activation_max_duration", positive=True)
    if not MIN_ACTIVATION <= activation <= MAX_ACTIVATION:
        raise ValueError(
            f"activation_max_duration: {activation_max_duration!r} is outside what PIM "
            "allows; use between 'PT30M' and 'PT24H'"
        )
    if require_mfa and authentication_context:
        raise ValueError(
            f"authentication_context: {authentication_context!r} cannot be combined with "
            "require_mfa=True (exclusive, as in the PIM portal); set require_mfa=False, the "
            "authentication context's Conditional Access policy then enforces MFA"
        )
    if authentication_context is not None and not _is_claim(authentication_context):
        raise ValueError(
            f"authentication_context: {authentication_context!r} is not an authentication context ID; use 'c1' to 'c99'"
        )
    groups, users = list(approver_group_ids), list(approver_user_ids)
    for i, value in enumerate(groups):
        require_guid(value, f"approver_group_ids[{i}]")
    for i, value in enumerate(users):
        require_guid(value, f"approver_user_ids[{i}]")
    if require_approval and not (groups or users):
        raise ValueError(
            "require_approval: approval needs at least one approver; give approver_group_ids or approver_user_ids"
        )
    recipients = list(alert_recipients)
    for i, value in enumerate(recipients):
        if isinstance(value, str) and "@" not in value:
            raise ValueError(f"alert_recipients[{i}]: {value!r} is not an email address")

    enabled = [name for name, on in zip(ENABLED_RULES, (require_mfa, require_justification, require_ticket)) if on]
    approvers = [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": g} for g in groups] + [
        {"@odata.type": "#microsoft.graph.singleUser", "userId": u} for u in users
    ]
    stages = (
        [
            {
                "approvalStageTimeOutInDays": 1,
                "isApproverJustificationRequired": True,
                "escalationTimeInMinutes": 0,
                "isEscalationEnabled": False,
                "primaryApprovers": approvers,
                "escalationApprovers": [],
            }
        ]
        if require_approval
        else []
    )
    auth_context = (
        {"isEnabled": True, "claimValue": authentication_context} if authentication_context else {"isEnabled": False}
    )
    return [
        _rule("Expiration_EndUser_Assignment", isExpirationRequired=True, maximumDuration=activation_max_duration),
        _rule("Enablement_EndUser_Assignment", enabledRules=enabled),
        _rule("AuthenticationContext_EndUser_Assignment", **auth_context),
        _rule(
            "Approval_EndUser_Assignment",
            setting={
                "isApprovalRequired": require_approval,
                "isApprovalRequiredForExtension": False,
                "isRequestorJustificationRequired": True,
                "approvalMode": "SingleStage" if require_approval else "NoApproval",
                "approvalStages": stages,
            },
        ),
        _expiration("Expiration_Admin_Eligibility", eligible_max_duration, "eligible_max_duration"),
        _expiration("Expiration_Admin_Assignment", active_max_duration, "active_max_duration"),
        _notification("Notification_Admin_Admin_Eligibility", recipients),
        _notification("Notification_Admin_Admin_Assignment", recipients),
        _notification("Notification_Admin_EndUser_Assignment", recipients),
    ]


def _is_claim(value: Any) -> bool:
    return isinstance(value, str) and value[:1] == "c" and value[1:].isdigit() and 1 <= int(value[1:]) <= 99


def validate_rules(rules: Any) -> None:
    """Check declared rule bodies against the Graph shapes (unknown values at preview pass)."""
    if is_unknown(rules):
        return
    if not isinstance(rules, list) or not rules:
        raise ValueError("rules: must be a non-empty list of Graph rule bodies (see build_role_rules)")
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        where = f"rules[{i}]"
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if rule_id not in PIM_RULE_IDS:
            raise ValueError(f"{where}.id: {rule_id!r} is not a PIM rule id; use one of {', '.join(PIM_RULE_IDS)}")
        if rule_id in seen:
            raise ValueError(f"{where}.id: {rule_id!r} is declared twice; declare each rule once")
        seen.add(rule_id)
        odata, caller, level = rule_shape(rule_id)
        if rule.get("@odata.type") != odata:
            raise ValueError(
                f"{where}.@odata.type: {rule.get('@odata.type')!r} does not match {rule_id}; use {odata!r}"
            )
        target = rule.get("target")
        if not isinstance(target, dict) or (target.get("caller"), target.get("level")) != (caller, level):
            raise ValueError(f"{where}.target: must be a dict with caller {caller!r} and level {level!r}")
        kind = rule_id.split("_")[0]
        if kind == "Expiration" and rule.get("isExpirationRequired") is True:
            parse_duration(rule.get("maximumDuration"), f"{where}.maximumDuration", positive=True)
        if kind == "Enablement":
            bad = [v for v in rule.get("enabledRules", []) if v not in ENABLED_RULES]
            if bad:
                raise ValueError(f"{where}.enabledRules: {bad!r} not allowed; use {list(ENABLED_RULES)}")
        if kind == "AuthenticationContext" and rule.get("isEnabled") and not _is_claim(rule.get("claimValue")):
            raise ValueError(f"{where}.claimValue: {rule.get('claimValue')!r} is not 'c1'..'c99'")
        if kind == "Approval":
            setting = rule.get("setting") or {}
            if setting.get("isApprovalRequired") and not any(
                s.get("primaryApprovers") for s in setting.get("approvalStages") or []
            ):
                raise ValueError(
                    f"{where}.setting: approval is required but no stage has primaryApprovers; "
                    "add at least one approver"
                )
    by_id = {r["id"]: r for r in rules}
    mfa = "MultiFactorAuthentication" in by_id.get("Enablement_EndUser_Assignment", {}).get("enabledRules", [])
    if mfa and by_id.get("AuthenticationContext_EndUser_Assignment", {}).get("isEnabled"):
        raise ValueError(
            "rules: MultiFactorAuthentication in Enablement_EndUser_Assignment and an enabled "
            "AuthenticationContext_EndUser_Assignment are exclusive; keep one"
        )


def canonical(value: Any) -> Any:
    """Order- and case-insensitive form for comparing rules: Graph may reorder lists and answers
    enum members such as ``target.operations`` in its own casing (``"all"`` for ``"All"``); a
    ``maximumDuration`` compares as the length of time it means (``PT24H`` is ``P1D``)."""
    if isinstance(value, dict):
        return {k: _canonical_field(k, v) for k, v in value.items()}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def _canonical_field(key: str, value: Any) -> Any:
    if key == "operations" and isinstance(value, list):
        return [str(o).lower() for o in value]
    if key == "maximumDuration" and isinstance(value, str):
        try:
            return parse_duration(value, key).total_seconds()
        except ValueError:
            return value
    return canonical(value)


def _same(live: Any, declared: Any) -> bool:
    return canonical(live) == canonical(declared)


def find_policy_id(client: GraphClient, role_definition_id: str) -> str:
    found = client.get_all(
        "/v1.0/policies/roleManagementPolicyAssignments",
        {"$filter": f"scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{role_definition_id}'"},
    )
    if not found:
        raise GraphError(
            404,
            "policyNotFound",
            f"no PIM policy is assigned to directory role "
            f"{role_definition_id!r}; check roleDefinitionId (a role template ID)",
        )
    return found[0]["policyId"]


class EntraRoleSettingsProvider(GraphProvider):
    """CRUD for ``EntraRoleSettings``; see the module docstring."""

    KEYS = ("graphKind", "roleDefinitionId", "rules")

    def _check(self, olds: dict, news: dict):
        return check_result(
            news,
            [
                ("roleDefinitionId", lambda: require_guid(news.get("roleDefinitionId"), "roleDefinitionId")),
                ("rules", lambda: validate_rules(news.get("rules"))),
            ],
        )

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(
            olds, news, self.KEYS, ("graphKind", "roleDefinitionId"), lambda k, v: canonical(v) if k == "rules" else v
        )

    def _outs(self, props: dict, policy_id: str, rules: list) -> dict:
        return {
            "graphKind": GRAPH_KIND,
            "roleDefinitionId": props["roleDefinitionId"],
            "rules": rules,
            "policyId": policy_id,
        }

    def _patch(self, client: GraphClient, policy_id: str, rules: list) -> None:
        for rule in rules:
            client.patch(f"{_POLICIES}/{policy_id}/rules/{rule['id']}", rule)

    def _create(self, props: dict) -> CreateResult:
        client = self.client()
        policy_id = find_policy_id(client, props["roleDefinitionId"])
        self._patch(client, policy_id, props["rules"])
        return CreateResult(policy_id, self._outs(props, policy_id, props["rules"]))

    def _read(self, id_: str, props: dict) -> ReadResult:
        client = self.client()
        live = {r["id"]: r for r in client.get_all(f"{_POLICIES}/{id_}/rules")}
        declared = props.get("rules") or []
        rules = (
            [project(live[r["id"]], r, _same) for r in declared if r.get("id") in live]
            if declared
            else [live[k] for k in PIM_RULE_IDS if k in live]
        )
        outs = self._outs({"roleDefinitionId": props.get("roleDefinitionId", "")}, id_, rules)
        return ReadResult(id_, outs, {k: outs[k] for k in self.KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        old = {r["id"]: canonical(r) for r in olds.get("rules") or []}
        changed = [r for r in news["rules"] if old.get(r["id"]) != canonical(r)]
        policy_id = olds.get("policyId") or id_
        self._patch(self.client(), policy_id, changed)
        return UpdateResult(self._outs(news, policy_id, news["rules"]))

    def _delete(self, id_: str, props: dict) -> None:
        """Leaves the hardened rules in place (policies cannot be deleted; see module docstring)."""


class EntraRoleSettings(Resource):
    """The PIM settings (declared rules of the role management policy) of one Entra directory role.

    Guarantees the declared rules are applied and drift in them is reported on refresh; removal
    leaves them applied. Outputs: ``policy_id``.
    """

    policy_id = output("policyId")

    def __init__(
        self,
        name: str,
        role_definition_id: pulumi.Input[str],
        rules: pulumi.Input[list],
        opts: pulumi.ResourceOptions | None = None,
        _provider: EntraRoleSettingsProvider | None = None,
    ):
        require_guid(role_definition_id, "role_definition_id")
        if isinstance(rules, list):
            validate_rules(rules)
        super().__init__(
            _provider or EntraRoleSettingsProvider(),
            name,
            {"graphKind": GRAPH_KIND, "roleDefinitionId": role_definition_id, "rules": rules, "policyId": None},
            opts,
        )
