"""Access-package policies against plain azuread programs, through the offline preview.

Each program declares provider resources directly (not our components) and is previewed with a pack
of these policies, so object IDs are unknown as in `pulumi preview`: relations must be resolved through
property dependencies, and a violation must stay mandatory (never downgraded by an unknown read).
"""

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from pack_cases import Raw

EXPIRES = "access-package-assignment-expires"
EXTERNAL = "access-package-external-requestors-approval"
PRIVILEGED = "access-package-privileged-group-controls"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
EXISTING_GROUP = "dddddddd-0000-4000-8000-000000000001"
ORG = "eeeeeeee-0000-4000-8000-000000000001"

APPROVAL = {
    "approval_required": True,
    "requestor_justification_required": True,
    "approval_stages": [{"approval_timeout_in_days": 7, "primary_approvers": [{"subject_type": "requestorManager"}]}],
}
REVIEW = {
    "enabled": True,
    "review_frequency": "halfyearly",
    "review_type": "Manager",
    "duration_in_days": 14,
    "access_review_timeout_behavior": "removeAccess",
}
MEMBERS = {"requests_accepted": True, "scope_type": "AllExistingDirectoryMemberUsers"}


preview = preview_with_pack
violations = mandatory_violations


def journey(group_id, *, policy_args=None, name="journey"):
    """A catalog, a package granting membership of `group_id`, and one assignment policy."""
    catalog = azuread.AccessPackageCatalog(f"{name}-catalog", display_name="c", description="c")
    resource = azuread.AccessPackageResourceCatalogAssociation(
        f"{name}-resource", catalog_id=catalog.id, resource_origin_id=group_id, resource_origin_system="AadGroup"
    )
    package = azuread.AccessPackage(f"{name}-package", catalog_id=catalog.id, display_name="p", description="p")
    azuread.AccessPackageResourcePackageAssociation(
        f"{name}-grant", access_package_id=package.id, catalog_resource_association_id=resource.id
    )
    args = {
        "duration_in_days": 90,
        "requestor_settings": MEMBERS,
        "approval_settings": APPROVAL,
        "assignment_review_settings": REVIEW,
        **(policy_args or {}),
    }
    return azuread.AccessPackageAssignmentPolicy(
        f"{name}-policy", access_package_id=package.id, display_name="p", description="p", **args
    )


def plain_group(name="team", role_assignable=False):
    return azuread.Group(name, display_name=name, security_enabled=True, assignable_to_role=role_assignable)


# --- access-package-assignment-expires ---------------------------------------------------------------


def test_policy_that_expires_within_the_maximum_passes():
    report = preview(lambda: journey(plain_group().object_id))
    assert violations(report, EXPIRES) == []


def test_policy_without_expiry_is_rejected_even_though_its_package_id_is_unknown():
    report = preview(lambda: journey(plain_group().object_id, policy_args={"duration_in_days": None}))
    [found] = violations(report, EXPIRES)
    assert "never expire" in found.message and found.urn.endswith("::journey-policy")


def test_policy_of_zero_days_is_rejected_as_never_expiring():
    [found] = violations(
        preview(lambda: journey(plain_group().object_id, policy_args={"duration_in_days": 0})), EXPIRES
    )
    assert "never expire" in found.message


def test_policy_longer_than_the_maximum_is_rejected():
    [found] = violations(
        preview(lambda: journey(plain_group().object_id, policy_args={"duration_in_days": 365})), EXPIRES
    )
    assert "365 exceeds the maximum of 180" in found.message


def test_far_expiration_date_is_rejected():
    [found] = violations(
        preview(
            lambda: journey(
                plain_group().object_id,
                policy_args={"duration_in_days": None, "expiration_date": "2999-01-01T00:00:00Z"},
            )
        ),
        EXPIRES,
    )
    assert "more than 180 days away" in found.message


def test_maximum_is_configurable(tmp_path):
    report = preview(lambda: journey(plain_group().object_id), tmp_path, {EXPIRES: {"maxDurationInDays": 30}})
    [found] = violations(report, EXPIRES)
    assert "90 exceeds the maximum of 30" in found.message


