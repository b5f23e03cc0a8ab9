"""The journey automation as the example stack declares it (a preview of stacks/Pulumi.example.yaml), its workflow
definitions in automation/logic-apps/, and its azure-native arguments against the installed SDK."""

from __future__ import annotations

import inspect
import json
import os
import re

import pulumi
import pytest
from privileged_facts.graph_permissions import APP_ROLE_IDS

from components.access_packages import SecondaryAccountArgs, ad_membership_minutes
from components.access_packages import _account_delivery as account_delivery
from components.journey_automation import (
    DEFINITIONS,
    ENTITLEMENT_MANAGEMENT_APP_ID,
    graph_permissions,
    http_actions,
    load_definition,
)
from pum.engine import run_preview

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("onboarding", "on-premises-groups")


@pytest.fixture(scope="module")
def plan():
    report = run_preview(ROOT, cwd=ROOT, stack="example", policy_packs=[])
    return {r.name: r for r in report.resources}


def _all_actions(actions):
    for name, action in (actions or {}).items():
        yield name, action
        yield from _all_actions(action.get("actions"))
        yield from _all_actions((action.get("else") or {}).get("actions"))
        yield from _all_actions((action.get("default") or {}).get("actions"))
        for case in (action.get("cases") or {}).values():
            yield from _all_actions(case.get("actions"))


def test_every_action_that_handles_a_pass_or_password_hides_its_inputs_and_outputs():
    """Run history never shows a Temporary Access Pass: the action that issues it and every action that uses its
    output are marked secure (runtimeConfiguration.secureData inputs and outputs)."""
    for kind in KINDS:
        definition = load_definition(kind)
        actions = dict(_all_actions(definition["actions"]))
        issuing = {n for n, a in actions.items() if "temporaryAccessPass" in json.dumps(a.get("inputs", {}))}
        using = {
            n
            for n, a in actions.items()
            if re.search(r"(body|outputs)\('(" + "|".join(issuing or {"-"}) + r")'\)", json.dumps(a.get("inputs", {})))
        }
        secret_words = {n for n, a in actions.items() if re.search(r"password", json.dumps(a.get("inputs", {})), re.I)}
        for name in issuing | using | secret_words:
            secure = actions[name].get("runtimeConfiguration", {}).get("secureData", {}).get("properties")
            assert sorted(secure or []) == ["inputs", "outputs"], (kind, name)
        if kind == "onboarding":
            assert "Issue_temporary_access_pass" in issuing and using == {"Deliver_pass_to_manager"}


def test_the_pass_is_one_time_short_and_goes_to_the_manager_only():
    actions = dict(_all_actions(load_definition("onboarding")["actions"]))
    tap = actions["Issue_temporary_access_pass"]["inputs"]
    assert tap["body"] == {"isUsableOnce": True, "lifetimeInMinutes": "@parameters('tapLifetimeInMinutes')"}
    mail = actions["Deliver_pass_to_manager"]["inputs"]["body"]["message"]
    assert [r["emailAddress"]["address"] for r in mail["toRecipients"]] == [
        "@{outputs('Secondary_account')?['managerUpn']}"
    ]
    assert "ccRecipients" not in mail and "bccRecipients" not in mail
    assert actions["Deliver_pass_to_manager"]["inputs"]["body"]["saveToSentItems"] is False


def test_each_definition_runs_only_for_its_stages_and_declared_packages_and_skips_the_connection_test():
    for kind in KINDS:
        definition = load_definition(kind)
        trigger = definition["triggers"]["manual"]
        assert (trigger["type"], trigger["kind"]) == ("Request", "Http")
        assert "CustomExtensionConnectionTest" in json.dumps(trigger["conditions"])
        gate = definition["actions"]["Only_declared_packages"]
        assert gate["type"] == "If" and "AccessPackage" in json.dumps(gate["expression"])
        # every step sits behind the package gate
        assert set(definition["actions"]) == {"Only_declared_packages"}
    cases = load_definition("on-premises-groups")["actions"]["Only_declared_packages"]["actions"]["By_stage"]["cases"]
    assert {c["case"] for c in cases.values()} == {"assignmentRequestGranted", "assignmentRequestRemoved"}


