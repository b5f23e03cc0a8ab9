"""Reads a Pulumi project (Pulumi.yaml) and one stack's config file the way the CLI does.

Structured config values are handed to the program JSON-encoded (as the CLI does through
PULUMI_CONFIG); `secure:` values cannot be decrypted offline, so they become a placeholder that
is marked secret and is never printed.
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from . import yaml_loader

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Project:
    directory: str
    name: str
    runtime: str
    main: str
    stack_config_dir: str
    virtualenv: str | None = None
    """The program's virtualenv (absolute): `runtime.options.virtualenv`, else `.venv` for `toolchain: uv`."""


@dataclass
class StackConfig:
    path: str
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: set[str] = field(default_factory=set)
    raw: dict[str, Any] = field(default_factory=dict)


def _load_yaml(path: str, what: str) -> Any:
    """The file parsed as the Pulumi CLI reads it (pum.yaml_loader); any failure is a UsageError naming the file."""
    from .errors import UsageError

    try:
        return yaml_loader.load_file(path, what)
    except yaml_loader.YamlError as exc:
        raise UsageError(str(exc)) from None


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
    doc = _load_yaml(path, "project file")
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
    virtualenv = _virtualenv(runtime, directory, path)
    return Project(directory, name, "python", main_path, os.path.join(directory, config_dir), virtualenv)


def _virtualenv(runtime: Any, directory: str, path: str) -> str | None:
    """The virtualenv the Pulumi CLI would run the program in (`runtime.options.virtualenv`, relative to the project
    directory; `.venv` for `toolchain: uv` when none is named), absolute; None when it would use the `python` on
    PATH."""
    from .errors import UsageError

    options = runtime.get("options") if isinstance(runtime, dict) else None
    if options is None:
        return None
    if not isinstance(options, dict):
        raise UsageError(f"{path}: field `runtime.options` must be a mapping (e.g. `virtualenv: venv`)")
    virtualenv = options.get("virtualenv")
    if virtualenv is None and options.get("toolchain") == "uv":
        virtualenv = ".venv"
    if virtualenv is None:
        return None
    if not isinstance(virtualenv, str) or not virtualenv.strip():
        raise UsageError(
            f"{path}: field `runtime.options.virtualenv` must be the path of the program's virtualenv, relative to "
            "the project directory (e.g. `virtualenv: venv`)"
        )
    return os.path.normpath(os.path.join(directory, os.path.expanduser(virtualenv)))


_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
# The keys of a stack file (the CLI's workspace.ProjectStack); the CLI ignores any other, pum refuses it.
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


def stack_file_name(stack: str) -> str:
    """`Pulumi.<stack>.yaml`; `org/project/stack` reads the file of its last part, as the CLI does."""
    from .errors import UsageError

    parts = stack.split("/")
    name = parts[-1]
    if len(parts) > 3 or not all(_STACK_NAME.match(part) and part not in (".", "..") for part in parts):
        raise UsageError(
            f"--stack {stack!r}: a stack name may contain only letters, digits, '-', '_' and '.'; "
            "pass the name of a Pulumi.<stack>.yaml in the project's stack config directory"
        )
    return f"Pulumi.{name}.yaml"


def stack_file_path(project: Project, stack: str) -> str:
    return os.path.normpath(os.path.join(project.stack_config_dir, stack_file_name(stack)))


def existing_stacks(project: Project) -> list[str]:
    """The stacks that have a stack file in the project's stack config directory."""
    try:
        names = os.listdir(project.stack_config_dir)
    except OSError:
        return []
    found = []
    for name in names:
        if name.startswith("Pulumi.") and name.endswith(".yaml") and len(name) > len("Pulumi..yaml"):
            stack = name[len("Pulumi.") : -len(".yaml")]
            if _STACK_NAME.match(stack) and os.path.isfile(os.path.join(project.stack_config_dir, name)):
                found.append(stack)
    return sorted(found)


