"""Feeds recorded registrations to the policy packs, as the engine feeds its analyzer plugins.

The engine calls `Analyze` for each resource (providers too) and `AnalyzeStack` once with every
resource, its parent, dependencies and property dependencies; so does `analyze`, through each pack's
own servicer, after the program has run: Analyze is handed each AnalyzerResource of the one
AnalyzeStackRequest it then sends, so both read the same messages.

The servicer converts a resource's properties from protobuf with `json_format.MessageToDict` once
for every policy, and AnalyzeStack once for every stack policy and resource, then deserialises each
result with `deserialize_properties`: repeated like that, it made a preview 14 to 21% slower
(docs/engine.md). `each_message_converted_once` makes it once per message. The servicer offers no
hook for it: it looks both functions up as globals of `pulumi_policy.policy` on every call, reads
`request.properties` straight from the message (so no request object could carry a converted copy),
and its class is private, so overriding Analyze would mean running a copy of its code instead of
its own. So, only while `analyze` runs, those two globals are replaced: `json_format` by a facade
whose MessageToDict converts each message once, and `deserialize_properties` by one that
deserialises each converted dict once; both hand back the same object every time. The servicer
passes the first only to `deserialize_properties`, which builds new containers and never writes to
its argument, and the second only to `unknown_checking_proxy`, which copies every list and dict
into the proxies a policy sees. So each policy still gets containers of its own, with exactly the
values it saw before (tests/test_engine.py); only leaf objects are shared, which are strings,
numbers, booleans and, for asset or archive properties, the one pulumi asset object deserialised
from them. Calls with `proxy_secrets` (remediation) are not memoised. The globals are the
process's: two previews must not analyse on two threads at once (pum runs one at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi_policy.policy as policy_module
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto

from . import analyzer
from .errors import PumError
from .outputs_view import DeployedState, StackView, stack_wire
from .recorder import Registration
from .wire import engine_value


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
    order = {
        (pack.name, policy.name): (index, position)
        for index, pack in enumerate(packs)
        for position, policy in enumerate(pack.policies)
    }
    return lambda violation: order.get((violation.policy_pack, violation.policy), (len(packs), 0))


class PolicyError(PumError):
    """A policy raised instead of reporting (a bug in the pack): exit 2, naming pack and policy."""

    exit_code = 2


ROOT_STACK = "pulumi:pulumi:Stack"
_INTERNAL = "__"  # the engine's IsInternalPropertyKey: a top-level key such as a dynamic resource's __provider


def _analyzer_properties(wire: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties as the engine hands them to analyzers (MarshalProperties with SkipInternalKeys): resource
    references marshalled as their ID (engine_value), and top-level internal keys left out."""
    return analyzer.to_struct(
        {key: engine_value(value) for key, value in wire.items() if not key.startswith(_INTERNAL)}
    )


def _options(r: Registration) -> proto.AnalyzerResourceOptions:
    """The resource options as the engine marshals them for analyzers (custom timeouts always present)."""
    create, update, delete = r.custom_timeouts
    return proto.AnalyzerResourceOptions(
        protect=r.protect,
        ignoreChanges=r.ignore_changes,
        deleteBeforeReplace=bool(r.delete_before_replace),
        deleteBeforeReplaceDefined=r.delete_before_replace is not None,
        additionalSecretOutputs=r.additional_secret_outputs,
        parent=r.parent or "",
        customTimeouts=proto.AnalyzerResourceOptions.CustomTimeouts(create=create, update=update, delete=delete),
    )


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

    def stack(
        self,
        registrations: list[Registration],
        outputs: Mapping[str, struct_pb2.Struct] | None = None,
        deployed: DeployedState | None = None,
        view: StackView = "outputs",
    ) -> tuple[list[proto.AnalyzerResource], proto.AnalyzeStackRequest]:
        """What the engine sends: each resource's AnalyzeRequest (its inputs), and the AnalyzeStackRequest, in which
        each resource has its outputs instead (pum.outputs_view; `outputs` are the ones components and the stack
        registered, by URN). A resource whose outputs are its inputs is one message, shared by both calls. With
        `view="inputs"` (pum's former view, until the pack is right under the engine's), both get the inputs."""
        analyzed = self.all(registrations)
        if view == "inputs" and deployed is None:
            stack = proto.AnalyzeStackRequest(resources=analyzed)
            return list(stack.resources), stack
        shared: list[bool] = []
        stack = proto.AnalyzeStackRequest()
        for r, resource in zip(registrations, analyzed, strict=True):
            registered = outputs.get(r.urn) if outputs else None
            wire = stack_wire(r, None if registered is None else json_format.MessageToDict(registered), deployed)
            entry = stack.resources.add()
            entry.CopyFrom(resource)
            shared.append(wire is r.wire)
            if wire is not r.wire:
                entry.properties.CopyFrom(_analyzer_properties(wire))
        return [entry if same else resource for entry, same, resource in zip(stack.resources, shared, analyzed)], stack

    def __call__(self, r: Registration) -> proto.AnalyzerResource:
        props = _analyzer_properties(r.wire)
        if r.type.startswith("pulumi:providers:"):
            self._providers[r.urn] = (r, props)
        provider = self._providers.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        return proto.AnalyzerResource(
            type=r.type,
            properties=props,
            urn=r.urn,
            name=r.name,
            options=_options(r),
            provider=None
            if provider is None
            else proto.AnalyzerProviderResource(
                type=provider[0].type, urn=provider[0].urn, name=provider[0].name, properties=provider[1]
            ),
            parent=r.parent or "",
            dependencies=r.dependencies,
            propertyDependencies={
                k: proto.AnalyzerPropertyDependencies(urns=v) for k, v in r.property_dependencies.items() if v
            },
        )


