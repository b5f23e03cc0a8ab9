"""Facts shared by the components and the policy pack: role IDs, app IDs, PIM rule IDs, durations.

One place, imported by components as `policies.rules.catalog` and by the pack as `rules.catalog`,
so both always agree on which roles are privileged. Standard library only (the pack runs with
just pulumi-policy installed). Sources: /work/shared/reference/entra-azure-facts.md §1.3, §2, §4
and policy-anchors.md (CISA SCuBA list, Microsoft's admin CA-template list).

IDs are lower-case GUIDs. Other areas append their facts at the end of this file.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# --- Entra built-in roles (template IDs; for built-in roles roleDefinitionId == template ID) ------

ENTRA_ROLES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Security Operator": "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Authentication Administrator": "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Password Administrator": "966707d0-3269-4727-9be2-8c3a10f19b9d",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Application Developer": "cf1c38e5-3621-4004-a7cb-879624dced7c",
    "Conditional Access Administrator": "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "Hybrid Identity Administrator": "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "Cloud Device Administrator": "7698a772-787b-4ac8-901f-60d6b08affd2",
    "Domain Name Administrator": "8329153b-31d0-4727-b945-745eb3bc5f31",
    "External Identity Provider Administrator": "be2f45a1-457d-42af-a067-6ec1fa63bc45",
    "Directory Writers": "9360feb5-f418-4baa-8175-e2a00bac4301",
    "Lifecycle Workflows Administrator": "59d46f88-662b-457b-bceb-5c3809e5908f",
    "Authentication Extensibility Administrator": "25a516ed-2fa0-40ea-a2d0-12923a21473a",
    "B2C IEF Keyset Administrator": "aaf43236-0c0d-4d5f-883a-6955382ac081",
    "Partner Tier1 Support": "4ba39ca4-527c-499a-b93d-d9b492c50246",
    "Partner Tier2 Support": "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8",
    "Agent ID Administrator": "db506228-d27e-4b7d-95e5-295956d6615f",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Billing Administrator": "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "Groups Administrator": "fdd7a751-b60b-444a-984c-02652fe8fa1c",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Printer Administrator": "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f",
    "Teams Devices Administrator": "3d762c5a-1b6c-493f-843e-55a3b42923d4",
    "Authentication Policy Administrator": "0526716b-113d-4c15-b2c8-68e3c22b9f80",
    "Identity Governance Administrator": "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    "Global Secure Access Administrator": "ac434307-12b9-4fa1-a708-88bf58caabc1",
    "Microsoft Entra Joined Device Local Administrator": "9f06204d-73c1-4d4c-880a-6edb90606fd8",
    "Windows 365 Administrator": "11451d60-acb2-45eb-a7d6-43d0f0125c13",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Reports Reader": "4a5d8f65-41da-4de4-8968-e035b65339cf",
}
ENTRA_ROLE_NAMES: dict[str, str] = {role_id: name for name, role_id in ENTRA_ROLES.items()}

GLOBAL_ADMINISTRATOR = ENTRA_ROLES["Global Administrator"]
PRIVILEGED_ROLE_ADMINISTRATOR = ENTRA_ROLES["Privileged Role Administrator"]
PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = ENTRA_ROLES["Privileged Authentication Administrator"]
# Puts its holders in the local Administrators group of EVERY Entra-joined device (PAWs, AVD hosts).
DEVICE_LOCAL_ADMINISTRATOR = ENTRA_ROLES["Microsoft Entra Joined Device Local Administrator"]

_MARKED_PRIVILEGED = (  # Microsoft's PRIVILEGED label (permissions reference, 01/2026)
    "Global Administrator", "Privileged Role Administrator", "Privileged Authentication Administrator",
    "Security Administrator", "Security Operator", "Security Reader", "Global Reader", "User Administrator",
    "Authentication Administrator", "Helpdesk Administrator", "Password Administrator",
    "Application Administrator", "Cloud Application Administrator", "Application Developer",
    "Conditional Access Administrator", "Hybrid Identity Administrator", "Intune Administrator",
    "Cloud Device Administrator", "Domain Name Administrator", "External Identity Provider Administrator",
    "Directory Writers", "Lifecycle Workflows Administrator", "Authentication Extensibility Administrator",
    "B2C IEF Keyset Administrator", "Partner Tier1 Support", "Partner Tier2 Support", "Agent ID Administrator",
)
CISA_HIGHLY_PRIVILEGED = frozenset(ENTRA_ROLES[n] for n in (  # ScubaGear privilegedRoles (MS.AAD.7.x)
    "Global Administrator", "Privileged Role Administrator", "User Administrator", "SharePoint Administrator",
    "Exchange Administrator", "Hybrid Identity Administrator", "Application Administrator",
    "Cloud Application Administrator"))
CA_ADMIN_TEMPLATE_ROLES = frozenset(ENTRA_ROLES[n] for n in (  # Microsoft's admin CA templates (15 roles)
    "Global Administrator", "Application Administrator", "Authentication Administrator", "Billing Administrator",
    "Cloud Application Administrator", "Conditional Access Administrator", "Exchange Administrator",
    "Helpdesk Administrator", "Password Administrator", "Privileged Authentication Administrator",
    "Privileged Role Administrator", "Security Administrator", "SharePoint Administrator",
    "User Administrator", "Teams Administrator"))

PRIVILEGED_ROLE_IDS = frozenset(ENTRA_ROLES[n] for n in _MARKED_PRIVILEGED) | CISA_HIGHLY_PRIVILEGED \
    | CA_ADMIN_TEMPLATE_ROLES
CRITICAL_ROLE_IDS = frozenset({GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR,
                               PRIVILEGED_AUTHENTICATION_ADMINISTRATOR})
AU_SCOPABLE_ROLE_IDS = frozenset(ENTRA_ROLES[n] for n in (
    "Authentication Administrator", "Cloud Device Administrator", "Groups Administrator", "Helpdesk Administrator",
    "License Administrator", "Password Administrator", "Printer Administrator",
    "Privileged Authentication Administrator", "SharePoint Administrator", "Teams Administrator",
    "Teams Devices Administrator", "User Administrator"))
PRIVILEGED_ENTRA_ROLES, CRITICAL_ENTRA_ROLES, AU_SCOPABLE_ROLES = (PRIVILEGED_ROLE_IDS, CRITICAL_ROLE_IDS,
                                                                    AU_SCOPABLE_ROLE_IDS)

# --- Azure RBAC built-in roles (role definition GUIDs) ------------------------------------------------

AZURE_ROLES: dict[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "Reservations Administrator": "a8889054-8d42-49c9-bc1c-52486c10e7cd",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Virtual Machine Administrator Login": "1c0163c0-47e6-4577-8991-ea5c82e286e4",
    "Virtual Machine User Login": "fb879df8-f326-4884-b1cf-06f3ad86be52",
    "Desktop Virtualization User": "1d18fff3-a72a-46b5-b4a9-0b38a3cd7e63",
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
}
AZURE_ROLE_NAMES: dict[str, str] = {role_id: name for name, role_id in AZURE_ROLES.items()}
AZURE_ROLE_OWNER = AZURE_ROLES["Owner"]
AZURE_ROLE_VM_USER_LOGIN = AZURE_ROLES["Virtual Machine User Login"]
AZURE_ROLE_VM_ADMIN_LOGIN = AZURE_ROLES["Virtual Machine Administrator Login"]
AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER = AZURE_ROLES["Desktop Virtualization User"]
# The docs' "Privileged" category (built-in-roles/privileged.md).
PRIVILEGED_AZURE_ROLE_IDS = frozenset(AZURE_ROLES[n] for n in (
    "Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator",
    "Reservations Administrator"))
CRITICAL_AZURE_ROLE_IDS = frozenset(AZURE_ROLES[n] for n in (
    "Owner", "User Access Administrator", "Role Based Access Control Administrator"))
PRIVILEGED_AZURE_ROLES, CRITICAL_AZURE_ROLES = PRIVILEGED_AZURE_ROLE_IDS, CRITICAL_AZURE_ROLE_IDS

# --- Apps targeted by conditional access (§4.4) ---------------------------------------------------

APP_AZURE_VIRTUAL_DESKTOP = "9cdead84-a844-4324-93f2-b2e6bb768d07"
APP_AVD_CLIENT = "a85cf173-4192-42f8-81fa-777a763e6e2c"
APP_AVD_ARM_PROVIDER = "50e95039-b200-4007-bc97-8d5790743a63"  # feed retrieval: never put MFA on it
APP_WINDOWS_CLOUD_LOGIN = "270efc09-cd0d-444b-a71f-39af4910ec45"
APP_MICROSOFT_REMOTE_DESKTOP = "a4a365df-50f1-4397-bc59-1a1564b8bb9c"
APP_AZURE_MANAGEMENT = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
APP_AZURE_AD_GRAPH = "00000002-0000-0000-c000-000000000000"
APP_MICROSOFT_GRAPH = "00000003-0000-0000-c000-000000000000"
APP_INTUNE_ENROLLMENT = "d4ebce55-015a-49b5-a083-c84d1797ae8c"
MICROSOFT_ADMIN_PORTALS = "MicrosoftAdminPortals"
ADMIN_PORTAL_TARGETS = (MICROSOFT_ADMIN_PORTALS, APP_AZURE_MANAGEMENT)
AVD_SIGN_IN_APP_IDS = (APP_AZURE_VIRTUAL_DESKTOP, APP_WINDOWS_CLOUD_LOGIN)
INTUNE_MDM_ID = "0000000a-0000-0000-c000-000000000000"  # AADLoginForWindows settings.mdmId (Intune enrolment)

# --- Authentication strengths (§4.2) -----------------------------------------------------------------

AUTH_STRENGTH_MFA = "00000000-0000-0000-0000-000000000002"
AUTH_STRENGTH_PASSWORDLESS = "00000000-0000-0000-0000-000000000003"
BUILTIN_PHISHING_RESISTANT_STRENGTH = "00000000-0000-0000-0000-000000000004"
PHISHING_RESISTANT_METHODS = frozenset({"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"})

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
    RULE_ACTIVATION_EXPIRATION, RULE_ACTIVATION_ENABLEMENT, RULE_ACTIVATION_AUTH_CONTEXT, RULE_ACTIVATION_APPROVAL,
    RULE_ELIGIBLE_EXPIRATION, RULE_ACTIVE_EXPIRATION, RULE_ACTIVE_ENABLEMENT, RULE_ELIGIBLE_ENABLEMENT,
    RULE_NOTIFY_ADMIN_ELIGIBILITY, RULE_NOTIFY_REQUESTOR_ELIGIBILITY, RULE_NOTIFY_APPROVER_ELIGIBILITY,
    RULE_NOTIFY_ADMIN_ASSIGNMENT, RULE_NOTIFY_REQUESTOR_ASSIGNMENT, RULE_NOTIFY_APPROVER_ASSIGNMENT,
    RULE_NOTIFY_ADMIN_ACTIVATION, RULE_NOTIFY_REQUESTOR_ACTIVATION, RULE_NOTIFY_APPROVER_ACTIVATION,
)

# --- Project conventions the pack recognises ---------------------------------------------------------

BREAK_GLASS_TYPE = "privileged-access:index:BreakGlassAccounts"
PAW_TAG_KEY, PAW_TAG_VALUE = "pum-role", "paw"

# --- ISO 8601 durations and date-times ---------------------------------------------------------------

_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(value: object, field: str = "duration") -> timedelta:
    """'P180D', 'PT8H', 'P1Y', 'PT30M', 'P2W' -> timedelta (a year counts 365 days, a month 30).

    Junk raises ValueError naming the field, the value and the expected form.
    """
    match = _DURATION.match(value.strip().upper()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{field}: {value!r} is not an ISO 8601 duration; use a form like 'P180D', 'PT8H', "
                         "'P1Y' or 'PT30M'")
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return timedelta(days=years * 365 + months * 30 + weeks * 7 + days, hours=hours, minutes=minutes,
                     seconds=seconds)


def duration_exceeds(value: object, maximum: object, field: str = "duration") -> bool:
    """True when duration `value` is longer than duration `maximum`."""
    return parse_duration(value, field) > parse_duration(maximum, "maximum")


def parse_datetime(value: object, field: str = "date") -> datetime:
    """RFC 3339 / ISO 8601 date-time (or date) -> aware UTC datetime; junk raises a clear ValueError."""
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not an ISO 8601 date-time; use a form like "
                         "'2026-12-31T00:00:00Z'") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


# --- Role ID normalisation ------------------------------------------------------------------------

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def role_guid(value: object) -> str | None:
    """The role GUID (lower case) in a role ID, or None when there is none.

    Accepts a bare GUID (Entra template ID or roleDefinition ID, Azure role GUID) and ARM paths like
    '/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>' or
    '/providers/Microsoft.Authorization/roleDefinitions/<guid>'.
    """
    if not isinstance(value, str):
        return None
    tail = value.strip().rstrip("/").rsplit("/", 1)[-1]
    return tail.lower() if _GUID.fullmatch(tail) else None
