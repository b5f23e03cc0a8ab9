"""Attacks on the Graph providers: faults, answers and tenants that a production run meets, each a way
to duplicate, orphan or silently take over an object, or to show drift forever (or miss it).

Every step goes through the SDK's serialiser (`HostConverted`), the client never really sleeps (the
stand-in records the sleeps), and the `graph` fixture checks every exchange against Microsoft's SDK
models.
"""

from __future__ import annotations

from provider_host import HostConverted, refresh, up

from components.graph.role_settings import EntraRoleSettingsProvider, build_role_rules

ADMINS = "eeeeeeee-0000-4000-8000-000000000001"
APPROVER_GROUP = "bbbbbbbb-0000-4000-8000-000000000001"
APPROVER_USER = "bbbbbbbb-0000-4000-8000-000000000002"
GA = "62e90394-69f5-4237-9190-012177145e10"


def writes(graph, since: int) -> list:
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


# -- (d) drift that never ends ----------------------------------------------------------------------
def test_approvers_answered_in_another_order_are_not_drift(graph):
    inputs = {
        "graphKind": "entraRoleSettings",
        "roleDefinitionId": GA,
        "rules": build_role_rules(
            require_approval=True, approver_group_ids=[APPROVER_GROUP], approver_user_ids=[APPROVER_USER]
        ),
    }
    host = HostConverted(EntraRoleSettingsProvider(client_factory=graph.client))
    state, _ = up(host, inputs)
    stage = graph.policy(GA)["rules"]["Approval_EndUser_Assignment"]["setting"]["approvalStages"][0]
    stage["primaryApprovers"].reverse()  # Graph keeps no order in a collection
    mark = len(graph.requests)
    assert up(host, inputs, refresh(host, state))[1] == "same"
    assert writes(graph, mark) == []
    stage["primaryApprovers"][0] = {"@odata.type": "#microsoft.graph.singleUser", "userId": ADMINS}  # real drift
    drifted = refresh(host, state)
    assert up(host, inputs, drifted)[1] == "update"
