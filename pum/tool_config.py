"""A project's defaults for pum: the `[tool.pum]` table of the `pyproject.toml` beside its `Pulumi.yaml`.

pum knows nothing of any project. A project that wants defaults says so::

    [tool.pum]
    policy-packs = ["policies"]                       # evaluated when no --policy-pack is given
    stack = "example"                                 # previewed when no --stack is given
    schema = "components.model:stack_file_schema"     # `pum schema`: () -> the stack file's JSON Schema
    graph = "privilege_map:render"                    # `pum graph`: (report, format) -> text
    diff = "privilege_map.diff:compare"               # `pum diff`: (base, head JSON reports) -> changes
    stack-file-types = ["privileged-access:index:"]   # findings inside these components point at the stack file
    locations = "module:function"                     # (report) -> {URN: model path}: findings at stack-file lines
    licences = "module:function"                      # (report) -> licence entries (pum.report.licences)
    export = "module:function"                        # `pum export`: (directory, scopes) -> the manifest written
    audit = "module:function"                         # `pum audit`: (source) -> what it holds (pum.audit)
    drift = "module:function"                         # `pum audit --stack`: (audit, plan report) -> differences
    adopt = "module:function"                         # `pum import`: (source, plan, ...) -> files to write

Paths are relative to the project directory; `module:function` names are imported with the project directory
first on `sys.path`. Every key is optional; an unknown key or a value of the wrong type is a usage error.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import UsageError

_MAX_BYTES = 1 << 20  # a pyproject.toml is a few kilobytes; refuse to parse anything near a megabyte


@dataclass(frozen=True)
class ToolConfig:
    """What `[tool.pum]` says; empty when there is no pyproject.toml or no table."""

    directory: str
    source: str | None = None  # the pyproject.toml it came from
    policy_packs: tuple[str, ...] = ()  # absolute directories
    stack: str | None = None
    schema: str | None = None
    graph: str | None = None
    diff: str | None = None
    stack_file_types: tuple[str, ...] = ()
    locations: str | None = None
    licences: str | None = None
    export: str | None = None
    audit: str | None = None
    drift: str | None = None
    adopt: str | None = None

    def hook(self, key: str) -> Callable[..., Any]:
        """The function `[tool.pum] <key>` names ("module:function"), imported from the project."""
        reference = getattr(self, key)
        where = f"{self.source or os.path.join(self.directory, 'pyproject.toml')}: [tool.pum] {key}"
        if reference is None:
            raise UsageError(f"{where} is not set; name the function pum calls, as 'module:function'")
        module_name, _, function_name = reference.partition(":")
        saved = list(sys.path)
        sys.path.insert(0, self.directory)
        try:
            function = getattr(importlib.import_module(module_name), function_name, None)
        except Exception as exc:  # the project's import failed: report it, not a traceback
            raise UsageError(f"{where}: cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
        finally:
            sys.path[:] = saved
        if not callable(function):
            raise UsageError(f"{where}: {module_name!r} has no function {function_name!r}")
        return function


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise UsageError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def _string(value: Any, where: str, reference: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where} must be a non-empty string")
    if reference and (value.count(":") != 1 or not all(part.strip() for part in value.split(":"))):
        raise UsageError(f"{where} is {value!r}; name a function as 'module:function'")
    return value


_KEYS = (
    "policy-packs",
    "stack",
    "schema",
    "graph",
    "diff",
    "stack-file-types",
    "locations",
    "licences",
    "export",
    "audit",
    "drift",
    "adopt",
)
_HOOKS = ("schema", "graph", "diff", "locations", "licences", "export", "audit", "drift", "adopt")


def load_tool_config(directory: str) -> ToolConfig:
    """The `[tool.pum]` table of `directory`/pyproject.toml (an empty config when either is absent)."""
    directory = os.path.abspath(directory)
    path = os.path.join(directory, "pyproject.toml")
    if not os.path.isfile(path):
        return ToolConfig(directory)
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            raise UsageError(f"{path}: larger than {_MAX_BYTES} bytes; is this really the project's pyproject.toml?")
        document = tomllib.loads(data.decode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}; fix the syntax there") from None
    table = document.get("tool", {}).get("pum") if isinstance(document.get("tool"), dict) else None
    if table is None:
        return ToolConfig(directory, path)
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.pum] must be a table")
    for key in table:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the keys are {', '.join(_KEYS)}"
            raise UsageError(f"{path}: [tool.pum] has an unknown key {key!r}{hint}")
    where = f"{path}: [tool.pum]"
    packs = _strings(table.get("policy-packs", []), f"{where} policy-packs")
    return ToolConfig(
        directory,
        path,
        policy_packs=tuple(os.path.normpath(os.path.join(directory, pack)) for pack in packs),
        stack=_string(table["stack"], f"{where} stack") if "stack" in table else None,
        **{key: _string(table[key], f"{where} {key}", reference=True) for key in _HOOKS if key in table},
        stack_file_types=_strings(table.get("stack-file-types", []), f"{where} stack-file-types"),
    )
