"""Call dynamic providers the way `pulumi up` does: through the SDK's own dynamic-provider host.

Two ways in, with one interface (``check``/``create``/``read``/``diff``/``update``/``delete`` taking
and returning plain dicts):

- :class:`HostProcess` starts the SDK's real host (``python -m pulumi.dynamic``, the program the
  Pulumi CLI runs for ``pulumi-python:dynamic:Resource``) and speaks gRPC to it: the provider is
  dill-pickled into ``__provider`` with the SDK's ``serialize_provider``, every property travels as a
  protobuf ``Struct`` (whole numbers arrive as floats, ``None`` values vanish), and the provider runs in
  that process with the environment it was started with.
- :class:`HostConverted` runs the provider in this process (so a test can inject a client that never
  sleeps) but passes every argument and every result through the same SDK functions the host uses
  (``rpc.serialize_properties`` / ``rpc.deserialize_properties``), never a hand-written imitation.

:func:`up` and :func:`refresh` drive a resource through the engine's sequence (Check, then Create, or
Diff then Update / Delete+Create on replace; Read with prior outputs and inputs).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import grpc
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"
URN = "urn:pulumi:test::pum::pulumi-python:dynamic:Resource::{name}"


def to_wire(props: dict) -> Any:
    """A dict as the engine carries it (a protobuf Struct), via the SDK's own serialiser."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def from_wire(struct: Any, keep_unknowns: bool = False) -> dict:
    return rpc.deserialize_properties(struct, keep_unknowns)


def host_converted(props: dict, keep_unknowns: bool = False) -> dict:
    """What a provider receives for ``props`` once the host has carried them (ints become floats)."""
    return from_wire(to_wire(props), keep_unknowns)


@dataclass
class Diff:
    changes: bool
    replaces: list[str]
    delete_before_replace: bool


class HostProcess:
    """The SDK's dynamic-provider host in a subprocess, driven over gRPC like the engine does."""

    def __init__(self, provider: ResourceProvider, env: dict[str, str] | None = None, timeout: float = 60.0):
        self.provider_blob = serialize_provider(provider)
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        assert self.proc.stdout is not None
        port = self.proc.stdout.readline().decode().strip()
        if not port.isdigit():
            self.close()
            raise RuntimeError(f"the dynamic provider host did not start: {self.proc.stderr.read().decode()[-2000:]}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def close(self) -> None:
        if getattr(self, "channel", None):
            self.channel.close()
        self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> HostProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _with_provider(self, props: dict) -> Any:
        return to_wire({**props, PROVIDER_KEY: self.provider_blob})

    @staticmethod
    def _strip(props: dict) -> dict:
        return {k: v for k, v in props.items() if k != PROVIDER_KEY}

    def check(self, olds: dict, news: dict) -> tuple[dict, list[tuple[str, str]]]:
        resp = self.stub.Check(
            provider_pb2.CheckRequest(urn=URN, olds=self._with_provider(olds), news=self._with_provider(news)),
            timeout=self.timeout,
        )
        return self._strip(from_wire(resp.inputs, True)), [(f.property, f.reason) for f in resp.failures]

    def create(self, props: dict) -> tuple[str, dict]:
        resp = self.stub.Create(
            provider_pb2.CreateRequest(urn=URN, properties=self._with_provider(props)), timeout=self.timeout
        )
        return resp.id, self._strip(from_wire(resp.properties))

    def read(self, id_: str, props: dict, inputs: dict | None = None) -> tuple[str, dict, dict | None]:
        resp = self.stub.Read(
            provider_pb2.ReadRequest(
                id=id_,
                urn=URN,
                properties=self._with_provider(props),
                inputs=self._with_provider(inputs or {}),
            ),
            timeout=self.timeout,
        )
        read_inputs = self._strip(from_wire(resp.inputs)) if resp.HasField("inputs") else None
        return resp.id, self._strip(from_wire(resp.properties)), read_inputs

    def diff(self, id_: str, olds: dict, news: dict) -> Diff:
        resp = self.stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=URN, olds=self._with_provider(olds), news=self._with_provider(news)),
            timeout=self.timeout,
        )
        return Diff(resp.changes == provider_pb2.DiffResponse.DIFF_SOME, list(resp.replaces), resp.deleteBeforeReplace)

    def update(self, id_: str, olds: dict, news: dict) -> dict:
        resp = self.stub.Update(
            provider_pb2.UpdateRequest(id=id_, urn=URN, olds=self._with_provider(olds), news=self._with_provider(news)),
            timeout=self.timeout,
        )
        return self._strip(from_wire(resp.properties))

    def delete(self, id_: str, props: dict) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(id=id_, urn=URN, properties=self._with_provider(props)), timeout=self.timeout
        )


class HostConverted:
    """The provider in this process, every argument and result carried through the SDK's serialiser."""

    def __init__(self, provider: ResourceProvider):
        self.provider = provider

    def check(self, olds: dict, news: dict) -> tuple[dict, list[tuple[str, str]]]:
        result = self.provider.check(host_converted(olds, True), host_converted(news, True))
        return host_converted(result.inputs, True), [(f.property, f.reason) for f in result.failures or []]

    def create(self, props: dict) -> tuple[str, dict]:
        result = self.provider.create(host_converted(props))
        return result.id, host_converted(result.outs or {})

    def read(self, id_: str, props: dict, inputs: dict | None = None) -> tuple[str, dict, dict | None]:
        result = self.provider.read(id_, host_converted(props))
        read_inputs = host_converted(result.inputs) if result.inputs is not None else None
        return result.id or "", host_converted(result.outs or {}), read_inputs

    def diff(self, id_: str, olds: dict, news: dict) -> Diff:
        result = self.provider.diff(id_, host_converted(olds, True), host_converted(news, True))
        return Diff(bool(result.changes), list(result.replaces or []), bool(result.delete_before_replace))

    def update(self, id_: str, olds: dict, news: dict) -> dict:
        result = self.provider.update(id_, host_converted(olds), host_converted(news))
        return host_converted(result.outs or {})

    def delete(self, id_: str, props: dict) -> None:
        self.provider.delete(id_, host_converted(props))


@dataclass
class State:
    """What the engine keeps for one resource: its ID, its checked inputs and its outputs."""

    id: str
    inputs: dict
    outputs: dict


class CheckFailed(AssertionError):
    pass


def up(host: HostProcess | HostConverted, inputs: dict, state: State | None = None) -> tuple[State, str]:
    """One `pulumi up` step for one resource; returns the new state and what happened
    ("create", "same", "update" or "replace")."""
    checked, failures = host.check(state.inputs if state else {}, inputs)
    if failures:
        raise CheckFailed(failures)
    if state is None:
        id_, outs = host.create(checked)
        return State(id_, checked, outs), "create"
    diff = host.diff(state.id, state.outputs, checked)
    if not diff.changes:
        return state, "same"
    if diff.replaces:
        host.delete(state.id, state.outputs)
        id_, outs = host.create(checked)
        return State(id_, checked, outs), "replace"
    return State(state.id, checked, host.update(state.id, state.outputs, checked)), "update"


def refresh(host: HostProcess | HostConverted, state: State) -> State | None:
    """`pulumi refresh` for one resource: None when the provider reports it gone."""
    id_, outs, inputs = host.read(state.id, state.outputs, state.inputs)
    if not id_:
        return None
    return State(id_, inputs if inputs is not None else state.inputs, outs)


def destroy(host: HostProcess | HostConverted, state: State) -> None:
    host.delete(state.id, state.outputs)
