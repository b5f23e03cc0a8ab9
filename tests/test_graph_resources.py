"""The Graph-backed Resource classes register under Pulumi's mock runtime with graphKind and camelCase
inputs, and their providers survive the dill round trip the dynamic provider host performs."""

import base64

import dill
import pulumi
import pytest
from conftest import recording_mocks

from components.graph import (
    DirectoryRoleEligibility,
    EntraRoleSettings,
    LeaverWorkflow,
    PrivateAccessApplication,
    build_role_rules,
)

GA = "62e90394-69f5-4237-9190-012177145e10"
PEDRO = "aaaaaaaa-0000-4000-8000-00000000000a"
GROUP = "eeeeeeee-0000-4000-8000-000000000001"
CONNECTORS = "c0c0c0c0-0000-4000-8000-000000000001"
COMPUTED = {
    "entraRoleSettings": {"policyId": "DirectoryRole_t_p"},
    "directoryRoleEligibility": {"endDateTime": "2031-01-01T00:00:00Z"},
    "privateAccessApp": {"appId": "app-guid"},
    "lifecycleWorkflow": {"workflowId": "wf-guid"},
}


@pytest.fixture
def mocks():
    return recording_mocks(computed=COMPUTED)


@pulumi.runtime.test
def test_resources_register_with_graph_kind_and_camel_case_inputs(mocks):
    settings = EntraRoleSettings("ga-pim", GA, build_role_rules(require_approval=True, approver_group_ids=[GROUP]))
    eligibility = DirectoryRoleEligibility(
        "pedro-ua", pulumi.Output.from_input(PEDRO), GA, duration="P90D", justification="journey", ticket_number="CHG-1"
    )
    app = PrivateAccessApplication(
        "ssh",
        "Linux SSH",
        [{"destinationHost": "10.1.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22"], "protocol": "tcp"}],
        CONNECTORS,
        [GROUP],
    )
    workflow = LeaverWorkflow("leavers", "IT leavers", "(department eq 'IT')")

    def check(outputs):
        assert outputs == ["DirectoryRole_t_p", "2031-01-01T00:00:00Z", "app-guid", "wf-guid"]
        by_kind = {a.inputs["graphKind"]: a for a in mocks.registered}
        assert set(by_kind) == set(COMPUTED)
        assert {a.typ for a in mocks.registered} == {"pulumi-python:dynamic:Resource"}
        el = by_kind["directoryRoleEligibility"].inputs
        assert el["principalId"] == PEDRO and el["directoryScopeId"] == "/"
        assert el["scheduleInfo"] == {"expiration": {"type": "afterDuration", "duration": "P90D"}}
        assert el["ticketInfo"] == {"ticketNumber": "CHG-1"}
        assert by_kind["entraRoleSettings"].inputs["roleDefinitionId"] == GA
        assert len(by_kind["entraRoleSettings"].inputs["rules"]) == 9
        pa = by_kind["privateAccessApp"].inputs
        assert pa["segments"][0]["ports"] == ["22-22"] and pa["assignedGroupIds"] == [GROUP]
        assert pa["applicationType"] == "nonwebapp" and pa["connectorGroupId"] == CONNECTORS
        wf = by_kind["lifecycleWorkflow"].inputs
        assert wf["executionConditions"]["trigger"]["timeBasedAttribute"] == "employeeLeaveDateTime"
        for args in mocks.registered:  # the host can rebuild each provider from its state
            provider = dill.loads(base64.b64decode(args.inputs["__provider"]))
            assert type(provider).__module__.startswith("components.graph.")
            assert provider._client_factory is None

    return pulumi.Output.all(settings.policy_id, eligibility.end_date_time, app.app_id, workflow.workflow_id).apply(
        check
    )
