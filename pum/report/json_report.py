"""`--format json`: the report contract of design §2, with its additive keys.

FORMAT_VERSION is the report's own version: its minor number grows with each additive key (1.1: `formatVersion`,
`pumVersion`, `policyPacks`, a violation's `description`, `detail` and `location`, a failed run's `error`; 1.2:
`licences`; 1.3: `drift` and `audit`, filled by `pum audit`)."""

from __future__ import annotations

import json

from ..engine import UNKNOWN, Report
from . import drift as drift_report
from . import licences as licence_report
from . import locations
from .common import Context, Failure, description_and_detail, display_path, pum_version, resources, sorted_plain

FORMAT_VERSION = "1.3"


def _plain(value):
    if value is UNKNOWN:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _header(context: Context | None) -> dict:
    return {"formatVersion": FORMAT_VERSION, "pumVersion": context.pum_version if context else pum_version()}


def _location(report: Report, v, context: Context | None) -> dict | None:
    found = locations.of(report, context.locations, v) if context else None
    if found is None:
        return None
    return {
        "file": display_path(found.file, context.root) if context else found.file,
        "path": found.path,
        "line": found.line,
    }


def _violation(report: Report, v, context: Context | None = None) -> dict:
    description, detail = description_and_detail(report, v)
    return {
        "policyPack": v.policy_pack,
        "policy": v.policy,
        "enforcementLevel": v.enforcement_level,
        "severity": v.severity,
        "urn": v.urn,
        "message": v.message,
        "description": description,
        "detail": detail,
        "location": _location(report, v, context),
    }


def as_dict(report: Report, context: Context | None = None) -> dict:
    versions = context.pack_versions if context else {}
    return {
        **_header(context),
        "project": report.project,
        "stack": report.stack,
        "policyPacks": [{"name": name, "version": versions.get(name)} for name in report.policies],
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
        "violations": [_violation(report, v, context) for v in report.violations],
        "licences": licence_report.entries(context),
        "drift": drift_report.entries(context),
        "audit": drift_report.audit(context),
        "summary": {
            "resources": len(report.resources),
            "mandatory": len(report.mandatory),
            "advisory": len(report.advisory),
        },
    }


def with_dependencies(report: Report) -> dict:
    """The JSON report, each resource also carrying its `dependencies` and `propertyDependencies` (what the project's
    diff, drift and adopt hooks read relations from; additive to design §2)."""
    document = as_dict(report)
    by_urn = {resource.urn: resource for resource in report.resources}
    for entry in document["resources"]:
        resource = by_urn[entry["urn"]]
        entry["dependencies"] = list(resource.dependencies)
        entry["propertyDependencies"] = {k: list(v) for k, v in resource.property_dependencies.items()}
    return document


def failure_dict(failure: Failure, context: Context | None = None) -> dict:
    """A failed run: no plan, and `error` says what happened (additive to the contract)."""
    return {
        **_header(context),
        "project": failure.project,
        "stack": failure.stack,
        "policyPacks": [],
        "resources": [],
        "violations": [],
        "summary": {"resources": 0, "mandatory": 0, "advisory": 0},
        "error": {"kind": failure.kind, "message": failure.message},
    }


def render(report: Report, context: Context | None = None) -> str:
    return json.dumps(as_dict(report, context), indent=2, sort_keys=False) + "\n"


def render_error(failure: Failure, context: Context) -> str:
    return json.dumps(failure_dict(failure, context), indent=2) + "\n"
