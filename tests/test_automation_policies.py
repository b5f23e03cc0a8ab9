"""Automation policies against plain azure-native programs (and forged classic-provider resources), through the
offline preview: a private, identity-only account with no credential assets passes; every class of credential in
the account or the plan, a Run As account, public network access and unknown-at-preview values fail."""

import pulumi
import pytest
from pulumi_azure_native import automation, resources

from pum.engine import run_preview
from tests.pack_cases import later

POLICIES = (
    "automation-no-public-network",
    "automation-managed-identity-only",
    "automation-no-run-as-account",
    "automation-no-credential-assets",
    "automation-worker-group-no-credential",
)
IN_ACCOUNT = {"resource_group_name": "rg-aa", "automation_account_name": "aa-test"}


def violations(program, policy=None):
    found = run_preview(program, policy_packs=None).violations
    return [v for v in found if (v.policy == policy if policy else v.policy in POLICIES)]


def mandatory(program, policy):
    return [v for v in violations(program, policy) if v.enforcement_level == "mandatory"]


def account(unknown=None, **overrides):
    args = dict(
        resource_group_name="rg-aa",
        automation_account_name="aa-test",
        sku={"name": "Basic"},
        identity={"type": "SystemAssigned"},
        public_network_access=False,
        disable_local_auth=True,
    )
    args.update(overrides)
    args = {k: v for k, v in args.items() if v is not None}

    def program():
        if unknown:
            rg = resources.ResourceGroup("rg")
            args[unknown] = later(rg.name, args[unknown])
        automation.AutomationAccount("aa", **args)

    return program


def test_private_identity_only_account_passes():
    assert not violations(account())


@pytest.mark.parametrize("value", [None, True])
def test_public_network_access_fails(value):
    [found] = mandatory(account(public_network_access=value), "automation-no-public-network")
    assert "publicNetworkAccess" in found.message


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"identity": None}, "managed identity"),
        ({"identity": {"type": "None"}}, "managed identity"),
        ({"disable_local_auth": None}, "disableLocalAuth"),
        ({"disable_local_auth": False}, "disableLocalAuth"),
    ],
)
def test_account_without_managed_identity_or_with_local_auth_fails(overrides, named):
    [found] = mandatory(account(**overrides), "automation-managed-identity-only")
    assert named in found.message


def test_user_assigned_identity_passes():
    program = account(identity={"type": "UserAssigned", "user_assigned_identities": {"/subscriptions/x/id": {}}})
    assert not violations(program, "automation-managed-identity-only")


@pytest.mark.parametrize(
    "key, policy",
    [
        ("public_network_access", "automation-no-public-network"),
        ("disable_local_auth", "automation-managed-identity-only"),
        ("identity", "automation-managed-identity-only"),
    ],
)
def test_unknown_account_settings_are_unverified(key, policy):
    [found] = mandatory(account(unknown=key), policy)
    assert "unknown at preview" in found.message


def test_run_as_connection_and_certificate_fail():
    def program():
        automation.Connection(
            "runas",
            name="AzureRunAsConnection",
            connection_type={"name": "AzureServicePrincipal"},
            field_definition_values={"ApplicationId": "x", "TenantId": "y", "CertificateThumbprint": "z"},
            **IN_ACCOUNT,
        )
        automation.Certificate("runas-cert", name="AzureRunAsCertificate", base64_value="MIIK", **IN_ACCOUNT)

    found = mandatory(program, "automation-no-run-as-account")
    assert len(found) == 2


@pytest.mark.parametrize(
    "name, kind",
    [
        ("anything", "AzureServicePrincipal"),
        ("anything", "azureclassiccertificate"),
        ("AzureClassicRunAsConnection", "custom"),
        ("azurerunasconnection", "custom"),
    ],
)
def test_run_as_connection_by_name_or_type_in_any_case_fails(name, kind):
    def program():
        automation.Connection("c", name=name, connection_type={"name": kind}, **IN_ACCOUNT)

    assert mandatory(program, "automation-no-run-as-account")


def test_connection_with_unknown_type_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        automation.Connection("c", name="ops", connection_type={"name": later(rg.name, "Custom")}, **IN_ACCOUNT)

    [found] = mandatory(program, "automation-no-run-as-account")
    assert "unknown at preview" in found.message


def test_credential_certificate_and_webhook_assets_fail_whatever_their_values():
    def program():
        automation.Credential("cred", name="ad", user_name="svc", password="not-a-real-one", **IN_ACCOUNT)
        automation.Certificate("cert", name="signing", base64_value="MIIK", **IN_ACCOUNT)
        automation.Webhook("hook", name="start", runbook={"name": "x"}, **IN_ACCOUNT)

    found = mandatory(program, "automation-no-credential-assets")
    assert len(found) == 3
    assert not any("not-a-real-one" in v.message for v in found)  # never the value


