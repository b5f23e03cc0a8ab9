"""Policies for conditional access: no tenant lockout, phishing-resistant admins, PAW-only admin portals.

Enforced by default. An admin CA policy that is report-only (`enabledForReportingButNotEnforced`) is a
MANDATORY finding (`ca-admin-policy-enforced-in-production`), and it does not count for the stack rules
(`ca-phishing-resistant-admins`, `ca-admin-portals-compliant-device`), unless it belongs to a declared staged
rollout that has not ended: a component it is declared in (its parent chain) carries `reportOnlyUntil`
(YYYY-MM-DD, in the component's props and outputs; ConditionalAccessBaseline gets it from
`conditionalAccess.reportOnlyUntil`), the date is today or later by `common.now()`, and at most
`maxStagedRolloutDays` away. Then the policy is an ADVISORY `ca-admin-policy-report-only` note and counts as
declared. A disabled admin policy never counts. A production stack (the policy config `production: true` or
the stack tag `environment: production`/`prod`) allows no staged rollout at all.

What a policy covers is judged from everything that narrows it: `All` users or the roles, and only the
break-glass accounts excluded; `All` resources and none excluded; every client app type; no location,
platform, device, risk or flow condition. `All` matches in any case.
A lockout is an enabled policy that blocks or requires controls for all users (or Global Administrators) on
all resources whose exclusions hold no known break-glass account (configured `breakGlassObjectIds`, or the
users of a BreakGlassAccounts component); with none known, it is always one.

Two shapes, one reader: a CA policy is declared either as an azuread ConditionalAccessPolicy or as the Graph layer's
dynamic resource (graphKind `conditionalAccessPolicy`, components/graph/conditional_access_policy.py), whose props are
Graph's own JSON (`includeUsers`, `excludeRoles`, `authenticationStrength.id`,
`sessionControls.continuousAccessEvaluation`).
`ca_view` reads either into one shape (azuread's wire names, plus `includedAuthenticationContextClassReferences` and
`continuousAccessEvaluationMode`, which azuread lacks), and every rule here reads only that. What a dynamic resource is
comes from `common.graph_kind` (the one reader of graphKind, for any dynamic type name): exactly
`conditionalAccessPolicy` is ours and may count as coverage; any other known spelling (another case, a plural, none at
all) with conditions or controls is judged as a CA policy for harm (lockout, exclusions) and never counts as coverage;
an unknown graphKind with that shape may be one (judged as unverified, never coverage). Graph reads property names in
any case, so the reader folds every key to Graph's camelCase spelling (the msgraph beta models) before reading it; a
key that matches none narrows the policy (under conditions, users, applications, devices: it never counts as covering
every sign-in), and under grantControls it is a control that, under operator OR, may replace the required one.

Exclusions: a policy "excludes only the break-glass accounts" when every known excluded user or group is a configured
`breakGlassObjectIds` entry or the known object ID of a declared break-glass account (a literal group or user the stack
does not declare, and `GuestsOrExternalUsers`, are not), no guests or external users and no roles are excluded, and
unknown entries can only be the declared accounts. Under operator OR every other control is an alternative that alone
satisfies the policy (another built-in control, the strength when a device is required, a terms of use, a custom
authentication factor, a grant key the reader does not know). A PAW block (grant block, device filter mode exclude)
counts only when its rule is the PAW's device filter (whitespace and the case of everything outside quotes aside): the
`deviceFilter` a declared PawHostPool publishes, in the shape that component guarantees (session-host name prefix,
Entra-joined, compliant), or one in the pack config's `pawDeviceFilters`; any other rule decides which devices escape.

What the pack cannot see: the engine hands analyzers each resource's properties without internal keys
(pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go marshals them with SkipInternalKeys; pum does the same), so a
dynamic resource's `__provider` (the dill-pickled provider) never reaches a policy, and nothing in the plan tells our
GraphConditionalAccessPolicyProvider from a do-nothing provider that claims the same graphKind. Such a forgery is judged
for harm like any CA policy, but it can count as coverage: that is for code review (a PR that defines a dynamic
provider or passes `_provider=`; tests/test_graph_kind_provenance.py fails on one outside components/graph/, and
components/ itself is reviewed code).

Unknown at preview: a deciding field (state, users, applications, client app types, locations, grant controls,
the strength, the rollout end date) unknown at preview is reported through `common.unverified`. IDs that only
link resources are resolved through property dependencies: an unknown entry of a user (group) list is the ID of
a declared User (Group) the conditions depend on. A declared break-glass account counts as excluded only when
it cannot be one of the included entries instead (referencing an account is not excluding it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from privileged_facts.apps import ADMIN_PORTAL_TARGETS, BUILTIN_PHISHING_RESISTANT_STRENGTH, PHISHING_RESISTANT_METHODS
from privileged_facts.graph_kinds import CONDITIONAL_ACCESS_POLICY
from privileged_facts.roles import ENTRA_ROLE_NAMES, GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_IDS
from privileged_facts.values import UNKNOWN as UNKNOWN_VALUE
from privileged_facts.values import guid_in, is_unknown
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    CA,
    EXACT,
    GROUP,
    MAYBE,
    SCUBA,
    SHAPED,
    TUNABLES,
    USER,
    break_glass_accounts,
    break_glass_config,
    break_glass_resources,
    declared,
    dependencies_of,
    elements,
    get,
    graph_kind,
    is_production,
    label,
    meta,
    now,
    role_grants,
    unverified,
    verifying,
)
from .paw import is_paw

STRENGTH = "azuread:index/authenticationStrengthPolicy:AuthenticationStrengthPolicy"
PAW_COMPONENT = "privileged-access:index:PawHostPool"
PAW_FILTERS = "pawDeviceFilters"
GROUP_WITHOUT_MEMBERS = "azuread:index/groupWithoutMembers:GroupWithoutMembers"
PIM_GROUP_SCHEDULES = (
    "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule",
    "azuread:index/privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule",
)
REPORT_ONLY = "enabledForReportingButNotEnforced"
ROLLOUT_KEY = "reportOnlyUntil"
MAX_ROLLOUT = "maxStagedRolloutDays"
DEVICE_CONTROLS = {"compliantdevice", "domainjoineddevice"}
MODERN_CLIENTS = {"browser", "mobileappsanddesktopclients"}
GUESTS = "guestsorexternalusers"  # the excludeUsers keyword for every guest and external user
# grant controls the reader reads (azuread's names, which ca_view gives the Graph shape too); any other key is a
# control it does not know, which under operator OR may replace the required one
GRANT_READ = {"operator", "builtInControls", "authenticationStrengthPolicyId", "termsOfUses"}
NARROWING = (  # conditions that limit a policy to some sign-ins (any value but empty narrows it)
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "authenticationFlowTransferMethods",
)


def _name(value: Any) -> Any:
    """A list entry as the pack compares it: IDs and keywords in lower case (URNs as they are)."""
    return value.strip().lower() if isinstance(value, str) and not value.startswith("urn:") else value


def _has_all(items: Iterable[Any]) -> bool:
    return "all" in items


def _type_is(resource: Any, token: str) -> bool:
    """Same type, whatever module path or API version the token was written with."""
    return _type_is_token(str(resource.resource_type), token)


def _type_is_token(resource_type: str, token: str) -> bool:
    mine, other = str(resource_type).split(":"), token.split(":")
    return len(mine) == 3 and mine[0] == other[0] and mine[2] == other[2]


# --- one reader for both shapes ---------------------------------------------------------------------

GRAPH_KIND = CONDITIONAL_ACCESS_POLICY  # components/graph/conditional_access_policy.py GRAPH_KIND, exactly
# Graph's own camelCase spellings (msgraph_beta models ConditionalAccessConditionSet, ConditionalAccessUsers,
# ConditionalAccessApplications, ConditionalAccessDevices, ConditionalAccessFilter, ConditionalAccessGrantControls,
# ConditionalAccessSessionControls, ...; tests/test_ca_graph_keys.py keeps them equal to the installed SDK). Graph reads
# property names in any case, so the reader folds each key to its spelling here before reading it.
CONDITION_KEYS = (
    "agentContext",
    "agentIdRiskLevels",
    "agents",
    "applications",
    "authenticationFlows",
    "clientAppTypes",
    "clientApplications",
    "deviceStates",
    "devices",
    "insiderRiskLevels",
    "locations",
    "platforms",
    "servicePrincipalRiskLevels",
    "signInRiskLevels",
    "userRiskLevels",
    "users",
)
GRANT_KEYS = ("authenticationStrength", "builtInControls", "customAuthenticationFactors", "operator", "termsOfUse")
SESSION_KEYS = (
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "continuousAccessEvaluation",
    "disableResilienceDefaults",
    "globalSecureAccessFilteringProfile",
    "persistentBrowser",
    "secureSignInSession",
    "signInFrequency",
)
DEVICE_KEYS = ("deviceFilter", "excludeDeviceStates", "excludeDevices", "includeDeviceStates", "includeDevices")
FILTER_KEYS = ("mode", "rule")
CLIENT_APP_KEYS = (
    "agentIdServicePrincipalFilter",
    "excludeAgentIdServicePrincipals",
    "excludeServicePrincipals",
    "includeAgentIdServicePrincipals",
    "includeServicePrincipals",
    "servicePrincipalFilter",
)
_GRAPH_USERS = {
    "includeUsers": "includedUsers",
    "excludeUsers": "excludedUsers",
    "includeGroups": "includedGroups",
    "excludeGroups": "excludedGroups",
    "includeRoles": "includedRoles",
    "excludeRoles": "excludedRoles",
    "includeGuestsOrExternalUsers": "includedGuestsOrExternalUsers",
    "excludeGuestsOrExternalUsers": "excludedGuestsOrExternalUsers",
}
_GRAPH_APPS = {
    "includeApplications": "includedApplications",
    "excludeApplications": "excludedApplications",
    "includeUserActions": "includedUserActions",
    "includeAuthenticationContextClassReferences": "includedAuthenticationContextClassReferences",
    "applicationFilter": "filter",
}
_GRAPH_APPS_UNREAD = ("globalSecureAccess", "networkAccess")  # beta application conditions the reader does not judge
_GRAPH_INCLUDE_EXCLUDE = {
    "locations": ("includeLocations", "excludeLocations", "includedLocations", "excludedLocations"),
    "platforms": ("includePlatforms", "excludePlatforms", "includedPlatforms", "excludedPlatforms"),
}
_GRAPH_SAME = (
    "clientAppTypes",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
)
UNREAD = "unreadConditions"  # Graph conditions the reader does not know: they narrow the policy


def ca_kind(resource_type: str, props: Any) -> str | None:
    """ "azuread"; "graph" (a dynamic resource whose graphKind is exactly `conditionalAccessPolicy`); "graph~" (a
    dynamic resource whose known graphKind is none of ours, e.g. `ConditionalAccessPolicies` or none, that carries
    conditions or controls: a provider may write it to Graph, so it is judged as a CA policy, never coverage);
    "graph?" (graphKind unknown at preview, with that shape: it may be one); or None: not a CA policy
    (`common.graph_kind`)."""
    if _type_is_token(resource_type, CA):
        return "azuread"
    return {EXACT: "graph", SHAPED: "graph~", MAYBE: "graph?"}.get(graph_kind(resource_type, props, GRAPH_KIND) or "")


def _fold(value: Any, names: Iterable[str], where: str, unread: list[str]) -> Any:
    """A Graph object with its keys in Graph's spelling (`names`), whatever case they were written in (Graph reads
    them case-insensitively); OData annotations dropped. A key that matches no name in any case is kept under its own
    name and listed in `unread` (`where`.key), as are two spellings of one key (their lists are joined)."""
    if not isinstance(value, dict):
        return value
    spelling = {n.lower(): n for n in names}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if "@odata" in key:
            continue
        name = spelling.get(key.lower(), key)
        if name not in spelling.values() and item not in (None, [], {}):
            unread.append(f"{where}{key}")
        if name in out:
            unread.append(f"{where}{name} (written in more than one case)")
            first = out[name]
            item = [*first, *item] if isinstance(first, list) and isinstance(item, list) else UNKNOWN_VALUE
        out[name] = item
    return out


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    return {names.get(k, k): v for k, v in value.items()}


def _graph_conditions(cond: Any) -> Any:
    if not isinstance(cond, dict):
        return cond
    unread: list[str] = []
    cond = _fold(cond, CONDITION_KEYS, "", unread)
    out: dict[str, Any] = {"users": _renamed(_fold(cond.get("users"), _GRAPH_USERS, "users.", unread), _GRAPH_USERS)}
    apps = _fold(cond.get("applications"), [*_GRAPH_APPS, *_GRAPH_APPS_UNREAD], "applications.", unread)
    if isinstance(apps, dict):
        unread += [f"applications.{k}" for k in _GRAPH_APPS_UNREAD if apps.get(k) not in (None, [], {})]
    out["applications"] = _renamed(apps, _GRAPH_APPS)
    for key in _GRAPH_SAME:
        if key in cond:
            out[key] = cond[key]
    for key, (inc, exc, inc_to, exc_to) in _GRAPH_INCLUDE_EXCLUDE.items():
        if key in cond:
            out[key] = _renamed(_fold(cond[key], (inc, exc), f"{key}.", unread), {inc: inc_to, exc: exc_to})
    devices = _fold(cond.get("devices"), DEVICE_KEYS, "devices.", unread)
    if devices is not None:
        device_filter = get(devices, "deviceFilter")
        device_filter = _fold(device_filter, FILTER_KEYS, "devices.deviceFilter.", unread)
        out["devices"] = devices if is_unknown(devices) else {"filter": device_filter}
        legacy = [
            k
            for k in ("includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates")
            if elements(devices, k)
        ]
        unread.extend(f"devices.{k}" for k in legacy)
    flows = _fold(cond.get("authenticationFlows"), ("transferMethods",), "authenticationFlows.", unread)
    if flows is not None:
        methods = get(flows, "transferMethods")
        out["authenticationFlowTransferMethods"] = (
            methods if is_unknown(methods) else [m.strip() for m in str(methods or "").split(",") if m.strip()]
        )
    apps = _fold(cond.get("clientApplications"), CLIENT_APP_KEYS, "clientApplications.", unread)
    if apps is not None:
        out["clientApplications"] = _renamed(
            apps,
            {
                "includeServicePrincipals": "includedServicePrincipals",
                "excludeServicePrincipals": "excludedServicePrincipals",
                "servicePrincipalFilter": "filter",
            },
        )
    read = {
        "users",
        "applications",
        "devices",
        "authenticationFlows",
        "clientApplications",
        *_GRAPH_SAME,
        *_GRAPH_INCLUDE_EXCLUDE,
    }
    unread += sorted(k for k, v in cond.items() if k not in read and v not in (None, [], {}) and k in CONDITION_KEYS)
    if unread:
        out[UNREAD] = list(dict.fromkeys(unread))
    return out


def _graph_grant(grant: Any) -> Any:
    """Graph's grant controls in azuread's names; a key the reader does not know stays under its own name (under
    operator OR it is an alternative that may replace the required control)."""
    if not isinstance(grant, dict):
        return grant
    out = _renamed(_fold(grant, GRANT_KEYS, "grantControls.", []), {"termsOfUse": "termsOfUses"})
    strength = out.pop("authenticationStrength", None)
    if strength is not None:
        strength = _fold(strength, ("id",), "", [])
        out["authenticationStrengthPolicyId"] = strength if is_unknown(strength) else get(strength, "id")
    return out


def _graph_session(session: Any) -> Any:
    if not isinstance(session, dict):
        return session
    out = dict(_fold(session, SESSION_KEYS, "sessionControls.", []))
    cae = out.pop("continuousAccessEvaluation", None)
    if cae is not None:
        cae = _fold(cae, ("mode",), "", [])
        out["continuousAccessEvaluationMode"] = cae if is_unknown(cae) else get(cae, "mode")
    return out


def ca_view(resource_type: str, props: Any) -> dict | None:
    """A CA policy's props (azuread's or the Graph resource's; a proxy or plain data) in ONE shape, azuread's wire
    names, or None when the resource is not a CA policy (see `ca_kind`). Unknowns stay UNKNOWN where they are."""
    kind = ca_kind(resource_type, props)
    if kind is None:
        return None
    plain = get(props)
    if not isinstance(plain, dict):
        return {}
    if kind == "azuread":
        return plain
    plain = _fold(
        plain, ("graphKind", "displayName", "state", "conditions", "grantControls", "sessionControls"), "", []
    )
    return {
        "displayName": plain.get("displayName"),
        "state": plain.get("state"),
        "conditions": _graph_conditions(plain.get("conditions")),
        "grantControls": _graph_grant(plain.get("grantControls")),
        "sessionControls": _graph_session(plain.get("sessionControls")),
    }


# --- three-valued checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A verdict that may hang on unknowns: ok True/False/None (unknown), with the unknown fields and reasons."""

    ok: bool | None
    unknown: tuple[str, ...] = ()
    why: tuple[str, ...] = ()

    def __and__(self, other: Check) -> Check:
        if self.ok is False or other.ok is False:
            ok: bool | None = False
        elif self.ok is None or other.ok is None:
            ok = None
        else:
            ok = True
        return Check(ok, self.unknown + other.unknown, self.why + other.why)


