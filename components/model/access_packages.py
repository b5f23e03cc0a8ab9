"""Stack model for privileged journeys (entitlement management): `privileged-access:accessPackages`.

A *journey* is one access package ("User Admin", "Domain Admin", "Vendor support") that delivers
everything a job needs together, for a bounded time, after approval, with a recurring review.

Groups are named two ways: by the name of a PIM group (from the pim area) or another group the
stack declares, which the stack builder resolves to the created group's object ID; or by an
existing group's object ID (a GUID), e.g. a cloud group written back to Active Directory and nested
there into Account Operators (groups that *originate* on-premises cannot be access-package
resources: Entra cannot change their membership).

Automation (`automation`, and per journey `onboarding` / `onPremises`): the Graph layer adds custom extension
stages to a journey's assignment policies (components/graph/assignment_policy_settings.py) that call a Logic App
(components/journey_automation.py): on approval of an onboarding journey, API-driven inbound provisioning of
the requestor's AD account and a one-time Temporary Access Pass for his cloud-only admin account, handed to his
manager out of band; on grant and on removal of a journey with `onPremises`, a runbook job on the Hybrid Worker
group that adds and removes his AD account in those AD groups. `verifiedId` puts a Verified ID requirement on
the journey's policies (Graph beta `verifiableCredentialSettings`; Face Check is a portal step, see
docs/journey-automation.md).
"""

from __future__ import annotations

import re
from typing import Literal

from privileged_facts.values import is_guid
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .errors import unique_keys
from .scalars import Bool, Int

_KEY = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"


def is_object_id(reference: str) -> bool:
    """A group reference that is an object ID (existing group) rather than a declared group's name."""
    return is_guid(reference)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ReviewSettings(_Model):
    """Recurring access review of the package's assignments (secure default: every six months,
    the requestor's manager reviews, access is removed when nobody answers)."""

    enabled: Bool = Field(True, description="Review assignments on a schedule.")
    frequency: Literal["weekly", "monthly", "quarterly", "halfyearly", "annual"] = Field(
        "halfyearly", description="How often a review campaign starts."
    )
    review_type: Literal["Manager", "Reviewers", "Self"] = Field(
        "Manager", description="Who reviews: the assignee's manager, named reviewers, or the assignee."
    )
    reviewer_groups: list[str] = Field(
        default_factory=list, description="Groups (name or object ID) whose members review; reviewType Reviewers."
    )
    duration_in_days: Int = Field(14, ge=1, le=180, description="How long each review stays open.")
    timeout_behavior: Literal["removeAccess", "keepAccess", "acceptAccessRecommendation"] = Field(
        "removeAccess", description="What happens when reviewers do not answer in time."
    )

    @model_validator(mode="after")
    def _reviewers(self):
        if self.review_type == "Reviewers" and not self.reviewer_groups:
            raise ValueError("reviewType Reviewers needs reviewerGroups (names or object IDs)")
        if self.review_type != "Reviewers" and self.reviewer_groups:
            raise ValueError(f"reviewerGroups is only used with reviewType Reviewers (got {self.review_type})")
        return self


class VendorAccess(_Model):
    """A separate assignment policy for external vendors (users of connected organisations):
    sponsor approval first, then the journey's approver group for critical journeys."""

    connected_organization_ids: list[str] = Field(
        min_length=1, description="Object IDs of existing connected organisations whose users may request."
    )
    duration_in_days: Int = Field(30, ge=1, le=180, description="Vendor assignments expire after this many days.")
    sponsor: Literal["internalSponsors", "externalSponsors"] = Field(
        "internalSponsors", description="Which sponsors of the connected organisation approve."
    )

    @field_validator("connected_organization_ids")
    @classmethod
    def _guids(cls, ids: list[str]) -> list[str]:
        bad = [i for i in ids if not is_guid(i)]
        if bad:
            raise ValueError(f"{bad} are not object IDs; give the connected organisations' IDs (GUIDs)")
        return ids


