"""A MockMonitor that records every registration the way the engine receives it."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor


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
    """Records registrations in order and flags duplicate URNs, which the real engine rejects."""

    def __init__(self, mocks, on_register: Callable[[Registration], None] | None = None) -> None:
        super().__init__(mocks)
        self.on_register = on_register  # called in registration order, as the engine feeds analyzers
        self.registrations: list[Registration] = []
        self.duplicates: list[str] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # RegisterResource runs on the SDK's executor threads

    def RegisterResource(self, request):
        timeouts = request.customTimeouts
        try:  # a bad value fails the registration, as in the engine
            custom_timeouts = tuple(map(timeout_seconds, (timeouts.create, timeouts.update, timeouts.delete)))
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
                delete_before_replace=(request.deleteBeforeReplace
                                       if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace else None),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                custom_timeouts=custom_timeouts,
        )
        with self._lock:
            self.registrations.append(registration)
            if self.on_register is not None:
                self.on_register(registration)
        return response
