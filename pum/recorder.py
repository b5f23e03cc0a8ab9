"""A MockMonitor that records every registration the way the engine receives it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor

from . import default_providers
from .wire import UNKNOWN_WIRE


@dataclass
class Registration:
    """One RegisterResource call: what `pulumi preview` would show and what analyzers receive."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    provider: str
    properties: struct_pb2.Struct
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    source: tuple[str, int] | None = None
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool | None = None  # None: not set by the program
    additional_secret_outputs: list[str] = field(default_factory=list)
    custom_timeouts: tuple[float, float, float] = (0.0, 0.0, 0.0)  # create, update, delete, in seconds
    default_provider: bool = False  # registered for the program as the engine does, not by it (pum.default_providers)

    @cached_property
    def wire(self) -> dict:
        """The inputs as plain data (wire encoding), decoded once for the analysis and the report."""
        return json_format.MessageToDict(self.properties)


_GO_DURATION = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def timeout_seconds(text: str) -> float:
    """A custom timeout as the engine reads it (Go's time.ParseDuration, in seconds); '' is no timeout."""
    if text == "":
        return 0.0
    sign, body = (-1.0, text[1:]) if text[:1] == "-" else (1.0, text[1:] if text[:1] == "+" else text)
    if body == "0":
        return 0.0
    parts = _GO_DURATION.findall(body)
    if not parts or "".join(number + unit for number, unit in parts) != body:
        raise ValueError(f"unable to parse customTimeout Value {text}")  # the engine's own words
    return sign * sum(float(number) * _GO_UNITS[unit] for number, unit in parts)


class RecordingMonitor(MockMonitor):
    """Records registrations in order and flags duplicate URNs, which the real engine rejects.

    A custom resource or invoke that names no provider gets its package's default provider, registered before
    it as the engine does (pum.default_providers) from the stack's `config` and `secret_keys`."""

    def __init__(
        self,
        mocks,
        config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
    ) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.outputs: dict[str, struct_pb2.Struct] = {}  # URN -> what a component or the stack registered as outputs
        self.duplicates: list[str] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # RegisterResource runs on the SDK's executor threads
        self._config = dict(config or {})
        self._secret_keys = set(secret_keys)
        self._default_providers: dict[tuple[str, str, str], str] = {}  # (package, version, URL) -> reference

    def _record(self, registration: Registration) -> None:
        """Keeps a registration, in order (the caller holds the lock)."""
        self.registrations.append(registration)

    def _default_provider(self, token: str, version: str, download_url: str) -> str:
        """The reference of the default provider for `token`'s package, registered first if this is its first use
        (the caller holds the lock)."""
        package = default_providers.package_of(token)
        key = (package, version, download_url)
        reference = self._default_providers.get(key)
        if reference is None:
            name = default_providers.default_name(version, download_url)
            provider_type = f"pulumi:providers:{package}"
            properties = struct_pb2.Struct()
            properties.update(default_providers.default_inputs(package, version, self._config, self._secret_keys))
            urn = self.make_urn("", provider_type, name)
            self._record(
                Registration(
                    urn=urn,
                    type=provider_type,
                    name=name,
                    parent=None,
                    custom=True,
                    protect=False,
                    provider="",
                    properties=properties,
                    dependencies=[],
                    property_dependencies={},
                    default_provider=True,
                )
            )
            reference = self._default_providers[key] = f"{urn}::{UNKNOWN_WIRE}"  # its ID is unknown at preview
        return reference

    def RegisterResourceOutputs(self, request):
        """A component's (or the root stack's) `register_outputs`: the engine makes them its outputs, which is what
        AnalyzeStack gets for it (pum.outputs_view). The last call wins, as in the engine."""
        outputs = struct_pb2.Struct()
        outputs.CopyFrom(request.outputs)
        with self._lock:
            self.outputs[request.urn] = outputs
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request):
        if not request.provider:  # the engine asks for one for every invoke, `pulumi:pulumi:*` included (builtins)
            with self._lock:
                self._default_provider(request.tok, request.version, request.pluginDownloadURL)
        return super().Invoke(request)

    def RegisterResource(self, request):
        timeouts = request.customTimeouts
        try:  # a bad value fails the registration, as in the engine
            custom_timeouts = (
                timeout_seconds(timeouts.create),
                timeout_seconds(timeouts.update),
                timeout_seconds(timeouts.delete),
            )
        except ValueError as exc:
            raise ValueError(f"resource '{request.name}' ({request.type}): {exc}") from None
        response = super().RegisterResource(request)
        urn = response.urn
        with self._lock:
            if urn in self._seen:
                self.duplicates.append(urn)
            self._seen.add(urn)
        properties = struct_pb2.Struct()
        properties.CopyFrom(request.object)
        source = None
        if request.HasField("sourcePosition") and request.sourcePosition.uri:
            source = (request.sourcePosition.uri, request.sourcePosition.line)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            protect=bool(request.protect),
            provider=request.provider,
            properties=properties,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            source=source,
            ignore_changes=list(request.ignoreChanges),
            delete_before_replace=(
                request.deleteBeforeReplace
                if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace
                else None
            ),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            custom_timeouts=custom_timeouts,
        )
        with self._lock:
            if (
                (request.custom or request.remote)
                and not request.provider
                and not request.type.startswith("pulumi:providers:")
            ):
                registration.provider = self._default_provider(request.type, request.version, request.pluginDownloadURL)
            self._record(registration)
        return response
