"""The policy gate's own steps (.github/workflows/policy-gate.yml), runnable locally exactly as CI runs them.

    python tools/gate.py stacks --program-dir PR
    python tools/gate.py run --stack NAME --program-dir PR --pack-dir BASE/policies --out-dir OUT \\
        [--config-dir BASE/stacks] [--production-config BASE/policies/config/production.json] \\
        [--production-stack prod]... [--pum BASE_VENV/bin/pum] [--record-only] [--diff-base-dir BASE]
    python tools/gate.py comment --reports DIR --output FILE

`stacks` lists every stacks/Pulumi.<name>.yaml of the pull request's tree as the JSON the matrix fans out over,
and refuses a stack file whose name is not a plain stack name (the name goes into the job's matrix).

`run` previews one stack of the pull request's program with `pum preview` and the pack of the protected base
branch: the pack directory, the per-stack pack config (`<config-dir>/policy-config.<stack>.json`) and, for the
stacks the base branch declares production, the production pack config (merged over the stack's, so a stack's
config never weakens it) and the stack tag `environment=production`. It runs pum once, writing every report, in
a fresh directory outside both checkouts, with an environment that holds none of the runner's file commands or
tokens. Whatever happened (clean, mandatory violations, an input error, a program failure, a timeout, pum
missing), it leaves OUT/pum.sarif (SARIF 2.1.0 saying what happened), OUT/summary.md (also appended to
$GITHUB_STEP_SUMMARY) and OUT/result.json, and writes `code` and `outcome` to $GITHUB_OUTPUT. The code is pum's
exit code, or 4 when pum's reports are missing or contradict its exit code (fail closed). It exits with that code;
with --record-only it exits 0 once the decision is recorded, for a later step to act on. With --diff-base-dir (a
pull request), it first previews the base branch's own program and stack file, and after the pull request's run
adds `pum diff` of the two (the privilege changes, with the base branch's diff hook) to the summary and to
OUT/privilege-changes.md.

`comment` joins every stack's result and privilege changes (the artifacts of the gate jobs, one directory each)
into the one pull-request comment the workflow posts or edits.

Only the standard library: the matrix job runs it with the runner's python3, before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>.+)\.yaml$")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
OUTCOMES = {
    0: "passed: no mandatory policy violation",
    1: "failed: mandatory policy violations",
    2: "failed: stack file, project, pack config or usage error (pum exit 2)",
    3: "failed: the program failed, exited early or timed out (pum exit 3)",
    4: "failed: pum's reports are missing or contradict its exit code",
}
# What pum and the program may see of the runner's environment: nothing that writes the job's outputs,
# environment, path or summary (GITHUB_OUTPUT, GITHUB_ENV, ...), and no token.
ENV_ALLOWED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
REPORTS = {"sarif": "pum.sarif", "json": "report.json", "markdown": "report.md"}
BASE_REPORT, DIFF_REPORT = "base-report.json", "privilege-changes.md"
STDERR_LINES = 40
SUMMARY_LIMIT = 900_000  # GitHub refuses a step summary over 1 MiB


class GateError(Exception):
    """The gate cannot run as asked (exit 2 of the gate itself, before any preview)."""


def list_stacks(program_dir: str) -> list[str]:
    """Every stack with a stacks/Pulumi.<stack>.yaml, sorted; a file name that is no plain stack name is refused."""
    directory = os.path.join(program_dir, "stacks")
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise GateError(f"{directory}: cannot list the stack files: {exc.strerror}") from None
    stacks = []
    for name in names:
        match = STACK_FILE.match(name)
        if not match:
            continue
        stack = match.group("stack")
        if not STACK_NAME.match(stack):
            raise GateError(
                f"stacks/{name}: {stack!r} is not a stack name the gate runs (letters, digits, '-', '_', '.', "
                "starting with a letter or digit); rename the file"
            )
        stacks.append(stack)
    if not stacks:
        raise GateError(f"{directory}: no Pulumi.<stack>.yaml: nothing to gate")
    return stacks


@dataclass
class Plan:
    """How one stack is previewed: the pum command line and what the summary says about its inputs."""

    stack: str
    production: bool
    config_sources: list[str] = field(default_factory=list)
    pack_config: str | None = None


def _read_json_object(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError) as exc:
        raise GateError(f"{path}: not a readable JSON pack config: {exc}") from None
    if not isinstance(value, dict):
        raise GateError(f"{path}: a pack config is a JSON object (policy name -> level or settings)")
    return value


def merge_configs(stack_config: dict[str, Any], production: dict[str, Any]) -> dict[str, Any]:
    """The stack's pack config with the production config over it, policy by policy: production wins."""
    merged = dict(stack_config)
    for policy, value in production.items():
        if isinstance(value, dict) and isinstance(merged.get(policy), dict):
            merged[policy] = {**merged[policy], **value}
        else:
            merged[policy] = value
    return merged


