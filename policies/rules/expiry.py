"""Eligibilities that end soon, or have ended (advisory): renewal is a reviewed change, never a surprise.

`pim-eligibility-expiring` reads each eligibility's end date where the plan fixes one (an end date, or a start and a
duration: the project's components declare both from `eligibilityStart`) and warns `eligibilityExpiryWarningDays`
(default 14) before it, so the renewal (a later `eligibilityStart`) is reviewed in time; an end already passed says
the eligibility has lapsed (Graph refuses to create it; the components leave a lapsed one out of the plan). The
clock is `rules.common.now()` (tests inject it). An eligibility that only has a duration, no start, ends whenever it
is created: it is not judged here (docs/existing-tenants.md, "Expiry without surprises").
"""

from __future__ import annotations

from datetime import timedelta

from privileged_facts.values import parse_datetime, parse_duration
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .common import PIM_PLAN, config_schema, is_type, label, meta, now, setting, verifying
from .pim import GROUP_ASSIGNMENT, lifetime

WARNING = {
    "eligibilityExpiryWarningDays": {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
        "default": 14,
        "description": "Warn this many days before an eligibility's fixed end date.",
    }
}


def end_of(resource_type: str, props) -> object | None:
    """The fixed end (a datetime) of an eligibility, or None (permanent, unknown, no start, not an eligibility)."""
    if is_type(resource_type, GROUP_ASSIGNMENT):
        return None
    life = lifetime(resource_type, props)
    if life is None or life.permanent or life.unknown:
        return None
    try:
        if life.end is not None:
            return parse_datetime(life.end, life.field)
        if life.duration is not None and life.start:
            return parse_datetime(life.start, "start") + parse_duration(life.duration, life.field)
    except ValueError:
        return None  # malformed: pim-eligibility-max-duration says so
    return None


@verifying
def _expiring(args, report) -> None:
    ends = end_of(args.resource_type, args.props)
    if ends is None:
        return
    moment, days = now(), int(setting(args, "eligibilityExpiryWarningDays", WARNING))
    shown = f"{ends:%Y-%m-%dT%H:%M:%SZ}"
    if ends <= moment:
        report(
            f"{label(args)} ended on {shown}: the eligibility has lapsed and is not renewed by itself. Renew it with a "
            "reviewed change (a later eligibilityStart in the stack file), or remove it."
        )
    elif ends - moment <= timedelta(days=days):
        left = (ends - moment).days
        report(
            f"{label(args)} ends on {shown} (in {left} day(s)). To keep it, renew it before then with a reviewed "
            "change: a later eligibilityStart in the stack file (a new end date); otherwise it lapses."
        )


POLICIES = [
    ResourceValidationPolicy(
        name="pim-eligibility-expiring",
        description="An eligibility with a fixed end date is renewed by a reviewed change before it ends "
        "(advisory: it warns before the end, and says when one has lapsed).",
        validate=_expiring,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema(own=WARNING),
        **meta(
            "low",
            "Set a later eligibilityStart (pim.defaults or the binding) in a pull request before the end date; "
            "remove the principal if the access is no longer needed.",
            PIM_PLAN,
            "Renew eligible assignments before they expire",
        ),
    ),
]

WHEN_UNKNOWN = {
    "pim-eligibility-expiring": "An unknown end, start or duration is not judged (no date to warn about); "
    "pim-eligibility-must-expire and pim-eligibility-max-duration judge the lifetime.",
}
