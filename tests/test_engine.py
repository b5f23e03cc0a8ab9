"""The offline engine against references: the SDK's own mock monitor and direct policy calls."""

import gc
import json
import os

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import FIXTURES, PLAIN_PROGRAM, ROOT, SAMPLE_PACK, recorded_registrations
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.policy import PolicyResourceOptions, ResourceValidationPolicy
from pulumi_policy.proxy import unknown_checking_proxy

from pum import analyzer
from pum.engine import UNKNOWN, run_preview
from pum.errors import ProgramError, UsageError
from pum.wire import UNKNOWN_WIRE

GA = "62e90394-69f5-4237-9190-012177145e10"


def governed_program():
    group = azuread.Group("tier0", display_name="Tier 0", security_enabled=True, assignable_to_role=True)
    azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=group.object_id)
    azuread.DirectoryRoleAssignment(
        "reader",
        role_id="88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        principal_object_id="11111111-1111-4111-8111-111111111111",
    )


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return "", dict(args.inputs)

    def call(self, args):
        return {}


def test_recorded_resources_match_what_the_sdk_registers():
    report = run_preview(governed_program, policy_packs=[])
    reference = pulumi.runtime.mocks.MockMonitor(_Mocks())
    pulumi.runtime.set_mocks(_Mocks(), project="test", stack="dev", preview=True, monitor=reference)

    @pulumi.runtime.test
    def register():
        governed_program()
        return pulumi.Output.from_input(1)

    register()
    expected = {urn: reg.state for urn, reg in reference.get_registered_resources().items()}
    recorded = {r.urn: r for r in report.resources if r.type != "pulumi:pulumi:Stack"}
    assert set(recorded) == set(expected)
    for urn, state in expected.items():
        as_recorded = {k: UNKNOWN if isinstance(v, pulumi.output.Unknown) else v for k, v in state.items()}
        assert recorded[urn].inputs == as_recorded
    assignment = next(r for r in report.resources if r.name == "ga")
    assert assignment.inputs["principalObjectId"] is UNKNOWN
    assert assignment.property_dependencies["principalObjectId"] == [
        next(r.urn for r in report.resources if r.name == "tier0")
    ]


def test_policy_results_match_calling_the_policies_directly():
    report = run_preview(governed_program, policy_packs=[SAMPLE_PACK])
    pack = analyzer.load_pack(SAMPLE_PACK)
    policy = next(p for p in pack.servicer._PolicyAnalyzerServicer__policies if p.name == "no-forbidden-role")
    assert isinstance(policy, ResourceValidationPolicy)
    direct = []
    for resource in report.resources:
        props = {k: (UNKNOWN_WIRE if v is UNKNOWN else v) for k, v in resource.inputs.items()}
        args = ResourceValidationArgs(
            resource.type,
            unknown_checking_proxy(props),
            resource.urn,
            resource.name,
            PolicyResourceOptions(False, [], None, [], None, []),
            None,
            {"forbiddenRoles": [GA]},
        )
        messages: list[str] = []
        try:
            policy.validate(args, lambda message, urn=None, found=messages: found.append(message))
        except Exception:  # the unknown read after the verdict, as in the servicer
            pass
        direct += [(resource.urn, m) for m in messages]
    engine = [
        (v.urn, v.message.split("\n", 1)[1])
        for v in report.by_policy("no-forbidden-role")
        if v.enforcement_level == "mandatory"
    ]
    assert engine == direct and len(direct) == 1


def test_a_mandatory_violation_stays_mandatory_when_the_principal_id_is_unknown():
    report = run_preview(governed_program, policy_packs=[SAMPLE_PACK])
    forbidden = report.by_policy("no-forbidden-role")
    assert [v.enforcement_level for v in forbidden if "forbidden role" in v.message] == ["mandatory"]
    # a policy that reads the unknown before deciding is downgraded, exactly as by the real engine
    levels = {report.resource(v.urn).name: v.enforcement_level for v in report.by_policy("unknown-first")}
    assert levels == {"ga": "advisory", "reader": "mandatory"}
    downgraded = [v for v in report.by_policy("unknown-first") if v.enforcement_level == "advisory"]
    assert "can't be known during preview" in downgraded[0].message


def test_stack_policies_resolve_relations_through_property_dependencies():
    report = run_preview(governed_program, policy_packs=[SAMPLE_PACK])
    linked = report.by_policy("group-role-link")
    assert [report.resource(v.urn).name for v in linked] == ["ga"]


