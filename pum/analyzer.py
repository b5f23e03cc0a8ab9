"""Evaluates policy packs through pulumi-policy's own analyzer servicer, as the CLI does.

A pack is loaded by running its `__main__.py` for real: `PolicyPack.__init__` validates the pack
and builds its `_PolicyAnalyzerServicer`; only the gRPC server is swapped for a stub that hands the
servicer back instead of serving it. The CLI's config handling (pkg/resource/analyzer/config.go)
is reproduced: schema defaults, then the pack's `initial_config`, then `--policy-pack-config`
files, then JSON-schema validation of each policy's config, then `Configure`.
"""

from __future__ import annotations

import difflib
import json
import os
import runpy
import sys
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto

from . import yaml_loader
from .errors import UsageError

LEVELS = {"advisory", "mandatory", "remediate", "disabled"}
_LEVEL_NAMES: dict[int, str] = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.REMEDIATE: "remediate",
    proto.DISABLED: "disabled",
}
_LEVEL_VALUES: dict[str, Any] = {v: k for k, v in _LEVEL_NAMES.items()}
_SEVERITY_NAMES: dict[int, str] = {
    proto.POLICY_SEVERITY_LOW: "low",
    proto.POLICY_SEVERITY_MEDIUM: "medium",
    proto.POLICY_SEVERITY_HIGH: "high",
    proto.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass
class PolicyMeta:
    name: str
    description: str
    enforcement_level: str
    severity: str | None
    remediation_steps: str
    url: str
    framework: str
    config_schema: dict | None
    kind: str  # "resource" | "stack"


@dataclass
class LoadedPack:
    directory: str
    name: str
    version: str
    servicer: Any
    policies: list[PolicyMeta]
    initial_config: dict[str, dict]
    config: dict[str, dict] = field(default_factory=dict)  # as last given to `configure`


class _Captured(Exception):
    def __init__(self, servicer):
        super().__init__("policy pack captured")
        self.servicer = servicer


class _StubServer:
    def __init__(self):
        self.servicer = None

    def add_insecure_port(self, address):
        return 0

    def start(self):
        raise _Captured(self.servicer)


class _StubGrpc:
    """Stands in for `grpc` inside pulumi_policy.policy while a pack's __main__ runs."""

    def __init__(self):
        self.server_instance = _StubServer()

    def server(self, *args, **kwargs):
        return self.server_instance


class _StubRegistration:
    def __init__(self, grpc_stub: _StubGrpc):
        self.grpc_stub = grpc_stub

    def add_AnalyzerServicer_to_server(self, servicer, server):
        server.servicer = servicer


def _pack_version(directory: str) -> str:
    path = os.path.join(directory, "PulumiPolicy.yaml")
    if not os.path.isfile(path):
        raise UsageError(
            f"{directory}: not a policy pack (no PulumiPolicy.yaml); pass --policy-pack with a pack directory"
        )
    try:
        doc = yaml_loader.load_file(path, "policy pack file") or {}
    except yaml_loader.YamlError as exc:
        raise UsageError(str(exc)) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping with `runtime: python`")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(f"{path}: field `runtime` is {runtime_name!r}; pum evaluates Python packs only")
    return str(doc.get("version") or "0.0.1")


def load_pack(directory: str) -> LoadedPack:
    """Run the pack's __main__ with the real PolicyPack code and capture its servicer."""
    import pulumi_policy.policy as policy_module

    directory = os.path.abspath(directory)
    version = _pack_version(directory)
    saved_grpc, saved_registration = policy_module.grpc, policy_module.analyzer_pb2_grpc
    grpc_stub = _StubGrpc()
    policy_module.grpc = grpc_stub  # a stand-in for the module, see _StubGrpc
    policy_module.analyzer_pb2_grpc = _StubRegistration(grpc_stub)  # type: ignore[assignment]
    before = set(sys.modules)
    servicer = None
    try:
        runpy.run_path(directory, run_name="__main__")
    except _Captured as captured:
        servicer = captured.servicer
    except SystemExit as exc:
        raise UsageError(
            f"{directory}: the policy pack exited ({exc.code}) instead of declaring a PolicyPack"
        ) from None
    except Exception as exc:
        raise UsageError(f"{directory}: the policy pack failed to load: {type(exc).__name__}: {exc}") from None
    finally:
        policy_module.grpc, policy_module.analyzer_pb2_grpc = saved_grpc, saved_registration
        _forget_pack_modules(directory, before)
    if servicer is None:
        raise UsageError(
            f"{directory}: __main__.py declares no PolicyPack; end it with PolicyPack(name=..., policies=[...])"
        )
    info = servicer.GetAnalyzerInfo(None, None)
    policies = [_policy_meta(p) for p in info.policies]
    initial = {name: _config_from_proto(value) for name, value in info.initialConfig.items()}
    return LoadedPack(directory, info.name, version, servicer, policies, initial)


def _forget_pack_modules(directory: str, before: set[str]) -> None:
    """Each pack gets its own module namespace, as in the CLI where each pack is its own process."""
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules[name], "__file__", None) or ""
        if os.path.abspath(module_file).startswith(directory + os.sep):
            del sys.modules[name]


