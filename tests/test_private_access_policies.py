"""Private Access policies against plain programs: the Graph layer's dynamic resource type with
graphKind `privateAccessApp` (declared here with a no-op provider, so the policies see exactly the
props written, without the component's validation) and azuread conditional access policies."""

import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

SEGMENTS = "private-access-no-catch-all-segments"
ASSIGNED = "private-access-assigned-to-groups"
CONNECTOR = "private-access-dedicated-connector-group"
COVERAGE = "private-access-compliant-device-ca"
CONNECTOR_ID = "cccccccc-0000-4000-8000-000000000001"
ALL_USERS = "dddddddd-0000-4000-8000-000000000009"
SSH = {"destinationHost": "10.20.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22-22"], "protocol": "tcp"}


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class RawPrivateAccessApp(Resource):
    """The dynamic resource type the Graph layer registers, with the props given verbatim."""

    def __init__(self, name, **props):
        super().__init__(
            _NoOp(),
            name,
            {
                "graphKind": "privateAccessApp",
                "displayName": name,
                "applicationType": "nonwebapp",
                "appId": None,
                **props,
            },
        )


def app(name="ssh", segments=(SSH,), groups=None, connector=CONNECTOR_ID):
    if groups is None:
        groups = [azuread.Group(f"{name}-admins", display_name="admins", security_enabled=True).object_id]
    return RawPrivateAccessApp(name, segments=list(segments), connectorGroupId=connector, assignedGroupIds=groups)


def ca(name, apps, *, state="enabled", controls=("compliantDevice",), operator="AND", excluded=None):
    applications = {"included_applications": apps, **({"excluded_applications": excluded} if excluded else {})}
    return azuread.ConditionalAccessPolicy(
        name,
        display_name=name,
        state=state,
        conditions={"users": {"included_users": ["All"]}, "applications": applications, "client_app_types": ["all"]},
        grant_controls={"operator": operator, "built_in_controls": list(controls)},
    )


preview = preview_with_pack
violations = mandatory_violations


# --- private-access-no-catch-all-segments ------------------------------------------------------------


def test_specific_segments_pass():
    rdp = {
        "destinationHost": "dc01.corp.example.com",
        "destinationType": "fqdn",
        "ports": ["3389-3389"],
        "protocol": "tcp",
    }
    wide_but_allowed = {**SSH, "destinationHost": "10.0.0.0/16"}
    report = preview(lambda: app(segments=[SSH, rdp, wide_but_allowed]))
    assert violations(report, SEGMENTS) == []


@pytest.mark.parametrize(
    "segment, reason",
    [
        ({**SSH, "destinationHost": "0.0.0.0/0"}, "broader than /16"),
        ({**SSH, "destinationHost": "10.0.0.0/8"}, "broader than /16"),
        ({**SSH, "destinationHost": "*", "destinationType": "fqdn"}, "wildcard"),
        ({**SSH, "destinationHost": "*.corp.example.com", "destinationType": "fqdn"}, "wildcard"),
        ({**SSH, "destinationHost": "com", "destinationType": "dnsSuffix"}, "single label"),
        ({**SSH, "destinationHost": "10.0.0.0-10.2.0.0", "destinationType": "ipRange"}, "broader than /16"),
    ],
)
def test_catch_all_segments_are_rejected(segment, reason):
    found = violations(preview(lambda: app(segments=[SSH, segment])), SEGMENTS)
    assert any(reason in v.message and "segments[1]" in v.message for v in found), found


def test_prefix_bound_is_configurable(tmp_path):
    program = lambda: app(segments=[{**SSH, "destinationHost": "10.0.0.0/20"}])
    assert violations(preview(program), SEGMENTS) == []
    assert len(violations(preview(program, tmp_path, {SEGMENTS: {"minPrefixLength": 24}}), SEGMENTS)) == 1


# --- private-access-assigned-to-groups / dedicated connector group -----------------------------------


def test_app_assigned_to_declared_groups_passes_with_unknown_ids():
    report = preview(lambda: app())
    assert violations(report, ASSIGNED) == [] and violations(report, CONNECTOR) == []


def test_app_assigned_to_nobody_is_rejected():
    [found] = violations(preview(lambda: app(groups=[])), ASSIGNED)
    assert "assignedGroupIds is empty" in found.message


def test_app_assigned_to_an_all_users_group_is_rejected(tmp_path):
    report = preview(lambda: app(groups=[ALL_USERS]), tmp_path, {ASSIGNED: {"allUsersGroupIds": [ALL_USERS]}})
    [found] = violations(report, ASSIGNED)
    assert "assignedGroupIds[0] is a group configured as all users" in found.message
    assert ALL_USERS not in found.message  # never echoed: an ID may be a secret


def test_app_without_connector_group_or_on_the_default_one_is_rejected(tmp_path):
    [missing] = violations(preview(lambda: app(connector=None)), CONNECTOR)
    assert "Default connector group" in missing.message
    report = preview(lambda: app(), tmp_path, {CONNECTOR: {"defaultConnectorGroupIds": [CONNECTOR_ID]}})
    assert len(violations(report, CONNECTOR)) == 1


# --- private-access-compliant-device-ca (stack) ------------------------------------------------------


def _app_and_ca(**ca_args):
    def program():
        target = app()
        ca("pa-device", [target.appId], **ca_args)

    return program


def test_app_targeted_by_an_enabled_compliant_device_policy_passes():
    assert violations(preview(_app_and_ca()), COVERAGE) == []


def test_policy_on_all_applications_covers_the_app():
    def program():
        app()
        ca("all-device", ["All"], controls=("compliantDevice", "mfa"))

    assert violations(preview(program), COVERAGE) == []


def test_app_without_any_policy_is_rejected():
    [found] = violations(preview(lambda: app("rdp-dcs")), COVERAGE)
    assert "rdp-dcs" in found.message and found.urn.endswith("::rdp-dcs")


@pytest.mark.parametrize(
    "ca_args",
    [
        {"state": "enabledForReportingButNotEnforced"},
        {"state": "disabled"},
        {"controls": ("mfa",)},
        {"controls": ("compliantDevice", "mfa"), "operator": "OR"},
    ],
)
def test_policy_that_does_not_enforce_a_compliant_device_does_not_cover(ca_args):
    assert len(violations(preview(_app_and_ca(**ca_args)), COVERAGE)) == 1


def test_policy_that_may_exclude_the_app_does_not_cover():
    def program():
        target = app()
        ca("all-but-ssh", ["All"], excluded=[target.appId])

    assert len(violations(preview(program), COVERAGE)) == 1


def test_policy_for_another_app_does_not_cover():
    def program():
        app("ssh")
        other = app("rdp")
        ca("rdp-only", [other.appId])

    [found] = violations(preview(program), COVERAGE)
    assert found.urn.endswith("::ssh")


def test_domain_joined_devices_count_only_when_configured(tmp_path):
    program = _app_and_ca(controls=("domainJoinedDevice",))
    assert len(violations(preview(program), COVERAGE)) == 1
    config = {COVERAGE: {"deviceControls": ["compliantDevice", "domainJoinedDevice"]}}
    assert violations(preview(program, tmp_path, config), COVERAGE) == []


def test_other_dynamic_resources_are_ignored():
    class Other(Resource):
        def __init__(self, name):
            super().__init__(_NoOp(), name, {"graphKind": "lifecycleWorkflow", "segments": [{"ports": ["1-65535"]}]})

    report = preview(lambda: Other("wf"))
    assert not [v for v in report.violations if v.policy.startswith("private-access")]
