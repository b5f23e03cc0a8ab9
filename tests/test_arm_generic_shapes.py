"""A Key Vault, an Automation account or an Automation asset declared through ARM's generic shapes is judged as
that type (policies/rules/key_vault.py `shapes`): a generic `resources:Resource` (any API version), a resource in
the template of any `resources:Deployment*` token (Deployment, DeploymentAt*Scope, DeploymentStack*, versioned),
a child resource nested in a template resource, a template given as a JSON string, the classic provider's template
deployments (`templateContent`) and azapi resources. A template the pack cannot read is unverified. Plain-provider
programs (and forged tokens for providers not installed here) through the offline preview; the red team's
kv_generic_resource, kv_arm_deployment and auto_generic_resource bypass classes."""

import json

import pulumi
import pytest
from pulumi_azure_native import resources

from pum.engine import run_preview
from tests.pack_cases import later

TENANT = "00000000-0000-4000-8000-0000000000a1"
KV_POLICIES = ("key-vault-purge-protection", "key-vault-no-public-network", "key-vault-rbac-authorization")
AA_POLICIES = ("automation-no-public-network", "automation-managed-identity-only")
ALL = (*KV_POLICIES, *AA_POLICIES, "automation-no-credential-assets", "automation-runbook-content-pinned")

BAD_VAULT = {
    "type": "Microsoft.KeyVault/vaults",
    "apiVersion": "2023-07-01",
    "name": "kv-creds",
    "location": "westeurope",
    "properties": {
        "tenantId": TENANT,
        "sku": {"family": "A", "name": "standard"},
        "publicNetworkAccess": "Enabled",
        "enableRbacAuthorization": False,
        "accessPolicies": [{"tenantId": TENANT, "objectId": TENANT, "permissions": {"secrets": ["all"]}}],
    },
}
GOOD_VAULT = {
    **BAD_VAULT,
    "properties": {
        "tenantId": TENANT,
        "sku": {"family": "A", "name": "standard"},
        "publicNetworkAccess": "Disabled",
        "enableRbacAuthorization": True,
        "enablePurgeProtection": True,
        "networkAcls": {"defaultAction": "Deny"},
    },
}
BAD_ACCOUNT = {
    "type": "Microsoft.Automation/automationAccounts",
    "apiVersion": "2023-11-01",
    "name": "aa-domain",
    "location": "westeurope",
    "properties": {"sku": {"name": "Basic"}, "publicNetworkAccess": True, "disableLocalAuth": False},
}
GOOD_ACCOUNT = {
    **BAD_ACCOUNT,
    "identity": {"type": "SystemAssigned"},
    "properties": {"sku": {"name": "Basic"}, "publicNetworkAccess": False, "disableLocalAuth": True},
}


def report(program):
    return [v for v in run_preview(program, policy_packs=None).violations if v.policy in ALL]


def policies_failed(program) -> set[str]:
    return {v.policy for v in report(program) if v.enforcement_level == "mandatory"}


def unverified(program) -> set[str]:
    return {
        v.policy for v in report(program) if v.enforcement_level == "mandatory" and "unknown at preview" in v.message
    }


def template(*items):
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": list(items),
    }


class Forged(pulumi.CustomResource):
    """A resource declared by its type token (a versioned token, or a provider that is not installed here)."""

    def __init__(self, token, name, props):
        super().__init__(token, name, props)


# --- every deployment token ---------------------------------------------------------------------------------------

DEPLOYMENT_TOKENS = [
    "azure-native:resources:Deployment",
    "azure-native:resources/v20240301:Deployment",
    "azure-native:resources:DeploymentAtScope",
    "azure-native:resources:DeploymentAtSubscriptionScope",
    "azure-native:resources:DeploymentAtManagementGroupScope",
    "azure-native:resources:DeploymentAtTenantScope",
]
STACK_TOKENS = [
    "azure-native:resources:DeploymentStackAtResourceGroup",
    "azure-native:resources:DeploymentStackAtSubscription",
    "azure-native:resources:DeploymentStackAtManagementGroup",
    "azure-native:resources/v20240301:DeploymentStackAtResourceGroup",
]


def deployed(token, tmpl):
    def program():
        if "DeploymentStack" in token:
            props = {"template": tmpl, "actionOnUnmanage": {"resources": "detach"}, "denySettings": {"mode": "none"}}
        else:
            props = {"properties": {"mode": "Incremental", "template": tmpl}}
        Forged(token, "dep", {"resourceGroupName": "rg-x", **props})

    return program


