"""`pum diff`: what a change to the plan changes, in the words of the project's own hook (`[tool.pum] diff`).

    pum diff BASE.json HEAD.json [--format text|markdown|json] [--output FILE]
    pum diff --base-ref REF [--head-ref REF] [--cwd DIR] [--stack NAME] [--timeout SECONDS] ...

Two reports of `pum preview --format json` (design §2), or the project previewed at two git refs: each ref's tree
is exported (`git archive`) into a temporary directory, previewed in a child process with the same pum (no policy
packs: the gate decides on those), and removed. Without --head-ref the head is the working tree as it is.

pum knows nothing of any project: `[tool.pum] diff = "module:function"` names `compare(base, head) -> changes`,
called with the two reports as JSON objects (each resource may also carry `dependencies` and
`propertyDependencies` when previewed here). A change is an object with at least `kind`, `direction` and
`summary` (one sentence a reviewer reads); `subject`, `role`, `scope`, `setting`, `before`, `after` when they apply.

Exit codes: 0 when the comparison succeeded, whatever it found; 2 bad input (not a pum JSON report, a bad ref, a
broken hook setting); 3 when a preview at a ref failed or timed out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from . import output as output_file
from .errors import ProgramError, ProgramTimeout, PumError, UsageError
from .project import Project, load_project, stack_file_name, stack_file_path

FORMATS = ("text", "markdown", "json")
MAX_REPORT_BYTES = 256 << 20  # a 10,000-resource report is ~30 MB
MAX_TREE_BYTES = 1 << 30  # what `git archive` of one ref may unpack to
MAX_CHANGES = 100_000
MARKDOWN_LIMIT = 65_000  # a GitHub comment holds 65,536 characters
GIT_TIMEOUT = 120.0
DIRECTIONS = ("loosened", "added", "changed", "removed", "tightened")
_HEADINGS = {
    "loosened": "Loosened",
    "added": "Added",
    "changed": "Changed",
    "removed": "Removed",
    "tightened": "Tightened",
}


# --- input ---------------------------------------------------------------------------------------------


def load_report(path: str) -> dict:
    """A `pum preview --format json` report from `path`, checked for the fields design §2 promises."""
    how = "make one with `pum preview --format json --output FILE`"
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; {how}") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a pum JSON report; {how}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise UsageError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB; is this really a pum JSON report?")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, so not a pum JSON report; {how}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"{path}: not JSON{detail}, so not a pum JSON report; {how}") from None
    return check_report(document, path)


def check_report(document: Any, where: str) -> dict:
    how = "make one with `pum preview --format json --output FILE`"
    if not isinstance(document, dict):
        raise UsageError(f"{where}: not a pum JSON report (a JSON object with project, stack, resources); {how}")
    for key in ("project", "stack"):
        if not isinstance(document.get(key), str):
            raise UsageError(f"{where}: not a pum JSON report: `{key}` is missing or not a string; {how}")
    resources = document.get("resources")
    if not isinstance(resources, list):
        raise UsageError(f"{where}: not a pum JSON report: `resources` is missing or not a list; {how}")
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            raise UsageError(f"{where}: resources[{index}] is not an object; {how}")
        for key in ("urn", "type", "name"):
            if not isinstance(resource.get(key), str):
                raise UsageError(f"{where}: resources[{index}].{key} is missing or not a string; {how}")
        if not isinstance(resource.get("inputs"), dict):
            raise UsageError(f"{where}: resources[{index}].inputs is missing or not an object; {how}")
    return document


# --- previews at git refs ------------------------------------------------------------------------------


def _git(directory: str, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "-C", directory, *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            text=not binary,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH; --base-ref needs it") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args)} did not finish within {GIT_TIMEOUT:g} s in {directory}") from None


def _repository(directory: str) -> tuple[str, str]:
    """The top of the git work tree holding `directory`, and `directory` relative to it."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{directory}: not inside a git repository; --base-ref compares git refs of the project")
    prefix = _git(directory, "rev-parse", "--show-prefix")
    return top.stdout.strip(), prefix.stdout.strip()


def _commit(top: str, ref: str, flag: str) -> str:
    if not ref or ref.startswith("-"):
        raise UsageError(f"{flag} {ref!r}: not a git ref; give a branch, tag or commit (e.g. origin/main)")
    found = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode != 0 or not found.stdout.strip():
        raise UsageError(
            f"{flag} {ref}: no such commit in {top}; give a branch, tag or commit that exists there "
            "(in CI, fetch it first: git fetch origin <branch>)"
        )
    return found.stdout.strip()


