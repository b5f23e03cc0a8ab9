"""no-credential-in-outputs against plain programs (pulumi_azuread, pulumi_azure_native, pulumi_random and dynamic
resources declared directly), previewed with the pack.

pulumi-policy hands the policy secret values unwrapped, so every case here that wraps a value in
`pulumi.Output.secret` is judged exactly as the plain value: the policy judges origin (property dependencies),
destination (type and path), key names and known values, never secretness. `later(source, value)` makes a value
unknown at preview (computed from another resource's output).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_azure_native as native
import pulumi_azuread as azuread
import pulumi_random as random
import pytest
from conftest import mandatory_violations, preview_with_pack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pack_cases import later
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

POLICY = "no-credential-in-outputs"
RG = "rg-creds"
TAP_TEXT = "Tap4Pedro-Only-Once!"  # a pass-like value: it must never appear in a report


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class Raw(Resource):
    """A dynamic resource with the props given verbatim (the type token every Graph provider registers)."""

    def __init__(self, name, **props):
        super().__init__(_NoOp(), name, props)


class RawProps(Resource):
    """Raw, with the props as one dict (any key, even `name`)."""

    def __init__(self, name, props):
        super().__init__(_NoOp(), name, props)


def unknown(value, name="anchor"):
    """`value`, unknown at preview: computed from a new group's object ID (not a credential)."""
    return later(azuread.Group(name, display_name=name, security_enabled=True).object_id, value)


def violations(program, **kwargs):
    return mandatory_violations(preview_with_pack(program, **kwargs), POLICY)


def messages(program):
    return [v.message for v in violations(program)]


def pw(name="pw"):
    return random.RandomPassword(name, length=32, special=True)


def user(name="adm", password=None):
    return azuread.User(
        name,
        display_name=name,
        user_principal_name=f"{name}@contoso.onmicrosoft.com",
        password=password if password is not None else pw(f"{name}-pw").result,
    )


def vm(name="vm", admin_password=None, **os_profile):
    return native.compute.VirtualMachine(
        name,
        resource_group_name=RG,
        hardware_profile={"vm_size": "Standard_D2s_v5"},
        os_profile={
            "computer_name": name,
            "admin_username": "breakfix",
            "admin_password": admin_password if admin_password is not None else pw(f"{name}-pw").result,
            **os_profile,
        },
        network_profile={"network_interfaces": [{"id": "/subscriptions/x/nic"}]},
    )


def vault_secret(value, name="secret", **extra):
    return native.keyvault.Secret(
        name, resource_group_name=RG, vault_name="kv-creds", secret_name=name, properties={"value": value}, **extra
    )


def workflow(actions, name="onboarding", parameters=None):
    return native.logic.Workflow(
        name,
        resource_group_name=RG,
        definition={
            "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
            "workflowdefinition.json#",
            "contentVersion": "1.0.0.0",
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
            "actions": actions,
        },
        parameters=parameters,
    )


SECURE = {"secureData": {"properties": ["inputs", "outputs"]}}


def issue_tap(secure=SECURE, uri="https://graph.microsoft.com/v1.0/users/@{triggerBody()?['userId']}"):
    action = {
        "type": "Http",
        "inputs": {
            "method": "POST",
            "uri": uri + "/authentication/temporaryAccessPassMethods",
            "body": {"isUsableOnce": True, "lifetimeInMinutes": 60},
            "authentication": {"type": "ManagedServiceIdentity", "audience": "https://graph.microsoft.com"},
        },
    }
    if secure is not None:
        action["runtimeConfiguration"] = secure
    return action


def send_mail(reads="Issue_TAP", secure=None):
    action = {
        "type": "Http",
        "runAfter": {reads: ["Succeeded"]},
        "inputs": {
            "method": "POST",
            "uri": "https://graph.microsoft.com/v1.0/users/onboarding@contoso.com/sendMail",
            "body": {"message": {"body": {"content": f"@{{body('{reads}')?['temporaryAccessPass']}}"}}},
        },
    }
    if secure is not None:
        action["runtimeConfiguration"] = secure
    return action


