"""Prints the README's policy table from the pack itself (a test keeps the README in step).

Usage: .venv/bin/python tools/policy_table.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "policies"))

from pulumi_policy import StackValidationPolicy
from rules import POLICIES, WHEN_UNKNOWN


def table() -> str:
    rows = [
        "| policy | level | guarantees | when a deciding value is unknown at preview |",
        "| --- | --- | --- | --- |",
    ]
    for policy in POLICIES:
        kind = "stack" if isinstance(policy, StackValidationPolicy) else "resource"
        unknown = WHEN_UNKNOWN[policy.name]
        rows.append(
            f"| `{policy.name}` | {policy.enforcement_level.value} ({kind}) | {policy.description} | {unknown} |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
