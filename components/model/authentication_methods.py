"""Stack model for the authentication methods onboarding relies on: `privileged-access:authenticationMethods`.

The secondary admin accounts are passwordless: a one-time, short-lived Temporary Access Pass (issued at onboarding by
the journey automation, never by Pulumi) lets the person register a passkey. This area declares the tenant's TAP
policy: enabled only for a group of the admin accounts the stack declares (never all users), one-time passes, short
lifetimes (docs/passwordless-onboarding.md). Lifetimes are ISO 8601 durations like every other duration in the stack
file (PT1H); Graph takes whole minutes from 10 to 43200 (30 days), and this model keeps them at most PT8H.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from . import durations
from .scalars import Bool, Int

MIN_LIFETIME = timedelta(minutes=10)  # Graph's documented lower bound
MAX_LIFETIME = timedelta(hours=8)  # this project's bound (Graph allows 30 days): a pass is for one sitting


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class TemporaryAccessPassSettings(_Model):
    """The tenant's Temporary Access Pass method, scoped to the admin accounts."""

    enabled: Bool = Field(
        True, description="Declare the TAP policy (false: the stack leaves the tenant's TAP configuration alone)."
    )
    group_display_name: str = Field(
        "Admin accounts: Temporary Access Pass",
        min_length=1,
        max_length=256,
        description="The security group of the stack's admin accounts (not the people who left): the only "
        "principals the TAP method is enabled for.",
    )
    default_lifetime: str = Field(
        "PT1H", pattern=durations.DURATION_PATTERN, description="Lifetime of a pass issued without one (PT10M..PT8H)."
    )
    minimum_lifetime: str = Field("PT10M", pattern=durations.DURATION_PATTERN, description="Shortest pass allowed.")
    maximum_lifetime: str = Field(
        "PT1H", pattern=durations.DURATION_PATTERN, description="Longest pass allowed (at most PT8H)."
    )
    length: Int = Field(16, ge=8, le=48, description="Characters in a pass (Graph: 8 to 48).")

    @field_validator("default_lifetime", "minimum_lifetime", "maximum_lifetime")
    @classmethod
    def _lifetime(cls, value: str) -> str:
        span = durations.parse(value)
        if span.total_seconds() % 60 or not MIN_LIFETIME <= span <= MAX_LIFETIME:
            raise ValueError(f"{value!r} is outside what a pass may last here; use whole minutes from PT10M to PT8H")
        return durations.normalise(value)

    @model_validator(mode="after")
    def _ordered(self) -> TemporaryAccessPassSettings:
        spans = (self.minimum_lifetime, self.default_lifetime, self.maximum_lifetime)
        low, default, high = (durations.parse(v) for v in spans)
        if not low <= default <= high:
            raise ValueError(
                f"defaultLifetime {self.default_lifetime} must lie between minimumLifetime {self.minimum_lifetime} "
                f"and maximumLifetime {self.maximum_lifetime}"
            )
        return self

    def minutes(self, which: str) -> int:
        """A lifetime in whole minutes, as Graph takes it."""
        return int(durations.parse(getattr(self, which)).total_seconds() // 60)


class AuthenticationMethodsSettings(_Model):
    """Authentication methods the stack configures for the tenant."""

    temporary_access_pass: TemporaryAccessPassSettings = Field(default_factory=TemporaryAccessPassSettings)


def tap_issues(model) -> list:
    """The pass the onboarding automation issues must be one the tenant's TAP policy accepts: Graph refuses a
    lifetime outside the policy's minimum..maximum, and the new starter would be left without a way in."""
    from .errors import Issue

    methods = model.authentication_methods
    tap = methods.temporary_access_pass if methods else None
    automation = getattr(model.access_packages, "automation", None) if model.access_packages else None
    minutes = getattr(automation, "temporary_access_pass_minutes", None)
    if tap is None or not tap.enabled or not isinstance(minutes, int):
        return []
    low, high = tap.minutes("minimum_lifetime"), tap.minutes("maximum_lifetime")
    if low <= minutes <= high:
        return []
    return [
        Issue(
            ("accessPackages", "automation", "temporaryAccessPassMinutes"),
            minutes,
            f"the onboarding pass must last between the TAP policy's minimumLifetime and maximumLifetime "
            f"(authenticationMethods.temporaryAccessPass: {low} to {high} minutes), or Graph refuses to issue it; "
            "change one of the two",
        )
    ]