def test_pack_config_defaults_file_and_all(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"no-forbidden-role": {"forbiddenRoles": []}, "all": "advisory"}))
    report = run_preview(governed_program, policy_packs=[SAMPLE_PACK], policy_pack_configs=[str(config)])
    assert not report.mandatory
    assert not [v for v in report.by_policy("no-forbidden-role") if "forbidden role" in v.message]
    config.write_text(json.dumps({"no-forbidden-role": {"forbiddenRoles": ["88d8e3e3-8f55-4a1e-953a-9b9898b8876b"]}}))
    report = run_preview(governed_program, policy_packs=[SAMPLE_PACK], policy_pack_configs=[str(config)])
    assert [report.resource(v.urn).name for v in report.mandatory if "forbidden" in v.message] == ["reader"]


@pytest.mark.parametrize(
    "content, fragment",
    [
        ('{"no-forbidden-role": {"forbiddenRoles": "not-a-list"}}', "no-forbidden-role.forbiddenRoles"),
        ('{"no-forbidden-role": "strict"}', "'strict' is not a valid enforcement level"),
        ('{"no-forbidden-role": ', "invalid JSON"),
        ("[1, 2]", "JSON object keyed by policy name"),
    ],
)
def test_bad_pack_config_is_a_usage_error_naming_the_file(tmp_path, content, fragment):
    config = tmp_path / "pack.json"
    config.write_text(content)
    with pytest.raises(UsageError) as error:
        run_preview(governed_program, policy_packs=[SAMPLE_PACK], policy_pack_configs=[str(config)])
    assert str(config) in str(error.value) and fragment in str(error.value)


def test_duplicate_urns_are_an_error_as_in_the_engine():
    def program():
        azuread.Group("same", display_name="a", security_enabled=True)
        azuread.Group("same", display_name="b", security_enabled=True)

    with pytest.raises(ProgramError, match="Duplicate resource URN"):
        run_preview(program, policy_packs=[])


def test_program_failure_names_file_and_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nraise ValueError('boom')\n")
    with pytest.raises(ProgramError) as error:
        run_preview(str(tmp_path), policy_packs=[])
    assert str(error.value) == "__main__.py:3: ValueError: boom"
    assert "Traceback" in error.value.detail


def test_each_run_is_isolated():
    first = run_preview(governed_program, policy_packs=[])
    second = run_preview(lambda: azuread.Group("only", display_name="x", security_enabled=True), policy_packs=[])
    assert len(first.resources) == 4 and [r.name for r in second.resources][1:] == ["only"]


def test_a_program_that_returns_an_awaitable_is_awaited_as_run_in_stack_awaits_it():
    async def program():
        group = azuread.Group("first", display_name="first", security_enabled=True)
        name = await group.display_name.future()
        azuread.Group("second", display_name=f"after-{name}", security_enabled=True)

    report = run_preview(program, policy_packs=[])
    assert [(r.name, r.inputs["displayName"]) for r in report.resources[1:]] == [
        ("first", "first"),
        ("second", "after-first"),
    ]


def test_the_sdk_waits_on_the_programs_registrations_before_its_outstanding_outputs(monkeypatch):
    seen = []
    wait_for_rpcs = pulumi.runtime.stack.wait_for_rpcs

    async def counting(*args, **kwargs):
        seen.append(len(pulumi.runtime.settings._get_rpc_manager().rpcs))
        return await wait_for_rpcs(*args, **kwargs)

    monkeypatch.setattr(pulumi.runtime.stack, "wait_for_rpcs", counting)
    report = run_preview(
        lambda: [azuread.Group(f"g{i}", display_name=f"g{i}", security_enabled=True) for i in range(20)],
        policy_packs=[],
    )
    assert len(report.resources) == 21
    # The stack and its 20 groups: found empty, the SDK would wait on every output of every group instead.
    assert seen and seen[0] >= 21


