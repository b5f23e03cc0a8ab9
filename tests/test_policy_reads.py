"""The pack's one way to read maybe-unknown props (rules.common.get / elements / undecided), and what the
policies that used to leave unknowns to the SDK's advisory downgrade decide now.

pulumi-policy hands a policy one typed sentinel string per unknown value, behind a proxy that raises on it;
`get` must see through both at any depth, tell absent (None) from unknown (UNKNOWN), and hand back plain data.
"""

from __future__ import annotations

import itertools

import pytest
from privileged_facts.values import UNKNOWN, UNKNOWN_SENTINELS, is_unknown
from pulumi_azure_native import compute, desktopvirtualization, resources
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)
from rules import common
from rules.common import elements, get, undecided

from pum.engine import run_preview

SENTINELS = [
    UNKNOWN_STRING_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_ARCHIVE_VALUE,
]


def test_the_pack_knows_every_sentinel_of_pulumi_policy_and_has_one_marker():
    assert set(SENTINELS) == UNKNOWN_SENTINELS
    assert common.UNKNOWN is UNKNOWN and common.is_unknown is is_unknown
    assert not hasattr(common, "_Unknown") and not hasattr(common, "_SENTINELS") and not hasattr(common, "raw")


def _props(sentinel):
    return unknown_checking_proxy(
        {
            "top": sentinel,
            "mid": {"inner": sentinel},
            "leaf": {"a": {"b": sentinel}},
            "list": ["x", sentinel, {"deep": sentinel}],
            "known": {"a": {"b": "value"}, "flag": False, "zero": 0, "empty": [], "none": None},
        }
    )


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_unknown_at_each_level_of_a_path_is_unknown(sentinel):
    props = _props(sentinel)
    assert get(props, "top") is UNKNOWN
    assert get(props, "top", "a", "b") is UNKNOWN  # the path starts inside an unknown
    assert get(props, "mid", "inner") is UNKNOWN
    assert get(props, "mid", "inner", "deeper") is UNKNOWN
    assert get(props, "leaf", "a", "b") is UNKNOWN
    assert get(props, "list", 1) is UNKNOWN
    assert get(props, "list", 2, "deep") is UNKNOWN
    assert get(props, "list", 1, "x") is UNKNOWN


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_what_get_returns_is_plain_with_every_unknown_as_the_marker(sentinel):
    props = _props(sentinel)
    whole = get(props)
    assert type(whole) is dict and whole["top"] is UNKNOWN and whole["mid"] == {"inner": UNKNOWN}
    assert get(props, "list") == ["x", UNKNOWN, {"deep": UNKNOWN}]
    assert type(get(props, "list")) is list and type(get(props, "list", 2)) is dict

    def sentinels_in(value):
        if isinstance(value, dict):
            return [s for v in value.values() for s in sentinels_in(v)]
        if isinstance(value, list):
            return [s for v in value for s in sentinels_in(v)]
        return [value] if isinstance(value, str) and value in UNKNOWN_SENTINELS else []

    assert sentinels_in(whole) == []


def test_absent_is_none_and_not_unknown():
    props = _props(UNKNOWN_STRING_VALUE)
    for path in (
        ("missing",),
        ("mid", "missing"),
        ("known", "a", "missing"),
        ("list", 7),
        ("list", -4),
        ("known", "a", "b", "c"),
        ("list", "key"),
        ("mid", 0),
        ("known", "none"),
        ("known", "none", "x"),
    ):
        assert get(props, *path) is None, path
        assert not is_unknown(get(props, *path))
    assert get(None, "a") is None and get(props) is not None
    assert get(props, "known", "a", "b") == "value" and get(props, "list", -3) == "x"
    assert get(props, "known", "flag") is False and get(props, "known", "zero") == 0
    assert get(props, "known", "empty") == []


