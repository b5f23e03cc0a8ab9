"""The secure defaults (product decisions, design section 3): what a short stack file and an unset policy get.

Every one is configurable: in the stack file (pim.defaults, per binding) and in the pack's config schema.
"""

from __future__ import annotations

MAX_ELIGIBILITY = "P180D"  # an eligibility must expire, at the latest after this
MAX_ACTIVATION = "PT8H"  # longest activation of a privileged role
CRITICAL_MAX_ACTIVATION = "PT1H"  # longest activation of a critical role (GA, PRA, PAA; Owner, UAA, RBAC Admin)
# Active assignments are never made as code; the shortest step the providers take keeps any made by hand short.
MAX_ACTIVE_ASSIGNMENT = "P15D"
JUSTIFICATION = "Managed as code by privileged-access (Pulumi)"  # on every eligibility the components request
