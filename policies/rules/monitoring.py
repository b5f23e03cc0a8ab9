"""Policies for watching privileged users: the Entra logs, the detections and the PAW's telemetry.

- `break-glass-sign-in-alerted` (stack): a stack with break-glass accounts has an enabled alert rule (a Sentinel
  scheduled analytics rule that creates incidents, or an Azure Monitor log alert with an action group) whose query
  is exactly privileged_facts.detections' break-glass sign-in query for a set of accounts naming each one (its UPN
  or object ID), fires on any row (GreaterThan 0, a count, no dimension filter), runs at least every
  `maxBreakGlassAlertInterval` (PT5M, Microsoft's emergency-access guidance), looks back at least as far as it runs,
  and is neither suppressed nor muted. The pack cannot read what another query means, so it cannot prove another
  query fires: a team's own query is refused, not trusted.
- `privileged-logs-exported` (stack): a stack that grants privileged roles (Entra roles, eligibilities, PIM for
  Groups, privileged Azure roles) exports the Entra log categories `requiredEntraLogCategories` (audit and every
  kind of sign-in) through an enabled Entra diagnostic setting to a Log Analytics workspace of the plan that keeps
  them `minimumLogRetentionDays` (365) days, with no daily cap, no shorter retention on those tables and no
  workspace transformation that rewrites them (nor a default data collection rule), no Basic or Auxiliary plan on those
  tables, no purge after 30 days and no Free tier; a workspace outside the plan counts only when listed in
  `externalLogWorkspaceIds` (its retention reviewed elsewhere).
- `paw-host-monitored` (stack): every PAW session host (tagged `pum-role: paw`) has the Azure Monitor Agent
  extension and a data collection rule association to a rule of the plan that sends Security event-log events to
  a Log Analytics workspace (all of `Security!*`, untransformed, to a Log Analytics destination); a PAW-tagged host
  of another type (scale set, Arc machine) is a violation: the policy verifies virtual machines only.
- `detection-rules-enabled`: no Sentinel analytics rule, Azure Monitor alert rule (smart detector included) or
  action group is disabled, no Sentinel automation rule closes incidents by itself, and no alert processing rule
  removes action groups (a detection silenced after the fact).
- `log-workspace-private`: a workspace the stack says is private (tagged `pum-network: private`, as
  PrivilegedMonitoring does) allows neither public ingestion nor public queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from privileged_facts.conventions import NETWORK_TAG_KEY, NETWORK_TAG_PRIVATE
from privileged_facts.detections import is_break_glass_query
from privileged_facts.roles import PRIVILEGED_AZURE_ROLE_IDS, role_guid
from privileged_facts.values import UNKNOWN, is_unknown, parse_duration
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    Index,
    break_glass_resources,
    config_schema,
    declared,
    dependencies_of,
    elements,
    get,
    id_setting,
    is_privileged_role,
    is_type,
    label,
    meta,
    role_grants,
    setting,
    unverified,
    verifying,
)
from .kql import KqlError, lex
from .paw import paw_tag

SENTINEL_RULE = "azure-native:securityinsights:ScheduledAlertRule"
SENTINEL_RULES = (
    SENTINEL_RULE,
    "azure-native:securityinsights:FusionAlertRule",
    "azure-native:securityinsights:MicrosoftSecurityIncidentCreationAlertRule",
)
AUTOMATION_RULE = "azure-native:securityinsights:AutomationRule"
LOG_ALERT = "azure-native:monitor:ScheduledQueryRule"
ALERTS = (LOG_ALERT, "azure-native:monitor:MetricAlert", "azure-native:monitor:ActivityLogAlert")
ACTION_GROUP = "azure-native:monitor:ActionGroup"
SMART_DETECTOR = "azure-native:alertsmanagement:SmartDetectorAlertRule"
ALERT_PROCESSING = (
    "azure-native:alertsmanagement:AlertProcessingRuleByName",
    "azure-native:alertsmanagement:ActionRuleByName",
)
OTHER_HOSTS = (
    "azure-native:compute:VirtualMachineScaleSet",
    "azure-native:hybridcompute:Machine",
    "azure-native:desktopvirtualization:SessionHost",
)
WORKSPACE = "azure-native:operationalinsights:Workspace"
TABLE = "azure-native:operationalinsights:Table"
ENTRA_DIAGNOSTICS = "azure-native:aadiam:DiagnosticSetting"
DCR = "azure-native:monitor:DataCollectionRule"
DCR_ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"
VM = "azure-native:compute:VirtualMachine"
VM_EXTENSION = "azure-native:compute:VirtualMachineExtension"
AZURE_GRANTS = (
    "azure-native:authorization:RoleAssignment",
    "azure-native:authorization:PimRoleEligibilitySchedule",
    "azure-native:authorization:RoleEligibilityScheduleRequest",
    "azure-native:authorization:RoleAssignmentScheduleRequest",
)
GROUP_SCHEDULES = (
    "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule",
    "azuread:index/privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule",
)
MONITOR_AGENTS = ("azuremonitorwindowsagent", "azuremonitorlinuxagent")
SECURITY_STREAMS = ("microsoft-securityevent", "microsoft-event")

# Entra diagnostic categories -> the tables they fill
CATEGORY_TABLES = {
    "auditlogs": "AuditLogs",
    "signinlogs": "SigninLogs",
    "noninteractiveusersigninlogs": "AADNonInteractiveUserSignInLogs",
    "serviceprincipalsigninlogs": "AADServicePrincipalSignInLogs",
    "managedidentitysigninlogs": "AADManagedIdentitySignInLogs",
}

ALERT_CONFIG = {
    "maxBreakGlassAlertInterval": {
        "type": "string",
        "pattern": r"^PT(\d+H)?(\d+M)?$",
        "default": "PT5M",
        "description": "Longest interval between two runs of the break-glass sign-in alert (ISO 8601).",
    }
}
LOGS_CONFIG = {
    "minimumLogRetentionDays": {
        "type": "integer",
        "minimum": 30,
        "maximum": 4383,
        "default": 365,
        "description": "Days the Entra audit and sign-in logs must stay in the workspace (OMB M-21-31: 12 months).",
    },
    "requiredEntraLogCategories": {
        "type": "array",
        "items": {"type": "string"},
        "default": [
            "AuditLogs",
            "SignInLogs",
            "NonInteractiveUserSignInLogs",
            "ServicePrincipalSignInLogs",
            "ManagedIdentitySignInLogs",
        ],
        "description": "Entra diagnostic-setting categories that must reach the workspace.",
    },
    "externalLogWorkspaceIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Resource IDs of workspaces outside the stack whose retention is reviewed elsewhere.",
    },
}

WHEN_UNKNOWN = {
    "break-glass-sign-in-alerted": "A rule whose query, enabled flag, trigger, schedule or suppression is unknown "
    "at preview, or a break-glass UPN that is unknown, is not proven: with no proven rule it is a mandatory "
    "'cannot be verified at preview' violation.",
    "privileged-logs-exported": "An unknown category, enabled flag, workspace link or retention is not proven: "
    "with no proven export it is a mandatory 'cannot be verified at preview' violation.",
    "paw-host-monitored": "An unknown PAW tag, extension publisher or type, association target or rule content is "
    "not proven: with nothing proven it is a mandatory 'cannot be verified at preview' violation.",
    "detection-rules-enabled": "An unknown enabled flag, or automation-rule actions unknown at preview, is a "
    "mandatory 'cannot be verified at preview' violation.",
    "log-workspace-private": "An unknown public-access setting on a workspace tagged private, or an unknown tag on "
    "a publicly reachable workspace, is a mandatory 'cannot be verified at preview' violation.",
}

YES, NO, MAYBE = "yes", "no", "maybe"


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _refers(resource: Any, key: str, target: Any, target_name_key: str | None = None) -> Any:
    """YES when `resource.props[key]` flows from `target` (a property dependency) or is a literal ARM ID ending in
    the target's literal name (`target_name_key`), MAYBE when the value is unknown with no such dependency."""
    if any(d.urn == target.urn for d in dependencies_of(resource, key)):
        return YES
    value = get(resource.props, key)
    if is_unknown(value):
        return NO if dependencies_of(resource, key) else MAYBE
    if isinstance(value, str) and target_name_key:
        name = get(target.props, target_name_key)
        if isinstance(name, str) and name:
            tail = value.strip().rstrip("/").rsplit("/", 1)[-1]
            return YES if tail.lower() == name.strip().lower() else NO
    return NO


