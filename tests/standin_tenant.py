"""A read-only stand-in of a realistic tenant, for `pum export` (Graph and ARM) and the audit/import tests.

``TenantStandIn`` is a GraphStandIn (same server, bearer check, budget, throttle and failure knobs, recording) that
serves the GET endpoints tenant.endpoints reads, from ``tenant`` (``planted_tenant()`` by default), and nothing
else: any other method, path or query option is answered 400 and recorded as a violation (the export must send
only what it documents). Collections are served ``page_size`` items per page with ``@odata.nextLink`` (Graph) or
``nextLink`` (ARM) on the stand-in's own origin, so paging is exercised.

Graph answers are checked at teardown like the provider stand-in's (graph_models.check_exchange: the URL against
the SDK's request builders, the body against the SDK's models); a follow-up page is recorded with the path and
query of the listing's first request (the nextLink is the server's, not ours). ARM answers follow the ARM list
shape (``{"value": [...], "nextLink"}``) of the Azure REST API specs' Microsoft.Authorization and
Microsoft.DesktopVirtualization list operations; no SDK model checks them here.

``planted_tenant()`` is the tenant of the issue's done-when: two break-glass accounts holding Global Administrator
permanently; a PIM group "PIM Global Administrators" that holds GA actively (the project's pattern) with an owner
(Owen, planted); Mallory holding GA actively and permanently, assigned by hand (planted); Bob with a permanent
eligibility for Privileged Role Administrator (planted); Alice eligible for User Administrator for 180 days; a
block-all CA policy with no exclusions (planted) beside a phishing-resistant policy for admins that excludes the
break-glass accounts; Mallory as Owner of the subscription (planted); a personal PAW host pool.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from typing import Any
from urllib.parse import urlencode

from graph_standin import CALLER, GraphStandIn, Reject, bad, fake_jwt
from privileged_facts.conventions import PAW_RDP_PROPERTIES

TENANT_ID = "7d2f9e43-5b8c-4a16-9e0f-3c1a2b4d5e6f"
SUBSCRIPTION = "4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f"
GA = "62e90394-69f5-4237-9190-012177145e10"
PRA = "e8611ab8-c189-46e8-94e1-60213ab1f814"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"

BREAK_GLASS_1 = "0b1e0001-4c2d-4e6f-8a9b-1c2d3e4f5a01"
BREAK_GLASS_2 = "0b1e0002-4c2d-4e6f-8a9b-1c2d3e4f5a02"
MALLORY = "3a110e77-1b2c-4d3e-8f4a-5b6c7d8e9f01"
BOB = "b0b00001-2c3d-4e5f-9a6b-7c8d9e0f1a02"
ALICE = "a11ce001-2c3d-4e5f-9a6b-7c8d9e0f1a03"
OWEN = "0e1e0001-2c3d-4e5f-9a6b-7c8d9e0f1a04"
GA_GROUP = "9a0a0001-2c3d-4e5f-9a6b-7c8d9e0f1a05"
HELPDESK_AU = "4a0a0001-2c3d-4e5f-9a6b-7c8d9e0f1a06"
BLOCK_ALL = "ca0b0001-2c3d-4e5f-9a6b-7c8d9e0f1a07"
ADMIN_MFA = "ca0b0002-2c3d-4e5f-9a6b-7c8d9e0f1a08"
DOMAIN = "contoso.onmicrosoft.com"
PAW_RDP = PAW_RDP_PROPERTIES  # as the PawHostPool component writes it: Entra authentication, redirections off

_USERS = {
    BREAK_GLASS_1: "Break Glass 1",
    BREAK_GLASS_2: "Break Glass 2",
    MALLORY: "Mallory Hand",
    BOB: "Bob Permanent",
    ALICE: "Alice Admin",
    OWEN: "Owen Owner",
}


def _upn(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + DOMAIN


def _user(object_id: str) -> dict:
    name = _USERS[object_id]
    return {
        "@odata.type": "#microsoft.graph.user",
        "id": object_id,
        "displayName": name,
        "userPrincipalName": _upn(name),
        "accountEnabled": True,
    }


def _permanent(start: str = "2024-03-01T09:00:00Z") -> dict:
    return {"startDateTime": start, "recurrence": None, "expiration": {"type": "noExpiration", "endDateTime": None}}


def _until(start: str, end: str) -> dict:
    return {"startDateTime": start, "recurrence": None, "expiration": {"type": "afterDateTime", "endDateTime": end}}


def _active(schedule_id: str, principal: str, role: str, schedule: dict, scope: str = "/") -> dict:
    return {
        "id": schedule_id,
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": scope,
        "appScopeId": None,
        "createdUsing": schedule_id,
        "createdDateTime": "2024-03-01T09:00:00Z",
        "modifiedDateTime": None,
        "status": "Provisioned",
        "memberType": "Direct",
        "assignmentType": "Assigned",
        "scheduleInfo": schedule,
    }


def _eligible(schedule_id: str, principal: str, role: str, schedule: dict, scope: str = "/") -> dict:
    item = _active(schedule_id, principal, role, schedule, scope)
    del item["assignmentType"]
    return item


def _policy(role: str) -> dict:
    policy_id = f"DirectoryRole_{TENANT_ID}_{role[:8]}"
    return {
        "id": f"{policy_id}_{role}",
        "policyId": policy_id,
        "scopeId": "/",
        "scopeType": "DirectoryRole",
        "roleDefinitionId": role,
        "policy": {
            "id": policy_id,
            "displayName": "DirectoryRole",
            "isOrganizationDefault": False,
            "scopeId": "/",
            "scopeType": "DirectoryRole",
            "rules": [
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                    "id": "Expiration_Admin_Eligibility",
                    "isExpirationRequired": False,
                    "maximumDuration": "P365D",
                    "target": {
                        "caller": "Admin",
                        "operations": ["all"],
                        "level": "Eligibility",
                        "inheritableSettings": [],
                        "enforcedSettings": [],
                    },
                },
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                    "id": "Expiration_EndUser_Assignment",
                    "isExpirationRequired": True,
                    "maximumDuration": "PT8H",
                    "target": {
                        "caller": "EndUser",
                        "operations": ["all"],
                        "level": "Assignment",
                        "inheritableSettings": [],
                        "enforcedSettings": [],
                    },
                },
            ],
        },
    }


def _group_policy(group: str, access: str) -> dict:
    """A PIM for Groups policy assignment as Graph answers it (scopeType Group, roleDefinitionId member|owner):
    activation up to 8 hours with MFA and a justification, eligibility up to 180 days, no approval."""
    policy_id = f"Group_{group}_{access}"
    target = {"operations": ["all"], "inheritableSettings": [], "enforcedSettings": []}
    return {
        "id": f"{policy_id}_{group}_{access}",
        "policyId": policy_id,
        "scopeId": group,
        "scopeType": "Group",
        "roleDefinitionId": access,
        "policy": {
            "id": policy_id,
            "displayName": "Group",
            "isOrganizationDefault": False,
            "scopeId": group,
            "scopeType": "Group",
            "rules": [
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                    "id": "Expiration_Admin_Eligibility",
                    "isExpirationRequired": True,
                    "maximumDuration": "P180D",
                    "target": {**target, "caller": "Admin", "level": "Eligibility"},
                },
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                    "id": "Expiration_Admin_Assignment",
                    "isExpirationRequired": True,
                    "maximumDuration": "P15D",
                    "target": {**target, "caller": "Admin", "level": "Assignment"},
                },
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                    "id": "Expiration_EndUser_Assignment",
                    "isExpirationRequired": True,
                    "maximumDuration": "PT8H",
                    "target": {**target, "caller": "EndUser", "level": "Assignment"},
                },
                {
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
                    "id": "Enablement_EndUser_Assignment",
                    "enabledRules": ["MultiFactorAuthentication", "Justification"],
                    "target": {**target, "caller": "EndUser", "level": "Assignment"},
                },
            ],
        },
    }


def _ca(policy_id: str, name: str, users: dict, grant: dict) -> dict:
    return {
        "id": policy_id,
        "displayName": name,
        "state": "enabled",
        "createdDateTime": "2024-03-01T09:00:00Z",
        "modifiedDateTime": None,
        "templateId": None,
        "conditions": {
            "userRiskLevels": [],
            "signInRiskLevels": [],
            "clientAppTypes": ["all"],
            "platforms": None,
            "locations": None,
            "devices": None,
            "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
            "users": {
                "includeUsers": [],
                "excludeUsers": [],
                "includeGroups": [],
                "excludeGroups": [],
                "includeRoles": [],
                "excludeRoles": [],
                **users,
            },
        },
        "grantControls": {"customAuthenticationFactors": [], "termsOfUse": [], **grant},
        "sessionControls": None,
    }


def _arm(kind: str, name: str, scope: str, properties: dict) -> dict:
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/{kind}/{name}",
        "name": name,
        "type": f"Microsoft.Authorization/{kind}",
        "properties": properties,
    }


def _role_id(scope: str, role: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def planted_tenant() -> dict[str, Any]:
    """The done-when tenant (module docstring): Graph collections by export name, per-group ones by group ID, the
    directory objects by ID, and ARM collections by name and scope."""
    subscription = f"/subscriptions/{SUBSCRIPTION}"
    resource_group = f"{subscription}/resourceGroups/rg-workloads"
    return {
        "roleDefinitions": [
            {"id": role, "templateId": role, "displayName": name, "isBuiltIn": True, "isEnabled": True}
            for role, name in (
                (GA, "Global Administrator"),
                (PRA, "Privileged Role Administrator"),
                (USER_ADMIN, "User Administrator"),
            )
        ],
        "roleAssignments": [
            {
                "id": f"ra-{schedule}",
                "principalId": principal,
                "roleDefinitionId": GA,
                "directoryScopeId": "/",
                "appScopeId": None,
            }
            for schedule, principal in (
                ("bg1-ga", BREAK_GLASS_1),
                ("bg2-ga", BREAK_GLASS_2),
                ("group-ga", GA_GROUP),
                ("mallory-ga", MALLORY),
            )
        ],
        "roleAssignmentSchedules": [
            _active("bg1-ga", BREAK_GLASS_1, GA, _permanent()),
            _active("bg2-ga", BREAK_GLASS_2, GA, _permanent()),
            _active("group-ga", GA_GROUP, GA, _permanent()),
            _active("mallory-ga", MALLORY, GA, _permanent("2026-11-20T16:42:00Z")),
        ],
        "roleEligibilitySchedules": [
            _eligible("alice-ua", ALICE, USER_ADMIN, _until("2026-10-01T00:00:00Z", "2027-03-30T00:00:00Z")),
            _eligible("bob-pra", BOB, PRA, _permanent("2025-06-01T00:00:00Z")),
        ],
        "roleManagementPolicyAssignments": [_policy(GA), _policy(PRA), _policy(USER_ADMIN)],
        "groups": [
            {
                "id": GA_GROUP,
                "displayName": "PIM Global Administrators",
                "isAssignableToRole": True,
                "securityEnabled": True,
                "mailEnabled": False,
                "onPremisesSyncEnabled": None,
            }
        ],
        "groupOwners": {GA_GROUP: [{"@odata.type": "#microsoft.graph.user", "id": OWEN, "displayName": _USERS[OWEN]}]},
        "groupMembers": {GA_GROUP: []},
        "groupEligibilitySchedules": {
            GA_GROUP: [
                {
                    "id": "alice-ga-group",
                    "groupId": GA_GROUP,
                    "principalId": ALICE,
                    "accessId": "member",
                    "memberType": "direct",
                    "status": "Provisioned",
                    "createdUsing": "alice-ga-group",
                    "createdDateTime": "2026-10-01T00:00:00Z",
                    "modifiedDateTime": None,
                    "scheduleInfo": _until("2026-10-01T00:00:00Z", "2027-03-30T00:00:00Z"),
                }
            ]
        },
        "groupAssignmentSchedules": {GA_GROUP: []},
        "groupPolicyAssignments": {GA_GROUP: [_group_policy(GA_GROUP, "member")]},
        "administrativeUnits": [
            {"id": HELPDESK_AU, "displayName": "Helpdesk users", "description": "", "visibility": None}
        ],
        "conditionalAccessPolicies": [
            _ca(
                BLOCK_ALL,
                "Block legacy everything",
                {"includeUsers": ["All"]},
                {"operator": "OR", "builtInControls": ["block"], "authenticationStrength": None},
            ),
            _ca(
                ADMIN_MFA,
                "Admins: phishing-resistant MFA",
                {"includeRoles": [GA, PRA, USER_ADMIN], "excludeUsers": [BREAK_GLASS_1, BREAK_GLASS_2]},
                {
                    "operator": "OR",
                    "builtInControls": [],
                    "authenticationStrength": {
                        "id": PHISHING_RESISTANT,
                        "displayName": "Phishing-resistant MFA",
                        "policyType": "builtIn",
                        "requirementsSatisfied": "mfa",
                        "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
                    },
                },
            ),
        ],
        "namedLocations": [],
        "authenticationStrengthPolicies": [
            {
                "id": PHISHING_RESISTANT,
                "displayName": "Phishing-resistant MFA",
                "policyType": "builtIn",
                "requirementsSatisfied": "mfa",
                "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
            }
        ],
        "authenticationContextClassReferences": [],
        "accessPackages": [],
        "assignmentPolicies": [],
        "privateAccessApplications": [],
        "directoryObjects": {object_id: _user(object_id) for object_id in _USERS}
        | {
            GA_GROUP: {
                "@odata.type": "#microsoft.graph.group",
                "id": GA_GROUP,
                "displayName": "PIM Global Administrators",
            }
        },
        "arm": {
            "roleAssignments": {
                subscription: [
                    _arm(
                        "roleAssignments",
                        "5f0c0001-2c3d-4e5f-9a6b-7c8d9e0f1a09",
                        subscription,
                        {
                            "roleDefinitionId": _role_id(subscription, OWNER),
                            "principalId": MALLORY,
                            "principalType": "User",
                            "scope": subscription,
                            "createdOn": "2026-11-20T16:45:00Z",
                        },
                    ),
                    _arm(
                        "roleAssignments",
                        "5f0c0002-2c3d-4e5f-9a6b-7c8d9e0f1a10",
                        resource_group,
                        {
                            "roleDefinitionId": _role_id(subscription, READER),
                            "principalId": ALICE,
                            "principalType": "User",
                            "scope": resource_group,
                            "createdOn": "2026-01-10T10:00:00Z",
                        },
                    ),
                ]
            },
            "roleEligibilitySchedules": {subscription: []},
            "roleAssignmentSchedules": {subscription: []},
            "roleManagementPolicies": {subscription: []},
            "hostPools": {
                SUBSCRIPTION: [
                    {
                        "id": f"{subscription}/resourceGroups/rg-paw/providers/"
                        "Microsoft.DesktopVirtualization/hostPools/paw",
                        "name": "paw",
                        "type": "Microsoft.DesktopVirtualization/hostPools",
                        "location": "westeurope",
                        "tags": {"pum-role": "paw"},
                        "properties": {
                            "hostPoolType": "Personal",
                            "personalDesktopAssignmentType": "Direct",
                            "loadBalancerType": "Persistent",
                            "preferredAppGroupType": "Desktop",
                            "publicNetworkAccess": "Disabled",
                            "startVMOnConnect": True,
                            "validationEnvironment": False,
                            "customRdpProperty": PAW_RDP,
                        },
                    }
                ]
            },
        },
    }


def tenant_token() -> str:
    """A JWT-shaped token as Entra issues it: the caller's ``oid`` and the tenant's ``tid`` (read by the export)."""
    header, _, rest = fake_jwt(CALLER).partition(".")
    claims = {"oid": CALLER, "tid": TENANT_ID}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{body}.sig"


def _page(standin: TenantStandIn, items: list, path: str, query: dict, link_key: str) -> dict:
    start = int(query.get("$skiptoken") or query.get("$skipToken") or 0)
    end = start + standin.page_size
    page: dict[str, Any] = {"value": copy.deepcopy(items[start:end])}
    if end < len(items):
        rest = {k: v for k, v in query.items() if k not in ("$skiptoken", "$skipToken")}
        token = "$skipToken" if link_key == "nextLink" else "$skiptoken"
        page[link_key] = f"{standin.url}{path}?" + urlencode({**rest, token: end}, safe="$',()/ ")
    return page


_GROUP_FILTER = re.compile(r"groupId eq '([0-9a-f-]{36})'")
_POLICY_FILTER = re.compile(r"scopeId eq '([0-9a-f-]{36}|/)' and scopeType eq '(DirectoryRole|Group)'")


class TenantStandIn(GraphStandIn):
    """The read-only tenant stand-in (module docstring)."""

    def __init__(self, tenant: dict[str, Any] | None = None, page_size: int = 2, **kwargs: Any) -> None:
        super().__init__(**{"token": tenant_token(), **kwargs})
        self.tenant = tenant if tenant is not None else planted_tenant()
        self.page_size = page_size
        self.first_pages: dict[str, str] = {}  # nextLink path+query -> the listing's first raw path

    def _route(self, record: Any, length: int) -> tuple[int, Any, dict]:
        if record.method != "GET":
            raise bad(f"the export sent {record.method} {record.path}: it must only read")
        gated = self._gate(record, length)  # the server's knobs, as the provider stand-in has them
        if gated is not None:
            return gated
        raw = record.raw_path
        if any(k in record.query for k in ("$skiptoken", "$skipToken")):
            record.raw_path = self.first_pages.get(raw, raw)
        return 200, self._answer(record.path, record.query, raw), {}

    def _answer(self, path: str, query: dict, raw: str) -> Any:
        t = self.tenant
        base = {k: v for k, v in query.items() if k not in ("$skiptoken", "$skipToken")}
        arm = path.startswith(("/subscriptions/", "/providers/"))
        match = re.fullmatch(r"/v1\.0/directoryObjects/([0-9a-f-]{36})", path)
        if match:
            if base:
                raise bad(f"query options {sorted(base)} on {path}")
            found = t["directoryObjects"].get(match.group(1))
            if found is None:
                raise Reject(404, "Request_ResourceNotFound", f"Resource '{match.group(1)}' does not exist.")
            return copy.deepcopy(found)
        items = self._collection(path, base, arm)
        page = _page(self, items, path, query, "nextLink" if arm else "@odata.nextLink")
        link = page.get("nextLink") or page.get("@odata.nextLink")
        if link:
            self.first_pages[link[len(self.url) :]] = self.first_pages.get(raw, raw)
        return page

    def _collection(self, path: str, query: dict, arm: bool) -> list:
        from tenant.endpoints import ALL

        t = self.tenant
        for endpoint in ALL:
            if endpoint.single or (endpoint.api == "arm") != arm:
                continue
            pattern = re.escape(endpoint.path)
            for key in ("{groupId}", "{scope}", "{subscription}"):
                pattern = pattern.replace(re.escape(key), "(?P<key>.+?)")
            match = re.fullmatch(pattern, path)
            if not match:
                continue
            key = match.groupdict().get("key")
            if endpoint.per == "group" and "$filter" in endpoint.params:
                filtered = (_GROUP_FILTER if "groupId eq" in endpoint.params["$filter"] else _POLICY_FILTER).search(
                    query.get("$filter", "")
                )
                key = filtered.group(1) if filtered else None
            wanted = endpoint.request(key)[1] if key is not None or endpoint.per is None else None
            if wanted != query:
                continue  # another endpoint of the same path (the role policies of groups and of roles)
            source = t["arm"][endpoint.name] if arm else t[endpoint.name]
            if endpoint.per is None:
                return source
            if key not in source:
                raise Reject(404, "ResourceNotFound", f"no {endpoint.name} for {key}")
            return source[key]
        raise bad(f"the stand-in tenant serves no GET {path} with {query}")


_V1 = "msgraph.generated.models."
_DIRECTORY = "/v1.0/roleManagement/directory/"
_PIM_GROUPS = "/v1.0/identityGovernance/privilegedAccess/group/"
_EM = "/v1.0/identityGovernance/entitlementManagement/"
_CA = "/v1.0/identity/conditionalAccess/"


def _listing(template: str, model: str, builder: str) -> tuple[Any, ...]:
    return ("GET", template, None, f"{_V1}{model}_collection_response.{_camel(model)}CollectionResponse", 200, builder)


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


# graph_models.Endpoint arguments for the export's GETs the provider stand-ins' tables do not already hold
ENDPOINTS: list[tuple[Any, ...]] = [
    _listing(_DIRECTORY + "roleDefinitions", "unified_role_definition", "role_management.directory.role_definitions"),
    _listing(_DIRECTORY + "roleAssignments", "unified_role_assignment", "role_management.directory.role_assignments"),
    _listing(
        _DIRECTORY + "roleAssignmentSchedules",
        "unified_role_assignment_schedule",
        "role_management.directory.role_assignment_schedules",
    ),
    _listing("/v1.0/groups", "group", "groups"),
    _listing("/v1.0/groups/{groupId}/owners", "directory_object", "groups[groupId].owners"),
    _listing("/v1.0/groups/{groupId}/members", "directory_object", "groups[groupId].members"),
    _listing(
        _PIM_GROUPS + "eligibilitySchedules",
        "privileged_access_group_eligibility_schedule",
        "identity_governance.privileged_access.group.eligibility_schedules",
    ),
    _listing(
        _PIM_GROUPS + "assignmentSchedules",
        "privileged_access_group_assignment_schedule",
        "identity_governance.privileged_access.group.assignment_schedules",
    ),
    _listing("/v1.0/directory/administrativeUnits", "administrative_unit", "directory.administrative_units"),
    _listing(_CA + "policies", "conditional_access_policy", "identity.conditional_access.policies"),
    _listing(
        _CA + "authenticationContextClassReferences",
        "authentication_context_class_reference",
        "identity.conditional_access.authentication_context_class_references",
    ),
    _listing(_CA + "namedLocations", "named_location", "identity.conditional_access.named_locations"),
    _listing(
        "/v1.0/policies/authenticationStrengthPolicies",
        "authentication_strength_policy",
        "policies.authentication_strength_policies",
    ),
    _listing(_EM + "accessPackages", "access_package", "identity_governance.entitlement_management.access_packages"),
    _listing(
        _EM + "assignmentPolicies",
        "access_package_assignment_policy",
        "identity_governance.entitlement_management.assignment_policies",
    ),
    (
        "GET",
        "/v1.0/directoryObjects/{directoryObjectId}",
        None,
        _V1 + "directory_object.DirectoryObject",
        200,
        "directory_objects[directoryObjectId]",
    ),
]
