"""The `pum` command line: `pum preview`, `pum schema`, `pum graph` (contract in design §2).

Exit codes: 0 no mandatory violation; 1 mandatory violation(s); 2 usage, config or model error;
3 the program itself failed, exited early or timed out. Errors are one clear message; tracebacks only with
--verbose. `--output` and each `--report FORMAT=PATH` are written atomically (pum.output), on every outcome: a run
that fails writes a report that says so (pum.report.common.Failure) over any earlier one.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import sys
import threading
import time
import traceback
from typing import NoReturn

from . import output as output_file
from .errors import ProgramError, ProgramTimeout, PumError, UsageError
from .project import load_project, load_stack_config
from .runner import Deadline, deadline, stdout_to_stderr, timeout_error
from .tool_config import ToolConfig, load_tool_config

FORMATS = ("text", "json", "markdown", "sarif")
DEFAULT_TIMEOUT = 300.0  # seconds: ten times a 10,000-resource preview on a CI runner, far below a CI job's limit
_hard_exit = False  # set when a run timed out: its threads may be stuck, so the process must not wait for them


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds >= 0 (0: no limit)")
    return value


def _report_target(text: str) -> tuple[str, str]:
    fmt, equals, path = text.partition("=")
    if not equals or fmt not in FORMATS or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}")
    return fmt, path


class _Parser(argparse.ArgumentParser):
    """argparse, remembering its error message so the usage error can be written into the requested reports."""

    last_error: str | None = None

    def error(self, message: str) -> NoReturn:
        _Parser.last_error = f"{self.prog}: {message}"
        super().error(message)


class _Version(argparse.Action):
    """`pum --version`: the installed version, looked up only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .report.common import pum_version

        sys.stdout.write(f"pum {pum_version()}\n")
        parser.exit()


def _run_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-empty-config",
        action="store_true",
        help="preview with empty config when the stack has no stack file or the file has no config "
        "(for programs that need none; otherwise that is an error)",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"fail (exit 3) when the preview takes longer (default {DEFAULT_TIMEOUT:g}; 0: no limit)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pum", description="Offline preview and policy checks for Pulumi Python programs.")
    parser.add_argument("--version", action=_Version, help="print pum's version and exit")
    commands = parser.add_subparsers(dest="command", required=True)

    preview = commands.add_parser(
        "preview",
        help="run a Pulumi Python program under mocks and evaluate policy packs",
        description="Run a Pulumi Python program offline, in preview mode, and evaluate policy packs on its plan. "
        "Exits 0 (no mandatory violation), 1 (mandatory violations), 2 (usage, config or model error) "
        "or 3 (the program failed).",
    )
    preview.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    preview.add_argument(
        "--stack",
        help="stack name; reads <stackConfigDir>/Pulumi.<stack>.yaml "
        "(default: [tool.pum] stack in the project's pyproject.toml)",
    )
    preview.add_argument(
        "--policy-pack",
        action="append",
        dest="policy_packs",
        metavar="DIR",
        help="policy pack directory (repeatable; default: [tool.pum] policy-packs)",
    )
    preview.add_argument(
        "--policy-pack-config",
        action="append",
        dest="policy_pack_configs",
        default=[],
        metavar="FILE",
        help="JSON config for the policy pack at the same position (repeatable)",
    )
    preview.add_argument(
        "--stack-tag",
        action="append",
        dest="stack_tags",
        default=[],
        metavar="KEY=VALUE",
        help="a stack tag policies read (args.stack_tags), as the engine passes them through ConfigureStack "
        "(repeatable)",
    )
    preview.add_argument("--format", choices=FORMATS, default="text")
    preview.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    preview.add_argument(
        "--report",
        action="append",
        dest="reports",
        default=[],
        type=_report_target,
        metavar="FORMAT=PATH",
        help="also write the report in FORMAT (text, json, markdown, sarif) to PATH (repeatable); "
        "written on every outcome, saying what happened when the run fails",
    )
    preview.add_argument("--verbose", action="store_true", help="show the full traceback when the program fails")
    _run_options(preview)

    schema = commands.add_parser(
        "schema",
        help="print the stack file's JSON Schema ([tool.pum] schema)",
        description="Print the JSON Schema of the project's stack file (its [tool.pum] schema hook), "
        "for editors to validate and complete stack files.",
    )
    schema.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")

    graph = commands.add_parser(
        "graph",
        help="render the privilege map of the previewed plan ([tool.pum] graph)",
        description="Preview the stack offline and render who can become what (the project's [tool.pum] graph "
        "hook): a self-contained HTML page, or Mermaid for a pull-request comment.",
    )
    graph.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    graph.add_argument("--stack", help="stack name (default: [tool.pum] stack)")
    graph.add_argument("--format", choices=("html", "mermaid"), default="html")
    graph.add_argument(
        "--fenced", action="store_true", help="with --format mermaid: wrap it in a ```mermaid fence for markdown"
    )
    graph.add_argument("--output", metavar="FILE", help="write the map here instead of stdout")
    graph.add_argument("--verbose", action="store_true", help="show the full traceback when the program fails")
    _run_options(graph)

    from . import diff as diff_command  # `pum diff`: its options and logic live in pum/diff.py

    diff_command.add_parser(commands, _seconds, DEFAULT_TIMEOUT)
    from . import existing  # `pum export`, `pum audit`, `pum import`: pum/existing.py

    existing.add_parsers(commands, _seconds, DEFAULT_TIMEOUT, FORMATS)
    return parser