def _combine(verdicts: Iterable[str]) -> str:
    """All must hold: NO if any is NO, else MAYBE if any is MAYBE, else YES."""
    verdicts = list(verdicts)
    return NO if NO in verdicts else MAYBE if MAYBE in verdicts else YES


def _best(verdicts: Iterable[str]) -> str:
    """One must hold: YES if any is YES, else MAYBE if any is MAYBE, else NO."""
    verdicts = list(verdicts)
    return YES if YES in verdicts else MAYBE if MAYBE in verdicts else NO


def _is(value: Any, expected: Any) -> str:
    """`value` is `expected`: a string in any case and spacing, a boolean as a boolean, a number as a number (the
    engine may hand a whole number over as a float)."""
    if is_unknown(value):
        return MAYBE
    if isinstance(expected, str):
        return YES if _lower(value) == expected.lower() else NO
    if isinstance(expected, bool) or isinstance(value, bool):
        return YES if value is expected else NO
    return YES if isinstance(value, (int, float)) and value == expected else NO


# --- break-glass-sign-in-alerted -------------------------------------------------------------------------------


def _names_of_break_glass(args: Any) -> tuple[list[tuple[str, frozenset[str]]], list[str]]:
    """[(how messages name it, the strings a query may name it by)], and the accounts whose UPN is unknown."""
    accounts, unknown = [], []
    by_urn = {r.urn: r for r in args.resources}
    for account in break_glass_resources(args.resources):
        if account.kind != "user":
            continue
        resource = by_urn[account.urn]
        upn = get(resource.props, "userPrincipalName")
        object_id = get(resource.props, "objectId")
        names = {_lower(v) for v in (upn, object_id) if isinstance(v, str) and not is_unknown(v)}
        if not names:
            unknown.append(f"{label(resource)} userPrincipalName")
            continue
        accounts.append((f"break-glass account {label(resource)}", frozenset(names)))
    for object_id in sorted(id_setting(args, "breakGlassObjectIds")):
        accounts.append((f"break-glass object ID {object_id} (policy config)", frozenset({object_id})))
    return accounts, unknown


