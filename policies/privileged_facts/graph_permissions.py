"""Microsoft Graph application permissions (app roles of the Microsoft Graph service principal) that automation
identities hold, and which Graph calls need which of them.

App-role IDs: Microsoft Graph permissions reference (https://learn.microsoft.com/graph/permissions-reference),
"Application" IDs; the same IDs appear in the Graph service principal's ``appRoles`` of every tenant.
Least-privileged permissions per call: the "Permissions" table of each API page:
- bulkUpload: https://learn.microsoft.com/graph/api/synchronization-synchronizationjob-post-bulkupload
  (SynchronizationData-User.Upload);
- create temporaryAccessPassMethod: https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods
  (UserAuthMethod-TAP.ReadWrite.All; higher: UserAuthenticationMethod.ReadWrite.All);
- user: sendMail: https://learn.microsoft.com/graph/api/user-sendmail (Mail.Send);
- get user / manager: https://learn.microsoft.com/graph/api/user-get (User.Read.All);
- add group member: https://learn.microsoft.com/graph/api/group-post-members (GroupMember.ReadWrite.All);
- resume an assignment request (custom extension callback):
  https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume (EntitlementManagement.ReadWrite.All).
Standard library only (the policy pack imports it).
"""

from __future__ import annotations

import re

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

APP_ROLE_IDS: dict[str, str] = {
    # what the journey automation's steps need
    "SynchronizationData-User.Upload": "db31e92a-b9ea-4d87-bf6a-75a37a9ca35a",
    "UserAuthMethod-TAP.ReadWrite.All": "627169a8-8c15-451c-861a-5b80e383de5c",
    "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    # directory-wide write permissions (never needed by a journey step unless a step calls what they govern)
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
    "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
    "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
    "GroupMember.ReadWrite.All": "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
    "UserAuthenticationMethod.ReadWrite.All": "50483e42-d915-4231-9639-7fdb7fd190e5",
    "EntitlementManagement.ReadWrite.All": "9acd699f-1e81-4958-b001-93b1d2506e19",
    "Synchronization.ReadWrite.All": "9b50c33d-700f-43b1-b2eb-87e89b703581",
}
APP_ROLE_NAMES: dict[str, str] = {v: k for k, v in APP_ROLE_IDS.items()}

READ_ONLY_ROLES = frozenset({"User.Read.All"})
"""Roles that change nothing (never a violation of the write-permission rule)."""

DIRECTORY_WRITE_ROLES = frozenset(
    {
        "Directory.ReadWrite.All",
        "RoleManagement.ReadWrite.Directory",
        "AppRoleAssignment.ReadWrite.All",
        "Application.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
        "User.ReadWrite.All",
        "Group.ReadWrite.All",
        "GroupMember.ReadWrite.All",
        "UserAuthenticationMethod.ReadWrite.All",
        "UserAuthMethod-TAP.ReadWrite.All",
        "EntitlementManagement.ReadWrite.All",
        "Synchronization.ReadWrite.All",
        "SynchronizationData-User.Upload",
        "Mail.Send",
    }
)
"""Tenant-wide write permissions: an automation identity may hold one only when a step of its workflow calls an
API that needs it (``needed_for``)."""

# (method, path regex after /v1.0 or /beta, permissions any one of which the call needs, least privileged first)
_CALLS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("POST", r"/servicePrincipals/[^/]+/synchronization/jobs/[^/]+/bulkUpload", ("SynchronizationData-User.Upload",)),
    (
        "POST",
        r"/users/[^/]+/authentication/temporaryAccessPassMethods",
        ("UserAuthMethod-TAP.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"),
    ),
    ("POST", r"/users/[^/]+/sendMail", ("Mail.Send",)),
    ("GET", r"/users/[^/]+(/manager)?", ("User.Read.All",)),
    ("POST", r"/groups/[^/]+/members/\$ref", ("GroupMember.ReadWrite.All", "Group.ReadWrite.All")),
    ("DELETE", r"/groups/[^/]+/members/[^/]+/\$ref", ("GroupMember.ReadWrite.All", "Group.ReadWrite.All")),
    (
        "POST",
        r"/identityGovernance/entitlementManagement/assignmentRequests/[^/]+/resume",
        ("EntitlementManagement.ReadWrite.All",),
    ),
)
GRAPH_ORIGIN = "https://graph.microsoft.com"
_EXPR = re.compile(r"@\{[^}]*\}|@[A-Za-z]+\([^)]*\)")


def graph_path(uri: str) -> str | None:
    """The Graph path of a Logic App HTTP action's URI (expressions such as ``@{parameters('x')}`` stand for one
    segment each), or None when the URI is not a Graph URI."""
    if not isinstance(uri, str) or not uri.lower().startswith(GRAPH_ORIGIN + "/"):
        return None
    path = _EXPR.sub("X", uri[len(GRAPH_ORIGIN) :]).split("?", 1)[0]
    return re.sub(r"^/(v1\.0|beta)", "", path)


def needed_for(method: str, uri: str) -> tuple[str, ...] | None:
    """The permissions a Graph call needs (any one of them), () for a call outside Graph, None for a Graph call
    this table does not know (the caller cannot tell what it needs: unverified)."""
    path = graph_path(uri)
    if path is None:
        return ()
    for verb, pattern, permissions in _CALLS:
        if verb == str(method).upper() and re.fullmatch(pattern, path):
            return permissions
    return None
