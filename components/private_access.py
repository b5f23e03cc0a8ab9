"""Entra Private Access apps as a component over the Graph `PrivateAccessApplication` resource.

The azuread provider has no Private Access resources (hashicorp/terraform-provider-azuread#1548);
`components.graph.private_access.PrivateAccessApplication` creates the app from the Custom
template, publishes it for the ZTNA client, sets its segments and connector group and assigns it
to groups. This component adds the app's own conditional access policy and the appId as a small typed
output so conditional access can target the app; components/stack.py maps the model's apps to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread
from privileged_facts.apps import BUILTIN_PHISHING_RESISTANT_STRENGTH

from .conditional_access import STRENGTH_PATH
from .graph.private_access import PrivateAccessApplication

TYPE = "privileged-access:index:PrivateAccessApp"
PHISHING_RESISTANT_STRENGTH = STRENGTH_PATH + BUILTIN_PHISHING_RESISTANT_STRENGTH


def _output(resource: pulumi.Resource, snake: str, camel: str) -> pulumi.Output:
    """A dynamic resource's output: pulumi sets dynamic outputs under their wire (camelCase) names
    unless the class translates them, so accept either."""
    value = getattr(resource, snake, None)
    return value if isinstance(value, pulumi.Output) else getattr(resource, camel)


@dataclass(frozen=True, kw_only=True)
class PrivateAccessAppArgs:
    """The arguments of a PrivateAccessApp (components/stack.py maps the model's privateAccess.apps)."""

    display_name: str
    segments: Sequence[Mapping[str, object]]
    """Application segments as Graph writes them ({destinationHost, destinationType, ports, protocol})."""
    connector_group_id: str
    assigned_group_ids: Sequence[pulumi.Input[str]]
    """Object IDs of the groups assigned to the app (never everyone)."""
    application_type: str = "nonwebapp"
    require_compliant_device: bool = True
    """Declare the app's CA policy (compliant device and phishing-resistant MFA for its groups)."""
    excluded_user_ids: pulumi.Input[list] | None = None
    """Left out of the app's CA policy: the break-glass accounts."""


class PrivateAccessApp(pulumi.ComponentResource):
    """One Entra Private Access app for one target (e.g. SSH to the Linux subnet).

    Guarantees: only the declared segments (never catch-all: the model refuses `*`, 0.0.0.0/0 and
    all ports), a dedicated connector group, assignment to the named groups only (never all users),
    and (unless `require_compliant_device` is off) an enabled conditional access policy on the app's
    appId requiring a compliant device AND phishing-resistant MFA for the assigned groups, with the
    break-glass accounts (`excluded_user_ids`) left out.
    Outputs: `app_id` (target it with conditional access), `object_id`, `service_principal_id`.
    """

    app_id: pulumi.Output[str]
    object_id: pulumi.Output[str]
    service_principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateAccessAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE, name, None, opts)
        assigned = list(args.assigned_group_ids)
        self.application = PrivateAccessApplication(
            f"{name}-app",
            display_name=args.display_name,
            segments=[dict(s) for s in args.segments],
            connector_group_id=args.connector_group_id,
            assigned_group_ids=assigned,
            application_type=args.application_type,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.app_id = _output(self.application, "app_id", "appId")
        self.object_id = _output(self.application, "object_id", "objectId")
        self.service_principal_id = _output(self.application, "service_principal_id", "servicePrincipalId")
        self.conditional_access = None
        if args.require_compliant_device:
            self.conditional_access = azuread.ConditionalAccessPolicy(
                f"{name}-ca",
                display_name=f"PUM-PA {args.display_name}: compliant device and phishing-resistant MFA",
                state="enabled",
                conditions={
                    "client_app_types": ["all"],
                    "applications": {"included_applications": [self.app_id]},
                    "users": {"included_groups": assigned, "excluded_users": args.excluded_user_ids or []},
                },
                grant_controls={
                    "operator": "AND",
                    "built_in_controls": ["compliantDevice"],
                    "authentication_strength_policy_id": PHISHING_RESISTANT_STRENGTH,
                },
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {"appId": self.app_id, "objectId": self.object_id, "servicePrincipalId": self.service_principal_id}
        )