@pytest.mark.parametrize("token", DEPLOYMENT_TOKENS + STACK_TOKENS)
def test_an_unsafe_vault_and_account_in_any_deployment_token_fail_and_safe_ones_pass(token):
    assert policies_failed(deployed(token, template(BAD_VAULT, BAD_ACCOUNT))) >= {*KV_POLICIES, *AA_POLICIES}
    assert policies_failed(deployed(token, template(GOOD_VAULT, GOOD_ACCOUNT))) == set()


def test_the_sdks_deployment_stack_class_is_judged():
    def program(tmpl):
        def declare():
            resources.DeploymentStackAtResourceGroup(
                "stack",
                resource_group_name="rg-x",
                action_on_unmanage={"resources": "detach"},
                deny_settings={"mode": "none"},
                template=tmpl,
            )

        return declare

    assert policies_failed(program(template(BAD_VAULT))) >= set(KV_POLICIES)
    assert policies_failed(program(template(GOOD_VAULT))) == set()


@pytest.mark.parametrize(
    "token", ["azure-native:resources:Deployment", "azure-native:resources:DeploymentStackAtSubscription"]
)
def test_a_template_given_as_a_json_string_is_read(token):
    assert policies_failed(deployed(token, json.dumps(template(BAD_VAULT)))) >= set(KV_POLICIES)
    assert policies_failed(deployed(token, json.dumps(template(GOOD_VAULT)))) == set()


def test_a_template_string_that_is_not_json_is_unverified():
    assert "key-vault-purge-protection" in unverified(deployed("azure-native:resources:Deployment", "{not json"))


@pytest.mark.parametrize(
    "token", ["azure-native:resources:Deployment", "azure-native:resources:DeploymentStackAtResourceGroup"]
)
def test_a_linked_or_unknown_template_is_unverified(token):
    def linked():
        if "Stack" in token:
            Forged(token, "dep", {"templateLink": {"uri": "https://example.com/t.json"}})
        else:
            Forged(token, "dep", {"properties": {"mode": "Incremental", "templateLink": {"uri": "https://x/t.json"}}})

    def behind_apply():
        rg = resources.ResourceGroup("rg")
        tmpl = later(rg.name, template(GOOD_VAULT))
        if "Stack" in token:
            Forged(token, "dep", {"template": tmpl})
        else:
            Forged(token, "dep", {"properties": {"mode": "Incremental", "template": tmpl}})

    assert "key-vault-purge-protection" in unverified(linked)
    assert "key-vault-purge-protection" in unverified(behind_apply)


# --- template shapes ----------------------------------------------------------------------------------------------


def test_a_child_resource_nested_in_a_vault_or_account_is_judged():
    access_policy = {"type": "accessPolicies", "name": "add", "properties": {"accessPolicies": []}}
    variable = {"type": "variables", "name": "AdminPw", "properties": {"isEncrypted": False, "value": '"Zx9!kQ2#"'}}
    vault = {**GOOD_VAULT, "resources": [access_policy]}
    account = {**GOOD_ACCOUNT, "resources": [variable]}
    failed = policies_failed(deployed("azure-native:resources:Deployment", template(vault, account)))
    assert failed == {"key-vault-rbac-authorization", "automation-no-credential-assets"}


def test_a_child_resource_with_an_expression_type_is_unverified():
    child = {"type": "[parameters('kind')]", "name": "x", "properties": {}}
    tmpl = template({**GOOD_ACCOUNT, "resources": [child]})
    assert "key-vault-purge-protection" in unverified(deployed("azure-native:resources:Deployment", tmpl))


def test_symbolic_names_type_case_and_api_version_suffix_do_not_hide_a_vault():
    tmpl = {
        "languageVersion": "2.0",
        "resources": {"kv": {**BAD_VAULT, "type": " microsoft.keyvault/VAULTS@2023-07-01"}},
    }
    assert policies_failed(deployed("azure-native:resources:Deployment", tmpl)) >= set(KV_POLICIES)


def test_an_existing_reference_is_not_a_declaration():
    existing = {"type": "Microsoft.KeyVault/vaults", "name": "kv-elsewhere", "existing": True}
    assert (
        policies_failed(
            deployed("azure-native:resources:Deployment", {"languageVersion": "2.0", "resources": {"kv": existing}})
        )
        == set()
    )


