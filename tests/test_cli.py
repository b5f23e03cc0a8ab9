"""`pum` end to end, as a user and CI run it: exit codes, formats, messages, no secrets."""

import json
import os
import subprocess
import sys

import pytest
from conftest import PLAIN_PROGRAM, ROOT, SAMPLE_PACK

CIPHERTEXT = "c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw=="


def pum(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pum", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def plain(*args):
    return pum("preview", "--cwd", PLAIN_PROGRAM, "--stack", "dev", "--policy-pack", SAMPLE_PACK, *args)


def test_json_report_follows_the_contract():
    result = plain("--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    additive = {"formatVersion", "pumVersion", "policyPacks", "licences", "drift", "audit"}  # 1.1-1.3; never go
    assert set(report) == {"project", "stack", "resources", "violations", "summary"} | additive
    assert (report["project"], report["stack"]) == ("plain-program", "dev")
    for resource in report["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "custom", "protect", "inputs"}
    assignment = next(r for r in report["resources"] if r["name"] == "ga")
    assert assignment["inputs"]["principalObjectId"] is None  # unknown at preview
    for violation in report["violations"]:
        contract = {"policyPack", "policy", "enforcementLevel", "severity", "urn", "message"}
        assert set(violation) == contract | {"description", "detail", "location"}
        assert violation["enforcementLevel"] in ("mandatory", "advisory")
    summary = report["summary"]
    assert summary["resources"] == len(report["resources"])
    assert summary["mandatory"] == sum(v["enforcementLevel"] == "mandatory" for v in report["violations"]) == 1


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_no_format_prints_a_secret(fmt, tmp_path):
    out = tmp_path / "report"
    result = plain("--format", fmt, "--output", str(out))
    assert result.returncode == 1
    written = out.read_text()
    assert CIPHERTEXT not in written + result.stdout + result.stderr
    assert written and not result.stdout


def test_text_is_a_plan_tree_followed_by_violations():
    result = plain()
    lines = result.stdout.splitlines()
    assert any("pulumi:pulumi:Stack" in line for line in lines)
    assert any("├─ azuread:index/directoryRoleAssignment" in line for line in lines)
    assert result.stdout.index("Policy Violations:") > result.stdout.index("create")
    assert "apiKey   : [secret]" in result.stdout


def test_markdown_is_a_pr_comment():
    result = plain("--format", "markdown")
    assert result.stdout.startswith("### `pum preview` of plain-program/dev: ❌")
    assert "| mandatory | `no-forbidden-role` |" in result.stdout
    assert "<details><summary>Plan</summary>" in result.stdout


def test_sarif_has_one_rule_per_policy_and_one_result_per_violation():
    result = plain("--format", "sarif")
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "no-forbidden-role",
        "group-role-link",
        "unknown-first",
    ]
    assert len(run["results"]) == 4
    error = next(r for r in run["results"] if r["level"] == "error")
    assert error["ruleId"] == "no-forbidden-role"
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_exit_0_without_mandatory_violations(tmp_path):
    config = tmp_path / "cfg.json"
    config.write_text('{"all": "advisory"}')
    assert plain("--policy-pack-config", str(config)).returncode == 0


@pytest.mark.parametrize(
    "stack_text, fragment",
    [
        ("config:\n  plain-program:groupName: [unclosed\n", "Pulumi.broken.yaml:3:1: invalid YAML"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_broken_stack_file_exits_2_naming_the_file(tmp_path, stack_text, fragment):
    project = tmp_path / "p"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (project / "__main__.py").write_text("")
    (project / "Pulumi.broken.yaml").write_text(stack_text)
    result = pum("preview", "--cwd", str(project), "--stack", "broken", "--policy-pack", SAMPLE_PACK)
    assert result.returncode == 2
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_missing_program_exits_2(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: app.py\n")
    result = pum("preview", "--cwd", str(tmp_path), "--policy-pack", SAMPLE_PACK)
    assert result.returncode == 2 and "app.py does not exist" in result.stderr


def test_not_a_project_exits_2(tmp_path):
    result = pum("preview", "--cwd", str(tmp_path))
    assert result.returncode == 2 and "no Pulumi.yaml" in result.stderr


def test_bad_policy_pack_dir_exits_2(tmp_path):
    result = pum("preview", "--cwd", PLAIN_PROGRAM, "--stack", "dev", "--policy-pack", str(tmp_path))
    assert result.returncode == 2 and "no PulumiPolicy.yaml" in result.stderr


def test_program_failure_exits_3_with_file_and_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("x = 1\nraise RuntimeError('no tenant')\n")
    args = ("preview", "--cwd", str(tmp_path), "--stack", "dev", "--policy-pack", SAMPLE_PACK, "--allow-empty-config")
    result = pum(*args)
    assert result.returncode == 3
    assert "__main__.py:2: RuntimeError: no tenant" in result.stderr and "Traceback" not in result.stderr
    verbose = pum(*args, "--verbose")
    assert "Traceback" in verbose.stderr


def test_usage_error_exits_2():
    assert pum("preview", "--format", "yaml").returncode == 2


def test_schema_prints_the_stack_file_schema_committed_for_editors():
    result = pum("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    with open(os.path.join(ROOT, "schema", "stack.schema.json"), encoding="utf-8") as handle:
        assert schema == json.load(handle)
    assert "privileged-access:pim" in schema["properties"]["config"]["properties"]


def test_graph_renders_mermaid_and_html(tmp_path):
    mermaid = pum("graph", "--format", "mermaid")
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart")
    page = tmp_path / "map.html"
    assert pum("graph", "--output", str(page)).returncode == 0
    assert "<html" in page.read_text().lower()


def test_the_shipped_production_pack_config_passes_the_enforced_example():
    # the example enforces its CA baseline (report-only is mandatory without a staged rollout, and in production
    # always: tests/test_ca_example.py), so the production config previews it clean
    result = pum("preview", "--policy-pack-config", "policies/config/production.json", "--format", "json")
    assert result.returncode == 0, result.stderr
    mandatory = {v["policy"] for v in json.loads(result.stdout)["violations"] if v["enforcementLevel"] == "mandatory"}
    assert not mandatory


def test_the_command_exits_with_mains_code_and_leaves_the_plan_out_of_the_last_collection(monkeypatch):
    import gc

    from pum import cli

    frozen = []
    monkeypatch.setattr(cli, "main", lambda: 1)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with pytest.raises(SystemExit) as exit_:
        cli.entry()
    assert exit_.value.code == 1 and frozen == [True]
    entry_point = open(os.path.join(ROOT, "pyproject.toml")).read()
    assert 'pum = "pum.cli:entry"' in entry_point
