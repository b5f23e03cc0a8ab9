"""Private Access catch-all by coverage (issue 16, class 8), unknown segments (6) and secrets in messages (12).

Plain programs: the Graph layer's dynamic resource (graphKind privateAccessApp) with the props given verbatim, and
groups whose object IDs are unknown at preview. Every dangerous plan must get a mandatory violation of the right
policy; its compliant counterpart none; no message may contain a secret input.
"""

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from privileged_facts.public_suffixes import is_public_suffix
from rules.private_access import parse_addresses, parse_port, span
from test_private_access_policies import CONNECTOR, CONNECTOR_ID, SEGMENTS, SSH, RawPrivateAccessApp, app

ASSIGNED = "private-access-assigned-to-groups"
SECRET = "s3cr3t"


def later(value):
    """`value`, unknown at preview (computed from a group's object ID)."""
    anchor = azuread.Group(f"anchor-{id(value)}", display_name="anchor", security_enabled=True)
    return anchor.object_id.apply(lambda _: value)


def found(program, policy=SEGMENTS, tmp_path=None, config=None):
    return mandatory_violations(preview_with_pack(program, tmp_path, config), policy)


def no_secret(violations):
    assert violations and all(SECRET not in v.message for v in violations), violations


# --- combined across segments of one app -----------------------------------------------------------------


@pytest.mark.parametrize(
    "segments, reason",
    [
        ([{**SSH, "ports": ["2-65535"]}], "65534 of the 65535 ports"),
        ([{**SSH, "ports": ["1-32767"]}, {**SSH, "ports": ["32768-65535"]}], "65535 of the 65535 ports"),
        ([{**SSH, "ports": [" 1000 - 40000 "]}], "of the 65535 ports"),
        ([{**SSH, "destinationHost": f"10.{i}.0.0/16"} for i in range(256)], "reach 16777216 IPv4 addresses"),
        ([{**SSH, "destinationHost": f"10.{i}.0.0/16"} for i in range(6)], "of a /8"),
    ],
)
def test_an_apps_segments_are_judged_together(segments, reason):
    [violation] = found(lambda: app(segments=segments))
    assert reason in violation.message and "together" in violation.message


def test_specific_segments_within_the_shares_pass():
    segments = [SSH, {**SSH, "destinationHost": "10.1.0.0/16", "ports": ["443", "8000-8999"]}]
    segments += [{**SSH, "destinationHost": f"10.{i}.0.0/16"} for i in range(2, 6)]  # five /16s: within 2% of a /8
    assert found(lambda: app(segments=segments)) == []


def test_the_shares_are_configurable(tmp_path):
    program = lambda: app(segments=[{**SSH, "ports": ["1-32767"]}])
    assert len(found(program)) == 1
    assert found(program, tmp_path=tmp_path, config={SEGMENTS: {"maxPortPercent": 60}}) == []


@pytest.mark.parametrize(
    "segment",
    [
        {**SSH, "destinationType": "IpRangeCidr", "destinationHost": "0.0.0.0/0"},
        {**SSH, "destinationType": "IPRANGE", "destinationHost": "0.0.0.0-255.255.255.255"},
        {**SSH, "destinationType": "ipAddress", "destinationHost": "10.0.0.0/1"},
        {**SSH, "destinationType": "fqdn", "destinationHost": "10.0.0.0/8"},
        {**SSH, "destinationType": "ipRangeCidr", "destinationHost": "not-an-ip"},
        {**SSH, "destinationType": "cidr", "destinationHost": "10.20.0.0/24"},
        {**SSH, "ports": ["0-65535"]},
        {**SSH, "ports": []},
    ],
)
def test_odd_case_types_and_unparsable_values_are_never_taken_as_specific(segment):
    assert found(lambda: app(segments=[segment]))


# --- DNS destinations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["com", "co.uk", "CO.UK.", ".com.au", "org.nz", "azurewebsites.net", "github.io", "gov.in", "x.ck"]
)
def test_public_suffixes_and_bare_tlds_are_catch_all(host):
    [violation] = found(lambda: app(segments=[{**SSH, "destinationType": "dnsSuffix", "destinationHost": host}]))
    assert "public suffix" in violation.message or "single label" in violation.message


@pytest.mark.parametrize("host", ["corp.example.com", "example.co.uk", "servers.contoso.com.au", "my-host.corp.local"])
def test_names_below_a_registrable_domain_pass(host):
    assert found(lambda: app(segments=[{**SSH, "destinationType": "dnsSuffix", "destinationHost": host}])) == []


def test_public_suffix_rules():
    assert is_public_suffix("co.uk") and is_public_suffix("uk") and is_public_suffix("onmicrosoft.com")
    assert not is_public_suffix("contoso.co.uk") and not is_public_suffix("contoso.com")


