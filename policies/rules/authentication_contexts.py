"""Policies for authentication contexts and continuous access evaluation (issue 20). Each entry of POLICIES is a
pulumi-policy policy; WHEN_UNKNOWN says for each what it does when a deciding value is unknown at preview (the
README's table).

`pim-authentication-context-enforced` (stack, mandatory) closes the hole of a PIM setting that requires an
authentication context nothing gives meaning: activation "with c1" then asks for no more than a normal sign-in. The PIM
settings that can require a context are read in every shape the stack can declare them:

- azuread GroupRoleManagementPolicy (and DirectoryRoleManagementPolicy, which pulumi-azuread 6.11.1 lacks; its token is
  recognised should a provider add it): `activationRules.requiredConditionalAccessAuthenticationContext`;
- the Graph layer's role settings (graphKind `entraRoleSettings`; any other spelling, or none, of a dynamic resource
  carrying `rules` is judged as role settings too: a provider may PATCH them; an unknown graphKind makes the
  requirement uncertain, still mandatory) and azure-native RoleManagementPolicy: the
  `AuthenticationContext_EndUser_Assignment` rule, `isEnabled` and `claimValue`.

For each claim value required, the stack must declare (a) the context, the Graph layer's `authenticationContext`
resource (graphKind exactly that: `common.graph_kind`) with that `claimValue`, `isAvailable` true (PIM can request
only a published context), and (b) ENABLED CA policies that target it (`includeAuthenticationContextClassReferences`)
for All users, excluding only the break-glass accounts, narrowed by no condition (client apps, locations, platforms,
risk, flows, filters), which together require: the phishing-resistant authentication strength (built-in …0004, or a
declared strength with only phishing-resistant methods, not replaceable through OR), and, per
`authenticationContextDeviceControls` (default both), a compliant device (not replaceable through OR: under OR every
other control, a terms of use, a custom factor or a grant key the pack does not read is an alternative) and, when the
stack declares a PAW, a block on every device outside the PAW's own device filter (mode `exclude`, the rule equal to
the declared PawHostPool's `deviceFilter` or one in `pawDeviceFilters`; `CaPolicy.blocks_outside_paw`). "Excluding
only the break-glass accounts": no literal user or group the stack does not declare as break-glass (or configure), no
`GuestsOrExternalUsers`, no roles. Report-only or disabled does not count, staged rollout or not: a report-only policy
gives the context no meaning. The CA policies are read through `conditional_access.ca_view` (azuread and Graph shapes
alike).

Limit (code review's, not the pack's): the engine never passes a dynamic resource's `__provider` to analyzers
(SkipInternalKeys), so a resource with a do-nothing provider claiming graphKind `conditionalAccessPolicy` or
`authenticationContext` is indistinguishable from ours and counts; tests/test_graph_kind_provenance.py fails on a
dynamic provider defined outside components/graph/, and components/ is reviewed code.

`ca-admin-cae-strict` (stack, advisory) asks for continuous access evaluation in strict mode for the admins (a policy
with `sessionControls.continuousAccessEvaluation.mode` strictEnforcement or strictLocation, on all resources, for every
privileged role the stack grants, excluding only break-glass, enabled). Advisory because strict enforcement refuses
clients that are not CAE-capable and sign-ins whose IP address differs between Entra and the resource (split tunnels,
a PAW whose egress differs), so a tenant may rightly keep Entra's default CAE
(conditionalAccess.continuousAccessEvaluation `default`); without it, access tokens still expire (an hour) and admins
re-authenticate (PUM-CA04).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from privileged_facts.graph_kinds import AUTHENTICATION_CONTEXT, ENTRA_ROLE_SETTINGS
from privileged_facts.pim_rules import RULE_ACTIVATION_AUTH_CONTEXT
from privileged_facts.roles import PRIVILEGED_ROLE_IDS
from privileged_facts.values import UNKNOWN, is_unknown
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from .common import (
    EXACT,
    MAYBE,
    PIM_PLAN,
    SHAPED,
    TUNABLES,
    elements,
    get,
    graph_kind,
    is_type,
    label,
    meta,
    role_grants,
    unverified,
    verifying,
)
from .conditional_access import (
    BREAK_GLASS,
    PAW_SCHEMA,
    YES,
    CaPolicy,
    Check,
    Context,
    _declares_paw,
    ca_policies,
    fails,
    maybe,
)

GROUP_POLICY = "azuread:index/groupRoleManagementPolicy:GroupRoleManagementPolicy"
DIRECTORY_POLICY = "azuread:index/directoryRoleManagementPolicy:DirectoryRoleManagementPolicy"
AZURE_POLICY = "azure-native:authorization:RoleManagementPolicy"
DEVICE_CONTROLS = "authenticationContextDeviceControls"
STRICT_MODES = {"strictenforcement", "strictlocation"}


def _kind(resource: Any, kind: str) -> str | None:
    """`common.graph_kind`: EXACT, SHAPED (another spelling, with its shape), MAYBE (unknown, with its shape), None."""
    return graph_kind(resource.resource_type, resource.props, kind)


@dataclass(frozen=True)
class Required:
    """A PIM setting that requires (or, with `certain` False, may require) authentication context `claim`."""

    resource: Any
    claim: Any  # the claim value as written (str), or UNKNOWN
    path: str
    certain: bool = True


def _from_rules(resource: Any) -> list[Required]:
    found = []
    rules = elements(resource.props, "rules")
    where = f"{label(resource)} rules[{RULE_ACTIVATION_AUTH_CONTEXT}]"
    for rule in rules:
        rule_id = get(rule, "id")
        if is_unknown(rule) or is_unknown(rule_id):
            found.append(Required(resource, UNKNOWN, f"{label(resource)} rules", certain=False))
            continue
        if not (isinstance(rule_id, str) and rule_id.strip().lower() == RULE_ACTIVATION_AUTH_CONTEXT.lower()):
            continue
        enabled, claim = get(rule, "isEnabled"), get(rule, "claimValue")
        if enabled is True or is_unknown(enabled):
            if claim in (None, "") and not is_unknown(enabled):
                continue  # enabled without a claim value: pim-settings' activation rules report it
            found.append(Required(resource, claim, f"{where}.claimValue", certain=enabled is True))
    return found


def required_contexts(resources: list) -> list[Required]:
    """Every authentication context a PIM setting in the stack requires on activation."""
    found: list[Required] = []
    for r in resources:
        if is_type(r, GROUP_POLICY, DIRECTORY_POLICY):
            claim = get(r.props, "activationRules", "requiredConditionalAccessAuthenticationContext")
            if claim not in (None, ""):
                found.append(
                    Required(r, claim, f"{label(r)} activationRules.requiredConditionalAccessAuthenticationContext")
                )
        elif _kind(r, ENTRA_ROLE_SETTINGS) in (EXACT, SHAPED) or is_type(r, AZURE_POLICY):
            # role settings in another graphKind spelling are judged as role settings: a provider may PATCH them
            found += _from_rules(r)
        elif _kind(r, ENTRA_ROLE_SETTINGS) == MAYBE:
            # a dynamic resource of unknown kind with PIM rules may be role settings: judged, never certain
            found += [Required(q.resource, q.claim, q.path, certain=False) for q in _from_rules(r)]
    return found


# --- what the stack declares for a context -------------------------------------------------------------


def _context_declared(args, report, claim: str, contexts: list, req: Required) -> bool:
    """(a): the stack declares the context, available. False when it reported something."""
    mine = [c for c in contexts if get(c.props, "claimValue") == claim]
    unknown = [c for c in contexts if is_unknown(get(c.props, "claimValue"))]
    if not mine:
        if unknown:
            unverified(args, report, f"{label(unknown[0])} claimValue", req.resource.urn)
        else:
            report(
                f"{req.path} requires authentication context {claim!r}, which the stack does not declare: in the "
                "tenant it may not exist or may mean anything (activation would need no more than a normal sign-in). "
                "Declare it under conditionalAccess.authenticationContexts (an AuthenticationContext resource) with "
                "the CA policies that give it its meaning (ConditionalAccessBaseline: PUM-CA09, PUM-CA10).",
                req.resource.urn,
            )
        return False
    available = [get(c.props, "isAvailable") for c in mine]
    if any(a is True for a in available):
        return True
    if any(is_unknown(a) for a in available):
        unverified(args, report, f"{label(mine[0])} isAvailable", req.resource.urn)
        return False
    report(
        f"{req.path} requires authentication context {claim!r}, but {label(mine[0])} is not available "
        "(isAvailable is not true): PIM cannot request an unpublished context. Set isAvailable true.",
        req.resource.urn,
    )
    return False


def _targets(p: CaPolicy, claim: str) -> Check:
    if claim.lower() in p.contexts.known:
        return YES
    if p.contexts.slots:
        return maybe(f"{p.label} conditions.applications.includeAuthenticationContextClassReferences")
    return fails()


def _base(p: CaPolicy, device_filter: bool = False) -> Check:
    """In force for every sign-in that requests the context: enabled (report-only does not count), All users but
    break-glass, no narrowing condition."""
    users = p.all_users()
    return (
        p.enabled()
        & p.known_kind()
        & (users if users.ok is not False else fails("does not include All users"))
        & p.excludes_only_break_glass()
        & p.unconditioned(device_filter)
    )


def _compliant(p: CaPolicy) -> Check:
    if "compliantdevice" in p.controls.known:
        return p.sole_or_and({"compliantdevice"})
    if p.controls.slots or is_unknown(p.grant):
        return maybe(f"{p.label} grantControls.builtInControls")
    return fails("does not require a compliant device")


def _paw_block(p: CaPolicy) -> Check:
    """Blocks every device outside the PAW's own device filter (`CaPolicy.blocks_outside_paw`)."""
    return p.blocks_outside_paw()