def test_runbook_jobs_pass_what_the_on_premises_runbooks_take_and_run_on_the_workers(plan):
    import re as _re

    cases = load_definition("on-premises-groups")["actions"]["Only_declared_packages"]["actions"]["By_stage"]["cases"]
    runbooks = os.path.join(ROOT, "automation", "runbooks")
    wf = plan["journeys-on-premises-groups-workflow"].inputs["parameters"]
    granted = cases["Granted"]["actions"]
    (reset,) = granted["Renew_admin_account_on_grant"]["actions"].values()
    jobs = [
        (granted["Add_to_each_group"]["actions"]["Start_add_membership_job"], "addGroupMemberRunbook"),
        (reset, "adminAccountRunbook"),
        (
            next(iter(cases["Removed"]["actions"]["Remove_from_each_group"]["actions"].values())),
            "removeGroupMemberRunbook",
        ),
    ]
    # the password is made on the worker and mailed from there: the job starts with names only, its history hidden
    assert reset["runtimeConfiguration"]["secureData"]["properties"] == ["inputs", "outputs"]
    assert set(reset["inputs"]["body"]["properties"]["parameters"]) == {"SamAccountName", "DisplayName", "DeliverTo"}
    for job, runbook in jobs:
        sent = set(job["inputs"]["body"]["properties"]["parameters"])
        name = wf[runbook]["value"]
        text = open(os.path.join(runbooks, f"{name}.ps1"), encoding="utf-8").read()
        accepted = set(_re.findall(r"\[string\] \$(\w+)|\[int\] \$(\w+)", text)[0]) | {
            m for pair in _re.findall(r"\[string\] \$(\w+)|\[int\] \$(\w+)", text) for m in pair if m
        }
        assert sent <= accepted, (name, sent - accepted)
        assert job["inputs"]["body"]["properties"]["runOn"] == "@parameters('hybridWorkerGroup')"
    import yaml

    stack = yaml.safe_load(open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml"), encoding="utf-8"))
    on_premises = stack["config"]["privileged-access:onPremises"]
    assert wf["hybridWorkerGroup"]["value"] == on_premises["workerGroupName"]
    assert wf["automationAccountId"]["value"].endswith(
        f"/resourceGroups/{on_premises['resourceGroupName']}/providers/Microsoft.Automation/automationAccounts/"
        f"{on_premises['automationAccountName']}"
    )
    operator = plan["on-premises-job-operator-journey-on-premises-groups"].inputs
    assert operator["roleDefinitionId"].endswith("4fe576fe-1146-4730-92eb-48519fa6bf9f")


def test_definitions_call_only_graph_and_arm_with_the_managed_identity():
    for kind in KINDS:
        for name, action in http_actions(load_definition(kind)):
            inputs = action["inputs"]
            assert inputs["uri"].startswith(("https://graph.microsoft.com/v1.0/", "https://management.azure.com/")), (
                name
            )
            assert inputs["authentication"]["type"] == "ManagedServiceIdentity", name
            assert "headers" not in inputs or "Authorization" not in inputs["headers"], name


def test_graph_permissions_come_from_the_definition_and_the_plan_holds_exactly_them(plan):
    assert graph_permissions(load_definition("on-premises-groups")) == []
    wanted = {APP_ROLE_IDS[p] for p in graph_permissions(load_definition("onboarding"))}
    roles = [r for r in plan.values() if r.type == "azuread:index/appRoleAssignment:AppRoleAssignment"]
    onboarding = {r.inputs["appRoleId"] for r in roles if r.name.startswith("journeys-onboarding-")}
    assert onboarding == wanted and not [r for r in roles if r.name.startswith("journeys-on-premises-groups-")]


def test_logic_apps_are_enabled_system_assigned_and_accept_only_entitlement_managements_pop_token(plan):
    for kind in KINDS:
        wf = plan[f"journeys-{kind}-workflow"].inputs
        assert wf["state"] == "Enabled" and wf["identity"] == {"type": "SystemAssigned"}
        assert wf["workflowName"] == f"pum-journeys-{kind}" and wf["resourceGroupName"] == "rg-pum-journey-automation"
        assert wf["definition"] == load_definition(kind)
        (policy,) = wf["accessControl"]["triggers"]["openAuthenticationPolicies"]["policies"].values()
        claims = {c["name"]: c["value"] for c in policy["claims"]}
        assert policy["type"] == "AADPOP"
        assert claims["appid"] == ENTITLEMENT_MANAGEMENT_APP_ID and claims["m"] == "POST"
        assert claims["iss"].startswith("https://sts.windows.net/") and claims["u"] == "management.azure.com"
        assert sorted(claims) == ["appid", "iss", "m", "p", "u"]  # as Microsoft's quickstart template
        assert claims["p"] == (
            "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-pum-journey-automation/providers/"
            f"Microsoft.Logic/workflows/pum-journeys-{kind}"
        )
        assert not re.search(
            r"password|secret|temporaryAccessPass\"", json.dumps(wf.get("parameters", {}), default=str), re.I
        )


def test_journey_stages_verified_id_and_on_premises_reach_in_the_plan(plan):
    user_admin = plan["journeys-user-admin-members-settings"].inputs
    assert [s["stage"] for s in user_admin["stages"]] == ["assignmentRequestGranted", "assignmentRequestRemoved"]
    assert user_admin["onPremisesReach"] == {
        "adGroups": ["Account Operators"],
        "sudoGroups": [],
        "writebackGroups": ["Account Operators"],  # its account-operators cloud group is nested there too
    }
    onboarding = plan["journeys-secondary-account-members-settings"].inputs
    assert [s["stage"] for s in onboarding["stages"]] == ["assignmentRequestApproved"]
    domain = plan["journeys-domain-admin-members-settings"].inputs
    assert domain["stages"] == [] and domain["faceCheckRequired"] is True
    assert domain["onPremisesReach"]["writebackGroups"] == ["Domain Admins"]
    assert domain["verifiableCredentials"]["credentialTypes"][0]["issuers"] == ["did:web:verifiedid.contoso.com"]
    requestors = plan["journeys-secondary-account-members"].inputs["requestorSettings"]["requestors"]
    daily = plan["journeys-user-admin-members"].inputs["requestorSettings"]["requestors"]
    assert requestors[0]["objectId"] != daily[0]["objectId"]  # the daily account requests the secondary one


def test_the_policy_fingerprint_follows_the_azuread_policys_declaration():
    from components.access_packages import fingerprint

    def value(output):
        import asyncio

        return asyncio.get_event_loop().run_until_complete(output.future())

    base = {"display_name": "m", "duration_in_days": 30, "approval_settings": {"approval_required": True}}
    same = value(fingerprint(dict(base)))
    assert value(fingerprint(dict(base))) == same
    assert value(fingerprint({**base, "duration_in_days": 31})) != same
    assert value(fingerprint({**base, "approval_settings": {"approval_required": False}})) != same


def test_azure_native_arguments_exist_in_the_installed_sdk():
    from pulumi_azure_native import logic
    from pulumi_azure_native.logic import _enums

    params = inspect.signature(logic.WorkflowArgs.__init__).parameters
    for arg in ("workflow_name", "resource_group_name", "location", "state", "identity", "definition", "parameters"):
        assert arg in params, arg
    assert _enums.WorkflowState.ENABLED.value == "Enabled"
    assert _enums.ManagedServiceIdentityType.SYSTEM_ASSIGNED.value == "SystemAssigned"
    # AADPOP is what the service and the portal use; the 2019-05-01 spec's enum lists only AAD, and the SDK's
    # type is Union[str, OpenAuthenticationProviderType], so the string is passed as is (docs/journey-automation.md)
    assert [m.value for m in _enums.OpenAuthenticationProviderType] == ["AAD"]
    from pulumi_azure_native.logic._inputs import OpenAuthenticationAccessPolicyArgsDict

    assert "str" in str(OpenAuthenticationAccessPolicyArgsDict.__annotations__["type"])


def test_the_definitions_are_the_files_in_the_repository():
    assert sorted(f for f in os.listdir(DEFINITIONS) if f.endswith(".json")) == [
        "on-premises-groups.json",
        "onboarding.json",
        "trigger-schema.json",
    ]
    schema = json.load(open(os.path.join(DEFINITIONS, "trigger-schema.json"), encoding="utf-8"))
    for kind in KINDS:
        assert load_definition(kind)["triggers"]["manual"]["inputs"]["schema"] == schema


def test_each_extension_calls_its_workflow_in_the_subscription_the_workflow_deploys_to(plan):
    """The extension's subscription is read from the Workflow's ARM ID (unknown at preview, a property dependency on
    the Workflow), never a literal the gate could not tie to the Workflow; name and resource group are the
    Workflow's."""
    from components.journey_automation import subscription_of

    for kind in KINDS:
        workflow = plan[f"journeys-{kind}-workflow"]
        extension = plan[f"journeys-{kind}-extension"]
        endpoint = extension.inputs["endpointConfiguration"]
        assert endpoint["logicAppWorkflowName"] == workflow.inputs["workflowName"]
        assert endpoint["resourceGroupName"] == workflow.inputs["resourceGroupName"]
        assert "subscriptionId" not in endpoint or not re.fullmatch(r"[0-9a-f-]{36}", str(endpoint["subscriptionId"]))
        assert workflow.urn in extension.property_dependencies["endpointConfiguration"]
    arm = "/SUBSCRIPTIONS/00000000-0000-4000-8000-0000000000B2/resourceGroups/rg/providers/Microsoft.Logic/workflows/w"
    assert subscription_of(arm) == "00000000-0000-4000-8000-0000000000b2"
    with pytest.raises(ValueError):
        subscription_of("workflows/w")


@pulumi.runtime.test
def test_a_password_reset_on_grant_is_mailed_to_the_daily_mailbox_of_the_admin_accounts_owner(mocks):
    accounts = [
        SecondaryAccountArgs(
            daily_object_id="d1",
            admin_object_id="AB12-ADMIN",  # the host may hand an ID over in upper case; the trigger's is lower
            admin_upn="adm-pedro.alves@contoso.onmicrosoft.com",
            display_name="Pedro Alves",
            manager_upn="maria.santos@contoso.com",
            on_premises_user_name="adm-pedro.alves",
            daily_upn="pedro.alves@contoso.com",
        )
    ]

    def check(delivery):
        assert delivery == {"ab12-admin": {"displayName": "Pedro Alves", "deliverTo": "pedro.alves@contoso.com"}}

    return account_delivery(accounts).apply(check)


@pytest.mark.parametrize("hours, minutes", [(2, 120), (8, 480), (23, 480), (None, 120)])
def test_the_ad_membership_lasts_as_long_as_a_journey_of_hours_within_what_the_runbook_accepts(hours, minutes):
    assert ad_membership_minutes(hours) == minutes
    text = open(os.path.join(ROOT, "automation", "runbooks", "Add-AdGroupMembership.ps1"), encoding="utf-8").read()
    low, high = map(int, re.search(r"ValidateRange\((\d+), (\d+)\)\]\[int\] \$DurationMinutes", text).groups())
    assert low <= minutes <= high
    granted = load_definition("on-premises-groups")["actions"]["Only_declared_packages"]["actions"]["By_stage"]
    job = granted["cases"]["Granted"]["actions"]["Add_to_each_group"]["actions"]["Start_add_membership_job"]
    assert "['durationMinutes']" in job["inputs"]["body"]["properties"]["parameters"]["DurationMinutes"]
