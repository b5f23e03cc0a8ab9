"""PIM role settings: one view over azuread GroupRoleManagementPolicy (PIM for Groups), our Graph
resource graphKind entraRoleSettings (Entra directory roles) and azure-native RoleManagementPolicy
(Azure roles at one scope), and the policies that judge it.

The last two hold the same PIM rules by rule ID (Expiration_Admin_Eligibility and so on) in the
same camelCase shape; only their approvers differ (Graph: groupId/userId, ARM: id).

A setting the resource does not declare is left as the tenant has it, which the stack does not
control: the policies fail closed and ask for it to be declared. A setting unknown at preview is unverified
(`common.unverified`: mandatory unless the policy's unknownAtPreview is advisory). Messages show durations in the
form the policy parsed, never the value as given (it may be a secret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privileged_facts.defaults import MAX_ELIGIBILITY
from privileged_facts.pim_rules import (
    RULE_ACTIVATION_APPROVAL,
    RULE_ACTIVATION_AUTH_CONTEXT,
    RULE_ACTIVATION_ENABLEMENT,
    RULE_ACTIVATION_EXPIRATION,
    RULE_ACTIVE_EXPIRATION,
    RULE_ELIGIBLE_EXPIRATION,
    RULE_NOTIFY_ADMIN_ACTIVATION,
    RULE_NOTIFY_ADMIN_ASSIGNMENT,
    RULE_NOTIFY_ADMIN_ELIGIBILITY,
)
from privileged_facts.values import format_duration, is_unknown, parse_duration
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .common import (
    DYNAMIC,
    PIM_PLAN,
    config_schema,
    duration_setting,
    elements,
    get,
    is_type,
    meta,
    setting,
    unverified,
    verifying,
)

GROUP_POLICY = "azuread:index/groupRoleManagementPolicy:GroupRoleManagementPolicy"
ENTRA_SETTINGS = "entraRoleSettings"
AZURE_POLICY = "azure-native:authorization:RoleManagementPolicy"


@dataclass
class Settings:
    """The PIM settings a resource declares. None = not declared; UNKNOWN = not known at preview.
    `paths` maps each setting to the wire path to change, for messages."""

    label: str
    eligible_expiry_required: Any = None
    eligible_max: Any = None
    active_expiry_required: Any = None
    active_max: Any = None
    activation_max: Any = None
    mfa: Any = None
    auth_context: Any = None
    justification: Any = None
    approval: Any = None
    approvers: list = field(default_factory=list)
    approvers_key: str = ""
    alerts: dict = field(default_factory=dict)  # ALERTS key -> additional recipients of the admin alert
    paths: dict = field(default_factory=dict)


ALERTS = {"eligible": "an eligible assignment", "active": "an active assignment", "activation": "an activation"}
_GROUP_ALERTS = {"eligible": "eligibleAssignments", "active": "activeAssignments", "activation": "eligibleActivations"}
_RULE_ALERTS = {
    "eligible": RULE_NOTIFY_ADMIN_ELIGIBILITY,
    "active": RULE_NOTIFY_ADMIN_ASSIGNMENT,
    "activation": RULE_NOTIFY_ADMIN_ACTIVATION,
}


def _group_policy(props, name: str) -> Settings:
    act, elig, active = (get(props, k) for k in ("activationRules", "eligibleAssignmentRules", "activeAssignmentRules"))
    context = get(act, "requiredConditionalAccessAuthenticationContext")
    return Settings(
        label=f"GroupRoleManagementPolicy '{name}'",
        eligible_expiry_required=get(elig, "expirationRequired"),
        eligible_max=get(elig, "expireAfter"),
        active_expiry_required=get(active, "expirationRequired"),
        active_max=get(active, "expireAfter"),
        activation_max=get(act, "maximumDuration"),
        mfa=get(act, "requireMultifactorAuthentication"),
        auth_context=context if is_unknown(context) else (bool(context) if context is not None else None),
        justification=get(act, "requireJustification"),
        approval=get(act, "requireApproval"),
        approvers=[get(a, "objectId") for a in elements(act, "approvalStage", "primaryApprovers")],
        approvers_key="activationRules",
        alerts={
            key: get(props, "notificationRules", rule, "adminNotifications", "additionalRecipients")
            for key, rule in _GROUP_ALERTS.items()
        },
        paths={
            **{
                f"alert_{key}": f"notificationRules.{rule}.adminNotifications.additionalRecipients"
                for key, rule in _GROUP_ALERTS.items()
            },
            "eligible_expiry_required": "eligibleAssignmentRules.expirationRequired",
            "eligible_max": "eligibleAssignmentRules.expireAfter",
            "active_expiry_required": "activeAssignmentRules.expirationRequired",
            "active_max": "activeAssignmentRules.expireAfter",
            "activation_max": "activationRules.maximumDuration",
            "mfa": "activationRules.requireMultifactorAuthentication",
            "auth_context": "activationRules.requiredConditionalAccessAuthenticationContext",
            "justification": "activationRules.requireJustification",
            "approval": "activationRules.requireApproval",
            "approvers": "activationRules.approvalStage.primaryApprovers",
        },
    )


def _rule_settings(props, label: str, approver_keys: tuple[str, ...]) -> Settings:
    """Settings from a list of PIM rules by rule ID; each approver's ID is the first of `approver_keys` it has."""
    found = Settings(label=label, approvers_key="rules")
    rules = get(props, "rules")
    if is_unknown(rules):
        for key in (
            "eligible_expiry_required",
            "eligible_max",
            "active_expiry_required",
            "active_max",
            "activation_max",
            "mfa",
            "auth_context",
            "justification",
            "approval",
        ):
            setattr(found, key, rules)
        found.alerts = dict.fromkeys(ALERTS, rules)
        return found
    by_id = {get(r, "id"): r for r in elements(rules) if not is_unknown(r)}
    found.alerts = {key: get(by_id.get(rule), "notificationRecipients") for key, rule in _RULE_ALERTS.items()}
    found.paths = {
        **{f"alert_{key}": f"rules[{rule}].notificationRecipients" for key, rule in _RULE_ALERTS.items()},
        "eligible_expiry_required": f"rules[{RULE_ELIGIBLE_EXPIRATION}].isExpirationRequired",
        "eligible_max": f"rules[{RULE_ELIGIBLE_EXPIRATION}].maximumDuration",
        "active_expiry_required": f"rules[{RULE_ACTIVE_EXPIRATION}].isExpirationRequired",
        "active_max": f"rules[{RULE_ACTIVE_EXPIRATION}].maximumDuration",
        "activation_max": f"rules[{RULE_ACTIVATION_EXPIRATION}].maximumDuration",
        "mfa": f"rules[{RULE_ACTIVATION_ENABLEMENT}].enabledRules (MultiFactorAuthentication)",
        "auth_context": f"rules[{RULE_ACTIVATION_AUTH_CONTEXT}].isEnabled/claimValue",
        "justification": f"rules[{RULE_ACTIVATION_ENABLEMENT}].enabledRules (Justification)",
        "approval": f"rules[{RULE_ACTIVATION_APPROVAL}].setting.isApprovalRequired",
        "approvers": f"rules[{RULE_ACTIVATION_APPROVAL}].setting.approvalStages[].primaryApprovers",
    }
    elig, active = by_id.get(RULE_ELIGIBLE_EXPIRATION), by_id.get(RULE_ACTIVE_EXPIRATION)
    found.eligible_expiry_required = get(elig, "isExpirationRequired")
    found.eligible_max = get(elig, "maximumDuration")
    found.active_expiry_required = get(active, "isExpirationRequired")
    found.active_max = get(active, "maximumDuration")
    found.activation_max = get(by_id.get(RULE_ACTIVATION_EXPIRATION), "maximumDuration")
    enablement = by_id.get(RULE_ACTIVATION_ENABLEMENT)
    if enablement is not None:
        enabled = elements(enablement, "enabledRules")
        unknown = any(is_unknown(e) for e in enabled)
        found.mfa = "MultiFactorAuthentication" in enabled or (None if unknown else False)
        found.justification = "Justification" in enabled or (None if unknown else False)
    context = by_id.get(RULE_ACTIVATION_AUTH_CONTEXT)
    if context is not None:
        enabled, claim = get(context, "isEnabled"), get(context, "claimValue")
        found.auth_context = enabled if is_unknown(enabled) else bool(enabled is True and claim)
    approval = by_id.get(RULE_ACTIVATION_APPROVAL)
    if approval is not None:
        found.approval = get(approval, "setting", "isApprovalRequired")
        for stage in elements(approval, "setting", "approvalStages"):
            for approver in elements(stage, "primaryApprovers"):
                found.approvers.append(
                    next((get(approver, key) for key in approver_keys if get(approver, key) is not None), None)
                )
    return found


