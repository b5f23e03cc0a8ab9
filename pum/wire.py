"""The engine's wire encoding of property values, and the two views pum derives from it.

The markers are the SDK's own (pulumi.runtime.rpc): one place, not copies.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_WIRE
from pulumi.runtime.rpc import _special_resource_sig as RESOURCE_SIG
from pulumi.runtime.rpc import _special_secret_sig as SECRET_SIG
from pulumi.runtime.rpc import _special_sig_key as SIG_KEY

SECRET_MARK = "[secret]"


class _Unknown:
    """A value that is unknown at preview (an ID or output not yet created)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def engine_value(value: Any) -> Any:
    """What the engine hands analyzers: resource references marshalled as their ID (or URN)."""
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_SIG:
            ident = value.get("id")
            return ident if ident not in (None, "") else value.get("urn")
        return {k: engine_value(v) for k, v in value.items()}
    return value


def report_value(value: Any) -> Any:
    """What a report shows: unknowns become UNKNOWN, secrets a mark, references their URN."""
    if isinstance(value, str):
        return UNKNOWN if value == UNKNOWN_WIRE else value
    if isinstance(value, list):
        return [report_value(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return SECRET_MARK
        if sig == RESOURCE_SIG:
            return value.get("urn")
        return {k: report_value(v) for k, v in value.items()}
    return value
