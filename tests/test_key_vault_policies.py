"""Key Vault policies against plain azure-native programs (and forged classic-provider resources), through the
offline preview: compliant vaults pass; every unsafe setting, left-out default and unknown-at-preview value fails."""

import pulumi
import pytest
from pulumi_azure_native import keyvault, resources

from pum.engine import run_preview
from tests.pack_cases import later

POLICIES = ("key-vault-purge-protection", "key-vault-no-public-network", "key-vault-rbac-authorization")
TENANT = "00000000-0000-4000-8000-0000000000a1"


def good_properties(**overrides):
    props = dict(
        tenant_id=TENANT,
        sku={"family": "A", "name": "standard"},
        enable_rbac_authorization=True,
        enable_purge_protection=True,
        enable_soft_delete=True,
        public_network_access="Disabled",
        network_acls={"default_action": "Deny", "bypass": "None"},
    )
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def vault(**overrides):
    def program():
        rg = resources.ResourceGroup("rg")
        props = {
            k: (later(rg.name, v.value) if isinstance(v, Later) else v) for k, v in good_properties(**overrides).items()
        }
        keyvault.Vault("kv", resource_group_name="rg-kv", vault_name="kv-test", properties=props)

    return program


class Later:
    """A property value computed from another resource's output (unknown at preview)."""

    def __init__(self, value):
        self.value = value


def violations(program, policy):
    return [v for v in run_preview(program, policy_packs=None).violations if v.policy == policy]


def mandatory(program, policy):
    return [v for v in violations(program, policy) if v.enforcement_level == "mandatory"]


def test_hardened_vault_passes_every_key_vault_policy():
    report = run_preview(vault(), policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"enable_purge_protection": None}, "enablePurgeProtection"),
        ({"enable_purge_protection": False}, "enablePurgeProtection"),
        ({"enable_soft_delete": False}, "enableSoftDelete"),
    ],
)
def test_vault_without_purge_protection_or_soft_delete_fails(overrides, named):
    [found] = mandatory(vault(**overrides), "key-vault-purge-protection")
    assert named in found.message


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"public_network_access": None}, "publicNetworkAccess is not set"),
        ({"public_network_access": "Enabled"}, "publicNetworkAccess"),
        ({"public_network_access": "enabled"}, "publicNetworkAccess"),
        ({"network_acls": None}, "defaultAction is not set"),
        ({"network_acls": {"default_action": "Allow", "bypass": "AzureServices"}}, "defaultAction is Allow"),
    ],
)
def test_vault_reachable_from_public_networks_fails(overrides, named):
    found = mandatory(vault(**overrides), "key-vault-no-public-network")
    assert found and named in found[0].message


def test_public_network_access_disabled_in_any_case_passes():
    assert not violations(vault(public_network_access="disabled"), "key-vault-no-public-network")


@pytest.mark.parametrize(
    "overrides",
    [
        {"enable_rbac_authorization": None},
        {"enable_rbac_authorization": False},
        {"access_policies": [{"tenant_id": TENANT, "object_id": TENANT, "permissions": {"secrets": ["get"]}}]},
    ],
)
def test_vault_with_access_policies_instead_of_rbac_fails(overrides):
    assert mandatory(vault(**overrides), "key-vault-rbac-authorization")


def test_a_separate_access_policy_resource_fails():
    def program():
        keyvault.AccessPolicy(
            "ap",
            resource_group_name="rg-kv",
            vault_name="kv-test",
            policy={"tenant_id": TENANT, "object_id": TENANT, "permissions": {"secrets": ["get", "list"]}},
        )

    assert mandatory(program, "key-vault-rbac-authorization")


@pytest.mark.parametrize(
    "key, policy",
    [
        ("enable_purge_protection", "key-vault-purge-protection"),
        ("enable_soft_delete", "key-vault-purge-protection"),
        ("public_network_access", "key-vault-no-public-network"),
        ("network_acls", "key-vault-no-public-network"),
        ("enable_rbac_authorization", "key-vault-rbac-authorization"),
        ("access_policies", "key-vault-rbac-authorization"),
    ],
)
def test_a_deciding_value_unknown_at_preview_is_unverified_and_mandatory(key, policy):
    safe = {
        "enable_purge_protection": True,
        "enable_soft_delete": True,
        "public_network_access": "Disabled",
        "network_acls": {"default_action": "Deny"},
        "enable_rbac_authorization": True,
        "access_policies": [],
    }[key]
    [found] = mandatory(vault(**{key: Later(safe)}), policy)
    assert "unknown at preview" in found.message


def test_unknown_properties_object_is_unverified_for_every_policy():
    def program():
        rg = resources.ResourceGroup("rg")
        keyvault.Vault("kv", resource_group_name="rg-kv", properties=later(rg.name, good_properties()))

    report = run_preview(program, policy_packs=None)
    for policy in POLICIES:
        assert [v for v in report.mandatory if v.policy == policy and "unknown at preview" in v.message], policy


