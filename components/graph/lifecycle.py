"""A Lifecycle Workflows leaver workflow that strips a departing user's access, over Microsoft Graph.

``LeaverWorkflow`` (graphKind ``lifecycleWorkflow``) guarantees a ``leaver`` workflow in
``/v1.0/identityGovernance/lifecycleWorkflows/workflows`` triggered on ``employeeLeaveDateTime``
(+ ``offsetInDays``), scoped by a rule (e.g. ``(department eq 'IT')``), that runs, in order:
"Remove all access package assignments for user" (42ae2956-...), "Remove user from all groups"
(b3a31406-...) and "Disable user account" (1dfdfcc7-...). Basic properties (name, description,
enabled, scheduling) are PATCHed; a change to tasks or conditions creates a new workflow version
(``createNewVersion``), as Graph requires. ``read`` reports live values (tasks in their
``executionSequence``, whatever order Graph lists them in), so edits in the portal show as drift.
Create adopts a workflow of the declared name and category only when it already has the declared
conditions and tasks (what an interrupted ``up`` leaves); any other is refused with an error, never
rewritten. Delete moves the workflow to Graph's deleted items (restorable for 30 days).

Graph permission: ``LifecycleWorkflows.ReadWrite.All`` (or ``LifecycleWorkflows-Workflow.ReadWrite.All``),
role Lifecycle Workflows Administrator for delegated use.
"""

from __future__ import annotations

from typing import Any

import pulumi
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, create_or_adopt, diff, odata_quote, only, output, pick, project
from .client import GraphClient, GraphError

GRAPH_KIND = "lifecycleWorkflow"
WORKFLOWS = "/v1.0/identityGovernance/lifecycleWorkflows/workflows"
LEAVER_TASKS = (
    ("42ae2956-193d-4f39-be06-691b8ac4fa1d", "Remove all access package assignments for user"),
    ("b3a31406-2a15-4c9a-b25b-a658fa5f07fc", "Remove user from all groups"),
    ("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950", "Disable user account"),
)
BASIC_KEYS = ("displayName", "description", "isEnabled", "isSchedulingEnabled")
VERSIONED_KEYS = ("executionConditions", "tasks")
INPUT_KEYS = ("graphKind", "category", *BASIC_KEYS, *VERSIONED_KEYS)


def leaver_tasks() -> list[dict]:
    return [
        {
            "taskDefinitionId": task_id,
            "category": "leaver",
            "displayName": name,
            "description": name,
            "isEnabled": True,
            "continueOnError": False,
            "arguments": [],
        }
        for task_id, name in LEAVER_TASKS
    ]


def conditions(scope_rule: pulumi.Input[str], offset_in_days: int) -> dict:
    return {
        "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
        "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": scope_rule},
        "trigger": {
            "@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
            "timeBasedAttribute": "employeeLeaveDateTime",
            "offsetInDays": offset_in_days,
        },
    }


def validate(props: dict) -> None:
    if props.get("isSchedulingEnabled") is True and props.get("isEnabled") is False:
        raise ValueError(
            "isSchedulingEnabled: cannot be true while isEnabled is false; enable the workflow or turn scheduling off"
        )
    cond = props.get("executionConditions")
    if is_unknown(cond) or not isinstance(cond, dict):
        return
    rule = (cond.get("scope") or {}).get("rule")
    if not is_unknown(rule) and not (isinstance(rule, str) and rule.strip()):
        raise ValueError("executionConditions.scope.rule: is required, e.g. \"(department eq 'IT')\"")
    offset = (cond.get("trigger") or {}).get("offsetInDays")
    if not is_unknown(offset) and not (type(offset) is int and -180 <= offset <= 180):
        raise ValueError(f"executionConditions.trigger.offsetInDays: {offset!r} is out of range; use -180..180")


def _sequence(task: Any) -> tuple[bool, Any]:
    """A live task's place in the run (``executionSequence``); tasks without one come last, as listed."""
    seq = task.get("executionSequence") if isinstance(task, dict) else None
    return (not isinstance(seq, int | float), seq if isinstance(seq, int | float) else 0)


def _body(props: dict) -> dict:
    return pick(props, ("category", *BASIC_KEYS, *VERSIONED_KEYS))


