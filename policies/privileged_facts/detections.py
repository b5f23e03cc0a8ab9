"""The break-glass sign-in query: the one text the PrivilegedMonitoring component deploys and the only one the pack's
break-glass-sign-in-alerted accepts (for any set of the accounts' UPNs or object IDs). A query the pack cannot read
the meaning of cannot prove an alert fires; this one it can, because it is exactly this."""

from __future__ import annotations

import json
from collections.abc import Iterable

FRESH = "| where ingestion_time() > ago(5m)"


def kql_list(values: Iterable[str]) -> str:
    """A KQL dynamic array literal of strings (JSON string escaping is KQL's too)."""
    return "dynamic([" + ", ".join(json.dumps(v) for v in values) + "])"


def break_glass_query(names: Iterable[str]) -> str:
    """Every sign-in attempt, interactive or not, by the accounts `names` (UPNs or object IDs, matched
    case-insensitively against UserPrincipalName and UserId)."""
    listed = kql_list(sorted({n.strip().lower() for n in names}))
    return "\n".join(
        [
            f"let breakGlass = {listed};",
            "union SigninLogs, AADNonInteractiveUserSignInLogs",
            FRESH,
            "| where UserPrincipalName in~ (breakGlass) or UserId in~ (breakGlass)",
            "| project TimeGenerated, UserPrincipalName, UserId, ResultType, ResultDescription, IPAddress, "
            "AppDisplayName, ClientAppUsed, CorrelationId",
        ]
    )


def is_break_glass_query(query: str, strings: Iterable[str]) -> bool:
    """`query` is `break_glass_query` of its own string literals (whitespace aside)."""
    return " ".join(query.split()) == " ".join(break_glass_query(strings).split())
