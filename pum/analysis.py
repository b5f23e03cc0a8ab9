"""Feeds recorded registrations to the policy packs, as the engine feeds its analyzer plugins.

The engine calls `Analyze` for each resource (providers too) and `AnalyzeStack` once with
every resource, its parent, dependencies and property dependencies; so do `analyze` and the
`Evaluator` it drives, through each pack's own servicer: after the program has run, or, for large
plans, in a worker process as the program registers each resource (pum.worker).

The servicer converts a resource's properties from protobuf with `json_format.MessageToDict` once
for every policy, and AnalyzeStack once for every stack policy and resource: with 35 policies that
conversion was most of the analysis, and `deserialize_properties` of its result the next largest
part. Under `each_message_converted_once`, which wraps every evaluation, the servicer module's
`json_format` is a facade that converts each message once, and its `deserialize_properties`
deserialises each converted dict once; both hand back the same object every time. The servicer
passes the first only to `deserialize_properties`, which builds new containers and never writes
to its argument, and the second only to `unknown_checking_proxy`, which copies every list and
dict into the proxies a policy sees. So each policy still gets containers of its own, with exactly
the values it saw before; only leaf objects are shared, which are strings, numbers, booleans and,
for asset or archive properties, the one pulumi asset object deserialised from them. Calls with
`proxy_secrets` (remediation) are not memoised.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import pulumi_policy.policy as policy_module
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2 as proto

from . import analyzer
from .errors import PumError
from .recorder import Registration
from .wire import RESOURCE_SIG, engine_value


@dataclass
class Violation:
    policy_pack: str
    policy: str
    enforcement_level: str
    severity: str | None
    urn: str | None
    message: str


def policy_order(packs: list[analyzer.LoadedPack]) -> Callable[[Violation], tuple[int, int]]:
    """A sort key for violations: pack by pack, and each pack's policies in the order it declares them."""
    order = {(pack.name, policy.name): (index, position)
             for index, pack in enumerate(packs) for position, policy in enumerate(pack.policies)}
    return lambda violation: order.get((violation.policy_pack, violation.policy), (len(packs), 0))


class PolicyError(PumError):
    """A policy raised instead of reporting (a bug in the pack): exit 2, naming pack and policy."""

    exit_code = 2


_REFERENCE = RESOURCE_SIG.encode()
_INTERNAL = "__"  # the engine's IsInternalPropertyKey: a top-level key such as a dynamic resource's __provider


def _analyzer_properties(r: Registration):
    """The inputs as the engine hands them to analyzers (MarshalProperties with SkipInternalKeys): resource
    references marshalled as their ID (engine_value), and top-level internal keys left out. Only then do they
    differ from what the program sent, so a registration whose serialised inputs name neither the reference
    signature nor '__' is handed over as recorded, without decoding and encoding it again."""
    serialised = r.properties.SerializeToString()
    if _REFERENCE not in serialised and (_INTERNAL.encode() not in serialised
                                         or not any(key.startswith(_INTERNAL) for key in r.properties.fields)):
        return r.properties
    return analyzer.to_struct({key: engine_value(value) for key, value in r.wire.items()
                               if not key.startswith(_INTERNAL)})


def _options(r: Registration) -> proto.AnalyzerResourceOptions:
    """The resource options as the engine marshals them for analyzers (custom timeouts always present)."""
    create, update, delete = r.custom_timeouts
    return proto.AnalyzerResourceOptions(
        protect=r.protect, ignoreChanges=r.ignore_changes, deleteBeforeReplace=bool(r.delete_before_replace),
        deleteBeforeReplaceDefined=r.delete_before_replace is not None,
        additionalSecretOutputs=r.additional_secret_outputs, parent=r.parent or "",
        customTimeouts=proto.AnalyzerResourceOptions.CustomTimeouts(create=create, update=update, delete=delete))


class Requests:
    """Turns registrations, in registration order, into the AnalyzerResource the engine sends.

    A provider the program registers is analysed like any resource, as in the engine (its step
    generator analyses every registration, and AnalyzeStack gets every resource), and remembered so
    that later resources carry it. As in the engine's AnalyzeStack request, a property without
    dependencies has no propertyDependencies entry (the SDK sends an empty one).
    """

    def __init__(self) -> None:
        self._providers: dict[str, tuple[Registration, Any]] = {}

    def all(self, registrations: list[Registration]) -> list[proto.AnalyzerResource]:
        return list(map(self, registrations))

    def __call__(self, r: Registration) -> proto.AnalyzerResource:
        props = _analyzer_properties(r)
        if r.type.startswith("pulumi:providers:"):
            self._providers[r.urn] = (r, props)
        provider = self._providers.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        return proto.AnalyzerResource(
            type=r.type, properties=props, urn=r.urn, name=r.name,
            options=_options(r),
            provider=None if provider is None else proto.AnalyzerProviderResource(
                type=provider[0].type, urn=provider[0].urn, name=provider[0].name, properties=provider[1]),
            parent=r.parent or "", dependencies=r.dependencies,
            propertyDependencies={k: proto.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in r.property_dependencies.items() if v})