def _write(text: str, output: str | None, flag: str = "--output") -> None:
    if output:
        output_file.write_atomically(output, text, flag)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


class _Progress:
    """A progress line on stderr for long runs (text format only), so a big plan doesn't look hung."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.done = threading.Event()
        self.started = time.monotonic()

    def __enter__(self):
        if self.enabled:
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def _tick(self):
        while not self.done.wait(2.0):
            print(f"pum: previewing... {time.monotonic() - self.started:.0f}s", file=sys.stderr, flush=True)

    def __exit__(self, *exc):
        self.done.set()


def _stack(args, tool: ToolConfig) -> str:
    if args.stack:
        return args.stack
    if tool.stack:
        return tool.stack
    raise UsageError(
        f"{tool.directory}: no stack to preview; pass --stack NAME, or set `stack` under [tool.pum] "
        "in the project's pyproject.toml"
    )


def _stack_tags(pairs: list[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--stack-tag {pair!r}: expected KEY=VALUE")
        tags[key.strip()] = value
    return tags


def _check_stack(args, tool: ToolConfig, stack: str) -> None:
    """Nothing to preview is an error: a stack without a stack file, or whose file declares no config, is exit 2
    unless --allow-empty-config says the program needs none."""
    project = load_project(tool.directory)
    config = load_stack_config(project, stack, require=not args.allow_empty_config)
    if not config.values and not args.allow_empty_config:
        raise UsageError(
            f"{config.path}: the stack file declares no config (it is empty, or has no `config:` section); "
            "write the stack's config under `config:`, or pass --allow-empty-config for a program that needs none"
        )


def _run(args, tool: ToolConfig, **kwargs):
    """run_preview of the project under --timeout, with the program's stdout sent to stderr."""
    from .engine import run_preview

    try:
        with stdout_to_stderr(), deadline(args.timeout):
            return run_preview(tool.directory, **kwargs)
    except Deadline as exc:  # outside the program (loading a pack, evaluating a policy)
        raise timeout_error(exc, tool.directory) from None


def _preview(args) -> int:
    tool = load_tool_config(args.cwd)
    load_project(tool.directory)  # a missing or broken Pulumi.yaml is the first thing to say
    stack = _stack(args, tool)
    packs = args.policy_packs if args.policy_packs is not None else list(tool.policy_packs)
    if not packs:
        raise UsageError(
            f"{tool.directory}: no policy pack to evaluate; pass --policy-pack DIR, or list the "
            "project's packs as `policy-packs` under [tool.pum] in its pyproject.toml"
        )
    tags = _stack_tags(args.stack_tags)
    targets = _targets(args)
    for flag, _, path in targets:
        if path is not None:
            output_file.check_output(path, flag)
    _check_stack(args, tool, stack)
    with _Progress(args.format == "text"):
        report = _run(
            args,
            tool,
            stack=stack,
            policy_packs=packs,
            policy_pack_configs=args.policy_pack_configs,
            stack_tags=tags,
        )
    context = _context(args, tool.directory, report, packs)
    if tool.locations:
        from .report import locations

        found = locations.resolve(report, _call_hook(tool, "locations", report), tool.locations)
        context = dataclasses.replace(context, locations=found)
    if tool.licences:
        context = dataclasses.replace(context, licences=_licences(tool, report))
    for flag, fmt, path in targets:
        _write(_renderer(fmt).render(report, context), path, flag)
    return report.exit_code


