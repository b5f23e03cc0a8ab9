"""`--format json`: the report contract of design §2, exactly."""

from __future__ import annotations

import json

from ..engine import UNKNOWN, Report
from .common import Context, Failure, resources, sorted_plain


def _plain(value):
    if value is UNKNOWN:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_dict(report: Report) -> dict:
    return {
        "project": report.project,
        "stack": report.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "custom": r.custom,
                "protect": r.protect,
                "inputs": sorted_plain(_plain(r.inputs)),
            }
            for r in resources(report)
        ],
        "violations": [
            {
                "policyPack": v.policy_pack,
                "policy": v.policy,
                "enforcementLevel": v.enforcement_level,
                "severity": v.severity,
                "urn": v.urn,
                "message": v.message,
            }
            for v in report.violations
        ],
        "summary": {
            "resources": len(report.resources),
            "mandatory": len(report.mandatory),
            "advisory": len(report.advisory),
        },
    }


def failure_dict(failure: Failure) -> dict:
    """A failed run: no plan, and `error` says what happened (additive to the contract)."""
    return {
        "project": failure.project,
        "stack": failure.stack,
        "resources": [],
        "violations": [],
        "summary": {"resources": 0, "mandatory": 0, "advisory": 0},
        "error": {"kind": failure.kind, "message": failure.message},
    }


def render(report: Report, context: Context | None = None) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"


def render_error(failure: Failure, context: Context) -> str:
    return json.dumps(failure_dict(failure), indent=2) + "\n"