# --- compliant ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program",
    [
        pytest.param(lambda: user(), id="random-password-into-user"),
        pytest.param(lambda: user(password=later(pw("a").result, "x")), id="random-password-behind-apply-into-user"),
        pytest.param(lambda: vm(), id="random-password-into-vm-admin-password"),
        pytest.param(lambda: vault_secret(pw("kv").result), id="random-password-into-key-vault-secret"),
        pytest.param(
            lambda: native.automation.Variable(
                "var",
                resource_group_name=RG,
                automation_account_name="aa",
                name="v",
                is_encrypted=True,
                value=pw("v").result,
            ),
            id="random-password-into-encrypted-automation-variable",
        ),
        pytest.param(lambda: workflow({"Issue_TAP": issue_tap()}), id="tap-action-with-secure-data"),
        pytest.param(
            lambda: workflow({"Issue_TAP": issue_tap(), "Mail": send_mail(secure=SECURE)}),
            id="tap-delivered-by-a-secured-action",
        ),
        pytest.param(
            lambda: Raw(
                "tap-policy",
                graphKind="temporaryAccessPassPolicy",
                state="enabled",
                isUsableOnce=True,
                minimumLifetimeInMinutes=10,
                defaultLifetimeInMinutes=60,
                maximumLifetimeInMinutes=60,
                defaultLength=16,
                includeGroupIds=["a0a0a0a0-0000-4000-8000-000000000001"],
                excludeGroupIds=[],
                previous=None,
            ),
            id="the-tenant-tap-policy",
        ),
        pytest.param(
            lambda: Raw("discard", graphKind="passwordDiscard", userId=user().object_id, state="discarded"),
            id="password-discard",
        ),
        pytest.param(
            lambda: azuread.User(
                "flags",
                display_name="flags",
                user_principal_name="flags@contoso.onmicrosoft.com",
                password=pw("f").result,
                force_password_change=True,
                disable_password_expiration=True,
                disable_strong_password=False,
            ),
            id="password-settings-are-not-passwords",
        ),
        pytest.param(
            lambda: native.compute.VirtualMachineExtension(
                "dsc",
                resource_group_name=RG,
                vm_name="vm",
                publisher="Microsoft.Powershell",
                type="DSC",
                type_handler_version="2.83",
                settings={"properties": {"cred": {"UserName": "x", "Password": "PrivateSettingsRef:Token"}}},
            ),
            id="dsc-private-settings-reference",
        ),
    ],
)
def test_compliant(program):
    assert violations(program) == []


def test_the_example_stacks_accounts_are_compliant():
    from components.accounts import AdminAccountArgs, PrivilegedAccounts, PrivilegedAccountsArgs

    def program():
        PrivilegedAccounts(
            "admins",
            PrivilegedAccountsArgs(people={"pedro": AdminAccountArgs(upn="adm-p@contoso.com", display_name="P")}),
        )

    assert violations(program) == []


# --- non-compliant: a generated password where it does not belong ------------------------------------------------


