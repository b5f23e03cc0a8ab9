"""An unencrypted Automation Variable or Connection field is judged by the SHAPE of its value (policies/rules/
automation.py, "what an unencrypted value may be"), not by whether its name happens to contain "password": the
red team's bypass classes (a secret under a name the old regex missed: ...Key, ...Pw, ...Pin; a secret under a
neutral name) fail, and settings whose names mention tokens or passwords (TokenLifetimeMinutes=60) pass. Plain
azure-native programs (and forged classic / generic / template shapes) through the offline preview."""

import json

import pulumi
import pytest
from pulumi_azure_native import automation, resources

from pum.engine import run_preview
from tests.pack_cases import later

POLICY = "automation-no-credential-assets"
IN_ACCOUNT = {"resource_group_name": "rg-aa", "automation_account_name": "aa-test"}
SECRETS = ("Zx9!kQ2#Lm7$Vb4p", "Winter2026!Admin", "83920571", "0042", "Zx9kQ2Lm7Vb4pQ8rT3yH")


def flagged(program) -> list[str]:
    """The messages of the mandatory violations of the policy (never echoing a secret)."""
    found = [
        v.message
        for v in run_preview(program, policy_packs=None).violations
        if v.policy == POLICY and v.enforcement_level == "mandatory"
    ]
    assert not any(secret in message for secret in SECRETS for message in found)
    return found


def variables(pairs, encrypted=False):
    def program():
        for index, (name, value) in enumerate(pairs):
            automation.Variable(f"v{index}", name=name, value=value, is_encrypted=encrypted, **IN_ACCOUNT)

    return program


def names_in(messages) -> set[str]:
    return {m.split("'")[1] for m in messages}


# --- secrets under names the old regex missed, and under neutral names -----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "DomainJoinKey",
        "AdminPw",
        "SvcPin",
        "ClientKey",
        "svc_pin",
        "ADMIN_PWD",
        "adminpassword",
        "StorageSas",
        "BotToken",
        "GitPat",
        "ConnectionString",
        "Passphrase",
    ],
)
def test_a_name_ending_in_a_credential_noun_fails_whatever_the_value(name):
    # even a configuration-shaped value: a 4-digit PIN, a GUID-shaped API key
    for value in ('"Zx9!kQ2#Lm7$Vb4p"', '"1234"', '"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"', "1234"):
        assert flagged(variables([(name, value)])), (name, value)


@pytest.mark.parametrize(
    "value",
    [
        '"Zx9!kQ2#Lm7$Vb4p"',  # symbols
        '"Winter2026!Admin"',
        '"83920571"',  # a long number (PIN, account number)
        "83920571",  # the same as a JSON number
        '"0042"',  # a leading zero: a PIN, not a setting
        '"Zx9kQ2Lm7Vb4pQ8rT3yH"',  # base62 key
        '"c2VjcmV0LXZhbHVlLWJhc2U2NA=="',  # base64
        '"3A5F9C0D1E2B3A4F5C6D7E8F9A0B1C2D3E4F5A6B"',  # hex
        '"https://contoso.blob.core.windows.net/c/f?sv=2022-11-02&sig=abc"',  # a SAS URL
        '"https://svc:Winter2026@contoso.com/api"',  # user info in a URL
        '"https://outlook.office.com/webhook/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f@x/IncomingWebhook/9f3a7c1e5b2d4f60"',
        '["Account Operators", "Zx9!kQ2#Lm7$Vb4p"]',  # one secret in a list
        '{"user": "svc-ad", "secret": "Zx9!kQ2#Lm7$Vb4p"}',  # one secret in an object
        '"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"',  # a JWT
    ],
)
def test_an_unencrypted_value_without_a_configuration_shape_fails_under_a_neutral_name(value):
    [message] = flagged(variables([("Setting1", value)]))
    assert "configuration shape" in message


# --- configuration passes, whatever its name says ----------------------------------------------------------------


def test_settings_named_after_tokens_passwords_and_certificates_pass():
    pairs = [
        ("TokenLifetimeMinutes", '"60"'),
        ("PasswordResetNotifyDays", '"7"'),
        ("CertificateRenewalDays", '"30"'),
        ("KeyVaultName", '"kv-contoso-pam"'),
        ("SigningKeyId", '"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"'),
        ("TokenEndpoint", '"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"'),
        ("RotatePassword", "true"),
        ("UseApiKey", "false"),
        ("PasswordLength", "24"),
    ]
    assert flagged(variables(pairs)) == []