# --- access-package-external-requestors-approval -----------------------------------------------------

VENDORS = {
    "requests_accepted": True,
    "scope_type": "SpecificConnectedOrganizationSubjects",
    "requestors": [{"subject_type": "connectedOrganizationMembers", "object_id": ORG}],
}


def test_vendor_policy_with_sponsor_approval_passes():
    sponsors = {
        "approval_required": True,
        "approval_stages": [
            {"approval_timeout_in_days": 7, "primary_approvers": [{"subject_type": "internalSponsors"}]}
        ],
    }
    report = preview(
        lambda: journey(
            plain_group().object_id, policy_args={"requestor_settings": VENDORS, "approval_settings": sponsors}
        )
    )
    assert violations(report, EXTERNAL) == []


@pytest.mark.parametrize(
    "approval, reason",
    [
        (None, "no approvalSettings"),
        ({"approval_required": False}, "approvalRequired is not true"),
        ({"approval_required": True, "approval_stages": []}, "no approval stage"),
    ],
)
def test_vendor_policy_without_approval_is_rejected(approval, reason):
    report = preview(
        lambda: journey(
            plain_group().object_id, policy_args={"requestor_settings": VENDORS, "approval_settings": approval}
        )
    )
    [found] = violations(report, EXTERNAL)
    assert reason in found.message and "SpecificConnectedOrganizationSubjects" in found.message


def test_guests_of_the_directory_count_as_external():
    report = preview(
        lambda: journey(
            plain_group().object_id,
            policy_args={
                "requestor_settings": {"requests_accepted": True, "scope_type": "AllExistingDirectorySubjects"},
                "approval_settings": None,
            },
        )
    )
    assert len(violations(report, EXTERNAL)) == 1


def test_member_only_policy_without_approval_is_not_an_external_finding():
    report = preview(lambda: journey(plain_group().object_id, policy_args={"approval_settings": None}))
    assert violations(report, EXTERNAL) == []


# --- access-package-privileged-group-controls (stack) ------------------------------------------------


def test_privileged_package_with_approval_and_review_passes():
    report = preview(lambda: journey(plain_group("pim", role_assignable=True).object_id))
    assert violations(report, PRIVILEGED) == []


def test_role_assignable_group_without_review_is_rejected_through_unknown_ids():
    report = preview(
        lambda: journey(
            plain_group("pim", role_assignable=True).object_id, policy_args={"assignment_review_settings": None}
        )
    )
    [found] = violations(report, PRIVILEGED)
    assert "privileged group pim (role-assignable group)" in found.message
    assert "without a recurring access review" in found.message and found.urn.endswith("::journey-policy")


def test_group_holding_an_eligible_directory_role_without_approval_is_rejected():
    def program():
        group = plain_group("helpdesk")
        azuread.DirectoryRoleEligibilityScheduleRequest(
            "ua",
            role_definition_id=USER_ADMIN,
            principal_id=group.object_id,
            directory_scope_id="/",
            justification="journey",
        )
        journey(group.object_id, policy_args={"approval_settings": None})

    [found] = violations(preview(program), PRIVILEGED)
    assert "holds a directory role (ua)" in found.message and "no approvalSettings" in found.message


def test_package_granting_a_group_with_an_active_role_is_standing_privilege():
    """The PIM-for-Groups pattern (role active on the group, members eligible): granting Member of
    that group through a package hands out the role itself, approval and review notwithstanding."""

    def program():
        group = plain_group("pim-user-admin", role_assignable=True)
        azuread.DirectoryRoleAssignment("ua", role_id=USER_ADMIN, principal_object_id=group.object_id)
        journey(group.object_id)

    [found] = violations(preview(program), PRIVILEGED)
    assert "whose role assignment ua is active" in found.message and found.urn.endswith("::journey-policy")


def test_existing_group_eligible_for_a_role_is_recognised_by_its_object_id():
    def program():
        azuread.DirectoryRoleEligibilityScheduleRequest(
            "ua-eligible",
            role_definition_id=USER_ADMIN,
            principal_id=EXISTING_GROUP,
            directory_scope_id="/",
            justification="journey",
        )
        journey(EXISTING_GROUP, policy_args={"approval_settings": {"approval_required": False}})

    [found] = violations(preview(program), PRIVILEGED)
    assert EXISTING_GROUP in found.message


