"""The `pum` command line: `pum preview`, `pum schema`, `pum graph` (contract in design §2).

Exit codes: 0 no mandatory violation; 1 mandatory violation(s); 2 usage, config or model error;
3 the program itself failed. Errors are one clear message; tracebacks only with --verbose.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time

from .errors import ProgramError, PumError, UsageError
from .project import load_project
from .tool_config import ToolConfig, load_tool_config

FORMATS = ("text", "json", "markdown", "sarif")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pum", description="Offline preview and policy checks for Pulumi Python programs."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    preview = commands.add_parser("preview", help="run a Pulumi Python program under mocks and evaluate policy packs")
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
    preview.add_argument("--verbose", action="store_true", help="show the full traceback when the program fails")

    schema = commands.add_parser("schema", help="print the stack file's JSON Schema ([tool.pum] schema)")
    schema.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")

    graph = commands.add_parser("graph", help="render the privilege map of the previewed plan ([tool.pum] graph)")
    graph.add_argument("--cwd", default=".")
    graph.add_argument("--stack", help="stack name (default: [tool.pum] stack)")
    graph.add_argument("--format", choices=("html", "mermaid"), default="html")
    graph.add_argument("--output", metavar="FILE")
    return parser


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


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


def _preview(args) -> int:
    from .engine import run_preview
    from .report import json_report, markdown, sarif, text

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
    with _Progress(args.format == "text"):
        report = run_preview(
            tool.directory,
            stack=stack,
            policy_packs=packs,
            policy_pack_configs=args.policy_pack_configs,
            stack_tags=tags,
        )
    renderer = {"text": text, "json": json_report, "markdown": markdown, "sarif": sarif}[args.format]
    _write(renderer.render(report), args.output)
    return report.exit_code


def _schema(args) -> int:
    schema = load_tool_config(args.cwd).hook("schema")()
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return 0


def _graph(args) -> int:
    from .engine import run_preview

    tool = load_tool_config(args.cwd)
    render = tool.hook("graph")
    report = run_preview(tool.directory, stack=_stack(args, tool), policy_packs=[])
    _write(render(report, args.format), args.output)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"preview": _preview, "schema": _schema, "graph": _graph}[args.command]
    try:
        return handler(args)
    except PumError as exc:
        print(f"pum: error: {exc}", file=sys.stderr)
        if isinstance(exc, ProgramError) and getattr(args, "verbose", False) and exc.detail:
            print(exc.detail, file=sys.stderr)
        elif isinstance(exc, ProgramError):
            print("pum: run again with --verbose for the full traceback", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """The `pum` command (console script and `python -m pum`): exits with main's code.

    A preview leaves every object of its plan on the heap, and at exit the interpreter walked them all
    once more in a last full collection: 0.7 s of a 5,000-resource `pum preview`. Frozen objects are
    left out of it; the process ends right after, so nothing is kept that would have been freed.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