def _query_shape(query: Any, names: frozenset[str]) -> str:
    """YES when a known query is exactly the break-glass sign-in query (privileged_facts.detections) for a set of
    accounts that includes one of `names`; MAYBE when unknown. The pack cannot read what another query means, so it
    cannot prove that one fires."""
    if is_unknown(query):
        return MAYBE
    if not isinstance(query, str):
        return NO
    try:
        lexed = lex(query)
    except KqlError:
        return NO
    listed = {s.strip().lower() for s in lexed.strings}
    return YES if names & listed and is_break_glass_query(query, lexed.strings) else NO


def _interval(value: Any, limit, at_least=None) -> str:
    if is_unknown(value):
        return MAYBE
    try:
        span = parse_duration(value, "interval")
    except (ValueError, TypeError):
        return NO
    if span > limit or (at_least is not None and span < at_least):
        return NO
    return YES


def _sentinel_alert(rule: Any, names: frozenset[str], limit) -> str:
    props = rule.props
    kind = get(props, "kind")
    frequency = get(props, "queryFrequency")
    checks = [
        _is(kind, "Scheduled"),
        _is(get(props, "enabled"), True),
        _is(get(props, "triggerOperator"), "GreaterThan"),
        _is(get(props, "triggerThreshold"), 0),
        _is(get(props, "suppressionEnabled"), False),
        YES
        if declared(rule, "incidentConfiguration", "createIncident") is None
        else _is(get(props, "incidentConfiguration", "createIncident"), True),
        _interval(frequency, limit),
    ]
    if not is_unknown(frequency) and _interval(frequency, limit) == YES:
        checks.append(
            _interval(get(props, "queryPeriod"), parse_duration("P14D", "max"), parse_duration(frequency, "f"))
        )
    checks.append(_query_shape(get(props, "query"), names))
    return _combine(checks)