@pytest.mark.parametrize(
    "program, where",
    [
        pytest.param(
            lambda: azuread.Group("g", display_name="g", security_enabled=True, description=pw().result),
            "description",
            id="in-a-description",
        ),
        pytest.param(
            lambda: azuread.Group("g", display_name=pw().result.apply(lambda p: f"admins {p}"), security_enabled=True),
            "displayName",
            id="in-a-display-name-behind-apply",
        ),
        pytest.param(
            lambda: native.resources.ResourceGroup("rg", tags={"owner": pw().result}),
            "tags",
            id="in-a-tag",
        ),
        pytest.param(
            lambda: native.resources.ResourceGroup("rg", tags={"x": pulumi.Output.secret(pw().result)}),
            "tags",
            id="in-a-tag-as-a-secret",
        ),
        pytest.param(
            lambda: vault_secret("ok-value", tags={"backup": pw().result}),
            "tags",
            id="in-key-vault-tags",
        ),
        pytest.param(
            lambda: native.automation.Variable(
                "var",
                resource_group_name=RG,
                automation_account_name="aa",
                name="v",
                is_encrypted=False,
                value=pw().result,
            ),
            "value",
            id="in-an-unencrypted-automation-variable",
        ),
        pytest.param(
            lambda: workflow({}, parameters={"pw": {"value": pw().result}}),
            "parameters",
            id="in-logic-app-parameters",
        ),
        pytest.param(
            lambda: native.web.WebAppApplicationSettings(
                "settings", name="app", resource_group_name=RG, properties={"DB_PASS": pw().result}
            ),
            "properties",
            id="in-app-settings",
        ),
        pytest.param(
            lambda: Raw("anything", note=pw().result.apply(lambda p: p[::-1])),
            "note",
            id="in-a-differently-named-key-of-a-dynamic-resource",
        ),
        pytest.param(
            lambda: native.automation.Credential(
                "cred",
                resource_group_name=RG,
                automation_account_name="aa",
                name="svc",
                user_name="svc",
                password=pw().result,
            ),
            "password",
            id="in-an-automation-credential-asset",
        ),
        pytest.param(
            lambda: azuread.User(
                "u",
                display_name="u",
                user_principal_name="u@contoso.onmicrosoft.com",
                password=pw("p1").result,
                job_title=pw("p2").result,
            ),
            "jobTitle",
            id="a-sink-type-but-not-the-sink-field",
        ),
        pytest.param(
            lambda: azuread.Group(
                "leak",
                display_name="g",
                security_enabled=True,
                description=azuread.ApplicationPassword("secret", application_id="/applications/x").value,
            ),
            "description",
            id="a-client-secret-in-a-description",
        ),
    ],
)
def test_a_credential_outside_its_sinks(program, where):
    found = messages(program)
    assert found and any(f" {where}" in m for m in found), found


def test_a_credential_beside_its_sink_that_is_unknown_is_unverified():
    def program():
        vm(custom_data=pw("other").result.apply(lambda p: p))

    found = messages(program)
    assert found and all("customData" in m or "cannot verify" in m for m in found), found


def test_a_known_password_value_anywhere_is_found(monkeypatch):
    """After a deployment (or under mocks that know it) the value itself is seen, also inside a longer string."""

    def program():
        known = "Kn0wn-Generated-Password-1234"
        Raw("generated", graphKind="x", value=known)
        native.resources.ResourceGroup("rg", tags={"note": f"login with {known}"})
        azuread.User("u", display_name="u", user_principal_name="u@contoso.onmicrosoft.com", password=known)

    found = messages(program)
    assert any("User 'u' password is a literal password" in m for m in found), found


# --- literal passwords ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program, where",
    [
        pytest.param(lambda: user(password="Summer2025!"), "User 'adm' password", id="azuread-user"),
        pytest.param(
            lambda: user(password=pulumi.Output.secret("Summer2025!")), "User 'adm' password", id="azuread-user-secret"
        ),
        pytest.param(lambda: vm(admin_password="P@ssw0rd-literal"), "osProfile.adminPassword", id="vm"),
        pytest.param(
            lambda: native.automation.Credential(
                "cred",
                resource_group_name=RG,
                automation_account_name="aa",
                name="svc",
                user_name="svc",
                password="Literal-Pass-123",
            ),
            "Credential 'cred' password",
            id="automation-credential",
        ),
        pytest.param(
            lambda: Raw("svc", graphKind="serviceAccount", settings={"adminPwd": "hunter2-but-longer"}),
            "settings.adminPwd",
            id="a-nested-differently-spelled-key",
        ),
    ],
)
def test_literal_passwords(program, where):
    found = messages(program)
    assert any(where in m and "literal password" in m for m in found), found