def test_a_failed_run_leaves_nothing_behind_for_the_next(caplog):
    def failing():  # fails while registrations are still in flight
        for i in range(30):
            group = azuread.Group(f"g{i}", display_name=f"g{i}", security_enabled=True)
            azuread.GroupMember(f"m{i}", group_object_id=group.object_id, member_object_id=group.object_id)
        group.display_name.apply(lambda name: 1 / 0)

    outstanding = []

    def watched():
        outstanding.append(pulumi.runtime.settings.SETTINGS.outputs)
        azuread.Group("after", display_name="after", security_enabled=True)

    for _ in range(3):
        with pytest.raises(ProgramError, match="ZeroDivisionError"):
            run_preview(failing, policy_packs=[])
        assert [r.name for r in run_preview(watched, policy_packs=[]).resources][1:] == ["after"]
    gc.collect()  # an in-flight registration that failed after the run would be logged now
    assert len({id(s) for s in outstanding}) == 3  # each run waits on outputs of its own
    assert not [r for r in caplog.records if r.name == "asyncio"], caplog.text


def test_previews_a_project_that_is_not_this_one_with_its_stack_file():
    report = run_preview(PLAIN_PROGRAM, stack="dev", policy_packs=[SAMPLE_PACK])
    group = next(r for r in report.resources if r.name == "tier0")
    assert group.inputs["displayName"] == "Tier Zero Admins"
    assert report.outputs["apiKey"] == ("secret", None)
    assert report.project == "plain-program" and report.exit_code == 1


def test_invokes_are_answered_realistically():
    seen = {}

    def program():
        config = azuread.get_client_config()
        seen["tenant"] = config.tenant_id

    report = run_preview(program, policy_packs=[])
    assert len(seen["tenant"]) == 36 and not [d for d in report.diagnostics if "no offline answer" in d[1]]


def test_a_secret_input_that_is_unknown_at_preview_stays_unknown_and_secret():
    def program():
        group = azuread.Group("g", display_name="g", security_enabled=True)
        azuread.Group("h", display_name="h", security_enabled=True, description=pulumi.Output.secret(group.object_id))
        azuread.Group("k", display_name="k", security_enabled=True, description=pulumi.Output.secret("known"))

    report = run_preview(program, policy_packs=[])
    inputs = {r.name: r.inputs for r in report.resources}
    assert inputs["h"]["description"] == "[secret]" and inputs["k"]["description"] == "[secret]"


def test_a_policy_that_raises_is_a_clear_error_naming_pack_and_policy():
    from conftest import FIXTURES

    from pum.analysis import PolicyError

    with pytest.raises(PolicyError) as error:
        run_preview(governed_program, policy_packs=[os.path.join(FIXTURES, "packs", "raising")])
    assert "policy pack raising" in str(error.value) and "KeyError" in str(error.value)
    assert error.value.exit_code == 2


def test_full_collections_are_suspended_while_a_preview_runs_and_restored_after():
    import gc

    before = gc.get_threshold()
    during = []

    def program():
        during.append(gc.get_threshold())
        azuread.Group("g", display_name="g", security_enabled=True)

    run_preview(program, policy_packs=[])
    assert during[0][:2] == before[:2] and during[0][2] > 10**6
    assert gc.get_threshold() == before
    with pytest.raises(ProgramError):
        run_preview(lambda: 1 / 0, policy_packs=[])
    assert gc.get_threshold() == before


def test_converting_each_message_once_gives_the_servicer_what_json_format_gives():
    from google.protobuf import json_format

    from pum.analysis import ConvertOnce

    facade = ConvertOnce()
    message = analyzer.to_struct({"a": 1, "b": {"c": ["x", True, None]}})
    converted = facade.MessageToDict(message)
    assert converted == json_format.MessageToDict(message)
    assert facade.MessageToDict(message) is converted
    assert facade.MessageToDict(analyzer.to_struct({"a": 2})) == {"a": 2.0}
    assert facade.MessageToDict(message, preserving_proto_field_name=True) == converted
    assert facade.Parse is json_format.Parse


def test_a_dict_deserialised_once_still_gives_each_policy_containers_of_its_own():
    import pulumi_policy.policy as policy_module

    from pum.analysis import each_message_converted_once

    wire = {
        "a": {"b": ["x", {"c": 1}]},
        "s": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "secret"},
    }
    with each_message_converted_once():
        deserialize = policy_module.deserialize_properties
        assert deserialize(wire) is deserialize(wire)  # memoised: the servicer deserialises each dict once
        assert deserialize(wire, True) is not deserialize(wire, True)  # remediation's secret proxies are not
        first = unknown_checking_proxy(deserialize(wire))
        first["a"]["__target"]["b"].__getitem__("__target").append("written by one policy")
        first["__target"]["s"] = "overwritten"
        second = unknown_checking_proxy(deserialize(wire))
    assert list(second["a"]["b"])[0] == "x" and len(second["a"]["b"]) == 2 and second["s"] == "secret"
    assert policy_module.deserialize_properties.__module__ == "pulumi_policy.deserialize"  # restored