class LeaverWorkflowProvider(GraphProvider):
    """CRUD for ``LeaverWorkflow``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        return check_result(news, [("executionConditions", lambda: validate(news))])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, INPUT_KEYS, ("graphKind", "category"))

    @staticmethod
    def _outs(props: dict, live: dict) -> dict:
        return {
            **{k: props.get(k) for k in INPUT_KEYS},
            "graphKind": GRAPH_KIND,
            "workflowId": live.get("id"),
            "version": live.get("version"),
        }

    def _find(self, client: GraphClient, props: dict) -> dict | None:
        """The leaver workflow of this display name: the declared name is the key, so one declaration
        never yields two workflows (two enabled leaver workflows would both act on every leaver)."""
        found = client.get_all(WORKFLOWS, {"$filter": f"displayName eq {odata_quote(props['displayName'])}"})
        return only([w for w in found if w.get("category") == props["category"]], "this workflow's displayName")

    def _adoptable(self, found: dict, props: dict) -> dict | None:
        """``found`` when it already runs the declared tasks on the declared conditions (so adopting it
        changes nothing about who is stripped of what: an interrupted ``up`` of this declaration left it);
        None while it cannot be read yet; otherwise a clear error. A workflow of that name that does
        something else (another scope, other tasks) is never rewritten silently: narrowing it would leave
        the leavers it covered with their access."""
        current = self._read(found["id"], props)
        if not current.id:
            return None
        outs = current.outs or {}
        differ = [k for k in VERSIONED_KEYS if outs.get(k) != props.get(k)]
        if not differ:
            return found
        raise GraphError(
            409,
            "workflowExists",
            f"a {props['category']} workflow named {props['displayName']!r} already exists ({found['id']}) with "
            f"other {' and '.join(differ)}; rename this one, delete that one, or adopt it with `pulumi import`",
        )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()

        def find() -> dict | None:
            found = self._find(client, props)
            return self._adoptable(found, props) if found else None

        made, adopted = create_or_adopt(client, "the workflow", find, lambda: client.post(WORKFLOWS, _body(props)))
        if adopted:  # bring the adopted workflow to the declaration
            current = self._read(made["id"], props)
            if not current.id:
                raise GraphError(
                    404, "workflowGone", f"workflow {made['id']} vanished while being adopted; run `pulumi up` again"
                )
            result = self._update(made["id"], current.outs or {}, props)
            return CreateResult(made["id"], result.outs)
        try:  # confirm it is readable (Graph replicates with a lag); created either way, so tracked
            live = client.get(f"{WORKFLOWS}/{made['id']}", retry_not_found=True)
        except GraphError as err:
            if err.status != 404:
                raise
            live = made
        return CreateResult(made["id"], self._outs(props, live))

    def _read(self, id_: str, props: dict) -> ReadResult:
        try:
            live = self.client().get(f"{WORKFLOWS}/{id_}", {"$expand": "tasks"})
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})
            raise
        state = {k: live.get(k) for k in ("category", *BASIC_KEYS)}
        state["executionConditions"] = project(live.get("executionConditions"), props.get("executionConditions"))
        declared = props.get("tasks") or []
        tasks = sorted(live.get("tasks") or [], key=_sequence)  # Graph lists them in no particular order
        state["tasks"] = [project(t, d) for t, d in zip(tasks, declared)] if len(tasks) == len(declared) else tasks
        outs = self._outs(state, live)
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client()
        if any(olds.get(k) != news.get(k) for k in VERSIONED_KEYS):
            try:
                live = client.post(
                    f"{WORKFLOWS}/{id_}/microsoft.graph.identityGovernance.createNewVersion", {"workflow": _body(news)}
                )
            except GraphError as err:
                if not err.may_have_applied:
                    raise
                # never version twice blindly: the new version exists when the workflow reads as declared
                current = self._read(id_, news)
                outs = current.outs or {}
                if not current.id or any(outs.get(k) != news.get(k) for k in VERSIONED_KEYS):
                    raise
                live = {"id": id_, "version": outs.get("version")}
        else:
            client.patch(f"{WORKFLOWS}/{id_}", pick(news, BASIC_KEYS))
            live = {"id": id_, "version": olds.get("version")}
        return UpdateResult(self._outs(news, live))

    def _delete(self, id_: str, props: dict) -> None:
        self.client().delete(f"{WORKFLOWS}/{id_}")


class LeaverWorkflow(Resource):
    """A leaver workflow that removes access package assignments and group memberships and disables
    the account on the user's ``employeeLeaveDateTime`` (+ ``offset_in_days``) for users matching
    ``scope_rule``. Scheduling follows ``is_enabled`` unless given. Outputs: ``workflow_id``, ``version``.
    """

    workflow_id = output("workflowId")

    def __init__(
        self,
        name: str,
        display_name: pulumi.Input[str],
        scope_rule: pulumi.Input[str],
        offset_in_days: int = 0,
        description: str | None = None,
        is_enabled: bool = True,
        is_scheduling_enabled: bool | None = None,
        opts: pulumi.ResourceOptions | None = None,
        _provider: LeaverWorkflowProvider | None = None,
    ):
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "category": "leaver",
            "displayName": display_name,
            "description": description or "Removes a leaver's access and disables the account (managed as code)",
            "isEnabled": is_enabled,
            "isSchedulingEnabled": is_enabled if is_scheduling_enabled is None else is_scheduling_enabled,
            "executionConditions": conditions(scope_rule, offset_in_days),
            "tasks": leaver_tasks(),
        }
        try:
            validate(props)
        except ValueError as err:
            raise ValueError(f"LeaverWorkflow {name!r}: {err}") from None
        super().__init__(
            _provider or LeaverWorkflowProvider(), name, {**props, "workflowId": None, "version": None}, opts
        )