def test_a_password_field_fed_by_something_else_unknown_is_unverified():
    def program():
        vm(admin_password=unknown("x"))

    found = messages(program)
    assert any("osProfile.adminPassword" in m and "cannot verify" in m for m in found), found


# --- outputs ----------------------------------------------------------------------------------------------------


class Leaky(pulumi.ComponentResource):
    def __init__(self, name, outputs):
        super().__init__("test:index:Leaky", name)
        self.register_outputs(outputs)


@pytest.mark.parametrize(
    "program",
    [
        pytest.param(lambda: pulumi.export("adminPassword", pw().result), id="stack-output-named-password"),
        pytest.param(lambda: pulumi.export("adminPassword", "Literal-Pass-123"), id="stack-output-literal"),
        pytest.param(lambda: pulumi.export("onboarding", {"tap": "Tap4Pedro-Only-Once!"}), id="stack-output-tap"),
        pytest.param(lambda: Leaky("c", {"password": pw().result}), id="component-output"),
        pytest.param(
            lambda: Leaky("c", {"creds": {"temporaryAccessPass": later(pw().result, "x")}}), id="component-output-tap"
        ),
    ],
)
def test_outputs_that_carry_a_credential(program):
    assert violations(program), "an output carrying a password or pass passed"


def test_outputs_of_object_ids_pass():
    def program():
        u = user()
        pulumi.export("adminObjectId", u.object_id)
        Leaky("c", {"objectIds": {"adm": u.object_id}})

    assert violations(program) == []


# --- Temporary Access Pass resources -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program",
    [
        pytest.param(
            lambda: Raw("tap", graphKind="temporaryAccessPass", userId="u", temporaryAccessPass=None),
            id="dynamic-tap-resource",
        ),
        pytest.param(lambda: Raw("tap", graphKind="userTap", lifetimeInMinutes=60), id="graph-kind-names-a-tap"),
        pytest.param(
            lambda: Raw("tap", graphKind="onboarding", result={"temporaryAccessPass": later(pw().result, "x")}),
            id="a-key-naming-a-tap",
        ),
        pytest.param(
            lambda: Raw(
                "tap-policy",
                graphKind="temporaryAccessPassPolicy",
                state="enabled",
                isUsableOnce=True,
                includeGroupIds=[],
                issuedPass="abc-123-def-456",
            ),
            id="forged-tap-policy-with-an-extra-key",
        ),
        pytest.param(
            lambda: Raw(
                "tap-policy",
                graphKind="temporaryAccessPassPolicy",
                previous={"temporaryAccessPass": "abc-123-def-456"},
            ),
            id="forged-tap-policy-hiding-a-pass-in-previous",
        ),
    ],
)
def test_tap_resources(program):
    assert violations(program), "a Temporary Access Pass resource passed"


# --- Logic App actions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actions",
    [
        pytest.param({"Issue_TAP": issue_tap(secure=None)}, id="tap-without-secure-data"),
        pytest.param({"Issue_TAP": issue_tap(secure={"secureData": {"properties": ["inputs"]}})}, id="tap-inputs-only"),
        pytest.param(
            {
                "Scope": {
                    "type": "Scope",
                    "actions": {
                        "If": {
                            "type": "If",
                            "expression": {},
                            "actions": {},
                            "else": {"actions": {"Issue_TAP": issue_tap(secure=None)}},
                        }
                    },
                }
            },
            id="tap-nested-in-scope-and-else",
        ),
        pytest.param({"Issue_TAP": issue_tap(), "Mail": send_mail()}, id="tap-delivered-by-an-insecure-action"),
        pytest.param(
            {
                "Reset": {
                    "type": "Http",
                    "inputs": {
                        "method": "PATCH",
                        "uri": "https://graph.microsoft.com/v1.0/users/x",
                        "body": {"passwordProfile": {"password": "@{variables('pw')}"}},
                    },
                }
            },
            id="password-profile-without-secure-data",
        ),
        pytest.param(
            {
                "Read_secret": {
                    "type": "Http",
                    "inputs": {
                        "method": "GET",
                        "uri": "https://kv-creds.vault.azure.net/secrets/ad-reset?api-version=7.4",
                    },
                }
            },
            id="key-vault-secret-get-without-secure-data",
        ),
    ],
)
def test_logic_app_credential_actions(actions):
    found = messages(lambda: workflow(actions))
    assert found, "a Logic App action handling a pass or password without secure data passed"


