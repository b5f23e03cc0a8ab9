"""Runs a Pulumi Python program in-process under the mock runtime, in preview mode.

It mirrors the Python language host: configure the runtime, run the program inside the root
stack with `run_in_stack`, wait for every registration. Each run gets a fresh context, event loop
and monitor, so one process can preview many programs (the test suite does).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import inspect
import logging
import os
import pickle
import runpy
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockEngine, MockSettings
from pulumi.runtime.stack import run_in_stack

from .environment import Environment, import_hint, insert_paths, program_environment
from .errors import ProgramError, ProgramTimeout, UsageError
from .mocks import PreviewMocks
from .recorder import RecordingMonitor


@dataclass
class ProgramRun:
    monitor: RecordingMonitor
    mocks: PreviewMocks
    diagnostics: list[tuple[str, str]] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)


class _Capture(logging.Handler):
    """Keeps what the program logs at info and above (the report's diagnostics). The SDK also sends about four
    debug messages per resource, which the CLI shows only with -v: the logger is set to INFO, so they are
    dropped before a record is made for each (about 5 µs apiece)."""

    def __init__(self, sink: list[tuple[str, str]]):
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


class Deadline(BaseException):
    """Raised in the main thread when `--timeout` runs out (a BaseException: the program's `except Exception` must
    not swallow it)."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


def _where(exc: BaseException, program_dir: str | None) -> str:
    """`file:line: ` of the innermost frame inside the project (any frame when there is no project directory)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        inside = program_dir and os.path.abspath(frame.filename).startswith(program_dir + os.sep)
        if inside or not program_dir:
            shown = os.path.relpath(frame.filename, program_dir) if program_dir else frame.filename
            return f"{shown}:{frame.lineno}: "
    return ""


def _program_error(exc: BaseException, program_dir: str | None, environment: Environment | None = None) -> Exception:
    """Map a program failure to the contract: config/model errors exit 2, anything else exit 3.

    `sys.exit()` (any code, 0 included) and KeyboardInterrupt are failures too: a program that exits early has not
    declared its whole plan, so a green exit would pass a plan nobody saw."""
    where = _where(exc, program_dir)
    detail = "".join(traceback.format_exception(exc))
    if isinstance(exc, Deadline):
        return timeout_error(exc, program_dir)
    if isinstance(exc, SystemExit):
        return ProgramError(
            f"{where}the program exited early (sys.exit({exc.code!r})) before finishing its plan; "
            "a Pulumi program must return, not exit",
            detail,
        )
    if isinstance(exc, KeyboardInterrupt):
        return ProgramError(f"{where}the program was interrupted (KeyboardInterrupt) before finishing its plan", detail)
    if getattr(exc, "exit_code", None) == 2:
        return UsageError(str(exc))
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ImportError) and environment is not None:
        message += f"; {import_hint(environment)}"
    return ProgramError(f"{where}{type(exc).__name__}: {message}", detail)


def timeout_error(exc: Deadline, program_dir: str | None) -> ProgramTimeout:
    where = _where(exc, program_dir)
    at = f" (it was at {where.rstrip(': ')})" if where else ""
    return ProgramTimeout(
        f"the preview did not finish within {exc.seconds:g} s{at}; a program or policy that waits on something "
        "that never comes (input, a network call, a lock, a loop) hangs. Fix it, or raise --timeout",
        "".join(traceback.format_exception(exc)),
    )


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise Deadline in the main thread after `seconds` (None or 0: no limit). Outside the main thread, or where
    there is no SIGALRM, there is no limit: only the main thread can be interrupted."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None

    def expire(signum, frame):
        raise Deadline(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send what the program (or a pack) prints to stderr, so that stdout carries only the report (`--format json`).

    Both `sys.stdout` and file descriptor 1 (for C extensions and child processes) are redirected for the run."""
    sys.stdout.flush()
    saved_fd = None
    try:
        if sys.__stdout__ is not None:
            sys.__stdout__.flush()
        saved_fd = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):
        saved_fd = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            if sys.__stdout__ is not None:
                sys.__stdout__.flush()
        except (OSError, ValueError):
            pass
        if saved_fd is not None:
            os.dup2(saved_fd, 1)
            os.close(saved_fd)


_PICKLER: Any = pickle._Pickler  # the pure-Python pickler the SDK patches


@contextlib.contextmanager
def _sdk_pickler_patches_undone() -> Iterator[None]:
    """Undo, after each dynamic resource, what the SDK's `serialize_provider` does to the pickle module.

    To pickle a dynamic provider deterministically, the SDK wraps `pickle._Pickler._batch_setitems` in a sorting
    wrapper and replaces `save_dict`, and never restores them: each dynamic resource wraps the previous wrapper once
    more, so after about a thousand dynamic resources in one process (136 previews of the example stack, or one
    plan of a thousand) every pickling dies with RecursionError. For the run, serialize_provider starts from and
    returns to the pristine pickler; after the run, the module is as before."""
    from pulumi.dynamic import dynamic

    batch, save_dict, pickler = _PICKLER._batch_setitems, _PICKLER.save_dict, pickle.Pickler
    original = dynamic.serialize_provider
    lock = threading.Lock()

    def restore() -> None:
        _PICKLER._batch_setitems, _PICKLER.save_dict = batch, save_dict
        setattr(pickle, "Pickler", pickler)  # noqa: B010  (mypy: a module attribute that is a class)

    def serialize_provider(provider):
        with lock:
            restore()
            try:
                return original(provider)
            finally:
                restore()

    dynamic.serialize_provider = serialize_provider
    try:
        yield
    finally:
        dynamic.serialize_provider = original
        restore()