def _renderer(fmt: str):
    from .report import json_report, markdown, sarif, text

    return {"text": text, "json": json_report, "markdown": markdown, "sarif": sarif}[fmt]


def _targets(args) -> list[tuple[str, str, str | None]]:
    """(flag, format, path or None for stdout) of every report the command line asks for."""
    targets: list[tuple[str, str, str | None]] = [("--output", args.format, args.output)]
    targets += [("--report", fmt, path) for fmt, path in args.reports]
    seen: dict[str, str] = {}
    for flag, _, path in targets:
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{flag} {path}: {seen[key]} writes the same file; give each report its own path")
        seen[key] = f"{flag} {path}"
    return targets


def _width() -> int:
    """The text report's width: `COLUMNS`, else the terminal's when stdout is one, else 100."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    if sys.stdout.isatty():
        return os.get_terminal_size(sys.stdout.fileno()).columns
    return 100


def _pack_versions(report, directories: list[str]) -> dict[str, str]:
    """Each pack's `version` in its PulumiPolicy.yaml, by pack name (the report lists packs in the order given)."""
    from .yaml_loader import YamlError, load_file

    versions = {}
    for name, directory in zip(report.policies, directories):
        try:
            doc = load_file(os.path.join(os.path.abspath(directory), "PulumiPolicy.yaml"), "policy pack file")
        except (YamlError, OSError):
            continue
        version = doc.get("version") if isinstance(doc, dict) else None
        if version is not None:
            versions[name] = str(version)
    return versions


def _context(args, directory: str, report=None, packs: list[str] | None = None):
    from .report.common import Context, pum_version, source_root

    versions = _pack_versions(report, packs) if report is not None and packs else {}
    return Context(
        root=source_root(directory),
        pack_versions=versions,
        width=_width(),
        pum_version=pum_version(),
        full_report=_full_report(args),
    )


def _full_report(args) -> str | None:
    """Where a truncated markdown report sends readers: the JSON (else SARIF, else text) report of the same run,
    as given when relative, else by its name (an absolute path says nothing in a pull request)."""
    files = {fmt: path for _, fmt, path in _targets(args) if path is not None}
    for fmt in ("json", "sarif", "text"):
        if fmt in files:
            return files[fmt] if not os.path.isabs(files[fmt]) else os.path.basename(files[fmt])
    return None


def _failure(args, exc: BaseException, code: int):
    """What the reports of a failed run say: the message, the project and stack when known, the file it names."""
    from .report.common import Failure, message_location, scrub, source_root

    cwd = os.path.abspath(getattr(args, "cwd", None) or ".")
    root = source_root(cwd)
    project = stack = None
    try:
        tool = load_tool_config(cwd)
        project = load_project(tool.directory).name
        stack = getattr(args, "stack", None) or tool.stack
    except Exception:  # the failure itself may be that these do not load
        stack = getattr(args, "stack", None)
    message = str(exc) if isinstance(exc, PumError) else f"internal error (a bug in pum): {type(exc).__name__}: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        message = "interrupted (KeyboardInterrupt)"
    kind = "usage" if code == 2 else "program"
    location = message_location(message, [cwd, os.getcwd()])
    return Failure(kind, scrub(message, root), code, project, stack, location), root


def _write_failure(args, exc: BaseException, code: int) -> None:
    """After a failed run, every report it was asked for says so (an earlier report never looks like this one's).
    A report that cannot be written is removed instead, so no stale one survives."""
    from .report.common import Context, pum_version

    if getattr(args, "command", None) != "preview":
        output_file.remove_stale(getattr(args, "output", None))
        return
    targets = [("--output", args.format, args.output)] + [("--report", f, p) for f, p in args.reports]
    try:
        failure, root = _failure(args, exc, code)
        context = Context(root=root, width=_width(), pum_version=pum_version())
    except Exception as error:  # never let the error report hide the error
        print(f"pum: could not write the error reports: {type(error).__name__}: {error}", file=sys.stderr)
        for _, _, path in targets:
            output_file.remove_stale(path)
        return
    for flag, fmt, path in targets:
        if path is None and fmt == "text":
            continue  # the message is on stderr already
        try:
            _write(_renderer(fmt).render_error(failure, context), path, flag)
        except Exception as error:
            output_file.remove_stale(path)
            print(f"pum: error: {error}", file=sys.stderr)


