"""Privileged journeys as entitlement-management access packages (pulumi-azuread).

How an access package grants *eligibility* (checked in pulumi-azuread 6.11.1):
`AccessPackageResourceCatalogAssociation` adds a group to the catalog (`resource_origin_system`
"AadGroup", `resource_origin_id` the group's object ID) and `AccessPackageResourcePackageAssociation`
puts one of its roles into the package through `access_type`, which accepts only `Member` or
`Owner` (the provider builds the role's originId `Member_{groupId}`). Microsoft's newer "Eligible
Member" / "Eligible Owner" roles for PIM-managed groups (preview) are not expressible through the
provider. So a journey grants **Member** of each PIM group, and eligibility comes from the PIM
group itself: the pim area makes the group *eligible* (never active) for its Entra roles and Azure
RBAC roles, so an assignee still activates each role just in time under the role's PIM settings
(maximum activation, MFA or authentication context, approval). `Owner` is never granted: owning a
role-assignable group lets you add members, i.e. standing privilege.

Per journey the component declares: the access package, one assignment policy for members of the
directory (expiry in days, approval by the requestor's manager and, for critical journeys, a named
approver group; requestor justification; a required ticket-number question; a recurring review,
every six months by default, that removes access when nobody answers; `requests_accepted` set
explicitly), and optionally a separate policy for external vendors of connected organisations
(sponsor approval, shorter expiry, reviewed by sponsors). Who may request through the member policy:
the named `requestors` and `requestor_groups`; with neither, all member users of the directory, except
for a journey with vendors: that one is for its vendors only (no member policy at all) unless it names
requestors of its own.

What the provider cannot declare, the Graph layer adds to the same policies: custom extension stages
(`customExtensionStageSettings`) that call the journey automation's Logic Apps (onboarding on approval;
on-premises groups on grant and on removal) and the Verified ID requirement of `verified_id` journeys, through
one `AssignmentPolicySettings` per policy (GET-merge-PUT, re-applied whenever the azuread policy changes: see
components/graph/assignment_policy_settings.py). Each settings resource records the journey's on-premises reach
(`onPremisesReach`: `adGroups`, `sudoGroups` added by the automation, `writebackGroups` reached through written-back
cloud groups) for the privilege map. The provider models requestors with the
legacy `scope_type` values. hashicorp/terraform-provider-azuread
#1894 reports a perpetual diff on `requestorManager` approvers; if it shows, it is cosmetic.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import pulumi
import pulumi_azuread as azuread
from privileged_facts.values import is_guid

from components.graph.assignment_policy_settings import AssignmentPolicySettings

if TYPE_CHECKING:
    from components.journey_automation import JourneyAutomation

TYPE = "privileged-access:index:AccessPackageJourneys"
Subject: TypeAlias = azuread.AccessPackageAssignmentPolicyApprovalSettingsApprovalStagePrimaryApproverArgsDict
"""A requestor, approver or reviewer: the SDK's three subject TypedDicts have this one shape."""
Groups: TypeAlias = Mapping[str, pulumi.Input[str]]


class UnknownGroupError(ValueError):
    pass


def resolve_group(reference: str, groups: Mapping[str, pulumi.Input[str]], where: str) -> pulumi.Input[str]:
    """An object ID as is, or the object ID of a group the stack declares under that name."""
    if is_guid(reference):
        return reference
    if reference in groups:
        return groups[reference]
    known = ", ".join(sorted(groups)) or "none"
    raise UnknownGroupError(
        f"{where}: group {reference!r} is neither an object ID nor a group the stack declares (known: {known})"
    )


def slug(reference: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reference.lower()).strip("-")


@dataclass(frozen=True, kw_only=True)
class ReviewArgs:
    """Recurring access review of a journey's assignments."""

    enabled: bool
    frequency: str
    review_type: str
    """Manager, Reviewers (reviewer_groups) or Self."""
    duration_in_days: int
    timeout_behavior: str
    reviewer_groups: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class VendorArgs:
    """A separate assignment policy for users of connected organisations (sponsor approval)."""

    connected_organization_ids: Sequence[str]
    duration_in_days: int
    sponsor: str


@dataclass(frozen=True, kw_only=True)
class VerifiedIdArgs:
    """A Verified ID requirement on a journey's policies."""

    credential_type: str
    issuers: Sequence[str]
    face_check: bool = True


