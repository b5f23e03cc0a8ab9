"""The pack served as the Pulumi CLI serves it, fed what the engine sends, gives the verdicts pum gives in-process.

The CLI's shim runs `python -u -m pulumi.policy <engineAddress> <packDir>` with the pack as working directory; the
pack prints its port and serves the Analyzer service over gRPC. Here a do-nothing Engine service on 127.0.0.1 gives
it an address, and one plugin process serves every case, which gets what the engine sends an analyzer: ConfigureStack
(stack, project, organization, tags), Configure (the reconciled pack config), Analyze for every resource (its
inputs) and AnalyzeStack (every resource's outputs, as the engine gives them in a preview: pum.outputs_view). A stack
violation is attributed as the engine attributes it (resolveStackPolicyViolationURN: the resource it names when that
is in the stack, else the root stack); everything else is compared as the plugin answers (policy, URN, level,
severity, message), as a multiset.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent import futures

import grpc
import pytest
from conftest import ROOT
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as ap
from pulumi.runtime.proto import analyzer_pb2_grpc as ag
from pulumi.runtime.proto import engine_pb2_grpc as eg

from pum import analysis, analyzer
from pum.engine import run_preview
from pum.project import load_project, load_stack_config
from pum.runner import run_program

PACK = os.path.join(ROOT, "policies")
PRODUCTION = os.path.join(PACK, "config", "production.json")
FOREIGN = os.path.join(ROOT, "tests", "fixtures", "foreign")
LEVELS = {ap.ADVISORY: "advisory", ap.MANDATORY: "mandatory", ap.REMEDIATE: "remediate", ap.DISABLED: "disabled"}
SEVERITIES = {
    ap.POLICY_SEVERITY_LOW: "low",
    ap.POLICY_SEVERITY_MEDIUM: "medium",
    ap.POLICY_SEVERITY_HIGH: "high",
    ap.POLICY_SEVERITY_CRITICAL: "critical",
}

# (project directory, stack, pack config file, stack tags)
CASES = [
    (ROOT, "example", None, {}),
    (ROOT, "example", PRODUCTION, {}),
    (ROOT, "example", PRODUCTION, {"environment": "production"}),
    (os.path.join(FOREIGN, "p1_eligibility_request"), "dev", None, {}),
    (os.path.join(FOREIGN, "p2_group_policy_permanent"), "dev", None, {}),
    (os.path.join(FOREIGN, "p3_ca_lockout"), "dev", None, {}),
    (os.path.join(FOREIGN, "p4_azure_owner_subscription"), "dev", None, {}),
    (os.path.join(FOREIGN, "p5_options_and_wire"), "dev", None, {"environment": "production"}),
]


@pytest.fixture(scope="module")
def plugin():
    """The pack as a plugin process, with a do-nothing Engine service at its engineAddress (127.0.0.1 only)."""
    engine = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    eg.add_EngineServicer_to_server(eg.EngineServicer(), engine)
    engine_port = engine.add_insecure_port("127.0.0.1:0")
    engine.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.update(PULUMI_DRY_RUN="true", PULUMI_CONFIG="{}")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", f"127.0.0.1:{engine_port}", PACK],
        cwd=PACK,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "the pack printed no port within 30 s"
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline().decode().strip()
        assert line.isdigit(), f"the pack printed {line!r} instead of its port; stderr: {proc.stderr.read1(65536)!r}"
        channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = ag.AnalyzerStub(channel)
        stub.started_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
        yield stub
        channel.close()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # PolicyPack stops its server on KeyboardInterrupt
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        engine.stop(0)


def _configure_request(config: dict[str, dict]) -> ap.ConfigureAnalyzerRequest:
    """The engine's analyzer Configure: every entry carries a valid level; properties default to {}."""
    names = {v: k for k, v in LEVELS.items()}
    request = ap.ConfigureAnalyzerRequest()
    for name, value in config.items():
        assert value["enforcementLevel"] in names, f"the CLI refuses Configure: invalid level for {name!r}"
        entry = request.policyConfig[name]
        entry.enforcementLevel = names[value["enforcementLevel"]]
        entry.properties.update(value["properties"] or {})
    return request


def _record(cwd: str, stack: str):
    project = load_project(cwd)
    config = load_stack_config(project, stack)
    run = run_program(
        project.main,
        project=project.name,
        stack=stack,
        config=config.values,
        secret_keys=config.secret_keys,
        program_dir=project.directory,
    )
    return project.name, run.monitor


