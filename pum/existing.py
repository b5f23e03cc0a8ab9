"""`pum export`, `pum audit --from` and `pum import --from`: existing tenants, through the project's hooks.

pum knows no tenant: `[tool.pum] export` reads one into a directory, `audit` turns an export into resources
(pum.audit), `drift` compares those with the stack's plan, `adopt` writes the stack file and the Pulumi import file.
Exit codes are `pum preview`'s: `audit` 0/1 by mandatory findings; `export` 0 when every read succeeded and 1 when
the manifest lists reads that failed; 2 usage or bad input (a hook raising an exception with `pum_exit_code = 2`);
3 a hook or the program failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from . import output as output_file
from .errors import UsageError
from .project import stack_file_path

MAX_FILE_CHARS = 64 << 20


def add_parsers(commands: Any, seconds: Callable[[str], float], default_timeout: float, formats: tuple) -> None:
    export = commands.add_parser(
        "export",
        help="read a tenant's privileged state, read-only, into an export directory ([tool.pum] export)",
        description="Read the tenant's roles, PIM, groups, CA and (with --scope) Azure RBAC and AVD, read-only, "
        "into DIR (manifest.json + the Graph and ARM answers). Exit 0 complete, 1 some reads failed (listed), "
        "2 usage, 3 failure.",
    )
    export.add_argument(
        "--output", dest="export_dir", required=True, metavar="DIR", help="the export directory to write"
    )
    export.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        default=[],
        metavar="ARM_SCOPE",
        help="an Azure scope to export role assignments, eligibilities and policies of (repeatable)",
    )
    export.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    export.add_argument("--verbose", action="store_true", help="show the full traceback when the export fails")

    audit = commands.add_parser(
        "audit",
        help="evaluate the policy packs on an existing tenant's export ([tool.pum] audit)",
        description="Judge what a tenant holds (a `pum export` directory, or ScubaGear's ProviderSettingsExport.json)"
        " with the same policy packs, reports and exit codes as `pum preview`; with --stack, also list what the "
        "tenant holds that the stack does not declare, and the reverse.",
    )
    audit.add_argument("--from", dest="source", required=True, metavar="EXPORT", help="export directory or file")
    audit.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    audit.add_argument("--stack", help="compare with this stack's plan (drift)")
    audit.add_argument("--policy-pack", action="append", dest="policy_packs", metavar="DIR")
    audit.add_argument("--policy-pack-config", action="append", dest="policy_pack_configs", default=[], metavar="FILE")
    audit.add_argument("--format", choices=formats, default="text")
    audit.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    audit.add_argument("--verbose", action="store_true", help="show the full traceback when a hook fails")
    audit.add_argument("--timeout", type=seconds, default=default_timeout, metavar="SECONDS")
    audit.set_defaults(reports=[], allow_empty_config=False)

    adopt = commands.add_parser(
        "import",
        help="write a stack file and a `pulumi import` file that adopt an existing tenant ([tool.pum] adopt)",
        description="Write <stackConfigDir>/Pulumi.<STACK>.yaml declaring what the export holds, "
        "<STACK>.import.json (`pulumi import --file`) so adoption re-creates nothing, and <STACK>.import-report.md "
        "listing what could not be expressed. Refuses to overwrite files unless --force.",
    )
    adopt.add_argument("--from", dest="source", required=True, metavar="EXPORT", help="export directory or file")
    adopt.add_argument("--stack", required=True, help="name of the stack to write")
    adopt.add_argument("--cwd", default=".", help="Pulumi project directory (default: current directory)")
    adopt.add_argument("--output-dir", metavar="DIR", help="where the import file and report go (default: --cwd)")
    adopt.add_argument("--force", action="store_true", help="replace files that exist")
    adopt.add_argument(
        "--break-glass",
        action="append",
        dest="break_glass",
        default=[],
        metavar="OBJECT_ID",
        help="an account the import may declare as break-glass (repeatable; the hook says which qualify)",
    )
    adopt.add_argument("--verbose", action="store_true", help="show the full traceback when a hook fails")
    adopt.add_argument("--timeout", type=seconds, default=default_timeout, metavar="SECONDS")
    adopt.set_defaults(allow_empty_config=False)


def run_export(args: Any, tool: Any, call_hook: Callable[..., Any]) -> int:
    tool.hook("export")
    manifest = call_hook(tool, "export", args.export_dir, list(args.scopes))
    if not isinstance(manifest, dict):
        raise UsageError(f"[tool.pum] export returned {type(manifest).__name__}, not the manifest")
    files, errors = manifest.get("files") or [], manifest.get("errors") or []
    print(f"pum: exported {len(files)} answers to {args.export_dir}", flush=True)
    for error in errors:
        print(f"pum: not exported: {error.get('request')}: {error.get('status')} {error.get('code')}", flush=True)
    return 1 if errors else 0


def plan_of(report: Any) -> dict[str, Any]:
    """A preview's plan as the drift and adopt hooks read it: the JSON report, with each resource's dependencies."""
    from .report.json_report import with_dependencies

    return with_dependencies(report)


def run_import(args: Any, tool: Any, call_hook: Callable[..., Any], preview: Callable[[dict], Any]) -> int:
    from .project import load_project

    tool.hook("adopt")
    project = load_project(tool.directory)
    stack_file = stack_file_path(project, args.stack)
    out_dir = os.path.abspath(args.output_dir or tool.directory)
    targets = {
        "stack": stack_file,
        "import": os.path.join(out_dir, f"{args.stack}.import.json"),
        "report": os.path.join(out_dir, f"{args.stack}.import-report.md"),
    }
    for path in targets.values():
        if os.path.lexists(path) and not args.force:
            raise UsageError(f"{path}: exists; pass --force to replace it, or choose another --stack")

    def plan(config: dict) -> dict:
        return plan_of(preview(config))

    made = call_hook(tool, "adopt", args.source, args.stack, plan, list(args.break_glass))
    if not isinstance(made, dict) or not all(isinstance(made.get(k), str) for k in ("stack", "import", "report")):
        raise UsageError("[tool.pum] adopt must return {'stack', 'import', 'report'} texts")
    for key, path in targets.items():
        if len(made[key]) > MAX_FILE_CHARS:
            raise UsageError(f"[tool.pum] adopt returned a {key} file over {MAX_FILE_CHARS} characters")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        output_file.write_atomically(path, made[key])
        print(f"pum: wrote {path}", flush=True)
    for line in made.get("summary") or []:
        print(f"pum: {line}", flush=True)
    return 0


def load_found(found: Any, tool: Any) -> dict[str, Any]:
    if not isinstance(found, dict):
        raise UsageError(f"[tool.pum] audit ({tool.audit}) returned {type(found).__name__}, not an object")
    json.dumps(found)  # what the hook found must be plain data (the JSON report carries parts of it)
    return found
