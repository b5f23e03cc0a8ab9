"""How a role is activated, shared by the Entra and Azure JIT components (secure defaults, validated)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import pulumi

from components.model import durations

CRITICAL_MAX_DURATION = "PT1H"


@dataclass(frozen=True)
class ActivationRules:
    """Activation settings; defaults are the safe ones (PT8H, MFA, justification)."""

    max_duration: str = "PT8H"
    require_mfa: bool = True
    authentication_context: str | None = None
    require_justification: bool = True
    require_ticket: bool = False
    require_approval: bool = False
    approver_group_ids: Sequence[pulumi.Input[str]] = ()
    approver_user_ids: Sequence[pulumi.Input[str]] = ()

    @classmethod
    def for_role(cls, critical: bool, **overrides) -> "ActivationRules":
        """The default for a role: critical roles get PT1H and approval (approvers still to be given)."""
        base = {"max_duration": CRITICAL_MAX_DURATION, "require_approval": True} if critical else {}
        return cls(**{**base, **overrides})

    def validated(self, where: str) -> "ActivationRules":
        """Raise ValueError naming `where`, the field and the fix; return self with a canonical duration."""
        try:
            canonical = durations.activation_step(self.max_duration)
        except ValueError as exc:
            raise ValueError(f"{where}: max_duration {exc}") from None
        if self.require_mfa and self.authentication_context:
            raise ValueError(f"{where}: give require_mfa or authentication_context ({self.authentication_context!r}), "
                             "not both; PIM takes one or the other")
        if not self.require_mfa and not self.authentication_context:
            raise ValueError(f"{where}: activation without MFA or an authentication context is not allowed; "
                             "keep require_mfa=True or give authentication_context='c1'")
        if self.require_approval and not (self.approver_group_ids or self.approver_user_ids):
            raise ValueError(f"{where}: require_approval needs at least one approver; give approver_group_ids "
                             "or approver_user_ids")
        return replace(self, max_duration=canonical)

    def approvers(self) -> list[tuple[pulumi.Input[str], str]]:
        """(object ID, 'group' | 'user') for every approver, groups first."""
        return [(g, "group") for g in self.approver_group_ids] + [(u, "user") for u in self.approver_user_ids]