def test_annual_review_is_too_rare_for_privileged_groups_and_the_bound_is_configurable(tmp_path):
    program = lambda: journey(
        plain_group("pim", role_assignable=True).object_id,
        policy_args={"assignment_review_settings": {**REVIEW, "review_frequency": "annual"}},
    )
    [found] = violations(preview(program), PRIVILEGED)
    assert "reviews it annual" in found.message
    assert violations(preview(program, tmp_path, {PRIVILEGED: {"maxReviewFrequency": "annual"}}), PRIVILEGED) == []


def test_configured_privileged_group_ids(tmp_path):
    program = lambda: journey(EXISTING_GROUP, policy_args={"assignment_review_settings": None})
    assert violations(preview(program), PRIVILEGED) == []
    config = {PRIVILEGED: {"privilegedGroupIds": [EXISTING_GROUP.upper()]}}
    [found] = violations(preview(program, tmp_path, config), PRIVILEGED)
    assert "listed in privilegedGroupIds" in found.message


def test_ordinary_group_without_controls_is_not_a_privileged_finding():
    report = preview(
        lambda: journey(
            plain_group().object_id, policy_args={"approval_settings": None, "assignment_review_settings": None}
        )
    )
    assert violations(report, PRIVILEGED) == []


# --- journey groups: eligible (never active) for their role, granted by a package -----------------------


def _journey_group(active: bool):
    """The EntraRoleJit eligibleGroup shape, written with plain resources: a role-assignable group made
    ELIGIBLE for User Administrator through the Graph layer's DirectoryRoleEligibility (principal unknown at
    preview, so the relation is only the property dependency); `active` adds a standing assignment too."""
    from components.graph.role_eligibility import DirectoryRoleEligibility

    group = plain_group("journey-ua", role_assignable=True)
    DirectoryRoleEligibility(
        "journey-ua-eligible",
        principal_id=group.object_id,
        role_definition_id=USER_ADMIN,
        directory_scope_id="/administrativeUnits/aaaaaaaa-0000-4000-8000-000000000001",
        duration="P180D",
        justification="journey",
    )
    if active:
        azuread.DirectoryRoleAssignment("journey-ua-active", role_id=USER_ADMIN, principal_object_id=group.object_id)
    return group


def test_package_granting_a_group_that_is_only_eligible_passes_with_approval_and_review():
    report = preview(lambda: journey(_journey_group(active=False).object_id))
    assert violations(report, PRIVILEGED) == []


def test_the_eligible_group_is_still_privileged_review_and_approval_are_required():
    report = preview(
        lambda: journey(
            _journey_group(active=False).object_id,
            policy_args={"approval_settings": None, "assignment_review_settings": None},
        )
    )
    messages = [v.message for v in violations(report, PRIVILEGED)]
    assert len(messages) == 2 and all(
        "journey-ua (holds a directory role (journey-ua-eligible))" in m for m in messages
    )
    assert "no approvalSettings" in messages[0] and "without a recurring access review" in messages[1]


def test_the_same_group_holding_the_role_actively_is_rejected_despite_approval_and_review():
    [found] = violations(preview(lambda: journey(_journey_group(active=True).object_id)), PRIVILEGED)
    assert "whose role assignment journey-ua-active is active" in found.message and "eligibleGroup" in found.message


# --- unknown at preview means unverified; secrets never echoed (issue 16) ------------------------------------


def _later(value):
    anchor = azuread.Group(f"anchor-{id(value)}", display_name="anchor", security_enabled=True)
    return anchor.object_id.apply(lambda _: value)


