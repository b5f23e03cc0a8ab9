"""How the project reads values: the unknown marker, GUIDs, ISO 8601 durations and date-times.

One spelling each, for the model, the components, the Graph providers and the policy pack. Standard library
only: the pack runs with just pulumi-policy installed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

# --- values not known at preview ----------------------------------------------------------------------

UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown on the wire (also pulumi-policy's string)
# pulumi-policy hands a policy one sentinel per type for a value unknown at preview (pulumi_policy.proxy).
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_WIRE,  # string
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    }
)


class _Unknown:
    """A value not known at preview (an ID or output of a resource not yet created). Falsy, and one object."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    """True for the marker, any of the engine's unknown sentinels, and the SDK's `Unknown` (dynamic providers)."""
    if value is UNKNOWN:
        return True
    if isinstance(value, str):
        return value in UNKNOWN_SENTINELS
    return type(value).__name__ == "Unknown" and type(value).__module__.startswith("pulumi")


# --- GUIDs --------------------------------------------------------------------------------------------

GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_GUID = re.compile(GUID_PATTERN)


def is_guid(value: Any) -> bool:
    """A GUID in its 8-4-4-4-12 form, either case (an object ID, a role template ID, an app ID)."""
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


def guid_in(value: Any) -> str | None:
    """The GUID (lower case) that `value` is or ends with as its last path segment (an ARM ID); else None."""
    if not isinstance(value, str):
        return None
    tail = value.strip().rstrip("/").rsplit("/", 1)[-1]
    return tail.lower() if is_guid(tail) else None


# --- ISO 8601 durations -------------------------------------------------------------------------------

_DURATION = re.compile(
    r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_DURATION_LIMIT = timedelta(days=100 * 365)  # longer than anything PIM takes; bounds what a value can ask for


def parse_duration(value: object, field: str = "duration", *, positive: bool = False) -> timedelta:
    """'P180D', 'PT8H', 'P1Y', 'PT30M', 'P2W' -> timedelta (a year counts 365 days, a month 30).

    Anything else raises ValueError naming the field and the expected form (never the value: it may be a
    secret); so does a zero
    duration when `positive`, and one beyond a century (no PIM duration comes near it).
    """
    match = _DURATION.fullmatch(value.strip().upper()) if isinstance(value, str) and len(value) < 64 else None
    if not match:
        raise ValueError(f"{field} is not an ISO 8601 duration; use a form like 'P180D', 'PT8H', 'P1Y' or 'PT30M'")
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    days += years * 365 + months * 30 + weeks * 7
    if days + hours / 24 + minutes / 1440 + seconds / 86400 > _DURATION_LIMIT.days:  # PT999...H too
        raise ValueError(f"{field} is longer than a century; give a duration PIM accepts, like 'P180D'")
    result = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if positive and result <= timedelta(0):
        raise ValueError(f"{field} is zero; give a positive duration such as 'PT1H'")
    return result


def format_duration(value: timedelta) -> str:
    """The canonical form of a whole number of minutes: whole days as 'P180D', anything else as 'PT2H30M'."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"P{minutes // (24 * 60)}D"
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


def duration_exceeds(value: object, maximum: object, field: str = "duration") -> bool:
    """True when duration `value` is longer than duration `maximum`."""
    return parse_duration(value, field) > parse_duration(maximum, "maximum")


# --- ISO 8601 date-times ------------------------------------------------------------------------------


def parse_datetime(value: object, field: str = "date", *, require_offset: bool = False) -> datetime:
    """RFC 3339 / ISO 8601 date-time (or date) -> aware UTC datetime; junk raises a clear ValueError.

    Without an offset the value is read as UTC, unless `require_offset` (what Graph wants) refuses it.
    """
    parsed = None
    if isinstance(value, str) and len(value) < 64:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None or (require_offset and parsed.tzinfo is None):
        example = "'2026-12-31T00:00:00Z'"
        raise ValueError(
            f"{field} is not an ISO 8601 {'UTC ' if require_offset else ''}date-time; use a form like {example}"
        )
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_iso(value: datetime) -> str:
    """A date-time as Graph writes it: '2026-12-31T00:00:00Z'."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
