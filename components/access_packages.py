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
(sponsor approval, shorter expiry, reviewed by sponsors).

Known provider limits: the provider cannot declare custom extension stages (Logic Apps on grant
and removal) or Verified ID requirements; the model refuses them rather than ignore them. The
provider models requestors with the legacy `scope_type` values. hashicorp/terraform-provider-azuread
#1894 reports a perpetual diff on `requestorManager` approvers; if it shows, it is cosmetic.
"""
from __future__ import annotations

import re
from typing import Mapping, Optional

import pulumi
import pulumi_azuread as azuread

from .model.access_packages import AccessPackagesSettings, Journey, is_object_id

TYPE = "privileged-access:index:AccessPackageJourneys"


class UnknownGroupError(ValueError):
    pass


def resolve_group(reference: str, groups: Mapping[str, pulumi.Input[str]], where: str) -> pulumi.Input[str]:
    """An object ID as is, or the object ID of a group the stack declares under that name."""
    if is_object_id(reference):
        return reference
    if reference in groups:
        return groups[reference]
    known = ", ".join(sorted(groups)) or "none"
    raise UnknownGroupError(f"{where}: group {reference!r} is neither an object ID nor a group the stack "
                            f"declares (known: {known})")


def slug(reference: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reference.lower()).strip("-")


def _group_subjects(refs, groups, where, **extra) -> list[dict]:
    return [{"subject_type": "groupMembers", "object_id": resolve_group(r, groups, where), **extra} for r in refs]


def _approval(journey: Journey, groups, first_stage: list[dict], where: str) -> dict:
    """Stage 1: `first_stage` approvers (the approver group as backup); stage 2 (critical): the group."""
    approver = ([{"subject_type": "groupMembers", "object_id": resolve_group(journey.approver_group, groups, where)}]
                if journey.approver_group else [])
    stages = []
    if first_stage:
        stages.append({"approval_timeout_in_days": journey.approval_timeout_in_days,
                       "approver_justification_required": True,
                       "primary_approvers": first_stage + [{**a, "backup": True} for a in approver]})
    if approver and (journey.tier == "critical" or not first_stage):
        stages.append({"approval_timeout_in_days": journey.approval_timeout_in_days,
                       "approver_justification_required": True, "primary_approvers": approver})
    return {"approval_required": True, "approval_required_for_extension": True,
            "requestor_justification_required": journey.justification_required, "approval_stages": stages}


def _questions(journey: Journey) -> Optional[list[dict]]:
    if not journey.ticket_question:
        return None
    return [{"required": True, "sequence": 1, "text": {"default_text": journey.ticket_question}}]


def _review(journey: Journey, groups, where: str, reviewers: Optional[list[dict]] = None) -> dict:
    review = journey.review
    settings = {"enabled": review.enabled, "review_frequency": review.frequency,
                "duration_in_days": review.duration_in_days,
                "access_review_timeout_behavior": review.timeout_behavior,
                "access_recommendation_enabled": True, "approver_justification_required": True}
    if reviewers is not None:
        return {**settings, "review_type": "Reviewers", "reviewers": reviewers}
    settings["review_type"] = review.review_type
    if review.review_type == "Reviewers":
        settings["reviewers"] = _group_subjects(review.reviewer_groups, groups, where)
    return settings


class AccessPackageJourneys(pulumi.ComponentResource):
    """A catalog of privileged journeys, one access package per journey.

    Guarantees: every assignment expires (`duration_in_days`); every request needs approval (the
    manager, then the approver group for critical journeys), a justification and the ticket
    question; assignments are reviewed on a schedule and removed when reviewers do not answer;
    requests are accepted only as declared; PIM groups are granted as members only (eligibility
    comes from the group's eligible role assignments), never as owners; vendors of connected
    organisations request through their own policy with sponsor approval. Groups are given by
    object ID or by the name the stack declares them under (`groups`).

    Outputs: `catalog_id`, `access_package_ids` ({journey key: access package ID}).
    """

    catalog_id: pulumi.Output[str]
    access_package_ids: pulumi.Output[dict]

    def __init__(self, name: str, settings: AccessPackagesSettings,
                 groups: Optional[Mapping[str, pulumi.Input[str]]] = None,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        groups = dict(groups or {})
        for journey in settings.journeys:  # fail before declaring anything
            for ref in journey.group_references():
                resolve_group(ref, groups, f"accessPackages.journeys[{journey.key}]")
        child = pulumi.ResourceOptions(parent=self)

        self.catalog = azuread.AccessPackageCatalog(
            f"{name}-catalog", display_name=settings.catalog_name, description=settings.catalog_description,
            externally_visible=settings.externally_visible, published=True, opts=child)

        self.resources: dict[str, azuread.AccessPackageResourceCatalogAssociation] = {}
        for journey in settings.journeys:
            for ref in [*journey.pim_groups, *journey.groups]:
                if ref not in self.resources:
                    self.resources[ref] = azuread.AccessPackageResourceCatalogAssociation(
                        f"{name}-resource-{slug(ref)}", catalog_id=self.catalog.id,
                        resource_origin_id=resolve_group(ref, groups, "accessPackages"),
                        resource_origin_system="AadGroup", opts=child)

        self.packages: dict[str, azuread.AccessPackage] = {}
        self.grants: dict[str, list[azuread.AccessPackageResourcePackageAssociation]] = {}
        self.policies: dict[str, azuread.AccessPackageAssignmentPolicy] = {}
        self.vendor_policies: dict[str, azuread.AccessPackageAssignmentPolicy] = {}
        for journey in settings.journeys:
            self._journey(name, journey, groups, child)

        self.catalog_id = self.catalog.id
        self.access_package_ids = pulumi.Output.all(**{k: p.id for k, p in self.packages.items()}) \
            if self.packages else pulumi.Output.from_input({})
        self.register_outputs({"catalogId": self.catalog_id, "accessPackageIds": self.access_package_ids})

    def _journey(self, name: str, journey: Journey, groups, child: pulumi.ResourceOptions) -> None:
        where = f"accessPackages.journeys[{journey.key}]"
        base = f"{name}-{journey.key}"
        package = azuread.AccessPackage(base, catalog_id=self.catalog.id, display_name=journey.display_name,
                                        description=journey.description, hidden=False, opts=child)
        self.packages[journey.key] = package
        self.grants[journey.key] = [
            azuread.AccessPackageResourcePackageAssociation(
                f"{base}-{slug(ref)}", access_package_id=package.id,
                catalog_resource_association_id=self.resources[ref].id, access_type="Member", opts=child)
            for ref in [*journey.pim_groups, *journey.groups]]

        if journey.requestor_groups:
            requestors = {"scope_type": "SpecificDirectorySubjects",
                          "requestors": _group_subjects(journey.requestor_groups, groups, where)}
        else:
            requestors = {"scope_type": "AllExistingDirectoryMemberUsers"}
        first = [{"subject_type": "requestorManager"}] if journey.manager_approval else []
        self.policies[journey.key] = azuread.AccessPackageAssignmentPolicy(
            f"{base}-members", access_package_id=package.id,
            display_name=f"{journey.display_name}: members", description=f"Request {journey.display_name} "
            f"(expires after {journey.duration_in_days} days, approval and review required)",
            duration_in_days=journey.duration_in_days, extension_enabled=journey.extension_enabled,
            requestor_settings={"requests_accepted": journey.requests_accepted, **requestors},
            approval_settings=_approval(journey, groups, first, where),
            assignment_review_settings=_review(journey, groups, where),
            questions=_questions(journey), opts=child)

        vendors = journey.vendors
        if vendors is None:
            return
        sponsors = [{"subject_type": vendors.sponsor}]
        self.vendor_policies[journey.key] = azuread.AccessPackageAssignmentPolicy(
            f"{base}-vendors", access_package_id=package.id,
            display_name=f"{journey.display_name}: vendors",
            description=f"Vendors of connected organisations request {journey.display_name} "
                        f"(sponsor approval, expires after {vendors.duration_in_days} days)",
            duration_in_days=vendors.duration_in_days, extension_enabled=False,
            requestor_settings={"requests_accepted": journey.requests_accepted,
                                "scope_type": "SpecificConnectedOrganizationSubjects",
                                "requestors": [{"subject_type": "connectedOrganizationMembers", "object_id": org}
                                               for org in vendors.connected_organization_ids]},
            approval_settings=_approval(journey, groups, sponsors, where),
            assignment_review_settings=_review(journey, groups, where, reviewers=sponsors),
            questions=_questions(journey), opts=child)
