"""Policy analysis on two cores: a worker process shares it for large plans.

The CLI runs a policy pack as its own plugin process. For plans past `THRESHOLD` resources pum
starts one too, while the program is still running, so that it has loaded the same pack directories
with the same configuration by the time the program ends. The analysis is then split in two: the
worker analyses the first half of the resources and every other stack policy, this process the
rest; each side disables the other's stack policies through the servicer's own Configure, and the
violations come back in the order a single process gives them. Smaller plans are analysed in this
process, where starting an interpreter costs more than it saves.

Nothing is sent while the program runs: any work inside RegisterResource (even a few milliseconds
per batch) made the SDK's wait loop iterate ten times as often, and the program twice as slow.
The worker is started with posix_spawn; without it (Windows) every preview is analysed in-process.
Frames on the worker's stdin and stdout are a 4-byte length and a pickle; the worker sends anything
a pack prints to stderr, so its stdout carries frames only.
"""
from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from typing import BinaryIO

from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import analyzer_pb2 as proto

from . import analyzer
from .analysis import Evaluator, PolicyError, Requests, Violation, analyze, evaluate
from .errors import PumError, UsageError
from .heap import no_full_collections
from .recorder import Registration

THRESHOLD = 400  # resources: below this, a preview is analysed in-process after the program
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ERRORS = {"PolicyError": PolicyError, "UsageError": UsageError}
_PHASES = ("resources", "stack")


def _outstanding_rpcs() -> int:
    """The registrations (and invokes) the program has queued so far: at the first registration, the plan's size
    give or take the resources created later inside applies."""
    try:
        return len(runtime_settings._get_rpc_manager().rpcs)
    except AttributeError:  # an SDK without the RPC manager: analyse in-process
        return 0


def _write(stream: BinaryIO, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(payload)) + payload)


def _read(stream: BinaryIO) -> object:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    (size,) = struct.unpack(">I", header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)


class _Process:
    """The worker process: its pid and the writing end of its stdin, the reading end of its stdout."""

    def __init__(self, cwd: str) -> None:
        to_worker, stdin_fd = os.pipe()
        stdout_fd, from_worker = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
        try:
            self.pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "pum.worker", cwd], env,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, to_worker, 0),
                                                    (os.POSIX_SPAWN_DUP2, from_worker, 1)])
        finally:
            os.close(to_worker)
            os.close(from_worker)
        self.stdin = os.fdopen(stdin_fd, "wb")
        self.stdout = os.fdopen(stdout_fd, "rb")
        self.returncode: int | None = None

    def send(self, message: object) -> None:
        try:
            _write(self.stdin, message)
            self.stdin.flush()
        except OSError:  # the worker is gone: receive says so
            pass

    def receive(self, packs: list[analyzer.LoadedPack]) -> tuple:
        try:
            return _read(self.stdout)  # type: ignore[return-value]
        except EOFError:
            raise PolicyError(f"the policy analysis process exited with code {self.wait()} before answering "
                              f"(packs: {', '.join(p.directory for p in packs)}); its stderr is above") from None

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def stop(self) -> None:
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait()


def _stack_share(pack: analyzer.LoadedPack) -> tuple[set[str], set[str]]:
    """The pack's stack policies split in two by declaration order: (the worker's, this process's)."""
    names = [p.name for p in pack.policies if p.kind == "stack"]
    return set(names[0::2]), set(names[1::2])


def _without(config: dict[str, dict], names: set[str]) -> dict[str, dict]:
    return {name: ({**value, "enforcementLevel": "disabled"} if name in names else value)
            for name, value in config.items()}