def _lenient_preview_args(argv: list[str]):
    """The report flags of a `pum preview` command line argparse refused, as far as they can be read."""
    if not argv or argv[0] != "preview":
        return None
    lenient = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    lenient.add_argument("--cwd", default=".")
    lenient.add_argument("--stack")
    lenient.add_argument("--format", default="text")
    lenient.add_argument("--output")
    lenient.add_argument("--report", action="append", dest="reports", default=[])
    try:
        args, _ = lenient.parse_known_args(argv[1:])
    except (argparse.ArgumentError, SystemExit):
        return None
    reports = []
    for text in args.reports:
        try:
            reports.append(_report_target(text))
        except argparse.ArgumentTypeError:
            pass
    args.reports = reports
    args.command = "preview"
    if args.format not in FORMATS:
        args.format = "text" if args.output is None else None
    return args


def _licences(tool: ToolConfig, report) -> list:
    """The project's licence report: a list of JSON objects, or the hook is broken (exit 3)."""
    found = _call_hook(tool, "licences", report)
    if not isinstance(found, list) or not all(isinstance(entry, dict) for entry in found):
        raise ProgramError(
            f"[tool.pum] licences ({tool.licences}) returned {type(found).__name__}, not a list of objects"
        )
    return found


def _call_hook(tool: ToolConfig, key: str, *args):
    """A project's hook, whose failure is the project's code failing (exit 3, like the program), not a traceback."""
    function = tool.hook(key)
    try:
        return function(*args)
    except PumError:
        raise
    except Exception as exc:
        if getattr(exc, "pum_exit_code", None) == 2:  # the hook says its input is bad: a usage error
            raise UsageError(str(exc)) from None
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{os.path.relpath(frames[-1].filename, tool.directory)}:{frames[-1].lineno}: " if frames else ""
        raise ProgramError(
            f"[tool.pum] {key} ({getattr(tool, key)}) failed: {where}{type(exc).__name__}: {exc}",
            "".join(traceback.format_exception(exc)),
        ) from None


def _schema(args) -> int:
    schema = _call_hook(load_tool_config(args.cwd), "schema")
    try:
        text = json.dumps(schema, indent=2) + "\n"
    except (TypeError, ValueError) as exc:
        raise ProgramError(f"[tool.pum] schema returned something that is not JSON: {exc}") from None
    sys.stdout.write(text)
    return 0


def _graph(args) -> int:
    tool = load_tool_config(args.cwd)
    load_project(tool.directory)
    if args.fenced and args.format != "mermaid":
        raise UsageError("--fenced wraps Mermaid for markdown; use it with --format mermaid")
    tool.hook("graph")  # an unset or broken hook is said before the preview runs
    stack = _stack(args, tool)
    if args.output:
        output_file.check_output(args.output)
    _check_stack(args, tool, stack)
    report = _run(args, tool, stack=stack, policy_packs=[])
    # resources by URN, not in the order the SDK's threads registered them: the same plan, the same map
    report = dataclasses.replace(report, resources=sorted(report.resources, key=lambda r: r.urn))
    text = _call_hook(tool, "graph", report, args.format)
    if not isinstance(text, str):
        raise ProgramError(f"[tool.pum] graph returned {type(text).__name__}, not the text to write")
    if args.fenced:
        longest = max((len(run) for run in text.split("\n") if run and set(run) == {"`"}), default=0)
        fence = "`" * max(3, longest + 1)
        text = f"{fence}mermaid\n{text.rstrip(chr(10))}\n{fence}\n"
    _write(text, args.output)
    return 0


def _diff(args) -> int:
    from . import diff as diff_command

    return diff_command.run(args, load_tool_config(args.cwd), _call_hook)


def _export(args) -> int:
    from . import existing

    return existing.run_export(args, load_tool_config(args.cwd), _call_hook)