YES = Check(True)


def fails(why: str = "") -> Check:
    """False; `why` (when given) says what the policy lacks, for the violation message."""
    return Check(False, why=(why,) if why else ())


def maybe(what: str) -> Check:
    return Check(None, unknown=(what,))


def every(checks: Iterable[Check]) -> Check:
    result = YES
    for check in checks:
        result = result & check
    return result


# --- reading a policy ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """A list field: its known entries (compared lower case), how many are unknown, whether the list is."""

    known: tuple[Any, ...]
    unknown: int
    whole: bool

    @property
    def slots(self) -> float:
        """How many unknown entries it may hold."""
        return math.inf if self.whole else self.unknown

    @property
    def empty(self) -> bool:
        return not self.known and not self.slots


def _ids(value: Any, *path: str) -> Ids:
    raw = get(value, *path)
    if is_unknown(raw):
        return Ids((), 0, True)
    items = elements(raw)
    known = tuple(_name(i) for i in items if not is_unknown(i))
    return Ids(known, len(items) - len(known), False)


@dataclass(frozen=True)
class Context:
    """What every CA rule needs about the stack: break-glass accounts, admin principals, production, today."""

    resources: list
    config_bg: frozenset[str]
    declared_bg: dict[str, str]  # URN -> "user" | "group"
    bg_ids: frozenset[str]  # configured break-glass IDs and the known object IDs of the declared accounts (lower case)
    bg_names: dict[str, str]  # URN -> resource name
    admin_principals: frozenset[Any]  # URNs and known IDs of the principals of privileged grants
    admin_accounts: frozenset[str]  # known IDs of eligible admins (PIM-group schedules, eligible privileged grants)
    production: bool
    today: date
    max_rollout: int
    paw_filters: frozenset[str] = frozenset()  # the PAW device filters a block may exclude (normal_filter)
    paw_filter_unknown: bool = False  # a declared PAW publishes a device filter unknown at preview

    @staticmethod
    def of(args: Any) -> Context:
        genuine = break_glass_accounts(args.resources)  # the component's type token alone proves nothing
        accounts = [a for a in break_glass_resources(args.resources) if a.urn in genuine]
        grants = role_grants(args.resources)
        config = args.get_config() or {}
        config_bg = frozenset(_name(i) for i in break_glass_config(args))
        urns = {a.urn for a in accounts}
        known = (get(r.props, "objectId") for r in args.resources if r.urn in urns)
        return Context(
            resources=list(args.resources),
            config_bg=config_bg,
            declared_bg={a.urn: a.kind for a in accounts},
            bg_ids=config_bg | {_name(i) for i in known if isinstance(i, str) and i.strip()},
            bg_names={a.urn: a.name for a in accounts},
            admin_principals=frozenset(
                _name(g.principal) for g in grants if g.role in PRIVILEGED_ROLE_IDS and not is_unknown(g.principal)
            ),
            admin_accounts=_admin_accounts(args.resources, grants),
            production=is_production(args),
            today=now().date(),
            max_rollout=int(config.get(MAX_ROLLOUT, ROLLOUT_SCHEMA[MAX_ROLLOUT]["default"])),
            **_paw_filters(args),
        )

    @property
    def knows_break_glass(self) -> bool:
        return bool(self.config_bg or self.declared_bg)


