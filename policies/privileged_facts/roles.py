"""Entra directory roles and Azure RBAC roles: IDs, and which are privileged, critical or AU-scopable.

Sources: /work/shared/reference/entra-azure-facts.md (section 2) and policy-anchors.md (the CISA SCuBA list,
Microsoft's admin CA-template list). IDs are lower-case GUIDs; for built-in Entra roles the role definition ID is
the template ID.
"""

from __future__ import annotations

import re

from .values import is_guid

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
    "Global Administrator",
    "Privileged Role Administrator",
    "Privileged Authentication Administrator",
    "Security Administrator",
    "Security Operator",
    "Security Reader",
    "Global Reader",
    "User Administrator",
    "Authentication Administrator",
    "Helpdesk Administrator",
    "Password Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
    "Application Developer",
    "Conditional Access Administrator",
    "Hybrid Identity Administrator",
    "Intune Administrator",
    "Cloud Device Administrator",
    "Domain Name Administrator",
    "External Identity Provider Administrator",
    "Directory Writers",
    "Lifecycle Workflows Administrator",
    "Authentication Extensibility Administrator",
    "B2C IEF Keyset Administrator",
    "Partner Tier1 Support",
    "Partner Tier2 Support",
    "Agent ID Administrator",
)
CISA_HIGHLY_PRIVILEGED = frozenset(
    ENTRA_ROLES[n]
    for n in (  # ScubaGear privilegedRoles (MS.AAD.7.x)
        "Global Administrator",
        "Privileged Role Administrator",
        "User Administrator",
        "SharePoint Administrator",
        "Exchange Administrator",
        "Hybrid Identity Administrator",
        "Application Administrator",
        "Cloud Application Administrator",
    )
)
CA_ADMIN_TEMPLATE_ROLES = frozenset(
    ENTRA_ROLES[n]
    for n in (  # Microsoft's admin CA templates (15 roles)
        "Global Administrator",
        "Application Administrator",
        "Authentication Administrator",
        "Billing Administrator",
        "Cloud Application Administrator",
        "Conditional Access Administrator",
        "Exchange Administrator",
        "Helpdesk Administrator",
        "Password Administrator",
        "Privileged Authentication Administrator",
        "Privileged Role Administrator",
        "Security Administrator",
        "SharePoint Administrator",
        "User Administrator",
        "Teams Administrator",
    )
)

PRIVILEGED_ROLE_IDS = (
    frozenset(ENTRA_ROLES[n] for n in _MARKED_PRIVILEGED) | CISA_HIGHLY_PRIVILEGED | CA_ADMIN_TEMPLATE_ROLES
)
CRITICAL_ROLE_IDS = frozenset(
    {GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR, PRIVILEGED_AUTHENTICATION_ADMINISTRATOR}
)
AU_SCOPABLE_ROLE_IDS = frozenset(
    ENTRA_ROLES[n]
    for n in (
        "Authentication Administrator",
        "Cloud Device Administrator",
        "Groups Administrator",
        "Helpdesk Administrator",
        "License Administrator",
        "Password Administrator",
        "Printer Administrator",
        "Privileged Authentication Administrator",
        "SharePoint Administrator",
        "Teams Administrator",
        "Teams Devices Administrator",
        "User Administrator",
    )
)

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
    # built-in-roles/management-and-governance.md: create and manage jobs (jobs/write, read, resume, stop, suspend)
    "Automation Job Operator": "4fe576fe-1146-4730-92eb-48519fa6bf9f",
    "Automation Operator": "d3881f73-407a-4167-8283-e981cbba0404",
    "Automation Contributor": "f353d9bd-d4a6-484e-a77a-8050b599b867",
    # built-in-roles/security.md: the Key Vault data-plane roles
    "Key Vault Certificates Officer": "a4417e6f-fecd-4de8-b567-7b0420556985",
    "Key Vault Crypto Officer": "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
}
AZURE_ROLE_NAMES: dict[str, str] = {role_id: name for name, role_id in AZURE_ROLES.items()}
AZURE_ROLE_OWNER = AZURE_ROLES["Owner"]
AZURE_ROLE_VM_USER_LOGIN = AZURE_ROLES["Virtual Machine User Login"]
AZURE_ROLE_VM_ADMIN_LOGIN = AZURE_ROLES["Virtual Machine Administrator Login"]
AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER = AZURE_ROLES["Desktop Virtualization User"]
AZURE_ROLE_AUTOMATION_JOB_OPERATOR = AZURE_ROLES["Automation Job Operator"]
AZURE_ROLE_KEY_VAULT_SECRETS_OFFICER = AZURE_ROLES["Key Vault Secrets Officer"]
# Roles that read or change what a Key Vault holds (data plane): granted on one vault, never on a resource group,
# subscription or management group (where they reach every vault in it).
KEY_VAULT_DATA_ROLE_IDS = frozenset(
    AZURE_ROLES[n]
    for n in (
        "Key Vault Administrator",
        "Key Vault Secrets Officer",
        "Key Vault Secrets User",
        "Key Vault Certificates Officer",
        "Key Vault Crypto Officer",
        "Key Vault Crypto User",
        "Key Vault Crypto Service Encryption User",
    )
)
# Roles that start jobs or change runbooks in an Automation account: whoever holds one runs code on its Hybrid
# Runbook Workers (domain servers, as Local System), so they are granted on one account, never more widely.
AUTOMATION_JOB_ROLE_IDS = frozenset(
    AZURE_ROLES[n] for n in ("Automation Job Operator", "Automation Operator", "Automation Contributor")
)
# The docs' "Privileged" category (built-in-roles/privileged.md).
PRIVILEGED_AZURE_ROLE_IDS = frozenset(
    AZURE_ROLES[n]
    for n in (
        "Owner",
        "Contributor",
        "User Access Administrator",
        "Role Based Access Control Administrator",
        "Reservations Administrator",
    )
)
CRITICAL_AZURE_ROLE_IDS = frozenset(
    AZURE_ROLES[n] for n in ("Owner", "User Access Administrator", "Role Based Access Control Administrator")
)


