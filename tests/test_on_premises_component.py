"""OnPremisesAutomation under Pulumi mocks: what it declares is private, identity-only and credential-free, every
azure-native input it sets is one the installed SDK takes (required fields present, enum values valid), and the
runbook content pinned in the plan is the repository file's."""

import datetime as dt
import hashlib
import importlib
import inspect
import re
from enum import Enum

import pulumi
import pytest
from conftest import SUBSCRIPTION

JOURNEY_MI = "eeeeeeee-0000-4000-8000-000000000001"
WORKER_MI = "eeeeeeee-0000-4000-8000-000000000002"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
ARC = f"{SUB}/rg-arc/providers/Microsoft.HybridCompute/machines/dc-mgmt-01"
VM = f"{SUB}/rg-vms/providers/Microsoft.Compute/virtualMachines/mgmt-02"
SUBNET = f"{SUB}/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints"
ROLES = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions"
TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def mocks():
    """The recording mocks, answering `name` as the provider does (the `<type>Name` input, else the resource's
    own name): children read their parent's name from that output."""
    import conftest

    class Named(conftest.RecordingMocks, pulumi.runtime.Mocks):
        def new_resource(self, args):
            id_, state = super().new_resource(args)
            if args.typ.startswith("azure-native:"):
                kind = args.typ.rsplit(":", 1)[-1]
                state["name"] = (
                    args.inputs.get(kind[0].lower() + kind[1:] + "Name") or args.inputs.get("name") or args.name
                )
                identity = args.inputs.get("identity")
                if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type")):
                    state["identity"] = {**identity, "principalId": f"{args.name}-principal", "tenantId": "t"}
            return id_, state

    recorder = Named()
    pulumi.runtime.set_mocks(recorder, project="test", stack="dev", preview=False)
    return recorder


def settings(**overrides):
    from components.model.on_premises import OnPremisesSettings

    return OnPremisesSettings.model_validate(
        {
            "resourceGroupName": "rg-pam",
            "location": "westeurope",
            "domainFqdn": "contoso.com",
            "adminAccountsOu": "OU=Admins,DC=contoso,DC=com",
            "automationAccountName": "aa-contoso-pam",
            "keyVaultName": "kv-contoso-pam",
            "addressSpace": "10.91.0.0/27",
            "passwordDeliverySender": "pam-notify@contoso.com",
            "workerMachineIds": [ARC, VM],
            "workerPrincipalIds": [WORKER_MI],
            **overrides,
        }
    )


def on_premises(**overrides):
    from components.on_premises import OnPremisesAutomation
    from components.stack import on_premises_args

    args = on_premises_args(settings(**overrides), today=TODAY, job_operator_principal_ids=[JOURNEY_MI])
    return OnPremisesAutomation("on-premises", args)


def after(component, check):
    outputs = [
        component.automation_account_id,
        component.key_vault_id,
        component.worker_group_name,
        *[r.id for r in component.runbooks.values()],
        *[c.id for c in component.contents.values()],
        *[j.id for j in component.job_schedules.values()],
        *[g.id for g in component.role_assignments],
        *[g.id for g in component.private_dns_zone_groups],
    ]
    return pulumi.Output.all(*outputs).apply(lambda _: check())


def of_type(mocks, suffix):
    return {n: i for n, i in mocks.inputs.items() if mocks.types[n].endswith(suffix)}


