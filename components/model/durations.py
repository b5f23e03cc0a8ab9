"""ISO 8601 durations as PIM uses them (days, hours, minutes): parse, normalise, map to the provider's steps."""
from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
DURATION_PATTERN = _DURATION.pattern

# GroupRoleManagementPolicy's expire_after accepts only these (pulumi-azuread 6.11.1).
EXPIRE_AFTER_STEPS = ("P15D", "P30D", "P90D", "P180D", "P365D")


def parse(text: str) -> timedelta:
    """'PT2H' -> 2 hours. ValueError (with the allowed form) for anything else, including zero."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration; write days/hours/minutes like P180D, PT8H or PT30M")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes)
    if value <= timedelta(0):
        raise ValueError(f"{text!r} is zero; give a positive duration such as PT1H")
    return value


def format(value: timedelta) -> str:
    """The canonical form: whole days as 'P180D', anything else as 'PT2H30M'."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"P{minutes // (24 * 60)}D"
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


def normalise(text: str) -> str:
    return format(parse(text))


def expire_after(lifetime: str) -> str:
    """The smallest provider step that holds `lifetime` (P60D -> P90D); ValueError beyond P365D."""
    wanted = parse(lifetime)
    for step in EXPIRE_AFTER_STEPS:
        if wanted <= parse(step):
            return step
    raise ValueError(f"{lifetime!r} is longer than PIM allows for an assignment; use at most P365D")


def activation_step(text: str) -> str:
    """Validate an activation maximum as PIM for Groups takes it: PT30M..PT23H30M in 30-minute steps."""
    value = parse(text)
    minutes = int(value.total_seconds() // 60)
    if minutes % 30 or not 30 <= minutes <= 23 * 60 + 30:
        raise ValueError(f"{text!r} is not an activation duration PIM accepts; use PT30M to PT23H30M "
                         "in 30-minute steps, e.g. PT1H or PT2H")
    return format(value)