class Analysis:
    """The policy analysis of one preview, fed each registration in order by the recording monitor.

    Up to `threshold` resources `finish` analyses them in this process; past it a worker shares the
    work, and `finish` returns the same violations in the same order.
    """

    def __init__(self, packs: list[analyzer.LoadedPack], threshold: int | None = None):
        self.packs = packs
        self.threshold = THRESHOLD if threshold is None else threshold
        self._first = True
        self._process: _Process | None = None
        self._cwd = os.getcwd()

    def record(self, registration: Registration) -> None:
        """Called by the monitor for each registration; at the first, starts the worker if the plan is large."""
        if not self._first:
            return
        self._first = False
        if self.packs and _outstanding_rpcs() >= self.threshold and hasattr(os, "posix_spawn"):
            self._process = _Process(self._cwd)
            self._process.send(("packs", [(pack.directory, pack.config) for pack in self.packs]))

    def finish(self, registrations: list[Registration]) -> list[Violation]:
        """Every pack's violations: resource policies in registration order, then stack policies in pack order."""
        if self._process is None:
            return analyze(self.packs, registrations)
        resources = Requests().all(registrations)
        half = len(resources) // 2
        worker_disables = []
        for pack in self.packs:
            workers, ours = _stack_share(pack)
            worker_disables.append(sorted(ours))
            analyzer.configure(pack, _without(pack.config, workers))
        self._process.send(("analyze", [resource.SerializeToString() for resource in resources], half,
                            worker_disables))
        evaluator = Evaluator(self.packs)
        local_error = evaluate(evaluator, resources, lambda index: index >= half)
        reply = self._process.receive(self.packs)
        self._process.wait()
        if reply[0] == "error":
            worker_error = (reply[3], _ERRORS.get(reply[1], PumError)(reply[2]))
            # the first error a single process would have met: the worker has the earlier resources
            raise min(filter(None, [worker_error, local_error]), key=lambda e: _PHASES.index(e[0]))[1]
        if local_error is not None:
            raise local_error[1]
        _, their_resources, their_stack = reply
        ours_resources = evaluator.violations[:evaluator.resource_violations]
        ours_stack = evaluator.violations[evaluator.resource_violations:]
        return their_resources + ours_resources + self._in_pack_order(their_stack + ours_stack)

    def _in_pack_order(self, violations: list[Violation]) -> list[Violation]:
        order = {(pack.name, policy.name): (index, position)
                 for index, pack in enumerate(self.packs) for position, policy in enumerate(pack.policies)}
        return sorted(violations, key=lambda v: order.get((v.policy_pack, v.policy), (len(order), 0)))

    def close(self) -> None:
        """Stops the worker if it is still running (the program failed, or finish raised)."""
        if self._process is not None:
            self._process.stop()

    def __enter__(self) -> "Analysis":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _serve(incoming: BinaryIO, outgoing: BinaryIO) -> None:
    _, specs = _read(incoming)
    packs = []
    for directory, config in specs:
        pack = analyzer.load_pack(directory)
        analyzer.configure(pack, config)
        packs.append(pack)
    _, serialized, half, disabled = _read(incoming)
    for pack, names in zip(packs, disabled):
        analyzer.configure(pack, _without(pack.config, set(names)))
    evaluator = Evaluator(packs)
    resources = [proto.AnalyzerResource.FromString(data) for data in serialized]
    error = evaluate(evaluator, resources, lambda index: index < half)
    if error is not None:
        _write(outgoing, ("error", type(error[1]).__name__, str(error[1]), error[0]))
        return
    split = evaluator.resource_violations
    _write(outgoing, ("ok", evaluator.violations[:split], evaluator.violations[split:]))


def main() -> None:
    os.chdir(sys.argv[1])  # the preview's working directory, as for packs analysed in-process
    outgoing = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a pack prints goes to stderr, never into the frames
    try:
        with no_full_collections():
            _serve(sys.stdin.buffer, outgoing)
    except PumError as exc:  # loading or configuring a pack
        _write(outgoing, ("error", type(exc).__name__, str(exc), "resources"))
    except EOFError:  # the preview stopped early (the program failed)
        pass
    outgoing.flush()


if __name__ == "__main__":
    main()