@pytest.mark.parametrize(
    "value",
    [
        "60",
        "3.5",
        "true",
        '"False"',
        "null",
        '""',
        '"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"',
        '"pam-notify@contoso.com"',
        '"https://contoso.webhook.office.com"',
        '"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-arc-servers/providers/'
        'Microsoft.HybridCompute/machines/dc-mgmt-01"',
        '"corp.contoso.com"',
        '"CONTOSO.COM"',
        '"OU=Tier1 Admins,OU=Admin,DC=contoso,DC=com"',
        '"Account Operators"',
        '"PowerShell72"',
        '"Standard_LRS"',
        '"10.91.0.4"',
        '"PT1H"',
        '"2026-01-01T00:00:00Z"',
        '["Account Operators", "linux-sudo-admins"]',
        '{"Tier": 1, "Groups": ["Domain Admins"]}',
    ],
)
def test_configuration_shapes_pass(value):
    assert flagged(variables([("Setting1", value)])) == []


def test_the_on_premises_components_five_variables_pass_as_it_writes_them():
    # the values the example stack gives (stacks/Pulumi.example.yaml privileged-access:onPremises), JSON-encoded as
    # components/on_premises.py writes them
    pairs = [
        ("KeyVaultName", json.dumps("kv-contoso-pam")),
        ("DomainFqdn", json.dumps("contoso.com")),
        ("AdminAccountsOu", json.dumps("OU=Tier1 Admins,OU=Admin,DC=contoso,DC=com")),
        ("DeliveryMailbox", json.dumps("pam-notify@contoso.com")),
        ("ManagedGroups", json.dumps(["Account Operators", "linux-sudo-admins"])),
    ]
    assert flagged(variables(pairs)) == []


def test_an_encrypted_variable_passes_whatever_it_holds():
    assert flagged(variables([("DomainJoinKey", '"Zx9!kQ2#Lm7$Vb4p"')], encrypted=True)) == []


# --- unknown at preview ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unknown", ["value", "name", "is_encrypted"])
def test_a_value_name_or_encryption_unknown_at_preview_is_unverified(unknown):
    def program():
        rg = resources.ResourceGroup("rg")
        args = {"name": "TokenLifetimeMinutes", "value": '"60"', "is_encrypted": False}
        args[unknown] = later(rg.name, args[unknown])
        automation.Variable("v", **args, **IN_ACCOUNT)

    [message] = flagged(program)
    assert "unknown at preview" in message


# --- connection fields -------------------------------------------------------------------------------------------


def connection(fields):
    def program():
        automation.Connection(
            "conn", name="AdConn", connection_type={"name": "AdService"}, field_definition_values=fields, **IN_ACCOUNT
        )

    return program


@pytest.mark.parametrize(
    "fields, secret",
    [
        ({"UserName": "svc-ad", "ClientKey": "Zx9!kQ2#Lm7$Vb4pQ", "Pw": "Winter2026!Admin"}, "ClientKey, Pw"),
        ({"UserName": "svc-ad", "Pin": "1234"}, "Pin"),
        ({"UserName": "svc-ad", "Logon": "Winter2026!Admin"}, "Logon"),  # a neutral name, a secret's shape
        ({"Server": "Server=db;User Id=sa;Password=hunter2"}, "Server"),
    ],
)
def test_connection_fields_that_are_secrets_by_name_or_shape_fail(fields, secret):
    [message] = flagged(connection(fields))
    assert f"({secret})" in message and "hunter2" not in message


def test_connection_fields_of_configuration_shape_pass():
    fields = {
        "UserName": "svc-ad",
        "Domain": "contoso.com",
        "TenantId": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        "TokenEndpoint": "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "PasswordMaxAgeDays": "30",
    }
    assert flagged(connection(fields)) == []