def _missing_stack_message(project: Project, stack: str, path: str) -> str:
    stacks = existing_stacks(project)
    close = difflib.get_close_matches(stack, stacks, n=1)
    hint = f"did you mean --stack {close[0]}? " if close else ""
    listed = f"the stacks here are: {', '.join(stacks)}" if stacks else "there is no Pulumi.<stack>.yaml there yet"
    return (
        f"{path}: no stack file for stack {stack!r}; {hint}{listed}. Create the file, or pass "
        "--allow-empty-config to preview a program that needs no config"
    )


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


def load_stack_config(project: Project, stack: str, *, require: bool = False) -> StackConfig:
    """Read <stackConfigDir>/Pulumi.<stack>.yaml.

    A missing file means empty config, as in the CLI, unless `require` (then it is an error listing the stacks that
    exist). A path that exists but is no readable regular file (a directory, a dangling or looping symlink) is
    always an error, as are keys a stack file does not have and a namespace that is a typo of a known one.
    """
    from .errors import UsageError

    path = stack_file_path(project, stack)
    if not os.path.lexists(path):
        if require:
            raise UsageError(_missing_stack_message(project, stack, path))
        return StackConfig(path=path)
    if os.path.islink(path) and not os.path.exists(path):
        raise UsageError(
            f"{path}: the stack file is a symlink to nothing (dangling, or a loop); point it at a stack file"
        )
    if not os.path.isfile(path):
        raise UsageError(f"{path}: the stack file is not a regular file; replace it with a YAML stack file")
    doc = _load_yaml(path, "stack file")
    if doc is None:
        return StackConfig(path=path)
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping with a `config:` section")
    _check_stack_file_keys(doc, path)
    config = doc.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise UsageError(f"{path}: field `config` must be a mapping of `namespace:key: value`")
    result = config_from_mapping(config, project.name, path)
    check_namespaces(result, project.name, path)
    return result


def _check_stack_file_keys(doc: dict, path: str) -> None:
    from .errors import UsageError

    for key in doc:
        if key in STACK_FILE_KEYS:
            continue
        if isinstance(key, str) and ":" in key:
            raise UsageError(
                f"{path}: top-level key {key!r} is a config key outside `config:`; the CLI would ignore it. "
                "Indent it under a `config:` section"
            )
        close = difflib.get_close_matches(str(key), STACK_FILE_KEYS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"a stack file has only {', '.join(STACK_FILE_KEYS)}"
        raise UsageError(f"{path}: unknown top-level key {key!r}; {hint}")


@functools.lru_cache(maxsize=1)
def provider_namespaces() -> frozenset[str]:
    """Config namespaces of the installed Pulumi providers (`pulumi-azure-native` -> `azure-native`), and `pulumi`."""
    names = {"pulumi"}
    for distribution in importlib.metadata.distributions():
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith("pulumi-") and name not in ("pulumi-policy",):
            names.add(name[len("pulumi-") :])
    return frozenset(names)


def check_namespaces(config: StackConfig, project_name: str, path: str) -> None:
    """A namespace that is not the project's or a provider's, but close to one, is a typo that would silently drop
    the whole section (the program reads its own namespace only): an error with a did-you-mean."""
    from .errors import UsageError

    known = {project_name, *provider_namespaces()}
    lowered = {name.lower(): name for name in known}
    for key in config.raw:
        namespace = key.split(":", 1)[0]
        if namespace in known:
            continue
        close = [lowered[namespace.lower()]] if namespace.lower() in lowered else []
        close = close or difflib.get_close_matches(namespace, sorted(known), n=1, cutoff=0.8)
        if close:
            raise UsageError(
                f"{path}: config key {key!r}: unknown namespace {namespace!r}; did you mean {close[0]!r}? "
                f"(the project is {project_name!r}; a misspelt namespace is ignored by the program)"
            )