def _demand(args, report, req: Required, what: str, checks: list[tuple[CaPolicy, Check]], fix: str) -> None:
    """One control the context needs: some policy's check holds, else unverified or a violation naming why not."""
    if any(c.ok for _, c in checks):
        return
    undecided = [(p, c) for p, c in checks if c.ok is None]
    if undecided or not req.certain:
        for _policy, c in undecided:
            for unknown in dict.fromkeys(c.unknown):
                unverified(args, report, unknown, req.resource.urn)
        if not undecided:
            unverified(args, report, f"{req.path} (whether it is enabled)", req.resource.urn)
        return
    considered = "; ".join(f"{p.label} {', '.join(dict.fromkeys(c.why))}" for p, c in checks if c.why)
    report(
        f"{req.path} requires authentication context {req.claim!r}, but no enabled CA policy {what}"
        + (f": {considered}" if considered else "")
        + f". {fix}",
        req.resource.urn,
    )


SCOPE_FIX = (
    "for All users, excluding only the break-glass accounts, with no client-app, location, platform or risk condition"
)


@verifying
def _context_enforced(args, report) -> None:
    resources = list(args.resources)
    required = required_contexts(resources)
    if not required:
        return
    contexts = [r for r in resources if _kind(r, AUTHENTICATION_CONTEXT) == EXACT]
    ctx = Context.of(args)
    policies = ca_policies(args, ctx)
    by_urn = {r.urn: r for r in resources}
    controls = set((args.get_config() or {}).get(DEVICE_CONTROLS, DEVICE_SCHEMA[DEVICE_CONTROLS]["default"]))
    paw = "pawDeviceFilter" in controls and _declares_paw(args)
    for req in required:
        if is_unknown(req.claim) or not isinstance(req.claim, str):
            unverified(args, report, req.path, req.resource.urn)
            continue
        claim = req.claim
        if not _context_declared(args, report, claim, contexts, req):
            continue
        targeting = [(p, _targets(p, claim)) for p in policies]
        targeting = [(p, t) for p, t in targeting if t.ok is not False]
        target = f"targets context {claim!r} ({SCOPE_FIX})"
        _demand(
            args,
            report,
            req,
            f"{target} and requires phishing-resistant authentication",
            [(p, t & _base(p) & p.phishing_resistant(by_urn)) for p, t in targeting],
            f"Declare one with includeAuthenticationContextClassReferences [{claim}] and the phishing-resistant "
            "strength (ConditionalAccessBaseline PUM-CA09), enabled.",
        )
        if "compliantDevice" in controls:
            _demand(
                args,
                report,
                req,
                f"{target} and requires a compliant device",
                [(p, t & _base(p) & _compliant(p)) for p, t in targeting],
                f"Require compliantDevice (operator AND) in a policy for context {claim} (PUM-CA09), enabled.",
            )
        if paw:
            _demand(
                args,
                report,
                req,
                f"{target} and blocks every device outside the PAW device filter",
                [(p, t & _base(p, device_filter=True) & _paw_block(p)) for p, t in targeting],
                f"Block context {claim} on devices outside the PAW filter (conditions.devices filter mode exclude, "
                "grant block; PUM-CA10), enabled.",
            )


