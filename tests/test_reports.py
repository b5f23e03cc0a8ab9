"""Issue 19, item 2: reports people can read and diff. One run writes every format (`--report FORMAT=PATH`), on
every outcome, and says what happened."""

import json
import os
import subprocess
import sys

import pytest
from clihelp import plain_project, preview, run_cli
from conftest import ROOT

from pum.engine import run_preview
from pum.report import text as text_report
from pum.report.common import Context, description_and_detail, pum_version
from pum.report.text import cells

FORMATS = ("text", "json", "markdown", "sarif")
GA_PROGRAM = """import pulumi_azuread as azuread
azuread.DirectoryRoleAssignment("ga", role_id="62e90394-69f5-4237-9190-012177145e10", principal_object_id="x")
"""


def _report_flags(directory):
    paths = {fmt: os.path.join(directory, f"report.{fmt}") for fmt in FORMATS}
    flags = [arg for fmt, path in paths.items() for arg in ("--report", f"{fmt}={path}")]
    return paths, flags


def _read(paths):
    return {fmt: open(path, encoding="utf-8").read() for fmt, path in paths.items()}


def _stale(paths):
    for path in paths.values():
        with open(path, "w") as handle:
            handle.write("an earlier run's report")


def test_one_run_writes_every_format_and_the_stdout_report_too(tmp_path):
    project = plain_project(tmp_path / "p")
    paths, flags = _report_flags(tmp_path)
    code, out, _ = preview(project, *flags, "--format", "json")
    assert code == 1
    reports = _read(paths)
    assert json.loads(out) == json.loads(reports["json"])
    assert json.loads(reports["json"])["summary"]["mandatory"] == 1 and "error" not in json.loads(reports["json"])
    sarif = json.loads(reports["sarif"])["runs"][0]
    assert sarif["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert any(r["ruleId"] == "no-forbidden-role" for r in sarif["results"])
    assert reports["markdown"].startswith("### `pum preview` of plain-program/dev: ❌")
    assert "Policy Violations:" in reports["text"]


def test_a_clean_run_writes_every_format(tmp_path):
    project = plain_project(tmp_path / "p")
    config = tmp_path / "cfg.json"
    config.write_text('{"all": "advisory"}')
    paths, flags = _report_flags(tmp_path)
    _stale(paths)
    code, _, _ = preview(project, "--policy-pack-config", str(config), *flags)
    assert code == 0
    reports = _read(paths)
    assert json.loads(reports["json"])["summary"]["mandatory"] == 0
    assert json.loads(reports["sarif"])["runs"][0]["invocations"][0] == {"executionSuccessful": True, "exitCode": 0}
    assert "✅ no mandatory policy violation" in reports["markdown"]
    assert "Policies: 0 mandatory" in reports["text"]


def _assert_failure_reports(reports, kind, code, stack, fragment):
    document = json.loads(reports["json"])
    assert document["error"] == {"kind": kind, "message": document["error"]["message"]}
    assert fragment in document["error"]["message"]
    assert document["stack"] == stack
    assert (document["resources"], document["violations"]) == ([], [])
    assert document["summary"] == {"resources": 0, "mandatory": 0, "advisory": 0}
    run = json.loads(reports["sarif"])["runs"][0]
    assert run["results"] == []
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == code
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and fragment in notification["message"]["text"]
    title = f"pum could not evaluate stack {stack or '(unknown)'}"
    assert reports["markdown"].splitlines()[0] == f"### ❌ {title}" and fragment in reports["markdown"]
    assert reports["text"].startswith(title) and fragment in reports["text"]
    return notification


def test_a_config_error_writes_every_report_saying_so_with_the_stack_file_location(tmp_path):
    project = plain_project(tmp_path / "p", stack_text="config:\n  plain-program:groupName: [unclosed\n")
    paths, flags = _report_flags(tmp_path)
    _stale(paths)
    code, out, err = preview(project, *flags, "--format", "json")
    assert code == 2 and "invalid YAML" in err
    assert json.loads(out)["error"]["kind"] == "usage"  # the stdout report says so too
    notification = _assert_failure_reports(_read(paths), "usage", 2, "dev", "invalid YAML")
    (location,) = notification["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "Pulumi.dev.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["physicalLocation"]["region"]["startLine"] == 3


def test_a_program_failure_writes_every_report_saying_so(tmp_path):
    project = plain_project(tmp_path / "p", program=GA_PROGRAM + "raise RuntimeError('no tenant')\n")
    paths, flags = _report_flags(tmp_path)
    _stale(paths)
    code, out, err = preview(project, *flags)
    assert code == 3 and "RuntimeError: no tenant" in err
    assert not out  # a text report on stdout would only repeat stderr
    notification = _assert_failure_reports(_read(paths), "program", 3, "dev", "__main__.py:3: RuntimeError: no tenant")
    artifact = notification["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"]["uri"] == "__main__.py" and artifact["region"] == {"startLine": 3}


def test_a_refused_command_line_writes_the_reports_it_names(tmp_path):
    paths, flags = _report_flags(tmp_path)
    _stale(paths)
    code, _, _ = run_cli("preview", "--cwd", str(tmp_path), "--no-such-flag", *flags)
    assert code == 2
    _assert_failure_reports(_read(paths), "usage", 2, None, "unrecognized arguments: --no-such-flag")


def test_output_gets_the_failure_report_in_its_format(tmp_path):
    project = plain_project(tmp_path / "p", program="raise RuntimeError('broken')\n")
    report = tmp_path / "report.sarif"
    report.write_text("an earlier run's report")
    code, out, _ = preview(project, "--format", "sarif", "--output", str(report))
    assert code == 3 and not out
    assert json.loads(report.read_text())["runs"][0]["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize(
    "value, fragment",
    [("yaml=r.yaml", "expected FORMAT=PATH"), ("json", "expected FORMAT=PATH"), ("json=", "expected FORMAT=PATH")],
)
def test_a_bad_report_flag_is_a_usage_error(tmp_path, value, fragment):
    code, _, err = run_cli("preview", "--cwd", str(tmp_path), "--report", value)
    assert code == 2 and fragment in err and "Traceback" not in err


def test_two_reports_to_one_file_is_a_usage_error_before_the_run(tmp_path):
    project = plain_project(tmp_path / "p")
    target = str(tmp_path / "r")
    code, _, err = preview(project, "--output", target, "--report", f"json={target}")
    assert code == 2 and "writes the same file" in err


def test_a_report_whose_directory_is_missing_is_a_usage_error_naming_the_flag(tmp_path):
    project = plain_project(tmp_path / "p")
    paths, flags = _report_flags(tmp_path)
    code, _, err = preview(project, *flags, "--report", f"json={tmp_path / 'missing' / 'r.json'}")
    assert code == 2 and "--report " in err and "does not exist" in err
    assert "cannot write" not in err or "missing" in err
    assert json.loads(_read(paths)["json"])["error"]["kind"] == "usage"  # the other reports say why


def _example_reports(directory, cwd):
    paths = {fmt: os.path.join(directory, f"example.{fmt}") for fmt in FORMATS}
    flags = [arg for fmt, path in paths.items() for arg in ("--report", f"{fmt}={path}")]
    result = subprocess.run(
        [sys.executable, "-m", "pum", "preview", "--cwd", ROOT, "--stack", "example", *flags],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return _read(paths)


def test_five_previews_of_the_example_are_byte_identical_in_every_format_wherever_pum_runs(tmp_path):
    runs = [_example_reports(tmp_path, cwd=ROOT if index % 2 else str(tmp_path)) for index in range(5)]
    for fmt in FORMATS:
        assert len({run[fmt] for run in runs}) == 1, fmt
    for fmt, text in runs[0].items():
        assert ROOT not in text and "file://" not in text, fmt  # no path that depends on the checkout
    urns = [r["urn"] for r in json.loads(runs[0]["json"])["resources"]]
    assert urns == sorted(urns)


def test_the_privilege_map_is_byte_identical_across_runs():
    maps = {
        subprocess.run(
            [sys.executable, "-m", "pum", "graph", "--cwd", ROOT, "--format", "mermaid"],
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
        for _ in range(3)
    }
    assert len(maps) == 1 and next(iter(maps)).startswith("flowchart")


def _text_preview(*args, columns):
    env = dict(os.environ, COLUMNS=str(columns))
    result = subprocess.run(
        [sys.executable, "-m", "pum", "preview", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


def test_the_example_text_plan_fits_columns_120():
    lines = _text_preview("--cwd", ROOT, "--stack", "example", columns=120)
    assert max(cells(line) for line in lines) <= 120 and max(len(line) for line in lines) <= 120
    assert any(len(line) > 100 for line in lines)  # the width is used, not only the default
    assert any("…" in line for line in lines if line.startswith(" +   "))  # the example's long types are shortened
    assert lines[3].split()[1:] == ["pulumi:pulumi:Stack", "privileged-access-example", "create"]


def test_narrow_text_wraps_messages_and_cuts_nothing_but_the_plan_columns(tmp_path):
    from conftest import PLAIN_PROGRAM, SAMPLE_PACK

    lines = _text_preview("--cwd", PLAIN_PROGRAM, "--stack", "dev", "--policy-pack", SAMPLE_PACK, columns=50)
    assert max(cells(line) for line in lines) <= 50
    text = "\n".join(lines)
    assert "forbidden role\n           62e90394-69f5-4237-9190-012177145e10" in text  # wrapped, not cut
    assert "Policies: 1 mandatory, 3 advisory violation(s)" in text


def test_without_columns_and_a_terminal_the_text_is_100_wide():
    report = run_preview(os.path.join(ROOT), stack="example")
    lines = text_report.render(report, Context(root=ROOT)).splitlines()
    assert max(cells(line) for line in lines) <= 100
    assert cells("❌ ⚠️ ├─") == 2 + 1 + 2 + 1 + 2


def test_json_1_1_names_its_versions_and_splits_each_message(tmp_path):
    project = plain_project(tmp_path / "p")
    code, out, _ = preview(project, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["formatVersion"] == "1.3" and report["pumVersion"] == pum_version() != ""
    assert report["policyPacks"] == [{"name": "sample", "version": "1.2.3"}]  # the fixture's PulumiPolicy.yaml
    finding = next(v for v in report["violations"] if v["enforcementLevel"] == "mandatory")
    assert finding["description"] == "Forbidden directory roles are not assigned."
    assert finding["detail"] == "forbidden role 62e90394-69f5-4237-9190-012177145e10"
    assert finding["message"] == finding["description"] + "\n" + finding["detail"]  # as before
    for violation in report["violations"]:
        assert violation["message"].endswith(violation["detail"]) and violation["description"]


def test_a_policy_that_reports_no_finding_has_an_empty_detail():
    from pum.analysis import Violation
    from pum.engine import Report

    report = run_preview(lambda: None, policy_packs=[])
    report.policies = {"p": [type("Meta", (), {"name": "x", "description": "Things are fine."})()]}  # type: ignore
    said = Violation("p", "x", "mandatory", None, None, "Things are fine.")
    assert description_and_detail(report, said) == ("Things are fine.", "")
    assert isinstance(report, Report)


def _sarif(cwd, *args):
    result = subprocess.run(
        [sys.executable, "-m", "pum", "preview", "--stack", "dev", "--format", "sarif", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["runs"][0]


def test_sarif_locations_are_relative_to_the_repository_root_wherever_pum_runs(tmp_path):
    from conftest import PLAIN_PROGRAM, SAMPLE_PACK

    inside = _sarif(str(tmp_path), "--cwd", PLAIN_PROGRAM, "--policy-pack", SAMPLE_PACK)
    copy = plain_project(tmp_path / "p")  # no git work tree around it: the project directory is the root
    outside = _sarif(ROOT, "--cwd", copy, "--policy-pack", SAMPLE_PACK)
    for run, uri in ((inside, "tests/fixtures/programs/plain/__main__.py"), (outside, "__main__.py")):
        error = next(r for r in run["results"] if r["level"] == "error")
        physical = error["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": uri, "uriBaseId": "%SRCROOT%"}
        assert physical["region"]["startLine"] == 10  # the line that declared the resource
        assert "file://" not in json.dumps(run) and str(tmp_path) not in json.dumps(run)
    assert [r["partialFingerprints"] for r in inside["results"]] == [
        r["partialFingerprints"] for r in outside["results"]
    ]


def test_sarif_ranks_rules_by_enforcement_and_severity_and_fingerprints_each_finding():
    from conftest import PLAIN_PROGRAM, SAMPLE_PACK

    run = _sarif(ROOT, "--cwd", PLAIN_PROGRAM, "--policy-pack", SAMPLE_PACK)
    rules = {rule["id"]: rule["properties"] for rule in run["tool"]["driver"]["rules"]}
    assert rules["no-forbidden-role"]["security-severity"] == "8.0"  # mandatory, high
    assert all("security" in p["tags"] and 0 < float(p["security-severity"]) <= 10 for p in rules.values())
    fingerprints = [r["partialFingerprints"]["pumFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)  # one per finding


@pytest.mark.parametrize(
    "level, severity, expected",
    [
        ("mandatory", "critical", "9.5"),
        ("mandatory", None, "6.0"),
        ("advisory", "critical", "6.5"),
        ("advisory", "low", "2.0"),
        ("remediate", "HIGH", "8.0"),
    ],
)
def test_security_severity_mapping(level, severity, expected):
    from pum.report.sarif import security_severity

    assert security_severity(level, severity) == expected


def _many(count, distinct):
    from pum.analysis import Violation
    from pum.engine import Resource

    report = run_preview(lambda: None, policy_packs=[])
    report.resources = [
        Resource(
            f"urn:pulumi:dev::test::azuread:index/group:Group::g{i:05}",
            "azuread:index/group:Group",
            f"g{i:05}",
            None,
            True,
            False,
            {},
            [],
            {},
        )
        for i in range(count)
    ]
    message = "Groups have owners.\nno owner declared"
    report.violations = [
        Violation("pack", "group-owners", "mandatory", "high", r.urn, f"{message} ({i})" if distinct else message)
        for i, r in enumerate(report.resources)
    ]
    return report


def test_markdown_collapses_identical_findings_with_their_count():
    from pum.report import markdown

    text = markdown.render(_many(10, distinct=False), Context(root=ROOT))
    rows = [line for line in text.splitlines() if line.startswith("| mandatory |")]
    assert len(rows) == 1
    assert "`group-owners` (×10)" in rows[0] and "g00000, `azuread:index/group:Group` g00001" in rows[0]
    assert "and 7 more" in rows[0] and "no owner declared" in rows[0]


def test_markdown_stays_under_65000_characters_and_says_what_it_left_out():
    from pum.report import markdown

    text = markdown.render(_many(4000, distinct=True), Context(root=ROOT, full_report="pum.json"))
    assert len(text) <= 65_000
    rows = [line for line in text.splitlines() if line.startswith("| mandatory |")]
    assert 100 < len(rows) < 4000
    note = f"_{4000 - len(rows)} of 4000 findings left out to stay under 65,000 characters; the full report is "
    assert note + "`pum.json`._" in text
    assert "more resources left out (the full report is `pum.json`)" in text
    assert text.rstrip().endswith("</details>")


def test_pum_version_prints_the_installed_version():
    code, out, err = run_cli("--version")
    assert code == 0 and out == f"pum {pum_version()}\n" and not err
    assert pum_version() != "unknown"


@pytest.mark.parametrize("command", ["preview", "schema", "graph"])
def test_each_commands_help_says_what_it_does(command):
    code, out, _ = run_cli(command, "--help")
    assert code == 0
    description = out.split("\n\n")[1]  # after the usage
    assert description.endswith(".") and 1 <= description.count(". ") + 1 <= 3, description


def test_graph_fenced_wraps_mermaid_for_markdown():
    result = subprocess.run(
        [sys.executable, "-m", "pum", "graph", "--cwd", ROOT, "--format", "mermaid", "--fenced"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "```mermaid" and lines[1].startswith("flowchart") and lines[-1] == "```"
    code, _, err = run_cli("graph", "--cwd", ROOT, "--fenced")
    assert code == 2 and "--fenced" in err and "--format mermaid" in err


LOCATED_STACK = """config:
  plain-program:groupName: Tier Zero Admins
  plain-program:roles:
    assignments:
      - name: other
      - name: ga
        role: Global Administrator
"""


def _located_project(tmp_path, returns, module):
    project = plain_project(tmp_path / "p", stack_text=LOCATED_STACK)
    with open(os.path.join(project, "pyproject.toml"), "w") as handle:
        handle.write(f'[tool.pum]\nlocations = "{module}:locations"\n')
    with open(os.path.join(project, f"{module}.py"), "w") as handle:
        handle.write(f"def locations(report):\n    return {returns}\n")
    return project


def test_a_finding_from_the_stack_model_carries_its_stack_file_path_and_line(tmp_path):
    returns = '{r.urn: "plain-program:roles.assignments[1]" for r in report.resources if r.name == "ga"}'
    project = _located_project(tmp_path, returns, "locate_ga")
    paths, flags = _report_flags(tmp_path)
    code, _, err = preview(project, *flags)
    assert code == 1, err
    reports = _read(paths)
    mandatory = next(v for v in json.loads(reports["json"])["violations"] if v["enforcementLevel"] == "mandatory")
    assert mandatory["location"] == {"file": "Pulumi.dev.yaml", "path": "plain-program:roles.assignments[1]", "line": 6}
    run = json.loads(reports["sarif"])["runs"][0]
    error = next(r for r in run["results"] if r["level"] == "error")
    assert error["properties"]["modelPath"] == "plain-program:roles.assignments[1]"
    physical = error["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "Pulumi.dev.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 6},
    }
    assert "at Pulumi.dev.yaml:6 (plain-program:roles.assignments[1])" in reports["text"]
    assert all(v["location"] for v in json.loads(reports["json"])["violations"])  # all four are on `ga`


def test_only_resources_the_hook_places_and_their_children_get_a_location(tmp_path):
    returns = '{r.urn: "plain-program:groupName" for r in report.resources if r.name == "tier0"}'
    project = _located_project(tmp_path, returns, "locate_group")
    code, out, _ = preview(project, "--format", "json")
    assert code == 1
    assert [v["location"] for v in json.loads(out)["violations"]] == [None] * 4  # every finding is on `ga`
    root = '{r.urn: "plain-program:roles" for r in report.resources if r.parent is None}'
    code, out, _ = preview(_located_project(tmp_path / "b", root, "locate_root"), "--format", "json")
    assert {v["location"]["line"] for v in json.loads(out)["violations"]} == {3}  # `ga` is the root stack's child


def test_a_locations_hook_that_returns_no_mapping_is_a_program_failure(tmp_path):
    project = _located_project(tmp_path, "['not', 'a', 'mapping']", "locate_list")
    code, _, err = preview(project)
    assert code == 3 and "[tool.pum] locations (locate_list:locations) returned list" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "path, line",
    [
        ("plain-program:roles.assignments[1]", 6),
        ("plain-program:roles.assignments[0]", 5),
        ("plain-program:roles", 3),
        ("plain-program:groupName", 2),
        ("plain-program:roles.assignments[1].role", 7),
        ("plain-program:roles.assignments[5]", None),
        ("plain-program:nope", None),
        ("not a path", None),
        ("plain-program:roles..x", None),
    ],
)
def test_the_line_of_a_model_path(tmp_path, path, line):
    from pum.report.locations import line_of

    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(LOCATED_STACK)
    assert line_of(str(stack_file), path) == line


def test_a_model_error_is_located_at_the_entry_it_names(tmp_path):
    from pum.report.common import message_location

    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(LOCATED_STACK)
    message = "Pulumi.dev.yaml: plain-program:roles.assignments[1].role: 'Global Admin' is not a role; did you mean"
    assert message_location(message, [str(tmp_path)]) == (str(stack_file), 7)
    assert message_location("Pulumi.dev.yaml:3:1: invalid YAML: oops", [str(tmp_path)]) == (str(stack_file), 3)
    assert message_location("Pulumi.dev.yaml: the stack file declares no config", [str(tmp_path)]) == (
        str(stack_file),
        None,
    )
    assert message_location("no file here: at all", [str(tmp_path)]) is None