@pulumi.runtime.test
def test_account_is_identity_only_private_and_without_credential_assets(mocks):
    component = on_premises()

    def check():
        account = mocks.inputs["on-premises-automation"]
        assert account["identity"] == {"type": "SystemAssigned"}
        assert account["publicNetworkAccess"] is False and account["disableLocalAuth"] is True
        forbidden = ("Credential", "Certificate", "Connection", "ConnectionType", "Webhook", "SourceControl")
        assert not [t for t in mocks.types.values() if t.rsplit(":", 1)[-1] in forbidden]
        variables = of_type(mocks, ":automation:Variable")
        assert sorted(v["name"] for v in variables.values()) == [
            "AdminAccountsOu",
            "DeliveryMailbox",
            "DomainFqdn",
            "KeyVaultName",
            "ManagedGroups",
        ]
        assert mocks.inputs["on-premises-var-ManagedGroups"]["value"] == '["Account Operators"]'
        assert mocks.inputs["on-premises-var-DomainFqdn"]["value"] == '"contoso.com"'  # a JSON literal
        group = mocks.inputs["on-premises-workers"]
        assert group["hybridRunbookWorkerGroupName"] == "domain-workers" and "credential" not in group
        endpoint = mocks.inputs["on-premises-automation-pe"]["privateLinkServiceConnections"][0]
        assert endpoint["groupIds"] == ["DSCAndHybridWorker"]
        assert mocks.inputs["on-premises-automation-dns"]["privateZoneName"] == "privatelink.azure-automation.net"

    return after(component, check)


@pulumi.runtime.test
def test_key_vault_is_rbac_purge_protected_private_and_logged(mocks):
    component = on_premises()

    def check():
        props = mocks.inputs["on-premises-kv"]["properties"]
        assert props["enableRbacAuthorization"] is True and "accessPolicies" not in props
        assert props["enablePurgeProtection"] is True and props["enableSoftDelete"] is True
        assert props["publicNetworkAccess"] == "Disabled"
        assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "None"}
        endpoint = mocks.inputs["on-premises-kv-pe"]["privateLinkServiceConnections"][0]
        assert endpoint["groupIds"] == ["vault"]
        assert mocks.inputs["on-premises-kv-dns"]["privateZoneName"] == "privatelink.vaultcore.azure.net"
        zone_group = mocks.inputs["on-premises-kv-pe-dns"]["privateDnsZoneConfigs"][0]
        assert zone_group["privateDnsZoneId"] == f"/subscriptions/{SUBSCRIPTION}/on-premises-kv-dns"
        diag = mocks.inputs["on-premises-kv-diag"]
        assert diag["resourceUri"] == f"/subscriptions/{SUBSCRIPTION}/on-premises-kv"
        assert diag["workspaceId"] == f"/subscriptions/{SUBSCRIPTION}/on-premises-logs"
        assert {"categoryGroup": "audit", "enabled": True} in diag["logs"]
        assert not of_type(mocks, ":keyvault:Secret")  # no secret value is ever declared

    return after(component, check)


@pulumi.runtime.test
def test_roles_are_scoped_to_the_vault_and_the_account_only(mocks):
    component = on_premises()

    def check():
        grants = of_type(mocks, ":authorization:RoleAssignment")
        assert sorted(grants) == [
            "on-premises-automation-secrets",
            "on-premises-job-operator1",
            "on-premises-worker1-secrets",
        ]
        vault, account = (f"/subscriptions/{SUBSCRIPTION}/on-premises-{n}" for n in ("kv", "automation"))
        officer = f"{ROLES}/b86a8fe4-44ce-4948-aee5-eccb2c155cd7"  # Key Vault Secrets Officer
        operator = f"{ROLES}/4fe576fe-1146-4730-92eb-48519fa6bf9f"  # Automation Job Operator
        for name in ("on-premises-automation-secrets", "on-premises-worker1-secrets"):
            assert (grants[name]["roleDefinitionId"], grants[name]["scope"]) == (officer, vault)
        assert grants["on-premises-worker1-secrets"]["principalId"] == WORKER_MI
        assert grants["on-premises-automation-secrets"]["principalId"] == "on-premises-automation-principal"
        job = grants["on-premises-job-operator1"]
        assert (job["roleDefinitionId"], job["scope"], job["principalId"]) == (operator, account, JOURNEY_MI)

    return after(component, check)


