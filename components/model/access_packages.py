"""Stack model for privileged journeys (entitlement management): `privileged-access:accessPackages`.

A *journey* is one access package ("User Admin", "Domain Admin", "Vendor support") that delivers
everything a job needs together, for a bounded time, after approval, with a recurring review.

Groups are named two ways: by the name of a PIM group (from the pim area) or another group the
stack declares, which the stack builder resolves to the created group's object ID; or by an
existing group's object ID (a GUID), e.g. a cloud group written back to Active Directory and nested
there into Account Operators (groups that *originate* on-premises cannot be access-package
resources: Entra cannot change their membership).

Not supported yet (the azuread provider has no arguments for them and the Graph layer has no
resource for them): custom extension stages that call a Logic App on grant/removal
(`customExtensionStageSettings`) and Verified ID requirements (`verifiableCredentialSettings`,
Graph beta). They are refused by the schema (unknown keys are errors), not silently ignored.
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

    @model_validator(mode="after")
    def _approval(self):
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
    private = model.private_access
    for index, app in enumerate(private.apps if private else []):
        for position, ref in enumerate(app.assigned_groups):
            issue = _group_issue(model, ("privateAccess", "apps", index, "assignedGroups", position), ref, names)
            issues += [issue] if issue else []
    return issues


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
