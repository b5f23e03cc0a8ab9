"""The pack's policies: each area module exports POLICIES, listed here in the order the pack declares them, and
WHEN_UNKNOWN: for each policy, what it does when a deciding value is unknown at preview (the README's table)."""

from . import (
    access_packages,
    authentication_contexts,
    automation,
    conditional_access,
    credentials,
    dynamic_resources,
    expiry,
    journey_automation,
    key_vault,
    licences,
    monitoring,
    paw,
    pim,
    private_access,
)

_AREAS = (
    pim,
    expiry,
    conditional_access,
    authentication_contexts,
    paw,
    access_packages,
    journey_automation,
    private_access,
    automation,
    key_vault,
    credentials,
    dynamic_resources,
    monitoring,
    licences,
)
POLICIES = [policy for area in _AREAS for policy in area.POLICIES]
# Every policy has an entry (tests/test_catalog.py); the pack itself loads without one.
WHEN_UNKNOWN: dict[str, str] = {
    name: text for area in _AREAS for name, text in getattr(area, "WHEN_UNKNOWN", {}).items()
}