def _policy_meta(info) -> PolicyMeta:
    schema = None
    if info.HasField("configSchema"):
        schema = {
            "properties": json_format.MessageToDict(info.configSchema.properties),
            "required": list(info.configSchema.required),
        }
    framework = ""
    if info.HasField("framework") and info.framework.name:
        framework = " ".join(x for x in (info.framework.name, info.framework.version, info.framework.reference) if x)
    return PolicyMeta(
        name=info.name,
        description=info.description,
        enforcement_level=_LEVEL_NAMES.get(info.enforcementLevel, "advisory"),
        severity=_SEVERITY_NAMES.get(info.severity),
        remediation_steps=info.remediation_steps,
        url=info.url,
        framework=framework,
        config_schema=schema,
        kind="stack" if info.policy_type == proto.PolicyType.POLICY_TYPE_STACK else "resource",
    )


def _config_from_proto(value) -> dict:
    # As on the wire: proto3 has no "unset" enum, so an entry without a level reads as advisory.
    props = json_format.MessageToDict(value.properties)
    return {"enforcementLevel": _LEVEL_NAMES.get(value.enforcementLevel), "properties": props or None}


MAX_CONFIG_BYTES = 1 << 20  # a pack config is a few hundred bytes
MAX_CONFIG_DEPTH = 32


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _levels() -> str:
    return ", ".join(sorted(LEVELS))


def parse_pack_config_file(path: str) -> dict[str, dict]:
    """`--policy-pack-config` file: {"<policy>": "<level>" | {"enforcementLevel": ..., ...}, "all": ...}.

    Parsed as the CLI's parsePolicyPackConfig does (an empty file is no config; an entry with neither level nor
    properties is dropped), and stricter where JSON parsers differ: NaN and Infinity, which Go's JSON refuses, are
    errors, as are a file that is not UTF-8, larger than a megabyte or nested deeper than 32 levels."""
    try:
        text = yaml_loader.read_text(path, MAX_CONFIG_BYTES, "policy pack config")
    except yaml_loader.YamlError as exc:
        raise UsageError(str(exc)) from None
    if not text.strip():
        return {}
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON in policy pack config: {exc.msg}") from None
    except ValueError as exc:
        raise UsageError(
            f"{path}: {exc} is not a JSON number (the CLI refuses it); write a number or a string"
        ) from None
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply; a policy pack config is a flat object of policies") from None
    if _too_deep(doc, MAX_CONFIG_DEPTH):
        raise UsageError(f"{path}: nested deeper than {MAX_CONFIG_DEPTH} levels; flatten the policy's properties")
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: policy pack config must be a JSON object keyed by policy name")
    if "environments" in doc:
        raise UsageError(
            f"{path}: environments: pum cannot open Pulumi ESC environments offline; "
            "write the values they would supply into the file instead"
        )
    result: dict[str, dict] = {}
    for key, value in doc.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise UsageError(f"{path}: {key}: {value!r} is not a valid enforcement level; use one of {_levels()}")
            result[key] = {"enforcementLevel": value, "properties": None}
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if "enforcementLevel" in value and (not isinstance(level, str) or level not in LEVELS):
                raise UsageError(
                    f"{path}: {key}.enforcementLevel: {level!r} is not a valid enforcement level; "
                    f"use one of {_levels()}"
                )
            if level is None and not props:
                continue
            result[key] = {"enforcementLevel": level, "properties": props or None}
        else:
            raise UsageError(
                f"{path}: {key}: {json.dumps(value)} is not valid; use an enforcement level string ({_levels()}) "
                'or an object such as {"enforcementLevel": "mandatory", ...properties}'
            )
    return result


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"it has {shown}" if choices else "it has none"


