"""Policy analysis on two cores: for large plans a worker process analyses resources while the program runs.

The CLI runs a policy pack as its own plugin process, and the engine calls Analyze as each resource
is registered. pum does the same for plans past `THRESHOLD` resources: at the first registration it
starts a worker, which loads the same pack directories with the same configuration, and from then
on every registration is written to memory the two processes share; the worker analyses each as it
arrives. When the program ends, the two share the stack policies: each takes the next one still
free (see `_Turns`) and runs AnalyzeStack for it alone, the others disabled through the servicer's
own Configure; the violations come back in the order a single process gives them. Smaller plans
are analysed in this process, where starting an interpreter costs more than it saves.

Why shared memory and not a pipe: RegisterResource runs on the SDK's executor threads, and a system
call there releases the GIL; the event loop then keeps it for up to the switch interval (5 ms)
before the registration can finish. One pipe write per registration made a 5,000-resource program
2.5 times slower. A write to the mapping is a memory copy that never releases the GIL. Each frame
is a header (length, CRC-32) and the pickled Registration; the header is written after the payload
and the worker only takes a frame whose checksum matches, so it never reads a half-written one,
whatever the processor's memory ordering. Registrations that do not fit in the region travel with
the finish message instead.

The worker is started with posix_spawn; without it (Windows) every preview is analysed in-process.
Messages on the worker's stdin and stdout are a 4-byte length and a pickle; the worker sends
anything a pack prints to stderr, so its stdout carries messages only.
"""
from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import time
import zlib
from typing import BinaryIO, Iterator

from pulumi.runtime import settings as runtime_settings

from . import analyzer
from .analysis import Evaluator, PolicyError, Requests, Violation, analyze, evaluate, policy_order
from .errors import PumError, UsageError
from .heap import no_full_collections
from .recorder import Registration

THRESHOLD = 400  # resources: below this, a preview is analysed in-process after the program
REGION_BYTES = 256 << 20  # shared registrations; pages are only allocated as they are written
_HEADER = struct.Struct(">II")  # payload length, CRC-32 of the payload
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ERRORS = {"PolicyError": PolicyError, "UsageError": UsageError}
_PHASES = ("resources", "stack")
_POLL_SECONDS = 0.002  # how long the idle worker waits for the finish message before it looks for frames again
_FINISH_DEADLINE_SECONDS = 10.0  # frames announced by the finish message are visible at once; this is a bug's limit
_TICKET = b"\0"
_MAX_TICKETS = 4096  # tickets an empty pipe takes without blocking (Linux, macOS); past that, analyse in-process


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


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read(stream: BinaryIO) -> object:
    (size,) = struct.unpack(">I", _read_exactly(stream, 4))
    return pickle.loads(_read_exactly(stream, size))


def _anonymous_file() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("pum-registrations")
    descriptor, path = tempfile.mkstemp(prefix="pum-registrations-")
    os.unlink(path)
    return descriptor


class _Region:
    """This process's side of the shared registrations: frames appended without a system call."""

    def __init__(self, size: int) -> None:
        self.descriptor = _anonymous_file()
        os.ftruncate(self.descriptor, size)
        self.map = mmap.mmap(self.descriptor, size)
        self.offset = 0
        self.written = 0  # registrations, in order; once one does not fit, no later one is written
        self.full = False

    def write(self, registration: Registration) -> None:
        if self.full:
            return
        payload = pickle.dumps(registration, protocol=pickle.HIGHEST_PROTOCOL)
        start = self.offset + _HEADER.size
        end = start + len(payload)
        if end > len(self.map):
            self.full = True
            return
        self.map[start:end] = payload
        self.map[self.offset:start] = _HEADER.pack(len(payload), zlib.crc32(payload))
        self.offset = end
        self.written += 1

    def close(self) -> None:
        self.map.close()
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1


class _Frames:
    """The worker's side: the next complete registration, or None while it is still being written."""

    def __init__(self, descriptor: int) -> None:
        self.map = mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)
        os.close(descriptor)
        self.offset = 0
        self.read = 0

    def next(self) -> Registration | None:
        start = self.offset + _HEADER.size
        if start > len(self.map):
            return None
        size, checksum = _HEADER.unpack_from(self.map, self.offset)
        end = start + size
        if size == 0 or end > len(self.map):
            return None
        payload = self.map[start:end]
        if zlib.crc32(payload) != checksum:
            return None
        self.offset = end
        self.read += 1
        return pickle.loads(payload)


