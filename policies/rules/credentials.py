"""Policies for credentials (issue 20). Each entry of POLICIES is a pulumi-policy policy; WHEN_UNKNOWN says for each
what it does when a deciding value is unknown at preview (the README's table).

`no-credential-in-outputs` keeps passwords and Temporary Access Passes out of every place that is not a credential
sink. pulumi-policy hands policies secret values unwrapped (pulumi_policy.deserialize drops the secret mark), so the
policy cannot tell a secret from a plain value and never relies on secretness: it judges where a value comes from
(property dependencies on a credential source: RandomPassword, an azuread application or service principal password,
a Temporary Access Pass resource), where it goes (the resource type and the property path), the names of the keys
that hold it, and, where values are known, the value itself (a known credential found anywhere else). Messages never
show a value: they name the resource, the property and the source.

- A credential source may flow (a property dependency) only into a sink of the small, explicit table `SINKS`
  (azuread User.password, a VM's osProfile.adminPassword, a Key Vault secret's properties.value, an encrypted
  Automation variable's value); anywhere else (tags, descriptions, display names, Logic App parameters, an unencrypted
  Automation variable, app settings, another resource's input) it is a violation, whatever the key is called and
  however many `apply`s it went through.
- A sink takes only a generated credential: a literal there is a violation (encrypted in Azure, but in the
  repository, the plan and the state), and an unknown computed from anything but a credential source is unverified.
- A password field (any key naming a password, read as words: adminPassword, adminPass, userPass, pw, admin_pwd,
  db-passphrase, userPin, clientSecret; the innermost key that is not a wrapper such as a Logic App parameter's
  `value`) holding a literal is a violation: a literal is a password someone knows (the stack file, the repository). A
  key whose last word is a setting word (a duration, count, policy, name or ID: passwordRotationDays,
  minPasswordLength, passwordSecretName) is not a password field, nor is a value that is only a small number, a flag
  or a duration ('90', 'true', 'P90D'; four digits or more, or digits under a PIN or passcode key, stay one). In a
  Logic App definition an expression is a literal unless it reads something (parameters, variables, an action's
  result): `@{concat('Win', 'ter')}` is one, and so is `@{parameters('p')}` when p's value is a literal.
  A workflow parameter declared securestring or secureobject is a password field whatever its name.
- Any key naming a password or a Temporary Access Pass in a component's or the stack's outputs is a violation, and a
  credential value the plan knows found in any other property or output (also inside a longer string) is one. The
  engine records no property dependencies for registered outputs, so an output unknown at preview is unverified
  unless its key names an identifier (`_IDENTIFIER_WORDS`: id(s), name(s), url/uri, endpoint, fqdn, address,
  location, region, scope; or a map under such a plural key, objectIds.pedro).
- A dynamic resource's props are its inputs at preview (it does not preview), so an unknown in one that no resource
  computed (no property dependency: pulumi.Output(set(), ...)) hides its origin and is unverified.
- A Temporary Access Pass resource of any shape is a violation: a dynamic resource (any type name) whose graphKind
  names one (temporaryAccessPass, userTap, tmpAccessPass, oneTimePass), or any of whose keys or string values carries
  the marker `temporaryaccesspass` once case-folded and stripped of separators (an @odata.type of
  temporaryAccessPassAuthenticationMethod), or, unless its graphKind is one of ours (`GRAPH_KINDS`), a pass's own
  keys (isUsableOnce, lifetimeInMinutes); and any property naming the TAP endpoint (temporaryAccessPassMethods)
  outside a Logic App definition (a TAP is issued by the onboarding automation, never kept by Pulumi). The tenant's
  TAP *policy* (graphKind temporaryAccessPassPolicy, components/graph/temporary_access_pass_policy.py) is not a pass
  and is accepted with exactly its own properties.
- A Logic App (azure-native logic Workflow) action that calls a TAP or password endpoint (temporaryAccessPassMethods,
  passwordProfile, resetPassword, changePassword, a Key Vault secret GET: looked for in the action's whole text, the
  workflow parameters it uses substituted where they stand, reduced to [a-z0-9], so concat() pieces and parameters
  read whole) must keep its inputs and outputs out of the run history (runtimeConfiguration.secureData.properties:
  inputs and outputs). An action that reads such an action's result (body('X'), outputs('X'), actions('X'),
  result('Scope') of a scope holding one, an action name computed by an expression, or a variable a reader set) must
  secure its inputs (and its outputs, for data operations such as Compose and Set variable, whose outputs are their
  inputs), and carries the value on to the actions that read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from privileged_facts.graph_kinds import GRAPH_KINDS  # our Graph providers' graphKinds, spelled exactly
from privileged_facts.values import UNKNOWN, is_unknown
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from .common import (
    RANDOM_PASSWORD,
    USER,
    canonical_type,
    config_schema,
    dependencies_of,
    elements,
    get,
    is_dynamic,
    is_type,
    label,
    meta,
    unverified,
    verifying,
)

POLICY = "no-credential-in-outputs"
ROOT_STACK = "pulumi:pulumi:Stack"
WORKFLOW = "azure-native:logic:Workflow"
VM = "azure-native:compute:VirtualMachine"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
AUTOMATION_VARIABLE = "azure-native:automation:Variable"
TAP_POLICY_KIND = "temporaryAccessPassPolicy"
TAP_POLICY_KEYS = frozenset(
    {
        "graphKind",
        "state",
        "isUsableOnce",
        "minimumLifetimeInMinutes",
        "defaultLifetimeInMinutes",
        "maximumLifetimeInMinutes",
        "defaultLength",
        "includeGroupIds",
        "excludeGroupIds",
        "previous",
    }
)

CREDENTIAL_SOURCES: dict[str, tuple[str, ...]] = {
    RANDOM_PASSWORD: ("result", "bcryptHash"),
    "azuread:index/applicationPassword:ApplicationPassword": ("value",),
    "azuread:index/servicePrincipalPassword:ServicePrincipalPassword": ("value",),
}
"""Resources whose listed outputs are credentials (a generated password, a client secret)."""


def _encrypted(resource: Any) -> bool:
    return get(resource.props, "isEncrypted") is True


SINKS: tuple[tuple[str, tuple[str, ...], Any], ...] = (
    (USER, ("password",), None),
    (VM, ("osProfile", "adminPassword"), None),
    (KEY_VAULT_SECRET, ("properties", "value"), None),
    (AUTOMATION_VARIABLE, ("value",), _encrypted),
)
"""The only places a credential may flow into: (resource type, property path, extra condition on the resource)."""

WHEN_UNKNOWN = {
    POLICY: "A credential source that flows into a non-sink property is a violation whatever its value; a password "
    "field, a credential sink not computed from a credential source, a sink's other fields, a Logic App definition or "
    "an action's call or secureData that is unknown at preview (and could hold or expose a credential) is a mandatory "
    "'cannot be verified at preview' violation, and so is a stack or component output unknown at preview whose key "
    "names no identifier (id, name, uri, endpoint...: outputs carry no origin) and an unknown in a dynamic resource "
    "that no resource computed (its origin hidden). Known outputs are judged by their key and by the credential "
    "values the plan knows.",
}

# A key is read as words (camelCase, PascalCase, snake, kebab and dotted keys split: 'adminPass' -> admin pass,
# 'AD_PWD' -> ad pwd, 'passwordRotationDays' -> password rotation days). It names a password when one of its words
# is a password word (or, for a key written in one lower-case word, it contains a long one or ends in a short one),
# unless its last word makes it a setting about passwords or a reference to one (passwordSecretName,
# passwordRotationDays, disablePasswordExpiration): the setting words are durations, counts, policies, names and IDs.
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "passcode", "pass", "pw", "pwd", "pin", "secret"})
_PASSWORD_STEMS = ("password", "passwd", "passphrase", "passcode")  # found inside a one-word key too
_PASSWORD_ENDINGS = ("pwd", "pass")  # 'adminpwd', 'adminpass'
_NOT_PASSWORD = frozenset({"bypass", "compass", "overpass", "underpass", "surpass", "trespass", "bypasses"})
_NUMERIC_CREDENTIAL_WORDS = frozenset({"pin", "passcode"})  # credentials made of digits only
_SETTING_WORDS = frozenset(
    {
        # references and identities
        "name", "names", "id", "ids", "uri", "url", "ref", "reference", "version", "type", "kind", "mode", "hint",
        # durations, dates and schedules
        "lifetime", "minutes", "hours", "days", "weeks", "months", "years", "seconds", "duration", "period",
        "interval", "frequency", "rotation", "expiration", "expiry", "expires", "date", "datetime", "time", "age",
        "notify", "notification", "notifications", "reminder", "schedule",
        # counts, sizes and rules
        "length", "count", "limit", "threshold", "attempts", "history", "complexity", "strength", "characters",
        "policy", "policies", "profile", "profiles", "rules", "settings", "options", "configuration", "config",
        # flags
        "enabled", "disabled", "required", "allowed", "authentication", "auth", "lockout", "reset", "change",
        "changes", "method", "methods",
    }
)  # fmt: skip
_SETTING_PREFIXES = frozenset({"disable", "enable", "force", "require", "allow", "is", "has", "use", "min", "max"})
_SETTING_ENDINGS = tuple(sorted(_SETTING_WORDS | {"lifetimeinminutes", "inminutes", "indays"}, key=len))
_WRAPPER_KEYS = frozenset({"value", "values", "defaultvalue", "securevalue", "data", "text", "content"})
# a value that is only a small number, a boolean or a duration is a setting, not a credential ('90', 'true', 'P90D',
# '30d'); four digits or more under a password key stay a literal password ('1234')
_SETTING_VALUE = re.compile(
    r"^\s*(?:\d{1,3}|true|false|yes|no|on|off|enabled|disabled|"
    r"P(?=\d|T\d)(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?|\d+\s*(?:s|m|h|d|w|sec|min|mins|hours?|days?|weeks?))\s*$",
    re.I,
)
_TAP_VALUE_WORDS = frozenset({"value", "code", "pass", "secret", "pin", "token", "text"})
_TAP_KEYS = frozenset({"tap", "taps", "tapcode", "tapvalue", "tappass", "tapsecret", "tappin"})
_TAP_MARKER = "temporaryaccesspass"  # in a normalised key or value (letters and digits only, lower case)
_TAP_KIND_MARKERS = (_TAP_MARKER, "accesspass", "temppass", "tmppass", "onetimepass")
_TAP_SHAPE = frozenset({"isusableonce", "lifetimeinminutes", "methodusabilityreason"})
"""The keys of Graph's temporaryAccessPassAuthenticationMethod (what a POST to temporaryAccessPassMethods takes and
returns besides the pass) that no other object of ours carries: https://learn.microsoft.com/graph/api/resources/
temporaryaccesspassauthenticationmethod. The TAP policy's own lifetimes are minimum/default/maximumLifetimeInMinutes."""
_CALL_MARKERS = ("temporaryaccesspassmethods", "passwordprofile", "resetpassword", "changepassword")
_VAULT_SECRET = re.compile(r"(vaultazure(net|cn|us)|vaultusgovcloudapinet|vaulturi|vaultbaseurl)[a-z0-9]*secrets")
REFERENCES = (
    # the DSC extension's pointer into its protectedSettings ("PrivateSettingsRef:<name>",
    # https://learn.microsoft.com/azure/virtual-machines/extensions/dsc-template), as the PAW's AVD agent uses it
    re.compile(r"^PrivateSettingsRef:[A-Za-z0-9_]+$"),
    # an App Service Key Vault reference (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)
    re.compile(r"^@Microsoft\.KeyVault\([^()]*\)$"),
)
"""Values in a password field that point at a secret kept elsewhere: not a password."""
_REFERENCE = re.compile(r"\b(?:body|outputs|actions|result)\s*\(\s*'([^']+)'\s*\)", re.I)
_COMPUTED_REFERENCE = re.compile(r"\b(?:body|outputs|actions|result)\s*\(\s*(?!['\s)])", re.I)  # a name computed
_VARIABLE = re.compile(r"\bvariables\s*\(\s*'([^']+)'\s*\)", re.I)
_EXPRESSION_READS = re.compile(
    r"\b(parameters|variables|body|outputs|actions|result|triggerbody|triggeroutputs|trigger|triggermultipartbody|"
    r"triggerformdatavalue|triggerformdatamultivalues|items|item|workflow|appsetting|listcallbackurl|guid|rand)"
    r"\s*\(\s*(?:'([^']*)')?",
    re.I,
)
"""Workflow expression functions that read a value from somewhere (or generate one at run time); an expression made
of literals and string functions only (`@{concat('Winter', '2026!')}`) is a literal."""
_UNKNOWN_TEXT = "<unknown at preview>"  # how an unknown reads in an action's text (json.dumps escapes control chars)
_MIN_VALUE = 8  # shorter known values (true, 4, c1) are everywhere and reveal nothing

