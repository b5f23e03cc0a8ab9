"""What every renderer shares: the run's context, a failed run's outcome, and one deterministic order.

A report must be byte-identical for the same plan: the SDK registers resources on threads, so the renderers
never use registration order. Resources are ordered by URN, diagnostics and outputs by text, and violations keep
the engine's fixed order (pack, policy as the pack declares it, URN, message). Paths are written relative to the
source root (the enclosing git work tree, else the project directory), never absolute.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import sys
from dataclasses import dataclass, field

from ..engine import Report, Resource, Violation


@dataclass(frozen=True)
class Context:
    """What a renderer needs beyond the report: where paths are relative to, the packs' versions, the width."""

    root: str
    pack_versions: dict[str, str] = field(default_factory=dict)
    width: int = 100
    pum_version: str = "unknown"
    full_report: str | None = None  # where the complete report is, for a renderer that has to truncate
    locations: dict = field(default_factory=dict)  # URN -> pum.report.locations.Location ([tool.pum] locations)
    licences: list = field(default_factory=list)  # what [tool.pum] licences returned (pum.report.licences)
    drift: list = field(default_factory=list)  # `pum audit --stack`: what [tool.pum] drift returned
    audit: dict | None = None  # `pum audit`: the tenant and the export the report judges


@dataclass(frozen=True)
class Failure:
    """A run that produced no plan: a usage/config/model error (exit 2) or a program failure (exit 3)."""

    kind: str  # "usage" | "program"
    message: str
    exit_code: int
    project: str | None = None
    stack: str | None = None
    location: tuple[str, int | None] | None = None  # (absolute path, line) of the file the message names

    @property
    def title(self) -> str:
        return f"pum could not evaluate stack {self.stack or '(unknown)'}"


def source_root(start: str) -> str:
    """The enclosing git work tree of `start` (a directory), else `start` itself."""
    start = os.path.abspath(start)
    directory = start
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def relative(path: str, root: str) -> str | None:
    """`path` relative to `root` with `/` separators, or None when it is outside the root."""
    path = os.path.abspath(path[len("file://") :] if path.startswith("file://") else path)
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive
        return None
    if rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def display_path(path: str, root: str) -> str:
    """A path as a report shows it: relative to the root when inside it, else its base name (never absolute)."""
    return relative(path, root) or os.path.basename(path)


_WHERE = re.compile(r"^(?P<path>[^\n:]+?)(?::(?P<line>\d+))?(?::\d+)?: ")


def message_location(message: str, directories: list[str]) -> tuple[str, int | None] | None:
    """The file (and line) an error message starts with (`stacks/Pulumi.dev.yaml:3:1: invalid YAML`), if it names
    an existing file, absolute or relative to one of `directories`; for a model error naming a model path after the
    file, the line of that entry."""
    match = _WHERE.match(message)
    if not match:
        return None
    path = match.group("path").strip()
    line = int(match.group("line")) if match.group("line") else None
    candidates = [path] if os.path.isabs(path) else [os.path.join(d, path) for d in directories]
    for candidate in candidates:
        if os.path.isfile(candidate):
            if line is None:  # a model error: `stacks/Pulumi.dev.yaml: privileged-access:pim.roleBindings[1].role: ...`
                line = _model_line(candidate, message[match.end() :])
            return os.path.abspath(candidate), line
    return None


def _model_line(stack_file: str, rest: str) -> int | None:
    from .locations import line_of

    model_path, separator, _ = rest.partition(": ")
    return line_of(stack_file, model_path) if separator and " " not in model_path else None


def scrub(text: str, root: str) -> str:
    """`text` with the root's absolute path written relative, so a message is the same wherever the checkout is."""
    if not root or root == os.sep:
        return text
    return text.replace(root + os.sep, "").replace(root, ".")


@functools.cache
def pum_version() -> str:
    """The version of the distribution pum is installed from ("unknown" when it runs from a bare checkout).

    Found by the `top_level.txt` that lists `pum` among the metadata directories on sys.path (then beside the
    package): `importlib.metadata.packages_distributions()` reads every installed RECORD, seconds in a large venv.
    """
    from importlib import metadata

    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for directory in [*sys.path, package_parent]:
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            distribution = metadata.PathDistribution(pathlib.Path(directory or ".", name))
            try:
                top_level = (distribution.read_text("top_level.txt") or "").split()
            except OSError:
                continue
            if "pum" in top_level and distribution.version:
                return str(distribution.version)
    return "unknown"


def description_and_detail(report: Report, violation: Violation) -> tuple[str, str]:
    """A violation's message as pulumi-policy builds it ("<policy description>\n<finding>"), split in two: the
    policy's description and the finding (empty when the policy reported none)."""
    description = next(
        (p.description for p in report.policies.get(violation.policy_pack, []) if p.name == violation.policy), ""
    )
    message = violation.message
    if description and message == description:
        return description, ""
    if description and message.startswith(description + "\n"):
        return description, message[len(description) + 1 :]
    return description, message


def resources(report: Report) -> list[Resource]:
    return sorted(report.resources, key=lambda r: r.urn)


def diagnostics(report: Report) -> list[tuple[str, str]]:
    return sorted(report.diagnostics)


def sorted_plain(value):
    """A JSON-able value with every mapping's keys sorted."""
    if isinstance(value, dict):
        return {k: sorted_plain(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_plain(v) for v in value]
    return value