@verifying
def _cae_strict(args, report) -> None:
    grants = role_grants(args.resources)
    roles = {g.role for g in grants if g.role in PRIVILEGED_ROLE_IDS}
    if not roles:
        return
    ctx = Context.of(args)

    def strict(p: CaPolicy) -> Check:
        mode = get(p.session, "continuousAccessEvaluationMode")
        if isinstance(mode, str) and mode.lower() in STRICT_MODES:
            return YES
        if is_unknown(mode) or is_unknown(p.session):
            return maybe(f"{p.label} sessionControls.continuousAccessEvaluation")
        return fails("does not strictly enforce continuous access evaluation")

    def admins(p: CaPolicy) -> Check:
        if "all" in p.inc_users.known or roles <= set(p.inc_roles.known):
            return YES
        if p.inc_roles.slots or p.inc_users.slots:
            return maybe(f"{p.label} conditions.users.includedRoles")
        return fails("does not target every privileged role the stack grants")

    checks = [
        (p, strict(p) & admins(p) & p.every_sign_in() & p.excludes_only_break_glass() & p.enforced() & p.known_kind())
        for p in ca_policies(args, ctx)
        if get(p.session, "continuousAccessEvaluationMode") is not None
    ]
    if any(c.ok for _, c in checks):
        return
    undecided = [(p, c) for p, c in checks if c.ok is None]
    for p, c in undecided:
        for unknown in dict.fromkeys(c.unknown):
            unverified(args, report, unknown, p.urn)
    if undecided:
        return
    reasons = "; ".join(f"{p.label} {', '.join(dict.fromkeys(c.why))}" for p, c in checks if c.why)
    report(
        "no enabled CA policy strictly enforces continuous access evaluation for the admins on all resources"
        + (f": {reasons}" if reasons else "")
        + ". Declare one (ConditionalAccessBaseline PUM-CA11, conditionalAccess.continuousAccessEvaluation strict): "
        "sessionControls.continuousAccessEvaluation.mode strictEnforcement for the privileged roles, All resources, "
        "excluding only the break-glass accounts."
    )


