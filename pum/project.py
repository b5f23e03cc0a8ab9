"""Reads a Pulumi project (Pulumi.yaml) and one stack's config file the way the CLI does.

Structured config values are handed to the program JSON-encoded (as the CLI does through
PULUMI_CONFIG); `secure:` values cannot be decrypted offline, so they become a placeholder that
is marked secret and is never printed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Project:
    directory: str
    name: str
    runtime: str
    main: str
    stack_config_dir: str


@dataclass
class StackConfig:
    path: str
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: set[str] = field(default_factory=set)
    raw: dict[str, Any] = field(default_factory=dict)


def _load_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{where}: invalid YAML: {problem}; fix the syntax at that line") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None


def load_project(directory: str) -> Project:
    """Load Pulumi.yaml (or Pulumi.yml) from `directory`; errors name the file and field."""
    from .errors import UsageError

    directory = os.path.abspath(directory)
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            break
    else:
        raise UsageError(f"{directory}: no Pulumi.yaml here; pass --cwd with a Pulumi project directory")
    try:
        doc = _load_yaml(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping with at least `name` and `runtime`")
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{path}: field `name` is missing or not a string; set `name: <project>`")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(
            f"{path}: field `runtime` is {runtime_name!r}; pum previews Python programs only (runtime: python)"
        )
    main = doc.get("main") or "."
    if not isinstance(main, str):
        raise UsageError(f"{path}: field `main` must be a path string")
    main_path = os.path.normpath(os.path.join(directory, main))
    if os.path.isdir(main_path):
        main_path = os.path.join(main_path, "__main__.py")
    if not os.path.isfile(main_path):
        raise UsageError(
            f"{path}: the program {os.path.relpath(main_path, directory)} does not exist; "
            "add __main__.py or point `main` at the program"
        )
    config_dir = doc.get("stackConfigDir") or "."
    if not isinstance(config_dir, str):
        raise UsageError(f"{path}: field `stackConfigDir` must be a directory path string")
    return Project(directory, name, "python", main_path, os.path.join(directory, config_dir))


def stack_file_path(project: Project, stack: str) -> str:
    return os.path.normpath(os.path.join(project.stack_config_dir, f"Pulumi.{stack}.yaml"))


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace every `{secure: ...}` in a config value by the placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for key, item in value.items():
            out[key], secret = _strip_secure(item)
            found = found or secret
        return out, found
    if isinstance(value, list):
        found = False
        out_list = []
        for item in value:
            cleaned, secret = _strip_secure(item)
            out_list.append(cleaned)
            found = found or secret
        return out_list, found
    return value, False


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value)


def config_from_mapping(mapping: dict[str, Any], project_name: str, source: str) -> StackConfig:
    """Turn a stack file's `config:` mapping into the runtime's flat `project:key -> string` map."""
    from .errors import UsageError

    result = StackConfig(path=source)
    for key, value in mapping.items():
        if not isinstance(key, str) or not key:
            raise UsageError(f"{source}: config key {key!r} must be a non-empty string")
        full_key = key if ":" in key else f"{project_name}:{key}"
        cleaned, secret = _strip_secure(value)
        result.raw[full_key] = cleaned
        result.values[full_key] = _as_config_string(cleaned)
        if secret:
            result.secret_keys.add(full_key)
    return result


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """Read <stackConfigDir>/Pulumi.<stack>.yaml; a missing file means empty config, as in the CLI."""
    from .errors import UsageError

    path = stack_file_path(project, stack)
    if not os.path.isfile(path):
        return StackConfig(path=path)
    try:
        doc = _load_yaml(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if doc is None:
        return StackConfig(path=path)
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping with a `config:` section")
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"{path}: field `config` must be a mapping of `namespace:key: value`")
    return config_from_mapping(config, project.name, path)