@dataclass
class CaPolicy:
    """The facts of one CA policy that the rules use, read without touching unknowns."""

    resource: Any
    ctx: Context
    deps: list = field(default_factory=list)

    def __post_init__(self) -> None:
        # What the program declares: under the engine, AnalyzeStack gets outputs, where an optional block the program
        # left out (grantControls of a session-only policy) is an unknown computed output, not an unknown decision.
        props = ca_view(self.resource.resource_type, declared(self.resource)) or {}
        self.kind = ca_kind(self.resource.resource_type, self.resource.props)
        self.urn = self.resource.urn
        graph = self.kind in ("graph", "graph~", "graph?")
        self.label = f"GraphConditionalAccessPolicy '{self.resource.name}'" if graph else label(self.resource)
        self.props = props
        self.state = get(props, "state")
        users = get(props, "conditions", "users")
        self.inc_users, self.ex_users = _ids(users, "includedUsers"), _ids(users, "excludedUsers")
        self.inc_groups, self.ex_groups = _ids(users, "includedGroups"), _ids(users, "excludedGroups")
        self.inc_roles, self.ex_roles = _ids(users, "includedRoles"), _ids(users, "excludedRoles")
        apps = get(props, "conditions", "applications")
        self.apps, self.ex_apps = _ids(apps, "includedApplications"), _ids(apps, "excludedApplications")
        self.conditions = get(props, "conditions")
        self.grant = get(props, "grantControls")
        self.controls = _ids(self.grant, "builtInControls")
        self.operator = get(self.grant, "operator")
        self.strength = get(self.grant, "authenticationStrengthPolicyId")
        self.terms = _ids(self.grant, "termsOfUses")
        self.contexts = _ids(apps, "includedAuthenticationContextClassReferences")
        self.session = get(props, "sessionControls")
        self.dep_urns = {d.urn for d in self.deps}
        self.user_deps = [d for d in self.deps if _type_is(d, USER)]
        self.group_deps = [d for d in self.deps if _type_is(d, GROUP) or _type_is(d, GROUP_WITHOUT_MEMBERS)]

    def known_kind(self) -> Check:
        """A CA policy for certain (azuread's type, or our Graph resource's exact graphKind): coverage needs it. A
        dynamic resource whose graphKind is another spelling is judged for harm but never covers anything."""
        if self.kind == "graph~":
            return fails(
                f"is a dynamic resource whose graphKind is not exactly {GRAPH_KIND!r} (it never counts as coverage)"
            )
        return self.may_be_policy()

    def may_be_policy(self) -> Check:
        """A CA policy for the harm rules (a lockout, an exclusion): certain unless its graphKind is unknown."""
        return maybe(f"{self.label} graphKind") if self.kind == "graph?" else YES

    # -- who ------------------------------------------------------------------------------------

    def _bg_refs(self, kind: str) -> tuple[list, list]:
        """(break-glass, other) resources of `kind` the conditions depend on."""
        deps = self.user_deps if kind == "user" else self.group_deps
        bg = [d for d in deps if self.ctx.declared_bg.get(d.urn) == kind]
        return bg, [d for d in deps if d not in bg]

    def _lists(self, kind: str) -> tuple[Ids, Ids]:
        return (self.inc_users, self.ex_users) if kind == "user" else (self.inc_groups, self.ex_groups)

    def all_users(self) -> Check:
        """Includes "All" users (an unknown user list that is not just declared users' IDs may be "All")."""
        if _has_all(self.inc_users.known):
            return YES
        if self.inc_users.whole or self.inc_users.unknown + self.ex_users.slots > len(self.user_deps):
            return maybe(f"{self.label} conditions.users.includedUsers")
        return fails("does not include All users")

    def global_admins(self) -> Check:
        if GLOBAL_ADMINISTRATOR in self.inc_roles.known:
            return YES
        return maybe(f"{self.label} conditions.users.includedRoles") if self.inc_roles.slots else fails()

    def excluded_bg(self) -> list[str]:
        """The known break-glass accounts its exclusions certainly hold (configured IDs, declared accounts)."""
        held = sorted(self.ctx.config_bg & (set(self.ex_users.known) | set(self.ex_groups.known)))
        for kind in ("user", "group"):
            bg, other = self._bg_refs(kind)
            included, excluded = self._lists(kind)
            # an unknown exclusion is a break-glass account only if the others cannot fill every slot
            if bg and excluded.slots and (not included.slots or excluded.slots > len(other)):
                held += sorted(self.ctx.bg_names[d.urn] for d in bg)
        return held

    def excludes_only_break_glass(self) -> Check:
        """Its exclusions hold break-glass accounts and nobody else: no role, no other user or group."""
        guests = get(self.conditions, "users", "excludedGuestsOrExternalUsers")
        checks = [
            fails("excludes roles") if self.ex_roles.known else YES,
            maybe(f"{self.label} conditions.users.excludedRoles") if self.ex_roles.slots else YES,
            maybe(f"{self.label} conditions.users.excludedGuestsOrExternalUsers")
            if is_unknown(guests)
            else fails("excludes guests or external users")
            if guests not in (None, {}, [])
            else YES,
        ]
        for kind in ("user", "group"):
            included, excluded = self._lists(kind)
            field_name = "excludedUsers" if kind == "user" else "excludedGroups"
            # every known entry is a break-glass account (configured, or a declared account's known object ID), or
            # it is someone who escapes: an existing group, the author's own account, GuestsOrExternalUsers
            others = [i for i in excluded.known if i not in self.ctx.bg_ids]
            if GUESTS in others:
                checks.append(fails("excludes GuestsOrExternalUsers"))
                others.remove(GUESTS)
            if others:
                admins = self.ctx.admin_accounts if kind == "user" else self.ctx.admin_principals
                admin = " (admins of this stack among them)" if set(others) & admins else ""
                checks.append(fails(f"excludes {len(others)} {kind}(s) by ID that are not break-glass accounts{admin}"))
            if not excluded.slots:
                continue
            bg, other = self._bg_refs(kind)
            names = ", ".join(sorted(d.name for d in other))
            if excluded.slots > len(bg) and other and not excluded.whole:
                checks.append(fails(f"excludes {kind}s that are not break-glass accounts ({names})"))
            elif excluded.slots > len(bg) or (other and included.slots):
                checks.append(maybe(f"{self.label} conditions.users.{field_name}"))
            elif other:
                checks.append(fails(f"excludes {kind}s that are not break-glass accounts ({names})"))
        return every(checks)

    def targets_admins(self) -> Check:
        """Targets privileged roles, a principal of a privileged grant, or the break-glass accounts (their own
        policy); an "All users" policy is not an admin policy."""
        if set(self.inc_roles.known) & PRIVILEGED_ROLE_IDS:
            return YES
        included = set(self.inc_groups.known) | set(self.inc_users.known)
        if included & (self.ctx.admin_principals | self.ctx.config_bg) or self.own_break_glass_policy():
            return YES
        if self.inc_groups.slots and {d.urn for d in self.group_deps} & self.ctx.admin_principals:
            return YES
        return maybe(f"{self.label} conditions.users.includedRoles") if self.inc_roles.slots else fails()

    def own_break_glass_policy(self) -> bool:
        """The break-glass accounts' own policy: it includes them and nobody else."""
        if _has_all(self.inc_users.known) or self.inc_roles.known or self.inc_roles.slots or not self.inc_groups.empty:
            return False
        users = [u for u in self.inc_users.known if u != "none"]
        if users:
            return set(users) <= self.ctx.config_bg and not self.inc_users.slots
        bg, other = self._bg_refs("user")
        return bool(self.inc_users.unknown) and not self.inc_users.whole and bool(bg) and not other

    # -- what -----------------------------------------------------------------------------------

    def all_resources(self) -> Check:
        """Includes "All" resources (an unknown entry that is not a declared resource's ID may be "All")."""
        if _has_all(self.apps.known):
            return YES
        linked = len(self.deps) - len(self.user_deps) - len(self.group_deps)  # apps, service principals, ...
        if self.apps.slots > linked:
            return maybe(f"{self.label} conditions.applications.includedApplications")
        return fails()

    def every_sign_in(self) -> Check:
        """Nothing narrows it: all resources with none excluded, every client app type, no other condition."""
        apps = self.all_resources()
        checks = [apps if apps.ok is not False else fails("does not target All resources")]
        if self.ex_apps.known:
            checks.append(fails("excludes applications from All resources"))
        elif self.ex_apps.slots:
            checks.append(maybe(f"{self.label} conditions.applications.excludedApplications"))
        if _ids(self.conditions, "applications", "includedUserActions").known:
            checks.append(fails("targets user actions, not sign-ins"))
        checks.append(self.unconditioned())
        return every(checks)

    def unconditioned(self, device_filter: bool = False) -> Check:
        """No condition narrows it to some sign-ins (client apps, locations, platforms, devices, risk, flows, filters,
        workload identities); with `device_filter`, a device filter is the policy's point and allowed."""
        checks = [self._narrowed_elsewhere(), self._client_apps()]
        checks.append(self._everywhere("locations", "Locations", "locations"))
        checks.append(self._everywhere("platforms", "Platforms", "platforms"))
        devices = get(self.conditions, "devices")
        if is_unknown(devices) or is_unknown(get(devices, "filter")):
            checks.append(maybe(f"{self.label} conditions.devices"))
        elif get(devices, "filter") is not None and not device_filter:
            checks.append(fails("applies only to some devices (device filter)"))
        for key in NARROWING:
            values = _ids(self.conditions, key)
            if values.known:
                checks.append(fails(f"applies only to some sign-ins ({key})"))
            elif values.slots:
                checks.append(maybe(f"{self.label} conditions.{key}"))
        return every(checks)

    def _narrowed_elsewhere(self) -> Check:
        """An application filter, a workload-identity (service principal) condition, or a Graph condition the reader
        does not know: each limits the policy to some sign-ins."""
        checks = []
        for path, why in (
            (("applications", "filter"), "applies only to the applications an application filter matches"),
            (("clientApplications",), "applies to workload identities (clientApplications), not to every sign-in"),
        ):
            value = get(self.conditions, *path)
            if is_unknown(value):
                checks.append(maybe(f"{self.label} conditions.{'.'.join(path)}"))
            elif value not in (None, {}, []):
                checks.append(fails(why))
        unread = get(self.conditions, UNREAD)
        if unread:
            checks.append(fails(f"has conditions the pack does not read ({', '.join(map(str, unread))})"))
        return every(checks)

    def _client_apps(self) -> Check:
        raw = get(self.conditions, "clientAppTypes")
        if raw is None:
            return YES  # Graph's default: all
        types = _ids(self.conditions, "clientAppTypes")
        if _has_all(types.known) or set(types.known) >= MODERN_CLIENTS:
            return YES
        if types.slots:
            return maybe(f"{self.label} conditions.clientAppTypes")
        return fails("applies only to some client app types (neither all nor both browser and modern clients)")

    def _everywhere(self, key: str, suffix: str, what: str) -> Check:
        """Locations / platforms: absent, or All included and nothing excluded."""
        value = get(self.conditions, key)
        if value is None:
            return YES
        if is_unknown(value):
            return maybe(f"{self.label} conditions.{key}")
        included, excluded = _ids(value, f"included{suffix}"), _ids(value, f"excluded{suffix}")
        if excluded.known or (included.known and not _has_all(included.known)):
            return fails(f"applies only to some {what} (excluded or not All)")
        if excluded.slots or included.slots:
            return maybe(f"{self.label} conditions.{key}")
        return YES

    # -- controls -------------------------------------------------------------------------------

    def _other_grant_keys(self) -> dict[str, Any]:
        """Grant keys the reader does not read (customAuthenticationFactors, a key in another spelling, ...), set."""
        grant = self.grant if isinstance(self.grant, dict) else {}
        return {k: v for k, v in grant.items() if k not in GRANT_READ and "@odata" not in k and v not in (None, [], {})}

    def blocks_or_requires(self) -> Check:
        if self.controls.known or self.terms.known or (self.strength is not None and not is_unknown(self.strength)):
            return YES
        if self._other_grant_keys():
            return YES  # a control the pack does not read is still a control: a lockout may hang on it
        if is_unknown(self.grant) or self.controls.slots or self.terms.slots or is_unknown(self.strength):
            return maybe(f"{self.label} grantControls")
        return fails()

    def sole_or_and(self, extra: set[str], strength: bool = False) -> Check:
        """Nothing else the grant offers can replace the required control (the built-in controls `extra`, or with
        `strength` the authentication strength): operator AND, or no alternative offered. Under OR (or no operator)
        every other control is an alternative that satisfies the policy alone: another built-in control, the
        strength (when a built-in control is required), a terms of use, a custom authentication factor, and any grant
        key the reader does not know (it may be one)."""
        if self.operator == "AND":
            return YES
        if is_unknown(self.grant):
            return maybe(f"{self.label} grantControls")
        offered, undecided = [], False
        if set(self.controls.known) - extra:
            offered.append("another built-in control")
        if not strength and self.strength is not None:
            offered.append("an authentication strength")
        if self.terms.known:
            offered.append("a terms of use")
        others = self._other_grant_keys()
        if others:
            offered.append(f"{len(others)} grant control(s) the pack does not read (e.g. customAuthenticationFactors)")
        undecided = bool(self.controls.slots or self.terms.slots)
        if not offered and not undecided:
            return YES
        if is_unknown(self.operator) or not offered:
            return maybe(f"{self.label} grantControls")
        return fails(f"lets other controls replace it (operator OR with {', '.join(offered)})")

    def phishing_resistant(self, by_urn: dict) -> Check:
        """Requires the built-in phishing-resistant strength, or a declared strength with only PR methods."""
        if self.strength is None:
            return fails("requires no authentication strength")
        check = self.sole_or_and(set(), strength=True)
        if not is_unknown(self.strength):
            ok = guid_in(self.strength) == BUILTIN_PHISHING_RESISTANT_STRENGTH
            return check & (YES if ok else fails("requires a strength that is not phishing-resistant"))
        strengths = [
            by_urn[d.urn]
            for d in dependencies_of(self.resource, "grantControls")
            if d.urn in by_urn and _type_is(by_urn[d.urn], STRENGTH)
        ]
        if not strengths:
            return check & maybe(f"{self.label} grantControls.authenticationStrengthPolicyId")
        return check & every(_pr_only(s) for s in strengths)

    def blocks_outside_paw(self) -> Check:
        """Blocks every device outside the PAW: grant block, device filter mode exclude, and a rule that IS the PAW's
        device filter (`Context.paw_filters`). Any other rule decides which devices escape the block (a rule matching
        every device blocks none), so it does not count."""
        where = f"{self.label} grantControls / conditions.devices.filter"
        if "block" not in self.controls.known:
            if self.controls.slots or is_unknown(self.grant):
                return maybe(where)
            return fails("does not block devices outside a device filter (mode exclude)")
        mode = get(self.conditions, "devices", "filter", "mode")
        rule = get(self.conditions, "devices", "filter", "rule")
        if is_unknown(mode) or is_unknown(rule):
            return maybe(where)
        if mode != "exclude" or not isinstance(rule, str) or not rule.strip():
            return fails("does not block devices outside a device filter (mode exclude)")
        if normal_filter(rule) in self.ctx.paw_filters:
            return YES
        if self.ctx.paw_filter_unknown:
            return maybe("PawHostPool deviceFilter")
        if not self.ctx.paw_filters:
            return fails(
                "blocks devices outside a filter, but no PAW device filter is known to compare it with (declare the "
                f"PawHostPool, or list the filter in the pack config's {PAW_FILTERS})"
            )
        return fails(
            "blocks devices outside a filter that is not the PAW's device filter (the filter decides which devices "
            f"escape the block; use the PawHostPool's deviceFilter or one listed in {PAW_FILTERS})"
        )

    # -- state ----------------------------------------------------------------------------------

    def enabled(self) -> Check:
        """Enabled for the lockout check (report-only blocks nobody)."""
        if self.state == "enabled":
            return YES
        return maybe(f"{self.label} state") if is_unknown(self.state) else fails(f"is {self.state}")

    def enforced(self) -> Check:
        """Counts as in force: enabled, or report-only inside a staged rollout that has not ended."""
        if self.state == "enabled" or is_unknown(self.state):
            return self.enabled()
        if self.state != REPORT_ONLY:
            return fails(f"is {self.state}")
        return self.rollout()

    def rollout(self) -> Check:
        """A declared staged rollout (reportOnlyUntil on a component it is declared in) that has not ended."""
        if self.ctx.production:
            return fails("is report-only, and report-only does not count in production (no staged rollout there)")
        end = _rollout_end(self.resource)
        if end is None:
            return fails(
                "is report-only, and report-only does not count without a staged rollout with an end date "
                f"(conditionalAccess.{ROLLOUT_KEY})"
            )
        if is_unknown(end):
            return maybe(f"{self.label} staged rollout end date ({ROLLOUT_KEY})")
        if not isinstance(end, date):
            return fails(f"is report-only, and its staged rollout end date ({ROLLOUT_KEY}) is not a YYYY-MM-DD date")
        if end < self.ctx.today:
            return fails(f"is report-only, and its staged rollout ended on {end.isoformat()}")
        if (end - self.ctx.today).days > self.ctx.max_rollout:
            return fails(
                f"is report-only until {end.isoformat()}, more than {self.ctx.max_rollout} days away "
                f"({MAX_ROLLOUT}): that is not a staged rollout"
            )
        return Check(True, why=(f"is report-only until {end.isoformat()} (staged rollout)",))


