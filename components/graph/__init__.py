"""Pulumi dynamic providers over Microsoft Graph, for what pulumi-azuread cannot declare.

Modules (each resource carries the input ``graphKind`` so policies can recognise it):
- ``client``: a small Graph client (token, bounded retries on 429/5xx honouring Retry-After,
  eventual-consistency 404 after creates, ``GraphError``).
- ``role_settings``: ``EntraRoleSettings`` (``entraRoleSettings``), the PIM policy rules of an Entra
  directory role, and ``build_role_rules``.
- ``role_eligibility``: ``DirectoryRoleEligibility`` (``directoryRoleEligibility``), time-bound role
  eligibility (never ``noExpiration``).
- ``private_access``: ``PrivateAccessApplication`` (``privateAccessApp``), an Entra Private Access app
  with its segments, connector group and group assignments (Graph beta).
- ``lifecycle``: ``LeaverWorkflow`` (``lifecycleWorkflow``), a Lifecycle Workflows leaver workflow.
- ``authentication_context``: ``AuthenticationContext`` (``authenticationContext``), a conditional access
  authentication context (c1..c99) that PIM settings require.
- ``conditional_access_policy``: ``GraphConditionalAccessPolicy`` (``conditionalAccessPolicy``), a CA policy with
  what azuread lacks: authentication-context targets and continuous access evaluation (Graph beta).
- ``custom_extension``: ``AccessPackageCustomExtension`` (``accessPackageCustomExtension``), a catalog's custom
  extension that calls a Logic App declared in the stack.
- ``assignment_policy_settings``: ``AssignmentPolicySettings`` (``accessPackagePolicySettings``), custom extension
  stages and the Verified ID requirement of an access-package assignment policy.
- ``password_discard``: ``PasswordDiscard`` (``passwordDiscard``), replaces an admin account's password with one
  nobody knows.
- ``temporary_access_pass_policy``: ``TemporaryAccessPassPolicy`` (``temporaryAccessPassPolicy``), the tenant's
  Temporary Access Pass method configuration.
- ``base``: the provider base class and shared validation/diff helpers.

Environment: ``PUM_GRAPH_BASE_URL`` (default ``https://graph.microsoft.com``; tests point it at a local
stand-in) and ``PUM_GRAPH_TOKEN`` (a bearer token used as is; otherwise DefaultAzureCredential, i.e.
workload identity federation via AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_FEDERATED_TOKEN_FILE in
pipelines, Azure CLI locally). Tokens are never logged or shown in errors. The providers run in
Pulumi's dynamic provider host, which must be able to import this package (it is installed with the
project).
"""

from .client import GraphClient, GraphError
from .lifecycle import LeaverWorkflow
from .private_access import PrivateAccessApplication
from .role_eligibility import DirectoryRoleEligibility
from .role_settings import EntraRoleSettings, build_role_rules

__all__ = [
    "GraphClient",
    "GraphError",
    "EntraRoleSettings",
    "build_role_rules",
    "DirectoryRoleEligibility",
    "PrivateAccessApplication",
    "LeaverWorkflow",
]