class Evaluator:
    """Every pack's servicer: Analyze for each resource as it arrives, AnalyzeStack once at the end.

    `resource(..., analyze=False)` only keeps a resource for AnalyzeStack: another process analyses
    it (see pum.worker). After `stack`, `violations[:resource_violations]` are the resource policies'.
    """

    def __init__(self, packs: list[analyzer.LoadedPack]):
        self.packs = packs
        self.violations: list[Violation] = []
        self.resource_violations = 0
        self._stack: list[ResourceView] = []
        self._providers: dict[str, proto.AnalyzerProviderResource] = {}  # by URN: one message per provider

    def resource(self, resource: proto.AnalyzerResource, analyze: bool = True) -> None:
        """Analyze gets the resource's view: the fields of an AnalyzeRequest (type, properties, urn, name, options,
        provider), decoded once for every policy, and the same properties message AnalyzeStack converts later."""
        view = ResourceView(resource, self._providers)
        if analyze:
            for pack in self.packs:
                self._call(pack, "Analyze", view, view.urn)
        self._stack.append(view)

    def stack(self, turns: Iterable[analyzer.LoadedPack] | None = None) -> None:
        """AnalyzeStack once for each pack `turns` yields (by default every pack once): pum.worker yields a pack
        each time it has configured it for one more of this process's stack policies."""
        self.resource_violations = len(self.violations)
        request = StackRequest(self._stack)
        for pack in self.packs if turns is None else turns:
            self._call(pack, "AnalyzeStack", request, None)

    def _call(self, pack: analyzer.LoadedPack, method: str, request, default_urn: str | None) -> None:
        try:
            response = getattr(pack.servicer, method)(request, None)
        except Exception as exc:
            where = f" on {default_urn}" if default_urn else ""
            raise PolicyError(f"policy pack {pack.name} ({pack.directory}): a policy raised {type(exc).__name__}: "
                              f"{exc}{where}; fix the policy so it reports violations instead of raising") from None
        self.violations.extend(
            Violation(policy_pack=pack.name, policy=d.policyName,
                      enforcement_level=analyzer.level_name(d.enforcementLevel),
                      severity=analyzer.severity_name(d.severity), urn=d.urn or default_urn, message=d.message)
            for d in response.diagnostics)


class ResourceView:
    """An AnalyzerResource whose fields the servicer reads for every policy, each decoded once.

    Reading a field of a protobuf message decodes it anew every time, and the servicer reads every
    field of a resource once per resource policy (Analyze, to which the view stands for the
    AnalyzeRequest: it has the same fields) and once per stack policy (AnalyzeStack). One view serves
    both, so the properties message converted for Analyze is the one AnalyzeStack finds converted.
    The scalar fields are read once: the same strings, the URNs as tuples (the servicer copies them
    into lists of its own). properties is the message's own submessage, options an OptionsView of its
    own; provider is the first message seen for that provider URN in `providers` (every resource of a
    default provider carries a copy of the same one, converted once this way); HasField('provider') is
    answered once (a failed attribute lookup before __getattr__ cost more than the answer), and anything
    else (a field a later servicer reads) is answered by the message itself.
    """

    __slots__ = ("message", "type", "urn", "name", "parent", "properties", "options", "provider", "dependencies",
                 "propertyDependencies", "_has_provider")

    def __init__(self, message: proto.AnalyzerResource,
                 providers: dict[str, proto.AnalyzerProviderResource] | None = None) -> None:
        self.message = message
        self.type, self.urn, self.name, self.parent = message.type, message.urn, message.name, message.parent
        self.properties, self.provider = message.properties, message.provider
        self.options = OptionsView(message.options)
        self.dependencies = tuple(message.dependencies)
        self.propertyDependencies = {key: _Urns(tuple(value.urns))
                                     for key, value in message.propertyDependencies.items()}
        self._has_provider = message.HasField("provider")
        if self._has_provider and providers is not None:
            self.provider = providers.setdefault(self.provider.urn, self.provider)

    def HasField(self, name: str) -> bool:  # noqa: N802 (protobuf's name)
        """The servicer asks this of every resource for every policy: 'provider' is answered once."""
        return self._has_provider if name == "provider" else self.message.HasField(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.message, name)