def _call(pack: analyzer.LoadedPack, method: str, request, default_urn: str | None) -> list[Violation]:
    try:
        response = getattr(pack.servicer, method)(request, None)
    except Exception as exc:
        where = f" on {default_urn}" if default_urn else ""
        raise PolicyError(
            f"policy pack {pack.name} ({pack.directory}): a policy raised {type(exc).__name__}: "
            f"{exc}{where}; fix the policy so it reports violations instead of raising"
        ) from None
    return [
        Violation(
            policy_pack=pack.name,
            policy=d.policyName,
            enforcement_level=analyzer.level_name(d.enforcementLevel),
            severity=analyzer.severity_name(d.severity),
            urn=d.urn or default_urn,
            message=d.message,
        )
        for d in response.diagnostics
    ]


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
        self.MessageToDict = _Once(json_format.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)


@contextmanager
def each_message_converted_once() -> Iterator[None]:
    """The servicer converts each message to a dict, and deserialises each dict, once (see the module docstring)."""
    saved = policy_module.json_format, policy_module.deserialize_properties
    # Stand-ins with the same call signatures for the two globals the servicer looks up (typed as a module and a
    # function there, hence setattr).
    setattr(policy_module, "json_format", ConvertOnce())  # noqa: B010
    setattr(policy_module, "deserialize_properties", _Once(policy_module.deserialize_properties))  # noqa: B010
    try:
        yield
    finally:
        policy_module.json_format, policy_module.deserialize_properties = saved


def configure_stack_request(
    project: str, stack: str, tags: Mapping[str, str] | None = None, organization: str = "organization"
) -> proto.AnalyzerStackConfigureRequest:
    """What the engine sends each analyzer when it starts it, before Configure: pulumi-policy keeps the tags, which
    policies read as `args.stack_tags`. The organization is the runner's (pum.runner)."""
    return proto.AnalyzerStackConfigureRequest(
        stack=stack, project=project, organization=organization, dry_run=True, tags=dict(tags or {})
    )


def root_stack_urn(registrations: list[Registration]) -> str | None:
    return next((r.urn for r in registrations if r.type == ROOT_STACK and r.parent is None), None)


def stack_violation_urn(urn: str | None, in_stack: set[str], root: str | None) -> str | None:
    """The engine's resolveStackPolicyViolationURN: a stack policy's violation is the resource's it names when that is
    in the stack, else the root stack's."""
    return urn if urn in in_stack else root


def analyze(
    packs: list[analyzer.LoadedPack],
    registrations: list[Registration],
    *,
    outputs: Mapping[str, struct_pb2.Struct] | None = None,
    stack: proto.AnalyzerStackConfigureRequest | None = None,
    deployed: DeployedState | None = None,
    view: StackView = "outputs",
) -> list[Violation]:
    """Every pack's violations for the recorded plan, as the engine asks for them: ConfigureStack (`stack`), Analyze
    per resource (its inputs) in registration order, then AnalyzeStack (its outputs: `Requests.stack`).

    Analyze gets an AnalyzerResource: it has every field of the engine's AnalyzeRequest (type, properties, urn,
    name, options, provider) under the same names, and the servicer reads nothing else. A stack violation that names
    no resource of the stack is the root stack's, as in the engine."""
    if not packs:  # nothing to ask; the requests would be built for no one
        return []
    resources, stack_request = Requests().stack(registrations, outputs, deployed, view)
    configure = stack if stack is not None else proto.AnalyzerStackConfigureRequest(dry_run=True)
    in_stack = {r.urn for r in registrations}
    root = root_stack_urn(registrations)
    violations: list[Violation] = []
    for pack in packs:
        pack.servicer.ConfigureStack(configure, None)
    with each_message_converted_once():
        for resource in resources:
            for pack in packs:
                violations += _call(pack, "Analyze", resource, resource.urn)
        for pack in packs:
            for violation in _call(pack, "AnalyzeStack", stack_request, None):
                violation.urn = stack_violation_urn(violation.urn, in_stack, root)
                violations.append(violation)
    return violations