def test_logic_app_unknown_definition_or_call_is_unverified():
    def unknown_definition():
        native.logic.Workflow("wf", resource_group_name=RG, definition=unknown({"actions": {}}))

    def unknown_call():
        workflow({"Call": {"type": "Http", "inputs": {"method": "POST", "uri": unknown("https://x")}}})

    for program in (unknown_definition, unknown_call):
        found = messages(program)
        assert found and all("cannot verify" in m for m in found), found


def test_logic_app_unknown_call_with_secure_data_passes():
    def program():
        action = {"type": "Http", "inputs": {"uri": unknown("https://x")}, "runtimeConfiguration": SECURE}
        workflow({"Call": action})

    assert violations(program) == []


# --- reports never print a secret ----------------------------------------------------------------------------------


def _secret_program():
    Raw("tap", graphKind="onboarding", temporaryAccessPass=pulumi.Output.secret(TAP_TEXT))
    azuread.User(
        "adm",
        display_name="adm",
        user_principal_name="adm@contoso.onmicrosoft.com",
        password=pulumi.Output.secret(TAP_TEXT),
    )
    pulumi.export("tap", pulumi.Output.secret(TAP_TEXT))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "graph-mermaid", "graph-html"])
def test_a_pass_given_as_a_secret_is_in_no_report(fmt):
    """pum shows a secret as [secret] and no policy message shows a value, in every report `pum` writes."""
    import importlib

    report = preview_with_pack(_secret_program)
    assert mandatory_violations(report, POLICY)  # the policy saw it (unwrapped) and said so without the value
    if fmt.startswith("graph-"):
        from privilege_map import render

        text = render(report, fmt.removeprefix("graph-"))
    else:
        text = importlib.import_module(f"pum.report.{ {'json': 'json_report'}.get(fmt, fmt) }").render(report)
    assert TAP_TEXT not in text
    assert TAP_TEXT not in json.dumps([v.message for v in report.violations])
    if fmt == "json":
        resources = json.loads(text)["resources"]
        assert [r["inputs"]["password"] for r in resources if r["name"] == "adm"] == ["[secret]"]


# --- endpoints hidden from a plain reading ------------------------------------------------------------------------


def test_a_generic_graph_resource_that_creates_a_pass_is_a_tap_resource():
    def program():
        Raw(
            "generic",
            url="/users/adm-pedro@contoso.onmicrosoft.com/authentication/temporaryAccessPassMethods",
            body={"isUsableOnce": True},
        )

    assert any("temporaryAccessPassMethods" in m for m in messages(program))


@pytest.mark.parametrize(
    "parameters_in, action",
    [
        pytest.param(
            "definition",
            {"type": "Http", "inputs": {"method": "POST", "uri": "@{parameters('graphUri')}/x"}},
            id="endpoint-in-a-definition-parameter",
        ),
        pytest.param(
            "resource",
            {"type": "Http", "inputs": {"method": "POST", "uri": "@{parameters('graphUri')}/x"}},
            id="endpoint-in-a-resource-parameter",
        ),
        pytest.param(
            None,
            {
                "type": "ApiConnection",
                "inputs": {
                    "host": {"connection": {"name": "@parameters('$connections')['keyvault']['connectionId']"}},
                    "method": "get",
                    "path": "/secrets/@{encodeURIComponent('ad-reset')}/value",
                },
            },
            id="key-vault-connector",
        ),
    ],
)
def test_logic_app_endpoints_behind_parameters_and_connectors(parameters_in, action):
    tap_uri = "https://graph.microsoft.com/v1.0/users/x/authentication/temporaryAccessPassMethods"

    def program():
        definition = {"actions": {"Call": action}}
        if parameters_in == "definition":
            definition["parameters"] = {"graphUri": {"type": "String", "defaultValue": tap_uri}}
        native.logic.Workflow(
            "wf",
            resource_group_name=RG,
            definition=definition,
            parameters={"graphUri": {"value": tap_uri}} if parameters_in == "resource" else None,
        )

    found = messages(program)
    assert any("action 'Call'" in m and "secure inputs and outputs" in m for m in found), found


