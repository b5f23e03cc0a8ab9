"""Stack model for Lifecycle Workflows: `privileged-access:lifecycle`.

The leaver workflow strips a departing admin's access on their `employeeLeaveDateTime`: it removes
ALL access package assignments (so every journey ends), removes the user from all groups, and
disables the account. It runs for the users its scope rule selects; by default the admin accounts
this toolkit creates, which carry `employeeType` "Privileged admin account" (set by
PrivilegedAccounts). The azuread provider cannot set `employeeLeaveDateTime`: HR provisioning (or
an HR-driven Graph update) must set it on the admin account too, or the workflow never fires; the
stack's own backstop is `principals.people.<key>.leavingDate`, which disables the account and
drops its eligibility on the first deployment after that day.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .scalars import Bool, Int

ADMIN_EMPLOYEE_TYPE = "Privileged admin account"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class LeaverSettings(_Model):
    """The leaver workflow (Lifecycle Workflows, category leaver, trigger employeeLeaveDateTime)."""

    display_name: str = Field("PUM leaver: remove admin access", min_length=1, max_length=256)
    scope_rule: str = Field(
        f"(employeeType eq '{ADMIN_EMPLOYEE_TYPE}')",
        min_length=1,
        description="Lifecycle Workflows rule selecting the users the workflow runs for.",
    )
    offset_in_days: Int = Field(0, ge=-180, le=180, description="Days after employeeLeaveDateTime (0: that day).")
    enabled: Bool = Field(True, description="Enabled and scheduled (runs on its own every few hours).")


class LifecycleSettings(_Model):
    """`privileged-access:lifecycle`: joiner/mover/leaver automation for admin accounts."""

    leaver: LeaverSettings | None = Field(
        default_factory=LeaverSettings, description="The leaver workflow; null to not manage one."
    )
