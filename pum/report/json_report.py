"""`--format json`: the report contract of design §2, exactly."""

from __future__ import annotations

import json

from ..engine import UNKNOWN, Report


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
                "inputs": _plain(r.inputs),
            }
            for r in report.resources
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


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"
