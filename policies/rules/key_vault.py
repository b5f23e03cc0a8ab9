"""Policies for Key Vault (issue 20): the vault that holds credentials must keep them recoverable and private, and
decide who reads them through Azure RBAC. Each entry of POLICIES is a pulumi-policy policy; WHEN_UNKNOWN says for
each what it does when a deciding value is unknown at preview (the README's table).

Every shape an author could declare a vault in is judged: azure-native `keyvault:Vault` (in any API version) and
`keyvault:ManagedHsm`, the classic azure provider's `keyvault/keyVault:KeyVault` and
`keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule`, and the separate access-policy resources
of both (`keyvault:AccessPolicy`,
`keyvault/accessPolicy:AccessPolicy`), which exist only to grant access outside RBAC. The Azure defaults are the
unsafe side (Key Vault REST API 2024-11-01 VaultProperties: publicNetworkAccess defaults to enabled,
enableRbacAuthorization to false, networkAcls absent = allow, purge protection off), so a setting left out fails.
A deciding value unknown at preview is reported through `common.unverified`, never passed.
"""

from __future__ import annotations

from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .common import config_schema, elements, get, is_type, label, meta, unverified, verifying

VAULT = "azure-native:keyvault:Vault"
MANAGED_HSM = "azure-native:keyvault:ManagedHsm"
ACCESS_POLICY = "azure-native:keyvault:AccessPolicy"
CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault"
CLASSIC_HSM = "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule"
CLASSIC_ACCESS_POLICY = "azure:keyvault/accessPolicy:AccessPolicy"
VAULT_TYPES = (VAULT, MANAGED_HSM, CLASSIC_VAULT, CLASSIC_HSM)

KEY_VAULT_DOCS = "https://learn.microsoft.com/azure/key-vault/general/security-features"

WHEN_UNKNOWN = {
    "key-vault-purge-protection": "An unknown properties object, enablePurgeProtection or enableSoftDelete (classic: "
    "purgeProtectionEnabled, softDeleteRetentionDays) is a mandatory 'cannot be verified at preview' violation.",
    "key-vault-no-public-network": "An unknown publicNetworkAccess or networkAcls.defaultAction (classic: "
    "publicNetworkAccessEnabled, networkAcls) is a mandatory 'cannot be verified at preview' violation.",
    "key-vault-rbac-authorization": "An unknown enableRbacAuthorization or accessPolicies list (classic: "
    "enableRbacAuthorization / rbacAuthorizationEnabled, accessPolicies) is a mandatory 'cannot be verified at "
    "preview' violation; an access-policy resource is a violation whatever its values.",
}


def _settings(props) -> tuple[object, str]:
    """(the object the vault settings sit in, how messages prefix them): azure-native nests them in `properties`,
    the classic provider puts them at the top."""
    return (get(props, "properties"), "properties.")


def _is_classic(token: str) -> bool:
    return is_type(token, CLASSIC_VAULT, CLASSIC_HSM)


def _check(args, report, problems: list[str], unknown: list[str]) -> None:
    for problem in problems:
        report(f"{label(args)}: {problem}")
    for what in unknown:
        unverified(args, report, f"{label(args)} {what}")


@verifying
def _purge_protection(args, report) -> None:
    if not is_type(args.resource_type, *VAULT_TYPES):
        return
    problems: list[str] = []
    unknown: list[str] = []
    if _is_classic(args.resource_type):
        purge = get(args.props, "purgeProtectionEnabled")
        if is_unknown(purge):
            unknown.append("purgeProtectionEnabled")
        elif purge is not True:
            problems.append("purgeProtectionEnabled is not true: a deleted vault and its secrets can be purged.")
        days = get(args.props, "softDeleteRetentionDays")
        if is_unknown(days):
            unknown.append("softDeleteRetentionDays")
        _check(args, report, problems, unknown)
        return
    settings, prefix = _settings(args.props)
    if is_unknown(settings):
        _check(args, report, [], ["properties"])
        return
    purge, soft = get(settings, "enablePurgeProtection"), get(settings, "enableSoftDelete")
    if is_unknown(purge):
        unknown.append(prefix + "enablePurgeProtection")
    elif purge is not True:
        problems.append(
            f"{prefix}enablePurgeProtection is not true: a deleted vault and its secrets can be purged before the "
            "retention period ends, so a rotated credential is lost for good."
        )
    if is_unknown(soft):
        unknown.append(prefix + "enableSoftDelete")
    elif soft is False:
        problems.append(f"{prefix}enableSoftDelete is false: deleted secrets are not recoverable.")
    _check(args, report, problems, unknown)


