"""AdministrativeUnits: the administrative units that scope delegated Entra roles (created or existing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread

from components.model import validate_as
from components.model.pim import AdministrativeUnit

TYPE = "privileged-access:index:AdministrativeUnits"


@dataclass(frozen=True, kw_only=True)
class AdministrativeUnitArgs:
    display_name: str | None = None
    """Create a unit with this name..."""
    object_id: str | None = None
    """...or use the existing unit with this object ID (exactly one of the two)."""
    description: str | None = None
    hidden_membership: bool = False


@dataclass(frozen=True, kw_only=True)
class AdministrativeUnitsArgs:
    units: Mapping[str, AdministrativeUnitArgs]
    """Unit key (role bindings' `scope`) -> the unit."""
    protect: bool = False
    """Protect created units from deletion (production tenants)."""


class AdministrativeUnits(pulumi.ComponentResource):
    """Administrative units by key: declared ones are created (protected in production), existing ones referenced.

    Members are not managed here (add users through dynamic rules or HR-driven processes). Outputs:
    `object_ids` (key -> object ID), for role assignments at `/administrativeUnits/{id}`.
    """

    object_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: AdministrativeUnitsArgs, opts: pulumi.ResourceOptions | None = None):
        for key, unit in args.units.items():
            validate_as(AdministrativeUnit, vars(unit), f"AdministrativeUnits {name!r}: unit {key!r}")
        super().__init__(TYPE, name, None, opts)
        self.units: dict[str, azuread.AdministrativeUnit] = {}
        self.object_ids = {}
        for key, unit in sorted(args.units.items()):
            if unit.object_id is not None:
                self.object_ids[key] = pulumi.Output.from_input(unit.object_id)
                continue
            self.units[key] = azuread.AdministrativeUnit(
                f"{name}-{key}",
                display_name=unit.display_name,
                description=unit.description,
                hidden_membership_enabled=unit.hidden_membership,
                prevent_duplicate_names=True,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.object_ids[key] = self.units[key].object_id
        self.register_outputs({"objectIds": self.object_ids})