def normal_filter(rule: str) -> str:
    """A device filter rule as the pack compares it: whitespace collapsed and everything outside quotes (operators,
    property names, True/False) in lower case; quoted values exactly as written."""
    parts = re.split(r'("[^"]*")', rule)
    return " ".join(" ".join(part if part.startswith('"') else part.lower() for part in parts).split())


# the filter PawHostPool publishes (components/paw.py device_filter_rule): its session hosts by name, Entra-joined and
# compliant; a PAW component whose filter has another shape (a catch-all, another property) is not believed
_PAW_FILTER_SHAPE = re.compile(
    r'^device\.displayname -startswith "[A-Za-z0-9][A-Za-z0-9-]*-" -and device\.trusttype -eq "AzureAD" '
    r"-and device\.iscompliant -eq true$"
)


def _paw_filters(args: Any) -> dict:
    """The device filters a PAW block may exclude: each declared PawHostPool's published `deviceFilter` (in the
    shape the component guarantees), and the pack config's `pawDeviceFilters`."""
    found = {normal_filter(str(f)) for f in (args.get_config() or {}).get(PAW_FILTERS) or [] if str(f).strip()}
    unknown = False
    for r in args.resources:
        if r.resource_type != PAW_COMPONENT:
            continue
        rule = get(r.props, "deviceFilter")
        if is_unknown(rule):
            unknown = True
        elif isinstance(rule, str) and _PAW_FILTER_SHAPE.match(normal_filter(rule)):
            found.add(normal_filter(rule))
    return {"paw_filters": frozenset(found), "paw_filter_unknown": unknown}