def test_managed_hsm_is_judged_too():
    def program(public="Enabled", purge=None):
        keyvault.ManagedHsm(
            "hsm",
            resource_group_name="rg-kv",
            sku={"family": "B", "name": "Standard_B1"},
            properties={
                "tenant_id": TENANT,
                "initial_admin_object_ids": [TENANT],
                **({"enable_purge_protection": purge} if purge is not None else {}),
                "public_network_access": public,
            },
        )

    assert mandatory(program, "key-vault-purge-protection")
    assert mandatory(program, "key-vault-no-public-network")
    assert not violations(program, "key-vault-rbac-authorization")  # an HSM always uses its local RBAC

    def hardened():
        keyvault.ManagedHsm(
            "hsm",
            resource_group_name="rg-kv",
            sku={"family": "B", "name": "Standard_B1"},
            properties={
                "tenant_id": TENANT,
                "initial_admin_object_ids": [TENANT],
                "enable_purge_protection": True,
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny"},
            },
        )

    report = run_preview(hardened, policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]


class Classic(pulumi.CustomResource):
    """A classic azure-provider resource, declared by its type token (the provider is not installed here)."""

    def __init__(self, token, name, props):
        super().__init__(token, name, props)


def test_classic_provider_vault_is_judged_with_its_own_field_names():
    def unsafe():
        Classic("azure:keyvault/keyVault:KeyVault", "kv", {"resourceGroupName": "rg", "skuName": "standard"})

    for policy in POLICIES:
        assert mandatory(unsafe, policy), policy

    def hardened():
        Classic(
            "azure:keyvault/keyVault:KeyVault",
            "kv",
            {
                "resourceGroupName": "rg",
                "skuName": "standard",
                "purgeProtectionEnabled": True,
                "publicNetworkAccessEnabled": False,
                "networkAcls": {"defaultAction": "Deny", "bypass": "None"},
                "enableRbacAuthorization": True,
            },
        )

    report = run_preview(hardened, policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]


def test_classic_access_policy_resource_fails():
    def program():
        Classic("azure:keyvault/accessPolicy:AccessPolicy", "ap", {"keyVaultId": "/x", "objectId": TENANT})

    assert mandatory(program, "key-vault-rbac-authorization")


def test_versioned_type_token_is_still_a_vault():
    def program():
        Classic("azure-native:keyvault/v20230701:Vault", "kv", {"resourceGroupName": "rg", "properties": {}})

    for policy in POLICIES:
        assert mandatory(program, policy), policy


# --- the same vault declared through ARM's generic shapes ----------------------------------------------------


def _template(*resources_):
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": list(resources_),
    }


ARM_VAULT = {
    "type": "Microsoft.KeyVault/vaults",
    "apiVersion": "2023-07-01",
    "name": "kv-arm",
    "location": "westeurope",
    "properties": {
        "tenantId": TENANT,
        "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": True,
        "enablePurgeProtection": True,
        "publicNetworkAccess": "Disabled",
        "networkAcls": {"defaultAction": "Deny"},
    },
}


def deployment(template=None, **properties):
    def program():
        resources.Deployment(
            "dep",
            resource_group_name="rg-kv",
            properties={
                "mode": "Incremental",
                **({"template": template} if template is not None else {}),
                **properties,
            },
        )

    return program


def with_vault_properties(**over):
    return {**ARM_VAULT, "properties": {**ARM_VAULT["properties"], **over}}


def test_a_hardened_vault_in_a_deployment_template_passes():
    report = run_preview(deployment(_template(ARM_VAULT)), policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]


@pytest.mark.parametrize(
    "over, policy",
    [
        ({"enablePurgeProtection": False}, "key-vault-purge-protection"),
        ({"publicNetworkAccess": "Enabled"}, "key-vault-no-public-network"),
        ({"enableRbacAuthorization": False}, "key-vault-rbac-authorization"),
    ],
)
def test_an_unsafe_vault_in_a_deployment_template_fails(over, policy):
    assert mandatory(deployment(_template(with_vault_properties(**over))), policy)


def test_a_template_expression_is_unknown_and_unverified():
    template = _template(with_vault_properties(enablePurgeProtection="[parameters('purge')]"))
    [found] = mandatory(deployment(template), "key-vault-purge-protection")
    assert "unknown at preview" in found.message


def test_a_template_link_or_an_unknown_template_is_unverified():
    linked = deployment(template_link={"uri": "https://example.com/t.json"})
    assert [v for v in mandatory(linked, "key-vault-purge-protection") if "unknown at preview" in v.message]

    def later_template():
        rg = resources.ResourceGroup("rg")
        resources.Deployment(
            "dep", resource_group_name="rg-kv", properties={"mode": "Incremental", "template": later(rg.name, {})}
        )

    assert [v for v in mandatory(later_template, "key-vault-purge-protection") if "unknown at preview" in v.message]


