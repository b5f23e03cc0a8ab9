import os
import sys

import pytest
from hypothesis import settings as _hypothesis_settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "policies")
# Tests import the pack's modules by the names the pack itself uses (`rules`, `privileged_facts`), never as
# `policies.rules`: one module, one name (tests/test_imports.py).
for _path in (PACK, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from graph_standin import graph, other_origin  # noqa: E402, F401  (the Graph stand-in fixtures, for every test)

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLE_PACK = os.path.join(FIXTURES, "packs", "sample")
PLAIN_PROGRAM = os.path.join(FIXTURES, "programs", "plain")


SUBSCRIPTION = "00000000-0000-4000-8000-0000000000b2"  # what the recording mocks' getClientConfig answers


class RecordingMocks:
    """Mocks for component tests (a deployment, not a preview): records every registration and invoke, and answers
    with outputs a test can predict: ID `<name>-id` (ARM ID `/subscriptions/<sub>/<name>` for azure-native), object
    ID `<name>-id`, a random password's result `not-a-real-password`, and `computed[graphKind]` for Graph resources.
    """

    def __init__(self, computed=None):
        self.computed = computed or {}
        self.registered = []  # MockResourceArgs, in registration order
        self.inputs: dict[str, dict] = {}  # resource name -> inputs (wire names)
        self.types: dict[str, str] = {}  # resource name -> type token
        self.calls: list[tuple[str, dict]] = []  # (invoke token, args)

    def new_resource(self, args):
        self.registered.append(args)
        self.inputs[args.name], self.types[args.name] = dict(args.inputs), args.typ
        state = {**args.inputs, "objectId": f"{args.name}-id", **self.computed.get(args.inputs.get("graphKind"), {})}
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = "not-a-real-password"
        arm = args.typ.startswith("azure-native:")
        return (f"/subscriptions/{SUBSCRIPTION}/{args.name}" if arm else f"{args.name}-id"), state

    def call(self, args):
        self.calls.append((args.token, dict(args.args)))
        if args.token == "azuread:index/getUser:getUser":
            upn = args.args["userPrincipalName"]
            return {"objectId": f"{upn}-id", "userPrincipalName": upn}
        if args.token == "azure-native:authorization:getClientConfig":
            return {"subscriptionId": SUBSCRIPTION, "tenantId": "t", "clientId": "c", "objectId": "o"}
        if args.token == "azure-native:desktopvirtualization:getHostPoolRegistrationToken":
            return {"token": "registration-token", "expirationTime": "2099-01-01T00:00:00Z"}
        return {}

    def children(self, prefix: str) -> dict[str, str]:
        """Name -> type of every resource whose name starts with `prefix` (a component's children)."""
        return {name: typ for name, typ in self.types.items() if name.startswith(prefix)}


def recording_mocks(computed=None) -> RecordingMocks:
    """Install fresh RecordingMocks for a component test (project `test`, stack `dev`) and return them."""
    import pulumi

    class Installed(RecordingMocks, pulumi.runtime.Mocks):
        pass

    recorder = Installed(computed)
    pulumi.runtime.set_mocks(recorder, project="test", stack="dev", preview=False)
    return recorder


@pytest.fixture
def mocks() -> RecordingMocks:
    return recording_mocks()


def preview_with_pack(program, tmp_path=None, pack_config=None, **kwargs):
    """Preview `program` (a callable or a project directory; `kwargs` go to run_preview) with this project's pack
    and, when given, `pack_config` written to `tmp_path` as its --policy-pack-config file."""
    import json

    from pum.engine import run_preview

    configs = []
    if pack_config:
        path = tmp_path / "pack-config.json"
        path.write_text(json.dumps(pack_config))
        configs = [str(path)]
    return run_preview(program, policy_pack_configs=configs, **kwargs)


def recorded_registrations(monkeypatch, program, **kwargs):
    """The registrations a preview of `program` handed its analysis, and that preview's report."""
    from pum import engine

    captured = []
    analyze = engine.analyze

    def capturing(packs, registrations, **kwargs):
        captured.extend(registrations)
        return analyze(packs, registrations, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "analyze", capturing)
        report = engine.run_preview(program, **kwargs)
    return captured, report


def mandatory_violations(report, policy):
    """The violations of `policy`, asserting none was downgraded (e.g. by reading an unknown)."""
    found = report.by_policy(policy)
    assert all(v.enforcement_level == "mandatory" for v in found), found
    return found


# In CI the generated cases are the same every run (a failure there must be reproducible, never a
# coin toss); locally they vary, and PUM_FUZZ_EXAMPLES raises the count for a deeper search.
_hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