def _admin_accounts(resources: Iterable[Any], grants: Iterable[Any]) -> frozenset[str]:
    """Known object IDs of admins who reach a role through PIM: eligible for a privileged role, or scheduled into a
    PIM group. (A known standing holder is break-glass or already a violation of the standing-access policies.)"""
    ids = {_name(g.principal) for g in grants if g.role in PRIVILEGED_ROLE_IDS and not g.active}
    for r in resources:
        if any(_type_is(r, t) for t in PIM_GROUP_SCHEDULES):
            ids.add(_name(get(r.props, "principalId")))
    return frozenset(i for i in ids if isinstance(i, str) and not i.startswith("urn:"))


def _rollout_end(resource: Any) -> Any:
    """The `reportOnlyUntil` of the nearest component `resource` is declared in: a date, UNKNOWN, the
    string "invalid", or None when no ancestor declares one."""
    parent, seen = getattr(resource, "parent", None), 0
    while parent is not None and seen < 1000:
        value = get(parent.props, ROLLOUT_KEY)
        if value is not None:
            if is_unknown(value):
                return value
            try:
                return date.fromisoformat(value) if len(str(value)) == 10 else datetime.fromisoformat(value).date()
            except (TypeError, ValueError):
                return "invalid"
        parent, seen = getattr(parent, "parent", None), seen + 1
    return None