_DID = r"^did:(web|ion):[A-Za-z0-9._:%-]+$"
_AUTOMATION_ACCOUNT = (
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.Automation/automationAccounts/"
    r"[A-Za-z0-9-]+$"
)
_AD_GROUP = r"^[^\"/\\\[\]:;|=,+*?<>@]{1,64}$"  # a sAMAccountName / group name AD accepts


class OnPremisesReach(_Model):
    """What a journey reaches on-premises through the journey automation: the runbook on the domain's Hybrid
    Worker adds the assignee's AD account to these AD groups when the assignment is granted and removes it when
    the assignment is removed (expiry, review, leaver)."""

    groups: list[str] = Field(
        default_factory=list,
        description="AD groups (names as AD knows them) the assignee's AD account joins while assigned, e.g. "
        "'Account Operators'.",
    )
    sudo_groups: list[str] = Field(
        default_factory=list,
        description="AD groups the Linux servers map to sudo (SSSD / sudoers rules); joined and left the same way.",
    )
    reset_password: Bool = Field(
        False,
        description="On grant, the automation also sets a new random password on the assignee's AD admin account "
        "(on the domain's worker, must be changed at first sign-in) and mails it to his daily mailbox, encrypted by "
        "the transport rule: never through Pulumi, the Logic App or a job stream (resetPasswordRunbook).",
    )

    @field_validator("groups", "sudo_groups")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        bad = [n for n in names if not re.match(_AD_GROUP, n)]
        if bad:
            raise ValueError(
                f'{bad} are not AD group names (1-64 characters, none of " / \\ [ ] : ; | = , + * ? < > @)'
            )
        return names

    @model_validator(mode="after")
    def _some(self):
        if not self.groups and not self.sudo_groups:
            raise ValueError("onPremises names no groups; list groups or sudoGroups, or drop onPremises")
        return self

    def all_groups(self) -> list[str]:
        return list(dict.fromkeys([*self.groups, *self.sudo_groups]))


class VerifiedIdRequirement(_Model):
    """Requestors present a verifiable credential in My Access (Entra Verified ID) before the request goes on."""

    credential_type: str = Field(
        "VerifiedEmployee", min_length=1, description="The credential type requestors present (e.g. VerifiedEmployee)."
    )
    issuers: list[str] = Field(
        min_length=1, description="Decentralised identifiers (did:web:... or did:ion:...) of the accepted issuers."
    )
    face_check: Bool = Field(
        True,
        description="Also require Face Check (a live selfie matched to the credential's photo); a portal step on "
        "the policy (docs/journey-automation.md), recorded on the policy settings resource.",
    )

    @field_validator("issuers")
    @classmethod
    def _dids(cls, issuers: list[str]) -> list[str]:
        bad = [i for i in issuers if not re.match(_DID, i)]
        if bad:
            raise ValueError(f"{bad} are not issuer DIDs; give the Verified ID authority's did:web:... or did:ion:...")
        return issuers


class InboundProvisioning(_Model):
    """The API-driven inbound provisioning app (to on-premises AD) the onboarding automation posts to."""

    service_principal_id: str = Field(description="Object ID of the provisioning app's service principal.")
    job_id: str = Field(
        pattern=r"^[A-Za-z0-9]+\.[A-Za-z0-9]+\.[A-Za-z0-9-]+$",
        description="The provisioning job's ID (API2AD.<hex>.<guid>), from the app's Provisioning blade.",
    )

    @field_validator("service_principal_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        if not is_guid(value):
            raise ValueError("is not an object ID (GUID)")
        return value


class OnPremisesRunbooks(_Model):
    """Where the on-premises runbooks run (the on-premises Automation account and its Hybrid Worker group)."""

    automation_account_id: str = Field(
        pattern=_AUTOMATION_ACCOUNT,
        description="ARM ID of the Automation account (/subscriptions/.../providers/Microsoft.Automation/"
        "automationAccounts/<name>).",
    )
    hybrid_worker_group: str = Field(min_length=1, max_length=128, description="The domain's Hybrid Worker group.")
    add_group_member_runbook: str = Field(
        "Add-AdGroupMembership", pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,62}$", description="Runbook that adds to AD groups."
    )
    remove_group_member_runbook: str = Field(
        "Remove-AdGroupMembership",
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,62}$",
        description="Runbook that removes from AD groups.",
    )
    reset_password_runbook: str = Field(
        "New-OnPremAdminAccount",
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,62}$",
        description="Runbook that resets an admin account's AD password and mails it (journeys with resetPassword).",
    )