def test_the_example_stack_gets_the_same_verdicts_with_one_conversion_per_message(monkeypatch):
    import contextlib

    import pulumi_policy.policy as policy_module
    import yaml

    from pum import analysis

    # the example enforces its CA baseline and previews clean: run it report-only, so there are verdicts to compare
    with open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml"), encoding="utf-8") as handle:
        config = yaml.safe_load(handle)["config"]
    config["privileged-access:conditionalAccess"]["enforce"] = False
    original = policy_module.json_format
    once = run_preview(ROOT, stack="example", config=config)
    assert policy_module.json_format is original
    monkeypatch.setattr(analysis, "each_message_converted_once", contextlib.nullcontext)
    every_time = run_preview(ROOT, stack="example", config=config)

    def verdicts(report):  # registration order, and so violation order, varies from run to run
        return sorted((v.policy, v.urn, v.enforcement_level, v.message) for v in report.violations)

    assert verdicts(once) == verdicts(every_time) and len(once.violations) > 0


def test_violations_come_in_the_same_order_whatever_order_resources_register_in():
    def program(names):
        def declare():
            for name in names:
                azuread.DirectoryRoleEligibilityScheduleRequest(  # always permanent: two policies reject it
                    name,
                    role_definition_id=GA,
                    principal_id="11111111-1111-4111-8111-111111111111",
                    directory_scope_id="/",
                    justification="jit",
                )

        return declare

    forwards = run_preview(program(["alpha", "bravo", "charlie"]))
    backwards = run_preview(program(["charlie", "bravo", "alpha"]))
    assert [r.name for r in forwards.resources][1:] != [r.name for r in backwards.resources][1:]
    order = [(v.policy, v.urn, v.message) for v in forwards.violations]
    assert order == [(v.policy, v.urn, v.message) for v in backwards.violations]
    declared = [p.name for p in forwards.policies["privileged-access"]]
    positions = [(declared.index(policy), urn) for policy, urn, _ in order]
    assert positions == sorted(positions) and len({policy for policy, _, _ in order}) >= 2


def test_analyzers_get_resource_references_as_ids_and_other_inputs_as_recorded(monkeypatch):
    from google.protobuf import json_format

    from pum import analyzer
    from pum.analysis import Requests, _analyzer_properties
    from pum.wire import engine_value

    def program():
        group = azuread.Group("pim", display_name="pim", security_enabled=True, description="x" * 40)
        pulumi.CustomResource("test:index:Holder", "holder", {"ref": group, "name": "holder"})

    captured, _ = recorded_registrations(monkeypatch, program)
    by_name = {r.name: r for r in captured}
    assert _analyzer_properties(by_name["pim"].wire) == by_name["pim"].properties  # nothing to translate
    holder = json_format.MessageToDict(Requests()(by_name["holder"]).properties)
    assert holder == {"ref": UNKNOWN_WIRE, "name": "holder"}  # the group's ID, unknown at preview
    for registration in captured:
        assert _analyzer_properties(registration.wire) == analyzer.to_struct(engine_value(registration.wire))


def test_analyzers_get_the_resource_options_the_engine_gives_them(monkeypatch):
    from pum import engine
    from pum.analysis import Requests

    def program():
        azuread.Group("plain", display_name="plain", security_enabled=True)
        azuread.Group(
            "tuned",
            display_name="tuned",
            security_enabled=True,
            opts=pulumi.ResourceOptions(
                protect=True,
                ignore_changes=["display_name"],
                delete_before_replace=False,
                additional_secret_outputs=["description"],
                custom_timeouts=pulumi.CustomTimeouts(create="1h30m", update="90s", delete="1.5m"),
            ),
        )

    captured, _ = recorded_registrations(monkeypatch, program)
    servicer = engine._load_packs([os.path.join(ROOT, "policies")], [])[0].servicer
    options = {r.name: vars(servicer._get_resource_options(Requests()(r))) for r in captured if r.custom}
    tuned = options["tuned"]
    assert (
        tuned["protect"],
        list(tuned["ignore_changes"]),
        tuned["delete_before_replace"],
        list(tuned["additional_secret_outputs"]),
    ) == (True, ["displayName"], False, ["description"])
    assert vars(tuned["custom_timeouts"]) == {"create_seconds": 5400.0, "update_seconds": 90.0, "delete_seconds": 90.0}
    plain = options["plain"]
    assert (plain["protect"], list(plain["ignore_changes"]), plain["delete_before_replace"]) == (False, [], None)
    assert vars(plain["custom_timeouts"]) == {"create_seconds": 0.0, "update_seconds": 0.0, "delete_seconds": 0.0}


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("", 0.0),
        ("0", 0.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("300ms", 0.3),
        ("2h45m30.5s", 9930.5),
        ("-1m", -60.0),
        (".5s", 0.5),
        ("1.s", 1.0),
    ],
)
def test_custom_timeouts_are_read_as_go_durations(text, seconds):
    from pum.recorder import timeout_seconds

    assert timeout_seconds(text) == pytest.approx(seconds)


