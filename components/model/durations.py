"""ISO 8601 durations as PIM takes them, over the one parser (privileged_facts.values): normalise, and map a
value to the steps the providers accept (eligibility expiry, activation maximum)."""

from __future__ import annotations

from datetime import timedelta

from privileged_facts.values import format_duration, parse_duration

# What the stack file may write (days, hours, minutes); the schema carries it, so it stays as it is.
DURATION_PATTERN = r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$"

# GroupRoleManagementPolicy's expire_after accepts only these (pulumi-azuread 6.11.1).
EXPIRE_AFTER_STEPS = ("P15D", "P30D", "P90D", "P180D", "P365D")


def parse(text: str) -> timedelta:
    """'PT2H' -> 2 hours. ValueError (with the allowed form) for anything else, including zero."""
    try:
        return parse_duration(text, "duration", positive=True)
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("duration: ")) from None


def normalise(text: str) -> str:
    return format_duration(parse(text))


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
        raise ValueError(
            f"{text!r} is not an activation duration PIM accepts; use PT30M to PT23H30M "
            "in 30-minute steps, e.g. PT1H or PT2H"
        )
    return format_duration(value)