@pulumi.runtime.test
def test_a_principal_declared_later_gets_job_operator_on_the_account(mocks):
    component = on_premises()
    late = component.allow_job_operator("journeys", "ffffffff-0000-4000-8000-000000000001")

    def check():
        grant = mocks.inputs["on-premises-job-operator-journeys"]
        assert grant["scope"] == f"/subscriptions/{SUBSCRIPTION}/on-premises-automation"
        assert grant["roleDefinitionId"].endswith("/4fe576fe-1146-4730-92eb-48519fa6bf9f")

    return pulumi.Output.all(late.id, component.automation_account_id).apply(lambda _: check())


@pulumi.runtime.test
def test_runbook_content_is_the_repository_file_pinned_by_its_hash(mocks):
    from components.on_premises import RUNBOOK_DIR, RUNBOOKS, runbook_name

    component = on_premises()

    def check():
        assert component.runbook_names == [runbook_name(s) for s in RUNBOOKS]
        for spec in RUNBOOKS:
            name = runbook_name(spec)
            runbook = mocks.inputs[f"on-premises-{name}"]
            assert runbook["runbookType"] == "PowerShell" and runbook["runbookName"] == name
            assert runbook["logVerbose"] is False and runbook["logProgress"] is False
            assert "publishContentLink" not in runbook and "draft" not in runbook  # no link, no SAS
            content = mocks.inputs[f"on-premises-{name}-content"]
            raw = (RUNBOOK_DIR / spec.file).read_bytes()
            assert content["content"].encode("utf-8") == raw
            assert content["contentHash"] == hashlib.sha256(raw).hexdigest().upper()
            assert content["runbookId"] == f"/subscriptions/{SUBSCRIPTION}/on-premises-{name}"

    return after(component, check)


@pulumi.runtime.test
def test_scheduled_runbooks_run_on_the_worker_group_from_tomorrow(mocks):
    component = on_premises()

    def check():
        schedules = of_type(mocks, ":automation:Schedule")
        assert {s["name"]: (s["frequency"], s["interval"]) for s in schedules.values()} == {
            "Rotate-RunbookCredentials-schedule": ("Week", 1),
            "Remove-ExpiredMembership-schedule": ("Hour", 1),
        }
        assert {s["startTime"] for s in schedules.values()} == {"2026-12-03T02:00:00Z"}
        jobs = of_type(mocks, ":automation:JobSchedule")
        assert {j["runbook"]["name"] for j in jobs.values()} == {
            "Rotate-RunbookCredentials",
            "Remove-ExpiredMembership",
        }
        assert {j["runOn"] for j in jobs.values()} == {"domain-workers"}
        ids = [j["jobScheduleId"] for j in jobs.values()]
        assert all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids) and len(set(ids)) == 2

    return after(component, check)


def test_schedule_ids_and_start_do_not_depend_on_the_real_date():
    from components.on_premises import schedule_start

    assert schedule_start(dt.date(2026, 12, 31)) == "2027-01-01T02:00:00Z"


@pulumi.runtime.test
def test_workers_are_registered_and_get_the_extension_for_their_kind_of_machine(mocks):
    component = on_premises()

    def check():
        workers = of_type(mocks, ":automation:HybridRunbookWorker")
        assert sorted(w["vmResourceId"] for w in workers.values()) == sorted([ARC, VM])
        arc = mocks.inputs["on-premises-worker1-extension"]
        assert mocks.types["on-premises-worker1-extension"] == "azure-native:hybridcompute:MachineExtension"
        assert (arc["machineName"], arc["resourceGroupName"], arc["extensionName"]) == (
            "dc-mgmt-01",
            "rg-arc",
            "HybridWorkerExtension",
        )
        assert arc["properties"]["publisher"] == "Microsoft.Azure.Automation.HybridWorker"
        assert arc["properties"]["type"] == "HybridWorkerForWindows"
        vm = mocks.inputs["on-premises-worker2-extension"]
        assert mocks.types["on-premises-worker2-extension"] == "azure-native:compute:VirtualMachineExtension"
        assert (vm["vmName"], vm["type"]) == ("mgmt-02", "HybridWorkerForWindows")

    return after(component, check)