def test_parsers():
    assert parse_addresses("10.0.0.0/8") == (167772160, 184549375)
    assert parse_addresses("dc01-a.corp.example.com") is None
    assert parse_port(22) == (22, 22) and parse_port("1-65535") == (1, 65535) and parse_port("0") is None
    assert span([(1, 10), (5, 20), (30, 30)]) == 21


# --- across apps: what one group reaches ------------------------------------------------------------------


def _two_apps(same_group: bool):
    def program():
        group = azuread.Group("admins", display_name="admins", security_enabled=True).object_id
        other = azuread.Group("others", display_name="others", security_enabled=True).object_id
        app("low", segments=[{**SSH, "ports": ["1-1000"]}], groups=[group])
        app("high", segments=[{**SSH, "ports": ["1001-2000"]}], groups=[group if same_group else other])

    return program


def test_apps_assigned_to_the_same_group_are_judged_together():
    [violation] = found(_two_apps(same_group=True))
    assert "'high', 'low', assigned to the same group, together open 2000" in violation.message


def test_apps_of_different_groups_are_judged_apart():
    assert found(_two_apps(same_group=False)) == []


# --- unknown at preview ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "segments, field",
    [
        (lambda: later([SSH]), "segments"),
        (lambda: [SSH, later({**SSH, "destinationHost": "0.0.0.0/0"})], "segments[1]"),
        (lambda: [{**SSH, "destinationHost": later("*")}], "segments[0].destinationHost"),
        (lambda: [{**SSH, "destinationType": later("ipRangeCidr")}], "segments[0].destinationType"),
        (lambda: [{**SSH, "ports": later(["1-65535"])}], "segments[0].ports"),
        (lambda: [{**SSH, "ports": ["22", later("1-65535")]}], "segments[0].ports[1]"),
    ],
)
def test_an_unknown_segment_field_is_unverified_and_mandatory(segments, field):
    def program():
        group = azuread.Group("admins", display_name="admins", security_enabled=True).object_id
        RawPrivateAccessApp("ssh", segments=segments(), connectorGroupId=CONNECTOR_ID, assignedGroupIds=[group])

    [violation] = found(program)
    assert f"'ssh' {field} is unknown at preview" in violation.message


def test_unknown_at_preview_can_be_made_advisory(tmp_path):
    config = {SEGMENTS: {"unknownAtPreview": "advisory"}}
    report = preview_with_pack(lambda: app(segments=[{**SSH, "ports": later(["1-65535"])}]), tmp_path, config)
    assert report.mandatory == [] or all(v.policy != SEGMENTS for v in report.mandatory)
    assert [v.enforcement_level for v in report.by_policy(SEGMENTS)] == ["advisory"]


def test_unknown_assigned_groups_and_connector_are_unverified():
    def program():
        RawPrivateAccessApp("pa", segments=[SSH], connectorGroupId=later(CONNECTOR_ID), assignedGroupIds=later([]))

    report = preview_with_pack(program)
    [assigned] = mandatory_violations(report, ASSIGNED)
    [connector] = mandatory_violations(report, CONNECTOR)
    assert "assignedGroupIds is unknown at preview" in assigned.message
    assert "connectorGroupId is unknown at preview" in connector.message


def test_group_ids_that_only_link_resources_pass():
    report = preview_with_pack(lambda: app())
    assert [v for v in report.mandatory if v.policy in (SEGMENTS, ASSIGNED, CONNECTOR)] == []


# --- secrets are never echoed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "segment",
    [
        lambda: {**SSH, "destinationType": "fqdn", "destinationHost": pulumi.Output.secret("*.s3cr3t.example.com")},
        lambda: pulumi.Output.secret({**SSH, "destinationType": "dnsSuffix", "destinationHost": SECRET}),
        lambda: {**SSH, "destinationHost": pulumi.Output.secret("s3cr3t/8")},
        lambda: {**SSH, "ports": [pulumi.Output.secret("s3cr3t")]},
        lambda: {**SSH, "destinationType": pulumi.Output.secret("s3cr3t")},
    ],
)
def test_segment_messages_never_echo_a_secret(segment):
    no_secret(found(lambda: app(segments=[segment()])))


def test_connector_and_group_messages_never_echo_a_secret(tmp_path):
    config = {
        CONNECTOR: {"defaultConnectorGroupIds": ["s3cr3t-connector"]},
        ASSIGNED: {"allUsersGroupIds": ["s3cr3t-group"]},
    }

    def program():
        app(connector=pulumi.Output.secret("s3cr3t-connector"), groups=[pulumi.Output.secret("s3cr3t-group")])

    report = preview_with_pack(program, tmp_path, config)
    no_secret(mandatory_violations(report, CONNECTOR))
    no_secret(mandatory_violations(report, ASSIGNED))