def test_an_access_policy_in_a_template_and_a_template_of_other_resources():
    policy = {"type": "Microsoft.KeyVault/vaults/accessPolicies", "name": "kv-arm/add", "properties": {}}
    assert mandatory(deployment(_template(ARM_VAULT, policy)), "key-vault-rbac-authorization")
    storage = {"type": "Microsoft.Storage/storageAccounts", "name": "st", "properties": {}}
    report = run_preview(deployment(_template(storage)), policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]


def test_a_vault_declared_as_a_generic_resource_is_judged():
    def program(**over):
        def declare():
            resources.Resource(
                "generic-kv",
                resources.ResourceArgs(
                    resource_group_name="rg-kv",
                    resource_provider_namespace="Microsoft.KeyVault",
                    resource_type="vaults",
                    parent_resource_path="",
                    api_version="2023-07-01",
                    properties={**ARM_VAULT["properties"], **over},
                ),
            )

        return declare

    report = run_preview(program(), policy_packs=None)
    assert not [v for v in report.violations if v.policy in POLICIES]
    assert mandatory(program(publicNetworkAccess="Enabled"), "key-vault-no-public-network")
    assert mandatory(program(enableRbacAuthorization=False), "key-vault-rbac-authorization")


# --- Key Vault data roles are granted on one vault -----------------------------------------------------------

SUB = "/subscriptions/00000000-0000-4000-8000-0000000000b2"
KV_ID = f"{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-test"
PRINCIPAL = "eeeeeeee-0000-4000-8000-000000000009"


def grant(role: str, scope, **kw):
    from pulumi_azure_native import authorization

    def program():
        target = scope() if callable(scope) else scope
        authorization.RoleAssignment(
            "grant",
            principal_id=PRINCIPAL,
            principal_type="ServicePrincipal",
            role_definition_id=f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            scope=target,
            **kw,
        )

    return program


SECRETS_OFFICER, SECRETS_USER, READER_ROLE = (
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "4633458b-17de-408a-b874-0445c86b69e6",
    "21090545-7ca7-4776-b22c-e363652d74d2",
)


@pytest.mark.parametrize(
    "scope", [SUB, f"{SUB}/resourceGroups/rg-kv", "/providers/Microsoft.Management/managementGroups/root", "/"]
)
@pytest.mark.parametrize("role", [SECRETS_OFFICER, SECRETS_USER, "00482a5a-887f-4fb3-b363-3b7fe8e74483"])
def test_a_data_role_above_one_vault_fails(scope, role):
    [found] = mandatory(grant(role, scope), "key-vault-data-roles-on-vault")
    assert "broader than one Key Vault" in found.message


@pytest.mark.parametrize("scope", [KV_ID, KV_ID.upper(), KV_ID + "/secrets/ad-runbook-account"])
def test_a_data_role_on_a_vault_or_its_secret_passes(scope):
    assert not violations(grant(SECRETS_OFFICER, scope), "key-vault-data-roles-on-vault")


def test_a_data_role_on_a_declared_vault_passes_and_one_computed_from_elsewhere_is_unverified():
    def on_vault():
        kv = keyvault.Vault("kv", resource_group_name="rg-kv", properties=good_properties())
        return kv.id

    assert not violations(grant(SECRETS_OFFICER, on_vault), "key-vault-data-roles-on-vault")

    def elsewhere():
        rg = resources.ResourceGroup("rg")
        return later(rg.name, SUB)

    [found] = mandatory(grant(SECRETS_OFFICER, elsewhere), "key-vault-data-roles-on-vault")
    assert "unknown at preview" in found.message


def test_roles_that_read_no_secrets_are_not_this_policys_concern():
    assert not violations(grant(READER_ROLE, SUB), "key-vault-data-roles-on-vault")


def test_an_eligibility_and_a_classic_assignment_by_role_name_are_judged():
    from pulumi_azure_native import authorization

    def eligible():
        authorization.PimRoleEligibilitySchedule(
            "eligible",
            principal_id=PRINCIPAL,
            role_definition_id=f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_OFFICER}",
            scope=SUB,
        )

    assert mandatory(eligible, "key-vault-data-roles-on-vault")

    def classic():
        Classic(
            "azure:authorization/assignment:Assignment",
            "classic",
            {"principalId": PRINCIPAL, "roleDefinitionName": "key vault secrets user", "scope": SUB},
        )

    assert mandatory(classic, "key-vault-data-roles-on-vault")


def test_a_vault_in_a_nested_deployment_is_judged_and_a_linked_nested_one_is_unverified():
    nested = {
        "type": "Microsoft.Resources/deployments",
        "name": "inner",
        "properties": {
            "mode": "Incremental",
            "template": _template(with_vault_properties(enablePurgeProtection=False)),
        },
    }
    [found] = mandatory(deployment(_template(nested)), "key-vault-purge-protection")
    assert "nested" not in found.message and "enablePurgeProtection" in found.message
    linked = {
        "type": "Microsoft.Resources/deployments",
        "name": "inner",
        "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}},
    }
    [found] = mandatory(deployment(_template(linked)), "key-vault-purge-protection")
    assert "unknown at preview" in found.message and "nested deployment" in found.message
