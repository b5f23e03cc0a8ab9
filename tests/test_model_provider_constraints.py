"""What the real providers would refuse is refused by the model (issue 17, item 7).

The offline preview skips the providers' Check, so each rule here mirrors a cited provider or API constraint
(see the comments next to the rules in components/model/): each bad value gives one error naming the stack file,
the dotted path and the fix, and the nearest good value still parses."""

import copy
import os

import pytest
import yaml
from conftest import ROOT

from components.model import ModelError, parse_model

SOURCE = "stacks/Pulumi.test.yaml"
with open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml"), encoding="utf-8") as _handle:
    EXAMPLE = yaml.safe_load(_handle)["config"]


def config_with(area: str, change) -> dict:
    """The example stack with `change(area_value)` applied to one area."""
    config = copy.deepcopy(EXAMPLE)
    change(config[f"privileged-access:{area}"])
    return config


def error_of(config: dict) -> str:
    with pytest.raises(ModelError) as caught:
        parse_model(config, SOURCE)
    assert caught.value.exit_code == 2
    return str(caught.value)


def with_location(*ranges: str) -> dict:
    def change(ca):
        ca["namedLocations"] = [{"name": "HQ", "ipRanges": list(ranges)}]
        ca["adminAllowedLocations"] = ["HQ"]

    return config_with("conditionalAccess", change)


RANGES = "privileged-access:conditionalAccess.namedLocations[0].ipRanges"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("203.0.113.7", "has no prefix length; write a CIDR range such as 203.0.113.7/32"),
        ("203.0.113.0/255.255.255.0", "a netmask such as 255.255.255.0 is not accepted"),
        ("10.0.0.0/07", "the prefix length must be a number of bits"),
        ("0.0.0.0/0", "prefix length at least /8); split it into /8 or narrower ranges"),
        ("2.0.0.0/7", "prefix length at least /8"),
        ("2000::/3", "prefix length at least /8"),
        ("fe80::%eth0/64", "an IPv6 zone (%...) is not accepted"),
        ("203.0.113.7/24", "has host bits set; write the network address, 203.0.113.0/24"),
        ("not-an-ip/24", "is not a CIDR range; write it like 203.0.113.0/24"),
    ],
)
def test_named_location_ranges_the_azuread_provider_refuses_are_model_errors(bad, says):
    text = error_of(with_location("198.51.100.0/24", bad))
    assert text.startswith(f"{SOURCE}: {RANGES}: {bad!r}"), text
    assert says in text


@pytest.mark.parametrize("good", ["10.0.0.0/8", "203.0.113.0/24", "203.0.113.7/32", "2001:db8::/48", "2001:db8::1/128"])
def test_named_location_ranges_of_prefix_eight_or_longer_still_parse(good):
    model = parse_model(with_location(good), SOURCE)
    assert model.conditional_access.named_locations[0].ip_ranges == [good]


@pytest.mark.parametrize("reserved", ["administrator", "admin", "admin1", "root", "guest", "support", "user5"])
def test_session_host_admin_names_azure_reserves_are_model_errors(reserved):
    text = error_of(config_with("paw", lambda paw: paw.update(adminUsername=reserved)))
    assert text == (
        f"{SOURCE}: privileged-access:paw.adminUsername: {reserved!r} is a name Azure reserves for a VM's admin "
        "account (osProfile.adminUsername); choose another, e.g. pawadmin"
    )


@pytest.mark.parametrize("good", ["pawadmin", "breakfix", "administrators", "rooty"])
def test_other_admin_names_still_parse(good):
    assert (
        parse_model(config_with("paw", lambda paw: paw.update(adminUsername=good)), SOURCE).paw.admin_username == good
    )


def test_the_paw_component_refuses_a_reserved_admin_name_given_by_hand(mocks):
    from components.paw import PawHostPool, PawHostPoolArgs

    args = PawHostPoolArgs(
        user_object_ids=["dddddddd-0000-4000-8000-000000000001"],
        resource_group_name="rg-paw",
        location="westeurope",
        host_count=1,
        vm_size="Standard_D4s_v5",
        computer_name_prefix="paw",
        admin_username="Administrator",
        address_space="10.90.0.0/24",
        hosts_prefix="10.90.0.0/25",
        endpoints_prefix="10.90.0.128/25",
        public_network_access="Disabled",
        image_sku="win11-24h2-ent",
        registration_token_hours=8,
        log_retention_days=90,
        agent_modules_url="https://example.invalid/agent.zip",
    )
    with pytest.raises(ValueError, match="'Administrator' is a name Azure reserves"):
        PawHostPool("paw", args)


