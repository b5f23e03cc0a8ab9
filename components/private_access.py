"""Entra Private Access apps as a component over the Graph `PrivateAccessApplication` resource.

The azuread provider has no Private Access resources (hashicorp/terraform-provider-azuread#1548);
`components.graph.private_access.PrivateAccessApplication` creates the app from the Custom
template, publishes it for the ZTNA client, sets its segments and connector group and assigns it
to groups. This component adds the model: one app per target, groups by name or object ID, and
the appId as a small typed output so conditional access can target the app.
"""
from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_azuread as azuread

from .access_packages import resolve_group
from .graph.private_access import PrivateAccessApplication
from .model.private_access import PrivateAccessAppSettings, PrivateAccessSettings

TYPE = "privileged-access:index:PrivateAccessApp"
PHISHING_RESISTANT_STRENGTH = "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"


def _output(resource: pulumi.Resource, snake: str, camel: str) -> pulumi.Output:
    """A dynamic resource's output: pulumi sets dynamic outputs under their wire (camelCase) names
    unless the class translates them, so accept either."""
    value = getattr(resource, snake, None)
    return value if isinstance(value, pulumi.Output) else getattr(resource, camel)


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

    def __init__(self, name: str, settings: PrivateAccessAppSettings,
                 groups: Optional[Mapping[str, pulumi.Input[str]]] = None,
                 opts: Optional[pulumi.ResourceOptions] = None, *,
                 excluded_user_ids: Optional[pulumi.Input[list]] = None):
        super().__init__(TYPE, name, None, opts)
        groups = dict(groups or {})
        where = f"privateAccess.apps[{settings.key}]"
        assigned = [resolve_group(ref, groups, where) for ref in settings.assigned_groups]
        self.application = PrivateAccessApplication(
            f"{name}-app", display_name=settings.display_name, segments=[s.wire() for s in settings.segments],
            connector_group_id=settings.connector_group_id, assigned_group_ids=assigned,
            application_type=settings.application_type, opts=pulumi.ResourceOptions(parent=self))
        self.app_id = _output(self.application, "app_id", "appId")
        self.object_id = _output(self.application, "object_id", "objectId")
        self.service_principal_id = _output(self.application, "service_principal_id", "servicePrincipalId")
        self.conditional_access = None
        if settings.require_compliant_device:
            self.conditional_access = azuread.ConditionalAccessPolicy(
                f"{name}-ca", display_name=f"PUM-PA {settings.display_name}: compliant device and phishing-resistant MFA",
                state="enabled",
                conditions={"client_app_types": ["all"],
                            "applications": {"included_applications": [self.app_id]},
                            "users": {"included_groups": assigned, "excluded_users": excluded_user_ids or []}},
                grant_controls={"operator": "AND", "built_in_controls": ["compliantDevice"],
                                "authentication_strength_policy_id": PHISHING_RESISTANT_STRENGTH},
                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"appId": self.app_id, "objectId": self.object_id,
                               "servicePrincipalId": self.service_principal_id})


def build_private_access(name: str, settings: PrivateAccessSettings,
                         groups: Optional[Mapping[str, pulumi.Input[str]]] = None,
                         opts: Optional[pulumi.ResourceOptions] = None, *,
                         excluded_user_ids: Optional[pulumi.Input[list]] = None) -> dict[str, PrivateAccessApp]:
    """One `PrivateAccessApp` per declared app, keyed by the app's key (names `<name>-<key>`)."""
    return {app.key: PrivateAccessApp(f"{name}-{app.key}", app, groups, opts, excluded_user_ids=excluded_user_ids)
            for app in settings.apps}