def _plugin_verdicts(plugin, registrations, outputs=None, deployed=None) -> Counter:
    """What the served pack answers for these registrations, as the engine asks: Analyze per resource (its inputs),
    AnalyzeStack once (the outputs, or the deployed state), stack violations attributed as the engine does."""
    resources, stack_request = analysis.Requests().stack(registrations, outputs, deployed)
    got: Counter = Counter()
    for r in resources:
        request = ap.AnalyzeRequest(
            type=r.type,
            properties=r.properties,
            urn=r.urn,
            name=r.name,
            options=r.options,
            provider=r.provider if r.HasField("provider") else None,
        )
        for d in plugin.Analyze(request, timeout=60).diagnostics:
            got[_key(d.policyName, r.urn, LEVELS[d.enforcementLevel], SEVERITIES.get(d.severity), d.message)] += 1
    in_stack = {r.urn for r in stack_request.resources}
    root = next(r.urn for r in stack_request.resources if r.type == "pulumi:pulumi:Stack")
    for d in plugin.AnalyzeStack(stack_request, timeout=60).diagnostics:
        urn = d.urn if d.urn in in_stack else root  # the engine's resolveStackPolicyViolationURN
        got[_key(d.policyName, urn, LEVELS[d.enforcementLevel], SEVERITIES.get(d.severity), d.message)] += 1
    return got


def _key(policy, urn, level, severity, message):
    return (policy, urn or None, level, severity, message)


def test_analyzer_info_matches_pum(plugin):
    info = plugin.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    pack = analyzer.load_pack(PACK)
    assert info.name == pack.name and info.supportsConfig
    assert [p.name for p in info.policies] == [p.name for p in pack.policies]
    for wire, meta in zip(info.policies, pack.policies, strict=True):
        schema = (
            {
                "properties": json_format.MessageToDict(wire.configSchema.properties),
                "required": list(wire.configSchema.required),
            }
            if wire.HasField("configSchema")
            else None
        )
        assert (LEVELS[wire.enforcementLevel], SEVERITIES.get(wire.severity), schema) == (
            meta.enforcement_level,
            meta.severity,
            meta.config_schema,
        ), wire.name
    assert plugin.started_seconds < 30


@pytest.mark.parametrize(
    "cwd,stack,config_file,tags",
    CASES,
    ids=[f"{os.path.basename(c[0]) or 'example'}-{os.path.basename(c[2] or 'defaults')}-{c[3]}" for c in CASES],
)
def test_plugin_reports_what_pum_reports_under_the_engines_view(plugin, cwd, stack, config_file, tags):
    configs = [config_file] if config_file else []
    report = run_preview(
        cwd, stack=stack, policy_packs=[PACK], policy_pack_configs=configs, stack_tags=tags, stack_view="outputs"
    )
    expected = Counter(_key(v.policy, v.urn, v.enforcement_level, v.severity, v.message) for v in report.violations)

    project, monitor = _record(cwd, stack)
    pack = analyzer.load_pack(PACK)
    files = [(config_file, analyzer.parse_pack_config_file(config_file))] if config_file else []
    plugin.ConfigureStack(
        ap.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization="organization", dry_run=True, tags=tags
        ),
        timeout=30,
    )
    plugin.Configure(_configure_request(analyzer.reconcile_config(pack, files)), timeout=30)
    got = _plugin_verdicts(plugin, monitor.registrations, monitor.outputs)
    assert got == expected, {
        "only_plugin": list((got - expected).elements()),
        "only_pum": list((expected - got).elements()),
    }


def test_plugin_reports_what_pum_audit_reports_on_a_tenant(plugin, tmp_path):
    """`pum audit`'s view of a tenant (its resources registered as a deployed stack: every property known, a
    ConfigureStack that is no preview) gives the served pack's verdicts too."""
    from standin_tenant import SUBSCRIPTION, TenantStandIn

    from components.graph.client import GraphClient
    from pum.audit import audit_report, registrations
    from tenant.audit import resources
    from tenant.export import export

    standin = TenantStandIn().start()
    try:
        clients = {"token": lambda: standin.token, "base_url": standin.url, "sleep": lambda _: None}
        export(
            str(tmp_path / "e"),
            [f"/subscriptions/{SUBSCRIPTION}"],
            graph=GraphClient(**clients),
            arm=GraphClient.for_arm(**clients),
        )
    finally:
        standin.stop()
    found = resources(str(tmp_path / "e"))
    pack = analyzer.load_pack(PACK)
    analyzer.configure(pack, analyzer.reconcile_config(pack, []))
    report = audit_report("privileged-access", "tenant", found, [pack], "test")
    expected = Counter(_key(v.policy, v.urn, v.enforcement_level, v.severity, v.message) for v in report.violations)
    assert expected and all(v.policy != "export-complete" for v in report.violations)

    registered = registrations("privileged-access", "tenant", found, "test")
    plugin.ConfigureStack(
        ap.AnalyzerStackConfigureRequest(
            stack="tenant", project="privileged-access", organization="organization", dry_run=False, tags={}
        ),
        timeout=30,
    )
    plugin.Configure(_configure_request(analyzer.reconcile_config(pack, [])), timeout=30)
    got = _plugin_verdicts(plugin, registered, deployed=lambda token, name: {})
    assert got == expected, {
        "only_plugin": list((got - expected).elements()),
        "only_pum": list((expected - got).elements()),
    }
