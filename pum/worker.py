"""Policy analysis on two cores: for large plans a worker process analyses resources while the program runs.

The CLI runs a policy pack as its own plugin process, and the engine calls Analyze as each resource
is registered. pum does the same for plans past `THRESHOLD` resources: at the first registration it
starts a worker, which loads the same pack directories with the same configuration, and from then
on every registration is written to memory the two processes share; the worker analyses each as it
arrives. When the program ends, AnalyzeStack is split: the worker runs three of every four stack
policies and this process, once it has built the report, the rest (each disables the other's
through the servicer's own Configure); the violations come back in the order a single process
gives them. Smaller plans are analysed in this process, where starting an interpreter costs more
than it saves.

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
from .analysis import Evaluator, PolicyError, Requests, Violation, analyze, evaluate
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

    def __init__(self, cwd: str, region: _Region) -> None:
        to_worker, stdin_fd = os.pipe()
        stdout_fd, from_worker = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
        os.set_inheritable(region.descriptor, True)
        try:
            self.pid = os.posix_spawn(sys.executable,
                                      [sys.executable, "-m", "pum.worker", cwd, str(region.descriptor)], env,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, to_worker, 0),
                                                    (os.POSIX_SPAWN_DUP2, from_worker, 1)])
        finally:
            os.close(to_worker)
            os.close(from_worker)
            os.set_inheritable(region.descriptor, False)
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
    """The pack's stack policies split by declaration order: (the worker's, this process's).

    The worker takes three of every four: this process first builds the report and the requests
    from its registrations, and ran each stack policy nearly twice as slowly as the worker in
    measurements (the worker has every conversion cached from Analyze, and a small heap).
    """
    names = [p.name for p in pack.policies if p.kind == "stack"]
    return {n for i, n in enumerate(names) if i % 4 != 3}, set(names[3::4])


def _without(config: dict[str, dict], names: set[str]) -> dict[str, dict]:
    return {name: ({**value, "enforcementLevel": "disabled"} if name in names else value)
            for name, value in config.items()}


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
        self._registrations: list[Registration] = []
        self._cwd = os.getcwd()

    def record(self, registration: Registration) -> None:
        """Called by the monitor for each registration, in order: starts the worker at the first if the plan is
        large, and hands the worker every registration from then on."""
        if self._first:
            self._first = False
            if self.packs and _outstanding_rpcs() >= self.threshold and hasattr(os, "posix_spawn"):
                self._start()
        if self._region is not None:
            self._region.write(registration)

    def _start(self) -> None:
        self._region = _Region(self._region_bytes)
        self._process = _Process(self._cwd, self._region)
        self._process.send(("packs", [(pack.directory, pack.config) for pack in self.packs]))

    def end(self, registrations: list[Registration]) -> None:
        """The program has ended with these registrations: a worker goes on to its stack policies at once."""
        self._registrations = registrations
        if self._process is None or self._region is None:
            return
        worker_disables = []
        for pack in self.packs:
            workers, ours = _stack_share(pack)
            worker_disables.append(sorted(ours))
            analyzer.configure(pack, _without(pack.config, workers))
        written = self._region.written
        self._process.send(("finish", written, self._registrations[written:], worker_disables))

    def violations(self) -> list[Violation]:
        """Every pack's violations: resource policies in registration order, then stack policies in pack order."""
        if self._process is None:
            return analyze(self.packs, self._registrations)
        evaluator = Evaluator(self.packs)
        local_error = evaluate(evaluator, Requests().all(self._registrations), analyze=False)
        reply = self._process.receive(self.packs)
        self._process.wait()
        if reply[0] == "error":
            worker_error = (reply[3], _ERRORS.get(reply[1], PumError)(reply[2]))
            # the first error a single process would have met: the worker analysed every resource
            raise min(filter(None, [worker_error, local_error]), key=lambda e: _PHASES.index(e[0]))[1]
        if local_error is not None:
            raise local_error[1]
        _, their_resources, their_stack = reply
        return their_resources + self._in_pack_order(their_stack + evaluator.violations)

    def _in_pack_order(self, violations: list[Violation]) -> list[Violation]:
        order = {(pack.name, policy.name): (index, position)
                 for index, pack in enumerate(self.packs) for position, policy in enumerate(pack.policies)}
        return sorted(violations, key=lambda v: order.get((v.policy_pack, v.policy), (len(order), 0)))

    def close(self) -> None:
        """Stops the worker if it is still running (the program failed, or the analysis raised)."""
        if self._process is not None:
            self._process.stop()
        if self._region is not None:
            self._region.close()

    def __enter__(self) -> "Analysis":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _registered(frames: _Frames, incoming: BinaryIO, packs: list[analyzer.LoadedPack]) -> Iterator[Registration]:
    """Each registration as the program registers it, then those the finish message carries.

    Before the last ones, every pack is configured for this process's share of the stack
    policies, so that AnalyzeStack can follow at once.
    """
    while True:
        registration = frames.next()
        if registration is not None:
            yield registration
        elif select.select([incoming], [], [], _POLL_SECONDS)[0]:
            break
    _, written, rest, disabled = _read(incoming)
    deadline = time.monotonic() + _FINISH_DEADLINE_SECONDS
    while frames.read < written:
        registration = frames.next()
        if registration is not None:
            yield registration
        elif time.monotonic() > deadline:
            raise PumError(f"the policy analysis process found {frames.read} of {written} registrations")
        else:
            time.sleep(_POLL_SECONDS)
    for pack, names in zip(packs, disabled):
        analyzer.configure(pack, _without(pack.config, set(names)))
    yield from rest


def _serve(incoming: BinaryIO, outgoing: BinaryIO, frames: _Frames) -> None:
    _, specs = _read(incoming)
    packs = []
    for directory, config in specs:
        pack = analyzer.load_pack(directory)
        analyzer.configure(pack, config)
        packs.append(pack)
    evaluator = Evaluator(packs)
    requests = Requests()
    resources = filter(None, map(requests, _registered(frames, incoming, packs)))  # providers are not analysed
    error = evaluate(evaluator, resources)
    if error is not None:
        _write(outgoing, ("error", type(error[1]).__name__, str(error[1]), error[0]))
        return
    split = evaluator.resource_violations
    _write(outgoing, ("ok", evaluator.violations[:split], evaluator.violations[split:]))


def main() -> None:
    os.chdir(sys.argv[1])  # the preview's working directory, as for packs analysed in-process
    frames = _Frames(int(sys.argv[2]))
    incoming = os.fdopen(0, "rb", buffering=0)  # unbuffered: select must see every message still unread
    outgoing = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a pack prints goes to stderr, never into the messages
    try:
        with no_full_collections():
            _serve(incoming, outgoing, frames)
    except PumError as exc:  # loading or configuring a pack
        _write(outgoing, ("error", type(exc).__name__, str(exc), "resources"))
    except EOFError:  # the preview stopped early (the program failed)
        pass
    outgoing.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the preview waits for this exit: skip freeing every object of the analysis one by one


if __name__ == "__main__":
    main()