_HYPHENLESS = re.compile(r"[0-9a-fA-F]{32}")


def role_guid(value: object) -> str | None:
    """The role GUID (lower case, 8-4-4-4-12) in a role ID, or None when there is none.

    Accepts every form Graph and ARM take for an ID: a bare GUID in either case, in braces or parentheses, without
    hyphens (.NET's "N" format) or as urn:uuid:, and paths that end with one, like
    '/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>',
    '/providers/Microsoft.Authorization/roleDefinitions/<guid>' or '/roleManagement/directory/roleDefinitions/<guid>'.
    """
    if not isinstance(value, str):
        return None
    tail = value.strip().rstrip("/").rsplit("/", 1)[-1].strip()
    if tail[:9].lower() == "urn:uuid:":
        tail = tail[9:]
    if len(tail) > 2 and tail[0] + tail[-1] in ("{}", "()"):
        tail = tail[1:-1].strip()
    if _HYPHENLESS.fullmatch(tail):
        tail = f"{tail[:8]}-{tail[8:12]}-{tail[12:16]}-{tail[16:20]}-{tail[20:]}"
    return tail.lower() if is_guid(tail) else None


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


_ENTRA_BY_NAME = {_name_key(name): role_id for name, role_id in ENTRA_ROLES.items()}


def entra_role_by_name(name: object) -> str | None:
    """The template ID of a built-in Entra role by display name, case- and space-insensitively (Graph matches
    displayName case-insensitively): '  global  ADMINISTRATOR ' is Global Administrator."""
    return _ENTRA_BY_NAME.get(_name_key(name)) if isinstance(name, str) else None


# --- Microsoft Graph application permissions that reach the directory's privileged roles ----------------
# Source: cisagov/ScubaGear PowerShell/ScubaGear/Modules/Permissions/RiskyPermissions.json (Microsoft Graph,
# Application), IDs as Microsoft's permissions reference lists them. An app holding one of these can grant itself
# (or anyone) a privileged role, take over an application that holds one, or rewrite who holds one: an
# AppRoleAssignment of it is standing privileged access, like a directory role. App role IDs are the same in
# every tenant (the Microsoft Graph service principal's object ID is not).

PRIVILEGED_GRAPH_APP_ROLES: dict[str, str] = {
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7": "Directory.ReadWrite.All",
    "62a82d76-70ea-41e2-9197-370581804d09": "Group.ReadWrite.All",
    "dbaae8cf-10b5-4b86-a4a1-f871c94c6695": "GroupMember.ReadWrite.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca": "User.ReadWrite.All",
    "01c0a623-fc9b-48e9-b794-0756f8e8f067": "Policy.ReadWrite.ConditionalAccess",
    "5eb59dd3-1da2-4329-8733-9dabdc435916": "AdministrativeUnit.ReadWrite.All",
}


def custom_role_is_privileged(actions: list[str]) -> bool:
    """A custom role (Entra CustomDirectoryRole allowedResourceActions, or an Azure RoleDefinition's actions) is
    privileged unless every action only reads: one write, delete or wildcard is enough to change who holds what."""
    return any(not a.strip().lower().endswith("/read") for a in actions)