def _log_alert(rule: Any, names: frozenset[str], limit) -> str:
    props = rule.props
    criteria = elements(props, "criteria", "allOf")
    groups = elements(props, "actions", "actionGroups")
    enabled = declared(rule, "enabled")
    frequency = get(props, "evaluationFrequency")
    checks = [
        YES if enabled is None else _is(enabled, True),
        MAYBE if any(is_unknown(c) for c in criteria) else YES if len(criteria) == 1 else NO,
        MAYBE if any(is_unknown(g) for g in groups) else YES if groups else NO,
        YES if declared(rule, "muteActionsDuration") is None else NO,
        YES if declared(rule, "kind") is None else _is(get(props, "kind"), "LogAlert"),
        _interval(frequency, limit),
    ]
    if not is_unknown(frequency) and _interval(frequency, limit) == YES:
        checks.append(_interval(get(props, "windowSize"), parse_duration("P2D", "max"), parse_duration(frequency, "f")))
    if len(criteria) == 1 and not is_unknown(criteria[0]):
        criterion = criteria[0]
        periods = get(criterion, "failingPeriods", "minFailingPeriodsToAlert")
        checks += [
            _is(get(criterion, "operator"), "GreaterThan"),
            _is(get(criterion, "timeAggregation"), "Count"),
            YES if get(criterion, "metricMeasureColumn") is None else NO,
            YES if not elements(criterion, "dimensions") else NO,
            _is(get(criterion, "threshold"), 0),
            YES if periods is None else _is(periods, 1),
            _query_shape(get(criterion, "query"), names),
        ]
    return _combine(checks)


@verifying
def _break_glass_alerted(args, report) -> None:
    accounts, unknown = _names_of_break_glass(args)
    if not accounts and not unknown:
        return
    limit = parse_duration(setting(args, "maxBreakGlassAlertInterval", ALERT_CONFIG), "maxBreakGlassAlertInterval")
    rules = [r for r in args.resources if is_type(r, SENTINEL_RULE, LOG_ALERT)]
    for what in unknown:
        unverified(args, report, what)  # which account an alert must name is unknown
    for name, names in accounts:
        verdict = _best(
            (_sentinel_alert(r, names, limit) if is_type(r, SENTINEL_RULE) else _log_alert(r, names, limit))
            for r in rules
        )
        if verdict == YES:
            continue
        if verdict == MAYBE:
            unverified(args, report, f"the sign-in alert for {name}")
            continue
        report(
            f"No enabled alert fires on a sign-in by {name}: Microsoft's emergency-access guidance asks for an alert "
            "on every one. Fix: declare privileged-access:monitoring (its Sentinel rule names every break-glass "
            "account), or an alert rule over SigninLogs that names the account's UPN, fires on any row, runs at "
            "least every five minutes and is neither suppressed nor muted."
        )


# --- privileged-logs-exported ------------------------------------------------------------------------------------


def _grants_privilege(args) -> bool:
    resources = list(args.resources)
    extra = id_setting(args, "privilegedRoleIds")
    for grant in role_grants(resources, Index(resources)):
        if is_unknown(grant.role) or is_privileged_role(grant.role, extra):
            return True
    privileged_azure = PRIVILEGED_AZURE_ROLE_IDS | id_setting(args, "privilegedAzureRoleIds")
    for r in resources:
        if is_type(r, *AZURE_GRANTS):
            role = get(r.props, "roleDefinitionId")
            if is_unknown(role) or role_guid(role) in privileged_azure:
                return True
    return any(is_type(r, *GROUP_SCHEDULES) for r in resources)


