"""`dynamic-resource-recognised`: a dynamic resource is code that runs with the deployer's credentials, and the pack
judges one only by its exact graphKind, so anything else is a mandatory violation (plain dynamic-resource programs)."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import preview_with_pack
from pack_cases import later
from privileged_facts.graph_kinds import DYNAMIC_KINDS
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

POLICY = "dynamic-resource-recognised"


class _Writes(ResourceProvider):
    """Stands in for a provider that writes anything to the tenant."""

    def create(self, props):
        return CreateResult("id", props)


class Dynamic(Resource):
    def __init__(self, name, props):
        super().__init__(_Writes(), name, dict(props))


class Named(Resource, module="graph", name="Eligibility"):
    """A dynamic resource under its own type name: pulumi-python:dynamic/graph:Eligibility."""

    def __init__(self, name, props):
        super().__init__(_Writes(), name, dict(props))


def findings(program, tmp_path, config=None):
    report = preview_with_pack(program, tmp_path, pack_config=config)
    return [(v.enforcement_level, v.message) for v in report.violations if v.policy == POLICY]


@pytest.mark.parametrize(
    "props",
    [
        {"roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "principalId": "x"},  # no graphKind
        {"graphKind": "directoryRoleEligibilities"},  # a plural of ours
        {"graphKind": "DirectoryRoleEligibility"},  # another case
        {"graphKind": " privateAccessApp"},  # a space
        {"graphKind": ["privateAccessApp"]},  # not a string
        {"graphKind": ""},
    ],
)
def test_a_dynamic_resource_the_pack_does_not_know_is_mandatory(tmp_path, props):
    for cls in (Dynamic, Named):
        (found,) = findings(lambda cls=cls: cls("eligibility", props), tmp_path)
        assert found[0] == "mandatory" and "no policy of this pack judges" in found[1]


def test_a_graph_kind_unknown_at_preview_is_unverified(tmp_path):
    def program():
        source = Dynamic("source", {"graphKind": "passwordDiscard", "userId": "u"})
        Dynamic("late", {"graphKind": later(source.id, "passwordDiscard")})

    (found,) = findings(program, tmp_path)
    assert found[0] == "mandatory" and "unknown at preview" in found[1]
    advisory = {POLICY: {"unknownAtPreview": "advisory"}}
    assert not [f for f in findings(program, tmp_path, advisory) if f[0] == "mandatory"]


def test_our_kinds_and_configured_kinds_pass(tmp_path):
    def ours():
        for kind in sorted(DYNAMIC_KINDS):
            Dynamic(f"r-{kind}", {"graphKind": kind})

    assert findings(ours, tmp_path) == []

    def own():
        Named("mine", {"graphKind": "dnsRecord"})

    assert len(findings(own, tmp_path)) == 1
    assert findings(own, tmp_path, {POLICY: {"allowedDynamicKinds": ["dnsRecord"]}}) == []
    # the allowance is exact: another spelling still fails
    assert len(findings(own, tmp_path, {POLICY: {"allowedDynamicKinds": ["DnsRecord"]}})) == 1


def test_components_and_custom_resources_are_not_dynamic(tmp_path):
    def program():
        pulumi.ComponentResource("privileged-access:index:Thing", "c", None, None)
        azuread.Group("g", display_name="g", security_enabled=True)

    assert findings(program, tmp_path) == []


def test_the_runbook_content_provider_refuses_any_kind_but_its_own():
    from components.runbook_content import GRAPH_KIND, RunbookContentProvider, content_hash

    account = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg/providers/Microsoft.Automation"
    runbook = f"{account}/automationAccounts/a/runbooks/r"
    props = {"runbookId": runbook, "content": "Write-Output 1", "contentHash": content_hash("Write-Output 1")}
    assert GRAPH_KIND in DYNAMIC_KINDS
    assert RunbookContentProvider().check({}, {**props, "graphKind": GRAPH_KIND}).failures == []
    for kind in (None, "RunbookContent", "passwordDiscard"):
        failures = RunbookContentProvider().check({}, {**props, "graphKind": kind}).failures
        assert [f.property for f in failures] == ["graphKind"], kind
