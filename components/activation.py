"""What the Entra and Azure JIT components share: how a role is activated (ActivationArgs) and the arguments
of an eligibility (JitArgs). The rules they must meet are the model's (components.model.pim), not copied here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Self

import pulumi
from privileged_facts import defaults as secure

from components import roles
from components.model import durations
from components.model.pim import activation_problems, is_key, lifetime_problem

COMPONENT_APPROVERS_FIX = "give approver_group_ids or approver_user_ids"


@dataclass(frozen=True, kw_only=True)
class ActivationArgs:
    """Activation settings; defaults are the safe ones (PT8H, MFA, justification)."""

    max_duration: str = secure.MAX_ACTIVATION
    require_mfa: bool = True
    authentication_context: str | None = None
    require_justification: bool = True
    require_ticket: bool = False
    require_approval: bool = False
    approver_group_ids: Sequence[pulumi.Input[str]] = ()
    approver_user_ids: Sequence[pulumi.Input[str]] = ()

    @classmethod
    def for_role(cls, critical: bool, **overrides) -> ActivationArgs:
        """The default for a role: critical roles get PT1H and approval (approvers still to be given)."""
        base = {"max_duration": secure.CRITICAL_MAX_ACTIVATION, "require_approval": True} if critical else {}
        return cls(**{**base, **overrides})

    def validated(self, where: str, role: roles.Role) -> ActivationArgs:
        """The model's activation rules (ValueError naming `where`, the field and the fix); self, canonical."""
        for name, _value, message in activation_problems(
            max_duration=self.max_duration,
            require_mfa=self.require_mfa,
            authentication_context=self.authentication_context,
            require_approval=self.require_approval,
            approvers=(*self.approver_group_ids, *self.approver_user_ids),
            role=role,
            approvers_fix=COMPONENT_APPROVERS_FIX,
        ):
            raise ValueError(f"{where}: activation.{name} {message}")
        return replace(self, max_duration=durations.activation_step(self.max_duration))

    def approvers(self) -> list[tuple[pulumi.Input[str], str]]:
        """(object ID, 'group' | 'user') for every approver, groups first."""
        return [(g, "group") for g in self.approver_group_ids] + [(u, "user") for u in self.approver_user_ids]


@dataclass(frozen=True, kw_only=True)
class JitArgs:
    """One role's time-bound eligibilities: who (key -> object ID), how long, how they activate."""

    role: str
    """Role name or ID (Entra: display name or template ID; Azure: name or definition GUID)."""
    eligible: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Principal key (names the eligibility resource) -> object ID."""
    activation: ActivationArgs | None = None
    """None: the secure default for the role (critical roles: PT1H and approval)."""
    eligibility_duration: str = secure.MAX_ELIGIBILITY
    eligibility_end_dates: Mapping[str, str] = field(default_factory=dict)
    """Principal key -> UTC end ('2030-01-31T00:00:00Z'): a declared start's end, or a leaver's last day."""
    eligibility_start: str | None = None
    """UTC start ('2030-01-01T00:00:00Z') of every eligibility: with its end date, the same on every run."""
    notification_recipients: Sequence[str] = ()
    justification: str = secure.JUSTIFICATION

    def _checked(self, where: str, role: roles.Role) -> Self:
        """Self with the activation and lifetime in canonical form, or ValueError naming `where` and the fix."""
        activation = (self.activation or ActivationArgs.for_role(role.critical)).validated(where, role)
        bad = sorted(k for k in self.eligible if not is_key(k))
        if bad:
            raise ValueError(
                f"{where}: eligible keys {bad} must be lower-case letters, digits and '-' (they name resources)"
            )
        stray = sorted(set(self.eligibility_end_dates) - set(self.eligible))
        if stray:
            raise ValueError(f"{where}: eligibility_end_dates names {stray}, which are not eligible principals")
        try:
            lifetime = durations.normalise(self.eligibility_duration)
        except ValueError as exc:
            raise ValueError(f"{where}: eligibility_duration {exc}") from None
        problem = lifetime_problem(lifetime)
        if problem:
            raise ValueError(f"{where}: eligibility_duration {problem}")
        return replace(self, activation=activation, eligibility_duration=lifetime)

    def checked_activation(self) -> ActivationArgs:
        """The activation of args returned by `_checked` (which always sets it)."""
        if self.activation is None:
            raise ValueError(f"{type(self).__name__}: activation is unset; use the args returned by _checked()")
        return self.activation