# Stack and component outputs carry no property dependencies (the engine records none for registered outputs), so an
# output unknown at preview cannot be traced to its origin: it is unverified unless its key names an identifier, the
# only thing the stack's outputs are for (object IDs, resource IDs, names, endpoints, places). Small on purpose: a key
# outside it is one more unknown the gate cannot see.
_IDENTIFIER_WORDS = frozenset(
    {
        "id", "ids", "name", "names", "url", "urls", "uri", "uris", "endpoint", "endpoints", "fqdn", "fqdns",
        "address", "addresses", "location", "locations", "region", "regions", "scope", "scopes",
    }
)  # fmt: skip
_PLURAL_IDENTIFIER_WORDS = frozenset(w for w in _IDENTIFIER_WORDS if w.endswith("s") and w != "address")


def _norm(key: Any) -> str:
    """Lower case, letters and digits only, percent-escapes decoded first ('temporary%41ccess-Pass' reads whole)."""
    return re.sub(r"[^a-z0-9]", "", unquote(str(key)).lower())


def _setting(key: Any) -> bool:
    """A key about a credential (its policy, lifetime, name or ID, a flag) rather than one that holds it."""
    words = _words(key)
    n = _norm(key)
    if not words:
        return False
    if len(words) == 1:  # one word ('passwordrotationdays', 'PASSWORD_ROTATION' splits): its ending decides
        return n not in _PASSWORD_WORDS and n.endswith(_SETTING_ENDINGS)
    return words[-1] in _SETTING_WORDS or words[0] in _SETTING_PREFIXES


