"""The detections for privileged users, as KQL: one `Detection` per analytics rule (docs/monitoring.md explains each
and what to do when it fires).

Each query reads only the log tables it names in `tables` and only their documented columns
(tests/test_detections_kql.py checks both against tests/fixtures/log_tables.json). Every rule runs every five
minutes over an hour of data and keeps the rows *ingested* in the last five minutes (`ingestion_time()`), so a
sign-in that reaches the workspace late (Entra logs can take minutes) is still seen, and seen once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from privileged_facts.detections import FRESH, break_glass_query, kql_list
from privileged_facts.roles import CRITICAL_ROLE_IDS, ENTRA_ROLE_NAMES

FREQUENCY = "PT5M"
PERIOD = "PT1H"

PIM_ACTIVATION = "Add member to role completed (PIM activation)"
CHANGE_OPERATIONS = (
    "Add Conditional Access policy",
    "Update Conditional Access policy",
    "Delete Conditional Access policy",
    "Add named location",
    "Update named location",
    "Delete named location",
    "Update role setting in PIM",
    "Add AuthenticationContextClassReference",
    "Update AuthenticationContextClassReference",
    "Delete AuthenticationContextClassReference",
    "Update continuous access evaluation",
    "Update security defaults",
)
"""AuditLogs OperationName values of the changes detection 4 alerts on: Microsoft's audit activity reference
(entra-docs docs/identity/monitoring-health/reference-audit-activities.md; compared case-insensitively)."""

PIM_SERVICE_NAMES = ("MS-PIM", "MS-PIM-Fairfax")
"""The initiator of the Core Directory "Add member to role" events PIM itself causes (Azure-Sentinel, Solutions/
Microsoft Entra ID/Analytic Rules/PrivlegedRoleAssignedOutsidePIM.yaml)."""

ENTRA_JOINED = ("AzureAD Joined", "Azure AD joined", "Microsoft Entra joined")
"""SigninLogs DeviceDetail.trustType of an Entra-joined device: Graph's deviceDetail documents "AzureAD Joined";
the portal has shown the others (compared case-insensitively)."""


@dataclass(frozen=True)
class Detection:
    """One scheduled analytics rule."""

    key: str
    display_name: str
    description: str
    severity: str
    query: str
    tables: tuple[str, ...]
    tactics: tuple[str, ...]
    query_period: str = PERIOD


def break_glass_sign_in(upns: Sequence[str]) -> Detection:
    """Any sign-in attempt, interactive or not, successful or not, by a break-glass account (Microsoft's guidance
    for emergency access accounts: alert on every one). The query is privileged_facts.detections' (the pack accepts
    exactly it)."""
    query = break_glass_query(upns)
    return Detection(
        "break-glass-sign-in",
        "PUM: break-glass account sign-in",
        "A break-glass (emergency access) account signed in or tried to. Every use is an incident.",
        "High",
        query,
        ("SigninLogs", "AADNonInteractiveUserSignInLogs"),
        ("InitialAccess", "PrivilegeEscalation"),
    )


def tier0_activation_outside_paw(device_prefix: str, window_minutes: int) -> Detection:
    """A PIM activation of a tier-0 role (Global, Privileged Role and Privileged Authentication Administrator) by
    someone with no successful sign-in from a PAW session host (Entra-joined, named <prefix>-) in the window
    before it."""
    tier0 = sorted(CRITICAL_ROLE_IDS)
    names = sorted(ENTRA_ROLE_NAMES[i] for i in tier0 if i in ENTRA_ROLE_NAMES)
    query = "\n".join(
        [
            f"let tier0Ids = {kql_list(tier0)};",
            f"let tier0Names = {kql_list(names)};",
            "let pawUsers = SigninLogs",
            f"    | where TimeGenerated > ago({window_minutes + 5}m)",
            '    | where ResultType == "0"',
            f"    | where tostring(DeviceDetail.displayName) startswith {json.dumps(device_prefix + '-')}",
            f"    | where tostring(DeviceDetail.trustType) in~ ({', '.join(json.dumps(t) for t in ENTRA_JOINED)})",
            "    | distinct UserId;",
            "AuditLogs",
            FRESH,
            f"| where OperationName == {json.dumps(PIM_ACTIVATION)}",
            "| mv-expand Target = TargetResources",
            '| where tostring(Target.type) == "Role"',
            "| extend RoleId = tostring(Target.id), RoleName = tostring(Target.displayName)",
            "| where RoleId in~ (tier0Ids) or RoleName in~ (tier0Names)",
            "| extend ActorId = tostring(InitiatedBy.user.id), Actor = tostring(InitiatedBy.user.userPrincipalName)",
            "| where ActorId !in (pawUsers)",
            "| project TimeGenerated, Actor, ActorId, RoleName, RoleId, Result, CorrelationId",
        ]
    )
    return Detection(
        "tier0-activation-outside-paw",
        "PUM: tier-0 role activated outside the PAW",
        "A tier-0 role was activated in PIM by someone who had not signed in from a PAW session host in the window "
        "before. The authentication context should have prevented it: find out how.",
        "High",
        query,
        ("AuditLogs", "SigninLogs"),
        ("PrivilegeEscalation", "DefenseEvasion"),
        query_period=f"PT{max(60, window_minutes + 10)}M",
    )


def role_assigned_outside_pim() -> Detection:
    """An Entra role assigned directly (standing access created by hand), not through PIM."""
    query = "\n".join(
        [
            "AuditLogs",
            FRESH,
            '| where Category == "RoleManagement"',
            "| extend Actor = coalesce(tostring(InitiatedBy.user.userPrincipalName), "
            "tostring(InitiatedBy.app.displayName))",
            '| where OperationName has "outside of PIM"',
            f'    or (OperationName == "Add member to role" and LoggedByService == "Core Directory"'
            f" and Actor !in ({', '.join(json.dumps(n) for n in PIM_SERVICE_NAMES)}))",
            "| mv-expand Target = TargetResources",
            "| extend TargetName = coalesce(tostring(Target.userPrincipalName), tostring(Target.displayName)), "
            "TargetType = tostring(Target.type)",
            "| project TimeGenerated, OperationName, Actor, TargetName, TargetType, Result, CorrelationId",
        ]
    )
    return Detection(
        "role-assigned-outside-pim",
        "PUM: privileged role assigned outside PIM",
        "An Entra role was assigned outside PIM: standing access nobody reviewed. Remove it unless the stack "
        "declares it (break-glass).",
        "High",
        query,
        ("AuditLogs",),
        ("Persistence", "PrivilegeEscalation"),
    )


def privileged_configuration_changed(break_glass_upns: Sequence[str]) -> Detection:
    """A change to a conditional access policy, a named location, PIM role settings or an authentication context,
    or any change to a break-glass account. Changes the pipeline makes fire too: compare with the last deployment."""
    query = "\n".join(
        [
            f"let operations = {kql_list(CHANGE_OPERATIONS)};",
            f"let breakGlass = {kql_list(sorted(u.lower() for u in break_glass_upns))};",
            "AuditLogs",
            FRESH,
            "| where OperationName in~ (operations) or TargetResources has_any (breakGlass)",
            "| extend Actor = coalesce(tostring(InitiatedBy.user.userPrincipalName), "
            "tostring(InitiatedBy.app.displayName))",
            "| project TimeGenerated, OperationName, Category, LoggedByService, Actor, TargetResources, Result, "
            "CorrelationId",
        ]
    )
    return Detection(
        "privileged-configuration-changed",
        "PUM: conditional access, PIM settings, authentication context or break-glass changed",
        "A control that keeps privileged access safe changed. If no deployment of the stack made it, revert it "
        "(pulumi up) and find out who did.",
        "Medium",
        query,
        ("AuditLogs",),
        ("DefenseEvasion", "Persistence"),
    )


def detections(*, break_glass_upns: Sequence[str], paw_prefix: str | None, window_minutes: int) -> list[Detection]:
    """The detections a stack gets: the tier-0 one only with a PAW to compare with, the break-glass one only with
    break-glass accounts."""
    found = []
    if break_glass_upns:
        found.append(break_glass_sign_in(break_glass_upns))
    if paw_prefix:
        found.append(tier0_activation_outside_paw(paw_prefix, window_minutes))
    found += [role_assigned_outside_pim(), privileged_configuration_changed(break_glass_upns)]
    return found


def routing_query(display_names: Sequence[str]) -> str:
    """The Azure Monitor alert that sends the detections' alerts to the action group: Sentinel writes each alert to
    SecurityAlert."""
    return "\n".join(
        [
            f"let rules = {kql_list(sorted(display_names))};",
            "SecurityAlert",
            '| where ProductName == "Azure Sentinel"',
            "| where AlertName in (rules)",
            "| project TimeGenerated, AlertName, AlertSeverity, Description, SystemAlertId",
        ]
    )