def _export(top: str, commit: str, destination: str, flag: str, ref: str) -> None:
    """The tree of `commit` into `destination`: `git archive` streamed through tarfile's data filter (no links out
    of the directory, no device files), at most MAX_TREE_BYTES, within GIT_TIMEOUT."""
    try:
        archive = subprocess.Popen(
            ["git", "-C", top, "archive", "--format=tar", commit],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH; --base-ref needs it") from None
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        archive.kill()

    timer = threading.Timer(GIT_TIMEOUT, expire)
    timer.start()
    unreadable, read = None, False
    try:
        total = 0
        try:
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                for member in tar:
                    total += member.size
                    if total > MAX_TREE_BYTES:
                        raise UsageError(
                            f"{flag} {ref}: the tree is larger than {MAX_TREE_BYTES >> 20} MiB; too big to preview"
                        )
                    tar.extract(member, destination, filter="data")
            read = True
        except tarfile.TarError as exc:
            unreadable = exc
    finally:
        if not read and archive.poll() is None:  # refused or unreadable: stop git, don't wait for it
            archive.kill()
        stderr = archive.communicate()[1].decode("utf-8", "replace").strip().splitlines()
        timer.cancel()
    if expired.is_set():
        raise UsageError(f"{flag} {ref}: git archive did not finish within {GIT_TIMEOUT:g} s")
    if archive.returncode != 0:
        raise UsageError(f"{flag} {ref}: git archive failed: {stderr[-1] if stderr else 'no message'}")
    if unreadable is not None:
        raise UsageError(f"{flag} {ref}: git archive gave no readable tree: {unreadable}")


def _preview_child(project: str, stack: str, timeout: float, where: str, scratch: str) -> dict:
    """Preview `project` in a child process with this pum (a ref's program must not share this process's
    modules), and return its report with each resource's dependencies."""
    out = os.path.join(scratch, "report.json")
    pum_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pum_parent, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "pum.diff", "--preview-worker", project, stack, out, str(timeout)]
    try:
        child = subprocess.run(
            command,
            cwd=scratch,  # not the exported tree: `-m` must find this pum, not the ref's
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout + 60 if timeout else None,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ProgramTimeout(f"{where}: the preview did not finish within {timeout:g} s; raise --timeout") from None
    if child.returncode != 0:
        lines = [line for line in child.stderr.splitlines() if line.strip()]
        message = lines[-1] if lines else f"exit code {child.returncode}"
        message = message.removeprefix("pum: error: ")
        error = UsageError if child.returncode == 2 else ProgramError
        raise error(f"{where}: the preview failed: {message}", child.stderr)
    with open(out, encoding="utf-8") as handle:
        return check_report(json.load(handle), where)


def _empty_plan(project: Project, stack: str) -> dict:
    return {
        "project": project.name,
        "stack": stack,
        "resources": [],
        "violations": [],
        "summary": {"resources": 0, "mandatory": 0, "advisory": 0},
    }


def preview_at(directory: str, stack: str, ref: str | None, flag: str, timeout: float) -> tuple[dict | None, str]:
    """The report of the project in `directory` at git `ref` (None: the working tree), and its label. None when
    the stack has no stack file there (a pull request that adds or removes the stack)."""
    scratch = tempfile.mkdtemp(prefix="pum-diff-")
    try:
        if ref is None:
            project_dir, label = os.path.abspath(directory), f"{stack} (working tree)"
        else:
            top, prefix = _repository(directory)
            commit = _commit(top, ref, flag)
            tree = os.path.join(scratch, "tree")
            os.mkdir(tree)
            _export(top, commit, tree, flag, ref)
            project_dir, label = os.path.join(tree, prefix), f"{stack} at {ref} ({commit[:12]})"
            if not os.path.isfile(os.path.join(project_dir, "Pulumi.yaml")):
                raise UsageError(f"{flag} {ref}: there is no Pulumi.yaml at {prefix or '.'} in {commit[:12]}")
        try:
            project = load_project(project_dir)
        except PumError as exc:
            raise UsageError(f"{label}: {exc}") from None
        if not os.path.isfile(stack_file_path(project, stack)):
            return None, f"{label}, which has no {stack_file_name(stack)}"
        return _preview_child(project_dir, stack, timeout, label, scratch), label
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _worker(argv: list[str]) -> int:
    """The child of _preview_child: preview, then write the report (with dependencies) as JSON."""
    from .engine import run_preview
    from .report.json_report import with_dependencies
    from .runner import Deadline, deadline, stdout_to_stderr, timeout_error

    project, stack, out, timeout = argv[0], argv[1], argv[2], float(argv[3])
    try:
        try:
            with stdout_to_stderr(), deadline(timeout):
                report = run_preview(project, stack=stack, policy_packs=[])
        except Deadline as exc:
            raise timeout_error(exc, project) from None
        document = with_dependencies(report)
        output_file.write_atomically(out, json.dumps(document) + "\n")
    except PumError as exc:
        print(f"pum: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


# --- the comparison ------------------------------------------------------------------------------------


def compare(hook: Callable[..., Any], base: dict, head: dict) -> list[dict]:
    """The hook's changes, checked: a list of objects with string kind, direction and summary."""
    changes = hook(base, head)
    if not isinstance(changes, list):
        raise ProgramError(f"[tool.pum] diff returned {type(changes).__name__}, not a list of changes")
    if len(changes) > MAX_CHANGES:
        raise ProgramError(f"[tool.pum] diff returned {len(changes)} changes, more than {MAX_CHANGES}")
    for index, change in enumerate(changes):
        if not isinstance(change, dict) or not all(
            isinstance(change.get(key), str) and change.get(key) for key in ("kind", "direction", "summary")
        ):
            raise ProgramError(
                f"[tool.pum] diff returned change #{index} without string kind, direction and summary: {change!r:.200}"
            )
    try:
        json.dumps(changes)
    except (TypeError, ValueError) as exc:
        raise ProgramError(f"[tool.pum] diff returned changes that are not JSON: {exc}") from None
    return changes


def plan_changes(base: dict, head: dict) -> dict[str, int]:
    """How many resources the head adds, removes and changes (inputs) by URN: the context of "no privilege
    changes"."""
    old = {r["urn"]: r.get("inputs") for r in base["resources"]}
    new = {r["urn"]: r.get("inputs") for r in head["resources"]}
    return {
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
        "changed": sum(1 for urn in new.keys() & old.keys() if new[urn] != old[urn]),
    }


def _plan_words(plan: dict[str, int] | None) -> str:
    if plan is None:
        return ""
    return f"Plan: {plan['added']} resources added, {plan['removed']} removed, {plan['changed']} changed."


def _grouped(changes: list[dict]) -> list[tuple[str, list[dict]]]:
    order = list(DIRECTIONS) + sorted({c["direction"] for c in changes} - set(DIRECTIONS))
    return [
        (d, [c for c in changes if c["direction"] == d]) for d in order if any(c["direction"] == d for c in changes)
    ]


def _counts(changes: list[dict]) -> str:
    return ", ".join(f"{len(group)} {direction}" for direction, group in _grouped(changes))


def render_text(changes: list[dict], base: str, head: str, plan: dict[str, int] | None = None) -> str:
    footer = f"{_plan_words(plan)}\n" if plan is not None else ""
    if not changes:
        return f"No privilege changes from {base} to {head}.\n{footer}"
    lines = [f"Privilege changes from {base} to {head}: {len(changes)} ({_counts(changes)})"]
    for direction, group in _grouped(changes):
        lines += ["", f"{_HEADINGS.get(direction, direction.capitalize())} ({len(group)}):"]
        lines += [f"  - {change['summary']}" for change in group]
    return "\n".join(lines) + "\n" + (f"\n{footer}" if footer else "")


def _md(text: str) -> str:
    """Text safe in a Markdown list item: no HTML, emphasis, code, tables or links from names in the plan."""
    escaped = str(text).replace("\\", "\\\\").replace("\r", " ").replace("\n", " ")
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "`*_[]|#~!":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("@", "@\u200b")  # no @mentions of whoever a display name happens to name


def render_markdown(
    changes: list[dict], base: str, head: str, plan: dict[str, int] | None = None, limit: int = MARKDOWN_LIMIT
) -> str:
    title = "### Privilege changes"
    footer = f"\n{_plan_words(plan)}\n" if plan is not None else ""
    if not changes:
        return f"{title}\n\nNo privilege changes from {_md(base)} to {_md(head)}.\n{footer}"
    lines = [title, "", f"From {_md(base)} to {_md(head)}: **{len(changes)}** ({_counts(changes)})."]
    size = sum(len(line) + 1 for line in lines)
    shown = 0
    reserve = 200  # for the last line saying what was left out
    for direction, group in _grouped(changes):
        heading = ["", f"#### {_HEADINGS.get(direction, _md(direction))} ({len(group)})", ""]
        if size + sum(len(h) + 1 for h in heading) + reserve > limit:
            break
        lines += heading
        size += sum(len(h) + 1 for h in heading)
        for change in group:
            line = f"- {_md(change['summary'])}"
            if size + len(line) + 1 + reserve > limit:
                break
            lines.append(line)
            size += len(line) + 1
            shown += 1
        else:
            continue
        break
    if shown < len(changes):
        lines += ["", f"_{len(changes) - shown} more changes are not shown here; `pum diff --format json` lists all._"]
    return "\n".join(lines) + "\n" + footer


def render_json(changes: list[dict], base: str, head: str, plan: dict[str, int] | None = None) -> str:
    summary = {direction: len(group) for direction, group in _grouped(changes)}
    document = {"base": base, "head": head, "changes": changes, "summary": summary, "plan": plan}
    return json.dumps(document, indent=2) + "\n"


def run(args: Any, tool: Any, call_hook: Callable[..., Any]) -> int:
    """`pum diff` for the CLI: `args` as parsed, `tool` the project's ToolConfig, `call_hook(tool, key, *args)` the
    CLI's way of calling a project hook (its failures are exit 3, not tracebacks)."""
    tool.hook("diff")  # an unset or broken hook is said before anything is previewed
    if args.output:
        output_file.check_output(args.output)
    if args.base_ref is not None:
        if args.files:
            raise UsageError("give either two report files or --base-ref, not both")
        if not args.stack and not tool.stack:
            raise UsageError(
                f"{tool.directory}: no stack to preview; pass --stack NAME, or set `stack` under [tool.pum]"
            )
        stack = args.stack or tool.stack
        for ref, flag in ((args.base_ref, "--base-ref"), (args.head_ref, "--head-ref")):
            if ref is not None:  # both refs are checked before the first (slow) preview
                _commit(_repository(tool.directory)[0], ref, flag)
        found_base, base_label = preview_at(tool.directory, stack, args.base_ref, "--base-ref", args.timeout)
        found_head, head_label = preview_at(tool.directory, stack, args.head_ref, "--head-ref", args.timeout)
        if found_base is None and found_head is None:
            raise UsageError(
                f"stack {stack!r} has no stack file at either side ({base_label}; {head_label}); "
                "check --stack and --cwd"
            )
        project = load_project(tool.directory)
        base = found_base if found_base is not None else _empty_plan(project, stack)  # the PR adds the stack
        head = found_head if found_head is not None else _empty_plan(project, stack)  # the PR removes it
    else:
        if args.head_ref is not None:
            raise UsageError("--head-ref needs --base-ref")
        if len(args.files) != 2:
            raise UsageError("give two pum JSON reports (BASE HEAD), or --base-ref REF to preview the project at a ref")
        base, head = load_report(args.files[0]), load_report(args.files[1])
        base_label, head_label = args.files
    changes = compare(lambda b, h: call_hook(tool, "diff", b, h), base, head)
    renderer = {"text": render_text, "markdown": render_markdown, "json": render_json}[args.format]
    text = renderer(changes, base_label, head_label, plan_changes(base, head))
    if args.output:
        output_file.write_atomically(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def add_parser(commands: Any, seconds: Callable[[str], float], default_timeout: float) -> None:
    diff = commands.add_parser(
        "diff",
        help="say what two plans change in who can become what ([tool.pum] diff)",
        description="Compare two pum JSON reports (BASE HEAD), or the stack previewed at two git refs "
        "(--base-ref, --head-ref; default head: the working tree). Exit 0 whatever changed; 2 bad input.",
    )
    diff.add_argument("files", nargs="*", metavar="REPORT", help="BASE and HEAD: `pum preview --format json` files")
    diff.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    diff.add_argument("--stack", help="stack name for --base-ref (default: [tool.pum] stack)")
    diff.add_argument("--base-ref", metavar="REF", help="preview the project at this git ref as the base")
    diff.add_argument("--head-ref", metavar="REF", help="... and at this one as the head (default: the working tree)")
    diff.add_argument("--format", choices=FORMATS, default="text")
    diff.add_argument("--output", metavar="FILE", help="write here (atomically) instead of stdout")
    diff.add_argument("--verbose", action="store_true", help="show the full traceback when a preview or hook fails")
    diff.add_argument(
        "--timeout",
        type=seconds,
        default=default_timeout,
        metavar="SECONDS",
        help=f"fail (exit 3) when a preview takes longer (default {default_timeout:g}; 0: no limit)",
    )


if __name__ == "__main__" and sys.argv[1:2] == ["--preview-worker"]:
    sys.exit(_worker(sys.argv[2:]))