def _audit(args) -> int:
    from . import existing
    from .audit import audit_report
    from .engine import _load_packs

    tool = load_tool_config(args.cwd)
    project = load_project(tool.directory)
    packs = args.policy_packs if args.policy_packs is not None else list(tool.policy_packs)
    if not packs:
        raise UsageError(f"{tool.directory}: no policy pack to evaluate; pass --policy-pack DIR")
    if args.output:
        output_file.check_output(args.output)
    tool.hook("audit")
    if args.stack:
        tool.hook("drift")
        _check_stack(args, tool, args.stack)
    with deadline(args.timeout):
        found = existing.load_found(_call_hook(tool, "audit", args.source), tool)
        loaded = _load_packs(packs, args.policy_pack_configs)
        report = audit_report(project.name, args.stack or "tenant", found, loaded, str(tool.audit))
    drift: list = []
    if args.stack:
        plan = _run(args, tool, stack=args.stack, policy_packs=[])
        drift = _call_hook(tool, "drift", found, existing.plan_of(plan))
        if not isinstance(drift, list) or not all(isinstance(d, dict) for d in drift):
            raise ProgramError(f"[tool.pum] drift ({tool.drift}) returned {type(drift).__name__}, not a list")
    report.diagnostics = [("info", str(note)) for note in found.get("notes") or []]
    audit = {k: found.get(k) for k in ("tenant", "source", "exportedAt")}
    context = dataclasses.replace(_context(args, tool.directory, report, packs), drift=drift, audit=audit)
    _write(_renderer(args.format).render(report, context), args.output)
    return report.exit_code


def _import(args) -> int:
    from . import existing

    tool = load_tool_config(args.cwd)

    def preview(config: dict):
        return _run(args, tool, stack=args.stack, config=config, policy_packs=[])

    return existing.run_import(args, tool, _call_hook, preview)


def _refused(argv: list[str]) -> None:
    """A command line argparse refused (exit 2): the reports it asks for say so, or a stale one is removed."""
    args = _lenient_preview_args(argv)
    if args is None:
        output_file.remove_stale(_output_argument(argv))
        return
    if args.format is None:  # `--format yaml --output FILE`: no format to write FILE in
        output_file.remove_stale(args.output)
        args.output, args.format = None, "text"
    _write_failure(args, UsageError(_Parser.last_error or "pum: invalid command line"), 2)


def _output_argument(argv: list[str]) -> str | None:
    """`--output FILE` of a command line argparse refused (to remove a stale report it would have replaced)."""
    for index, item in enumerate(argv):
        if item == "--output" and index + 1 < len(argv):
            return argv[index + 1]
        if item.startswith("--output="):
            return item[len("--output=") :]
    return None


def main(argv: list[str] | None = None) -> int:
    global _hard_exit
    _hard_exit = False
    argv = list(sys.argv[1:] if argv is None else argv)
    _Parser.last_error = None
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse said what is wrong (exit 2), or printed --help (exit 0)
        if exc.code:
            _refused(argv)
        raise
    handler = {
        "preview": _preview,
        "schema": _schema,
        "graph": _graph,
        "diff": _diff,
        "export": _export,
        "audit": _audit,
        "import": _import,
    }[args.command]
    try:
        return handler(args)
    except PumError as exc:
        print(f"pum: error: {exc}", file=sys.stderr)
        _write_failure(args, exc, exc.exit_code)
        if isinstance(exc, ProgramError) and getattr(args, "verbose", False) and exc.detail:
            print(exc.detail, file=sys.stderr)
        elif isinstance(exc, ProgramError):
            print("pum: run again with --verbose for the full traceback", file=sys.stderr)
        if isinstance(exc, ProgramTimeout):
            _hard_exit = True
        return exc.exit_code
    except KeyboardInterrupt as exc:
        _write_failure(args, exc, 130)
        return 130
    except Exception as exc:  # a defect in pum itself: still one message, never a traceback with exit 1
        print(f"pum: internal error (a bug in pum, please report it): {type(exc).__name__}: {exc}", file=sys.stderr)
        if getattr(args, "verbose", False):
            traceback.print_exception(exc, file=sys.stderr)
        _write_failure(args, exc, 3)
        return 3


def entry() -> None:
    """The `pum` command (console script and `python -m pum`): exits with main's code.

    A preview leaves every object of its plan on the heap, and at exit the interpreter walked them all
    once more in a last full collection: 0.7 s of a 5,000-resource `pum preview`. Frozen objects are
    left out of it; the process ends right after, so nothing is kept that would have been freed.
    """
    code = main()
    if _hard_exit:  # a timed-out run's threads may never finish: leave without joining them
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
