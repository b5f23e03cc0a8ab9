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
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_GUID = GUID.pattern
_KEY = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"


def is_object_id(reference: str) -> bool:
    """A group reference that is an object ID (existing group) rather than a declared group's name."""
    return bool(GUID.match(reference))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ReviewSettings(_Model):
    """Recurring access review of the package's assignments (secure default: every six months,
    the requestor's manager reviews, access is removed when nobody answers)."""

    enabled: bool = Field(True, description="Review assignments on a schedule.")
    frequency: Literal["weekly", "monthly", "quarterly", "halfyearly", "annual"] = Field(
        "halfyearly", description="How often a review campaign starts.")
    review_type: Literal["Manager", "Reviewers", "Self"] = Field(
        "Manager", description="Who reviews: the assignee's manager, named reviewers, or the assignee.")
    reviewer_groups: list[str] = Field(
        default_factory=list, description="Groups (name or object ID) whose members review; reviewType Reviewers.")
    duration_in_days: int = Field(14, ge=1, le=180, description="How long each review stays open.")
    timeout_behavior: Literal["removeAccess", "keepAccess", "acceptAccessRecommendation"] = Field(
        "removeAccess", description="What happens when reviewers do not answer in time.")

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
        min_length=1, description="Object IDs of existing connected organisations whose users may request.")
    duration_in_days: int = Field(30, ge=1, le=180, description="Vendor assignments expire after this many days.")
    sponsor: Literal["internalSponsors", "externalSponsors"] = Field(
        "internalSponsors", description="Which sponsors of the connected organisation approve.")

    @field_validator("connected_organization_ids")
    @classmethod
    def _guids(cls, ids: list[str]) -> list[str]:
        bad = [i for i in ids if not GUID.match(i)]
        if bad:
            raise ValueError(f"{bad} are not object IDs; give the connected organisations' IDs (GUIDs)")
        return ids


class Journey(_Model):
    """One privileged journey: an access package, its member policy and optionally a vendor policy."""

    key: str = Field(pattern=_KEY, description="Stable short name (kebab-case); resource names derive from it.")
    display_name: str = Field(min_length=1, max_length=256, description="Name requestors see in My Access.")
    description: str = Field(min_length=1, description="What the journey is for (shown in My Access).")
    tier: Literal["standard", "critical"] = Field(
        "standard", description="critical adds a second approval stage by approverGroup.")
    pim_groups: list[str] = Field(
        default_factory=list, description="PIM groups (name or object ID) whose membership the package grants; "
                                          "their role assignments are eligible, so activation stays just in time.")
    groups: list[str] = Field(default_factory=list,
                              description="Other groups (name or object ID) the package grants membership of.")
    requestor_groups: list[str] = Field(
        default_factory=list, description="Groups whose members may request; empty means all member users.")
    duration_in_days: int = Field(180, ge=1, le=365, description="Assignments expire after this many days.")
    extension_enabled: bool = Field(False, description="Let assignees ask to extend before expiry.")
    manager_approval: bool = Field(True, description="First approval stage: the requestor's manager.")
    approver_group: Optional[str] = Field(
        None, description="Group (name or object ID) that approves in the second stage; required for critical.")
    approval_timeout_in_days: int = Field(7, ge=1, le=14, description="Requests not decided in time are denied.")
    justification_required: bool = Field(True, description="Requestors must say why they need the journey.")
    ticket_question: Optional[str] = Field(
        "Change or incident ticket number", description="Required question asked on request; null for none.")
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    requests_accepted: bool = Field(True, description="Accept new requests (set explicitly on every policy).")
    vendors: Optional[VendorAccess] = Field(None, description="Also let connected organisations' users request.")

    @model_validator(mode="after")
    def _approval(self):
        if not self.pim_groups and not self.groups:
            raise ValueError(f"journey {self.key!r} grants nothing; name pimGroups or groups")
        if self.tier == "critical" and not self.approver_group:
            raise ValueError(f"journey {self.key!r} is critical: name an approverGroup for the second approval stage")
        if not self.manager_approval and not self.approver_group:
            raise ValueError(f"journey {self.key!r} has no approval stage; keep managerApproval or name an approverGroup")
        return self

    def group_references(self) -> list[str]:
        """Every group reference the journey uses (granted, requestor, approver, reviewer groups)."""
        refs = [*self.pim_groups, *self.groups, *self.requestor_groups, *self.review.reviewer_groups]
        return refs + ([self.approver_group] if self.approver_group else [])


class AccessPackagesSettings(_Model):
    """The catalog of privileged journeys."""

    catalog_name: str = Field("Privileged access journeys", min_length=1, description="Catalog display name.")
    catalog_description: str = Field("Just-in-time privileged journeys managed as code", min_length=1)
    journeys: list[Journey] = Field(default_factory=list)

    @field_validator("journeys")
    @classmethod
    def _unique(cls, journeys: list[Journey]) -> list[Journey]:
        keys = [j.key for j in journeys]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"journey keys must be unique; {dupes} appear more than once")
        return journeys

    @property
    def externally_visible(self) -> bool:
        """External users can only request packages of a catalog enabled for external users."""
        return any(j.vendors for j in self.journeys)