def _retention_findings(args, workspace, minimum: int) -> tuple[str, list[str]]:
    """(verdict, what falls short) for the workspace's retention of the required tables."""
    findings, verdicts = [], []
    days = declared(workspace, "retentionInDays")  # not declared: the API's default, 30 days
    if is_unknown(days):
        verdicts.append(MAYBE)
    elif not isinstance(days, (int, float)) or days < minimum:
        findings.append(f"keeps logs {days if isinstance(days, (int, float)) else 30} days (at least {minimum})")
    quota = declared(workspace, "workspaceCapping", "dailyQuotaGb")
    if is_unknown(quota):
        verdicts.append(MAYBE)
    elif quota is not None and quota != -1:
        findings.append("has a daily cap (ingestion stops when it is reached)")
    for key, bad, what in (
        (("features", "immediatePurgeDataOn30Days"), True, "purges data after 30 days"),
        (("sku", "name"), "free", "is on the Free tier (seven days, capped)"),
    ):
        value = declared(workspace, *key)
        if is_unknown(value):
            verdicts.append(MAYBE)
        elif value is not None and (_lower(value) == bad if isinstance(bad, str) else value is bad):
            findings.append(what)
    transform = declared(workspace, "defaultDataCollectionRuleResourceId")
    if transform is not None:
        findings.append("has a default data collection rule (a workspace transformation that may drop logs)")
    for table in args.resources:
        if not is_type(table, TABLE) or _refers(table, "workspaceName", workspace, "workspaceName") == NO:
            continue
        name = get(table.props, "tableName")
        if is_unknown(name):
            verdicts.append(MAYBE)
            continue
        if not isinstance(name, str) or name.strip().lower() not in {t.lower() for t in CATEGORY_TABLES.values()}:
            continue
        plan = get(table.props, "plan")
        if is_unknown(plan):
            verdicts.append(MAYBE)
        elif plan is not None and _lower(plan) != "analytics":
            findings.append(f"keeps {name} on the {plan} plan (not searchable by alerts, shorter retention)")
        kept = get(table.props, "totalRetentionInDays")
        kept = get(table.props, "retentionInDays") if kept is None else kept
        if is_unknown(kept):
            verdicts.append(MAYBE)
        elif isinstance(kept, (int, float)) and 0 <= kept < minimum:
            findings.append(f"keeps {name} only {kept} days")
    for rule in args.resources:
        if not is_type(rule, DCR) or _lower(get(rule.props, "kind")) != "workspacetransforms":
            continue
        for flow in elements(rule.props, "dataFlows"):
            streams = [_lower(s) for s in elements(flow, "streams")]
            transform = get(flow, "transformKql")
            if is_unknown(flow) or any(is_unknown(s) for s in streams) or is_unknown(transform):
                verdicts.append(MAYBE)
            elif any(
                s.removeprefix("microsoft-table-") in {t.lower() for t in CATEGORY_TABLES.values()}
                for s in streams
                if isinstance(s, str)
            ) and _lower(transform) not in (None, "source"):
                findings.append(f"rewrites Entra log tables with a workspace transformation ({label(rule)})")
    return (NO if findings else _combine(verdicts or [YES])), findings


@verifying
def _logs_exported(args, report) -> None:
    if not _grants_privilege(args):
        return
    own = LOGS_CONFIG
    minimum = int(setting(args, "minimumLogRetentionDays", own))
    required = {str(c).lower() for c in setting(args, "requiredEntraLogCategories", own) or []}
    external = {str(i).strip().lower() for i in setting(args, "externalLogWorkspaceIds", own) or []}
    workspaces = [r for r in args.resources if is_type(r, WORKSPACE)]
    verdicts, shortfalls = [], []
    for diag in (r for r in args.resources if is_type(r, ENTRA_DIAGNOSTICS)):
        exported, disabled, pending = set(), set(), False
        for entry in elements(diag.props, "logs"):
            category, enabled = get(entry, "category"), get(entry, "enabled")
            if is_unknown(entry) or is_unknown(category) or is_unknown(enabled):
                pending = True
            elif enabled is True and isinstance(category, str):
                exported.add(category.lower())
            elif isinstance(category, str):
                disabled.add(category.lower())
        missing = (required - exported) | (required & disabled)
        categories = YES if not missing else MAYBE if pending else NO
        if categories == NO:
            shortfalls.append(f"{label(diag)} does not export {', '.join(sorted(missing))}")
        target = get(diag.props, "workspaceId")
        linked = [w for w in workspaces if _refers(diag, "workspaceId", w, "workspaceName") == YES]
        if linked:
            retention = []
            for workspace in linked:
                verdict, findings = _retention_findings(args, workspace, minimum)
                retention.append(verdict)
                shortfalls += [f"{label(workspace)} {f}" for f in findings]
            destination = _best(retention)
        elif isinstance(target, str) and target.strip().lower() in external:
            destination = YES
        elif is_unknown(target) and not dependencies_of(diag, "workspaceId"):
            destination = MAYBE
        else:
            destination = NO
            shortfalls.append(
                f"{label(diag)} sends to no workspace of the plan (nor one listed in externalLogWorkspaceIds)"
            )
        verdicts.append(_combine([categories, destination]))
    verdict = _best(verdicts)
    if verdict == YES:
        return
    if verdict == MAYBE:
        unverified(args, report, "the Entra diagnostic setting's categories, workspace or retention")
        return
    detail = "; ".join(shortfalls) if shortfalls else "no Entra diagnostic setting is declared"
    report(
        f"The stack grants privileged roles but does not keep the Entra audit and sign-in logs {minimum} days in a "
        f"workspace it can show: {detail}. Fix: declare privileged-access:monitoring (retentionDays at least "
        f"{minimum}), or an aadiam DiagnosticSetting exporting {', '.join(sorted(required))} to a workspace of "
        "the plan with that retention and no daily cap."
    )