DEVICE_SCHEMA = {
    DEVICE_CONTROLS: {
        "type": "array",
        "items": {"type": "string", "enum": ["compliantDevice", "pawDeviceFilter"]},
        "uniqueItems": True,
        "default": ["compliantDevice", "pawDeviceFilter"],
        "description": "What the CA policies of an authentication context PIM requires must demand besides "
        "phishing-resistant authentication: a compliant device, and (when the stack declares a PAW) a block on every "
        "device outside a device filter.",
    }
}
UNKNOWN_SCHEMA = {"unknownAtPreview": TUNABLES["unknownAtPreview"]}

WHEN_UNKNOWN = {
    "pim-authentication-context-enforced": "An unknown claim value (or whether the rule is enabled), an unknown "
    "context claim value or isAvailable, or an unknown state, user list, exclusion, context list, condition, grant, "
    "operator, strength or device filter of a CA policy that may be the one giving the context its meaning (or an "
    "unknown PawHostPool deviceFilter) is a mandatory 'cannot be verified at preview' finding; an unknown graphKind, "
    "or one not exactly ours, never counts as a CA policy or context.",
    "ca-admin-cae-strict": "An unknown session control, role list, state or condition of a policy that may strictly "
    "enforce CAE for the admins is an advisory 'cannot be verified at preview' note.",
}

POLICIES = [
    StackValidationPolicy(
        name="pim-authentication-context-enforced",
        description="A PIM setting that requires an authentication context on activation needs that context declared "
        "and available, and enabled CA policies targeting it for everyone but break-glass that require "
        "phishing-resistant authentication, a compliant device and (with a PAW) the PAW.",
        validate=_context_enforced,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({**DEVICE_SCHEMA, **BREAK_GLASS, **PAW_SCHEMA, **UNKNOWN_SCHEMA}),
        **meta(
            "critical",
            "Declare the context under conditionalAccess.authenticationContexts and enforce its policies "
            "(ConditionalAccessBaseline PUM-CA09 and PUM-CA10: conditionalAccess.enforce), or require MFA in PIM "
            "(activation.requireMfa) until they are enforced.",
            PIM_PLAN,
            "Require Conditional Access authentication context on activation",
        ),
    ),
    StackValidationPolicy(
        name="ca-admin-cae-strict",
        description="A stack that grants privileged Entra roles strictly enforces continuous access evaluation for "
        "the admins on all resources (advisory: strict mode refuses non-CAE clients).",
        validate=_cae_strict,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema({**BREAK_GLASS, **UNKNOWN_SCHEMA}),
        **meta(
            "medium",
            "Set conditionalAccess.continuousAccessEvaluation to strict (PUM-CA11) and enforce it once the sign-in "
            "logs show no CAE-incapable clients the admins need.",
            "Microsoft Entra continuous access evaluation",
            "Strictly enforce location policies / strict enforcement",
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation",
        ),
    ),
]