@dataclass(frozen=True, kw_only=True)
class SecondaryAccountArgs:
    """What the onboarding automation needs about one requestor's admin account (no secret)."""

    daily_object_id: pulumi.Input[str]
    admin_object_id: pulumi.Input[str]
    admin_upn: str
    display_name: str
    manager_upn: str
    on_premises_user_name: str
    daily_upn: str = ""
    """Where a password reset on grant is mailed (his daily mailbox; the cloud-only admin account has none)."""
    onboarding: bool = True
    """A requestor of an onboarding journey (the onboarding Logic App knows only these)."""


@dataclass(frozen=True, kw_only=True)
class AutomationArgs:
    """Where the journey automation's Logic Apps go and what they call (components/journey_automation.py)."""

    subscription_id: str
    resource_group_name: str
    location: str
    name_prefix: str = "pum-journeys"
    provisioning_service_principal_id: str | None = None
    provisioning_job_id: str | None = None
    notification_sender: str | None = None
    temporary_access_pass_minutes: int = 60
    automation_account_id: str | None = None
    hybrid_worker_group: str | None = None
    add_group_member_runbook: str = "Add-AdGroupMembership"
    remove_group_member_runbook: str = "Remove-AdGroupMembership"
    reset_password_runbook: str = "New-OnPremAdminAccount"
    secondary_accounts: Sequence[SecondaryAccountArgs] = ()
    log_workspace_id: pulumi.Input[str] | None = None
    """The stack's monitoring workspace: the Logic Apps' runtime logs go there."""


@dataclass(frozen=True, kw_only=True)
class JourneyArgs:
    """One journey: an access package, its member policy and optionally a vendor policy. Groups are references:
    an object ID or a name in `AccessPackageJourneysArgs.groups` / `cloud_groups`."""

    key: str
    """Names the journey's resources."""
    display_name: str
    description: str
    critical: bool
    """A second approval stage by approver_group."""
    granted_groups: Sequence[str]
    """Groups whose membership the package grants (as Member, never Owner)."""
    requestors: Sequence[str] = ()
    """Keys of `AccessPackageJourneysArgs.users` who may request."""
    requestor_groups: Sequence[str] = ()
    duration_in_days: int
    duration_in_hours: int | None = None
    """Assignments expire after this many hours instead (Graph expiration through AssignmentPolicySettings)."""
    extension_enabled: bool
    manager_approval: bool
    approver_group: str | None = None
    approval_timeout_in_days: int
    justification_required: bool
    ticket_question: str | None = None
    review: ReviewArgs
    requests_accepted: bool
    vendors: VendorArgs | None = None
    request_with: str = "adminAccount"
    """adminAccount: `requestors` are keys of `users`; dailyAccount: keys of `daily_users`."""
    onboarding: bool = False
    """On approval: inbound provisioning of the AD account and a one-time pass (needs automation)."""
    on_premises_groups: Sequence[str] = ()
    sudo_groups: Sequence[str] = ()
    """AD groups joined on grant and left on removal (needs automation with runbooks)."""
    reset_password: bool = False
    """On grant, the runbook resets the AD admin account's password and mails it to the daily mailbox."""
    verified_id: VerifiedIdArgs | None = None

    @property
    def on_premises(self) -> list[str]:
        return list(dict.fromkeys([*self.on_premises_groups, *self.sudo_groups]))

    def group_references(self) -> list[str]:
        refs = [*self.granted_groups, *self.requestor_groups, *self.review.reviewer_groups]
        return refs + ([self.approver_group] if self.approver_group else [])


@dataclass(frozen=True, kw_only=True)
class CloudGroupArgs:
    """A plain (not role-assignable) security group a journey grants, optionally written back to AD."""

    display_name: str
    description: str
    writeback: bool = False
    on_premises_nested_in: str | None = None