def settings_of(resource_type: str, props, name: str) -> Settings | None:
    if is_type(resource_type, GROUP_POLICY):
        return _group_policy(props, name)
    if resource_type == DYNAMIC and get(props, "graphKind") == ENTRA_SETTINGS:
        return _rule_settings(props, f"entraRoleSettings '{name}'", ("groupId", "userId"))
    if is_type(resource_type, AZURE_POLICY):
        return _rule_settings(props, f"RoleManagementPolicy '{name}'", ("id",))
    return None


def longer_than(value: Any, maximum) -> str | None:
    """A reason when duration `value` exceeds `maximum` or is malformed; None when within (or unknown). The reason
    shows the duration as parsed (canonical form), never the value as given."""
    if value is None or is_unknown(value):
        return None
    try:
        parsed = parse_duration(value)
    except ValueError:
        return "is not an ISO 8601 duration (use a form like 'PT8H' or 'P15D')"
    return f"is {format_duration(parsed)}" if parsed > maximum else None


def unknown_settings(s: Settings, keys: tuple[str, ...], args, report, urn: str | None = None) -> bool:
    """Report each of `keys` unknown at preview as unverified; True when one was."""
    found = False
    for key in keys:
        if is_unknown(getattr(s, key)):
            unverified(args, report, f"{s.label} {s.paths.get(key, key)}", urn)
            found = True
    return found


