"""The IDs of PIM role-management-policy rules: the same for Entra roles, PIM for Groups and Azure RBAC.

Source: /work/shared/reference/entra-azure-facts.md (section 1.3).
"""

from __future__ import annotations

from typing import Any

# --- PIM role-management-policy rule IDs (§1.3; same for Entra roles, PIM for Groups, Azure RBAC) ----

RULE_ACTIVATION_EXPIRATION = "Expiration_EndUser_Assignment"
RULE_ACTIVATION_ENABLEMENT = "Enablement_EndUser_Assignment"
RULE_ACTIVATION_AUTH_CONTEXT = "AuthenticationContext_EndUser_Assignment"
RULE_ACTIVATION_APPROVAL = "Approval_EndUser_Assignment"
RULE_ELIGIBLE_EXPIRATION = "Expiration_Admin_Eligibility"
RULE_ACTIVE_EXPIRATION = "Expiration_Admin_Assignment"
RULE_ACTIVE_ENABLEMENT = "Enablement_Admin_Assignment"
RULE_ELIGIBLE_ENABLEMENT = "Enablement_Admin_Eligibility"
RULE_NOTIFY_ADMIN_ELIGIBILITY = "Notification_Admin_Admin_Eligibility"
RULE_NOTIFY_REQUESTOR_ELIGIBILITY = "Notification_Requestor_Admin_Eligibility"
RULE_NOTIFY_APPROVER_ELIGIBILITY = "Notification_Approver_Admin_Eligibility"
RULE_NOTIFY_ADMIN_ASSIGNMENT = "Notification_Admin_Admin_Assignment"
RULE_NOTIFY_REQUESTOR_ASSIGNMENT = "Notification_Requestor_Admin_Assignment"
RULE_NOTIFY_APPROVER_ASSIGNMENT = "Notification_Approver_Admin_Assignment"
RULE_NOTIFY_ADMIN_ACTIVATION = "Notification_Admin_EndUser_Assignment"
RULE_NOTIFY_REQUESTOR_ACTIVATION = "Notification_Requestor_EndUser_Assignment"
RULE_NOTIFY_APPROVER_ACTIVATION = "Notification_Approver_EndUser_Assignment"
PIM_RULE_IDS = (
    RULE_ACTIVATION_EXPIRATION,
    RULE_ACTIVATION_ENABLEMENT,
    RULE_ACTIVATION_AUTH_CONTEXT,
    RULE_ACTIVATION_APPROVAL,
    RULE_ELIGIBLE_EXPIRATION,
    RULE_ACTIVE_EXPIRATION,
    RULE_ACTIVE_ENABLEMENT,
    RULE_ELIGIBLE_ENABLEMENT,
    RULE_NOTIFY_ADMIN_ELIGIBILITY,
    RULE_NOTIFY_REQUESTOR_ELIGIBILITY,
    RULE_NOTIFY_APPROVER_ELIGIBILITY,
    RULE_NOTIFY_ADMIN_ASSIGNMENT,
    RULE_NOTIFY_REQUESTOR_ASSIGNMENT,
    RULE_NOTIFY_APPROVER_ASSIGNMENT,
    RULE_NOTIFY_ADMIN_ACTIVATION,
    RULE_NOTIFY_REQUESTOR_ACTIVATION,
    RULE_NOTIFY_APPROVER_ACTIVATION,
)


# --- PIM for Groups policies: Graph's rules in the azuread provider's shape ---------------------------


def _by_id(rules: Any) -> dict[str, dict]:
    items = rules if isinstance(rules, list) else []
    return {r["id"]: r for r in items if isinstance(r, dict) and isinstance(r.get("id"), str)}


def _notification(rule: dict | None) -> dict:
    if not rule:
        return {}
    return {
        "adminNotifications": {
            "defaultRecipients": rule.get("isDefaultRecipientsEnabled"),
            "notificationLevel": rule.get("notificationLevel"),
            "additionalRecipients": rule.get("notificationRecipients") or [],
        }
    }


def group_policy_settings(graph_rules: Any) -> dict:
    """A PIM for Groups policy's Graph rules (as Graph answers them) in the azuread GroupRoleManagementPolicy's shape
    (wire names): what the audit judges and what an adopted group policy declares."""
    rules = _by_id(graph_rules)
    eligible = rules.get(RULE_ELIGIBLE_EXPIRATION) or {}
    active = rules.get(RULE_ACTIVE_EXPIRATION) or {}
    activation = rules.get(RULE_ACTIVATION_EXPIRATION) or {}
    enablement = set((rules.get(RULE_ACTIVATION_ENABLEMENT) or {}).get("enabledRules") or [])
    context = rules.get(RULE_ACTIVATION_AUTH_CONTEXT) or {}
    approval = (rules.get(RULE_ACTIVATION_APPROVAL) or {}).get("setting") or {}
    stages = approval.get("approvalStages") or []
    approvers = [
        {"objectId": a.get("userId") or a.get("groupId"), "type": "User" if a.get("userId") else "Group"}
        for a in ((stages[0] or {}).get("primaryApprovers") or [] if stages else [])
        if isinstance(a, dict)
    ]
    return {
        "eligibleAssignmentRules": {
            "expirationRequired": eligible.get("isExpirationRequired"),
            "expireAfter": eligible.get("maximumDuration"),
        },
        "activeAssignmentRules": {
            "expirationRequired": active.get("isExpirationRequired"),
            "expireAfter": active.get("maximumDuration"),
        },
        "activationRules": {
            "maximumDuration": activation.get("maximumDuration"),
            "requireMultifactorAuthentication": "MultiFactorAuthentication" in enablement,
            "requireJustification": "Justification" in enablement,
            "requireTicketInfo": "Ticketing" in enablement,
            "requireApproval": bool(approval.get("isApprovalRequired")),
            "approvalStage": {"primaryApprovers": approvers},
            **(
                {"requiredConditionalAccessAuthenticationContext": context.get("claimValue")}
                if context.get("isEnabled")
                else {}
            ),
        },
        "notificationRules": {
            "eligibleAssignments": _notification(rules.get(RULE_NOTIFY_ADMIN_ELIGIBILITY)),
            "activeAssignments": _notification(rules.get(RULE_NOTIFY_ADMIN_ASSIGNMENT)),
            "eligibleActivations": _notification(rules.get(RULE_NOTIFY_ADMIN_ACTIVATION)),
        },
    }