def plan_stack(args: argparse.Namespace, work: str) -> Plan:
    if not STACK_NAME.match(args.stack):
        raise GateError(f"--stack {args.stack!r}: not a stack name")
    production = args.stack in args.production_stack
    plan = Plan(args.stack, production)
    config: dict[str, Any] | None = None
    if args.config_dir:
        own = os.path.join(args.config_dir, f"policy-config.{args.stack}.json")
        if os.path.isfile(own):
            config = _read_json_object(own)
            plan.config_sources.append(own)
    if production:
        if not args.production_config:
            raise GateError(f"stack {args.stack} is production: pass --production-config")
        config = merge_configs(config or {}, _read_json_object(args.production_config))
        plan.config_sources.append(args.production_config)
    if config is not None:
        plan.pack_config = os.path.join(work, "pack-config.json")
        with open(plan.pack_config, "w", encoding="utf-8") as handle:
            json.dump(config, handle, indent=2, sort_keys=True)
    return plan


def _pum_command(args: argparse.Namespace) -> list[str]:
    """--pum, else the `pum` script beside this Python (the base branch's venv), else `python -m pum`."""
    if args.pum:
        return shlex.split(args.pum)
    script = os.path.join(os.path.dirname(sys.executable), "pum")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "pum"]


def _preview_args(args: argparse.Namespace, plan: Plan, program_dir: str) -> list[str]:
    command = [
        "preview",
        "--cwd",
        os.path.abspath(program_dir),
        f"--stack={plan.stack}",
        "--policy-pack",
        os.path.abspath(args.pack_dir),
        "--timeout",
        str(args.timeout),
    ]
    if plan.pack_config:
        command += ["--policy-pack-config", plan.pack_config]
    if plan.production:
        command += ["--stack-tag", "environment=production"]
    return command


