"""The policy gate's own steps (tools/gate.py), run as policy-gate.yml runs them: a pull request's program and stack
files in one directory, the base branch's pack and pack configs in another, the reports in a third.

Each preview is a real `pum preview` of the project's program with the shipped pack (a few seconds each)."""

import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

GATE = os.path.join(ROOT, "tools", "gate.py")
EXAMPLE = os.path.join(ROOT, "stacks", "Pulumi.example.yaml")
PACK = os.path.join(ROOT, "policies")
PRODUCTION = os.path.join(PACK, "config", "production.json")
ENFORCED = "    enforce: true\n"


def example_text():
    with open(EXAMPLE, encoding="utf-8") as handle:
        text = handle.read()
    assert text.count(ENFORCED) == 1  # the line the broken copies change
    return text


def staged_rollout(text):
    """CA report-only inside a declared rollout ending in 30 days: clean, except in production. The c1 policies stay
    enforced: tier-0 activation requires c1, and a report-only policy gives c1 no meaning."""
    until = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    return text.replace(ENFORCED, f'    enforce: [CA09, CA10]\n    reportOnlyUntil: "{until}"\n')


@pytest.fixture
def checkouts(tmp_path):
    """(pr, base): the pull request's tree without policies/, and the base branch's stacks/ for pack configs."""
    pr = tmp_path / "pr"
    (pr / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        shutil.copy(os.path.join(ROOT, name), pr / name)
    (pr / "components").symlink_to(os.path.join(ROOT, "components"), target_is_directory=True)
    base_stacks = tmp_path / "base-stacks"
    base_stacks.mkdir()
    return pr, base_stacks


def gate(tmp_path, pr, base_stacks, stack, *extra, record_only=False):
    out = tmp_path / f"out-{stack}"
    github_output, step_summary = tmp_path / f"output-{stack}", tmp_path / f"summary-{stack}"
    env = {**os.environ, "GITHUB_OUTPUT": str(github_output), "GITHUB_STEP_SUMMARY": str(step_summary)}
    command = [sys.executable, GATE, "run", "--stack", stack, "--program-dir", str(pr), "--pack-dir", PACK]
    command += ["--out-dir", str(out), "--config-dir", str(base_stacks), "--production-config", PRODUCTION]
    command += ["--production-stack", "prod", *extra] + (["--record-only"] if record_only else [])
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    outputs = dict(line.split("=", 1) for line in github_output.read_text().splitlines())
    return result, out, outputs, step_summary.read_text()


def sarif_of(out):
    sarif = json.loads((out / "pum.sarif").read_text())
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    assert len(sarif["runs"]) == 1
    return sarif["runs"][0]


def test_a_clean_stack_passes_with_a_clean_sarif_and_summary(tmp_path, checkouts):
    pr, base_stacks = checkouts
    (pr / "stacks" / "Pulumi.clean.yaml").write_text(example_text())
    result, out, outputs, summary = gate(tmp_path, pr, base_stacks, "clean")
    assert result.returncode == 0, result.stderr
    assert outputs == {"code": "0", "outcome": "passed: no mandatory policy violation"}
    run = sarif_of(out)
    assert not [r for r in run["results"] if r["level"] == "error"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert summary.startswith("## ✅ Policy gate: stack `clean`: passed") and "pum exit code: 0" in summary
    assert "✅ no mandatory policy violation" in summary  # pum's own markdown report follows
    assert summary == (out / "summary.md").read_text()
    assert json.loads((out / "result.json").read_text())["code"] == 0
    assert json.loads((out / "report.json").read_text())["summary"]["mandatory"] == 0


def test_mandatory_violations_fail_with_error_results_on_the_stack_file(tmp_path, checkouts):
    pr, base_stacks = checkouts
    (pr / "stacks" / "Pulumi.violating.yaml").write_text(example_text().replace(ENFORCED, "    enforce: false\n"))
    result, out, outputs, summary = gate(tmp_path, pr, base_stacks, "violating")
    assert result.returncode == 1
    assert outputs["code"] == "1" and outputs["outcome"] == "failed: mandatory policy violations"
    run = sarif_of(out)
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} >= {"ca-admin-policy-enforced-in-production", "ca-phishing-resistant-admins"}
    located = [loc["physicalLocation"] for r in errors for loc in r["locations"] if "physicalLocation" in loc]
    uris = {physical["artifactLocation"]["uri"] for physical in located}
    assert "stacks/Pulumi.violating.yaml" in uris  # relative to the checkout, as code scanning needs
    assert len(located) == len(errors)  # a stack violation naming no file is put on the stack file
    assert summary.startswith("## ❌ Policy gate: stack `violating`: failed: mandatory policy violations")
    assert "| mandatory | `ca-admin-policy-enforced-in-production` |" in summary


def test_a_broken_stack_file_fails_and_every_report_says_why(tmp_path, checkouts):
    pr, base_stacks = checkouts
    (pr / "stacks" / "Pulumi.broken.yaml").write_text(example_text().replace(ENFORCED, "    enforce: [true\n"))
    result, out, outputs, summary = gate(tmp_path, pr, base_stacks, "broken", record_only=True)
    assert result.returncode == 0  # --record-only: the workflow's last step decides, on `code`
    assert outputs["code"] == "2" and outputs["outcome"].startswith("failed: stack file")
    run = sarif_of(out)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    said = json.dumps(invocation["toolExecutionNotifications"]) + json.dumps(run["results"])
    assert "Pulumi.broken.yaml" in said and "invalid YAML" in said
    assert summary.startswith("## ❌ Policy gate: stack `broken`: failed: stack file")
    assert "Pulumi.broken.yaml" in summary and "invalid YAML" in summary


def test_production_is_what_the_base_branch_declares_and_its_config_applies(tmp_path, checkouts):
    pr, base_stacks = checkouts
    for stack in ("prod", "staging"):
        (pr / "stacks" / f"Pulumi.{stack}.yaml").write_text(staged_rollout(example_text()))
    staging = gate(tmp_path, pr, base_stacks, "staging")
    prod = gate(tmp_path, pr, base_stacks, "prod")
    assert staging[0].returncode == 0, staging[0].stderr
    assert prod[0].returncode == 1  # production allows no staged rollout (production.json, environment=production)
    assert "production: yes" in prod[3] and "`production.json`" in prod[3] and "production: no" in staging[3]
    assert json.loads((prod[1] / "pack-config.json").read_text()) == json.loads(open(PRODUCTION).read())


def test_a_base_stack_config_applies_and_production_wins_over_it():
    sys.path.insert(0, os.path.dirname(GATE))
    try:
        import gate as gate_module
    finally:
        sys.path.remove(os.path.dirname(GATE))
    stack = {"ca-admin-policy-report-only": {"production": False, "other": 1}, "x": "advisory"}
    production = {"ca-admin-policy-report-only": {"production": True}, "y": "mandatory"}
    assert gate_module.merge_configs(stack, production) == {
        "ca-admin-policy-report-only": {"production": True, "other": 1},
        "x": "advisory",
        "y": "mandatory",
    }


def test_a_program_that_forges_the_outputs_and_exits_0_still_fails(tmp_path):
    """The program runs inside pum: it sees none of the runner's file commands, and exit 0 without reports is 4."""
    pr = tmp_path / "pr"
    (pr / "stacks").mkdir(parents=True)
    (pr / "Pulumi.yaml").write_text("name: forger\nruntime: python\nstackConfigDir: stacks\n")
    (pr / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  forger:x: y\n")
    (pr / "__main__.py").write_text(
        "import os\n"
        "for key in ('GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV'):\n"
        "    if key in os.environ:\n"
        "        open(os.environ[key], 'a').write('code=0\\n')\n"
        "os._exit(0)\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    forged = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "pum"}}, "results": []}]}
    (out / "pum.sarif").write_text(json.dumps(forged))  # a report already there is never this run's
    (out / "report.json").write_text(json.dumps({"summary": {"mandatory": 0}}))
    github_output = tmp_path / "output"
    env = {**os.environ, "GITHUB_OUTPUT": str(github_output), "GITHUB_ENV": str(tmp_path / "env")}
    command = [sys.executable, GATE, "run", "--stack", "dev", "--program-dir", str(pr), "--pack-dir", PACK]
    result = subprocess.run([*command, "--out-dir", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 4, result.stderr
    assert github_output.read_text().splitlines()[0] == "code=4"  # the program wrote nothing there
    assert not (tmp_path / "env").exists()
    run = sarif_of(out)
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["results"][0]["level"] == "error" and "no valid SARIF" in run["results"][0]["message"]["text"]


def test_the_matrix_lists_every_stack_file_of_the_tree(tmp_path):
    listed = subprocess.run([sys.executable, GATE, "stacks", "--program-dir", ROOT], capture_output=True, text=True)
    assert listed.returncode == 0 and json.loads(listed.stdout) == ["example"]
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("Pulumi.prod.yaml", "Pulumi.dev-2.yaml", "policy-config.prod.json", "README.md"):
        (stacks / name).write_text("")
    github_output = tmp_path / "output"
    env = {**os.environ, "GITHUB_OUTPUT": str(github_output)}
    command = [sys.executable, GATE, "stacks", "--program-dir", str(tmp_path)]
    listed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert json.loads(listed.stdout) == ["dev-2", "prod"]
    assert github_output.read_text() == 'stacks=["dev-2", "prod"]\n'


@pytest.mark.parametrize("name", ["Pulumi.$(id).yaml", "Pulumi.-x.yaml", "Pulumi.a b.yaml"])
def test_a_stack_file_name_that_is_no_stack_name_fails_the_listing(tmp_path, name):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / name).write_text("")
    command = [sys.executable, GATE, "stacks", "--program-dir", str(tmp_path)]
    listed = subprocess.run(command, capture_output=True, text=True)
    assert listed.returncode == 2 and name in listed.stderr and not listed.stdout


def test_no_stack_file_fails_the_listing(tmp_path):
    (tmp_path / "stacks").mkdir()
    listed = subprocess.run([sys.executable, GATE, "stacks", "--program-dir", str(tmp_path)], capture_output=True)
    assert listed.returncode == 2


def test_an_unreadable_base_pack_config_fails_closed_and_no_stale_report_survives(tmp_path, checkouts):
    pr, base_stacks = checkouts
    (pr / "stacks" / "Pulumi.clean.yaml").write_text(example_text())
    (base_stacks / "policy-config.clean.json").write_text("{not json")
    out = tmp_path / "out-clean"
    out.mkdir()
    clean = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "pum"}}, "results": []}]}
    (out / "pum.sarif").write_text(json.dumps(clean))
    (out / "report.md").write_text("### ✅ all good")
    result, out, outputs, summary = gate(tmp_path, pr, base_stacks, "clean")
    assert result.returncode == 2 and outputs["code"] == "2"
    run = sarif_of(out)
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "policy-config.clean.json" in run["results"][0]["message"]["text"]
    assert "all good" not in summary and "policy-config.clean.json: not a readable JSON pack config" in summary