# --- generic resources ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["azure-native:resources:Resource", "azure-native:resources/v20240301:Resource"])
def test_a_generic_vault_and_account_in_any_version_are_judged(token):
    def program(vault, account):
        def declare():
            for name, body, namespace, kind in (
                ("kv", vault, "Microsoft.KeyVault", "vaults"),
                ("aa", account, "Microsoft.Automation", "automationAccounts"),
            ):
                Forged(
                    token,
                    name,
                    {
                        "resourceGroupName": "rg-x",
                        "resourceProviderNamespace": namespace,
                        "parentResourcePath": "",
                        "resourceType": kind,
                        "resourceName": body["name"],
                        "apiVersion": body["apiVersion"],
                        "properties": body["properties"],
                        **({"identity": body["identity"]} if "identity" in body else {}),
                    },
                )

        return declare

    assert policies_failed(program(BAD_VAULT, BAD_ACCOUNT)) >= {*KV_POLICIES, *AA_POLICIES}
    assert policies_failed(program(GOOD_VAULT, GOOD_ACCOUNT)) == set()


@pytest.mark.parametrize("key", ["resource_provider_namespace", "resource_type", "parent_resource_path"])
def test_a_generic_resource_whose_type_is_unknown_is_unverified(key):
    def program():
        rg = resources.ResourceGroup("rg")
        args = dict(
            resource_group_name="rg-x",
            resource_provider_namespace="Microsoft.KeyVault",
            parent_resource_path="",
            resource_type="vaults",
            api_version="2023-07-01",
            properties=GOOD_VAULT["properties"],
        )
        args[key] = later(rg.name, args[key])
        resources.Resource("kv", **args)

    assert "key-vault-purge-protection" in unverified(program)


def test_a_generic_vault_with_its_properties_unknown_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        resources.Resource(
            "kv",
            resource_group_name="rg-x",
            resource_provider_namespace="Microsoft.KeyVault",
            parent_resource_path="",
            resource_type="vaults",
            api_version="2023-07-01",
            properties=later(rg.name, GOOD_VAULT["properties"]),
        )

    assert unverified(program) >= set(KV_POLICIES)


# --- the classic provider's template deployments and azapi ----------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "azure:core/resourceGroupTemplateDeployment:ResourceGroupTemplateDeployment",
        "azure:core/subscriptionTemplateDeployment:SubscriptionTemplateDeployment",
        "azure:core/managementGroupTemplateDeployment:ManagementGroupTemplateDeployment",
        "azure:core/tenantTemplateDeployment:TenantTemplateDeployment",
    ],
)
def test_a_classic_template_deployment_is_read(token):
    def program(tmpl):
        def declare():
            Forged(
                token, "dep", {"resourceGroupName": "rg-x", "deploymentMode": "Incremental", "templateContent": tmpl}
            )

        return declare

    assert policies_failed(program(json.dumps(template(BAD_VAULT, BAD_ACCOUNT)))) >= {*KV_POLICIES, *AA_POLICIES}
    assert policies_failed(program(json.dumps(template(GOOD_VAULT, GOOD_ACCOUNT)))) == set()

    def from_spec():
        Forged(token, "dep", {"deploymentMode": "Incremental", "templateSpecVersionId": "/subscriptions/x/spec"})

    assert "key-vault-purge-protection" in unverified(from_spec)


@pytest.mark.parametrize("body_as", [dict, json.dumps])
def test_an_azapi_resource_is_judged_as_its_type(body_as):
    def program(vault):
        def declare():
            Forged(
                "azapi:index/resource:Resource",
                "kv",
                {
                    "type": "Microsoft.KeyVault/vaults@2023-07-01",
                    "name": "kv-creds",
                    "parentId": "/subscriptions/x/resourceGroups/rg-x",
                    "body": body_as({"properties": vault["properties"]}),
                },
            )

        return declare

    assert policies_failed(program(BAD_VAULT)) >= set(KV_POLICIES)
    assert policies_failed(program(GOOD_VAULT)) == set()


def test_an_azapi_resource_of_an_unknown_type_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        Forged("azapi:index/resource:Resource", "kv", {"type": later(rg.name, "Microsoft.KeyVault/vaults@2023-07-01")})

    assert "key-vault-purge-protection" in unverified(program)