class _Process:
    """The worker process: its pid and the writing end of its stdin, the reading end of its stdout."""

    def __init__(self, cwd: str, region: _Region, tickets: int) -> None:
        to_worker, stdin_fd = os.pipe()
        stdout_fd, from_worker = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
        shared = (region.descriptor, tickets)
        for descriptor in shared:
            os.set_inheritable(descriptor, True)
        try:
            self.pid = os.posix_spawn(sys.executable,
                                      [sys.executable, "-m", "pum.worker", cwd, *map(str, shared)], env,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, to_worker, 0),
                                                    (os.POSIX_SPAWN_DUP2, from_worker, 1)])
        finally:
            os.close(to_worker)
            os.close(from_worker)
            for descriptor in shared:
                os.set_inheritable(descriptor, False)
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


def _stack_policies(packs: list[analyzer.LoadedPack]) -> list[tuple[analyzer.LoadedPack, str]]:
    """Every enabled stack policy, pack by pack in declaration order: the order a single process runs them in."""
    return [(pack, policy.name) for pack in packs for policy in pack.policies
            if policy.kind == "stack" and pack.config.get(policy.name, {}).get("enforcementLevel") != "disabled"]


def _tickets(count: int) -> int:
    """A pipe holding `count` tickets, of which the reading end is returned (the writing end is closed, so
    reading it once every ticket is taken returns nothing)."""
    reading, writing = os.pipe()
    try:
        os.write(writing, _TICKET * count)  # at most _MAX_TICKETS bytes: written whole, without blocking
    finally:
        os.close(writing)
    return reading


class _Turns:
    """One process's share of the stack policies, each taken when the process is free for it.

    Both processes read the same tickets, one byte per enabled stack policy; reading one takes a
    policy. The worker takes them from the first on, this process from the last back: the two never
    take the same one, between them they take all, and whichever is free takes the next, whatever
    each policy costs and however busy each process is. Each turn configures the pack for its one
    stack policy and yields the pack for AnalyzeStack; the packs' configuration comes back at the end.
    """

    def __init__(self, packs: list[analyzer.LoadedPack], tickets: int, from_last: bool) -> None:
        self.policies = _stack_policies(packs)
        self.configs = {id(pack): (pack, pack.config) for pack in packs}
        self.tickets = tickets
        self.from_last = from_last
        self.position = -1  # the policy taken last: of two errors, a single process meets the earlier policy's

    def __iter__(self) -> Iterator[analyzer.LoadedPack]:
        positions = range(len(self.policies))
        try:
            for position in reversed(positions) if self.from_last else positions:
                if os.read(self.tickets, 1) != _TICKET:
                    return
                pack, name = self.policies[position]
                self.position = position
                analyzer.configure(pack, {policy: value if policy == name else {**value, "enforcementLevel": "disabled"}
                                          for policy, value in self.configs[id(pack)][1].items()})
                yield pack
        finally:
            for pack, config in self.configs.values():
                analyzer.configure(pack, config)