# --- paw-host-monitored ------------------------------------------------------------------------------------------


def _collects_security_events(rule: Any) -> str:
    sources = elements(rule.props, "dataSources", "windowsEventLogs")
    verdicts = []
    for source in sources:
        streams = [_lower(s) for s in elements(source, "streams")]
        queries = elements(source, "xPathQueries")
        if is_unknown(source) or any(is_unknown(v) for v in [*streams, *queries]):
            verdicts.append(MAYBE)
        elif any(s in SECURITY_STREAMS for s in streams) and any(
            isinstance(q, str) and q.strip().lower() == "security!*" for q in queries
        ):
            verdicts.append(YES)
    destinations = elements(rule.props, "destinations", "logAnalytics")
    sent = MAYBE if any(is_unknown(d) for d in destinations) else YES if destinations else NO
    flows = elements(rule.props, "dataFlows")
    flowing = (
        MAYBE
        if any(is_unknown(f) for f in flows)
        else YES
        if any(any(_lower(s) in SECURITY_STREAMS for s in elements(f, "streams") if isinstance(s, str)) for f in flows)
        else NO
    )
    return _combine([_best(verdicts or [NO]), sent, flowing])


def _security_flow(flow: Any, workspaces: set) -> str:
    """The flow sends the Security stream, untransformed, to one of the rule's Log Analytics destinations."""
    streams = [_lower(s) for s in elements(flow, "streams")]
    targets = [_lower(d) for d in elements(flow, "destinations")]
    transform = get(flow, "transformKql")
    if any(is_unknown(v) for v in [*streams, *targets, transform]):
        return MAYBE
    if not any(s in SECURITY_STREAMS for s in streams) or not any(t in workspaces for t in targets):
        return NO
    return YES if transform is None or _lower(transform) == "source" else NO


def _has_agent(vm: Any, resources) -> str:
    verdicts = []
    for ext in (r for r in resources if is_type(r, VM_EXTENSION)):
        link = _refers(ext, "vmName", vm, "vmName")
        if link == NO:
            continue
        publisher, kind = get(ext.props, "publisher"), get(ext.props, "type")
        shape = (
            MAYBE
            if is_unknown(publisher) or is_unknown(kind)
            else (YES if _lower(publisher) == "microsoft.azure.monitor" and _lower(kind) in MONITOR_AGENTS else NO)
        )
        verdicts.append(_combine([link, shape]))
    return _best(verdicts)


def _has_association(vm: Any, resources) -> str:
    rules = [r for r in resources if is_type(r, DCR)]
    verdicts = []
    for association in (r for r in resources if is_type(r, DCR_ASSOCIATION)):
        link = _refers(association, "resourceUri", vm, "vmName")
        if link == NO:
            continue
        linked = [r for r in rules if _refers(association, "dataCollectionRuleId", r, "dataCollectionRuleName") == YES]
        rule_id = get(association.props, "dataCollectionRuleId")
        content = (
            _best(_collects_security_events(r) for r in linked)
            if linked
            else (MAYBE if is_unknown(rule_id) and not dependencies_of(association, "dataCollectionRuleId") else NO)
        )
        verdicts.append(_combine([link, content]))
    return _best(verdicts)