def _environment() -> dict[str, str]:
    env = {key: os.environ[key] for key in ENV_ALLOWED if key in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into either checkout
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONSAFEPATH"] = "1"  # `python -m pum` in the pull request's tree never imports a `pum` of that tree
    return env


@dataclass
class Run:
    code: int
    stderr: str


def _run(command: list[str], cwd: str, timeout: float) -> Run:
    """One process in its own session, killed with everything it started when it ends or overruns; its stderr."""
    with tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(
                command, cwd=cwd, env=_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            return Run(127, f"gate: cannot start {command[0]}: {exc.strerror}")
        try:
            code = process.wait(timeout=timeout)
            note = ""
        except subprocess.TimeoutExpired:
            code, note = 3, f"\ngate: pum ran longer than {timeout:g} s and was stopped"
        finally:
            try:  # whatever the program left running in pum's session goes with it
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if code < 0:
        text += f"\ngate: pum was killed by signal {-code}"
        code = 3
    return Run(code, text + note)


def preview(args: argparse.Namespace, plan: Plan, out: str) -> Run:
    """pum, once: the SARIF, JSON and markdown reports of the same run (`--report FORMAT=PATH`, written on every
    outcome); stdout (the text report) is dropped."""
    command = [*_pum_command(args), *_preview_args(args, plan, args.program_dir)]
    for fmt, name in REPORTS.items():
        command += ["--report", f"{fmt}={os.path.join(out, name)}"]
    return _run(command, os.path.abspath(args.program_dir), args.timeout + 60)


def preview_base(args: argparse.Namespace, plan: Plan, out: str) -> str | None:
    """The base branch's own program and stack file, previewed first (before any of the pull request's code runs)
    for the privilege diff; None, or why there is nothing to compare with."""
    base = os.path.abspath(args.diff_base_dir)
    if not os.path.isfile(os.path.join(base, "stacks", f"Pulumi.{plan.stack}.yaml")):
        return f"a new stack: the base branch has no stacks/Pulumi.{plan.stack}.yaml, so every privilege in it is new"
    command = [*_pum_command(args), *_preview_args(args, plan, base), "--report", f"json={out}/{BASE_REPORT}"]
    result = _run(command, base, args.timeout + 60)
    if result.code not in (0, 1):
        return f"the base branch's preview of this stack failed (pum exit {result.code}): nothing to compare with"
    return None


def privilege_diff(args: argparse.Namespace, out: str) -> str | None:
    """`pum diff` of the base report and this run's, with the base branch's project (its `[tool.pum] diff` hook)."""
    command = [*_pum_command(args), "diff", "--cwd", os.path.abspath(args.diff_base_dir), BASE_REPORT]
    command += [REPORTS["json"], "--format", "markdown", "--output", DIFF_REPORT]
    result = _run(command, out, args.timeout + 60)  # in OUT, so the comparison names the two files, not paths
    if result.code != 0:
        return f"pum diff failed (exit {result.code}): {_tail(result.stderr, 5)}"
    if not os.path.isfile(os.path.join(out, DIFF_REPORT)):
        return "pum diff wrote no comparison"
    return None


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def valid_sarif(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("version") == "2.1.0"
        and isinstance(doc.get("runs"), list)
        and len(doc["runs"]) > 0
        and all(isinstance(run, dict) and isinstance(run.get("results", []), list) for run in doc["runs"])
    )


def check_reports(code: int, report: Any, sarif: Any) -> str | None:
    """Why pum's reports cannot be trusted to say what its exit code says, or None."""
    if code not in (0, 1):
        return None
    if not valid_sarif(sarif):
        return "pum wrote no valid SARIF 2.1.0 report"
    summary = report.get("summary") if isinstance(report, dict) else None
    mandatory = summary.get("mandatory") if isinstance(summary, dict) else None
    if not isinstance(mandatory, int) or isinstance(mandatory, bool):
        return "pum wrote no JSON report with summary.mandatory"
    if report.get("error"):
        return f"pum exited {code} but its JSON report holds an error: {report['error']}"
    if code == 0 and mandatory:
        return f"pum exited 0 but its JSON report counts {mandatory} mandatory violation(s)"
    if code == 1 and not mandatory:
        return "pum exited 1 but its JSON report counts no mandatory violation"
    errors = sum(1 for run in sarif["runs"] for result in run.get("results", []) if result.get("level") == "error")
    if code == 0 and errors:
        return f"pum exited 0 but its SARIF report holds {errors} error result(s)"
    return None


def _tail(text: str, lines: int = STDERR_LINES) -> str:
    kept = [line for line in text.strip().splitlines() if not line.startswith("pum: previewing...")]
    return "\n".join(kept[-lines:])


def _invocation(code: int, outcome: str, detail: str) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "executionSuccessful": code in (0, 1),
        "exitCode": code,
        "exitCodeDescription": outcome,
    }
    if code not in (0, 1):
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"{outcome}\n{detail}".strip()}, "descriptor": {"id": "pum-gate"}}
        ]
    return invocation


def synthetic_sarif(stack: str, code: int, outcome: str, detail: str) -> dict[str, Any]:
    """The SARIF of a run whose own report is missing or cannot be trusted: one error result on the stack file."""
    text = f"Policy gate, stack {stack}: {outcome}. {detail}".strip()
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pum",
                        "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                        "rules": [
                            {
                                "id": "pum-gate",
                                "name": "pum-gate",
                                "shortDescription": {"text": "The stack could not be evaluated by the policy gate"},
                                "defaultConfiguration": {"level": "error"},
                            }
                        ],
                    }
                },
                "automationDetails": {"id": f"pum-gate/{stack}/"},
                "invocations": [_invocation(code, outcome, detail)],
                "results": [
                    {
                        "ruleId": "pum-gate",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": text},
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": f"stacks/Pulumi.{stack}.yaml"}}}
                        ],
                    }
                ],
            }
        ],
    }


