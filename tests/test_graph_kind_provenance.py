"""Which graphKind a dynamic resource has, and where dynamic providers may come from.

The policy pack recognises the Graph layer's resources by their graphKind (`rules.common.graph_kind`), because that is
all the engine shows it: analyzers get each resource's properties without internal keys (pulumi/pulumi
pkg/resource/plugin/analyzer_plugin.go, Analyze and AnalyzeStack marshal with SkipInternalKeys), so the dill-pickled
provider in `__provider`, which does name the provider's module and class, never reaches a policy. Two guards follow:

- each GraphProvider refuses, in check, any graphKind but its own literal constant (so our providers never write to
  Graph a resource the pack reads as something else), shown here through the SDK's real dynamic-provider host;
- a provider the pack cannot tell from ours (a do-nothing provider claiming graphKind conditionalAccessPolicy) is
  for code review: the only dynamic providers in this repository are defined in components/ (reviewed code), and only
  components/graph/ passes `_provider=`. A PR that adds one elsewhere fails here.
"""

from __future__ import annotations

import ast
import base64
import importlib
import pathlib
import sys

import pytest
from provider_host import HostConverted, HostProcess
from pulumi.dynamic.dynamic import serialize_provider

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "policies"))

from privileged_facts.graph_kinds import GRAPH_KINDS  # noqa: E402

from components.graph import base  # noqa: E402

GRAPH_MODULES = sorted(
    p.stem for p in (ROOT / "components" / "graph").glob("*.py") if p.stem not in ("__init__", "base", "client")
)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the SDK's unknown sentinel, as the host hands it at preview


def providers():
    found = []
    for name in GRAPH_MODULES:
        module = importlib.import_module(f"components.graph.{name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, base.GraphProvider)
                and value.__module__ == module.__name__
            ):
                found.append((module, value))
    return found


def test_every_graph_kind_is_in_the_packs_table_and_each_provider_serves_its_modules():
    kinds = {}
    for module, provider in providers():
        assert provider.graph_kind == module.GRAPH_KIND, provider
        kinds[provider.graph_kind] = provider
    assert set(kinds) == GRAPH_KINDS


MINE = {
    "conditional_access_policy": ("GraphConditionalAccessPolicyProvider", "conditionalAccessPolicy"),
    "authentication_context": ("AuthenticationContextProvider", "authenticationContext"),
    "role_settings": ("EntraRoleSettingsProvider", "entraRoleSettings"),
}
SPELLINGS = ["entraRoleSetting", "conditional_access_policy", "ConditionalAccessPolicy", "AuthenticationContext", ""]


@pytest.mark.parametrize("module", sorted(MINE))
@pytest.mark.parametrize("kind", [*SPELLINGS, None, UNKNOWN], ids=repr)
def test_a_provider_refuses_any_graph_kind_but_its_own(module, kind):
    cls_name, own = MINE[module]
    provider = getattr(importlib.import_module(f"components.graph.{module}"), cls_name)()
    news = {"displayName": "x", "claimValue": "c1", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10"}
    if kind is not None:
        news["graphKind"] = kind
    _, failures = HostConverted(provider).check({}, news)
    assert [p for p, _ in failures] == ["graphKind"], failures
    assert own in failures[0][1]


def test_the_real_host_refuses_a_misspelled_graph_kind_before_anything_reaches_graph():
    from components.graph.role_settings import EntraRoleSettingsProvider

    rules = [
        {
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
            "id": "AuthenticationContext_EndUser_Assignment",
            "isEnabled": True,
            "claimValue": "c2",
            "target": {"caller": "EndUser", "level": "Assignment", "operations": ["all"]},
        }
    ]
    news = {"roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "rules": rules, "policyId": None}
    with HostProcess(EntraRoleSettingsProvider()) as h:  # check only: nothing is sent anywhere
        _, failures = h.check({}, {**news, "graphKind": "entraRoleSetting"})
        assert [p for p, _ in failures] == ["graphKind"]
        _, failures = h.check({}, {**news, "graphKind": "entraRoleSettings"})
        assert "graphKind" not in [p for p, _ in failures]


def test_the_serialised_provider_names_our_class_but_no_policy_ever_sees_it():
    """What `__provider` holds (the SDK's serialize_provider, base64 dill), and that the pack's view has no such key:
    the limit the pack documents (a forged provider claiming our graphKind is for code review)."""
    from components.graph.conditional_access_policy import GraphConditionalAccessPolicyProvider

    payload = base64.b64decode(serialize_provider(GraphConditionalAccessPolicyProvider()))
    assert (
        b"components.graph.conditional_access_policy" in payload and b"GraphConditionalAccessPolicyProvider" in payload
    )

    from pum.analysis import _analyzer_properties

    wire = {
        "graphKind": "conditionalAccessPolicy",
        "__provider": serialize_provider(GraphConditionalAccessPolicyProvider()),
    }
    assert set(_analyzer_properties(wire).fields) == {"graphKind"}  # as the engine's SkipInternalKeys


# -- where dynamic providers may be defined -------------------------------------------------------------------------

SKIP = {".venv", "tests", "node_modules", ".git", "bench", "docs"}


def program_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP or rel.parts[0].startswith(".") or "site-packages" in rel.parts:
            continue
        yield rel, path


def _bases(node: ast.ClassDef) -> set[str]:
    names = set()
    for b in node.bases:
        names.add(b.attr if isinstance(b, ast.Attribute) else b.id if isinstance(b, ast.Name) else "")
    return names


def test_dynamic_providers_are_defined_only_in_components():
    offenders = []
    for rel, path in program_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(rel))
        in_components = rel.parts[0] == "components"
        in_graph = rel.parts[:2] == ("components", "graph")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = _bases(node)
                if bases & {"ResourceProvider", "GraphProvider"} and not in_components:
                    offenders.append(f"{rel}:{node.lineno} defines dynamic provider {node.name}")
                if "GraphProvider" in bases and not in_graph:
                    offenders.append(f"{rel}:{node.lineno} defines a GraphProvider outside components/graph/")
            if isinstance(node, ast.Call) and any(k.arg == "_provider" for k in node.keywords) and not in_graph:
                offenders.append(f"{rel}:{node.lineno} passes _provider= (only tests inject providers)")
    assert offenders == [], offenders
