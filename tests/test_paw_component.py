"""PawHostPool under Pulumi mocks: the declared host pool, hosts, network and access are hardened."""

from datetime import UTC, datetime

import pulumi
from conftest import SUBSCRIPTION

ADMINS = ["dddddddd-0000-4000-8000-000000000001", "dddddddd-0000-4000-8000-000000000002"]
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}  # the wire's secret marker


def secret(value):
    return {**SECRET, "value": value}


def reveal(value):
    """The value inside the wire's secret wrapper (the whole osProfile is secret once the password is)."""
    assert value.items() >= SECRET.items(), "expected a secret"
    return value["value"]


def paw(**overrides):
    from components.model.paw import PawSettings
    from components.paw import PawHostPool
    from components.stack import paw_args

    settings = PawSettings.model_validate(
        {"resourceGroupName": "rg-paw", "location": "westeurope", "users": ["maria", "pedro"], **overrides}
    )
    return PawHostPool("paw", paw_args(settings, user_object_ids=ADMINS))


def after(component, check):
    outputs = [
        component.users_group_id,
        component.host_pool_id,
        component.workspace_id,
        *[vm.id for vm in component.session_hosts],
        *[ext.id for ext in component.extensions],
    ]
    return pulumi.Output.all(*outputs).apply(lambda _: check())


@pulumi.runtime.test
def test_host_pool_is_personal_private_and_entra_authenticated(mocks):
    component = paw()

    def check():
        pool = mocks.inputs["paw-hostpool"]
        assert (pool["hostPoolType"], pool["personalDesktopAssignmentType"], pool["loadBalancerType"]) == (
            "Personal",
            "Direct",
            "Persistent",
        )
        assert pool["publicNetworkAccess"] == "EnabledForClientsOnly"
        rdp = pool["customRdpProperty"].split(";")
        for prop in (
            "enablerdsaadauth:i:1",
            "redirectclipboard:i:0",
            "drivestoredirect:s:",
            "usbdevicestoredirect:s:",
            "redirectprinters:i:0",
            "redirectcomports:i:0",
            "camerastoredirect:s:",
            "audiocapturemode:i:0",
            "redirectwebauthn:i:1",
        ):
            assert prop in rdp
        assert pool["registrationInfo"]["registrationTokenOperation"] == "Update"
        endpoint = mocks.inputs["paw-hostpool-pe"]["privateLinkServiceConnections"][0]
        assert endpoint["groupIds"] == ["connection"]
        assert mocks.inputs["paw-desktop"]["applicationGroupType"] == "Desktop"

    return after(component, check)


@pulumi.runtime.test
def test_two_trusted_launch_hosts_without_public_ips_joined_to_entra_and_intune(mocks):
    component = paw()

    def check():
        assert len(component.session_hosts) == 2
        for i in (1, 2):
            vm = mocks.inputs[f"paw-host{i}"]
            assert vm["securityProfile"] == {
                "securityType": "TrustedLaunch",
                "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
            }
            assert reveal(vm["osProfile"])["computerName"] == f"paw-{i}"
            nic = mocks.inputs[f"paw-host{i}-nic"]["ipConfigurations"]
            assert all("publicIPAddress" not in c for c in nic)
            join = mocks.inputs[f"paw-host{i}-entra-join"]
            assert (join["type"], join["settings"]) == (
                "AADLoginForWindows",
                {"mdmId": "0000000a-0000-0000-c000-000000000000"},
            )
            agent = mocks.inputs[f"paw-host{i}-avd-agent"]
            assert agent["protectedSettings"] == secret({"Items": {"RegistrationInfoToken": "registration-token"}})
            assert agent["settings"]["properties"]["aadJoin"] is True
        assert not any(t.endswith("PublicIPAddress") for t in mocks.types.values())
        assert any(
            token.endswith("getHostPoolRegistrationToken") and args["hostPoolName"] == "paw-hostpool"
            for token, args in mocks.calls
        )

    return after(component, check)


@pulumi.runtime.test
def test_each_host_gets_its_own_generated_password_passed_as_a_secret(mocks):
    component = paw()

    def check():
        for i in (1, 2):
            assert mocks.types[f"paw-host{i}-password"] == "random:index/randomPassword:RandomPassword"
            assert mocks.inputs[f"paw-host{i}-password"]["length"] >= 24
            assert reveal(mocks.inputs[f"paw-host{i}"]["osProfile"])["adminPassword"] == "not-a-real-password"

    return after(component, check)


@pulumi.runtime.test
def test_only_the_admin_group_gets_access_and_every_resource_is_tagged(mocks):
    component = paw()

    def check():
        grants = {
            n: i for n, i in mocks.inputs.items() if mocks.types[n] == "azure-native:authorization:RoleAssignment"
        }
        assert sorted(grants) == ["paw-desktop-users", "paw-host1-user-login", "paw-host2-user-login"]
        assert mocks.inputs["paw-users"]["members"] == ADMINS and mocks.inputs["paw-users"]["securityEnabled"]
        assert {g["principalId"] for g in grants.values()} == {"paw-users-id"}
        assert grants["paw-desktop-users"]["roleDefinitionId"].endswith("1d18fff3-a72a-46b5-b4a9-0b38a3cd7e63")
        assert grants["paw-host1-user-login"]["roleDefinitionId"] == (
            f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
            "fb879df8-f326-4884-b1cf-06f3ad86be52"
        )
        taggable = [n for n, i in mocks.inputs.items() if "tags" in i]
        assert len(taggable) >= 15 and all(mocks.inputs[n]["tags"]["pum-role"] == "paw" for n in taggable)
        untaggable = {
            mocks.types[n] for n, i in mocks.inputs.items() if "tags" not in i and n not in ("paw", "paw-users")
        }
        assert (
            untaggable
            - {
                "azure-native:authorization:RoleAssignment",
                "azure-native:monitor:DiagnosticSetting",
                "azure-native:monitor:DataCollectionRuleAssociation",
                "azure-native:security:Pricing",
                "random:index/randomPassword:RandomPassword",
                "azure-native:network:Subnet",
                "azure-native:network:PrivateDnsZoneGroup",
            }
            == set()
        )
        diagnostics = [i for n, i in mocks.inputs.items() if mocks.types[n] == "azure-native:monitor:DiagnosticSetting"]
        assert len(diagnostics) == 3 and all(
            d["workspaceId"] == f"/subscriptions/{SUBSCRIPTION}/paw-logs" for d in diagnostics
        )
        rules = mocks.inputs["paw-nsg"]["securityRules"]
        assert any(r["sourceAddressPrefix"] == "Internet" and r["access"] == "Deny" for r in rules)
        assert not any(r["access"] == "Allow" and r["direction"] == "Inbound" for r in rules)

    return after(component, check)


def test_registration_expiry_is_hours_ahead_on_the_hour():
    from components.paw import registration_expiry

    now = datetime(2026, 3, 1, 10, 42, 7, tzinfo=UTC)
    assert registration_expiry(8, now) == "2026-03-01T18:00:00Z"


def test_device_filter_matches_the_host_names():
    from components.paw import device_filter_rule

    assert device_filter_rule("paw").startswith('device.displayName -startsWith "paw-"')
