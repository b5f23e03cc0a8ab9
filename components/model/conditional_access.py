"""Stack model for the admin conditional-access baseline: `privileged-access:conditionalAccess`.

Everything here is plain data read from the stack file; the component turns it into policies.
Object IDs of the PIM groups and break-glass accounts are not configured here: the stack builder
passes them from the components that create them, so there is one source of truth for each.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

from privileged_facts.values import is_guid
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .scalars import Bool, Date, Int

PolicyCode = Literal["CA01", "CA02", "CA03", "CA04", "CA05", "CA06", "CA07", "CA08", "CA09", "CA10", "CA11"]
PhishingResistantMethod = Literal["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]


MIN_IP_RANGE_PREFIX = 8
"""The azuread provider's floor for named-location ranges: `ip.ip_ranges` is validated with
`validation.PrefixLengthAtLeast(8)` (internal/services/conditionalaccess/named_location_resource.go, v3.6-v3.9 of
hashicorp/terraform-provider-azuread, which pulumi-azuread 6.x is generated from; the check lives in
internal/helpers/tf/validation/net.go). It parses each range with Go's `netip.ParsePrefix`, which takes only
`<address>/<decimal bits>`: no bare address, no netmask (255.255.255.0) form, no IPv6 zone."""

_BITS = re.compile(r"^(0|[1-9][0-9]{0,2})$")


def ip_range_problem(cidr: str) -> str | None:
    """Why `cidr` is not a named-location IP range the azuread provider (and Graph) accept, or None.

    The provider's rule (see MIN_IP_RANGE_PREFIX): `<address>/<bits>` with bits >= 8, IPv4 or IPv6. The model also
    wants the network address itself (203.0.113.0/24, not 203.0.113.7/24), so the range is what it reads as."""
    address, slash, bits = cidr.partition("/")
    example = "203.0.113.0/24 (IPv4) or 2001:db8::/48 (IPv6)"
    if not slash:
        return f"{cidr!r} has no prefix length; write a CIDR range such as {address}/32 or {example}"
    if not _BITS.match(bits):
        return (
            f"{cidr!r}: the prefix length must be a number of bits (a netmask such as 255.255.255.0 is not "
            f"accepted by the azuread provider); write it like {example}"
        )
    if "%" in address:
        return f"{cidr!r}: an IPv6 zone (%...) is not accepted; drop it and write the range like {example}"
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return f"{cidr!r} is not a CIDR range; write it like {example}"
    if net.prefixlen < MIN_IP_RANGE_PREFIX:
        return (
            f"{cidr!r} is broader than the azuread provider accepts (prefix length at least "
            f"/{MIN_IP_RANGE_PREFIX}); split it into /{MIN_IP_RANGE_PREFIX} or narrower ranges"
        )
    if str(net.network_address) != str(ipaddress.ip_address(address)):
        return f"{cidr!r} has host bits set; write the network address, {net.with_prefixlen}"
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class NamedLocation(_Model):
    """An IP or country named location; exactly one of `ipRanges` / `countries`."""

    name: str = Field(min_length=1, description="Display name of the named location.")
    ip_ranges: list[str] = Field(
        default_factory=list, description="CIDR ranges, e.g. 203.0.113.0/24 (prefix length /8 or longer)."
    )
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes, e.g. NL.")
    trusted: Bool = Field(False, description="Mark an IP location as trusted (IP locations only).")

    @field_validator("ip_ranges")
    @classmethod
    def _cidrs(cls, ranges: list[str]) -> list[str]:
        for cidr in ranges:
            problem = ip_range_problem(cidr)
            if problem:
                raise ValueError(problem)
        return ranges

    @field_validator("countries")
    @classmethod
    def _countries(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if len(c) != 2 or not c.isalpha() or not c.isupper()]
        if bad:
            raise ValueError(f"{bad} are not ISO 3166-1 alpha-2 codes; use two capitals such as NL")
        return codes

    @model_validator(mode="after")
    def _one_kind(self) -> NamedLocation:
        if bool(self.ip_ranges) == bool(self.countries):
            raise ValueError(f"named location {self.name!r} needs exactly one of ipRanges or countries")
        if self.trusted and self.countries:
            raise ValueError(f"named location {self.name!r}: only IP locations can be trusted; drop trusted")
        return self


class AuthenticationContext(_Model):
    """A CA authentication context (c1..c99) that PIM role settings require on activation.

    The baseline declares the context itself (Graph's authenticationContextClassReference) and the policies that give
    it its meaning: PUM-CA09 (phishing-resistant MFA on a compliant device) and, with a PAW, PUM-CA10 (blocked on any
    device outside the PAW device filter), for All users but the break-glass accounts."""

    id: str = Field(pattern=r"^c([1-9]|[1-9][0-9])$", description="Claim value, c1 to c99.")
    display_name: str = Field(min_length=1, description="The name admins pick the context by (PIM, CA).")
    description: str = Field("", description="What the context requires, shown to admins.")
    is_available: Bool = Field(
        True,
        description="Publish the context to apps (PIM requests it); false keeps it for CA policy authoring only, "
        "and PIM settings cannot require it then.",
    )


def _default_contexts() -> list[AuthenticationContext]:
    return [
        AuthenticationContext(
            id="c1",
            display_name="PIM activation: PAW and phishing-resistant MFA",
            description="Required by PIM to activate privileged roles; satisfied only on the PAW with "
            "phishing-resistant authentication.",
        )
    ]


def _default_strength_methods() -> list[PhishingResistantMethod]:
    return ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]


class ConditionalAccessSettings(_Model):
    """The admin conditional-access baseline (policies PUM-CA01..CA11, see docs/conditional-access-rollout.md).

    A policy is report-only (`enabledForReportingButNotEnforced`) until `enforce` names it (a list of
    policy codes) or is `true` (all of them). The policy pack accepts report-only admin policies only during
    a staged rollout that has not ended (`reportOnlyUntil`), and never in production.
    """

    enabled: Bool = Field(True, description="Declare the baseline at all.")
    enforce: Bool | list[PolicyCode] = Field(
        False,
        description="true: enforce every policy; a list of codes (e.g. [CA05, CA06]): enforce those; "
        "false: all report-only.",
    )
    report_only_until: Date | None = Field(
        None,
        description="End of the staged rollout (YYYY-MM-DD, at most 90 days ahead): until this day the pack "
        "accepts the policies not in `enforce` being report-only (an advisory note); afterwards, and in "
        "production, a report-only admin policy is a mandatory violation. Omit it once `enforce` is true.",
    )
    name_prefix: str = Field("PUM", pattern=r"^[A-Za-z0-9]{1,12}$", description="Prefix of every policy name.")
    privileged_roles: list[str] | None = Field(
        None,
        description="Entra role template IDs the admin policies target; default: the catalog's privileged role set.",
    )
    authentication_strength: Literal["builtin", "custom"] = Field(
        "builtin",
        description="builtin: Microsoft's Phishing-resistant MFA strength (…0004); custom: "
        "declare a strength with only `customStrengthMethods`.",
    )
    custom_strength_methods: list[PhishingResistantMethod] = Field(
        default_factory=_default_strength_methods,
        min_length=1,
        description="Methods of the custom strength (phishing-resistant ones only).",
    )
    sign_in_frequency_hours: Int = Field(4, ge=1, le=24, description="Admins re-authenticate after this.")
    block_legacy_authentication: Bool = Field(True, description="CA05: block legacy clients for all users.")
    block_device_code_flow: Bool = Field(True, description="CA06: block the device-code flow for all users.")
    paw_device_filter: str | None = Field(
        None,
        description="Device filter rule matching PAW session hosts; default: derived from the PAW "
        "host pool's computer-name prefix.",
    )
    named_locations: list[NamedLocation] = Field(default_factory=list)
    admin_allowed_locations: list[str] = Field(
        default_factory=list,
        description="Names of named locations admins may sign in from (CA08 blocks "
        "the rest); empty: no location policy.",
    )
    authentication_contexts: list[AuthenticationContext] = Field(
        default_factory=_default_contexts,
        description="Authentication contexts PIM settings may require (activation.authenticationContext); each gets "
        "the CA policies PUM-CA09 (and PUM-CA10 with a PAW) that make it mean phishing-resistant MFA from the PAW.",
    )
    continuous_access_evaluation: Literal["strict", "default"] = Field(
        "strict",
        description="strict: PUM-CA11 strictly enforces continuous access evaluation for admins on all resources "
        "(non-CAE clients and IP mismatches between Entra and the resource are refused); default: no CAE policy "
        "(Entra's default, non-strict CAE).",
    )

    @field_validator("privileged_roles")
    @classmethod
    def _role_ids(cls, roles: list[str] | None) -> list[str] | None:
        bad = [r for r in roles or [] if not is_guid(r)]
        if bad:
            raise ValueError(
                f"{bad} are not role template IDs; use GUIDs such as "
                "62e90394-69f5-4237-9190-012177145e10 (Global Administrator)"
            )
        if roles is not None and not roles:
            raise ValueError("an empty list would leave admins without policies; omit the field for the default")
        return roles

    @model_validator(mode="after")
    def _references(self) -> ConditionalAccessSettings:
        names = {loc.name for loc in self.named_locations}
        missing = [n for n in self.admin_allowed_locations if n not in names]
        if missing:
            raise ValueError(
                f"adminAllowedLocations {missing} are not declared in namedLocations (declared: {sorted(names)})"
            )
        ids = [c.id for c in self.authentication_contexts]
        if len(ids) != len(set(ids)):
            raise ValueError(f"authenticationContexts declares an id twice: {ids}")
        return self

    def enforced(self, code: str) -> bool:
        """True when policy `code` is to be enforced rather than report-only."""
        return self.enforce is True or (isinstance(self.enforce, list) and code in self.enforce)

    def context_ids(self) -> set[str]:
        """The declared authentication-context claim values, for PIM settings to reference."""
        return {c.id for c in self.authentication_contexts}


def admin_access_issues(model) -> list:
    """Checks between the PAW / conditional-access areas and the rest of the model, with exact paths."""
    from .errors import Issue

    issues = []
    people = model.principals.people
    if model.paw is not None and model.paw.enabled:
        admins = sorted(k for k, p in people.items() if p.admin_account)
        for index, key in enumerate(model.paw.users):
            if key not in people or not people[key].admin_account:
                issues.append(
                    Issue(
                        ("paw", "users", index),
                        key,
                        "is not a person with an adminAccount in "
                        f"privileged-access:principals.people; use one of {admins}",
                    )
                )
    ca = model.conditional_access
    if ca is None or not ca.enabled:
        return issues
    declared = sorted(ca.context_ids())
    referenced: list[tuple[tuple[str | int, ...], Any]] = [
        (("pim", "defaults", "activation"), model.pim.defaults.activation)
    ]
    for kind, bindings in (
        ("roleBindings", model.pim.role_bindings),
        ("azureRoleBindings", model.pim.azure_role_bindings),
    ):
        referenced += [(("pim", kind, index, "activation"), b.activation) for index, b in enumerate(bindings)]
    unavailable = sorted(c.id for c in ca.authentication_contexts if not c.is_available)
    for loc, activation in referenced:
        context = activation.authentication_context
        if context and context in unavailable:
            issues.append(
                Issue(
                    (*loc, "authenticationContext"),
                    context,
                    "is declared with isAvailable false in privileged-access:conditionalAccess.authenticationContexts, "
                    "so PIM cannot request it; set isAvailable true (or omit it)",
                )
            )
        if context and context not in declared:
            issues.append(
                Issue(
                    (*loc, "authenticationContext"),
                    context,
                    "is not declared in "
                    f"privileged-access:conditionalAccess.authenticationContexts (declared: {declared}); "
                    "declare it there once",
                )
            )
    if model.break_glass is None:
        issues.append(
            Issue(
                ("breakGlass",),
                None,
                "is required with privileged-access:conditionalAccess: every "
                "CA policy excludes the break-glass accounts; declare at least two",
            )
        )
    return issues
