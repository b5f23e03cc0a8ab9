"""Feeds recorded registrations to the policy packs, as the engine feeds its analyzer plugins.

The engine analyses each resource when the program registers it, in the analyzer's own process,
and the whole stack at the end. `Analysis` does the same calls in the same order: small plans are
analysed in-process once the program ends; a plan that passes `parallel_after` resources moves to
a forked worker (like the pack's own process under the CLI) that analyses while the program keeps
running on another core. Both paths run the same `_Analyzer` code, so verdicts cannot differ.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2 as proto

from . import analyzer
from .errors import PumError
from .recorder import Registration

_SIG = "4dabf18193072939515e22adb298388d"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


@dataclass
class Violation:
    policy_pack: str
    policy: str
    enforcement_level: str
    severity: str | None
    urn: str | None
    message: str


class PolicyError(PumError):
    """A policy raised instead of reporting (a bug in the pack): exit 2, naming pack and policy."""

    exit_code = 2


def engine_value(value: Any) -> Any:
    """What the engine hands analyzers: resource references marshalled as their ID (or URN)."""
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    if isinstance(value, dict):
        if value.get(_SIG) == _RESOURCE_SIG:
            ident = value.get("id")
            return ident if ident not in (None, "") else value.get("urn")
        return {k: engine_value(v) for k, v in value.items()}
    return value


class _Analyzer:
    """Analyze per resource as it arrives, AnalyzeStack once at the end, for every pack."""

    def __init__(self, packs: list[analyzer.LoadedPack]):
        self.packs = packs
        self.violations: list = []
        self._providers: dict[str, tuple[Registration, Any]] = {}
        self._stack: list[proto.AnalyzerResource] = []

    def _request(self, r: Registration) -> proto.AnalyzeRequest:
        props = analyzer.to_struct(engine_value(json_format.MessageToDict(r.properties)))
        request = proto.AnalyzeRequest(type=r.type, properties=props, urn=r.urn, name=r.name,
                                       options=proto.AnalyzerResourceOptions(protect=r.protect,
                                                                             parent=r.parent or ""))
        provider = self._providers.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        if provider is not None:
            request.provider.CopyFrom(proto.AnalyzerProviderResource(
                type=provider[0].type, urn=provider[0].urn, name=provider[0].name, properties=provider[1]))
        return request

    def resource(self, r: Registration) -> None:
        request = self._request(r)
        if r.type.startswith("pulumi:providers:"):  # providers are not analysed, as in the engine
            self._providers[r.urn] = (r, request.properties)
            return
        for pack in self.packs:
            self._call(pack, "Analyze", request, request.urn)
        self._stack.append(proto.AnalyzerResource(
            type=r.type, properties=request.properties, urn=r.urn, name=r.name, options=request.options,
            provider=request.provider if request.HasField("provider") else None, parent=r.parent or "",
            dependencies=r.dependencies,
            propertyDependencies={k: proto.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in r.property_dependencies.items()}))

    def stack(self) -> list:
        request = proto.AnalyzeStackRequest(resources=self._stack)
        for pack in self.packs:
            self._call(pack, "AnalyzeStack", request, None)
        return self.violations

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


def _serve(core: _Analyzer, inbox, outbox) -> None:
    """The worker: analyse what arrives, answer once, then leave at once.

    It exits with os._exit after flushing its answer: the fork inherited the program's thread
    bookkeeping (executor threads that do not exist here), which a normal exit would wait for.
    """
    try:
        _answer(core, inbox, outbox)
    finally:
        outbox.close()
        outbox.join_thread()
        os._exit(0)


def _answer(core: _Analyzer, inbox, outbox) -> None:
    try:
        while True:
            kind, payload = inbox.get()
            if kind == "resource":
                core.resource(payload)
            elif kind == "stack":
                outbox.put(("ok", core.stack()))
                return
            else:
                return
    except PolicyError as exc:
        outbox.put(("error", str(exc)))
    except BaseException as exc:  # report, never hang the parent
        outbox.put(("error", f"policy analysis failed: {type(exc).__name__}: {exc}"))


class Analysis:
    """Collects registrations from the monitor and returns the packs' violations at `finish`."""

    def __init__(self, packs: list[analyzer.LoadedPack], parallel_after: int = 300):
        self.packs = packs
        self.parallel_after = parallel_after
        self._pending: list[Registration] = []
        self._worker = None
        self._lock = threading.Lock()  # the SDK registers resources from several executor threads

    def add(self, registration: Registration) -> None:
        if not self.packs:
            return
        with self._lock:
            if self._worker is not None:
                self._inbox.put(("resource", registration))
                return
            self._pending.append(registration)
            if len(self._pending) >= self.parallel_after and "fork" in multiprocessing.get_all_start_methods():
                self._start_worker()

    def _start_worker(self) -> None:
        context = multiprocessing.get_context("fork")
        self._inbox, self._outbox = context.Queue(), context.Queue()
        self._worker = context.Process(target=_serve, args=(_Analyzer(self.packs), self._inbox, self._outbox),
                                       daemon=True, name="pum-policy-analysis")
        self._worker.start()
        for registration in self._pending:
            self._inbox.put(("resource", registration))
        self._pending = []

    @property
    def parallel(self) -> bool:
        return self._worker is not None

    def finish(self) -> list:
        if not self.packs:
            return []
        if self._worker is None:
            core = _Analyzer(self.packs)
            for registration in self._pending:
                core.resource(registration)
            return core.stack()
        self._inbox.put(("stack", None))
        status, value = self._outbox.get()
        self._stop()
        if status == "error":
            raise PolicyError(value)
        return value

    def abort(self) -> None:
        """Stop a worker that is still running (the program failed); a no-op after `finish`."""
        if self._worker is not None:
            self._inbox.put(("abort", None))
            self._stop()

    def _stop(self) -> None:
        self._worker.join(timeout=30)
        if self._worker.is_alive():
            self._worker.terminate()
        self._inbox.close()
        self._outbox.close()
        self._worker = None