def _pr_only(strength: Any) -> Check:
    methods = _ids(strength.props, "allowedCombinations")
    if methods.slots:
        return maybe(f"{label(strength)} allowedCombinations")
    canonical = {m.lower() for m in PHISHING_RESISTANT_METHODS}
    ok = bool(methods.known) and set(methods.known) <= canonical
    return YES if ok else fails("requires a strength that allows methods other than phishing-resistant ones")


def _ca_policies(args: Any, ctx: Context) -> list[CaPolicy]:
    """The stack's CA policies, in URN order (messages that list several read the same on every run)."""
    return [
        CaPolicy(r, ctx, dependencies_of(r, "conditions"))
        for r in sorted(args.resources, key=lambda r: r.urn)
        if ca_kind(r.resource_type, r.props) is not None
    ]


def ca_policies(args: Any, ctx: Context) -> list[CaPolicy]:
    """The stack's CA policies in both shapes (see `ca_view`), in URN order: for policies in other modules."""
    return _ca_policies(args, ctx)


def _report_unverified(args, report, checks: Iterable[tuple[CaPolicy, Check]]) -> None:
    for policy, check in checks:
        for what in dict.fromkeys(check.unknown):
            unverified(args, report, what, policy.urn)


# --- policies ------------------------------------------------------------------------------------


@verifying
def _lockout(args, report) -> None:
    ctx = Context.of(args)
    for p in _ca_policies(args, ctx):
        who = p.all_users()
        if who.ok is not True and p.global_admins().ok is True:
            who = p.global_admins()
        shape = p.enabled() & who & p.all_resources() & p.blocks_or_requires() & p.may_be_policy()
        if shape.ok is False:
            continue
        held = p.excluded_bg()
        missing = sorted(ctx.config_bg - set(p.ex_users.known) - set(p.ex_groups.known))
        if held and not missing:
            continue
        if shape.ok is None:
            _report_unverified(args, report, [(p, shape)])
            continue
        audience = "all users" if _has_all(p.inc_users.known) else "Global Administrators"
        if p.ex_users.empty and p.ex_groups.empty:
            problem = "excludes nobody"
        elif not ctx.knows_break_glass:
            problem = "excludes no account the pack knows as break-glass (none is declared or configured)"
        elif not held:
            problem = "its exclusions hold no known break-glass account (including one is not excluding it)"
        else:
            problem = f"does not exclude break-glass {missing}"
        report(
            f"{p.label} is enabled, applies to {audience} and all resources, and {problem}: one mistake in its "
            "controls locks every administrator, break-glass included, out of the tenant.",
            p.urn,
        )