def test_a_custom_timeout_the_engine_cannot_parse_fails_the_program_naming_it(caplog):
    def program():
        azuread.Group(
            "slow",
            display_name="slow",
            security_enabled=True,
            opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="5 minutes")),
        )

    with pytest.raises(ProgramError) as failed:
        run_preview(program, policy_packs=[])
    assert failed.value.exit_code == 3
    assert "resource 'slow' (azuread:index/group:Group): unable to parse customTimeout Value 5 minutes" in str(
        failed.value
    )
    del failed  # its traceback holds the failed run's frames
    run_preview(lambda: None, policy_packs=[])  # the next run replaces the failed one's runtime state
    gc.collect()  # the failed registration's futures go now: the failure was reported once, not again as a traceback
    assert not [r for r in caplog.records if r.name == "asyncio"], caplog.text


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789.+-hmsuµnx ", max_size=12)
    | st.lists(
        st.tuples(st.integers(0, 999), st.sampled_from(["h", "m", "s", "ms", "us", "µs", "ns"])), min_size=1, max_size=4
    ).map(lambda parts: "".join(f"{n}{u}" for n, u in parts))
)
def test_any_custom_timeout_text_is_read_or_refused_in_the_engines_words(text):
    from pum.recorder import timeout_seconds

    try:
        seconds = timeout_seconds(text)
    except ValueError as exc:
        assert str(exc) == f"unable to parse customTimeout Value {text}"
    else:
        assert isinstance(seconds, float)
        if text and text[0].isdigit() and all(c.isdigit() or c in "hmsuµn" for c in text):
            assert seconds >= 0


