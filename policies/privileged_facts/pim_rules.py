"""The IDs of PIM role-management-policy rules: the same for Entra roles, PIM for Groups and Azure RBAC.

Source: /work/shared/reference/entra-azure-facts.md (section 1.3).
"""

from __future__ import annotations

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