@verifying
def _paw_monitored(args, report) -> None:
    resources = list(args.resources)
    for host in (r for r in resources if is_type(r, *OTHER_HOSTS) and paw_tag(r.props) is not False):
        report(
            f"{label(host)} is tagged as a PAW host, but this policy verifies the telemetry of virtual machines only: "
            "nothing shows its Security events reach Log Analytics. Fix: make PAW session hosts virtual machines "
            "(PawHostPool does).",
            host.urn,
        )
    for vm in (r for r in resources if is_type(r, VM)):
        tagged = paw_tag(vm.props)
        if tagged is False:
            continue
        agent, association = _has_agent(vm, resources), _has_association(vm, resources)
        verdict = _combine([agent, association])
        if verdict == YES:
            continue
        if verdict == MAYBE or tagged is UNKNOWN:
            unverified(args, report, f"the telemetry of {label(vm)} (agent, rule association or PAW tag)", vm.urn)
            continue
        missing = [
            what
            for what, v in (
                ("the Azure Monitor Agent extension", agent),
                (
                    "an association with a data collection rule of the plan that sends Security events to Log "
                    "Analytics",
                    association,
                ),
            )
            if v == NO
        ]
        report(
            f"PAW session host {label(vm)} has no {' and no '.join(missing)}: what an admin does on the PAW is not "
            "recorded. Fix: use the PawHostPool component, or declare the AzureMonitorWindowsAgent extension and a "
            "DataCollectionRuleAssociation to a rule collecting 'Security!*' events.",
            vm.urn,
        )


# --- detection-rules-enabled ---------------------------------------------------------------------------------


@verifying
def _rules_enabled(args, report) -> None:
    if is_type(args.resource_type, AUTOMATION_RULE):
        _automation_rule(args, report)
        return
    if is_type(args.resource_type, *ALERT_PROCESSING):
        _alert_processing(args, report)
        return
    if is_type(args.resource_type, SMART_DETECTOR):
        state = get(args.props, "state")
        if is_unknown(state):
            unverified(args, report, f"{label(args)} state")
        elif _lower(state) != "enabled":
            report(
                f"{label(args)} is disabled: an alert rule in code that does not run is an off switch nobody "
                "sees. Fix: set state Enabled, or delete it from the stack."
            )
        return
    if is_type(args.resource_type, *SENTINEL_RULES):
        enabled = get(args.props, "enabled")
    elif is_type(args.resource_type, *ALERTS, ACTION_GROUP):
        enabled = get(args.props, "enabled")
        enabled = True if enabled is None else enabled  # the API's default
    else:
        return
    if is_unknown(enabled):
        unverified(args, report, f"{label(args)} enabled")
    elif enabled is not True:
        report(
            f"{label(args)} is disabled: a detection, alert or action group in code that does not run is an off "
            "switch nobody sees. Fix: enable it, or delete it from the stack."
        )


def _automation_rule(args, report) -> None:
    if get(args.props, "triggeringLogic", "isEnabled") is False:
        return
    actions = elements(args.props, "actions")
    for action in actions:
        kind, status = get(action, "actionType"), get(action, "actionConfiguration", "status")
        if is_unknown(action) or is_unknown(kind) or (_lower(kind) == "modifyproperties" and is_unknown(status)):
            unverified(args, report, f"{label(args)} actions")
            return
        if _lower(kind) == "modifyproperties" and _lower(status) == "closed":
            report(
                f"{label(args)} closes incidents by itself: every detection it matches is silenced as it fires. "
                "Fix: let analysts close incidents; an automation rule may assign, tag or run a playbook."
            )
            return


