"""Helpers every policy module uses: metadata, tunables, unknown-safe reads, break-glass, role grants.

Reading props: one way, `get` and `elements`. pulumi-policy hands a policy its props behind a proxy that
raises UnknownValueError when a value is unknown at preview, and the servicer then turns the whole policy
into an advisory "can't run" note, whatever it had already seen. Policies never index the proxy
(`args.props["x"]`, `args.props.get("x")`, iteration); they read through these helpers, whose contract is:

- `get(value, *path)` walks dict keys and list indexes from `value` (a proxy, plain data, or None) and
  returns plain data: None when a key or index is absent (or the path runs into a scalar), `UNKNOWN` when
  the value or anything on the path to it is unknown, else the value itself as plain dicts, lists and
  scalars in which every unknown member, at any depth, is `UNKNOWN`. It never raises, never returns a
  proxy, and never returns one of pulumi-policy's typed sentinel strings, so a `str` it returns is known.
- `elements(value, *path)` is the members of the list at that path: [] when absent, [UNKNOWN] when the
  list itself is unknown, [value] for a scalar, else the list (unknown members as `UNKNOWN`).
- `UNKNOWN` and `is_unknown` are `privileged_facts.values`' (one marker for the project).

What an unknown means is the policy's decision, made where it reads it: it reports what is certain
whatever the unknown turns out to be (a violation that does not depend on it stays mandatory), and when
the verdict truly hangs on an unknown (a role, principal, scope, duration, permanent flag, activation rule,
host-pool type, segment, CA condition) it calls `unverified(args, report, what, urn)`: unknown means
unverified, never fine. That is a violation "... cannot be verified at preview" at the policy's level
(mandatory), or, where the pack config sets the policy's `unknownAtPreview: advisory`, the advisory
"can't run <policy> during preview" note the SDK gives, raised once the validate function has reported
everything else (`@verifying` on the validate function collects them). IDs that only link resources are
not deciding values: policies resolve them through property dependencies.

Messages never echo an input value as given (it may be a secret: pulumi-policy hands policies secrets in the
clear): they name the resource and the field, and show only facts (role names) or values the policy parsed,
formatted from the parsed form.
Only pulumi_policy, the standard library and privileged_facts may be imported here (the pack runs standalone).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

from privileged_facts import defaults
from privileged_facts.conventions import BREAK_GLASS_TYPE
from privileged_facts.roles import ENTRA_ROLES, role_guid
from privileged_facts.values import UNKNOWN, UNKNOWN_SENTINELS, is_unknown, parse_duration
from pulumi_policy import PolicyComplianceFramework, PolicyConfigSchema, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError


def _target(value: Any) -> Any:
    """The plain dict/list behind a pulumi-policy proxy (its members may still be proxies or sentinels)."""
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, (dict, list, str, bytes)):
        return value["__target"]
    return value


def _plain(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN
    value = _target(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _step(value: Any, key: str | int) -> Any:
    value = _target(value)
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        return value[key] if -len(value) <= key < len(value) else None
    return None


def get(value: Any, *path: str | int) -> Any:
    """Nested read that never raises: absent -> None, unknown anywhere on the path -> UNKNOWN, else plain data."""
    for key in path:
        if value is None or is_unknown(value):
            break
        value = _step(value, key)
    return _plain(value)


def elements(value: Any, *path: str | int) -> list:
    """The members of the list at `path` (plain; unknown members as UNKNOWN): [] if absent, [UNKNOWN] if unknown."""
    value = get(value, *path)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def undecided(value: Any, *path: str | int) -> NoReturn:
    """Leave the verdict to preview's advisory note: the policy cannot decide because `path` is unknown.

    Raises the SDK's UnknownValueError (naming the first unknown on the path and its type), which the servicer
    reports as an advisory "can't run policy ... during preview" diagnostic; violations reported before keep
    their level. Call it only after reporting what is certain."""
    sentinel, walked = UNKNOWN_STRING_VALUE, []
    for key in path:
        walked.append(str(key))
        value = _step(value, key)
        if is_unknown(value):
            sentinel = value if isinstance(value, str) and value in UNKNOWN_SENTINELS else UNKNOWN_STRING_VALUE
            break
    raise UnknownValueError(sentinel, walked)


# --- unknown means unverified -------------------------------------------------------------------------

UNKNOWN_AT_PREVIEW = "unknownAtPreview"
_DEFERRED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("deferred_unknowns", default=None)


def unverified(args: Any, report: Callable[..., None], what: str, urn: str | None = None) -> None:
    """The verdict hangs on `what` (e.g. "Group 'x' duration"), unknown at preview: report it as unverified.

    By default a violation at the policy's level ("<what> is unknown at preview, so ... cannot be verified");
    with the policy's config `unknownAtPreview: advisory`, the SDK's advisory can't-run note instead, raised
    after the validate function returns when it is wrapped in `@verifying` (at once otherwise)."""
    if (args.get_config() or {}).get(UNKNOWN_AT_PREVIEW) != "advisory":
        message = (
            f"{what} is unknown at preview (computed from another resource's output), so this policy cannot "
            "verify it: a gate passes only what it can see. Fix: give it as a literal value, or set this "
            f"policy's {UNKNOWN_AT_PREVIEW} to 'advisory' in the pack config to accept the risk."
        )
        report(message) if urn is None else report(message, urn)
        return
    deferred = _DEFERRED.get()
    if deferred is None:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, [what])
    deferred.append(what)


def verifying(validate: Callable[[Any, Callable[..., None]], None]) -> Callable[[Any, Callable[..., None]], None]:
    """Wrap a validate function so that advisory unknowns (`unverified` under `unknownAtPreview: advisory`) are
    raised once, after everything certain has been reported."""

    @functools.wraps(validate)
    def run(args: Any, report: Callable[..., None]) -> None:
        deferred: list[str] = []
        token = _DEFERRED.set(deferred)
        try:
            validate(args, report)
        finally:
            _DEFERRED.reset(token)
        if deferred:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, deferred[:1])

    return run


def _wall_clock() -> datetime:
    return datetime.now(UTC)


CLOCK: Callable[[], datetime] = _wall_clock  # tests set their own: no verdict may depend on the day it runs


def now() -> datetime:
    """The time policies judge dates against: `CLOCK()`."""
    return CLOCK()


# --- metadata ------------------------------------------------------------------------------------------

SCUBA = "CISA SCuBA Microsoft Entra ID baseline"
SCUBA_URL = "https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md"
PIM_PLAN = "Microsoft Entra PIM deployment plan"
PIM_PLAN_URL = "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-deployment-plan"


def meta(
    severity: str, remediation: str, framework: str | None = None, reference: str | None = None, url: str | None = None
) -> dict:
    """The metadata keyword arguments every policy carries (spread into the Policy constructor)."""
    return {
        "severity": Severity(severity),
        "remediation_steps": remediation,
        "framework": PolicyComplianceFramework(name=framework, reference=reference) if framework else None,
        "url": url or (SCUBA_URL if framework == SCUBA else PIM_PLAN_URL if framework == PIM_PLAN else None),
    }


def label(resource: Any) -> str:
    """How messages name a resource (or a resource policy's args): "<Type> '<name>'"."""
    return f"{resource.resource_type.rsplit(':', 1)[-1]} '{resource.name}'"


# --- tunables (config_schema with secure defaults) ---------------------------------------------------

_DURATION_SCHEMA = {
    "type": "string",
    "pattern": r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$",
    "not": {"pattern": r"^PT?$|T$"},
}
_IDS = {"type": "array", "items": {"type": "string"}, "default": []}

TUNABLES: dict[str, dict] = {
    "maxEligibilityDuration": {
        **_DURATION_SCHEMA,
        "default": defaults.MAX_ELIGIBILITY,
        "description": "Longest eligibility (ISO 8601 duration); PIM expire-after maximum.",
    },
    "maxActivationDuration": {
        **_DURATION_SCHEMA,
        "default": defaults.MAX_ACTIVATION,
        "description": "Longest activation of a privileged role (ISO 8601 duration).",
    },
    "criticalMaxActivationDuration": {
        **_DURATION_SCHEMA,
        "default": defaults.CRITICAL_MAX_ACTIVATION,
        "description": "Longest activation of a critical role (GA, PRA, PAA).",
    },
    "requireJustification": {
        "type": "boolean",
        "default": True,
        "description": "Activation must require a justification.",
    },
    "breakGlassObjectIds": {**_IDS, "description": "Object IDs of break-glass users (or their group)."},
    "privilegedRoleIds": {**_IDS, "description": "Extra Entra role template IDs to treat as privileged."},
    "criticalRoleIds": {**_IDS, "description": "Extra Entra role template IDs to treat as critical."},
    "privilegedAzureRoleIds": {**_IDS, "description": "Extra Azure role definition GUIDs to treat as privileged."},
    UNKNOWN_AT_PREVIEW: {
        "type": "string",
        "enum": ["mandatory", "advisory"],
        "default": "mandatory",
        "description": "A deciding value unknown at preview: a violation at the policy's level (mandatory), or "
        "only the advisory can't-run note (advisory).",
    },
}


def config_schema(*keys: str) -> PolicyConfigSchema:
    """The policy's tunables (secure defaults), always with `unknownAtPreview`."""
    return PolicyConfigSchema(properties={k: TUNABLES[k] for k in (*keys, UNKNOWN_AT_PREVIEW)})


def setting(args: Any, key: str) -> Any:
    """The configured value of a tunable, or its secure default when the runner applied no defaults."""
    config = args.get_config() or {}
    return config[key] if key in config else TUNABLES[key]["default"]


def duration_setting(args: Any, key: str):
    return parse_duration(setting(args, key), f"policy config {key}")


def id_setting(args: Any, key: str) -> frozenset[str]:
    return frozenset(str(i).strip().lower() for i in setting(args, key) or [])


def is_production(args: Any) -> bool:
    """Production stack: the policy config says `production: true`, or stack tag environment is prod."""
    if (args.get_config() or {}).get("production") is True:
        return True
    tags = getattr(args, "stack_tags", None) or {}
    return str(tags.get("environment", "")).lower() in ("production", "prod")


# --- break-glass ---------------------------------------------------------------------------------------

USER = "azuread:index/user:User"
GROUP = "azuread:index/group:Group"
CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy"


def break_glass_config(args: Any) -> list[str]:
    """Break-glass object IDs from the policy config, as given."""
    return [str(i).strip() for i in (args.get_config() or {}).get("breakGlassObjectIds") or []]


@dataclass(frozen=True)
class BreakGlass:
    urn: str
    name: str
    kind: str  # "user" | "group"


def break_glass_urns(resources: Iterable[Any]) -> frozenset[str]:
    """URNs of every resource declared inside (a descendant of) a BreakGlassAccounts component."""
    memo: dict[str, bool] = {}

    def inside(resource: Any) -> bool:
        chain = []
        while resource is not None and resource.urn not in memo:
            if resource.resource_type == BREAK_GLASS_TYPE:
                memo[resource.urn] = True
                break
            chain.append(resource.urn)
            resource = resource.parent
        found = resource is not None and memo[resource.urn]
        for urn in chain:
            memo[urn] = found
        return found

    return frozenset(r.urn for r in resources if inside(r))


def break_glass_resources(resources: Iterable[Any]) -> list[BreakGlass]:
    """The users and groups the BreakGlassAccounts component declared."""
    resources = list(resources)
    urns = break_glass_urns(resources)
    kinds = {USER: "user", GROUP: "group"}
    return [
        BreakGlass(r.urn, r.name, kinds[r.resource_type])
        for r in resources
        if r.urn in urns and r.resource_type in kinds
    ]


def is_break_glass(resource: Any, key: str, config_ids: frozenset[str], break_glass: frozenset[str]) -> bool:
    """The principal in `resource.props[key]` is a break-glass account: an object ID in `config_ids`
    (lower case, see `id_setting(args, "breakGlassObjectIds")`), or a value flowing from a resource
    the BreakGlassAccounts component declared (`break_glass_urns`): the property dependency tells
    even when the ID is unknown at preview."""
    value = get(resource.props, key)
    if isinstance(value, str) and value.strip().lower() in config_ids:
        return True
    return any(d.urn in break_glass for d in dependencies_of(resource, key))


def dependencies_of(resource: Any, key: str) -> list:
    return list((getattr(resource, "property_dependencies", None) or {}).get(key) or [])


# --- directory role grants -----------------------------------------------------------------------------

ROLE_ASSIGNMENT = "azuread:index/directoryRoleAssignment:DirectoryRoleAssignment"
ROLE_MEMBER = "azuread:index/directoryRoleMember:DirectoryRoleMember"
ROLE_ELIGIBILITY_REQUEST = (
    "azuread:index/directoryRoleEligibilityScheduleRequest:DirectoryRoleEligibilityScheduleRequest"
)
DIRECTORY_ROLE = "azuread:index/directoryRole:DirectoryRole"
DYNAMIC = "pulumi-python:dynamic:Resource"

# type (or graphKind) -> (role key, principal key, scope key or None, active?)
_GRANT_SHAPES = {
    ROLE_ASSIGNMENT: ("roleId", "principalObjectId", "directoryScopeId", True),
    ROLE_MEMBER: ("roleObjectId", "memberObjectId", None, True),
    ROLE_ELIGIBILITY_REQUEST: ("roleDefinitionId", "principalId", "directoryScopeId", False),
    "directoryRoleEligibility": ("roleDefinitionId", "principalId", "directoryScopeId", False),
}


@dataclass
class Grant:
    """A directory role held by a principal (active or eligible), relations resolved through deps."""

    resource: Any
    role: Any  # lower-case template ID, UNKNOWN, or None
    principal: Any  # known object ID, else the URN of the resource it flows from, else UNKNOWN
    principal_key: str
    scope: Any  # "/" (also when absent), "/administrativeUnits/<id>", or UNKNOWN
    active: bool
    principal_sources: list = field(default_factory=list)

    @property
    def urn(self) -> str:
        return self.resource.urn


def grant_shape(resource: Any):
    if resource.resource_type == DYNAMIC:
        kind = get(resource.props, "graphKind")
        return _GRANT_SHAPES.get(kind) if isinstance(kind, str) else None
    return _GRANT_SHAPES.get(resource.resource_type)


def directory_role_id(resource: Any, key: str) -> Any:
    """The role template ID in `resource.props[key]`; an unknown ID is resolved through its
    property dependency on a DirectoryRole (templateId or displayName)."""
    value = get(resource.props, key)
    if isinstance(value, str) and resource.resource_type != ROLE_MEMBER:
        return role_guid(value) or value
    for source in dependencies_of(resource, key):
        if source.resource_type == DIRECTORY_ROLE:
            template = get(source.props, "templateId")
            if isinstance(template, str):
                return template.lower()
            name = get(source.props, "displayName")
            if isinstance(name, str) and name in ENTRA_ROLES:
                return ENTRA_ROLES[name]
    return UNKNOWN if value is not None else None


def role_grants(resources: Iterable[Any]) -> list[Grant]:
    """Every directory-role assignment, membership and eligibility declared in the stack."""
    grants = []
    for resource in resources:
        shape = grant_shape(resource)
        if shape is None:
            continue
        role_key, principal_key, scope_key, active = shape
        value = get(resource.props, principal_key)
        sources = dependencies_of(resource, principal_key)
        principal = value.strip().lower() if isinstance(value, str) else sources[0].urn if sources else UNKNOWN
        scope = get(resource.props, scope_key) if scope_key else None
        grants.append(
            Grant(
                resource,
                directory_role_id(resource, role_key),
                principal,
                principal_key,
                "/" if scope is None else scope,
                active,
                sources,
            )
        )
    return grants