class OptionsView:
    """AnalyzerResourceOptions with the fields the servicer reads for every policy read once; the repeated fields
    are the message's own containers, as the servicer would get them."""

    __slots__ = ("message", "protect", "ignoreChanges", "deleteBeforeReplaceDefined", "deleteBeforeReplace",
                 "aliases", "customTimeouts", "additionalSecretOutputs", "parent", "_has_custom_timeouts")

    def __init__(self, message: proto.AnalyzerResourceOptions) -> None:
        self.message = message
        self.protect, self.ignoreChanges, self.aliases = message.protect, message.ignoreChanges, message.aliases
        self.deleteBeforeReplaceDefined = message.deleteBeforeReplaceDefined
        self.deleteBeforeReplace = message.deleteBeforeReplace
        self.customTimeouts, self.additionalSecretOutputs = message.customTimeouts, message.additionalSecretOutputs
        self.parent = message.parent
        self._has_custom_timeouts = message.HasField("customTimeouts")

    def HasField(self, name: str) -> bool:  # noqa: N802 (protobuf's name)
        return self._has_custom_timeouts if name == "customTimeouts" else self.message.HasField(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.message, name)


class _Urns:
    __slots__ = ("urns",)

    def __init__(self, urns: tuple[str, ...]) -> None:
        self.urns = urns


class StackRequest:
    """The AnalyzeStackRequest for `resources` (ResourceViews); other fields are the message's."""

    def __init__(self, resources: list[ResourceView]) -> None:
        self.resources = resources

    def __getattr__(self, name: str) -> Any:
        return getattr(proto.AnalyzeStackRequest(resources=[view.message for view in self.resources]), name)


class _Once:
    """`convert` memoised on its argument's identity, for calls with that one argument.

    Entries hold their argument, so an id is never reused for another object while it is cached.
    """

    def __init__(self, convert: Callable[..., Any]) -> None:
        self._convert = convert
        self._done: dict[int, tuple[Any, Any]] = {}

    def __call__(self, value, *args, **kwargs) -> Any:
        if args or kwargs:
            return self._convert(value, *args, **kwargs)
        entry = self._done.get(id(value))
        if entry is None or entry[0] is not value:
            entry = self._done[id(value)] = (value, self._convert(value))
        return entry[1]


class ConvertOnce:
    """`json_format` with a MessageToDict that converts each message once (see the module docstring)."""

    def __init__(self) -> None:
        self.MessageToDict = _Once(json_format.MessageToDict)  # noqa: N815 (json_format's name)

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)


@contextmanager
def each_message_converted_once() -> Iterator[None]:
    """The servicer converts each message to a dict, and deserialises each dict, once (see the module docstring)."""
    saved = policy_module.json_format, policy_module.deserialize_properties
    policy_module.json_format = ConvertOnce()
    policy_module.deserialize_properties = _Once(policy_module.deserialize_properties)
    try:
        yield
    finally:
        policy_module.json_format, policy_module.deserialize_properties = saved


def evaluate(evaluator: Evaluator, resources: Iterable[proto.AnalyzerResource], analyze: bool = True,
             stack_turns: Iterable[analyzer.LoadedPack] | None = None) -> tuple[str, PumError] | None:
    """Feeds `resources` (with Analyze unless `analyze` is false: another process analyses them), then
    AnalyzeStack (see Evaluator.stack for `stack_turns`); returns the phase and error that stopped it."""
    phase = "resources"
    with each_message_converted_once():
        try:
            for resource in resources:
                evaluator.resource(resource, analyze=analyze)
            phase = "stack"
            evaluator.stack(stack_turns)
        except PumError as exc:
            return phase, exc
    return None


def analyze(packs: list[analyzer.LoadedPack], registrations: list[Registration]) -> list[Violation]:
    """Every pack's violations for the recorded plan, in this process: Analyze per resource, then AnalyzeStack."""
    if not packs:  # nothing to ask; the requests would be built for no one
        return []
    evaluator = Evaluator(packs)
    error = evaluate(evaluator, Requests().all(registrations))
    if error is not None:
        raise error[1]
    return evaluator.violations