def locate_on_stack_file(sarif_run: dict[str, Any], stack: str) -> None:
    """Code scanning shows only results with a file: a stack violation that names none is the stack file's."""
    for result in sarif_run.get("results", []):
        locations = result.setdefault("locations", [])
        if not any(isinstance(loc, dict) and "physicalLocation" in loc for loc in locations):
            physical = {"artifactLocation": {"uri": f"stacks/Pulumi.{stack}.yaml"}}
            if locations and isinstance(locations[0], dict):
                locations[0]["physicalLocation"] = physical
            else:
                locations.insert(0, {"physicalLocation": physical})


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def summary_markdown(plan: Plan, code: int, outcome: str, detail: str, report_md: str | None, base: str) -> str:
    icon = "✅" if code == 0 else "❌"
    sources = ", ".join(f"`{os.path.basename(p)}`" for p in plan.config_sources) or "the pack's defaults"
    lines = [
        f"## {icon} Policy gate: stack `{plan.stack}`: {outcome}",
        "",
        f"- pack: `policies/` of {base} (never the pull request's); pack config: {sources}",
        f"- production: {'yes (stack tag `environment=production`)' if plan.production else 'no'}",
        f"- pum exit code: {code}",
        "",
    ]
    if detail and not report_md:
        label = "Why the gate does not trust this run:" if code == 4 else "What pum said:"
        lines += [label, "", _fence(detail), ""]
    if report_md:
        lines += [report_md.strip(), ""]
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        cut = text.encode("utf-8")[:SUMMARY_LIMIT].decode("utf-8", "ignore")
        text = cut + "\n\n… (cut: the full report is in the job's artifact)\n"
    return text


def diff_section(args: argparse.Namespace, out: str, code: int, no_base: str | None) -> str:
    """The privilege changes against the base branch (for the summary; the comment job posts privilege-changes.md)."""
    why = no_base
    if why is None and code not in (0, 1):
        why = "this run has no plan to compare"
    if why is None:
        why = privilege_diff(args, out)
    if why is not None:
        _remove(os.path.join(out, DIFF_REPORT))
        _write(os.path.join(out, DIFF_REPORT), f"### Privilege changes\n\nNo comparison: {why}.\n")
    with open(os.path.join(out, DIFF_REPORT), encoding="utf-8") as handle:
        return "\n" + handle.read().strip() + "\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _stack_dir_check(program_dir: str) -> str | None:
    """pum reads the stack file from Pulumi.yaml's stackConfigDir; the gate lists stacks/. They must agree."""
    try:
        from pum.project import load_project
    except ImportError:
        return None  # pum itself says it is missing
    try:
        project = load_project(program_dir)
    except Exception:
        return None  # pum reports a broken Pulumi.yaml (exit 2)
    expected = os.path.realpath(os.path.join(program_dir, "stacks"))
    if os.path.realpath(project.stack_config_dir) != expected:
        return "Pulumi.yaml's stackConfigDir is not stacks/, where the gate lists the stacks; keep stack files there"
    return None


def run_gate(args: argparse.Namespace) -> int:
    out = os.path.abspath(args.out_dir)
    os.makedirs(out, exist_ok=True)
    for name in (*REPORTS.values(), BASE_REPORT, DIFF_REPORT, "pack-config.json", "summary.md", "result.json"):
        _remove(os.path.join(out, name))  # a report already there (committed, stale, forged) is never this run's
    started = time.monotonic()
    no_base: str | None = "the gate stopped before any preview"
    with tempfile.TemporaryDirectory(prefix="pum-gate-") as work:
        try:
            plan = plan_stack(args, work)
        except GateError as exc:
            plan, result = Plan(args.stack, args.stack in args.production_stack), Run(2, f"gate: {exc}")
        else:
            problem = _stack_dir_check(args.program_dir)
            no_base = preview_base(args, plan, out) if args.diff_base_dir and not problem else None
            result = Run(2, f"gate: {problem}") if problem else preview(args, plan, out)
            if plan.pack_config:
                _write(os.path.join(out, "pack-config.json"), open(plan.pack_config, encoding="utf-8").read())
    report = _load(os.path.join(out, "report.json"))
    sarif = _load(os.path.join(out, "pum.sarif"))
    code = result.code if result.code in (0, 1, 2, 3) else 4
    detail = _tail(result.stderr) if code not in (0, 1) else ""
    distrust = check_reports(code, report, sarif)
    if distrust:
        code, detail = 4, f"{distrust}\n{_tail(result.stderr)}".strip()
    outcome = OUTCOMES[code]
    if distrust or code == 4 or not valid_sarif(sarif):
        sarif = synthetic_sarif(plan.stack, code, outcome, detail)
        _remove(os.path.join(out, "report.md"))  # a report of a run the gate does not trust says nothing
    else:
        for sarif_run in sarif["runs"]:
            sarif_run.setdefault("invocations", [_invocation(code, outcome, detail)])
            locate_on_stack_file(sarif_run, plan.stack)
    _write(os.path.join(out, "pum.sarif"), json.dumps(sarif, indent=2) + "\n")
    report_md = None
    if os.path.isfile(os.path.join(out, "report.md")):
        with open(os.path.join(out, "report.md"), encoding="utf-8") as handle:
            report_md = handle.read()
    summary = summary_markdown(plan, code, outcome, detail, report_md, args.base)
    if args.diff_base_dir:
        summary += diff_section(args, out, code, no_base)
    _write(os.path.join(out, "summary.md"), summary)
    result_doc = {
        "stack": plan.stack,
        "code": code,
        "pumExitCode": result.code,
        "outcome": outcome,
        "production": plan.production,
        "packConfig": [os.path.basename(p) for p in plan.config_sources],
        "seconds": round(time.monotonic() - started, 1),
    }
    _write(os.path.join(out, "result.json"), json.dumps(result_doc, indent=2) + "\n")
    _append(os.environ.get("GITHUB_STEP_SUMMARY"), summary)
    _append(os.environ.get("GITHUB_OUTPUT"), f"code={code}\noutcome={outcome}\n")
    print(f"gate: stack {plan.stack}: {outcome} (code {code})", file=sys.stderr)
    if detail:
        print(detail, file=sys.stderr)
    return 0 if args.record_only else code