def _disabled(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == "disabled"


@verifying
def _no_public_network(args, report) -> None:
    if not is_type(args.resource_type, *VAULT_TYPES):
        return
    problems: list[str] = []
    unknown: list[str] = []
    if _is_classic(args.resource_type):
        public = get(args.props, "publicNetworkAccessEnabled")
        if is_unknown(public):
            unknown.append("publicNetworkAccessEnabled")
        elif public is not False:
            problems.append("publicNetworkAccessEnabled is not false (the default is true).")
        acls = elements(args.props, "networkAcls")
        action = get(acls[0], "defaultAction") if acls else None
    else:
        settings, prefix = _settings(args.props)
        if is_unknown(settings):
            _check(args, report, [], ["properties"])
            return
        public = get(settings, "publicNetworkAccess")
        if is_unknown(public):
            unknown.append("properties.publicNetworkAccess")
        elif not _disabled(public):
            shown = "not set (enabled, the default)" if public is None else "not Disabled"
            problems.append(f"properties.publicNetworkAccess is {shown}.")
        action = get(settings, "networkAcls", "defaultAction")
        if is_unknown(get(settings, "networkAcls")):
            action = get(settings, "networkAcls")
    if is_unknown(action):
        unknown.append("networkAcls.defaultAction")
    elif not (isinstance(action, str) and action.strip().lower() == "deny"):
        shown = "not set (Allow, the default)" if action is None else "Allow"
        problems.append(f"networkAcls.defaultAction is {shown}: any network may reach the vault.")
    if problems:
        problems[-1] += (
            " Reach the vault through a private endpoint (privatelink.vaultcore.azure.net) with public network "
            "access Disabled and networkAcls.defaultAction Deny."
        )
    _check(args, report, problems, unknown)


@verifying
def _rbac(args, report) -> None:
    if is_type(args.resource_type, ACCESS_POLICY, CLASSIC_ACCESS_POLICY):
        report(
            f"{label(args)}: a Key Vault access policy grants data-plane access outside Azure RBAC (not "
            "scoped, not in PIM, not in access reviews); grant a Key Vault role on the vault instead."
        )
        return
    if not is_type(args.resource_type, VAULT, CLASSIC_VAULT):
        return  # a Managed HSM always uses its local RBAC
    problems: list[str] = []
    unknown: list[str] = []
    if _is_classic(args.resource_type):
        keys = [k for k in ("enableRbacAuthorization", "rbacAuthorizationEnabled") if k in (args.props or {})]
        values = [get(args.props, k) for k in keys]
        policies = get(args.props, "accessPolicies")
        prefix = ""
    else:
        settings, prefix = _settings(args.props)
        if is_unknown(settings):
            _check(args, report, [], ["properties"])
            return
        values = [get(settings, "enableRbacAuthorization")]
        keys = ["enableRbacAuthorization"]
        policies = get(settings, "accessPolicies")
    if any(is_unknown(v) for v in values):
        unknown.append(prefix + keys[0])
    elif True not in values:
        problems.append(
            f"{prefix}enableRbacAuthorization is not true, so the vault uses access policies: data-plane access "
            "outside Azure RBAC (the default is false)."
        )
    if is_unknown(policies):
        unknown.append(prefix + "accessPolicies")
    elif elements(policies):
        problems.append(f"{prefix}accessPolicies lists {len(elements(policies))} access policies; use Key Vault roles.")
    _check(args, report, problems, unknown)


POLICIES = [
    ResourceValidationPolicy(
        name="key-vault-purge-protection",
        description="A Key Vault or Managed HSM has purge protection on and soft delete not turned off.",
        validate=_purge_protection,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.enablePurgeProtection true and leave enableSoftDelete true (or use the "
            "OnPremisesAutomation component).",
            "Microsoft cloud security benchmark",
            "DP-8: ensure security of key and certificate repository",
            KEY_VAULT_DOCS,
        ),
    ),
    ResourceValidationPolicy(
        name="key-vault-no-public-network",
        description="A Key Vault or Managed HSM is not reachable from public networks: public network access "
        "Disabled and network ACLs that deny by default.",
        validate=_no_public_network,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.publicNetworkAccess Disabled and networkAcls.defaultAction Deny, and add a private "
            "endpoint (sub-resource vault) with the privatelink.vaultcore.azure.net zone.",
            "Microsoft cloud security benchmark",
            "NS-2: secure cloud services with network controls",
            KEY_VAULT_DOCS,
        ),
    ),
    ResourceValidationPolicy(
        name="key-vault-rbac-authorization",
        description="A Key Vault authorises data-plane access with Azure RBAC, never access policies.",
        validate=_rbac,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.enableRbacAuthorization true, remove accessPolicies and AccessPolicy resources, and "
            "grant Key Vault Secrets User/Officer on the vault to the identities that need it.",
            "Microsoft cloud security benchmark",
            "PA-7: follow just enough administration (least privilege)",
            "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
        ),
    ),
]