def names_password(key: Any) -> bool:
    """A key that names a password value (not a setting about passwords)."""
    n = _norm(key)
    words = _words(key)
    if not n or n in _NOT_PASSWORD or _setting(key):
        return False
    # 'pass' after 'access' is a Temporary Access Pass (names_tap), after 'by' a bypass ('by_pass')
    if any(
        w in _PASSWORD_WORDS and not (w == "pass" and i and words[i - 1] in ("access", "by"))
        for i, w in enumerate(words)
    ):
        return True
    if any(stem in n for stem in _PASSWORD_STEMS):
        return True
    return len(words) == 1 and n.endswith(_PASSWORD_ENDINGS) and not n.endswith(tuple(_NOT_PASSWORD))


def names_identifier(key: Any) -> bool:
    """A key whose last word names an identifier ('adminAccountObjectIds', 'keyVaultUri', 'workerGroupName')."""
    words = _words(key)
    return bool(words) and words[-1] in _IDENTIFIER_WORDS


def _deciding_key(path: tuple) -> Any:
    """The innermost key of `path` that says what the value is: not a wrapper ('adminPass': {'value': ...})."""
    keys = [p for p in path if isinstance(p, str)]
    return next((k for k in reversed(keys) if _norm(k) not in _WRAPPER_KEYS), keys[-1] if keys else "")