@pytest.mark.parametrize(
    "policy, policy_args, field",
    [
        (EXPIRES, lambda: {"duration_in_days": _later(3650)}, "durationInDays"),
        (
            EXTERNAL,
            lambda: {"requestor_settings": {**VENDORS, "scope_type": _later("AllExternalSubjects")}},
            "scopeType",
        ),
        (
            EXTERNAL,
            lambda: {
                "requestor_settings": VENDORS,
                "approval_settings": {**APPROVAL, "approval_required": _later(False)},
            },
            "approvalRequired",
        ),
        (PRIVILEGED, lambda: {"assignment_review_settings": {**REVIEW, "enabled": _later(False)}}, "enabled"),
        (
            PRIVILEGED,
            lambda: {"assignment_review_settings": {**REVIEW, "review_frequency": _later("annual")}},
            "reviewFrequency",
        ),
        (PRIVILEGED, lambda: {"approval_settings": {**APPROVAL, "approval_stages": _later([])}}, "approvalStages"),
    ],
)
def test_an_unknown_deciding_value_is_unverified_and_mandatory(policy, policy_args, field):
    report = preview(lambda: journey(plain_group("pim", role_assignable=True).object_id, policy_args=policy_args()))
    [found] = violations(report, policy)
    assert field in found.message and "unknown at preview" in found.message


def test_a_secret_expiration_date_is_never_echoed():
    secret = "s3cr3t-2099"
    report = preview(
        lambda: journey(
            plain_group().object_id,
            policy_args={"duration_in_days": None, "expiration_date": pulumi.Output.secret(secret)},
        )
    )
    [found] = violations(report, EXPIRES)
    assert "not an RFC 3339 timestamp" in found.message and secret not in found.message


# --- access-package-assignment-expires: the lifetime an assignment policy's settings write over it ---------------


def settings(expiration, kind="accessPackagePolicySettings", name="journey-settings"):
    """A plain dynamic resource shaped like the Graph layer's AssignmentPolicySettings, on a plain azuread policy."""
    policy = journey(plain_group().object_id)
    props = {"graphKind": kind, "policyId": policy.id, "accessPackageId": policy.access_package_id}
    return Raw(name, {**props, "expiration": expiration})


HOURS = {"type": "afterDuration", "duration": "PT2H"}


def test_settings_that_end_assignments_after_two_hours_pass():
    assert violations(preview(lambda: settings(HOURS)), EXPIRES) == []


@pytest.mark.parametrize(
    "expiration, reason",
    [
        ({"type": "noExpiration"}, "does not end assignments after a duration"),
        ({"type": "afterDuration", "duration": "P3650D"}, "exceeds the maximum of 180 days"),
        ({"type": "afterDuration", "duration": "two hours"}, "not an ISO 8601 duration"),
        ({"type": "afterDateTime", "endDateTime": "2099-01-01T00:00:00Z"}, "does not end assignments"),
        ({"type": "afterDuration", "duration": "P6M"}, "counts years or months"),  # Graph's months outrun 180 days
        ({"type": "afterDuration", "duration": "PT999999999999999999H"}, "longer than a century"),
    ],
)
def test_settings_that_outlive_the_maximum_are_rejected_whatever_the_azuread_policy_says(expiration, reason):
    [found] = violations(preview(lambda: settings(expiration)), EXPIRES)
    assert reason in found.message and found.urn.endswith("::journey-settings")


@pytest.mark.parametrize("kind", ["AccessPackagePolicySettings", None])
def test_a_misspelled_or_missing_kind_with_a_lifetime_is_still_judged(kind):
    [found] = violations(preview(lambda: settings({"type": "noExpiration"}, kind=kind)), EXPIRES)
    assert "does not end assignments" in found.message


@pytest.mark.parametrize(
    "expiration, field",
    [
        (lambda: _later(HOURS), "expiration"),
        (lambda: {"type": _later("afterDuration"), "duration": "PT2H"}, "expiration.type"),
        (lambda: {"type": "afterDuration", "duration": _later("P3650D")}, "expiration.duration"),
    ],
)
def test_an_unknown_lifetime_in_the_settings_is_unverified_and_mandatory(expiration, field):
    [found] = violations(preview(lambda: settings(expiration())), EXPIRES)
    assert field in found.message and "unknown at preview" in found.message


def test_an_unknown_graph_kind_with_a_lifetime_is_judged_too():
    [found] = violations(preview(lambda: settings({"type": "noExpiration"}, kind=_later("x"))), EXPIRES)
    assert "does not end assignments" in found.message
