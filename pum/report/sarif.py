"""`--format sarif`: SARIF 2.1.0 for code scanning — one rule per policy, one result per violation.

A violation on a resource declared inside a component whose type starts with one of the project's
`[tool.pum] stack-file-types` points at the stack file (the model is where a person fixes it); any
other points at the line that declared the resource.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..engine import Report, Resource

_LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}


def _uri(path: str) -> str:
    path = os.path.abspath(path)
    here = os.getcwd()
    if path.startswith(here + os.sep):
        return os.path.relpath(path, here).replace(os.sep, "/")
    return "file://" + path


def _from_model(report: Report, resource: Resource | None) -> bool:
    seen = set()
    prefixes = tuple(report.stack_file_types)
    while prefixes and resource is not None and resource.urn not in seen:
        seen.add(resource.urn)
        if resource.type.startswith(prefixes):
            return True
        resource = report.resource(resource.parent) if resource.parent else None
    return False


def _location(report: Report, resource: Resource | None) -> dict | None:
    if report.stack_file and os.path.isfile(report.stack_file) and _from_model(report, resource):
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(report.stack_file)}}}
    if resource is not None and resource.source:
        uri, line = resource.source
        path = uri[len("file://") :] if uri.startswith("file://") else uri
        region = {"startLine": max(line, 1)}
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": region}}
    target = report.stack_file if report.stack_file and os.path.isfile(report.stack_file) else report.program_file
    if target:
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(target)}}}
    return None


def as_dict(report: Report) -> dict:
    rules: list[dict[str, Any]] = []
    index: dict[tuple[str, str], int] = {}
    for pack, policies in report.policies.items():
        for policy in policies:
            index[(pack, policy.name)] = len(rules)
            rule: dict[str, Any] = {
                "id": policy.name,
                "name": policy.name,
                "shortDescription": {"text": policy.description},
                "fullDescription": {"text": policy.description},
                "help": {"text": policy.remediation_steps or policy.description},
                "defaultConfiguration": {"level": _LEVELS.get(policy.enforcement_level, "warning")},
                "properties": {"policyPack": pack, "kind": policy.kind},
            }
            if policy.url:
                rule["helpUri"] = policy.url
            if policy.severity:
                rule["properties"]["severity"] = policy.severity
            if policy.framework:
                rule["properties"]["framework"] = policy.framework
            rules.append(rule)
    results = []
    for violation in report.violations:
        resource = report.resource(violation.urn) if violation.urn else None
        result: dict[str, Any] = {
            "ruleId": violation.policy,
            "level": _LEVELS.get(violation.enforcement_level, "warning"),
            "message": {"text": violation.message},
            "properties": {"policyPack": violation.policy_pack, "enforcementLevel": violation.enforcement_level},
        }
        if (violation.policy_pack, violation.policy) in index:
            result["ruleIndex"] = index[(violation.policy_pack, violation.policy)]
        location = _location(report, resource)
        if location is not None:
            if violation.urn:
                location["logicalLocations"] = [{"fullyQualifiedName": violation.urn, "kind": "resource"}]
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pum",
                        "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"pum/{report.project}/{report.stack}"},
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2) + "\n"