class _EchoProvider(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        return pulumi.dynamic.CreateResult("echo", props)


class _Echo(pulumi.dynamic.Resource):
    def __init__(self, name, props):
        super().__init__(_EchoProvider(), name, props)


def _inspected(report, policy):
    return {v.urn.rsplit("::", 1)[1]: json.loads(v.message.split("\n", 1)[1]) for v in report.by_policy(policy)}


def test_analyzers_get_what_the_engine_marshals_for_them(monkeypatch):
    """The engine's analyzer plugin marshals properties with SkipInternalKeys (a dynamic resource's __provider
    never reaches a policy; nested '__' keys do) and leaves properties without dependencies out of AnalyzeStack's
    propertyDependencies, where the SDK registers every input with its (maybe empty) list."""

    def program():
        group = azuread.Group("pim", display_name="pim", security_enabled=True)
        _Echo(
            "echo",
            {"groupId": group.object_id, "note": "plain", "nested": {"__kept": "nested internal keys reach policies"}},
        )

    registrations, report = recorded_registrations(
        monkeypatch, program, policy_packs=[os.path.join(FIXTURES, "packs", "inspecting")], stack_view="inputs"
    )
    echo = next(r for r in registrations if r.name == "echo")
    assert "__provider" in echo.properties.fields and set(echo.property_dependencies["note"]) == set()
    assert _inspected(report, "input-keys")["echo"] == ["groupId", "nested", "note"]
    seen = _inspected(report, "stack-view")
    assert seen["echo"] == {"props": ["groupId", "nested", "note"], "property_dependencies": {"groupId": ["pim"]}}
    assert seen["pim"] == {"props": ["displayName", "securityEnabled"], "property_dependencies": {}}


def test_the_report_keeps_what_the_program_logs_at_info_and_above():
    def program():
        azuread.Group("logged", display_name="logged", security_enabled=True)
        pulumi.log.debug("a debug line")
        pulumi.log.info("an info line")
        pulumi.log.warn("a warning line")
        pulumi.log.error("an error line")

    report = run_preview(program, policy_packs=[])
    assert report.diagnostics == [("info", "an info line"), ("warning", "a warning line"), ("error", "an error line")]


def test_a_provider_the_program_registers_is_analysed_like_any_resource(monkeypatch):
    """The engine's step generator analyses every registration, providers included (its lifecycle tests see
    Analyze called for the default provider), and AnalyzeStack gets every resource."""

    def program():
        explicit = azuread.Provider("explicit", tenant_id="00000000-0000-4000-8000-0000000000a1")
        azuread.Group(
            "governed", display_name="governed", security_enabled=True, opts=pulumi.ResourceOptions(provider=explicit)
        )

    report = run_preview(program, policy_packs=[os.path.join(FIXTURES, "packs", "inspecting")])
    assert "tenantId" in _inspected(report, "input-keys")["explicit"]
    assert {"explicit", "governed"} <= set(_inspected(report, "stack-view"))


def test_a_resource_without_a_provider_gets_its_package_default_provider_as_in_the_engine(monkeypatch):
    """The engine registers `pulumi:providers:<package>` named for the version the SDK asks for, with the package's
    stack config (secure values as secrets) and the version as inputs; it is analysed like any resource and is the
    provider every resource without one is analysed with. It is the engine's, not the program's: no report lists it."""
    from pulumi_azuread import _utilities

    def program():
        azuread.get_client_config()  # an invoke needs the default provider too; it is registered once
        azuread.Group("plain", display_name="plain", security_enabled=True)
        explicit = azuread.Provider("explicit", tenant_id="00000000-0000-4000-8000-0000000000a1")
        azuread.Group(
            "governed", display_name="governed", security_enabled=True, opts=pulumi.ResourceOptions(provider=explicit)
        )

    config = {
        "azuread:tenantId": "00000000-0000-4000-8000-0000000000a1",
        "azuread:clientSecret": {"secure": "x"},
        "other:setting": "not azuread's",
    }
    report = run_preview(program, config=config, policy_packs=[os.path.join(FIXTURES, "packs", "inspecting")])
    version = _utilities.get_version()
    default = "default_" + version.replace(".", "_")
    assert _inspected(report, "input-keys")[default] == ["clientSecret", "tenantId", "version"]
    providers = _inspected(report, "provider-view")
    assert providers["plain"] == {
        "type": "pulumi:providers:azuread",
        "name": default,
        "props": ["clientSecret", "tenantId", "version"],
    }
    assert providers["governed"]["name"] == "explicit" and providers[default] is None
    assert default in _inspected(report, "stack-view")
    assert [r.name for r in report.resources if r.type.startswith("pulumi:providers:")] == ["explicit"]


@pytest.mark.parametrize(
    "version, url, name",
    [
        ("6.7.0", "", "default_6_7_0"),
        ("v1.2.3-alpha.1+build.5", "", "default_1_2_3_alpha_1_build_5"),
        ("", "", "default"),
        ("2.0.0", "https://example.com/plugins", "default_2_0_0_https_/example.com/plugins"),
    ],
)
def test_default_provider_names_follow_the_engine(version, url, name):
    from pum.default_providers import default_name

    assert default_name(version, url) == name


def test_user_assigned_identities_answer_as_the_provider_does():
    """azure-native takes `identity.userAssignedIdentities` as a list of IDs and answers a map (the SDK's output type):
    the preview keeps the list in the inputs and gives the program the map, instead of failing the SDK's own output
    translation with a traceback."""
    from pulumi_azure_native import logic, managedidentity

    seen = []

    def program():
        uai = managedidentity.UserAssignedIdentity("uai", resource_group_name="rg")
        literal = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a"
        for name, ids in (("flows", [uai.id]), ("literal", [literal])):
            workflow = logic.Workflow(
                name, resource_group_name="rg", identity={"type": "UserAssigned", "user_assigned_identities": ids}
            )
            workflow.identity.apply(lambda i, name=name: seen.append((name, i and i.user_assigned_identities)))

    report = run_preview(program, policy_packs=[])
    by_name = {r.name: r for r in report.resources}
    assert by_name["flows"].inputs["identity"]["userAssignedIdentities"] == [UNKNOWN]
    assert by_name["literal"].inputs["identity"]["userAssignedIdentities"][0].endswith("/userAssignedIdentities/a")
    assert dict(seen)["literal"] is not None and list(dict(seen)["literal"]) == [
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a"
    ]
