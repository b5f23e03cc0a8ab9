"""`--format sarif`: SARIF 2.1.0 for code scanning — one rule per policy, one result per violation.

Each rule carries `properties.security-severity` (what GitHub ranks alerts by: 9.0+ critical, 7.0-8.9 high,
4.0-6.9 medium, below low) from its enforcement level and severity (SECURITY_SEVERITY); each result a
`partialFingerprints` entry hashed from policy, URN and finding, so an alert stays one alert across runs.
Locations are relative to the source root (`uriBaseId` `%SRCROOT%`), never absolute.

A violation on a resource declared inside a component whose type starts with one of the project's
`[tool.pum] stack-file-types` points at the stack file (the model is where a person fixes it); any
other points at the line that declared the resource.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from ..engine import Report, Resource
from . import locations
from .common import Context, Failure, description_and_detail, relative, source_root

SRCROOT = "%SRCROOT%"
# security-severity by (enforced, severity): mandatory findings rank high, advisory ones lower (README documents it)
SECURITY_SEVERITY = {
    (True, "critical"): "9.5",
    (True, "high"): "8.0",
    (True, "medium"): "6.0",
    (True, "low"): "3.5",
    (True, None): "6.0",
    (False, "critical"): "6.5",
    (False, "high"): "5.0",
    (False, "medium"): "3.5",
    (False, "low"): "2.0",
    (False, None): "3.5",
}
FINGERPRINT = "pumFinding/v1"
_LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}


def _artifact(path: str, root: str, line: int | None = None) -> dict | None:
    """A physical location relative to the source root (`%SRCROOT%`); None for a file outside it."""
    uri = relative(path, root)
    if uri is None:
        return None
    location: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if line is not None:
        location["region"] = {"startLine": max(line, 1)}
    return {"physicalLocation": location}


def _from_model(report: Report, resource: Resource | None) -> bool:
    seen = set()
    prefixes = tuple(report.stack_file_types)
    while prefixes and resource is not None and resource.urn not in seen:
        seen.add(resource.urn)
        if resource.type.startswith(prefixes):
            return True
        resource = report.resource(resource.parent) if resource.parent else None
    return False


def _location(report: Report, resource: Resource | None, root: str) -> dict | None:
    stack_file = report.stack_file if report.stack_file and os.path.isfile(report.stack_file) else None
    if stack_file and _from_model(report, resource):
        return _artifact(stack_file, root)
    if resource is not None and resource.source:
        path, line = resource.source
        return _artifact(path, root, line)
    target = stack_file or report.program_file
    return _artifact(target, root) if target else None


def security_severity(enforcement_level: str, severity: str | None) -> str:
    enforced = enforcement_level in ("mandatory", "remediate")
    return SECURITY_SEVERITY.get((enforced, (severity or "").lower() or None), SECURITY_SEVERITY[(enforced, None)])


def fingerprint(report: Report, violation) -> str:
    """Stable per finding: the same policy, resource and finding give the same value in every run."""
    _, detail = description_and_detail(report, violation)
    text = "\0".join((violation.policy, violation.urn or "", detail))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _default_root(report: Report) -> str:
    anchor = report.program_file or report.stack_file
    return source_root(os.path.dirname(anchor) if anchor else os.getcwd())


def as_dict(report: Report, context: Context | None = None) -> dict:
    root = context.root if context else _default_root(report)
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
                "properties": {
                    "policyPack": pack,
                    "kind": policy.kind,
                    "tags": ["security"],
                    "security-severity": security_severity(policy.enforcement_level, policy.severity),
                },
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
        result["partialFingerprints"] = {FINGERPRINT: fingerprint(report, violation)}
        if (violation.policy_pack, violation.policy) in index:
            result["ruleIndex"] = index[(violation.policy_pack, violation.policy)]
        model = locations.of(report, context.locations, violation) if context else None
        if model is not None:
            result["properties"]["modelPath"] = model.path
        location = (_artifact(model.file, root, model.line) if model else None) or _location(report, resource, root)
        location = location or {}
        if violation.urn:
            location["logicalLocations"] = [{"fullyQualifiedName": violation.urn, "kind": "resource"}]
        if location:
            result["locations"] = [location]
        results.append(result)
    invocation = {"executionSuccessful": True, "exitCode": report.exit_code}
    return _log(report.project, report.stack, rules, results, invocation)


def _log(project: str | None, stack: str | None, rules: list, results: list, invocation: dict) -> dict:
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
                "automationDetails": {"id": f"pum/{project or 'unknown'}/{stack or 'unknown'}"},
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


def failure_dict(failure: Failure, context: Context) -> dict:
    """A failed run: no results, `executionSuccessful: false`, and the error as a tool execution notification."""
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": failure.message},
        "descriptor": {"id": f"pum/{failure.kind}-error"},
    }
    if failure.location:
        path, line = failure.location
        location = _artifact(path, context.root, line)
        if location:
            notification["locations"] = [location]
    invocation = {
        "executionSuccessful": False,
        "exitCode": failure.exit_code,
        "toolExecutionNotifications": [notification],
    }
    return _log(failure.project, failure.stack, [], [], invocation)


def render(report: Report, context: Context | None = None) -> str:
    return json.dumps(as_dict(report, context), indent=2) + "\n"


def render_error(failure: Failure, context: Context) -> str:
    return json.dumps(failure_dict(failure, context), indent=2) + "\n"
