"""LicencesHeld: the licences the stack file says the tenant holds, for the pack to compare with the plan."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from privileged_facts.conventions import LICENCES_TYPE


class LicencesHeld(pulumi.ComponentResource):
    """Declares no cloud resource: it takes `held` (licence key -> seats, docs/licences.md) as its input and
    registers it as its output, which the pack's stack policy licences-cover-plan reads (stack policies see a
    component's registered outputs) to report where the plan needs more than the tenant holds."""

    def __init__(self, name: str, held: Mapping[str, int], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LICENCES_TYPE, name, {"held": dict(held)}, opts)
        self.held = dict(held)
        self.register_outputs({"held": self.held})