def _words(key: Any) -> list[str]:
    """A key's words, lower case: 'adminTap' -> ['admin', 'tap'], 'TAP_value' -> ['tap', 'value']."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(key))]


def _tap_words(words: list[str]) -> bool:
    """'adminTap', 'tapValue', 'userTAP' name a pass; 'tapConfigurations' and 'virtualNetworkTap' (a network tap,
    azure-native's NetworkInterface) do not."""
    for i, word in enumerate(words):
        if word not in ("tap", "taps") or (i and words[i - 1] == "network"):
            continue
        rest = words[i + 1 :]
        if not rest or rest[0] in _TAP_VALUE_WORDS:
            return True
    return False


def names_tap(key: Any) -> bool:
    """A key (or a graphKind) that names a Temporary Access Pass value."""
    n = _norm(key)
    if n in _TAP_KEYS or _tap_words(_words(key)):
        return True
    return _TAP_MARKER in n and not _setting(key)


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every scalar or unknown in `value` (plain data from `get`)."""
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _leaves(member, (*path, key))
    elif isinstance(value, list):
        for i, member in enumerate(value):
            yield from _leaves(member, (*path, i))
    else:
        yield path, value


def _has_unknown(value: Any) -> bool:
    return any(is_unknown(leaf) for _, leaf in _leaves(value))


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(path))


def _source_keys(resource: Any) -> tuple[str, ...]:
    for token, keys in CREDENTIAL_SOURCES.items():
        if is_type(resource, token):
            return keys
    return ()


def _is_dynamic(resource: Any) -> bool:
    """A Python dynamic resource under any type name the SDK gives one (`common.is_dynamic`)."""
    return is_dynamic(resource.resource_type)


def _graph_kind(resource: Any) -> Any:
    return get(resource.props, "graphKind") if _is_dynamic(resource) else None


_TARGET = re.compile(r"^(?:(?:group|user):)?(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|all_users)$")


def _tap_settings_only(values: Any) -> bool:
    """Only the TAP policy's settings, each of its own type: nothing that could carry a pass."""
    if not isinstance(values, dict) or not set(values) <= TAP_POLICY_KEYS:
        return False
    for key, value in values.items():
        if value is None or is_unknown(value) or key == "previous":
            continue
        if key in ("includeGroupIds", "excludeGroupIds"):
            members = value if isinstance(value, list) else [value]
            if not all(is_unknown(m) or (isinstance(m, str) and _TARGET.match(m)) for m in members):
                return False
        elif key == "isUsableOnce":
            if not isinstance(value, bool):
                return False
        elif key in ("graphKind", "state"):
            if value not in (TAP_POLICY_KIND, "enabled", "disabled"):
                return False
        elif isinstance(value, bool) or not isinstance(value, int | float):  # numbers reach policies as floats
            return False
    return True


def _genuine_tap_policy(resource: Any) -> bool:
    """The tenant's TAP policy resource with exactly its own properties, each of its own type (its `previous` too)."""
    if _graph_kind(resource) != TAP_POLICY_KIND:
        return False
    props = get(resource.props)
    if not _tap_settings_only(props):
        return False
    previous = props.get("previous")
    return previous is None or is_unknown(previous) or _tap_settings_only(previous)


def _names_tap_kind(kind: str) -> bool:
    """A graphKind that names a pass: 'temporaryAccessPass', 'userTap', 'tmpAccessPass', 'oneTimePass'."""
    return any(marker in _norm(kind) for marker in _TAP_KIND_MARKERS) or _tap_words(_words(kind))


def _tap_marked(value: Any, shape: bool = True) -> bool:
    """A TAP marker in any key or string value (case-folded, separators stripped: '#microsoft.graph.temporaryAccess
    PassAuthenticationMethod', 'temporary-access-pass'), or the shape of a pass (isUsableOnce, lifetimeInMinutes)."""
    if isinstance(value, dict):
        return any(
            _TAP_MARKER in _norm(k) or (shape and _norm(k) in _TAP_SHAPE) or _tap_marked(v, shape)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_tap_marked(v, shape) for v in value)
    return isinstance(value, str) and _TAP_MARKER in _norm(value)


def _is_tap_resource(resource: Any) -> bool:
    """A dynamic resource that may create or hold a pass. Only the tenant's TAP policy (our graphKind
    temporaryAccessPassPolicy with exactly its own settings) may mention one; any other dynamic resource, one of our
    graphKinds or not (a forged kind reaches Graph through its own provider), is a pass resource when its graphKind
    names a pass, or a key or string value carries a TAP marker or a pass's shape."""
    if not _is_dynamic(resource):
        return False
    kind = _graph_kind(resource)
    if kind == TAP_POLICY_KIND:
        return not _genuine_tap_policy(resource)
    if isinstance(kind, str) and kind in GRAPH_KINDS:
        return _tap_marked(get(resource.props), shape=False)
    if isinstance(kind, str) and _names_tap_kind(kind):
        return True
    return _tap_marked(get(resource.props))


def _is_output_holder(resource: Any) -> bool:
    """A component or the root stack: its props are the outputs it registered (no property dependencies). A custom
    resource always has a provider (a default one when the program names none); these never do, and neither does a
    provider resource, whose props are inputs like any custom resource's (a password in its config is in the state)."""
    token = canonical_type(resource.resource_type)
    if token == ROOT_STACK:
        return True
    return getattr(resource, "provider", None) is None and not str(token).startswith("pulumi:providers:")


def _sink_paths(resource: Any) -> list[tuple[str, ...]]:
    return [
        path
        for token, path, condition in SINKS
        if is_type(resource, token) and (condition is None or condition(resource))
    ]


def _sink_undecided(resource: Any, key: str) -> bool:
    """A sink row for this property whose condition hangs on a value unknown at preview (an Automation variable's
    isEncrypted)."""
    return any(
        is_type(resource, token)
        and path[0] == key
        and condition is _encrypted
        and is_unknown(get(resource.props, "isEncrypted"))
        for token, path, condition in SINKS
    )


def _is_sink(resource: Any, path: tuple) -> bool:
    return tuple(path) in {tuple(p) for p in _sink_paths(resource)}


class _Plan:
    """What the policy knows about credentials in the plan: their sources and the values it can see."""

    def __init__(self, resources: list) -> None:
        self.resources = resources
        self.sources = {r.urn: r for r in resources if _source_keys(r)}
        self.taps = {r.urn: r for r in resources if _is_tap_resource(r)}
        self.values: dict[str, str] = {}  # a known credential value -> what it is (never shown)
        for r in self.sources.values():
            for key in _source_keys(r):
                value = get(r.props, key)
                if isinstance(value, str) and len(value) >= _MIN_VALUE:
                    self.values[value] = f"{label(r)} {key}"

    def credential_deps(self, resource: Any, key: str) -> list:
        return [d for d in dependencies_of(resource, key) if d.urn in self.sources or d.urn in self.taps]

    def found_in(self, text: str) -> str | None:
        return next((what for value, what in self.values.items() if value in text), None)


def _is_excluded_source_key(resource: Any, key: str) -> bool:
    return key in _source_keys(resource)


@verifying
def _no_credential_in_outputs(args, report) -> None:
    plan = _Plan(list(args.resources))
    for r in plan.resources:
        if r.urn in plan.taps:
            report(
                f"{label(r)} is a Temporary Access Pass resource (its graphKind, a key or a value names one, or it "
                "has the shape of a pass): a pass issued or kept by Pulumi is in its state and outputs. Fix: issue "
                "passes in the onboarding automation (a Logic App action with secure inputs and outputs), never as a "
                "resource.",
                r.urn,
            )
        _judge(args, report, plan, r)
        if is_type(r, WORKFLOW):
            _workflow(args, report, r)


def _judge(args, report, plan: _Plan, r: Any) -> None:
    props = get(r.props)
    if not isinstance(props, dict):
        return
    holder = _is_output_holder(r)
    genuine_tap_policy = _genuine_tap_policy(r)
    for key, value in props.items():
        if key.startswith("__") or _is_excluded_source_key(r, key):
            continue
        if not holder and not dependencies_of(r, key) and _is_dynamic(r) and _has_unknown(value):
            # a dynamic resource's props are its inputs (it does not preview): an unknown no resource computed is a
            # value laundered out of its origin (pulumi.Output(set(), ...)), which may be a generated credential
            unverified(args, report, f"{label(r)} {key} (computed, but from no resource: its origin is hidden)", r.urn)
            continue
        if is_unknown(value) and not holder and not dependencies_of(r, key):
            continue  # a computed output the program does not set (AnalyzeStack's outputs; `common.declared`)
        deps = [] if holder else plan.credential_deps(r, key)
        sinks = [p for p in _sink_paths(r) if p[0] == key]
        if deps and not sinks and _sink_undecided(r, key):
            unverified(args, report, f"{label(r)} isEncrypted (its {key} is computed from a credential)", r.urn)
            continue
        if deps and not sinks:
            source = deps[0]
            report(
                f"{label(r)} {key} is computed from {label(source)} (a credential): a password or pass may go only "
                "into a credential sink (azuread User password, a VM's osProfile.adminPassword, a Key Vault "
                "secret's value, an encrypted Automation variable). Fix: keep it out of this property, or store it "
                "in Key Vault and pass the secret's name.",
                r.urn,
            )
            continue
        in_definition = is_type(r, WORKFLOW) and key == "definition"
        parameters = _parameter_texts(value, r) if in_definition else None
        for path, leaf in _leaves(value, (key,)):
            where = f"{label(r)} {_dotted(path)}"
            sink = _is_sink(r, path)
            last = _deciding_key(path) or key
            tap_key = any(names_tap(p) for p in path if isinstance(p, str))
            if tap_key and not (genuine_tap_policy or in_definition) and leaf not in (None, "", True, False):
                report(
                    f"{where} holds a Temporary Access Pass (its key names one): a pass in a resource is in the "
                    "state, the outputs and the logs. Fix: issue passes in the onboarding automation, never "
                    "through Pulumi.",
                    r.urn,
                )
                continue
            if sink:
                if _sink_value(args, report, plan, r, path, leaf, deps):
                    continue
            elif deps and sinks and is_unknown(leaf):
                # a credential feeds this property for its sink; nothing else in it may be unknown or carry it
                unverified(args, report, f"{where} (beside {_dotted(sinks[0])}, computed from a credential)", r.urn)
                continue
            password_key = names_password(last) and not isinstance(leaf, bool | int | float)
            password_key = password_key and not (in_definition and "runAfter" in path)  # action names: statuses
            password_key = password_key and not _setting_value(last, leaf)
            if holder and is_unknown(leaf) and not password_key and not _identifier_output(path):
                unverified(
                    args,
                    report,
                    f"{where} (an output: the engine records no origin for outputs, so it may carry a generated "
                    "credential; only outputs whose key names an identifier, e.g. objectIds, workflowId, keyVaultUri, "
                    "are accepted unknown)",
                    r.urn,
                )
                continue
            if password_key and _password_field(
                args, report, plan, r, path, leaf, deps, sink, holder, in_definition, parameters
            ):
                continue
            if isinstance(leaf, str) and not in_definition and "temporaryaccesspassmethods" in _norm(leaf):
                report(
                    f"{where} names the Temporary Access Pass endpoint (temporaryAccessPassMethods): a resource that "
                    "creates a pass keeps it in its state and outputs. Fix: issue passes in the onboarding "
                    "automation (a Logic App action with secure inputs and outputs), never as a resource.",
                    r.urn,
                )
                continue
            if isinstance(leaf, str) and len(leaf) >= _MIN_VALUE and not sink:
                what = plan.found_in(leaf)
                if what:
                    report(
                        f"{where} carries the value of {what} (a credential): a password may go only into a "
                        "credential sink. Fix: remove it from this property or output.",
                        r.urn,
                    )


def _setting_value(key: Any, leaf: Any) -> bool:
    """A value that is only a number, a boolean or a duration ('90', 'true', 'P90D'): a setting, not a credential,
    unless the key names a credential made of digits (a PIN, a passcode) and the value is digits."""
    if not isinstance(leaf, str) or not _SETTING_VALUE.match(leaf):
        return False
    return not (leaf.strip().isdigit() and any(w in _NUMERIC_CREDENTIAL_WORDS for w in _words(key)))


def _identifier_output(path: tuple) -> bool:
    """An output path whose key names an identifier ('workflowId', 'sessionHostIds[0]'), or a map of identifiers
    ('objectIds.pedro', 'policyIds.CA01')."""
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return False
    if names_identifier(keys[-1]):
        return True
    if len(path) >= 2 and isinstance(path[-1], str) and isinstance(path[-2], str):
        words = _words(path[-2])
        return bool(words) and words[-1] in _PLURAL_IDENTIFIER_WORDS
    return False


def _sink_value(args, report, plan, r, path, leaf, deps) -> bool:
    """Judge the value in a credential sink; True when it was reported. A sink takes only a generated credential: a
    value computed from a credential source (a property dependency), or the value the plan knows for one."""
    where = f"{label(r)} {_dotted(path)}"
    if leaf is None or leaf == "":
        return False
    if is_unknown(leaf):
        if deps:
            return False  # computed from a generated credential
        unverified(
            args, report, f"{where} (a credential sink fed by something other than a generated credential)", r.urn
        )
        return True
    if isinstance(leaf, str) and len(leaf) >= _MIN_VALUE and plan.found_in(leaf):
        return False  # a generated credential, as the plan knows it after a deployment (JSON-quoted in a variable)
    report(
        f"{where} is a literal password in a credential sink: whoever reads the stack file, the program or the plan "
        "knows it (a sink only keeps it from the portal). Fix: generate it (random.RandomPassword into the sink), or "
        "make the account passwordless.",
        r.urn,
    )
    return True


def _literal_expression(text: str, parameters: dict[str, str] | None) -> bool:
    """A workflow expression whose value is written in the repository: it reads nothing (`@{concat('Win', 'ter')}`),
    or only workflow parameters whose values are literals too."""
    reads = _EXPRESSION_READS.findall(text)
    if not reads:
        return True
    if any(function.lower() != "parameters" for function, _ in reads):
        return False
    values = [(parameters or {}).get(name.lower()) for _, name in reads]
    return all(
        isinstance(v, str) and v.strip() and _UNKNOWN_TEXT not in v and not v.lstrip().startswith("@") for v in values
    )


def _password_field(args, report, plan, r, path, leaf, deps, sink, holder, in_definition, parameters=None) -> bool:
    """Judge a value under a key that names a password; True when it was reported."""
    where = f"{label(r)} {_dotted(path)}"
    if leaf is None or leaf == "":
        return False
    if holder:
        report(
            f"{where} is an output named like a password: outputs are printed by `pulumi stack output`, kept in "
            "the state and read by anyone with access to the stack. Fix: export no credential; read it from Key "
            "Vault where it is needed.",
            r.urn,
        )
        return True
    if is_unknown(leaf):
        if deps:
            return False  # generated: a sink, or reported as a flow into a non-sink
        top = path[0]
        other = dependencies_of(r, top)
        if not other and len(path) == 1:
            return False  # a computed output the program does not set (AnalyzeStack's outputs)
        unverified(args, report, f"{where} (a password field whose origin is not a generated credential)", r.urn)
        return True
    if not isinstance(leaf, str):
        return False
    if in_definition and leaf.lstrip().startswith("@") and not _literal_expression(leaf, parameters):
        return False  # a workflow expression that reads a value (a parameter, a variable, an action's result)
    if any(pattern.match(leaf) for pattern in REFERENCES):
        return False
    if sink and leaf in plan.values:
        return False  # a generated password in its sink, as the plan knows it after a deployment
    if leaf in plan.values:
        report(f"{where} carries the value of {plan.values[leaf]} (a credential) outside a credential sink.", r.urn)
        return True
    report(
        f"{where} is a literal password: whoever reads the stack file, the program or the plan knows it. Fix: "
        "generate it (random.RandomPassword into the sink), or make the account passwordless.",
        r.urn,
    )
    return True


# --- Logic App actions that handle credentials ----------------------------------------------------------------------


def _actions(container: Any, path: tuple = ()) -> Iterator[tuple[str, Any, tuple]]:
    """(name, action, path) of every action in a definition's `actions`, nested scopes included."""
    actions = get(container, "actions") if isinstance(container, dict) else None
    if not isinstance(actions, dict):
        return
    for name, action in actions.items():
        here = (*path, "actions", name)
        yield name, action, here
        if isinstance(action, dict):
            yield from _actions(action, here)
            else_branch = action.get("else")
            if isinstance(else_branch, dict):
                yield from _actions(else_branch, (*here, "else"))
            default = action.get("default")
            if isinstance(default, dict):
                yield from _actions(default, (*here, "default"))
            cases = action.get("cases")
            if isinstance(cases, dict):
                for case_name, case in cases.items():
                    yield from _actions(case, (*here, "cases", case_name))


def _text(value: Any) -> str:
    return json.dumps(value, default=lambda _: _UNKNOWN_TEXT, sort_keys=True)


def _secured(action: Any, *parts: str) -> Any:
    """True/False whether runtimeConfiguration.secureData.properties covers `parts`, UNKNOWN when it is unknown."""
    listed = get(action, "runtimeConfiguration", "secureData", "properties")
    if is_unknown(listed) or (isinstance(listed, list) and any(is_unknown(p) for p in listed)):
        return UNKNOWN
    names = {str(p).lower() for p in listed} if isinstance(listed, list) else set()
    return all(p in names for p in parts)


_PARAMETER = re.compile(r"\bparameters\s*\(\s*'([^']+)'\s*\)", re.I)
_NESTED = frozenset({"actions", "else", "cases", "default"})  # a scope's children, judged as actions of their own
_DATA_OPERATIONS = frozenset(
    {"compose", "parsejson", "select", "query", "join", "table", "setvariable", "initializevariable"}
    | {"appendtostringvariable", "appendtoarrayvariable"}
)
"""Actions whose outputs are their inputs reshaped: one that reads a pass keeps it in its outputs too."""


def _parameter_texts(definition: Any, resource: Any) -> dict[str, str]:
    """The text of each workflow parameter's value (the definition's defaultValue and the resource's value), so an
    endpoint kept in a parameter is seen where an action uses it (`parameters('graphUri')`)."""
    texts: dict[str, str] = {}
    declared = ((get(definition, "parameters"), "defaultValue"), (get(resource.props, "parameters"), "value"))
    for source, field in declared:
        if isinstance(source, dict):
            for name, parameter in source.items():
                value = get(parameter, field)
                if value is None:
                    continue
                text = value if isinstance(value, str) else _text(value)
                texts[name.lower()] = texts.get(name.lower(), "") + text
    return texts


_CALL_TYPES = frozenset({"http", "httpwebhook", "apiconnection", "apiconnectionwebhook", "function", "workflow"})
_ENDPOINT_KEYS = ("uri", "path", "host", "function", "workflow")


def _own(action: Any) -> Any:
    """The action without the actions nested in it (a Scope, If, Switch, Foreach or Until judges those one by one)."""
    return {k: v for k, v in action.items() if k not in _NESTED} if isinstance(action, dict) else action


def _with_parameters(text: str, parameters: dict[str, str] | None) -> str:
    """`text` with each `parameters('x')` replaced by the parameter's value, where it stands."""
    if not parameters:
        return text
    return _PARAMETER.sub(lambda m: parameters.get(m.group(1).lower(), m.group(0)), text)


def _normal_text(value: Any, parameters: dict[str, str] | None) -> str:
    """An action's JSON text, the parameters it uses substituted, reduced to [a-z0-9]: an endpoint split across
    concat() pieces, parameters, escapes or case ('temporaryAccess', 'PassMethods') reads whole again."""
    return _norm(_with_parameters(_text(value), parameters))


def _calls_credential_endpoint(action: Any, parameters: dict[str, str] | None = None) -> Any:
    """True when the action calls a TAP/password endpoint (its whole text, with the parameters it uses, names one);
    UNKNOWN when it is a call (Http, ApiConnection, Function, Workflow) whose endpoint is unknown at preview."""
    own = _own(action)
    text = _normal_text(own, parameters)
    if any(marker in text for marker in _CALL_MARKERS):
        return True
    inputs = get(own, "inputs")
    if _VAULT_SECRET.search(text) or ("keyvault" in text and "secrets" in text):  # the Key Vault REST API, connector
        method = get(inputs, "method")
        return True if not isinstance(method, str) else method.strip().upper() == "GET"
    kind = get(own, "type")
    if is_unknown(kind) or is_unknown(inputs):
        return UNKNOWN
    if isinstance(kind, str) and kind.lower() in _CALL_TYPES:
        endpoint = _with_parameters(_text({k: get(inputs, k) for k in _ENDPOINT_KEYS}), parameters)
        if _UNKNOWN_TEXT in endpoint:
            return UNKNOWN
    return False


def _variables_set(action: Any) -> set[str]:
    """The variables a variable action (Initialize, Set, AppendTo...) writes, lower case."""
    inputs = get(action, "inputs")
    names = [get(inputs, "name")] + [get(v, "name") for v in elements(inputs, "variables")]
    return {n.lower() for n in names if isinstance(n, str)}


_SECURE_TYPES = frozenset({"securestring", "secureobject"})


def _secure_parameters(args, report, r: Any, definition: dict) -> None:
    """A workflow parameter declared securestring or secureobject holds a secret, whatever it is called: a literal
    for it (its defaultValue, or the value the resource gives it) is a literal password. (A generated credential may
    not flow into Logic App parameters at all: judged with the resource's other properties.)"""
    declared = get(definition, "parameters")
    if not isinstance(declared, dict):
        return
    for name, parameter in declared.items():
        kind = get(parameter, "type")
        if not isinstance(kind, str) or kind.lower() not in _SECURE_TYPES or names_password(name):
            continue  # a parameter named like a password is judged as a password field
        given = (
            (get(parameter, "defaultValue"), f"definition.parameters.{name}.defaultValue"),
            (get(r.props, "parameters", name, "value"), f"parameters.{name}.value"),
        )
        for value, where in given:
            if value in (None, "", {}) or is_unknown(value) or _has_unknown(value):
                continue
            if isinstance(value, str) and value.lstrip().startswith("@") and not _literal_expression(value, None):
                continue
            report(
                f"{label(r)} {where} is a literal password (the parameter is declared {kind}): whoever reads the "
                "program or the plan knows it. Fix: read the secret at run time from Key Vault with the workflow's "
                "managed identity (a secured action), never through a parameter.",
                r.urn,
            )


def _workflow(args, report, r: Any) -> None:
    definition = get(r.props, "definition")
    if is_unknown(definition):
        unverified(args, report, f"{label(r)} definition (its actions may handle a password or pass)", r.urn)
        return
    if not isinstance(definition, dict):
        return
    found = list(_actions(definition))
    parameters = _parameter_texts(definition, r)
    _secure_parameters(args, report, r, definition)
    credential: set[str] = set()
    for name, action, _ in found:
        calls = _calls_credential_endpoint(action, parameters)
        secured = _secured(action, "inputs", "outputs")
        where = f"{label(r)} action '{name}'"
        if calls is True:
            credential.add(name.lower())
            if secured is UNKNOWN:
                unverified(args, report, f"{where} runtimeConfiguration.secureData", r.urn)
            elif not secured:
                report(
                    f"{where} calls a Temporary Access Pass or password endpoint without secure inputs and outputs: "
                    "the pass or password is kept in the run history for anyone with reader access. Fix: set "
                    "runtimeConfiguration.secureData.properties to ['inputs', 'outputs'].",
                    r.urn,
                )
        elif calls is UNKNOWN and secured is not True:
            unverified(args, report, f"{where} inputs (the endpoint it calls)", r.urn)
    _readers(args, report, r, found, credential)


def _readers(args, report, r: Any, found: list, credential: set[str]) -> None:
    """Every action that reads a pass or password (another action's result, `body('X')`, `outputs('X')`,
    `actions('X')`, `result('Scope')` of a scope holding one, or a variable such an action set) must secure its inputs
    (and its outputs, when they are its inputs reshaped: Compose, Set variable); it then carries the value on, so the
    actions that read it are judged the same way. A reference whose action name is computed may read any action."""
    if not credential:
        return
    tainted = set(credential)
    display = {n.lower(): n for n, _, _ in found}
    variables: set[str] = set()
    scopes = {
        name.lower(): {n.lower() for n, _, p in found if p[: len(here)] == here and p != here}
        for name, _, here in found
    }
    reported: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, action, _ in found:
            key = name.lower()
            if key in credential or key in reported:
                continue
            raw = _text(_own(action))
            names = {n.lower() for n in _REFERENCE.findall(raw)}
            used = sorted(n for n in names if n in tainted or scopes.get(n, set()) & tainted)
            used += sorted(f"variable {v}" for v in {v.lower() for v in _VARIABLE.findall(raw)} & variables)
            if _COMPUTED_REFERENCE.search(raw):
                used.append("an action named by an expression")
            if not used:
                continue
            if key not in tainted:
                tainted.add(key)
                changed = True
            new_variables = _variables_set(action) - variables
            if new_variables:
                variables |= new_variables
                changed = True
            kind = get(action, "type")
            parts = ("inputs", "outputs") if isinstance(kind, str) and kind.lower() in _DATA_OPERATIONS else ("inputs",)
            secured = _secured(action, *parts)
            if secured is True:
                continue
            reported.add(key)
            if secured is UNKNOWN:
                unverified(args, report, f"{label(r)} action '{name}' runtimeConfiguration.secureData", r.urn)
                continue
            first = used[0]
            source = first if first.startswith(("variable", "an ")) else repr(display.get(first, first))
            report(
                f"{label(r)} action '{name}' reads the result of {source} (a pass or password) without secure "
                f"{' and '.join(parts)}: the value is kept in the run history. Fix: set runtimeConfiguration.secureData"
                f".properties to include {', '.join(repr(p) for p in parts)}.",
                r.urn,
            )


POLICIES = [
    StackValidationPolicy(
        name=POLICY,
        description="No password or Temporary Access Pass in a resource property, output or workflow run history "
        "outside a credential sink; no literal passwords, not even in a sink.",
        validate=_no_credential_in_outputs,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "critical",
            "Make admin accounts passwordless (PasswordDiscard) and issue Temporary Access Passes in the onboarding "
            "automation with secure inputs and outputs; send a generated password only into its sink (azuread User "
            "password, a VM's osProfile.adminPassword, a Key Vault secret's value, an encrypted Automation "
            "variable); never export a credential or put one in tags, descriptions, names or parameters.",
            "Microsoft Entra",
            "Temporary Access Pass; passwordless deployment",
            "https://learn.microsoft.com/entra/identity/authentication/howto-authentication-temporary-access-pass",
        ),
    ),
]