def _role_exclusions(args, report) -> None:
    view = ca_view(args.resource_type, args.props)
    if view is None:
        return
    users = get(view, "conditions", "users")
    roles, ex_roles, inc_users = (
        _ids(users, "includedRoles"),
        _ids(users, "excludedRoles"),
        _ids(users, "includedUsers"),
    )
    if ex_roles.empty or not (roles.known or roles.slots or _has_all(inc_users.known) or inc_users.slots):
        return
    if ex_roles.known:
        # only catalog role IDs are shown (a fact); anything else may be a secret and is counted
        shown = sorted(i for i in ex_roles.known if i in ENTRA_ROLE_NAMES)
        others = len(ex_roles.known) - len(shown)
        report(
            f"excludes roles {shown}" + (f" and {others} other role ID(s)" if others else "") + ": anyone holding "
            "an excluded role escapes the policy; exclude only the break-glass accounts, by user."
        )
    else:
        unverified(args, report, f"{label(args)} conditions.users.excludedRoles")


def _staged(args, report, advisory: bool) -> None:
    ctx = Context.of(args)
    for p in _ca_policies(args, ctx):
        if p.state == "enabled":
            continue
        admins = p.targets_admins()
        if admins.ok is False:
            continue
        state = p.enforced()
        if advisory:
            if admins.ok and state.ok:
                report(
                    f"{p.label} {state.why[0]}; enforce it by then, once the sign-in logs show no unexpected "
                    "failures (docs/conditional-access-rollout.md).",
                    p.urn,
                )
            continue
        if admins.ok and state.ok is False:
            report(f"{p.label}: admin policy {state.why[0]}; set it enabled (conditionalAccess.enforce).", p.urn)
        elif admins.ok is None or state.ok is None:
            _report_unverified(args, report, [(p, admins & state)])


def _coverage(args, report, ctx: Context, what: str, checks: list[tuple[CaPolicy, Check]], fix: str) -> None:
    """The stack needs one policy whose check holds: unverified when one might, else a violation naming why not."""
    if any(check.ok for _, check in checks):
        return
    undecided = [(p, c) for p, c in checks if c.ok is None]
    if undecided:
        _report_unverified(args, report, undecided)
        return
    considered = [(p, c) for p, c in checks if c.why]
    if not considered:
        report(f"no conditional access policy {what}. {fix}")
        return
    reasons = "; ".join(f"{p.label} {', '.join(dict.fromkeys(c.why))}" for p, c in considered)
    report(f"no conditional access policy {what}: {reasons}. {fix}")


@verifying
def _phishing_resistant_admins(args, report) -> None:
    grants = role_grants(args.resources)
    roles = {g.role for g in grants if g.role in PRIVILEGED_ROLE_IDS}
    if not roles:
        return
    ctx = Context.of(args)
    by_urn = {r.urn: r for r in args.resources}
    au_groups = {g.principal for g in grants if g.role in PRIVILEGED_ROLE_IDS and g.scope not in (None, "/")}

    def covers_admins(p: CaPolicy) -> Check:
        if _has_all(p.inc_users.known):
            return YES
        if roles <= set(p.inc_roles.known):
            check = YES
        elif p.inc_roles.slots:
            check = maybe(f"{p.label} conditions.users.includedRoles")
        else:
            check = p.all_users()
            if check.ok is False:
                check = fails("does not target every granted privileged role")
        if au_groups and not au_groups <= set(p.inc_groups.known) | p.dep_urns:
            check = check & fails("does not target the groups of the AU-scoped role holders")
        return check

    checks = [
        (
            p,
            p.phishing_resistant(by_urn)
            & covers_admins(p)
            & p.every_sign_in()
            & p.excludes_only_break_glass()
            & p.enforced()
            & p.known_kind(),
        )
        for p in _ca_policies(args, ctx)
        if p.strength is not None
    ]
    fix = (
        f"Declare one requiring the phishing-resistant strength for roles {sorted(roles)}"
        + (f" and the AU-scoped holders {sorted(au_groups)} (CA ignores AU-scoped assignments)" if au_groups else "")
        + ", enabled, on All resources with none excluded, for every client app type, excluding only the "
        "break-glass accounts (no roles, groups or other users, no location or platform conditions)."
    )
    _coverage(
        args,
        report,
        ctx,
        "requires phishing-resistant authentication for every privileged role this stack grants",
        checks,
        fix,
    )


def _declares_paw(args) -> bool:
    return any(r.resource_type == PAW_COMPONENT or is_paw(r.props) for r in args.resources)


@verifying
def _admin_portals(args, report) -> None:
    if not _declares_paw(args):
        return
    ctx = Context.of(args)

    def device_bound(p: CaPolicy) -> Check:
        blocks = p.blocks_outside_paw()
        requires = p.sole_or_and(DEVICE_CONTROLS) if DEVICE_CONTROLS & set(p.controls.known) else fails()
        if blocks.ok or requires.ok:
            return YES
        if blocks.ok is None or requires.ok is None:
            return Check(None, blocks.unknown + requires.unknown)
        if "block" in p.controls.known:
            return blocks
        return fails("neither requires a compliant device nor blocks devices outside the PAW filter")

    def admins(p: CaPolicy) -> Check:
        targeted = p.targets_admins()
        return targeted if targeted.ok is not False else p.all_users()

    policies = _ca_policies(args, ctx)
    for target in ADMIN_PORTAL_TARGETS:

        def covers_target(p: CaPolicy, wanted: str = _name(target)) -> Check:
            if _has_all(p.apps.known) or wanted in p.apps.known:
                return YES
            return maybe(f"{p.label} conditions.applications.includedApplications") if p.apps.slots else fails()

        checks = [
            (p, covers_target(p) & admins(p) & device_bound(p) & p.enforced() & p.known_kind())
            for p in policies
            if covers_target(p).ok is not False and admins(p).ok is not False
        ]
        _coverage(
            args,
            report,
            ctx,
            f"limits {target} to compliant devices (or the PAW) for admins",
            checks,
            "Declare one that blocks admins on devices outside the PAW device filter, or requires compliantDevice.",
        )


@verifying
def _break_glass_everywhere(args, report) -> None:
    ctx = Context.of(args)
    if not ctx.knows_break_glass:
        return
    declared_users = sorted(u for u, kind in ctx.declared_bg.items() if kind == "user")
    for p in _ca_policies(args, ctx):
        if p.state == "disabled" or p.own_break_glass_policy():
            continue
        missing = sorted(ctx.config_bg - set(p.ex_users.known) - set(p.ex_groups.known))
        bg_groups, _ = p._bg_refs("group")
        if not (bg_groups and p.ex_groups.slots and not p.inc_groups.slots):  # their group excludes them all
            bg_users, _ = p._bg_refs("user")
            # referenced is not excluded: certain only when no included user is unknown
            proven = not p.inc_users.slots and p.ex_users.slots >= len(bg_users)
            missing += [ctx.bg_names[u] for u in declared_users if not (proven and u in p.dep_urns)]
        if missing:
            report(
                f"{p.label} does not exclude break-glass {missing} (including an account is not excluding it); "
                "exclude them from every policy but their own.",
                p.urn,
            )