def test_logic_app_data_actions_on_unknown_parameters_pass():
    """A Compose of a parameter unknown at preview (object IDs) calls nothing: not a deciding unknown."""

    def program():
        native.logic.Workflow(
            "wf",
            resource_group_name=RG,
            definition={"actions": {"Pick": {"type": "Compose", "inputs": "@parameters('accounts')['x']"}}},
            parameters={"accounts": {"value": unknown({"x": "y"})}},
        )

    assert violations(program) == []


def test_logic_app_call_to_an_unknown_parameter_endpoint_is_unverified():
    def program():
        native.logic.Workflow(
            "wf",
            resource_group_name=RG,
            definition={"actions": {"Call": {"type": "Http", "inputs": {"uri": "@{parameters('target')}"}}}},
            parameters={"target": {"value": unknown("https://x")}},
        )

    found = messages(program)
    assert found and all("cannot verify" in m for m in found), found


def test_a_generated_password_in_a_provider_configuration_is_outside_its_sinks():
    def program():
        azuread.Provider("tenant-b", client_id="x", client_secret=pw().result, tenant_id="t")

    assert any("clientSecret" in m for m in messages(program))


# --- the class, not one example: any key, any depth, any wrapping -------------------------------------------------

_KEYS = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,12}", fullmatch=True).filter(lambda k: k != "graphKind")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.lists(_KEYS, min_size=1, max_size=3),
    wrap=st.sampled_from(["plain", "apply", "secret", "all"]),
)
def test_a_generated_password_under_any_key_at_any_depth_is_found(path, wrap):
    def program():
        result = pw().result
        value = {
            "plain": result,
            "apply": result.apply(lambda p: f"x{p}"),
            "secret": pulumi.Output.secret(result),
            "all": pulumi.Output.all(result, "y").apply(lambda v: v[1] + v[0]),
        }[wrap]
        for key in reversed(path[1:]):
            value = {key: value}
        RawProps("thing", {"graphKind": "anything", path[0]: value})

    assert violations(program), (path, wrap)


@pytest.mark.parametrize(
    "props",
    [
        pytest.param({"includeGroupIds": ["Tap4Pedro-Only-Once!"]}, id="a-pass-as-a-group-id"),
        pytest.param({"previous": {"includeGroupIds": ["Tap4Pedro-Only-Once!"]}}, id="a-pass-in-previous-targets"),
        pytest.param({"defaultLength": "Tap4Pedro-Only-Once!"}, id="a-pass-as-a-setting"),
        pytest.param({"state": "Tap4Pedro-Only-Once!"}, id="a-pass-as-the-state"),
    ],
)
def test_a_tap_policy_shaped_resource_carrying_a_pass_in_its_own_fields(props):
    def program():
        RawProps(
            "tap-policy",
            {
                "graphKind": "temporaryAccessPassPolicy",
                "state": "enabled",
                "isUsableOnce": True,
                "includeGroupIds": ["a0a0a0a0-0000-4000-8000-000000000001"],
                **props,
            },
        )

    found = messages(program)
    assert found and not any(TAP_TEXT in m for m in found), found


def test_an_automation_variable_whose_encryption_is_unknown_is_unverified():
    def program():
        native.automation.Variable(
            "var",
            resource_group_name=RG,
            automation_account_name="aa",
            name="v",
            is_encrypted=unknown(True),
            value=pw().result,
        )

    found = messages(program)
    assert found and all("isEncrypted" in m and "cannot verify" in m for m in found), found