class Analysis:
    """The policy analysis of one preview, fed each registration in order by the recording monitor.

    Up to `threshold` resources `violations` analyses them in this process after `end`; past it a
    worker analyses them as they are registered and shares the stack policies from `end` on, and
    `violations` returns the same violations in the same order.
    """

    def __init__(self, packs: list[analyzer.LoadedPack], threshold: int | None = None,
                 region_bytes: int = REGION_BYTES):
        self.packs = packs
        self.threshold = THRESHOLD if threshold is None else threshold
        self._region_bytes = region_bytes
        self._first = True
        self._process: _Process | None = None
        self._region: _Region | None = None
        self._tickets = -1
        self._registrations: list[Registration] = []
        self._cwd = os.getcwd()

    def record(self, registration: Registration) -> None:
        """Called by the monitor for each registration, in order: starts the worker at the first if the plan is
        large, and hands the worker every registration from then on."""
        if self._first:
            self._first = False
            if (self.packs and _outstanding_rpcs() >= self.threshold and hasattr(os, "posix_spawn")
                    and len(_stack_policies(self.packs)) <= _MAX_TICKETS):
                self._start()
        if self._region is not None:
            self._region.write(registration)

    def _start(self) -> None:
        self._region = _Region(self._region_bytes)
        self._tickets = _tickets(len(_stack_policies(self.packs)))
        self._process = _Process(self._cwd, self._region, self._tickets)
        self._process.send(("packs", [(pack.directory, pack.config) for pack in self.packs]))

    def end(self, registrations: list[Registration]) -> None:
        """The program has ended with these registrations: a worker goes on to the stack policies at once."""
        self._registrations = registrations
        if self._process is None or self._region is None:
            return
        written = self._region.written
        self._process.send(("finish", written, self._registrations[written:]))

    def violations(self) -> list[Violation]:
        """Every pack's violations: resource policies in registration order, then stack policies in pack order."""
        if self._process is None:
            return analyze(self.packs, self._registrations)
        evaluator = Evaluator(self.packs)
        turns = _Turns(self.packs, self._tickets, from_last=True)
        local_error = evaluate(evaluator, Requests().all(self._registrations), analyze=False, stack_turns=turns)
        reply = self._process.receive(self.packs)
        self._process.wait()
        errors = []  # (phase, policy position, error): the first is the one a single process would have met
        if reply[0] == "error":
            _, kind, message, phase, position = reply
            errors.append((_PHASES.index(phase), position, _ERRORS.get(kind, PumError)(message)))
        if local_error is not None:
            errors.append((_PHASES.index(local_error[0]), turns.position, local_error[1]))
        if errors:
            raise min(errors, key=lambda error: error[:2])[2]
        _, their_resources, their_stack = reply
        return their_resources + sorted(their_stack + evaluator.violations, key=policy_order(self.packs))

    def close(self) -> None:
        """Stops the worker if it is still running (the program failed, or the analysis raised)."""
        if self._process is not None:
            self._process.stop()
        if self._region is not None:
            self._region.close()
        if self._tickets >= 0:
            os.close(self._tickets)
            self._tickets = -1

    def __enter__(self) -> "Analysis":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _registered(frames: _Frames, incoming: BinaryIO) -> Iterator[Registration]:
    """Each registration as the program registers it, then those the finish message carries."""
    while True:
        registration = frames.next()
        if registration is not None:
            yield registration
        elif select.select([incoming], [], [], _POLL_SECONDS)[0]:
            break
    _, written, rest = _read(incoming)
    deadline = time.monotonic() + _FINISH_DEADLINE_SECONDS
    while frames.read < written:
        registration = frames.next()
        if registration is not None:
            yield registration
        elif time.monotonic() > deadline:
            raise PumError(f"the policy analysis process found {frames.read} of {written} registrations")
        else:
            time.sleep(_POLL_SECONDS)
    yield from rest


def _serve(incoming: BinaryIO, outgoing: BinaryIO, frames: _Frames, tickets: int) -> None:
    _, specs = _read(incoming)
    packs = []
    for directory, config in specs:
        pack = analyzer.load_pack(directory)
        analyzer.configure(pack, config)
        packs.append(pack)
    evaluator = Evaluator(packs)
    requests = Requests()
    resources = map(requests, _registered(frames, incoming))
    turns = _Turns(packs, tickets, from_last=False)
    error = evaluate(evaluator, resources, stack_turns=turns)
    if error is not None:
        position = turns.position if error[0] == "stack" else -1
        _write(outgoing, ("error", type(error[1]).__name__, str(error[1]), error[0], position))
        return
    split = evaluator.resource_violations
    _write(outgoing, ("ok", evaluator.violations[:split], evaluator.violations[split:]))


def main() -> None:
    os.chdir(sys.argv[1])  # the preview's working directory, as for packs analysed in-process
    frames = _Frames(int(sys.argv[2]))
    tickets = int(sys.argv[3])
    incoming = os.fdopen(0, "rb", buffering=0)  # unbuffered: select must see every message still unread
    outgoing = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a pack prints goes to stderr, never into the messages
    try:
        with no_full_collections():
            _serve(incoming, outgoing, frames, tickets)
    except PumError as exc:  # loading or configuring a pack
        _write(outgoing, ("error", type(exc).__name__, str(exc), "resources", -1))
    except EOFError:  # the preview stopped early (the program failed)
        pass
    outgoing.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the preview waits for this exit: skip freeing every object of the analysis one by one


if __name__ == "__main__":
    main()