@pytest.mark.parametrize(
    "fields",
    [
        {"Password": "x"},
        {"clientSecret": "x"},
        {"ApiKey": "x"},
        {"Endpoint": "Server=db;User Id=sa;Password=hunter2"},
        {"Endpoint": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc"},
    ],
)
def test_connection_fields_carrying_secrets_fail(fields):
    def program():
        automation.Connection(
            "c", name="ops", connection_type={"name": "Custom"}, field_definition_values=fields, **IN_ACCOUNT
        )

    [found] = mandatory(program, "automation-no-credential-assets")
    assert "hunter2" not in found.message and "abc" not in found.message


def test_connection_without_secrets_passes():
    def program():
        automation.Connection(
            "c",
            name="ops",
            connection_type={"name": "Custom"},
            field_definition_values={"Endpoint": "https://x"},
            **IN_ACCOUNT,
        )

    assert not violations(program)


@pytest.mark.parametrize(
    "name, value",
    [
        ("AdPassword", '"x"'),
        ("svc-pwd", '"x"'),
        ("ClientSecret", '"x"'),
        ("StorageConnectionString", '"x"'),
        ("Settings", '"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc"'),
        ("Settings", '"-----BEGIN RSA PRIVATE KEY-----"'),
        ("Settings", '"https://x.blob.core.windows.net/c?sv=2022&sig=abc"'),
    ],
)
def test_unencrypted_variable_that_holds_a_credential_fails(name, value):
    def program():
        automation.Variable("v", name=name, value=value, is_encrypted=False, **IN_ACCOUNT)

    assert mandatory(program, "automation-no-credential-assets")


def test_unencrypted_variable_left_out_is_unencrypted():
    def program():
        automation.Variable("v", name="AdPassword", value='"x"', **IN_ACCOUNT)

    assert mandatory(program, "automation-no-credential-assets")


def test_plain_configuration_variables_and_encrypted_ones_pass():
    def program():
        for name in ("KeyVaultName", "DomainFqdn", "AdminAccountsOu", "DeliveryMailbox"):
            automation.Variable(name, name=name, value='"contoso.com"', is_encrypted=False, **IN_ACCOUNT)
        automation.Variable("enc", name="Whatever", value='"x"', is_encrypted=True, **IN_ACCOUNT)

    assert not violations(program)


@pytest.mark.parametrize("unknown", ["value", "name", "is_encrypted"])
def test_unencrypted_variable_with_an_unknown_name_or_value_is_unverified(unknown):
    def program():
        rg = resources.ResourceGroup("rg")
        args = {"name": "Settings", "value": '"x"', "is_encrypted": False}
        args[unknown] = later(rg.name, args[unknown])
        automation.Variable("v", **args, **IN_ACCOUNT)

    [found] = mandatory(program, "automation-no-credential-assets")
    assert "unknown at preview" in found.message


def test_worker_group_with_a_credential_fails_and_without_passes():
    def with_credential():
        automation.HybridRunbookWorkerGroup("g", credential={"name": "ad-admin"}, **IN_ACCOUNT)

    def without():
        automation.HybridRunbookWorkerGroup("g", **IN_ACCOUNT)

    assert mandatory(with_credential, "automation-worker-group-no-credential")
    assert not violations(without)


def test_worker_group_with_an_unknown_credential_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        automation.HybridRunbookWorkerGroup("g", credential={"name": later(rg.name, "x")}, **IN_ACCOUNT)

    [found] = mandatory(program, "automation-worker-group-no-credential")
    assert "unknown at preview" in found.message


class Classic(pulumi.CustomResource):
    """A classic azure-provider resource, declared by its type token (the provider is not installed here)."""

    def __init__(self, token, name, props):
        super().__init__(token, name, props)


@pytest.mark.parametrize(
    "token, props, policy",
    [
        ("azure:automation/account:Account", {"skuName": "Basic"}, "automation-no-public-network"),
        ("azure:automation/account:Account", {"skuName": "Basic"}, "automation-managed-identity-only"),
        (
            "azure:automation/credential:Credential",
            {"username": "u", "password": "p"},
            "automation-no-credential-assets",
        ),
        (
            "azure:automation/connectionServicePrincipal:ConnectionServicePrincipal",
            {"applicationId": "a"},
            "automation-no-run-as-account",
        ),
        (
            "azure:automation/variableString:VariableString",
            {"name": "AdPassword", "value": "p"},
            "automation-no-credential-assets",
        ),
        ("azure:automation/webhook:Webhook", {"runbookName": "x"}, "automation-no-credential-assets"),
        (
            "azure:automation/hybridRunbookWorkerGroup:HybridRunbookWorkerGroup",
            {"credentialName": "ad"},
            "automation-worker-group-no-credential",
        ),
        (
            "azure-native:automation/v20231101:Credential",
            {"userName": "u", "password": "p"},
            "automation-no-credential-assets",
        ),
    ],
)
def test_other_resource_shapes_are_judged(token, props, policy):
    def program():
        Classic(token, "r", props)

    assert mandatory(program, policy)


def test_hardened_classic_account_passes():
    def program():
        Classic(
            "azure:automation/account:Account",
            "aa",
            {
                "skuName": "Basic",
                "publicNetworkAccessEnabled": False,
                "localAuthenticationEnabled": False,
                "identity": {"type": "SystemAssigned"},
            },
        )

    assert not violations(program)


# --- Automation resources declared through ARM's generic shapes ----------------------------------------------


def _deployment(*resources_):
    def program():
        resources.Deployment(
            "dep",
            resource_group_name="rg-aa",
            properties={
                "mode": "Incremental",
                "template": {"contentVersion": "1.0.0.0", "resources": list(resources_)},
            },
        )

    return program


def test_a_credential_and_a_public_account_in_a_deployment_template_fail():
    account = {
        "type": "Microsoft.Automation/automationAccounts",
        "name": "aa",
        "identity": {"type": "SystemAssigned"},
        "properties": {"sku": {"name": "Basic"}, "publicNetworkAccess": True, "disableLocalAuth": True},
    }
    credential = {
        "type": "Microsoft.Automation/automationAccounts/credentials",
        "name": "aa/ad-admin",
        "properties": {"userName": "svc", "password": "[parameters('password')]"},
    }
    program = _deployment(account, credential)
    assert mandatory(program, "automation-no-public-network")
    assert mandatory(program, "automation-no-credential-assets")
    assert not mandatory(program, "automation-managed-identity-only")


def test_a_hardened_account_in_a_template_passes_and_a_password_variable_fails():
    account = {
        "type": "Microsoft.Automation/automationAccounts",
        "name": "aa",
        "identity": {"type": "SystemAssigned"},
        "properties": {"sku": {"name": "Basic"}, "publicNetworkAccess": False, "disableLocalAuth": True},
    }
    assert not violations(_deployment(account))
    variable = {
        "type": "Microsoft.Automation/automationAccounts/variables",
        "name": "aa/AdPassword",
        "properties": {"isEncrypted": False, "value": '"x"'},
    }
    assert mandatory(_deployment(account, variable), "automation-no-credential-assets")


def test_a_worker_group_credential_as_a_generic_resource_fails():
    def program():
        resources.Resource(
            "generic-group",
            resources.ResourceArgs(
                resource_group_name="rg-aa",
                resource_provider_namespace="Microsoft.Automation",
                parent_resource_path="automationAccounts/aa",
                resource_type="hybridRunbookWorkerGroups",
                api_version="2023-11-01",
                properties={"credential": {"name": "ad-admin"}},
            ),
        )

    assert mandatory(program, "automation-worker-group-no-credential")


def test_a_generic_resource_of_an_unknown_type_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        resources.Resource(
            "generic",
            resource_group_name="rg-aa",
            resource_provider_namespace=later(rg.name, "Microsoft.Automation"),
            parent_resource_path="",
            resource_type="automationAccounts",
            api_version="2023-11-01",
            properties={},
        )

    [found] = mandatory(program, "automation-no-public-network")
    assert "unknown at preview" in found.message


# --- job roles are granted on one Automation account ------------------------------------------------------------

SUB = "/subscriptions/00000000-0000-4000-8000-0000000000b2"
ACCOUNT_ID = f"{SUB}/resourceGroups/rg-aa/providers/Microsoft.Automation/automationAccounts/aa-test"
JOB_OPERATOR, AUTOMATION_CONTRIBUTOR, AUTOMATION_OPERATOR = (
    "4fe576fe-1146-4730-92eb-48519fa6bf9f",
    "f353d9bd-d4a6-484e-a77a-8050b599b867",
    "d3881f73-407a-4167-8283-e981cbba0404",
)


def grant(role, scope):
    from pulumi_azure_native import authorization

    def program():
        target = scope() if callable(scope) else scope
        authorization.RoleAssignment(
            "grant",
            principal_id="eeeeeeee-0000-4000-8000-000000000009",
            principal_type="ServicePrincipal",
            role_definition_id=f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            scope=target,
        )

    return program


@pytest.mark.parametrize("role", [JOB_OPERATOR, AUTOMATION_CONTRIBUTOR, AUTOMATION_OPERATOR])
@pytest.mark.parametrize("scope", [SUB, f"{SUB}/resourceGroups/rg-aa"])
def test_a_job_role_above_one_account_fails(role, scope):
    [found] = mandatory(grant(role, scope), "automation-job-roles-on-account")
    assert "broader than one Automation account" in found.message


def test_a_job_role_on_the_account_literal_or_declared_passes():
    assert not violations(grant(JOB_OPERATOR, ACCOUNT_ID), "automation-job-roles-on-account")

    def declared_account():
        return automation.AutomationAccount("aa", **{**IN_ACCOUNT, "public_network_access": False}).id

    assert not violations(grant(JOB_OPERATOR, declared_account), "automation-job-roles-on-account")


def test_a_job_role_scope_computed_from_something_else_is_unverified():
    def elsewhere():
        rg = resources.ResourceGroup("rg")
        return later(rg.name, ACCOUNT_ID)

    [found] = mandatory(grant(JOB_OPERATOR, elsewhere), "automation-job-roles-on-account")
    assert "unknown at preview" in found.message
