"""PAW policies against plain azure-native programs, through the offline preview."""

import pytest
from pulumi_azure_native import compute, desktopvirtualization, network

from pum.engine import run_preview

PAW = {"pum-role": "paw"}
GOOD_RDP = (
    "enablerdsaadauth:i:1;redirectclipboard:i:0;drivestoredirect:s:;usbdevicestoredirect:s:;"
    "camerastoredirect:s:;redirectprinters:i:0;redirectcomports:i:0;audiocapturemode:i:0;redirectwebauthn:i:1"
)
HOST_POOL_POLICIES = (
    "paw-host-pool-personal",
    "paw-host-pool-no-redirection",
    "paw-host-pool-entra-auth",
    "paw-host-pool-no-public-network",
)


def mandatory(program, policy):
    return [v for v in run_preview(program, policy_packs=None).mandatory if v.policy == policy]


def host_pool(**overrides):
    args = dict(
        resource_group_name="rg-paw",
        host_pool_type="Personal",
        load_balancer_type="Persistent",
        personal_desktop_assignment_type="Direct",
        preferred_app_group_type="Desktop",
        custom_rdp_property=GOOD_RDP,
        public_network_access="Disabled",
        tags=PAW,
    )
    args.update(overrides)
    return lambda: desktopvirtualization.HostPool("pool", **args)


def test_hardened_paw_host_pool_passes():
    report = run_preview(host_pool(), policy_packs=None)
    assert not [v for v in report.violations if v.policy in HOST_POOL_POLICIES]


def test_untagged_pooled_host_pool_is_not_a_paw():
    report = run_preview(
        host_pool(
            tags={},
            host_pool_type="Pooled",
            load_balancer_type="BreadthFirst",
            custom_rdp_property="redirectclipboard:i:1",
            public_network_access="Enabled",
        ),
        policy_packs=None,
    )
    assert not [v for v in report.violations if v.policy.startswith("paw-")]


def test_pooled_paw_is_reported():
    assert mandatory(host_pool(host_pool_type="Pooled", load_balancer_type="BreadthFirst"), "paw-host-pool-personal")


@pytest.mark.parametrize(
    "rdp, named",
    [
        (GOOD_RDP.replace("redirectclipboard:i:0", "redirectclipboard:i:1"), "redirectclipboard"),
        (GOOD_RDP.replace("drivestoredirect:s:;", "drivestoredirect:s:*;"), "drivestoredirect"),
        (GOOD_RDP.replace("usbdevicestoredirect:s:;", ""), "usbdevicestoredirect"),
        (GOOD_RDP.replace("redirectprinters:i:0", "redirectprinters:i:1"), "redirectprinters"),
        (GOOD_RDP.replace("redirectcomports:i:0", "redirectcomports:i:1"), "redirectcomports"),
        (GOOD_RDP.replace("camerastoredirect:s:;", "camerastoredirect:s:*;"), "camerastoredirect"),
        (GOOD_RDP.replace("audiocapturemode:i:0", "audiocapturemode:i:1"), "audiocapturemode"),
    ],
)
def test_each_redirection_left_on_is_named(rdp, named):
    [violation] = mandatory(host_pool(custom_rdp_property=rdp), "paw-host-pool-no-redirection")
    assert named in violation.message


def test_no_rdp_properties_means_default_redirection_and_no_entra_auth():
    program = host_pool(custom_rdp_property=None)
    assert mandatory(program, "paw-host-pool-no-redirection")
    assert mandatory(program, "paw-host-pool-entra-auth")


def test_missing_entra_auth_is_reported():
    rdp = GOOD_RDP.replace("enablerdsaadauth:i:1;", "")
    assert mandatory(host_pool(custom_rdp_property=rdp), "paw-host-pool-entra-auth")


@pytest.mark.parametrize(
    "access, compliant",
    [
        ("Disabled", True),
        ("EnabledForClientsOnly", True),
        ("Enabled", False),
        ("EnabledForSessionHostsOnly", False),
        (None, False),
    ],
)
def test_public_network_access(access, compliant):
    violations = mandatory(host_pool(public_network_access=access), "paw-host-pool-no-public-network")
    assert bool(violations) is not compliant


def vm(name="host", security=None, network_profile=None, tags=PAW):
    return compute.VirtualMachine(
        name,
        resource_group_name="rg-paw",
        tags=tags,
        security_profile=security,
        network_profile=network_profile,
        hardware_profile={"vm_size": "Standard_D4s_v5"},
    )


TRUSTED = {"security_type": "TrustedLaunch", "uefi_settings": {"secure_boot_enabled": True, "v_tpm_enabled": True}}


@pytest.mark.parametrize(
    "security, missing",
    [
        (TRUSTED, None),
        (None, "securityType"),
        (
            {"security_type": "TrustedLaunch", "uefi_settings": {"secure_boot_enabled": True, "v_tpm_enabled": False}},
            "vTpmEnabled",
        ),
        ({"security_type": "TrustedLaunch"}, "secureBootEnabled"),
    ],
)
def test_trusted_launch(security, missing):
    violations = mandatory(lambda: vm(security=security), "paw-session-host-trusted-launch")
    assert (missing in violations[0].message) if missing else not violations


def nic(name, public_ip=None, tags=PAW):
    config = {
        "name": "ipconfig1",
        "subnet": {
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/hosts"
        },
    }
    if public_ip is not None:
        config["public_ip_address"] = {"id": public_ip}
    return network.NetworkInterface(name, resource_group_name="rg-paw", ip_configurations=[config], tags=tags)


def test_session_host_behind_private_nic_passes():
    def program():
        card = nic("host-nic")
        vm(security=TRUSTED, network_profile={"network_interfaces": [{"id": card.id, "primary": True}]})

    assert not mandatory(program, "paw-session-host-no-public-ip")


def test_untagged_nic_with_unknown_public_ip_on_a_paw_host_is_reported():
    def program():
        ip = network.PublicIPAddress("pip", resource_group_name="rg-paw")
        card = nic("host-nic", public_ip=ip.id, tags={})
        vm(security=TRUSTED, network_profile={"network_interfaces": [{"id": card.id, "primary": True}]})

    [violation] = mandatory(program, "paw-session-host-no-public-ip")
    assert "host-nic" in violation.message


def test_inline_public_ip_configuration_is_reported():
    profile = {
        "network_api_version": "2020-11-01",
        "network_interface_configurations": [
            {"name": "nic", "ip_configurations": [{"name": "ip", "public_ip_address_configuration": {"name": "pip"}}]}
        ],
    }
    assert mandatory(lambda: vm(security=TRUSTED, network_profile=profile), "paw-session-host-no-public-ip")


def test_public_ip_tagged_as_paw_is_reported():
    assert mandatory(
        lambda: network.PublicIPAddress("pip", resource_group_name="rg-paw", tags=PAW), "paw-session-host-no-public-ip"
    )