class JourneyAutomationSettings(_Model):
    """Where the journey automation's Logic Apps live and what they call."""

    subscription_id: str = Field(description="Subscription of the Logic Apps (the custom extensions name it).")
    resource_group_name: str = Field(
        pattern=r"^[-\w._()]{0,89}[-\w_()]$", description="Resource group created for the Logic Apps."
    )
    location: str = Field(min_length=1, description="Azure region of the Logic Apps.")
    name_prefix: str = Field(
        "pum-journeys", pattern=r"^[a-z][a-z0-9-]{1,40}$", description="Prefix of the Logic Apps' names."
    )
    provisioning: InboundProvisioning | None = Field(None, description="Needed by onboarding journeys.")
    runbooks: OnPremisesRunbooks | None = Field(
        None,
        description="Where journeys with onPremises start their runbooks; default: the stack's "
        "privileged-access:onPremises Automation account and worker group.",
    )
    notification_sender: str | None = Field(
        None,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Mailbox (UPN) the onboarding automation sends the one-time pass from, to the new starter's "
        "manager; restrict the Logic App's Mail.Send to it with an Exchange application access policy.",
    )
    temporary_access_pass_minutes: Int = Field(
        60, ge=10, le=480, description="Lifetime of the one-time Temporary Access Pass (short: at most 8 hours)."
    )

    @field_validator("subscription_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        if not is_guid(value):
            raise ValueError("is not a subscription ID (GUID)")
        return value


class Journey(_Model):
    """One privileged journey: an access package, its member policy and optionally a vendor policy."""

    key: str = Field(pattern=_KEY, description="Stable short name (kebab-case); resource names derive from it.")
    display_name: str = Field(min_length=1, max_length=256, description="Name requestors see in My Access.")
    description: str = Field(min_length=1, description="What the journey is for (shown in My Access).")
    tier: Literal["standard", "critical"] = Field(
        "standard", description="critical adds a second approval stage by approverGroup."
    )
    role_bindings: list[str] = Field(
        default_factory=list,
        description="Keys of pim.roleBindings in mode eligibleGroup: the package grants "
        "membership of their journey groups, which are only ELIGIBLE for their "
        "roles, so members still activate each role just in time in PIM.",
    )
    pim_groups: list[str] = Field(
        default_factory=list,
        description="Existing groups (object ID) that are only eligible for their roles, "
        "whose membership the package grants (prefer roleBindings).",
    )
    groups: list[str] = Field(
        default_factory=list, description="Other groups (name or object ID) the package grants membership of."
    )
    requestors: list[str] = Field(
        default_factory=list,
        description="Principal keys who may request: people request with their admin "
        "account (never the daily one), groups by their members.",
    )
    requestor_groups: list[str] = Field(
        default_factory=list,
        description="Groups whose members may request. With no requestors either, all member users of the "
        "directory may request, except in a journey with vendors: that one is for its vendors only.",
    )
    duration_in_days: Int = Field(180, ge=1, le=365, description="Assignments expire after this many days.")
    duration_in_hours: Int | None = Field(
        None,
        ge=1,
        le=23,
        description="Assignments expire after this many hours instead (a short-lived journey: the package ends, and "
        "with it its groups and the removal automation, when the hours do). Not with durationInDays.",
    )
    extension_enabled: Bool = Field(False, description="Let assignees ask to extend before expiry.")
    manager_approval: Bool = Field(True, description="First approval stage: the requestor's manager.")
    approver_group: str | None = Field(
        None, description="Group (name or object ID) that approves in the second stage; required for critical."
    )
    approval_timeout_in_days: Int = Field(7, ge=1, le=14, description="Requests not decided in time are denied.")
    justification_required: Bool = Field(True, description="Requestors must say why they need the journey.")
    ticket_question: str | None = Field(
        "Change or incident ticket number", description="Required question asked on request; null for none."
    )
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    requests_accepted: Bool = Field(True, description="Accept new requests (set explicitly on every policy).")
    vendors: VendorAccess | None = Field(
        None,
        description="Let connected organisations' users request, through a policy of their own. A journey with "
        "vendors is for the vendors only unless it names requestors or requestorGroups: then those may request too.",
    )
    request_with: Literal["adminAccount", "dailyAccount"] = Field(
        "adminAccount",
        description="Which account of the named requestors requests: the admin account, or (for onboarding, "
        "before he has one he can sign in with) the daily account.",
    )
    onboarding: Bool = Field(
        False,
        description="On approval, the automation provisions the requestor's AD account (API-driven inbound "
        "provisioning) and issues a one-time Temporary Access Pass for his admin account to his manager.",
    )
    on_premises: OnPremisesReach | None = Field(
        None, description="AD groups the automation adds on grant and removes on removal."
    )
    verified_id: VerifiedIdRequirement | None = Field(
        None, description="Requestors present a Verified ID credential (and Face Check) in My Access."
    )

    @model_validator(mode="after")
    def _approval(self):
        if self.duration_in_hours is not None and "duration_in_days" in self.model_fields_set:
            raise ValueError(
                f"journey {self.key!r} sets durationInDays and durationInHours; keep one (assignments expire after "
                "the one given)"
            )
        if self.duration_in_hours is not None and self.verified_id is not None:
            raise ValueError(
                f"journey {self.key!r} sets durationInHours and verifiedId; Graph writes a Verified ID requirement "
                "through an API that knows whole days only, which would undo the hours: use durationInDays"
            )
        if not self.granted_groups():
            raise ValueError(f"journey {self.key!r} grants nothing; name roleBindings, pimGroups or groups")
        if self.tier == "critical" and not self.approver_group:
            raise ValueError(f"journey {self.key!r} is critical: name an approverGroup for the second approval stage")
        if not self.manager_approval and not self.approver_group:
            raise ValueError(
                f"journey {self.key!r} has no approval stage; keep managerApproval or name an approverGroup"
            )
        return self

    def granted_groups(self) -> list[str]:
        """The groups whose membership the package grants: journey groups (binding keys) first."""
        return [*self.role_bindings, *self.pim_groups, *self.groups]

    def group_references(self) -> list[str]:
        """Every group reference the journey uses (granted, requestor, approver, reviewer groups)."""
        refs = [*self.granted_groups(), *self.requestor_groups, *self.review.reviewer_groups]
        return refs + ([self.approver_group] if self.approver_group else [])


class CloudGroup(_Model):
    """A cloud security group a journey grants (not role-assignable, holds no Entra role), optionally written
    back to Active Directory. Groups that originate on-premises cannot be access-package resources (Entra
    cannot change their membership), so on-premises access goes through a cloud group written back by
    Entra Cloud Sync / Connect group writeback and nested on-premises into the target AD group; the nesting
    is an Active Directory step outside this stack (`onPremisesNestedIn` documents it)."""

    display_name: str = Field(min_length=1, max_length=256)
    description: str = Field(min_length=1)
    writeback: Bool = Field(False, description="Write the group back to AD as a universal security group.")
    on_premises_nested_in: str | None = Field(
        None,
        min_length=1,
        description="The AD group the written-back group is nested in (an AD step, not "
        "managed here), e.g. 'Account Operators'; needs writeback.",
    )

    @model_validator(mode="after")
    def _nesting(self):
        if self.on_premises_nested_in and not self.writeback:
            raise ValueError("onPremisesNestedIn needs writeback: true (only a written-back group exists in AD)")
        return self


class AccessPackagesSettings(_Model):
    """The catalog of privileged journeys."""

    catalog_name: str = Field("Privileged access journeys", min_length=1, description="Catalog display name.")
    catalog_description: str = Field("Just-in-time privileged journeys managed as code", min_length=1)
    cloud_groups: dict[str, CloudGroup] = Field(
        default_factory=dict,
        description="Cloud groups to create, by key; journeys and Private Access apps name them by key.",
    )
    journeys: list[Journey] = Field(default_factory=list)
    automation: JourneyAutomationSettings | None = Field(
        None, description="The Logic Apps that onboarding and onPremises journeys call."
    )

    @model_validator(mode="after")
    def _automation_needed(self):
        onboarding = [j.key for j in self.journeys if j.onboarding]
        on_premises = [j.key for j in self.journeys if j.on_premises]
        automation = self.automation
        if (onboarding or on_premises) and automation is None:
            raise ValueError(
                f"journeys {onboarding + on_premises} need automation (subscriptionId, resourceGroupName, location)"
            )
        if onboarding and automation and (automation.provisioning is None or not automation.notification_sender):
            raise ValueError(f"onboarding journeys {onboarding} need automation.provisioning and notificationSender")
        return self

    @field_validator("cloud_groups")
    @classmethod
    def _group_keys(cls, groups: dict[str, CloudGroup]) -> dict[str, CloudGroup]:
        bad = sorted(k for k in groups if not re.match(_KEY, k))
        if bad:
            raise ValueError(f"cloud group keys {bad} must be kebab-case (lower-case letters, digits, '-')")
        return groups

    @field_validator("journeys")
    @classmethod
    def _unique(cls, journeys: list[Journey]) -> list[Journey]:
        return unique_keys(journeys, "journey")

    @property
    def externally_visible(self) -> bool:
        """External users can only request packages of a catalog enabled for external users."""
        return any(j.vendors for j in self.journeys)


# ---------------------------------------------------------------- cross-area checks (used by parse_model)


def group_names(model) -> dict[str, str]:
    """Group names the stack declares -> what they are: principals.groups, cloud groups, journey groups."""
    from .pim import eligible_group_keys

    names = {k: "principals.groups" for k in model.principals.groups}
    if model.access_packages:
        names.update({k: "accessPackages.cloudGroups" for k in model.access_packages.cloud_groups})
    names.update({k: "journey group (pim.roleBindings, mode eligibleGroup)" for k in eligible_group_keys(model)})
    return names


def _group_issue(model, loc: tuple, ref: str, names: dict[str, str]):
    import difflib

    from .errors import Issue
    from .pim import binding_key, journey_group_problem

    if is_object_id(ref) or ref in names:
        return None
    if ref in {binding_key(b) for b in model.pim.role_bindings}:
        return Issue(loc, ref, journey_group_problem(model, ref))
    close = difflib.get_close_matches(ref, list(names), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Issue(
        loc,
        ref,
        f"is neither an object ID nor a group the stack declares; {hint}known: {', '.join(sorted(names)) or 'none'}",
    )


def journey_issues(model) -> list:
    """References of journeys and Private Access apps: journey groups are eligibleGroup bindings (a pimGroup
    group holds its role actively, so granting its membership would be standing access), group names
    resolve, requestors are people with an admin account or groups."""
    from .errors import Issue
    from .pim import _principal_issues, eligible_group_keys, journey_group_problem

    issues: list = []
    names = group_names(model)
    journey_groups = eligible_group_keys(model)
    settings = model.access_packages
    for index, journey in enumerate(settings.journeys if settings else []):
        loc = ("accessPackages", "journeys", index)
        for position, key in enumerate(journey.role_bindings):
            if key not in journey_groups:
                issues.append(Issue((*loc, "roleBindings", position), key, journey_group_problem(model, key)))
        for field in ("pim_groups", "groups", "requestor_groups"):
            for position, ref in enumerate(getattr(journey, field)):
                issue = _group_issue(model, (*loc, _camel(field), position), ref, names)
                issues += [issue] if issue else []
        for position, ref in enumerate(journey.review.reviewer_groups):
            issue = _group_issue(model, (*loc, "review", "reviewerGroups", position), ref, names)
            issues += [issue] if issue else []
        if journey.approver_group:
            issue = _group_issue(model, (*loc, "approverGroup"), journey.approver_group, names)
            issues += [issue] if issue else []
        issues.extend(_principal_issues(model, (*loc, "requestors"), journey.requestors, must_be_admin=True))
        automation = settings.automation if settings else None
        on_premises = getattr(model, "on_premises", None)
        if (
            journey.on_premises
            and automation
            and automation.runbooks is None
            and not (on_premises and on_premises.enabled)
        ):
            issues.append(
                Issue(
                    (*loc, "onPremises"),
                    journey.key,
                    "needs somewhere to start its runbooks: declare privileged-access:onPremises or "
                    "accessPackages.automation.runbooks",
                )
            )
        if journey.on_premises and automation and automation.runbooks is None and on_premises and on_premises.enabled:
            issues.extend(_unmanaged_group_issues(loc, journey.on_premises, on_premises.managed_groups))
        people = model.principals.people
        for position, key in enumerate(journey.requestors):
            if journey.request_with == "dailyAccount" and key not in people:
                issues.append(
                    Issue((*loc, "requestors", position), key, "requestWith dailyAccount names people, not groups")
                )
            elif (journey.request_with == "dailyAccount" or journey.onboarding or journey.on_premises) and (
                key in people and people[key].daily_upn is None
            ):
                issues.append(
                    Issue(
                        (*loc, "requestors", position),
                        key,
                        "this journey requests with, or delivers to, the requestor's daily account: add "
                        f"principals.people.{key}.dailyUpn",
                    )
                )
            elif journey.onboarding and key in people and people[key].manager_upn is None:
                issues.append(
                    Issue(
                        (*loc, "requestors", position),
                        key,
                        "an onboarding journey hands the one-time pass to the requestor's manager: add "
                        f"principals.people.{key}.managerUpn",
                    )
                )
    private = model.private_access
    for index, app in enumerate(private.apps if private else []):
        for position, ref in enumerate(app.assigned_groups):
            issue = _group_issue(model, ("privateAccess", "apps", index, "assignedGroups", position), ref, names)
            issues += [issue] if issue else []
    return issues


def _unmanaged_group_issues(loc: tuple, reach: OnPremisesReach, managed: list[str]) -> list:
    """A journey's AD groups that the on-premises runbooks do not manage: their jobs refuse any group outside
    privileged-access:onPremises.managedGroups (compared as AD compares names, case-insensitively), so the journey
    would grant nothing on-premises while its package says it does."""
    from .errors import Issue

    allowed = {g.lower() for g in managed}
    return [
        Issue(
            (*loc, "onPremises", _camel(field), position),
            name,
            f"the on-premises runbooks add and remove only privileged-access:onPremises.managedGroups "
            f"({', '.join(managed)}); add {name!r} there (docs/on-premises.md) or drop it from this journey",
        )
        for field in ("groups", "sudo_groups")
        for position, name in enumerate(getattr(reach, field))
        if name.lower() not in allowed
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
