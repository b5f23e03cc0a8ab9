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
- `declared(resource, key, *path)` is `get` for a stack policy's resource where the verdict hangs on what the
  PROGRAM declares: AnalyzeStack gets outputs, so a property the program did not set is the provider's computed
  value (unknown at preview, with no property dependency; the tenant's after a deployment), and `declared` returns
  None for it at preview. Analyze (resource policies) gets the inputs: there `get` already reads what is declared.
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
from privileged_facts.conventions import (
    BREAK_GLASS_TYPE,
    canonical_type,
)
from privileged_facts.graph_kinds import GRAPH_KINDS, SHAPES
from privileged_facts.roles import (
    ENTRA_ROLE_NAMES,
    PRIVILEGED_GRAPH_APP_ROLES,
    PRIVILEGED_ROLE_IDS,
    custom_role_is_privileged,
    entra_role_by_name,
    role_guid,
)
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
    "maxActiveAssignmentDuration": {
        **_DURATION_SCHEMA,
        # An active assignment is standing access the moment it starts: it lasts no longer than an activation.
        "default": defaults.MAX_ACTIVATION,
        "description": "Longest active PIM-group assignment (member or owner) a schedule may declare (ISO 8601).",
    },
    "maxActiveAssignmentExpiry": {
        **_DURATION_SCHEMA,
        # P15D: the provider's smallest expire_after step for policies (GroupRoleManagementPolicy), and the value the
        # components declare, so any active assignment made by hand in the portal is short too.
        "default": defaults.MAX_ACTIVE_ASSIGNMENT,
        "description": "Longest active assignment a PIM policy allows (its active-assignment expiry, ISO 8601).",
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


def config_schema(*keys: str, own: Mapping[str, dict] | None = None) -> PolicyConfigSchema:
    """The policy's tunables: shared ones by name (TUNABLES), its `own` (name -> JSON schema with a secure
    default), and always `unknownAtPreview`."""
    shared = {k: TUNABLES[k] for k in keys}
    return PolicyConfigSchema(properties={**shared, **(own or {}), UNKNOWN_AT_PREVIEW: TUNABLES[UNKNOWN_AT_PREVIEW]})


def setting(args: Any, key: str, own: Mapping[str, dict] | None = None) -> Any:
    """The configured value of a tunable (shared, or in the policy's `own` schema), or its secure default when the
    runner applied no defaults."""
    config = args.get_config() or {}
    if key in config:
        return config[key]
    return (own if own is not None and key in own else TUNABLES)[key]["default"]


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


# --- type tokens ----------------------------------------------------------------------------------------


def is_type(resource: Any, *tokens: str) -> bool:
    """`resource` (or a type token) is of one of `tokens`, in any module path or API version."""
    token = resource if isinstance(resource, str) else resource.resource_type
    return canonical_type(token) in {canonical_type(t) for t in tokens}


USER = "azuread:index/user:User"
GROUP = "azuread:index/group:Group"
GROUP_WITHOUT_MEMBERS = "azuread:index/groupWithoutMembers:GroupWithoutMembers"
GROUP_TYPES = (GROUP, GROUP_WITHOUT_MEMBERS)
CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
DYNAMIC = "pulumi-python:dynamic:Resource"


# --- the Graph layer's dynamic resources: what kind is this one (the ONE reader of graphKind) ----------------------

EXACT, SHAPED, MAYBE = "exact", "shaped", "unknown"


def is_dynamic(resource_type: Any) -> bool:
    """A Python dynamic resource under any type name the SDK gives one: `pulumi-python:dynamic:Resource`, and
    `pulumi-python:dynamic/<module>:<name>` for a subclass declared with pulumi.dynamic.Resource's `module=`/`name=`
    class arguments (its provider is a Python class all the same)."""
    parts = resource_type.split(":") if isinstance(resource_type, str) else []
    return len(parts) == 3 and parts[0] == DYNAMIC.split(":")[0] and parts[1].split("/", 1)[0] == "dynamic"


def graph_kind(resource_type: Any, props: Any, kind: str) -> str | None:
    """Whether a resource is the Graph layer's `kind` (privileged_facts.graph_kinds):

    - EXACT: a dynamic resource whose graphKind is exactly `kind` (the only one that may count as coverage);
    - SHAPED: a dynamic resource whose graphKind is known but not exactly one of ours (another case, a misspelling, a
      plural, none at all) and that carries `kind`'s shape (graph_kinds.SHAPES): a provider may still write it to
      Graph as one, so it is judged as one for harm, and never counts as coverage;
    - MAYBE: its graphKind is unknown at preview and it carries `kind`'s shape: it may be one (judged, never coverage);
    - None: not one (another type, or exactly another of our kinds)."""
    if not is_dynamic(resource_type):
        return None
    value = get(props, "graphKind")
    if isinstance(value, str) and value in GRAPH_KINDS:
        return EXACT if value == kind else None
    if not any(get(props, key) is not None for key in SHAPES.get(kind, ())):
        return None
    return MAYBE if is_unknown(value) else SHAPED


def dependencies_of(resource: Any, key: str) -> list:
    return list((getattr(resource, "property_dependencies", None) or {}).get(key) or [])


def declared(resource: Any, *path: str | int) -> Any:
    """`get(resource.props, *path)` as the program declares it, for a stack policy's resource; with no path, every
    property the program declares (plain dict).

    AnalyzeStack gets each resource's outputs, not its inputs: in a preview, every output property the provider
    declares that the program did not set is there too, unknown (azuread Group.members, User.onpremisesImmutableId),
    and after a deployment it holds the tenant's value. A wholly unknown top-level value with no property dependency
    is such a computed output, not a value the program declared: None here (a value the program computes from another
    resource has that resource as a property dependency, and stays UNKNOWN). Use it where the verdict hangs on what the
    program declares; where it hangs on the tenant's state, read with `get` (unknown means unverified)."""
    if not path:
        props = get(resource.props)
        if not isinstance(props, dict):
            return {}
        return {k: v for k, v in props.items() if not is_unknown(v) or dependencies_of(resource, k)}
    key, rest = path[0], path[1:]
    value = get(resource.props, key)
    if is_unknown(value) and not (isinstance(key, str) and dependencies_of(resource, key)):
        return None
    return get(value, *rest)


def normal_scope(scope: str) -> str:
    """An ARM scope as ARM matches it: no surrounding space, no repeated or trailing slashes, lower case
    ('/Subscriptions//x/' -> '/subscriptions/x'; '/' and '//' -> '/')."""
    return "/" + "/".join(part for part in scope.strip().lower().split("/") if part)


# --- references: what an ID property points at ---------------------------------------------------------


class Index:
    """The stack's resources by URN and by their known IDs (objectId), built once per stack policy."""

    def __init__(self, resources: Iterable[Any]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self.by_id: dict[str, Any] = {}
        for r in self.resources:
            known = get(r.props, "objectId")
            if isinstance(known, str) and known.strip():
                self.by_id.setdefault(known.strip().lower(), r)


_NO_INDEX = Index(())


@dataclass(frozen=True)
class Ref:
    """What `resource.props[key]` points at. `source`: the one declared resource it is, by its known ID (a known
    value equal to a declared resource's objectId) or, while the value is unknown, by its only property dependency;
    `literal`: the known value (stripped, lower case); `sources`: every resource the value depends on."""

    literal: str | None
    source: Any
    sources: tuple
    unknown: bool

    @property
    def key(self) -> Any:
        """How relations match: the source's URN, else the literal ID, else UNKNOWN. The same whether the ID is known
        (a real preview of an existing stack) or unknown (a new one)."""
        return self.source.urn if self.source is not None else self.literal if self.literal else UNKNOWN


def ref(resource: Any, key: str, index: Index | None = None) -> Ref:
    value = get(resource.props, key)
    sources = tuple(dependencies_of(resource, key))
    index = index or _NO_INDEX
    if isinstance(value, str):
        literal = value.strip().lower()
        return Ref(literal, index.by_id.get(literal), sources, False)
    if is_unknown(value):
        return Ref(None, sources[0] if len(sources) == 1 else None, sources, True)
    return Ref(None, None, sources, False)


# --- break-glass ---------------------------------------------------------------------------------------


def break_glass_config(args: Any) -> list[str]:
    """Break-glass object IDs from the policy config, as given."""
    return [str(i).strip() for i in (args.get_config() or {}).get("breakGlassObjectIds") or []]


@dataclass(frozen=True)
class BreakGlass:
    urn: str
    name: str
    kind: str  # "user" | "group"


def _component_of(resource: Any) -> Any:
    """The nearest BreakGlassAccounts component `resource` is declared in, else None."""
    seen = 0
    parent = getattr(resource, "parent", None)
    while parent is not None and seen < 1000:
        if parent.resource_type == BREAK_GLASS_TYPE:
            return parent
        parent, seen = getattr(parent, "parent", None), seen + 1
    return None


def break_glass_urns(resources: Iterable[Any]) -> frozenset[str]:
    """URNs of every resource declared inside (a descendant of) a BreakGlassAccounts component."""
    return frozenset(r.urn for r in resources if r.resource_type == BREAK_GLASS_TYPE or _component_of(r) is not None)


def break_glass_resources(resources: Iterable[Any]) -> list[BreakGlass]:
    """The users and groups declared inside a BreakGlassAccounts component (as declared: see `break_glass_accounts`
    for the accounts that have the shape the component guarantees)."""
    kinds = {canonical_type(USER): "user", canonical_type(GROUP): "group"}
    return [
        BreakGlass(r.urn, r.name, kinds[canonical_type(r.resource_type)])
        for r in resources
        if canonical_type(r.resource_type) in kinds and _component_of(r) is not None
    ]


def _protected(resource: Any) -> bool:
    return getattr(getattr(resource, "opts", None), "protect", None) is True


def _genuine_account(user: Any) -> bool:
    """The shape BreakGlassAccounts guarantees (components/accounts.py), which a type token alone does not prove:
    a protected cloud-only user on an *.onmicrosoft.com UPN whose password comes from a RandomPassword through a
    property dependency (unknown at preview, or equal to that password's result), never a value the program knows."""
    upn = get(user.props, "userPrincipalName")
    if not (isinstance(upn, str) and upn.strip().lower().endswith(".onmicrosoft.com")) or not _protected(user):
        return False
    if declared(user, "onpremisesImmutableId") is not None:  # not set: cloud-only (after a deployment: the tenant's)
        return False
    passwords = [d for d in dependencies_of(user, "password") if is_type(d, RANDOM_PASSWORD)]
    if len(passwords) != 1 or len(dependencies_of(user, "password")) != 1:
        return False
    value = get(user.props, "password")
    return is_unknown(value) or (isinstance(value, str) and value == get(passwords[0].props, "result"))


def break_glass_accounts(resources: Iterable[Any]) -> frozenset[str]:
    """URNs of the users a BreakGlassAccounts component declared with the shape it guarantees."""
    return frozenset(
        r.urn for r in resources if is_type(r, USER) and _component_of(r) is not None and _genuine_account(r)
    )


def is_break_glass(
    resource: Any, key: str, config_ids: frozenset[str], break_glass: frozenset[str], index: Index | None = None
) -> bool:
    """The principal in `resource.props[key]` is a break-glass account: an object ID in `config_ids` (lower case,
    see `id_setting(args, "breakGlassObjectIds")`), or one of the genuine accounts (`break_glass_accounts`) when
    `resource` itself is a protected grant the same BreakGlassAccounts component declared (what the component
    guarantees: a grant elsewhere, or one merely computed from an account's output, proves nothing)."""
    target = ref(resource, key, index)
    if target.literal and target.literal in config_ids:
        return True
    account = target.source
    return (
        account is not None
        and account.urn in break_glass
        and _protected(resource)
        and _component_of(resource) is not None
        and _component_of(resource) is _component_of(account)
    )


# --- directory role grants -----------------------------------------------------------------------------

ROLE_ASSIGNMENT = "azuread:index/directoryRoleAssignment:DirectoryRoleAssignment"
ROLE_MEMBER = "azuread:index/directoryRoleMember:DirectoryRoleMember"
AU_ROLE_MEMBER = "azuread:index/administrativeUnitRoleMember:AdministrativeUnitRoleMember"
ROLE_ELIGIBILITY_REQUEST = (
    "azuread:index/directoryRoleEligibilityScheduleRequest:DirectoryRoleEligibilityScheduleRequest"
)
APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
DIRECTORY_ROLE = "azuread:index/directoryRole:DirectoryRole"
CUSTOM_DIRECTORY_ROLE = "azuread:index/customDirectoryRole:CustomDirectoryRole"
APPLICATION_TYPES = (
    "azuread:index/application:Application",
    "azuread:index/applicationRegistration:ApplicationRegistration",
    "azuread:index/applicationAppRole:ApplicationAppRole",
    "azuread:index/applicationFromTemplate:ApplicationFromTemplate",
    "azuread:index/servicePrincipal:ServicePrincipal",
)

OPAQUE_ROLE = "unresolved-role"  # a role the pack cannot resolve: judged privileged
READ_ONLY_CUSTOM_ROLE = "read-only-custom-role"  # a custom directory role that only reads: not privileged


@dataclass(frozen=True)
class GrantShape:
    role_key: str
    role_kind: str  # "definition" (template / role definition ID), "object" (directory role object ID), "app"
    principal_key: str
    scope_key: str | None
    active: bool
    au_key: str | None = None  # AdministrativeUnitRoleMember: the AU object ID is the scope


# canonical type (or graphKind) -> shape: every resource in the installed providers that grants an Entra role or a
# directory permission (pulumi_azuread 6.x)
_GRANT_SHAPES = {
    canonical_type(ROLE_ASSIGNMENT): GrantShape("roleId", "definition", "principalObjectId", "directoryScopeId", True),
    canonical_type(ROLE_MEMBER): GrantShape("roleObjectId", "object", "memberObjectId", None, True),
    canonical_type(AU_ROLE_MEMBER): GrantShape(
        "roleObjectId", "object", "memberObjectId", None, True, "administrativeUnitObjectId"
    ),
    canonical_type(ROLE_ELIGIBILITY_REQUEST): GrantShape(
        "roleDefinitionId", "definition", "principalId", "directoryScopeId", False
    ),
    canonical_type(APP_ROLE_ASSIGNMENT): GrantShape("appRoleId", "app", "principalObjectId", None, True),
    "directoryRoleEligibility": GrantShape("roleDefinitionId", "definition", "principalId", "directoryScopeId", False),
}


@dataclass
class Grant:
    """A directory role held by a principal (active or eligible), relations resolved through deps."""

    resource: Any
    role: Any  # lower-case template ID, OPAQUE_ROLE, a Graph app role ID, READ_ONLY_CUSTOM_ROLE, UNKNOWN, or None
    principal: Any  # the URN of the declared resource it is, else the known object ID, else UNKNOWN
    principal_key: str
    scope: Any  # "/" (also when absent), "/administrativeUnits/<id>", or UNKNOWN
    active: bool
    principal_sources: list = field(default_factory=list)
    principal_ref: Ref | None = None

    @property
    def urn(self) -> str:
        return self.resource.urn


def grant_shape(resource: Any) -> GrantShape | None:
    if resource.resource_type == DYNAMIC:
        kind = get(resource.props, "graphKind")
        return _GRANT_SHAPES.get(kind) if isinstance(kind, str) else None
    return _GRANT_SHAPES.get(canonical_type(resource.resource_type))


def _role_of_source(source: Any) -> Any:
    """The role a DirectoryRole or CustomDirectoryRole declares; None when `source` declares no role."""
    if is_type(source, DIRECTORY_ROLE):
        template = get(source.props, "templateId")
        guid = role_guid(template)
        if guid:
            return guid if guid in ENTRA_ROLE_NAMES else OPAQUE_ROLE
        by_name = entra_role_by_name(get(source.props, "displayName"))
        return by_name or OPAQUE_ROLE  # read by ID (DirectoryRole.get), unknown or unlisted: privileged
    if is_type(source, CUSTOM_DIRECTORY_ROLE):
        actions = [a for p in elements(source.props, "permissions") for a in elements(p, "allowedResourceActions")]
        if any(not isinstance(a, str) for a in actions):
            return UNKNOWN
        return OPAQUE_ROLE if custom_role_is_privileged(actions) or not actions else READ_ONLY_CUSTOM_ROLE
    return None


def directory_role_id(resource: Any, key: str, index: Index | None = None, kind: str | None = None) -> Any:
    """The role a grant's `key` names: a built-in role's lower-case template ID (any GUID form, or a display name
    case- and space-insensitively), OPAQUE_ROLE for one the pack cannot resolve (a role object ID, a custom or
    unlisted role: privileged unless proven otherwise), a privileged Graph app role ID, UNKNOWN, or None."""
    shape = grant_shape(resource)
    kind = kind or (shape.role_kind if shape else "definition")
    target = ref(resource, key, index)
    value = get(resource.props, key)
    if kind == "app":
        if target.literal is not None:
            guid = role_guid(target.literal)
            return guid if guid in PRIVILEGED_GRAPH_APP_ROLES else None
        if target.unknown and any(is_type(s, *APPLICATION_TYPES) for s in target.sources):
            return None  # a role of an app the stack declares, not Microsoft Graph's
        return UNKNOWN if target.unknown else None
    if target.source is not None:
        role = _role_of_source(target.source)
        if role is not None:
            return role
    if target.literal is not None:
        guid = role_guid(value)
        if guid in ENTRA_ROLE_NAMES:
            return guid
        if kind == "definition" and guid is None:
            by_name = entra_role_by_name(value)
            if by_name:
                return by_name
        return OPAQUE_ROLE
    return UNKNOWN if target.unknown else None


def is_privileged_role(role: Any, extra: frozenset[str] = frozenset()) -> bool:
    """A role the pack judges privileged: Microsoft's privileged roles (and `extra`), one it cannot resolve, and the
    Graph application permissions that reach them."""
    return role in PRIVILEGED_ROLE_IDS or role in extra or role == OPAQUE_ROLE or role in PRIVILEGED_GRAPH_APP_ROLES


def role_name(role: Any) -> str:
    """How messages name a role: facts only (a built-in name, a Graph permission name), never an input value."""
    if is_unknown(role) or role is None:
        return "a role unknown at preview"
    if role == OPAQUE_ROLE:
        return "a role the pack cannot resolve (a role object ID, a custom or unlisted role: judged privileged)"
    if role in PRIVILEGED_GRAPH_APP_ROLES:
        return f"Microsoft Graph application permission {PRIVILEGED_GRAPH_APP_ROLES[role]}"
    return ENTRA_ROLE_NAMES.get(role, f"role {role}")


def _grant_scope(resource: Any, shape: GrantShape, index: Index | None) -> Any:
    if shape.au_key:
        unit = ref(resource, shape.au_key, index)
        if unit.literal or unit.source is not None:
            return f"/administrativeUnits/{unit.key}"
        return UNKNOWN
    scope = declared(resource, shape.scope_key) if shape.scope_key else None  # undeclared: the provider's default, '/'
    if isinstance(scope, str):
        return "/" + "/".join(part for part in scope.strip().split("/") if part)
    return "/" if scope is None else scope


def role_grants(resources: Iterable[Any], index: Index | None = None) -> list[Grant]:
    """Every directory-role assignment, membership and eligibility (and privileged Graph app role assignment)
    declared in the stack."""
    resources = list(resources)
    index = index or Index(resources)
    grants = []
    for resource in resources:
        shape = grant_shape(resource)
        if shape is None:
            continue
        role = directory_role_id(resource, shape.role_key, index, shape.role_kind)
        if shape.role_kind == "app" and role is None:
            continue
        target = ref(resource, shape.principal_key, index)
        grants.append(
            Grant(
                resource,
                role,
                target.key,
                shape.principal_key,
                _grant_scope(resource, shape, index),
                shape.active,
                list(target.sources),
                target,
            )
        )
    return grants