def test_a_pull_request_gets_its_privilege_changes_against_the_base_branch(tmp_path, checkouts):
    """--diff-base-dir: the base branch's own stack is previewed, and `pum diff` (its hook) says what changes."""
    pr, base_stacks = checkouts
    longer = example_text().replace("maxDuration: PT2H", "maxDuration: PT8H")
    (pr / "stacks" / "Pulumi.example.yaml").write_text(longer)
    (pr / "stacks" / "Pulumi.fresh.yaml").write_text(example_text())
    result, out, outputs, summary = gate(tmp_path, pr, base_stacks, "example", "--diff-base-dir", ROOT)
    assert result.returncode == 0 and outputs["code"] == "0", result.stderr
    assert "### Privilege changes" in summary and "now lasts up to 8 h (was 2 h)" in summary
    assert "From base-report.json to report.json" in summary  # the two files of the artifact, not runner paths
    assert json.loads((out / "base-report.json").read_text())["stack"] == "example"
    fresh = gate(tmp_path, pr, base_stacks, "fresh", "--diff-base-dir", ROOT)
    assert fresh[0].returncode == 0 and "No comparison: a new stack" in fresh[3]
    reports = tmp_path / "artifacts"
    reports.mkdir()
    shutil.copytree(out, reports / "policy-gate-example")
    shutil.copytree(fresh[1], reports / "policy-gate-fresh")
    (reports / "policy-gate-lost").mkdir()
    comment = tmp_path / "comment.md"
    command = [sys.executable, GATE, "comment", "--reports", str(reports), "--output", str(comment)]
    assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    text = comment.read_text()
    assert text.startswith("<!-- pum-policy-gate -->\n### Policy gate: privilege changes")
    assert "#### ✅ Stack `example`: passed" in text and "now lasts up to 8 h (was 2 h)" in text
    assert "#### ✅ Stack `fresh`: passed" in text and "a new stack" in text
    assert "#### ❌ `policy-gate-lost`: no result" in text