async def _resolve_outputs(outputs: dict) -> dict:
    """Stack exports as `pulumi preview` shows them: unknown ones stay unknown, secrets stay secret."""
    resolved = {}
    for name, value in outputs.items():
        output = pulumi.Output.from_input(value)
        known, secret = await output.is_known(), await output.is_secret()
        resolved[name] = (
            ("secret", None) if secret else ("value", await output.future()) if known else ("unknown", None)
        )
    return resolved


def _as_callable(program: Callable[[], object] | str, program_dir: str | None) -> Callable[[], object]:
    if callable(program):
        return program
    return lambda: runpy.run_path(program, run_name="__main__")


def _previous_loop():
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None


def _executor_with_closable_loops() -> tuple[concurrent.futures.ThreadPoolExecutor, list]:
    """The run's RPC threads, each with an event loop of its own that the run closes.

    The SDK's mock monitor asks for a loop on the thread it runs on and creates one when there is
    none; nobody closed those, and the collector later failed in their __del__.
    """
    loops: list[asyncio.AbstractEventLoop] = []

    def own_loop() -> None:
        thread_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(thread_loop)
        loops.append(thread_loop)

    return concurrent.futures.ThreadPoolExecutor(thread_name_prefix="pum-rpc", initializer=own_loop), loops


def _cancel_outstanding(loop: asyncio.AbstractEventLoop) -> None:
    """A failed program leaves registrations in flight: cancel them, as asyncio.run does, before the RPC threads
    stop. Otherwise they fail later against the stopped executor, and each failure is logged as a traceback
    ("Future exception was never retrieved") whenever the collector frees it."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _after_failure(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """The exception handler of a run that failed: a registration that failed leaves the SDK's futures of that
    resource holding the error, and whenever the collector frees them (in whatever runs next) each would be logged
    as 'exception was never retrieved', a traceback repeating a failure already reported."""
    if "exception was never retrieved" not in context.get("message", ""):
        loop.default_exception_handler(context)


def _run(program, project, stack, config, secret_keys, program_dir, environment=None) -> ProgramRun:
    previous = _previous_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor, thread_loops = _executor_with_closable_loops()
    loop.set_default_executor(executor)
    mocks = PreviewMocks()
    monitor = RecordingMonitor(mocks, config=config, secret_keys=secret_keys)
    diagnostics: list[tuple[str, str]] = []
    logger = logging.getLogger(f"pum.program.{id(monitor)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = _Capture(diagnostics)
    logger.addHandler(handler)
    settings = MockSettings(
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
        engine=MockEngine(logger),
        project=project,
        stack=stack,
        dry_run=True,
        organization="organization",
        root_directory=program_dir or os.getcwd(),
        callbacks=None,
        # Settings makes each deployment a set of outstanding outputs, MockSettings does not: without this, every
        # run in a process would share one set, and a failed run's cancelled outputs would stay in it for the next.
        outputs=set(),
    )
    runtime_settings.configure(settings)
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config(dict(config), sorted(secret_keys))
    run = ProgramRun(monitor, mocks, diagnostics)
    body = _as_callable(program, program_dir)
    roots: list = []

    async def program_in_stack():
        roots.append(runtime_settings.get_root_resource())
        result = body()
        if inspect.isawaitable(result):
            await result
        # One turn of the loop, so that every registration the program queued has started and joined the SDK's RPC
        # list before wait_for_rpcs first looks at it. Entered straight from a synchronous program, it finds that list
        # empty and waits on the whole set of outstanding outputs instead: asyncio.wait(FIRST_COMPLETED) over every
        # resource's output properties, once per loop turn in which any of them completes (22 rounds over ~14,500
        # outputs for 1,000 resources). Awaiting the registrations one by one first reaches the same end state.
        await asyncio.sleep(0)

    timed_out = False
    try:
        loop.run_until_complete(run_in_stack(program_in_stack))
        if roots and roots[0] is not None:
            run.outputs = loop.run_until_complete(_resolve_outputs(roots[0].outputs))
    except Deadline as exc:  # hung: nothing in flight can be trusted to finish, so nothing is awaited
        timed_out = True
        raise timeout_error(exc, program_dir) from None
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # the program's own failure, per the contract
        loop.set_exception_handler(_after_failure)
        _cancel_outstanding(loop)
        raise _program_error(exc, program_dir, environment) from None
    finally:
        logger.removeHandler(handler)
        logging.Logger.manager.loggerDict.pop(logger.name, None)  # one logger per run would pile up in the manager
        if timed_out:
            executor.shutdown(wait=False, cancel_futures=True)
        else:
            loop.run_until_complete(loop.shutdown_default_executor())
            for thread_loop in thread_loops:
                thread_loop.close()
        loop.close()
        asyncio.set_event_loop(previous if previous is not None and not previous.is_closed() else None)
    return run


def run_program(
    program: Callable[[], object] | str,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: set[str],
    program_dir: str | None = None,
    virtualenv: str | None = None,
) -> ProgramRun:
    """Run `program` (a callable, or the path of a program's main file) and return what it registered.

    A program with a `virtualenv` (its Pulumi.yaml's) imports that virtualenv's packages ahead of pum's own
    (pum.environment); an import that fails says which interpreter and virtualenv were used and how to install."""
    saved_cwd, saved_path = os.getcwd(), list(sys.path)
    environment = program_environment(program_dir, virtualenv) if program_dir else None
    if program_dir:
        os.chdir(program_dir)
        sys.path.insert(0, program_dir)
    if environment is not None:
        insert_paths(environment, sys.path)
    try:
        context = contextvars.Context()
        with _sdk_pickler_patches_undone():
            return context.run(_run, program, project, stack, config, secret_keys, program_dir, environment)
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
