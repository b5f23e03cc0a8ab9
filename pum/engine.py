"""The offline preview: run a Pulumi Python program under mocks, then evaluate policy packs.

`run_preview` is the one entry point the CLI and the tests share, so both exercise exactly the
path a user runs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from google.protobuf import json_format

from . import analyzer
from .analysis import Violation, analyze
from .errors import ProgramError, UsageError
from .project import config_from_mapping, load_project, load_stack_config
from .recorder import Registration
from .runner import ProgramRun, run_program

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_POLICY_PACK = os.path.join(PROJECT_DIR, "policies")

_UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
SECRET_MARK = "[secret]"


class _Unknown:
    """A value that is unknown at preview (an ID or output not yet created)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    source: tuple[str, int] | None = None


@dataclass
class Report:
    project: str
    stack: str
    resources: list[Resource]
    violations: list[Violation]
    policies: dict[str, list[analyzer.PolicyMeta]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[tuple[str, str]] = field(default_factory=list)
    stack_file: str | None = None
    program_file: str | None = None

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level != "mandatory"]

    def by_policy(self, name: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == name]

    def resource(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


def _report_value(value: Any) -> Any:
    """Wire value -> report value: unknowns become UNKNOWN, secrets a mark, references their URN."""
    if isinstance(value, str):
        return UNKNOWN if value == _UNKNOWN_WIRE else value
    if isinstance(value, list):
        return [_report_value(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            return SECRET_MARK
        if sig == _RESOURCE_SIG:
            return value.get("urn")
        return {k: _report_value(v) for k, v in value.items()}
    return value


def _wire_dict(registration: Registration) -> dict:
    return json_format.MessageToDict(registration.properties)


def _report_inputs(wire: dict) -> dict:
    inputs = _report_value(wire)
    if "__provider" in inputs:  # a dynamic provider's pickled code: not an input a person reads
        inputs["__provider"] = "<dynamic provider>"
    return inputs


def _load_packs(policy_packs: Iterable[str] | None, policy_pack_configs: Iterable[str]) -> list[analyzer.LoadedPack]:
    directories = [DEFAULT_POLICY_PACK] if policy_packs is None else list(policy_packs)
    config_files = [(path, analyzer.parse_pack_config_file(path)) for path in policy_pack_configs]
    if config_files and len(config_files) > len(directories):
        raise UsageError("more --policy-pack-config files than --policy-pack directories; pair them by position")
    packs = []
    for index, directory in enumerate(directories):
        pack = analyzer.load_pack(directory)
        files = [config_files[index]] if index < len(config_files) else []
        analyzer.configure(pack, analyzer.reconcile_config(pack, files))
        packs.append(pack)
    return packs


def run_preview(
    program: Callable[[], object] | str,
    *,
    project: str = "test",
    stack: str = "dev",
    config: dict[str, Any] | None = None,
    policy_packs: Iterable[str] | None = None,
    policy_pack_configs: Iterable[str] = (),
    cwd: str | None = None,
) -> Report:
    """Preview `program` (a callable, or a Pulumi project directory) and evaluate the policy packs.

    For a project directory, config comes from <stackConfigDir>/Pulumi.<stack>.yaml unless
    `config` is given; `project` is then the one named in Pulumi.yaml.
    """
    stack_file = None
    program_file = None
    program_dir = cwd
    if isinstance(program, (str, os.PathLike)):
        loaded = load_project(str(program))
        project, program_dir, program_file = loaded.name, loaded.directory, loaded.main
        stack_config = (config_from_mapping(config, project, "<config>") if config is not None
                        else load_stack_config(loaded, stack))
        stack_file = stack_config.path
        target: Callable[[], object] | str = loaded.main
    else:
        stack_config = config_from_mapping(config or {}, project, "<config>")
        target = program
    packs = _load_packs(policy_packs, list(policy_pack_configs))
    run = run_program(target, project=project, stack=stack, config=stack_config.values,
                      secret_keys=stack_config.secret_keys, program_dir=program_dir)
    _check_duplicates(run)
    violations = analyze(packs, run.monitor.registrations)
    return _report(project, stack, run, packs, violations, stack_file, program_file)


def _check_duplicates(run: ProgramRun) -> None:
    if run.monitor.duplicates:
        duplicate = run.monitor.duplicates[0]
        raise ProgramError(f"Duplicate resource URN '{duplicate}'; try giving it a unique name")


def _report(project, stack, run: ProgramRun, packs, violations, stack_file, program_file) -> Report:
    registrations = run.monitor.registrations
    resources = [
        Resource(urn=r.urn, type=r.type, name=r.name, parent=r.parent, custom=r.custom, protect=r.protect,
                 inputs=_report_inputs(_wire_dict(r)), dependencies=r.dependencies,
                 property_dependencies=r.property_dependencies, source=r.source)
        for r in registrations
    ]
    diagnostics = list(run.diagnostics)
    for token in sorted(set(run.mocks.unanswered_invokes)):
        diagnostics.append(("warning", f"pum: no offline answer for invoke {token}; it returned no values"))
    return Report(project=project, stack=stack, resources=resources, violations=violations,
                  policies={p.name: p.policies for p in packs}, outputs=run.outputs,
                  diagnostics=diagnostics, stack_file=stack_file, program_file=program_file)