def _alert_processing(args, report) -> None:
    """An alert processing rule that removes action groups silences every alert in its scope."""
    if get(args.props, "properties", "enabled") is False:
        return
    actions = elements(args.props, "properties", "actions")
    if any(is_unknown(a) or is_unknown(get(a, "actionType")) for a in actions):
        unverified(args, report, f"{label(args)} actions")
        return
    legacy = get(args.props, "properties", "type")
    if is_unknown(legacy):
        unverified(args, report, f"{label(args)} type")
        return
    if any(_lower(get(a, "actionType")) == "removeallactiongroups" for a in actions) or _lower(legacy) == "suppression":
        report(
            f"{label(args)} removes the action groups of the alerts in its scope: the detections fire and nobody is "
            "told. Fix: delete it, or scope a maintenance window to resources that are not the privileged logs."
        )


# --- log-workspace-private -----------------------------------------------------------------------------------


def _network_tag(props) -> Any:
    tags = get(props, "tags")
    if is_unknown(tags):
        return UNKNOWN
    found: Any = False
    for key, value in (tags or {}).items() if isinstance(tags, dict) else ():
        if isinstance(key, str) and key.strip().lower() == NETWORK_TAG_KEY:
            if is_unknown(value):
                found = UNKNOWN
            elif _lower(value) == NETWORK_TAG_PRIVATE:
                return True  # any spelling of the key that says private: Azure matches tag keys in any case
    return found


@verifying
def _workspace_private(args, report) -> None:
    if not is_type(args.resource_type, WORKSPACE):
        return
    private = _network_tag(args.props)
    if private is False:
        return
    public = []
    for key in ("publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"):
        value = get(args.props, key)
        if is_unknown(value):
            unverified(args, report, f"{label(args)} {key}")
            continue
        if _lower(value) != "disabled":
            public.append(key)
    if not public:
        return
    if private is UNKNOWN:
        unverified(args, report, f"{label(args)} tag {NETWORK_TAG_KEY}")
        return
    report(
        f"{label(args)} is tagged {NETWORK_TAG_KEY}: {NETWORK_TAG_PRIVATE} but allows public "
        f"{' and '.join('ingestion' if 'Ingestion' in k else 'queries' for k in public)}: anyone with a key or "
        "token reaches the privileged logs from the internet. Fix: set "
        f"{' and '.join(public)} to Disabled and reach the workspace over Azure Monitor Private Link."
    )


POLICIES = [
    StackValidationPolicy(
        name="break-glass-sign-in-alerted",
        description="A stack with break-glass accounts alerts on every sign-in by each of them.",
        validate=_break_glass_alerted,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("breakGlassObjectIds", own=ALERT_CONFIG),
        **meta(
            "critical",
            "Declare privileged-access:monitoring, or an enabled alert rule over SigninLogs naming each break-glass "
            "account's UPN that fires on any row at least every five minutes.",
            url="https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access",
        ),
    ),
    StackValidationPolicy(
        name="privileged-logs-exported",
        description="A stack that grants privileged roles keeps the Entra audit and sign-in logs in a workspace "
        "for at least the configured retention.",
        validate=_logs_exported,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("privilegedRoleIds", "privilegedAzureRoleIds", own=LOGS_CONFIG),
        **meta(
            "high",
            "Declare privileged-access:monitoring, or an Entra diagnostic setting to a workspace of the plan that "
            "keeps the logs at least minimumLogRetentionDays with no daily cap.",
        ),
    ),
    StackValidationPolicy(
        name="paw-host-monitored",
        description="Every PAW session host runs the Azure Monitor Agent with a rule that sends its Security "
        "events to Log Analytics.",
        validate=_paw_monitored,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta("high", "Use PawHostPool, or add the agent extension and a data collection rule association."),
    ),
    ResourceValidationPolicy(
        name="detection-rules-enabled",
        description="No detection, alert rule or action group is disabled, and no automation rule closes "
        "incidents by itself.",
        validate=_rules_enabled,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta("high", "Enable the rule or delete it; let analysts close incidents."),
    ),
    ResourceValidationPolicy(
        name="log-workspace-private",
        description="A workspace the stack says is private (pum-network: private) allows no public ingestion or query.",
        validate=_workspace_private,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta("high", "Set publicNetworkAccessForIngestion and publicNetworkAccessForQuery to Disabled."),
    ),
]