# --- policies --------------------------------------------------------------------------------------------


def _not_declared(s: Settings, key: str) -> str:
    return f"{s.paths[key]} is not declared (the tenant's current value applies, unchecked)"


def _judged(judge):
    """A resource policy that judges the PIM settings a resource declares (other resources pass)."""

    @verifying
    def validate(args, report) -> None:
        s = settings_of(args.resource_type, args.props, args.name)
        if s is not None:
            judge(s, args, report)

    return validate


def _report_problems(s: Settings, problems: list[str], report) -> None:
    if problems:
        report(f"{s.label}: " + "; ".join(problems) + ".")


def _assignments_expire(s: Settings, args, report) -> None:
    maximum, shown = duration_setting(args, "maxEligibilityDuration"), setting(args, "maxEligibilityDuration")
    active_maximum = duration_setting(args, "maxActiveAssignmentExpiry")
    active_shown = setting(args, "maxActiveAssignmentExpiry")
    unknown_settings(
        s, ("eligible_expiry_required", "active_expiry_required", "eligible_max", "active_max"), args, report
    )
    problems = []
    for key, what in (
        ("eligible_expiry_required", "permanent eligible assignment"),
        ("active_expiry_required", "permanent active assignment"),
    ):
        value = getattr(s, key)
        if value is False:
            problems.append(f"{s.paths[key]} is false, which allows {what}; set it to true")
        elif value is None:
            problems.append(f"{_not_declared(s, key)}; set it to true")
    for key, limit, limit_shown, tunable in (
        ("eligible_max", maximum, shown, "maxEligibilityDuration"),
        ("active_max", active_maximum, active_shown, "maxActiveAssignmentExpiry"),
    ):
        too_long = longer_than(getattr(s, key), limit)
        if too_long:
            problems.append(
                f"{s.paths[key]} {too_long}, longer than {limit_shown}; set it to {limit_shown} or less "
                f"(policy config {tunable})"
            )
        elif getattr(s, key) is None and getattr(s, key.replace("_max", "_expiry_required")) is True:
            problems.append(f"{_not_declared(s, key)}; set it to {limit_shown} or less")
    _report_problems(s, problems, report)