@pulumi.runtime.test
def test_an_existing_subnet_is_used_and_no_network_is_made(mocks):
    component = on_premises(addressSpace=None, privateEndpointSubnetId=SUBNET, installWorkerExtension=False)

    def check():
        assert not of_type(mocks, ":network:VirtualNetwork") and not of_type(mocks, ":network:Subnet")
        assert mocks.inputs["on-premises-kv-pe"]["subnet"] == {"id": SUBNET}
        link = mocks.inputs["on-premises-kv-dns-link"]["virtualNetwork"]["id"]
        assert link == SUBNET.rsplit("/subnets/", 1)[0]
        assert not of_type(mocks, "Extension")

    return after(component, check)


@pulumi.runtime.test
def test_every_resource_is_a_child_named_after_the_component_and_taggable_ones_are_tagged(mocks):
    component = on_premises()

    def check():
        ours = [a for a in mocks.registered if a.name != "on-premises"]
        assert all(a.name.startswith("on-premises-") for a in ours)
        taggable = [n for n, i in mocks.inputs.items() if "tags" in i]
        assert len(taggable) >= 12
        assert all(mocks.inputs[n]["tags"]["pum-role"] == "on-premises-automation" for n in taggable)

    return after(component, check)


# --- every azure-native input the component sets, against the installed SDK ---------------------------------


def _forward_refs(annotation) -> list[str]:
    return re.findall(r"ForwardRef\('([A-Za-z0-9_]+)'\)", str(annotation))


def _sdk_class(token: str):
    _, module, name = token.split(":")
    mod = importlib.import_module(f"pulumi_azure_native.{module.split('/')[0]}")
    for candidate in (f"{name}InitArgs", f"{name}Args"):  # InitArgs where the module also has a nested XArgs
        if hasattr(mod, candidate):
            return mod, getattr(mod, candidate)
    raise AssertionError(f"no Args class for {token}")


def _check(mod, cls, value, where, problems):
    sig = inspect.signature(cls.__init__)
    params = {n: p for n, p in sig.parameters.items() if n != "__self__"}
    wire = {n: (cls.__dict__[n].fget._pulumi_name if n in cls.__dict__ else n) for n in params}
    unknown = set(value) - set(wire.values())
    if unknown:
        problems.append(f"{where}: {sorted(unknown)} are not inputs of {cls.__name__}")
    for name, param in params.items():
        key = wire[name]
        if param.default is inspect.Parameter.empty and value.get(key) is None:
            problems.append(f"{where}.{key}: required by {cls.__name__} but not set")
        if key not in value:
            continue
        for ref in _forward_refs(param.annotation):
            target = getattr(mod._enums, ref, None) if hasattr(mod, "_enums") else None
            if isinstance(target, type) and issubclass(target, Enum):
                values = value[key] if isinstance(value[key], list) else [value[key]]
                allowed = {m.value for m in target}
                problems += [f"{where}.{key}: {v!r} not in {ref} {sorted(allowed)}" for v in values if v not in allowed]
            nested = getattr(mod._inputs, ref, None)
            if isinstance(nested, type) and ref.endswith("Args"):
                items = value[key] if isinstance(value[key], list) else [value[key]]
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        _check(mod, nested, item, f"{where}.{key}[{index}]", problems)


@pulumi.runtime.test
def test_every_azure_native_input_is_one_the_installed_sdk_takes(mocks):
    component = on_premises()

    def check():
        problems: list[str] = []
        checked = set()
        for name, token in mocks.types.items():
            if not token.startswith("azure-native:"):
                continue
            mod, cls = _sdk_class(token)
            _check(mod, cls, mocks.inputs[name], name, problems)
            checked.add(token)
        assert not problems, "\n".join(problems)
        assert len(checked) >= 17  # every kind of azure-native resource the component declares

    return after(component, check)