COMMENT_MARKER = "<!-- pum-policy-gate -->"
COMMENT_LIMIT = 65_000  # GitHub refuses a comment over 65,536 characters


def comment_markdown(reports_dir: str) -> str:
    """One comment for the pull request: per stack, the gate's outcome and its privilege changes."""
    sections = []
    for name in sorted(os.listdir(reports_dir)):
        directory = os.path.join(reports_dir, name)
        result = _load(os.path.join(directory, "result.json"))
        if not isinstance(result, dict) or not isinstance(result.get("stack"), str):
            sections.append(f"#### ❌ `{name}`: no result (the gate job failed before recording one)\n")
            continue
        icon = "✅" if result.get("code") == 0 else "❌"
        section = f"#### {icon} Stack `{result['stack']}`: {result.get('outcome', 'no outcome')}\n"
        changes = os.path.join(directory, DIFF_REPORT)
        if os.path.isfile(changes):
            with open(changes, encoding="utf-8") as handle:
                body = handle.read().strip()
            section += "\n" + body.replace("### Privilege changes", "Privilege changes:", 1) + "\n"
        sections.append(section)
    if not sections:
        sections.append("No stack reported a result.\n")
    text = f"{COMMENT_MARKER}\n### Policy gate: privilege changes\n\n" + "\n".join(sections)
    if len(text) > COMMENT_LIMIT:
        text = text[:COMMENT_LIMIT] + "\n\n… (cut: every stack's full comparison is in its artifact)\n"
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gate", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    stacks = commands.add_parser("stacks", help="print the stacks to gate as a JSON list")
    stacks.add_argument("--program-dir", required=True, help="the pull request's checkout")
    comment = commands.add_parser("comment", help="the pull-request comment from the gate jobs' artifacts")
    comment.add_argument("--reports", required=True, help="a directory with one artifact directory per stack")
    comment.add_argument("--output", required=True)
    run = commands.add_parser("run", help="preview one stack with the base branch's pack; leave SARIF and summary")
    run.add_argument("--stack", required=True)
    run.add_argument("--program-dir", required=True, help="the pull request's checkout (program and stack files)")
    run.add_argument("--pack-dir", required=True, help="the base branch's policies/")
    run.add_argument("--out-dir", required=True, help="where the reports go (outside both checkouts)")
    run.add_argument("--config-dir", help="the base branch's stacks/ (policy-config.<stack>.json)")
    run.add_argument("--production-config", help="the base branch's production pack config")
    run.add_argument("--production-stack", action="append", default=[], help="a production stack (repeatable)")
    run.add_argument("--pum", help="the pum command (default: this Python's `-m pum`)")
    run.add_argument("--timeout", type=float, default=300.0, help="pum's --timeout in seconds")
    run.add_argument("--base", default="the base branch", help="what the summary calls the pack's source")
    run.add_argument("--record-only", action="store_true", help="exit 0 once the decision is recorded")
    run.add_argument(
        "--diff-base-dir",
        help="the base branch's checkout: preview its stack first and add `pum diff` of the two to the summary",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "stacks":
        try:
            stacks = list_stacks(args.program_dir)
        except GateError as exc:
            print(f"gate: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(stacks))
        _append(os.environ.get("GITHUB_OUTPUT"), f"stacks={json.dumps(stacks)}\n")
        return 0
    if args.command == "comment":
        _write(args.output, comment_markdown(args.reports))
        return 0
    return run_gate(args)


if __name__ == "__main__":
    sys.exit(main())
