"""Eligibility end dates that do not move: computed from a declared start and the lifetime, never from "now".

With ``pim.defaults.eligibilityStart`` (or a binding's own) every eligibility of a binding starts at 00:00 UTC that
day and ends at start + eligibilityLifetime (or at a leaver's last day, if sooner). The inputs are then the same on
every run, whatever the clock says, so there is no false drift and no churn. The clock decides one thing only: an
eligibility whose end has passed is *lapsed*, and the stack leaves it out instead of asking for it again, so it is
never silently re-created for a new lifetime; the plan warns, and renewal is a reviewed change of the start date.
"""

from __future__ import annotations

import datetime as dt


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def end(start: dt.date, lifetime: dt.timedelta, leaving: dt.date | None = None) -> dt.datetime:
    """When an eligibility starting on ``start`` ends: start + lifetime, or the day after ``leaving`` if sooner."""
    ends = midnight(start) + lifetime
    if leaving is not None:
        ends = min(ends, midnight(leaving) + dt.timedelta(days=1))
    return ends


def lapsed(ends: dt.datetime, today: dt.date) -> bool:
    """True once the end has passed (an end at 00:00 today has)."""
    return ends <= midnight(today)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lapsed_message(where: str, key: str, ends: dt.datetime) -> str:
    return (
        f"{where}: the eligibility of {key!r} lapsed on {utc(ends)} and is not re-created; to renew it, set a later "
        "eligibilityStart (a reviewed change), or remove the principal"
    )