def check_config_names(pack: LoadedPack, path: str, given: dict[str, dict]) -> None:
    """Stricter than the CLI where a typo would silently weaken the gate: a policy the pack does not have (the CLI
    keeps its config and the servicer ignores it, or fails Configure when it has properties but no level), a
    property a policy's schema does not declare (JSON Schema allows it, the policy never reads it), and properties
    under `all` (the CLI applies only its enforcement level) are errors naming the file and the key."""
    by_name = {policy.name: policy for policy in pack.policies}
    names = list(by_name)
    for key, config in given.items():
        if key == "all":
            if config.get("properties"):
                raise UsageError(
                    f"{path}: all: takes only an enforcement level (the CLI ignores properties there); "
                    "move the properties under the policy that reads them"
                )
            continue
        policy = by_name.get(key)
        if policy is None:
            raise UsageError(
                f"{path}: {key}: policy pack {pack.name} has no policy {key!r}; {_did_you_mean(key, names)}"
            )
        properties = list((policy.config_schema or {}).get("properties") or {})
        for prop in config.get("properties") or {}:
            if prop not in properties:
                raise UsageError(
                    f"{path}: {key}.{prop}: policy {key!r} has no config property {prop!r}; "
                    f"{_did_you_mean(prop, properties)}"
                )


def _apply(result: dict[str, dict], given: dict[str, dict]) -> None:
    everything = given.get("all")
    if everything and everything.get("enforcementLevel") in LEVELS:
        for value in result.values():
            value["enforcementLevel"] = everything["enforcementLevel"]
    for name, config in given.items():
        current = result.setdefault(name, {"enforcementLevel": None, "properties": None})
        if config.get("enforcementLevel") in LEVELS:
            current["enforcementLevel"] = config["enforcementLevel"]
        if config.get("properties"):
            current["properties"] = {**(current["properties"] or {}), **config["properties"]}


def reconcile_config(pack: LoadedPack, files: list[tuple[str, dict[str, dict]]]) -> dict[str, dict]:
    """Defaults, then initial_config, then each config file; then validate as the CLI does."""
    result: dict[str, dict] = {}
    for policy in pack.policies:
        defaults = None
        if policy.config_schema:
            defaults = {k: v["default"] for k, v in policy.config_schema["properties"].items() if "default" in v}
        result[policy.name] = {"enforcementLevel": policy.enforcement_level, "properties": defaults or None}
    _apply(result, pack.initial_config)
    sources = []
    for path, given in files:
        check_config_names(pack, path, given)
        _apply(result, given)
        sources.append(path)
    errors = []
    for policy in pack.policies:
        if not policy.config_schema:
            continue
        schema: dict[str, Any] = {"type": "object"}
        if policy.config_schema["properties"]:
            schema["properties"] = policy.config_schema["properties"]
        if policy.config_schema["required"]:
            schema["required"] = policy.config_schema["required"]
        props = result[policy.name]["properties"] or {}
        for error in jsonschema.Draft7Validator(schema).iter_errors(props):
            where = ".".join(str(p) for p in error.absolute_path) or "(config)"
            errors.append(f"{policy.name}.{where}: {error.message}")
    if errors:
        origin = ", ".join(sources) if sources else f"policy pack {pack.name}"
        raise UsageError(f"{origin}: invalid policy pack config for {pack.name}:\n  " + "\n  ".join(errors))
    return result


def configure(pack: LoadedPack, config: dict[str, dict]) -> None:
    request = proto.ConfigureAnalyzerRequest()
    for name, value in config.items():
        entry = request.policyConfig[name]
        level = value.get("enforcementLevel") or "advisory"
        entry.enforcementLevel = _LEVEL_VALUES[level]
        if value.get("properties"):
            entry.properties.update(value["properties"])
    pack.servicer.Configure(request, None)
    pack.config = config


def level_name(value: int) -> str:
    return _LEVEL_NAMES.get(value, "advisory")


def severity_name(value: int) -> str | None:
    return _SEVERITY_NAMES.get(value)


def to_struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct
