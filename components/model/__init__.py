"""The stack model: one structured config object per area under `privileged-access:` in the stack file.

    privileged-access:tenant / :principals / :breakGlass / :administrativeUnits / :pim   (pim.py)
    privileged-access:accessPackages (access_packages.py) / :privateAccess (private_access.py)
    privileged-access:lifecycle (lifecycle.py)
    privileged-access:monitoring / :licences (monitoring.py)

`parse_model(config, source)` validates a stack file's `config:` mapping (pure, no Pulumi runtime);
`load_model()` does the same from the running program's config; `stack_file_schema()` is the JSON
Schema of a whole Pulumi.<stack>.yaml (for editors and `pum schema`). Every problem becomes one
`ModelError` that names the stack file, the dotted path, the bad value and what is allowed.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, Field, ValidationError

from . import wording
from .access_packages import AccessPackagesSettings, journey_issues
from .adopted import Adopted
from .authentication_methods import AuthenticationMethodsSettings, tap_issues
from .conditional_access import ConditionalAccessSettings, admin_access_issues
from .errors import Issue, ModelError
from .groups import display_name_issues
from .lifecycle import LifecycleSettings
from .monitoring import LicencesHeld, MonitoringSettings, monitoring_issues
from .on_premises import OnPremisesSettings
from .paw import PawSettings
from .pim import (
    AdministrativeUnit,
    BreakGlass,
    Key,
    PimSettings,
    Principals,
    TenantSettings,
    _Model,
    reference_issues,
)
from .private_access import PrivateAccessSettings

NAMESPACE = "privileged-access"

__all__ = ["NAMESPACE", "ModelError", "StackModel", "parse_model", "load_model", "stack_file_schema", "validate_as"]


class StackModel(_Model):
    """The whole stack: every `privileged-access:<area>` key is one field (its camelCase alias)."""

    tenant: TenantSettings = Field(default_factory=TenantSettings)
    principals: Principals = Field(default_factory=Principals)
    break_glass: BreakGlass | None = None
    administrative_units: dict[Key, AdministrativeUnit] = Field(default_factory=dict)
    pim: PimSettings = Field(default_factory=PimSettings)
    conditional_access: ConditionalAccessSettings | None = None
    paw: PawSettings | None = None
    access_packages: AccessPackagesSettings | None = None
    private_access: PrivateAccessSettings | None = None
    lifecycle: LifecycleSettings | None = None
    on_premises: OnPremisesSettings | None = None
    authentication_methods: AuthenticationMethodsSettings | None = None
    monitoring: MonitoringSettings | None = None
    licences: LicencesHeld | None = None
    adopted: Adopted | None = None


def _area_values(config: Mapping[Any, Any], issues: list[Issue]) -> dict[str, Any]:
    """Pick this project's keys out of the stack config; unknown `privileged-access:*` keys are issues."""
    areas = {field.alias or name: name for name, field in StackModel.model_fields.items()}
    values: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str):
            issues.append(Issue((), key, "config keys must be strings like privileged-access:pim"))
            continue
        namespace, _, area = key.rpartition(":") if ":" in key else (NAMESPACE, ":", key)
        if namespace != NAMESPACE:
            continue  # another provider's or program's key (azuread:tenantId, ...)
        if area not in areas:
            issues.append(Issue((area,), None, _unknown_key(area, list(areas))))
            continue
        values[area] = value
    return values


RENAMED = {
    ("tenant", "production"): (
        "protectFromDeletion",
        "renamed because it only ever protected PIM groups, admin accounts and administrative units from "
        "deletion; whether the policy pack treats the stack as production is the stack tag environment: production",
    )
}
"""Keys that were renamed: (path of the object, old key) -> (new key, why)."""


def _unknown_key(key: Any, allowed: Iterable[str]) -> str:
    allowed = sorted(allowed)
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {str(key)!r}; {hint}allowed keys: {', '.join(allowed)}"


def _issues_from_pydantic(errors: Iterable[Mapping[str, Any]], root: type[BaseModel] = StackModel) -> list[Issue]:
    """pydantic's errors as issues in the stack file's terms (components/model/wording.py)."""
    return [_issue(located) for located in wording.issues(errors, root)]


def _issue(located: wording.Located) -> Issue:
    loc, error = located.loc, located.error
    kind = error.get("type", "")
    value = error.get("input")
    if kind == "extra_forbidden" and tuple(loc) in RENAMED:
        new, why = RENAMED[tuple(loc)]
        return Issue(loc, None, f"unknown key {str(loc[-1])!r}; did you mean {new!r}? It was {why}")
    if kind == "extra_forbidden":
        model = located.parent_model
        allowed = [(f.alias or n) for n, f in model.model_fields.items()] if model else []
        return Issue(loc, None, _unknown_key(loc[-1], allowed))
    message = wording.message(located)
    if isinstance(value, (dict, list)):
        value = None  # an object-level check: the message names the offending part
    if loc and loc[-1] == "[key]":
        return Issue(loc[:-1], value, f"key {value!r} is not allowed: {message}")
    return Issue(loc, value, message)