def _activation_controls(s: Settings, args, report) -> None:
    problems = []
    if (
        s.mfa is not True
        and s.auth_context is not True
        and not unknown_settings(s, ("mfa", "auth_context"), args, report)
    ):
        problems.append(
            f"activation requires neither MFA ({s.paths['mfa']}) nor a conditional access "
            f"authentication context ({s.paths['auth_context']}); require one (the authentication "
            "context that demands phishing-resistant MFA on the PAW is preferred)"
        )
    if (
        setting(args, "requireJustification")
        and s.justification is not True
        and not unknown_settings(s, ("justification",), args, report)
    ):
        problems.append(f"activation does not require a justification; set {s.paths['justification']}")
    _report_problems(s, problems, report)


def _activation_duration(s: Settings, args, report) -> None:
    shown = setting(args, "maxActivationDuration")
    too_long = longer_than(s.activation_max, duration_setting(args, "maxActivationDuration"))
    if unknown_settings(s, ("activation_max",), args, report):
        return
    if too_long:
        report(
            f"{s.label}: {s.paths['activation_max']} {too_long}, longer than the maximum activation {shown}; "
            f"set it to {shown} or less (policy config maxActivationDuration)."
        )
    elif s.activation_max is None:
        report(f"{s.label}: {_not_declared(s, 'activation_max')}; set it to {shown} or less.")


WHEN_UNKNOWN = {
    "pim-settings-assignments-expire": "An expiry flag or maximum unknown at preview is reported as unverified "
    "(mandatory unless unknownAtPreview is advisory); what is known is still judged.",
    "pim-settings-activation-controls": "When MFA, the authentication context or the justification rule is unknown "
    "at preview and nothing known satisfies the rule, it is reported as unverified.",
    "pim-settings-activation-duration": "An activation maximum unknown at preview is reported as unverified.",
}

POLICIES = [
    ResourceValidationPolicy(
        name="pim-settings-assignments-expire",
        description="PIM role settings (GroupRoleManagementPolicy, entraRoleSettings, Azure RoleManagementPolicy) "
        "forbid permanent eligible and permanent active assignments and cap eligibility at the configured "
        "maximum; undeclared settings fail.",
        validate=_judged(_assignments_expire),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("maxEligibilityDuration", "maxActiveAssignmentExpiry"),
        **meta(
            "high",
            f"Set eligibleAssignmentRules {{expirationRequired: true, expireAfter: '{MAX_ELIGIBILITY}' or "
            "less} and "
            "activeAssignmentRules {expirationRequired: true} (entraRoleSettings and Azure RoleManagementPolicy: "
            "Expiration_Admin_Eligibility and Expiration_Admin_Assignment with isExpirationRequired true and "
            "maximumDuration).",
            PIM_PLAN,
            "Role settings: no permanent eligible or active assignment",
        ),
    ),
    ResourceValidationPolicy(
        name="pim-settings-activation-controls",
        description="PIM activation requires MFA or a conditional access authentication context, and a justification.",
        validate=_judged(_activation_controls),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("requireJustification"),
        **meta(
            "high",
            "Set activationRules.requiredConditionalAccessAuthenticationContext (or "
            "requireMultifactorAuthentication true) and requireJustification true; for entraRoleSettings and Azure "
            "RoleManagementPolicy enable AuthenticationContext_EndUser_Assignment or MultiFactorAuthentication and "
            "Justification in Enablement_EndUser_Assignment.",
            PIM_PLAN,
            "Require MFA / authentication context on activation",
        ),
    ),
    ResourceValidationPolicy(
        name="pim-settings-activation-duration",
        description="PIM activation lasts at most the configured maximum (default 8 hours).",
        validate=_judged(_activation_duration),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("maxActivationDuration"),
        **meta(
            "medium",
            "Set activationRules.maximumDuration (entraRoleSettings and Azure RoleManagementPolicy: "
            "Expiration_EndUser_Assignment.maximumDuration) to maxActivationDuration or less.",
            PIM_PLAN,
            "Activation maximum duration",
        ),
    ),
]