ADMIN_UPN = "privileged-access:principals.people.pedro.adminAccount.upn"
LONG_LABEL = "a" * 64


@pytest.mark.parametrize(
    "bad",
    [
        "adm-pedro@-contoso.onmicrosoft.com",
        "adm-pedro@contoso-.com",
        "adm-pedro@contoso.-eu.com",
        f"adm-pedro@{LONG_LABEL}.com",
        "adm-pedro@contoso..com",
        "adm+pedro@contoso.com",
        "adm.pedro.@contoso.com",
    ],
)
def test_upns_entra_and_the_provider_refuse_are_model_errors(bad):
    text = error_of(config_with("principals", lambda p: p["people"]["pedro"]["adminAccount"].update(upn=bad)))
    assert text.startswith(f"{SOURCE}: {ADMIN_UPN}: must be a user principal name such as"), text
    assert "do not start or end with '-' and have at most 63 characters" in text and repr(bad) in text


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("a" * 65 + "@contoso.com", "has 65 characters before the @; Entra allows at most 64: shorten the user name"),
        ("adm@" + "b" * 45 + ".com", "has a domain of 49 characters; Entra allows at most 48 after the @"),
    ],
)
def test_upns_longer_than_entra_allows_are_model_errors(bad, says):
    text = error_of(config_with("principals", lambda p: p["people"]["pedro"]["adminAccount"].update(upn=bad)))
    assert text.startswith(f"{SOURCE}: {ADMIN_UPN}: {says}"), text


@pytest.mark.parametrize(
    "good",
    [
        "adm-pedro@contoso.onmicrosoft.com",
        "adm_o'neil@contoso.com",
        "a" * 64 + "@contoso.com",
        "adm@" + "b" * 44 + ".com",
        "adm@x1.contoso-eu.com",
    ],
)
def test_upns_within_the_rules_still_parse(good):
    config = config_with("principals", lambda p: p["people"]["pedro"]["adminAccount"].update(upn=good))
    assert parse_model(config, SOURCE).principals.people["pedro"].admin_account.upn == good


def test_daily_and_manager_upns_and_mail_recipients_keep_to_the_domain_label_rule():
    bad_daily = config_with("principals", lambda p: p["people"]["pedro"].update(dailyUpn="pedro@contoso-.com"))
    assert f"{SOURCE}: privileged-access:principals.people.pedro.dailyUpn: must be" in error_of(bad_daily)
    bad_manager = config_with("principals", lambda p: p["people"]["pedro"].update(managerUpn="m@-contoso.com"))
    assert f"{SOURCE}: privileged-access:principals.people.pedro.managerUpn: must be" in error_of(bad_manager)
    bad_mail = config_with("pim", lambda pim: pim["defaults"].update(notificationRecipients=["alerts@contoso-.com"]))
    text = error_of(bad_mail)
    assert text.startswith(f"{SOURCE}: privileged-access:pim.defaults.notificationRecipients[0]: must be an email"), (
        text
    )
    long_mail = config_with("pim", lambda pim: pim["defaults"].update(notificationRecipients=[f"a@{LONG_LABEL}.com"]))
    assert "notificationRecipients[0]: must be an email" in error_of(long_mail)
    good = ["pim+alerts@contoso.com", f"a@{LONG_LABEL[:63]}.com"]  # no 48-character domain limit on mail
    good_mail = config_with("pim", lambda pim: pim["defaults"].update(notificationRecipients=good))
    assert parse_model(good_mail, SOURCE).pim.defaults.notification_recipients == good


def test_break_glass_upns_and_the_initial_domain_keep_to_the_domain_label_rule():
    def bad_bg(bg):
        bg["accounts"][0]["upn"] = "bg-alpha@-contoso.onmicrosoft.com"

    text = error_of(config_with("breakGlass", bad_bg))
    assert text.startswith(f"{SOURCE}: privileged-access:breakGlass.accounts[0].upn: must be a cloud-only UPN"), text
    text = error_of(config_with("tenant", lambda t: t.update(initialDomain="contoso-.onmicrosoft.com")))
    assert text.startswith(f"{SOURCE}: privileged-access:tenant.initialDomain: must match"), text
