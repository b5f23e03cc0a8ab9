"""What the engine's AnalyzeStack sees of each resource: its outputs, not its inputs.

The engine calls Analyze on each resource's inputs as it registers, and AnalyzeStack once at the end on every
resource's *outputs* (pulumi/pulumi pkg/resource/deploy/step_generator.go, `AnalyzeResources`: "AnalyzeStack is
called on the final outputs of each resource"). In a preview those outputs are what each provider's Create returns
with `Preview: true` (pkg/resource/deploy/step.go, `CreateStep.Apply`):

- a custom resource of a provider that previews (the bridged and native providers): its inputs, plus every output
  property the program did not set, unknown until the provider computes it. Offline, the declared outputs are the
  `@pulumi.getter` properties of the resource's class in its provider SDK, found through the SDK's own registry of
  resource modules by type token (`pulumi.runtime.rpc.get_resource_module`, as the SDK finds the class of a
  resource reference it deserialises);
- a dynamic resource: its inputs, because the dynamic provider does not support previews and the engine then hands
  the inputs back as the state (pkg/resource/plugin/provider_plugin.go, `Create`);
- a provider resource: its inputs (pkg/resource/deploy/providers/registry.go, `Create`);
- a component, and the root stack: only what it registers with `register_outputs` (the monitor's
  RegisterResourceOutputs; pkg/resource/deploy/step_executor.go), nothing when it registers none;
- and `additionalSecretOutputs` make those outputs secret (step_executor.go).

After a deployment, outputs hold what the tenant holds instead (a PIM group's `members` lists whoever has activated
now). A `DeployedState` gives those values, for tests of a pack under that view: see `stack_wire`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pulumi._types import resource_pulumi_to_py_names
from pulumi.runtime.rpc import get_resource_module

from .recorder import Registration
from .wire import SECRET_SIG, SIG_KEY, UNKNOWN_WIRE

DYNAMIC = "pulumi-python:dynamic:Resource"

StackView = Literal["inputs", "outputs"]
"""What stack policies see of a resource: "outputs", the engine's view (below; run_preview's default); "inputs",
what Analyze gets."""

DeployedState = Callable[[str, str], Mapping[str, Any]]
"""The post-deployment view: (type, name) -> the tenant's values (wire encoding) of properties the program did not
set. Every other output the program did not set is then absent (null), as once a provider has read the resource."""


@functools.cache
def declared_outputs(token: str) -> tuple[str, ...] | None:
    """The output properties (wire names) the provider SDK declares for resource type `token`, in declaration order;
    None when no SDK the program imported registers that type."""
    parts = token.split(":")
    if len(parts) != 3:
        return None
    module = get_resource_module(parts[0], parts[1], "")
    info = getattr(module, "mod_info", None)  # what the generated SDKs' Module (their _utilities) keeps
    if not isinstance(info, Mapping) or not isinstance(info.get("classes"), Mapping):
        return None
    class_name = info["classes"].get(token)
    try:
        cls = getattr(importlib.import_module(info["fqn"]), class_name) if class_name else None
    except (ImportError, AttributeError):
        return None
    if not isinstance(cls, type):
        return None
    return tuple(resource_pulumi_to_py_names(cls))


def _secret(value: Any) -> Any:
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return value
    return {SIG_KEY: SECRET_SIG, "value": value}


def stack_wire(
    r: Registration, registered: Mapping[str, Any] | None, deployed: DeployedState | None = None
) -> Mapping[str, Any]:
    """`r`'s properties as AnalyzeStack gets them (wire encoding, before the analyzer marshalling): its outputs in a
    preview, or after a deployment when `deployed` is given. `registered` is what it sent with register_outputs.

    The inputs themselves (`r.wire`) come back when the outputs are exactly the inputs, so that both calls can share
    one message."""
    if not r.custom:  # a component or the root stack: only its registered outputs
        return registered or {}
    if r.type.startswith("pulumi:providers:") or (r.type == DYNAMIC and deployed is None):
        outputs: Mapping[str, Any] = r.wire
    else:
        missing = [key for key in declared_outputs(r.type) or () if key not in r.wire]
        if deployed is None:
            outputs = {**r.wire, **dict.fromkeys(missing, UNKNOWN_WIRE)} if missing else r.wire
        else:
            state = {key: value for key, value in deployed(r.type, r.name).items() if key not in r.wire}
            outputs = {**r.wire, **state} if state else r.wire
    secret = [key for key in r.additional_secret_outputs if key in outputs and key != "id"]
    if secret:
        outputs = {**outputs, **{key: _secret(outputs[key]) for key in secret}}
    return outputs