def test_a_connection_field_unknown_at_preview_is_unverified_and_a_secret_named_one_fails():
    def program():
        rg = resources.ResourceGroup("rg")
        automation.Connection(
            "conn",
            name="AdConn",
            connection_type={"name": "AdService"},
            field_definition_values={"Endpoint": later(rg.name, "https://x"), "ClientKey": later(rg.name, "k")},
            **IN_ACCOUNT,
        )

    found = flagged(program)
    assert any("unknown at preview" in m and "Endpoint" in m for m in found)
    assert any("(ClientKey)" in m for m in found)


# --- the same in other shapes -------------------------------------------------------------------------------------


class Classic(pulumi.CustomResource):
    def __init__(self, token, name, props):
        super().__init__(token, name, props)


@pytest.mark.parametrize(
    "token, props, bad",
    [
        ("azure:automation/variableString:VariableString", {"name": "DomainJoinKey", "value": "x"}, True),
        ("azure:automation/variableString:VariableString", {"name": "Cfg", "value": "Winter2026!Admin"}, True),
        ("azure:automation/variableString:VariableString", {"name": "TokenLifetimeMinutes", "value": "60"}, False),
        ("azure:automation/variableInt:VariableInt", {"name": "Cfg", "value": 83920571}, True),
        ("azure:automation/variableInt:VariableInt", {"name": "PasswordResetNotifyDays", "value": 7}, False),
        ("azure-native:automation/v20231101:Variable", {"name": "AdminPw", "value": '"x"', "isEncrypted": False}, True),
    ],
)
def test_classic_and_versioned_variables_are_judged_the_same(token, props, bad):
    def program():
        Classic(token, "r", props)

    assert bool(flagged(program)) is bad


@pytest.mark.parametrize(
    "name, value, bad",
    [
        ("aa/SvcPin", '"83920571"', True),
        ("aa/Cfg", '"Zx9!kQ2#Lm7$Vb4p"', True),
        ("aa/TokenLifetimeMinutes", '"60"', False),
    ],
)
def test_variables_in_a_template_or_as_a_generic_resource_are_judged_the_same(name, value, bad):
    def template():
        resources.Deployment(
            "dep",
            resource_group_name="rg-aa",
            properties={
                "mode": "Incremental",
                "template": {
                    "resources": [
                        {
                            "type": "Microsoft.Automation/automationAccounts/variables",
                            "name": name,
                            "properties": {"isEncrypted": False, "value": value},
                        }
                    ]
                },
            },
        )

    def generic():
        resources.Resource(
            "generic",
            resource_group_name="rg-aa",
            resource_provider_namespace="Microsoft.Automation",
            parent_resource_path="automationAccounts/aa",
            resource_type="variables",
            resource_name_=name.split("/")[1],
            api_version="2023-11-01",
            properties={"isEncrypted": False, "value": value},
        )

    assert bool(flagged(template)) is bad
    assert bool(flagged(generic)) is bad


# --- job schedule parameters (in the plan, the state and every job's input) --------------------------------------


def job_schedule(parameters):
    def program():
        automation.JobSchedule(
            "js",
            job_schedule_id="7f3e0c1a-0000-4000-8000-000000000001",
            runbook={"name": "Reset-AdPassword"},
            schedule={"name": "daily"},
            run_on="hwg-contoso-domain",
            parameters=parameters,
            **IN_ACCOUNT,
        )

    return program


@pytest.mark.parametrize(
    "parameters, secret",
    [
        ({"adminPass": "Winter2026!Admin", "userName": "svc-ad"}, "adminPass"),
        ({"Setting": "Zx9!kQ2#Lm7$Vb4p"}, "Setting"),
        ({"JoinKey": "1234"}, "JoinKey"),
    ],
)
def test_job_schedule_parameters_that_are_secrets_fail(parameters, secret):
    [message] = flagged(job_schedule(parameters))
    assert f"({secret})" in message


def test_job_schedule_parameters_of_configuration_shape_and_none_pass():
    assert flagged(job_schedule({"SamAccountName": "adm-jdoe", "GroupName": "Account Operators", "Hours": "2"})) == []
    assert flagged(job_schedule(None)) == []


def test_job_schedule_parameters_unknown_at_preview_are_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        automation.JobSchedule(
            "js",
            runbook={"name": "x"},
            schedule={"name": "daily"},
            parameters={"SamAccountName": later(rg.name, "adm-jdoe")},
            **IN_ACCOUNT,
        )

    [message] = flagged(program)
    assert "unknown at preview" in message and "SamAccountName" in message