PRODUCTION = {
    "production": {
        "type": "boolean",
        "default": False,
        "description": "The stack is production: no staged rollout; every admin CA policy is enabled.",
    }
}
ROLLOUT_SCHEMA = {
    MAX_ROLLOUT: {
        "type": "integer",
        "minimum": 0,
        "default": 90,
        "description": f"Longest staged rollout, in days from today to the declared {ROLLOUT_KEY}.",
    }
}
BREAK_GLASS = {"breakGlassObjectIds": TUNABLES["breakGlassObjectIds"]}
UNKNOWN = {"unknownAtPreview": TUNABLES["unknownAtPreview"]}
PAW_SCHEMA = {
    PAW_FILTERS: {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Device filter rules a CA block may exclude as the PAW besides each declared PawHostPool's "
        "deviceFilter (e.g. an extensionAttribute rule the tenant sets on the PAW devices).",
    }
}
STATE = {**PRODUCTION, **ROLLOUT_SCHEMA, **BREAK_GLASS, **UNKNOWN}
CISA_36 = (SCUBA, "MS.AAD.3.6v1 (Maester CISA.MS.AAD.3.6, MT.1006)")
MAESTER = "Maester"

WHEN_UNKNOWN = {
    "ca-no-tenant-lockout": "An unknown state, user list, application list or grant of a policy that would otherwise "
    "be a lockout is a mandatory 'cannot be verified at preview' finding; unknown exclusions count as break-glass "
    "only when they flow from declared break-glass accounts that cannot be among the included entries.",
    "ca-admin-no-role-exclusions": "Unknown excluded roles on a policy that targets roles or users are a mandatory "
    "'cannot be verified at preview' finding.",
    "ca-admin-policy-report-only": "Says nothing on an unknown state or rollout end date (the mandatory "
    "ca-admin-policy-enforced-in-production reports it).",
    "ca-admin-policy-enforced-in-production": "An unknown state, included roles or staged-rollout end date of a "
    "policy that may target admins is a mandatory 'cannot be verified at preview' finding.",
    "ca-phishing-resistant-admins": "When no policy certainly covers the admins but one might, each unknown deciding "
    "field (state, users, exclusions, applications, client app types, locations, grant, strength) of it is a "
    "mandatory 'cannot be verified at preview' finding.",
    "ca-admin-portals-compliant-device": "When no policy certainly covers a portal but one might, each unknown "
    "deciding field (state, applications, roles, grant, device filter, the PawHostPool's published deviceFilter) is a "
    "mandatory 'cannot be verified at preview' finding.",
    "ca-break-glass-excluded": "Unknown exclusions count only when they flow from the declared break-glass accounts "
    "and cannot be included entries instead; otherwise the accounts are reported as not excluded (mandatory).",
}

POLICIES = [
    StackValidationPolicy(
        name="ca-no-tenant-lockout",
        description="An enabled CA policy that blocks or requires controls for all users (or Global Administrators) "
        "on all resources excludes a known break-glass account (and every configured one); with none known it is "
        "always a lockout.",
        validate=_lockout,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({**BREAK_GLASS, **UNKNOWN}),
        **meta(
            "critical",
            "Declare the break-glass accounts (BreakGlassAccounts, or breakGlassObjectIds) and add them to "
            "conditions.users.excludedUsers (or their group to excludedGroups); ConditionalAccessBaseline does "
            "this for every policy.",
            MAESTER,
            "MT.1005, MT.1033, MT.1034; Microsoft emergency access guidance",
        ),
    ),
    ResourceValidationPolicy(
        name="ca-admin-no-role-exclusions",
        description="A CA policy that targets roles or all users excludes no roles.",
        validate=verifying(_role_exclusions),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(UNKNOWN),
        **meta(
            "high",
            "Remove conditions.users.excludedRoles; exclude only break-glass users.",
            SCUBA,
            "MS.AAD.3.6v1 (ExcludeRoles must be empty)",
        ),
    ),
    StackValidationPolicy(
        name="ca-admin-policy-report-only",
        description="An admin CA policy still report-only inside a declared staged rollout that has not ended "
        "(advisory: enforce it by the rollout's end date).",
        validate=lambda a, r: _staged(a, r, advisory=True),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema(STATE),
        **meta(
            "low",
            "Read the report-only results in the sign-in logs, then add the policy code to conditionalAccess.enforce.",
            *CISA_36,
        ),
    ),
    StackValidationPolicy(
        name="ca-admin-policy-enforced-in-production",
        description="Every admin CA policy is enabled: report-only only inside a declared staged rollout that has "
        "not ended, never in production; disabled never.",
        validate=verifying(lambda a, r: _staged(a, r, advisory=False)),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(STATE),
        **meta(
            "high",
            "Set conditionalAccess.enforce to true (or list the code), or declare a staged rollout with "
            "conditionalAccess.reportOnlyUntil (not in production).",
            *CISA_36,
        ),
    ),
    StackValidationPolicy(
        name="ca-phishing-resistant-admins",
        description="A stack that grants privileged Entra roles declares an enabled CA policy requiring "
        "phishing-resistant strength for all of them on every sign-in to all resources, excluding only break-glass.",
        validate=_phishing_resistant_admins,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(STATE),
        **meta(
            "critical",
            "Use ConditionalAccessBaseline (PUM-CA01) or declare a policy with includedRoles "
            "covering every granted privileged role, includedApplications All (none excluded), clientAppTypes all, "
            "authentication strength 00000000-0000-0000-0000-000000000004, no location conditions and only the "
            "break-glass accounts excluded.",
            *CISA_36,
        ),
    ),
    StackValidationPolicy(
        name="ca-admin-portals-compliant-device",
        description="When the stack declares a PAW, admin portals and Azure management are limited to compliant "
        "devices or the PAW by an enabled policy.",
        validate=_admin_portals,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({**STATE, **PAW_SCHEMA}),
        **meta(
            "high",
            "Use ConditionalAccessBaseline (PUM-CA02) or declare a policy for admins on "
            "MicrosoftAdminPortals and 797f4846-ba00-4fd7-ba43-dac1f8f63013 that requires compliantDevice "
            "or blocks devices outside the PAW filter.",
            MAESTER,
            "MT.1014 (CISA MS.AAD.3.7v1)",
        ),
    ),
    StackValidationPolicy(
        name="ca-break-glass-excluded",
        description="Break-glass accounts are excluded from every CA policy except their own dedicated policy.",
        validate=_break_glass_everywhere,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({**BREAK_GLASS, **UNKNOWN}),
        **meta(
            "critical",
            "Exclude every break-glass account (excludedUsers) from each policy; cover them "
            "with one policy of their own requiring phishing-resistant strength.",
            MAESTER,
            "MT.1005; Microsoft emergency access guidance",
        ),
    ),
]
