"""The offline preview: run a Pulumi Python program under mocks, then evaluate policy packs.

`run_preview` is the one entry point the CLI and the tests share, so both exercise exactly the
path a user runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import analyzer
from .analysis import Violation, analyze, configure_stack_request, policy_order
from .errors import ProgramError, UsageError
from .heap import no_full_collections
from .outputs_view import DeployedState, StackView
from .project import config_from_mapping, load_project, load_stack_config
from .runner import ProgramRun, run_program
from .tool_config import load_tool_config
from .wire import UNKNOWN, report_value

__all__ = ["UNKNOWN", "Report", "Resource", "Violation", "run_preview"]


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
    ignore_changes: list[str] = field(default_factory=list)


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
    stack_file_types: tuple[str, ...] = ()  # [tool.pum] stack-file-types: components declared from the stack file

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level != "mandatory"]

    def by_policy(self, name: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == name]

    def resource(self, urn: str) -> Resource | None:
        return self._by_urn.get(urn)

    @cached_property
    def _by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


def _report_inputs(wire: dict) -> dict:
    inputs = report_value(wire)
    if "__provider" in inputs:  # a dynamic provider's pickled code: not an input a person reads
        inputs["__provider"] = "<dynamic provider>"
    return inputs


def _load_packs(directories: list[str], policy_pack_configs: Iterable[str]) -> list[analyzer.LoadedPack]:
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
    stack_tags: Mapping[str, str] | None = None,
    deployed_state: DeployedState | None = None,
    stack_view: StackView = "outputs",
) -> Report:
    """Preview `program` (a callable, or a Pulumi project directory) and evaluate the policy packs.

    For a project directory, config comes from <stackConfigDir>/Pulumi.<stack>.yaml unless
    `config` is given; `project` is then the one named in Pulumi.yaml. `policy_packs=None` means the packs the
    project names in `[tool.pum] policy-packs` (pum.tool_config): the project is `program`'s directory, else
    `cwd`, else the current directory. `stack_tags` reach the packs through ConfigureStack, as the stack's tags do
    under the engine. With `stack_view="outputs"` stack policies see each resource's outputs as the engine gives
    them in a preview (pum.outputs_view; the default), and with `deployed_state` as after a deployment;
    `stack_view="inputs"` gives them the inputs, as Analyze gets.
    """
    stack_file = None
    program_file = None
    program_dir = cwd
    virtualenv = None
    if isinstance(program, (str, os.PathLike)):
        loaded = load_project(str(program))
        project, program_dir, program_file = loaded.name, loaded.directory, loaded.main
        virtualenv = loaded.virtualenv
        stack_config = (
            config_from_mapping(config, project, "<config>") if config is not None else load_stack_config(loaded, stack)
        )
        stack_file = stack_config.path
        target: Callable[[], object] | str = loaded.main
    else:
        stack_config = config_from_mapping(config or {}, project, "<config>")
        target = program
    tool = load_tool_config(program_dir or os.getcwd())
    packs = _load_packs(list(tool.policy_packs if policy_packs is None else policy_packs), list(policy_pack_configs))
    with no_full_collections():
        run = run_program(
            target,
            project=project,
            stack=stack,
            config=stack_config.values,
            secret_keys=stack_config.secret_keys,
            program_dir=program_dir,
            virtualenv=virtualenv,
        )
        _check_duplicates(run)
        resources = _report_resources(run)
        configure = configure_stack_request(project, stack, stack_tags)
        violations = analyze(
            packs,
            run.monitor.registrations,
            outputs=run.monitor.outputs,
            stack=configure,
            deployed=deployed_state,
            view=stack_view,
        )
        violations.sort(key=_report_order(packs))
    report = _report(project, stack, run, packs, resources, violations, stack_file, program_file)
    report.stack_file_types = tool.stack_file_types
    return report


def _report_order(packs: list[analyzer.LoadedPack]) -> Callable[[Violation], tuple]:
    """Violations by pack, policy (as the pack declares them), resource URN and message: the same order in every
    run, although the SDK registers resources on threads, in an order that varies from run to run."""
    by_policy = policy_order(packs)
    return lambda violation: (by_policy(violation), violation.urn or "", violation.message)


def _check_duplicates(run: ProgramRun) -> None:
    if run.monitor.duplicates:
        duplicate = run.monitor.duplicates[0]
        raise ProgramError(f"Duplicate resource URN '{duplicate}'; try giving it a unique name")


def _report_resources(run: ProgramRun) -> list[Resource]:
    return [
        Resource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            parent=r.parent,
            custom=r.custom,
            protect=r.protect,
            inputs=_report_inputs(r.wire),
            dependencies=r.dependencies,
            property_dependencies=r.property_dependencies,
            source=r.source,
            ignore_changes=list(r.ignore_changes),
        )
        for r in run.monitor.registrations
        if not r.default_provider  # the engine's, not the program's
    ]


def _report(project, stack, run: ProgramRun, packs, resources, violations, stack_file, program_file) -> Report:
    diagnostics = list(run.diagnostics)
    for token in sorted(set(run.mocks.unanswered_invokes)):
        diagnostics.append(("warning", f"pum: no offline answer for invoke {token}; it returned no values"))
    return Report(
        project=project,
        stack=stack,
        resources=resources,
        violations=violations,
        policies={p.name: p.policies for p in packs},
        outputs=run.outputs,
        diagnostics=diagnostics,
        stack_file=stack_file,
        program_file=program_file,
    )