@dataclass(frozen=True, kw_only=True)
class AccessPackageJourneysArgs:
    """The arguments of an AccessPackageJourneys (components/stack.py maps the model's accessPackages)."""

    catalog_name: str
    catalog_description: str
    externally_visible: bool
    """Vendors request packages only from a catalog enabled for external users."""
    journeys: Sequence[JourneyArgs] = ()
    cloud_groups: Mapping[str, CloudGroupArgs] = field(default_factory=dict)
    """Created here by key; journeys name them by key."""
    groups: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Group name -> object ID, for references by name (PIM and journey groups, principals.groups)."""
    users: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Requestor key -> admin account object ID."""
    daily_users: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Requestor key -> daily account object ID (journeys with request_with dailyAccount)."""
    protect_groups: bool = False
    automation: AutomationArgs | None = None


def _group_subjects(refs: Sequence[str], groups: Groups, where: str) -> list[Subject]:
    return [{"subject_type": "groupMembers", "object_id": resolve_group(r, groups, where)} for r in refs]


def _approval(
    journey: JourneyArgs, groups: Groups, first_stage: list[Subject], where: str
) -> azuread.AccessPackageAssignmentPolicyApprovalSettingsArgsDict:
    """Stage 1: `first_stage` approvers (the approver group as backup); stage 2 (critical): the group."""
    approver: list[Subject] = (
        [{"subject_type": "groupMembers", "object_id": resolve_group(journey.approver_group, groups, where)}]
        if journey.approver_group
        else []
    )
    stages: list[azuread.AccessPackageAssignmentPolicyApprovalSettingsApprovalStageArgsDict] = []
    if first_stage:
        stages.append(
            {
                "approval_timeout_in_days": journey.approval_timeout_in_days,
                "approver_justification_required": True,
                "primary_approvers": first_stage + [{**a, "backup": True} for a in approver],
            }
        )
    if approver and (journey.critical or not first_stage):
        stages.append(
            {
                "approval_timeout_in_days": journey.approval_timeout_in_days,
                "approver_justification_required": True,
                "primary_approvers": approver,
            }
        )
    return {
        "approval_required": True,
        "approval_required_for_extension": True,
        "requestor_justification_required": journey.justification_required,
        "approval_stages": stages,
    }


def _questions(journey: JourneyArgs) -> list[azuread.AccessPackageAssignmentPolicyQuestionArgsDict] | None:
    if not journey.ticket_question:
        return None
    return [{"required": True, "sequence": 1, "text": {"default_text": journey.ticket_question}}]


def _review(
    journey: JourneyArgs, groups: Groups, where: str, reviewers: list[Subject] | None = None
) -> azuread.AccessPackageAssignmentPolicyAssignmentReviewSettingsArgsDict:
    review = journey.review
    settings: azuread.AccessPackageAssignmentPolicyAssignmentReviewSettingsArgsDict = {
        "enabled": review.enabled,
        "review_frequency": review.frequency,
        "duration_in_days": review.duration_in_days,
        "access_review_timeout_behavior": review.timeout_behavior,
        "access_recommendation_enabled": True,
        "approver_justification_required": True,
    }
    if reviewers is not None:
        return {**settings, "review_type": "Reviewers", "reviewers": reviewers}
    settings["review_type"] = review.review_type
    if review.review_type == "Reviewers":
        settings["reviewers"] = _group_subjects(list(review.reviewer_groups), groups, where)
    return settings


class AccessPackageJourneys(pulumi.ComponentResource):
    """A catalog of privileged journeys, one access package per journey.

    Guarantees: every assignment expires (`duration_in_days`, or `duration_in_hours` through the policy's
    AssignmentPolicySettings, the azuread policy holding one day meanwhile); every request needs approval (the
    manager, then the approver group for critical journeys), a justification and the ticket
    question; assignments are reviewed on a schedule and removed when reviewers do not answer;
    requests are accepted only as declared; PIM groups are granted as members only (eligibility
    comes from the group's eligible role assignments), never as owners; vendors of connected
    organisations request through their own policy with sponsor approval. Groups are given by
    object ID or by the name the stack declares them under (`groups`).

    Journey groups (`roleBindings`: groups that are only ELIGIBLE for their roles, see EntraRoleJit
    mode eligibleGroup) are passed in `groups` under their binding keys. Requestors named in
    `requestors` are single users from `users` (people's admin accounts), so only they can request.
    Cloud groups (`cloud_groups`) are created here as plain security groups (not role-assignable),
    written back to AD as universal security groups when asked; their on-premises nesting is an AD
    step this component only records in the description.

    Automation (`automation`): journeys with `onboarding` or on-premises groups get custom extension stages on
    their policies that call a `JourneyAutomation` Logic App (one per kind, children of this component, in a
    resource group created here); journeys with `verified_id` get the Verified ID requirement. Both through one
    `AssignmentPolicySettings` per policy, which also records the journey's on-premises reach.

    Outputs: `catalog_id`, `access_package_ids` ({journey key: access package ID}), `cloud_group_ids`.
    """

    catalog_id: pulumi.Output[str]
    access_package_ids: pulumi.Output[dict]

    def __init__(self, name: str, args: AccessPackageJourneysArgs, opts: pulumi.ResourceOptions | None = None):
        users = dict(args.users)
        known = {**dict(args.groups), **{k: "" for k in args.cloud_groups}}
        for journey in args.journeys:  # fail before declaring anything
            for ref in journey.group_references():
                resolve_group(ref, known, f"accessPackages.journeys[{journey.key}]")
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        groups = dict(args.groups)
        self.cloud_groups: dict[str, azuread.Group] = {}
        for key, group in args.cloud_groups.items():
            nested = (
                f" Written back to Active Directory and nested there in '{group.on_premises_nested_in}' (an AD "
                "step outside this stack)."
                if group.on_premises_nested_in
                else ""
            )
            self.cloud_groups[key] = azuread.Group(
                f"{name}-group-{key}",
                display_name=group.display_name,
                description=f"{group.description}{nested} Members come only from access packages.",
                security_enabled=True,
                mail_enabled=False,
                assignable_to_role=False,
                prevent_duplicate_names=True,
                writeback_enabled=True if group.writeback else None,
                onpremises_group_type="UniversalSecurityGroup" if group.writeback else None,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect_groups),
            )
            groups[key] = self.cloud_groups[key].object_id
        self.cloud_group_ids = {k: g.object_id for k, g in self.cloud_groups.items()}
        self._users = users

        self.catalog = azuread.AccessPackageCatalog(
            f"{name}-catalog",
            display_name=args.catalog_name,
            description=args.catalog_description,
            externally_visible=args.externally_visible,
            published=True,
            opts=child,
        )

        self.resources: dict[str, azuread.AccessPackageResourceCatalogAssociation] = {}
        for journey in args.journeys:
            for ref in journey.granted_groups:
                if ref not in self.resources:
                    self.resources[ref] = azuread.AccessPackageResourceCatalogAssociation(
                        f"{name}-resource-{slug(ref)}",
                        catalog_id=self.catalog.id,
                        resource_origin_id=resolve_group(ref, groups, "accessPackages"),
                        resource_origin_system="AadGroup",
                        opts=child,
                    )

        self._declared: dict[str, dict[str, Any]] = {}  # "<journey>/<members|vendors>" -> the policy's arguments
        self.packages: dict[str, azuread.AccessPackage] = {}
        self.grants: dict[str, list[azuread.AccessPackageResourcePackageAssociation]] = {}
        self.policies: dict[str, azuread.AccessPackageAssignmentPolicy] = {}
        self.vendor_policies: dict[str, azuread.AccessPackageAssignmentPolicy] = {}
        self._daily_users = dict(args.daily_users)
        for journey in args.journeys:
            self._journey(name, journey, groups, child)
        self.automations: dict[str, JourneyAutomation] = {}
        self.policy_settings: dict[str, AssignmentPolicySettings] = {}
        self._automation(name, args, child)

        self.catalog_id = self.catalog.id
        self.access_package_ids = (
            pulumi.Output.all(**{k: p.id for k, p in self.packages.items()})
            if self.packages
            else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "catalogId": self.catalog_id,
                "accessPackageIds": self.access_package_ids,
                "cloudGroupIds": self.cloud_group_ids,
            }
        )

    def _journey(self, name: str, journey: JourneyArgs, groups: Groups, child: pulumi.ResourceOptions) -> None:
        where = f"accessPackages.journeys[{journey.key}]"
        base = f"{name}-{journey.key}"
        package = azuread.AccessPackage(
            base,
            catalog_id=self.catalog.id,
            display_name=journey.display_name,
            description=journey.description,
            hidden=False,
            opts=child,
        )
        self.packages[journey.key] = package
        self.grants[journey.key] = [
            azuread.AccessPackageResourcePackageAssociation(
                f"{base}-{slug(ref)}",
                access_package_id=package.id,
                catalog_resource_association_id=self.resources[ref].id,
                access_type="Member",
                opts=child,
            )
            for ref in journey.granted_groups
        ]

        if journey.vendors is not None and not journey.requestors and not journey.requestor_groups:
            # A vendor journey that names no requestors of its own is for the vendors only: no member policy, so
            # nobody in the directory can request it (fail closed; name requestors or requestorGroups to add them).
            self._vendor_policy(base, journey, journey.vendors, package, groups, where, child)
            return
        accounts = self._daily_users if journey.request_with == "dailyAccount" else self._users
        named: list[Subject] = [
            {"subject_type": "singleUser", "object_id": accounts[k]} for k in journey.requestors if k in accounts
        ]
        requestors: azuread.AccessPackageAssignmentPolicyRequestorSettingsArgsDict
        if journey.requestors and not named and not journey.requestor_groups:
            requestors = {"scope_type": "NoSubjects"}  # every named requestor has left
        elif named or journey.requestor_groups:
            requestors = {
                "scope_type": "SpecificDirectorySubjects",
                "requestors": named + _group_subjects(list(journey.requestor_groups), groups, where),
            }
        else:
            requestors = {"scope_type": "AllExistingDirectoryMemberUsers"}
        first: list[Subject] = [{"subject_type": "requestorManager"}] if journey.manager_approval else []
        hours = journey.duration_in_hours
        declared: dict[str, Any] = dict(
            access_package_id=package.id,
            display_name=f"{journey.display_name}: members",
            description=f"Request {journey.display_name} "
            f"(expires after {f'{hours} hours' if hours else f'{journey.duration_in_days} days'}, "
            "approval and review required)",
            # hours: one day here (the shortest the provider writes), the hours through AssignmentPolicySettings
            duration_in_days=1 if hours else journey.duration_in_days,
            extension_enabled=journey.extension_enabled,
            requestor_settings={
                "requests_accepted": journey.requests_accepted and requestors["scope_type"] != "NoSubjects",
                **requestors,
            },
            approval_settings=_approval(journey, groups, first, where),
            assignment_review_settings=_review(journey, groups, where),
            questions=_questions(journey),
        )
        # With hours, Graph's whole-day reading of the policy would be drift the provider rewrites on every refresh.
        opts = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=["durationInDays"]))
        self.policies[journey.key] = azuread.AccessPackageAssignmentPolicy(
            f"{base}-members", **declared, opts=opts if hours else child
        )
        self._declared[f"{journey.key}/members"] = declared

        if journey.vendors is not None:
            self._vendor_policy(base, journey, journey.vendors, package, groups, where, child)

    def _automation(self, name: str, args: AccessPackageJourneysArgs, child: pulumi.ResourceOptions) -> None:
        """The journey automation (Logic Apps, custom extensions) and each policy's settings (stages, Verified ID)."""
        automation = args.automation
        onboarding = [j for j in args.journeys if j.onboarding and j.key in self.packages]
        on_premises = [j for j in args.journeys if j.on_premises and j.key in self.packages]
        if (onboarding or on_premises) and automation is None:
            raise ValueError(f"accessPackages: journeys {[j.key for j in onboarding + on_premises]} need automation")
        extensions: dict[str, pulumi.Output[str]] = {}
        if automation is not None and (onboarding or on_premises):
            from pulumi_azure_native import resources

            from components.journey_automation import JourneyAutomation, JourneyAutomationArgs

            rg = resources.ResourceGroup(
                f"{name}-automation-rg",
                resource_group_name=automation.resource_group_name,
                location=automation.location,
                tags={"pum-role": "journey-automation"},
                opts=child,
            )
            common: dict[str, Any] = dict(
                subscription_id=automation.subscription_id,
                resource_group_name=automation.resource_group_name,  # literal (gates match it); `rg` makes it
                location=automation.location,
                catalog_id=self.catalog.id,
                log_workspace_id=automation.log_workspace_id,
            )
            if onboarding:
                by_daily = _secondary_account_map([a for a in automation.secondary_accounts if a.onboarding])
                self.automations["onboarding"] = JourneyAutomation(
                    f"{name}-onboarding",
                    JourneyAutomationArgs(
                        kind="onboarding",
                        workflow_name=f"{automation.name_prefix}-onboarding",
                        parameters={
                            "accessPackageIds": pulumi.Output.all(*[self.packages[j.key].id for j in onboarding]).apply(
                                lambda ids: [str(i).lower() for i in ids]
                            ),
                            "secondaryAccounts": by_daily,
                            "provisioningServicePrincipalId": automation.provisioning_service_principal_id,
                            "provisioningJobId": automation.provisioning_job_id,
                            "tapLifetimeInMinutes": automation.temporary_access_pass_minutes,
                            "notificationSender": automation.notification_sender,
                        },
                        extension_display_name="PUM onboarding: AD account and one-time pass",
                        **common,
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[rg]),
                )
                extensions["onboarding"] = self.automations["onboarding"].extension_id
            if on_premises:
                journeys = pulumi.Output.all(*[self.packages[j.key].id for j in on_premises]).apply(
                    lambda ids: {
                        str(i).lower(): {
                            "key": j.key,
                            "groups": j.on_premises,
                            "renewAdminAccount": j.reset_password,
                            "durationMinutes": ad_membership_minutes(j.duration_in_hours),
                        }
                        for i, j in zip(ids, on_premises, strict=True)
                    }
                )
                self.automations["on-premises-groups"] = JourneyAutomation(
                    f"{name}-on-premises-groups",
                    JourneyAutomationArgs(
                        kind="on-premises-groups",
                        workflow_name=f"{automation.name_prefix}-on-premises-groups",
                        parameters={
                            "journeys": journeys,
                            "accounts": _on_premises_names(automation.secondary_accounts),
                            "automationAccountId": automation.automation_account_id,
                            "hybridWorkerGroup": automation.hybrid_worker_group,
                            "addGroupMemberRunbook": automation.add_group_member_runbook,
                            "removeGroupMemberRunbook": automation.remove_group_member_runbook,
                            "adminAccountRunbook": automation.reset_password_runbook,
                            "accountDelivery": _account_delivery(automation.secondary_accounts),
                        },
                        extension_display_name="PUM on-premises groups: add on grant, remove on removal",
                        **common,
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[rg]),
                )
                extensions["on-premises-groups"] = self.automations["on-premises-groups"].extension_id
        for journey in args.journeys:
            stages: list[dict] = []
            if journey.onboarding and "onboarding" in extensions:
                stages.append({"stage": "assignmentRequestApproved", "customExtensionId": extensions["onboarding"]})
            if journey.on_premises and "on-premises-groups" in extensions:
                stages += [
                    {"stage": stage, "customExtensionId": extensions["on-premises-groups"]}
                    for stage in ("assignmentRequestGranted", "assignmentRequestRemoved")
                ]
            vc = journey.verified_id
            nested = [
                group.on_premises_nested_in
                for ref in journey.granted_groups
                if (group := args.cloud_groups.get(ref)) is not None and group.on_premises_nested_in
            ]
            hours = journey.duration_in_hours
            if not stages and vc is None and not nested and hours is None:
                continue
            for kind, policy in (
                ("members", self.policies.get(journey.key)),
                ("vendors", self.vendor_policies.get(journey.key)),
            ):
                if policy is None:
                    continue
                self.policy_settings[f"{journey.key}/{kind}"] = AssignmentPolicySettings(
                    f"{name}-{journey.key}-{kind}-settings",
                    policy_id=policy.id,
                    access_package_id=self.packages[journey.key].id,
                    policy_fingerprint=fingerprint(self._declared[f"{journey.key}/{kind}"]),
                    stages=stages,
                    # the vendors' policy keeps its own durationInDays
                    expiration={"type": "afterDuration", "duration": f"PT{hours}H"}
                    if hours and kind == "members"
                    else None,
                    verifiable_credentials={
                        "credentialTypes": [{"credentialType": vc.credential_type, "issuers": list(vc.issuers)}]
                    }
                    if vc
                    else None,
                    face_check_required=bool(vc and vc.face_check),
                    on_premises_reach={
                        "adGroups": list(journey.on_premises_groups),
                        "sudoGroups": list(journey.sudo_groups),
                        "writebackGroups": list(dict.fromkeys(nested)),
                    },
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
                )

    def _vendor_policy(
        self,
        base: str,
        journey: JourneyArgs,
        vendors: VendorArgs,
        package: azuread.AccessPackage,
        groups: Groups,
        where: str,
        child: pulumi.ResourceOptions,
    ) -> None:
        sponsors: list[Subject] = [{"subject_type": vendors.sponsor}]
        declared: dict[str, Any] = dict(
            access_package_id=package.id,
            display_name=f"{journey.display_name}: vendors",
            description=f"Vendors of connected organisations request {journey.display_name} "
            f"(sponsor approval, expires after {vendors.duration_in_days} days)",
            duration_in_days=vendors.duration_in_days,
            extension_enabled=False,
            requestor_settings={
                "requests_accepted": journey.requests_accepted,
                "scope_type": "SpecificConnectedOrganizationSubjects",
                "requestors": [
                    {"subject_type": "connectedOrganizationMembers", "object_id": org}
                    for org in vendors.connected_organization_ids
                ],
            },
            approval_settings=_approval(journey, groups, sponsors, where),
            assignment_review_settings=_review(journey, groups, where, reviewers=sponsors),
            questions=_questions(journey),
        )
        self.vendor_policies[journey.key] = azuread.AccessPackageAssignmentPolicy(
            f"{base}-vendors", **declared, opts=child
        )
        self._declared[f"{journey.key}/vendors"] = declared


def _account_entry(a: SecondaryAccountArgs, ids: list) -> tuple[str, dict]:
    return (
        str(ids[0]).lower(),
        {
            "adminObjectId": str(ids[1]).lower(),
            "adminUpn": a.admin_upn,
            "displayName": a.display_name,
            "managerUpn": a.manager_upn,
            "onPremisesUserName": a.on_premises_user_name,
        },
    )


def _secondary_account_map(accounts: Sequence[SecondaryAccountArgs]) -> pulumi.Output[dict]:
    """daily account object ID (lower case) -> what the onboarding Logic App needs about the admin account."""
    entries = [
        pulumi.Output.all(a.daily_object_id, a.admin_object_id).apply(functools.partial(_account_entry, a))
        for a in accounts
    ]
    return pulumi.Output.all(*entries).apply(lambda pairs: dict(pairs))


def _on_premises_name(name: str, object_id: Any) -> tuple[str, str]:
    return str(object_id).lower(), name


def _on_premises_names(accounts: Sequence[SecondaryAccountArgs]) -> pulumi.Output[dict]:
    """admin account object ID (lower case) -> its AD sAMAccountName, for the on-premises groups' runbooks."""
    entries = [
        pulumi.Output.from_input(a.admin_object_id).apply(functools.partial(_on_premises_name, a.on_premises_user_name))
        for a in accounts
    ]
    return pulumi.Output.all(*entries).apply(lambda pairs: dict(pairs))


AD_MEMBERSHIP_MINUTES = (120, 480)  # Add-AdGroupMembership's default and the most it accepts (ValidateRange 30-480)


def ad_membership_minutes(hours: int | None) -> int:
    """How long the AD membership a grant adds lasts (AD's own end, or Remove-ExpiredMembership's): as long as a
    journey of hours, never beyond the runbook's eight hours; two hours for a journey of days."""
    default, most = AD_MEMBERSHIP_MINUTES
    return min(hours * 60, most) if hours else default


def _account_delivery(accounts: Sequence[SecondaryAccountArgs]) -> pulumi.Output[dict]:
    """admin account object ID (lower case) -> the display name and daily mailbox the password reset runbook takes."""
    entries = [
        pulumi.Output.from_input(a.admin_object_id).apply(functools.partial(_delivery_entry, a)) for a in accounts
    ]
    return pulumi.Output.all(*entries).apply(lambda pairs: dict(pairs))


def _delivery_entry(account: SecondaryAccountArgs, object_id: str) -> tuple[str, dict]:
    return str(object_id).lower(), {"displayName": account.display_name, "deliverTo": account.daily_upn}


def fingerprint(declared: Mapping[str, Any]) -> pulumi.Output[str]:
    """A SHA-256 of an azuread policy's declared arguments: it changes whenever the policy's declaration does, so
    the policy's settings resource is re-applied right after the provider's PUT (graph/assignment_policy_settings)."""
    return pulumi.Output.from_input(dict(declared)).apply(
        lambda v: hashlib.sha256(json.dumps(v, sort_keys=True, default=str).encode()).hexdigest()
    )
