"""What `pum export` reads: every Graph and ARM request, by the name its file has in the export (one home for them).

Each endpoint is read-only (GET). ``per`` says what a request is made for: nothing (once for the tenant), each
role-assignable group (``group``), each principal the role data names (``principal``), each ARM scope given
(``scope``), or each subscription of those scopes (``subscription``). Permissions are the least-privileged
application permissions Microsoft documents for each (README "Existing tenants"); the export needs no write
permission anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GROUP_KEY = "{groupId}"
PRINCIPAL_KEY = "{principalId}"
SCOPE_KEY = "{scope}"
SUBSCRIPTION_KEY = "{subscription}"


@dataclass(frozen=True)
class Endpoint:
    """One read of the export: ``name`` is its file (``<api>/<name>.json``, or ``<api>/<name>/<key>.json`` per
    object), ``path`` its URL path (with the ``per`` key in braces), ``params`` its query."""

    name: str
    api: str  # "graph" | "arm"
    path: str
    params: dict[str, str] = field(default_factory=dict)
    per: str | None = None  # None | "group" | "principal" | "scope" | "subscription"
    single: bool = False  # one object, not a collection
    permission: str = ""

    def request(self, key: str | None = None) -> tuple[str, dict[str, str]]:
        """The path and query of the request for ``key`` (a group, principal, scope or subscription)."""
        path, params = self.path, dict(self.params)
        if key is not None:
            path = path.replace(_KEYS[self.per or ""], key)
            params = {name: value.replace(_KEYS[self.per or ""], key) for name, value in params.items()}
        return path, params


_KEYS = {"group": GROUP_KEY, "principal": PRINCIPAL_KEY, "scope": SCOPE_KEY, "subscription": SUBSCRIPTION_KEY}
_DIRECTORY = "/v1.0/roleManagement/directory"
_POLICY_EXPAND = "policy($expand=rules)"
_ENTITLEMENT = "/v1.0/identityGovernance/entitlementManagement"
_PIM_GROUPS = "/v1.0/identityGovernance/privilegedAccess/group"
_AUTHORIZATION = SCOPE_KEY + "/providers/Microsoft.Authorization"
_PIM_API = {"api-version": "2020-10-01"}

GRAPH: tuple[Endpoint, ...] = (
    Endpoint("roleDefinitions", "graph", f"{_DIRECTORY}/roleDefinitions", permission="RoleManagement.Read.Directory"),
    Endpoint(
        "roleAssignments",
        "graph",
        f"{_DIRECTORY}/roleAssignments",
        permission="RoleManagement.Read.Directory",
    ),
    Endpoint(
        "roleAssignmentSchedules",
        "graph",
        f"{_DIRECTORY}/roleAssignmentSchedules",
        permission="RoleManagement.Read.Directory",
    ),
    Endpoint(
        "roleEligibilitySchedules",
        "graph",
        f"{_DIRECTORY}/roleEligibilitySchedules",
        permission="RoleManagement.Read.Directory",
    ),
    Endpoint(
        "roleManagementPolicyAssignments",
        "graph",
        "/v1.0/policies/roleManagementPolicyAssignments",
        {"$filter": "scopeId eq '/' and scopeType eq 'DirectoryRole'", "$expand": _POLICY_EXPAND},
        permission="RoleManagementPolicy.Read.Directory",
    ),
    Endpoint(
        "groups",
        "graph",
        "/v1.0/groups",
        {
            "$filter": "isAssignableToRole eq true",
            "$select": "id,displayName,isAssignableToRole,securityEnabled,mailEnabled,onPremisesSyncEnabled",
        },
        permission="GroupMember.Read.All",
    ),
    Endpoint(
        "groupOwners",
        "graph",
        f"/v1.0/groups/{GROUP_KEY}/owners",
        {"$select": "id,displayName"},
        per="group",
        permission="GroupMember.Read.All",
    ),
    Endpoint(
        "groupMembers",
        "graph",
        f"/v1.0/groups/{GROUP_KEY}/members",
        {"$select": "id,displayName"},
        per="group",
        permission="GroupMember.Read.All",
    ),
    Endpoint(
        "groupEligibilitySchedules",
        "graph",
        f"{_PIM_GROUPS}/eligibilitySchedules",
        {"$filter": f"groupId eq '{GROUP_KEY}'"},
        per="group",
        permission="PrivilegedEligibilitySchedule.Read.AzureADGroup",
    ),
    Endpoint(
        "groupAssignmentSchedules",
        "graph",
        f"{_PIM_GROUPS}/assignmentSchedules",
        {"$filter": f"groupId eq '{GROUP_KEY}'"},
        per="group",
        permission="PrivilegedAssignmentSchedule.Read.AzureADGroup",
    ),
    Endpoint(
        "groupPolicyAssignments",
        "graph",
        "/v1.0/policies/roleManagementPolicyAssignments",
        {"$filter": f"scopeId eq '{GROUP_KEY}' and scopeType eq 'Group'", "$expand": _POLICY_EXPAND},
        per="group",
        permission="RoleManagementPolicy.Read.AzureADGroup",
    ),
    Endpoint(
        "administrativeUnits",
        "graph",
        "/v1.0/directory/administrativeUnits",
        permission="AdministrativeUnit.Read.All",
    ),
    Endpoint(
        "conditionalAccessPolicies",
        "graph",
        "/v1.0/identity/conditionalAccess/policies",
        permission="Policy.Read.All",
    ),
    Endpoint(
        "namedLocations",
        "graph",
        "/v1.0/identity/conditionalAccess/namedLocations",
        permission="Policy.Read.All",
    ),
    Endpoint(
        "authenticationStrengthPolicies",
        "graph",
        "/v1.0/policies/authenticationStrengthPolicies",
        permission="Policy.Read.All",
    ),
    Endpoint(
        "authenticationContextClassReferences",
        "graph",
        "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
        permission="AuthenticationContext.Read.All",
    ),
    Endpoint(
        "accessPackages",
        "graph",
        f"{_ENTITLEMENT}/accessPackages",
        {"$expand": "resourceRoleScopes($expand=role,scope)"},
        permission="EntitlementManagement.Read.All",
    ),
    Endpoint(
        "assignmentPolicies",
        "graph",
        f"{_ENTITLEMENT}/assignmentPolicies",
        {"$expand": "accessPackage"},
        permission="EntitlementManagement.Read.All",
    ),
    Endpoint(
        "privateAccessApplications",
        "graph",
        "/beta/applications",
        {
            "$filter": "tags/any(t:t eq 'PrivateAccessNonWebApplication') or "
            "tags/any(t:t eq 'NetworkAccessQuickAccessApplication')"
        },
        permission="Application.Read.All",
    ),
    Endpoint(
        "directoryObjects",
        "graph",
        f"/v1.0/directoryObjects/{PRINCIPAL_KEY}",
        per="principal",
        single=True,
        permission="Directory.Read.All",
    ),
)

ARM: tuple[Endpoint, ...] = (
    Endpoint(
        "roleAssignments",
        "arm",
        f"{_AUTHORIZATION}/roleAssignments",
        {"api-version": "2022-04-01"},
        per="scope",
        permission="Microsoft.Authorization/roleAssignments/read",
    ),
    Endpoint(
        "roleEligibilitySchedules",
        "arm",
        f"{_AUTHORIZATION}/roleEligibilitySchedules",
        _PIM_API,
        per="scope",
        permission="Microsoft.Authorization/roleEligibilitySchedules/read",
    ),
    Endpoint(
        "roleAssignmentSchedules",
        "arm",
        f"{_AUTHORIZATION}/roleAssignmentSchedules",
        _PIM_API,
        per="scope",
        permission="Microsoft.Authorization/roleAssignmentSchedules/read",
    ),
    Endpoint(
        "roleManagementPolicies",
        "arm",
        f"{_AUTHORIZATION}/roleManagementPolicies",
        _PIM_API,
        per="scope",
        permission="Microsoft.Authorization/roleManagementPolicies/read",
    ),
    Endpoint(
        "hostPools",
        "arm",
        f"/subscriptions/{SUBSCRIPTION_KEY}/providers/Microsoft.DesktopVirtualization/hostPools",
        {"api-version": "2024-04-03"},
        per="subscription",
        permission="Microsoft.DesktopVirtualization/hostpools/read",
    ),
)

ALL: tuple[Endpoint, ...] = GRAPH + ARM
