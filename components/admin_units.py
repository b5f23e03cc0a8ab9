"""AdministrativeUnits: the administrative units that scope delegated Entra roles (created or existing)."""
from __future__ import annotations

from typing import Mapping, NotRequired, TypedDict

import pulumi
import pulumi_azuread as azuread

TYPE = "privileged-access:index:AdministrativeUnits"


class AdministrativeUnitArgs(TypedDict):
    display_name: NotRequired[str]
    """Create a unit with this name..."""
    object_id: NotRequired[str]
    """...or use the existing unit with this object ID (exactly one of the two)."""
    description: NotRequired[str]
    hidden_membership: NotRequired[bool]


class AdministrativeUnits(pulumi.ComponentResource):
    """Administrative units by key: declared ones are created (protected in production), existing ones referenced.

    Members are not managed here (add users through dynamic rules or HR-driven processes). Outputs:
    `object_ids` (key -> object ID), for role assignments at `/administrativeUnits/{id}`.
    """

    object_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, units: Mapping[str, AdministrativeUnitArgs], protect: bool = False,
                 opts: pulumi.ResourceOptions | None = None):
        for key, unit in units.items():
            if ("display_name" in unit) == ("object_id" in unit):
                raise ValueError(f"AdministrativeUnits {name!r}: unit {key!r} needs display_name or object_id, exactly one")
        super().__init__(TYPE, name, None, opts)
        self.units: dict[str, azuread.AdministrativeUnit] = {}
        self.object_ids = {}
        for key, unit in sorted(units.items()):
            if "object_id" in unit:
                self.object_ids[key] = pulumi.Output.from_input(unit["object_id"])
                continue
            self.units[key] = azuread.AdministrativeUnit(
                f"{name}-{key}", display_name=unit["display_name"], description=unit.get("description"),
                hidden_membership_enabled=unit.get("hidden_membership", False), prevent_duplicate_names=True,
                opts=pulumi.ResourceOptions(parent=self, protect=protect))
            self.object_ids[key] = self.units[key].object_id
        self.register_outputs({"objectIds": self.object_ids})
