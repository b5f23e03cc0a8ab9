"""A MockMonitor that records every registration the way the engine receives it."""
from __future__ import annotations

import threading
from dataclasses import dataclass
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

    @cached_property
    def wire(self) -> dict:
        """The inputs as plain data (wire encoding), decoded once for the analysis and the report."""
        return json_format.MessageToDict(self.properties)


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
        )
        with self._lock:
            self.registrations.append(registration)
            if self.on_register is not None:
                self.on_register(registration)
        return response