def test_the_checker_catches_a_bad_enum_and_a_missing_required_field():
    from pulumi_azure_native import automation

    problems: list[str] = []
    _check(automation, automation.RunbookArgs, {"runbookType": "Bash", "resourceGroupName": "rg"}, "rb", problems)
    assert any("not in RunbookTypeEnum" in p for p in problems)
    assert any("automationAccountName: required" in p for p in problems)
    problems = []
    _check(
        automation,
        automation.AutomationAccountArgs,
        {"resourceGroupName": "rg", "sku": {"name": "Gold"}},
        "aa",
        problems,
    )
    assert any("not in SkuNameEnum" in p for p in problems)


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"addressSpace": None}, "give exactly one of privateEndpointSubnetId"),
        ({"privateEndpointSubnetId": SUBNET}, "give exactly one of privateEndpointSubnetId"),
        ({"keyVaultName": "kv--x"}, "is not a Key Vault name"),
        ({"keyVaultName": "k"}, "is not a Key Vault name"),
        ({"automationAccountName": "aa"}, "is not an Automation account name"),
        ({"workerMachineIds": ["/subscriptions/x/vm"]}, "is not a machine's ARM ID"),
        ({"workerMachineIds": [ARC, ARC.upper()]}, "lists a machine twice"),
        ({"workerPrincipalIds": ["dc-mgmt-01"]}, "is not an object ID"),
        ({"domainFqdn": "CONTOSO"}, "is not a domain name"),
        ({"adminAccountsOu": "Admins"}, "is not a distinguished name"),
        ({"addressSpace": "10.91.0.0/29"}, "too small"),
        ({"passwordDeliverySender": "pam-notify"}, "is not a mailbox address"),
        ({"tags": {"pum-role": "x"}}, "must not set pum-role"),
        ({"managedGroups": ["Domain Admins"]}, "controls the domain"),
        ({"managedGroups": ["account operators", "ENTERPRISE ADMINS"]}, "controls the domain"),
        ({"managedGroups": ["Account Operators", "account operators"]}, "lists a group twice"),
        ({"managedGroups": ["ops;rm -rf"]}, "is not an AD group name"),
        ({"managedGroups": []}, "managedGroups"),
        ({"schedules": {"rotate-everything": {"frequency": "Day"}}}, "rotate-everything"),
        ({"schedules": {"rotate-credentials": {"frequency": "Minute"}}}, "Minute"),
    ],
)
def test_model_errors_name_the_field_and_the_fix(overrides, says):
    from components.model import ModelError, parse_model

    area = {
        "resourceGroupName": "rg-pam",
        "location": "westeurope",
        "domainFqdn": "contoso.com",
        "adminAccountsOu": "OU=Admins,DC=contoso,DC=com",
        "automationAccountName": "aa-contoso-pam",
        "keyVaultName": "kv-contoso-pam",
        "addressSpace": "10.91.0.0/27",
        "passwordDeliverySender": "pam-notify@contoso.com",
    }
    area.update(overrides)
    area = {k: v for k, v in area.items() if v is not None}
    with pytest.raises(ModelError) as caught:
        parse_model({"privileged-access:onPremises": area}, "stacks/Pulumi.test.yaml")
    text = str(caught.value)
    assert "stacks/Pulumi.test.yaml" in text and "privileged-access:onPremises" in text and says in text


def test_a_missing_required_field_says_what_it_is_for():
    from components.model import ModelError, parse_model

    with pytest.raises(ModelError) as caught:
        parse_model({"privileged-access:onPremises": {"location": "westeurope"}}, "stacks/Pulumi.test.yaml")
    assert "keyVaultName" in str(caught.value) and "domainFqdn" in str(caught.value)


def test_the_component_refuses_runbooks_it_does_not_know_and_both_or_no_network():
    from components.on_premises import OnPremisesAutomation, OnPremisesAutomationArgs
    from components.stack import on_premises_args

    args = on_premises_args(settings(), today=TODAY)
    with pytest.raises(ValueError, match="runbooks must be the texts of"):
        OnPremisesAutomation("x", OnPremisesAutomationArgs(**{**args.__dict__, "runbooks": {"Evil": "x"}}))
    with pytest.raises(ValueError, match="exactly one of"):
        OnPremisesAutomation("x", OnPremisesAutomationArgs(**{**args.__dict__, "private_endpoint_subnet_id": SUBNET}))