def validate_as(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    """`data` checked by the model's own rules (for component Args built by hand, not from a stack file):
    ValueError naming `where`, each field, the value and what is allowed."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for issue in _issues_from_pydantic(exc.errors(include_url=False), model):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in issue.loc).lstrip(".")
            shown = f" (got {issue.value!r})" if issue.value is not None else ""
            problems.append(f"{path + ': ' if path else ''}{issue.message}{shown}")
        raise ValueError(f"{where}: " + "; ".join(problems)) from None


def parse_model(config: Mapping[str, Any], source: str, *, secret_keys: Iterable[str] = ()) -> StackModel:
    """Validate a stack file's `config:` mapping (full keys) into a StackModel, or raise ModelError.

    `source` is the stack file's path as shown to the user; values of `secret_keys` are never shown.
    """
    if not isinstance(config, Mapping):
        raise ModelError(
            source, [Issue((), None, f"`config` must be a mapping of keys to values, not {type(config).__name__}")]
        )
    issues: list[Issue] = []
    values = _area_values(config, issues)
    model = None
    try:
        model = StackModel.model_validate(values, by_alias=True, by_name=False)
    except ValidationError as exc:
        issues.extend(_issues_from_pydantic(exc.errors(include_url=False)))
    if model is not None and not issues:
        issues.extend(reference_issues(model))
        issues.extend(journey_issues(model))
        issues.extend(admin_access_issues(model))
        issues.extend(display_name_issues(model))
        issues.extend(tap_issues(model))
        issues.extend(monitoring_issues(model))
    if issues:
        hidden = {k.rpartition(":")[2] for k in secret_keys if k.startswith(NAMESPACE + ":")}
        secrets = _secret_texts(v for k, v in values.items() if k in hidden)
        raise ModelError(
            source, [(i.redacted() if i.loc and i.loc[0] in hidden else i).scrubbed(secrets) for i in issues]
        )
    if model is None:  # unreachable: a failed validation always reports at least one issue
        raise ModelError(source, [Issue((), None, "the stack config did not validate")])
    return model


def _secret_texts(values: Iterable[Any]) -> frozenset[str]:
    """Every text inside secret config values (a secret area's strings and numbers, at any depth): a message
    never shows one, even quoted inside a validator's message or about another area."""
    texts: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if len(text) >= 3:  # shorter texts (true, 4, c1) are everywhere in messages and reveal nothing
                texts.add(text)
    return frozenset(texts)


def _runtime_config() -> tuple[dict[str, Any], set[str]]:
    """All keys of the running program's config (the CLI passes PULUMI_CONFIG; mocks set CONFIG)."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    secrets = set(runtime_config.get_config_secret_keys_env()) | set(runtime_config._SECRET_KEYS.get())
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        if key.startswith(NAMESPACE + ":") and isinstance(value, str) and value[:1] in "{[":
            try:
                value = json.loads(value)
            except ValueError:
                pass  # left as a string: validation then says an object was expected
        decoded[key] = value
    return decoded, secrets


def stack_file_path(stack: str, project_dir: str | None = None) -> str:
    """stacks/Pulumi.<stack>.yaml, from Pulumi.yaml's stackConfigDir (relative to the project)."""
    import yaml

    config_dir = "."
    try:
        with open(os.path.join(project_dir or os.getcwd(), "Pulumi.yaml"), encoding="utf-8") as handle:
            config_dir = (yaml.safe_load(handle) or {}).get("stackConfigDir") or "."
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    return os.path.normpath(os.path.join(str(config_dir), f"Pulumi.{stack}.yaml"))


def missing_config_issue(config: Mapping[Any, Any]) -> Issue | None:
    """Why a program run on `config` would declare nothing (no `privileged-access:*` key at all), or None.

    Keys written without a namespace count as this project's (Pulumi and pum put them in the project's namespace)."""
    ours = [k for k in config if isinstance(k, str) and (":" not in k or k.startswith(NAMESPACE + ":"))]
    if ours:
        return None
    start = (
        f"add the areas to declare, at least {NAMESPACE}:principals and {NAMESPACE}:pim (with "
        f"{NAMESPACE}:breakGlass before {NAMESPACE}:conditionalAccess); stacks/Pulumi.example.yaml is a complete "
        "example to start from"
    )
    if not config:
        return Issue((), None, f"the stack has no config, so this program would declare nothing; {start}")
    others = sorted(str(k) for k in config)
    shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
    return Issue(
        (),
        None,
        f"has no {NAMESPACE}:* key (only {shown}), so this program would declare nothing; {start}",
    )


def load_model() -> StackModel:
    """The running stack's model (call from a Pulumi program); raises ModelError on bad config, and on a config
    with no `privileged-access:*` key (a one-resource plan would hide a misnamed or missing stack file)."""
    config, secrets = _runtime_config()
    source = stack_file_path(pulumi.get_stack())
    missing = missing_config_issue(config)
    if missing is not None:
        raise ModelError(source, [missing])
    return parse_model(config, source, secret_keys=secrets)


def stack_file_schema() -> dict:
    """JSON Schema of a whole Pulumi.<stack>.yaml; other namespaces' keys (azuread:tenantId) stay allowed."""
    model_schema = StackModel.model_json_schema(by_alias=True)
    areas = model_schema["properties"]
    known = "|".join(sorted(areas))
    properties = {}
    for area, schema in areas.items():
        schema = dict(schema)
        schema.pop("default", None)
        properties[f"{NAMESPACE}:{area}"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Pulumi stack file of the privileged-access project",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "patternProperties": {f"^{NAMESPACE}:(?!({known})$)": False},
                "additionalProperties": True,
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {},
        },
        "$defs": model_schema.get("$defs", {}),
    }