def test_get_reads_plain_data_and_its_own_results_the_same_way():
    data = {"a": {"b": [UNKNOWN_NUMBER_VALUE, 1]}, "u": UNKNOWN}
    assert get(data, "a", "b") == [UNKNOWN, 1]
    assert get(get(data, "a"), "b", 0) is UNKNOWN
    assert get(data, "u", "x") is UNKNOWN


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_elements(sentinel):
    props = _props(sentinel)
    assert elements(props, "list") == ["x", UNKNOWN, {"deep": UNKNOWN}]
    assert elements(props, "top") == [UNKNOWN]  # the whole list unknown
    assert elements(props, "mid", "inner") == [UNKNOWN]
    assert elements(props, "missing") == [] and elements(props, "known", "empty") == []
    assert elements(props, "known", "a", "b") == ["value"]  # a scalar is a list of one
    assert elements(get(props, "list")) == elements(props, "list")


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_reading_never_raises_where_the_proxy_does(sentinel):
    props = _props(sentinel)
    with pytest.raises(UnknownValueError):
        props.get("top")
    get(props, "top")
    get(props, "list", 2, "deep")
    elements(props, "list")


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_undecided_leaves_the_sdk_note_naming_the_first_unknown_and_its_type(sentinel):
    props = _props(sentinel)
    with pytest.raises(UnknownValueError) as raised:
        undecided(props, "leaf", "a", "b")
    assert raised.value.props == ["leaf", "a", "b"] and raised.value.unknown_type_sentinel == sentinel
    with pytest.raises(UnknownValueError) as raised:
        undecided(props, "top", "x", "y")
    assert raised.value.props == ["top"] and "can't be known during preview" in raised.value.message


# --- policies that left the verdict to the SDK's downgrade now decide ---------------------------------------

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


_names = itertools.count()


def _unknown(value):
    """`value`, but unknown at preview (it flows from a resource group not yet created)."""
    return resources.ResourceGroup(f"rg{next(_names)}", resource_group_name="rg-paw").id.apply(lambda _: value)


def _levels(report, policy):
    return sorted(v.enforcement_level for v in report.by_policy(policy))


def _pool(**overrides):
    def program():
        args = dict(
            resource_group_name=_unknown("rg-paw"),
            host_pool_type="Personal",
            load_balancer_type="Persistent",
            personal_desktop_assignment_type="Direct",
            preferred_app_group_type="Desktop",
            custom_rdp_property=GOOD_RDP,
            public_network_access="Disabled",
            tags=PAW,
        )
        args.update({k: v() if callable(v) else v for k, v in overrides.items()})
        desktopvirtualization.HostPool("pool", **args)

    return run_preview(program, policy_packs=None)


def test_a_paw_host_pool_violating_everything_stays_mandatory_with_unknown_ids():
    report = _pool(
        host_pool_type="Pooled",
        load_balancer_type="BreadthFirst",
        custom_rdp_property="",
        public_network_access="Enabled",
    )
    for policy in HOST_POOL_POLICIES:
        assert _levels(report, policy) == ["mandatory"], policy
    assert not [v for v in report.violations if "can't run" in v.message]


@pytest.mark.parametrize(
    "key, policies",
    [
        ("host_pool_type", ["paw-host-pool-personal"]),
        ("custom_rdp_property", ["paw-host-pool-no-redirection", "paw-host-pool-entra-auth"]),
        ("public_network_access", ["paw-host-pool-no-public-network"]),
    ],
)
def test_an_unknown_setting_a_host_pool_policy_hangs_on_is_unverified_and_mandatory(key, policies):
    others = {
        "host_pool_type": "Pooled",
        "custom_rdp_property": "redirectclipboard:i:1",
        "public_network_access": "Enabled",
    }
    others[key] = lambda: _unknown("whatever")
    report = _pool(**others)
    for policy in HOST_POOL_POLICIES:
        if policy in policies:
            [note] = report.by_policy(policy)
            assert note.enforcement_level == "mandatory" and "unknown at preview" in note.message  # issue 16
        else:  # the settings that are known still decide, mandatory
            assert _levels(report, policy) == ["mandatory"], policy


def test_a_session_host_with_unknown_security_settings_is_not_taken_as_trusted_launch():
    def program():
        compute.VirtualMachine(
            "host",
            resource_group_name=_unknown("rg-paw"),
            tags=PAW,
            security_profile={
                "security_type": _unknown("TrustedLaunch"),
                "uefi_settings": _unknown({"secure_boot_enabled": True}),
            },
        )

    [violation] = run_preview(program, policy_packs=None).by_policy("paw-session-host-trusted-launch")
    assert violation.enforcement_level == "mandatory"
    assert "securityType" in violation.message and "secureBootEnabled" in violation.message
