"""`pum diff`: what a pull request changes in who can become what (pum/diff.py, privilege_map/diff.py).

Each case is a change a pull request makes to a copy of the shipped example stack file, previewed with
run_preview; the comparison must say it in words (role names, display names), with the right kind and direction,
and nothing else.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from clihelp import run_cli
from conftest import ROOT

from privilege_map.diff import compare
from pum import diff as pum_diff
from pum.engine import run_preview
from pum.report.json_report import as_dict

EXAMPLE = os.path.join(ROOT, "stacks", "Pulumi.example.yaml")
SUBSCRIPTION = "00000000-0000-4000-8000-0000000000b2"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def example_config() -> dict:
    with open(EXAMPLE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["config"]


def report(config: dict) -> dict:
    """The JSON report (`pum preview --format json`, design §2) of the example project with this stack config."""
    return as_dict(run_preview(ROOT, stack="example", config=config, policy_packs=[]))


@pytest.fixture(scope="module")
def base() -> dict:
    return report(example_config())


def head(edit) -> dict:
    config = copy.deepcopy(example_config())
    edit(config)
    return report(config)


def pim(config):
    return config["privileged-access:pim"]


def journeys(config):
    return config["privileged-access:accessPackages"]["journeys"]


def only(changes: list[dict], **expected) -> dict:
    """The one change matching `expected`; every other change is a test failure too (no noise)."""
    assert len(changes) == 1, [c["summary"] for c in changes]
    change = changes[0]
    assert {key: change[key] for key in expected} == expected, change
    return change


def test_no_change_is_said_in_every_format(base, tmp_path):
    assert compare(base, copy.deepcopy(base)) == []
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(base))
    code, out, err = run_cli("diff", "--cwd", ROOT, str(path), str(path))
    assert (code, err) == (0, "") and out.startswith("No privilege changes")
    assert out.endswith("Plan: 0 resources added, 0 removed, 0 changed.\n")
    code, out, _ = run_cli("diff", "--cwd", ROOT, str(path), str(path), "--format", "markdown")
    assert code == 0 and "No privilege changes" in out
    code, out, _ = run_cli("diff", "--cwd", ROOT, str(path), str(path), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    assert json.loads(out)["plan"] == {"added": 0, "removed": 0, "changed": 0}


def test_a_change_outside_privileges_is_no_privilege_change(base, tmp_path):
    """A renamed leaver workflow is a changed plan, not a privilege: the diff says so and counts what changed."""
    before, after = tmp_path / "base.json", tmp_path / "head.json"
    before.write_text(json.dumps(base))
    after.write_text(
        json.dumps(head(lambda c: c["privileged-access:lifecycle"]["leaver"].update(displayName="PUM leaver v2")))
    )
    code, out, err = run_cli("diff", "--cwd", ROOT, str(before), str(after), "--format", "json")
    document = json.loads(out)
    assert (code, document["changes"]) == (0, [])
    assert document["plan"] == {"added": 0, "removed": 0, "changed": 1}


def test_another_paw_host_is_new_standing_access_for_its_users(base):
    changes = compare(base, head(lambda c: c["privileged-access:paw"].update(hostCount=3)))
    change = only(changes, kind="standing-access", direction="added", role="Virtual Machine User Login")
    assert change["subject"] == "PAW users (paw)" and "paw-host3-user-login" in change["scope"]


def test_a_person_added_to_a_tier0_binding(base):
    changes = compare(base, head(lambda c: pim(c)["roleBindings"][0]["eligible"].append("pedro")))
    change = only(
        changes,
        kind="eligibility",
        direction="added",
        subject="Pedro Alves (admin)",
        role="Global Administrator",
        scope="the tenant",
        tier="critical",
    )
    assert change["via"] == "PUM-T0-Global Administrator"
    assert "Pedro Alves (admin) becomes eligible" in change["summary"] and not GUID.search(change["summary"])


def test_removing_the_person_is_the_opposite_change(base):
    changes = compare(head(lambda c: pim(c)["roleBindings"][0]["eligible"].append("pedro")), base)
    only(changes, kind="eligibility", direction="removed", subject="Pedro Alves (admin)", role="Global Administrator")


def test_activation_lengthened(base):
    def edit(config):
        pim(config)["roleBindings"][2]["activation"]["maxDuration"] = "PT8H"

    change = only(
        compare(base, head(edit)),
        kind="activation",
        direction="loosened",
        setting="maximum activation",
        role="User Administrator",
        before="PT2H",
        after="PT8H",
    )
    assert change["subject"] == "PUM-T1 Journey User Admin (EMEA users)"
    assert "8 h (was 2 h)" in change["summary"]
    # and back again: shorter is tighter
    only(compare(head(edit), base), kind="activation", direction="tightened", before="PT8H", after="PT2H")


def test_approval_removed_from_a_critical_role(base):
    def edit(config):
        pim(config)["roleBindings"][0]["activation"]["requireApproval"] = False

    change = only(
        compare(base, head(edit)),
        kind="activation",
        direction="loosened",
        setting="approval",
        subject="Maria Santos (admin)",
        role="Global Administrator",
        before=True,
        after=False,
    )
    assert "no longer requires approval" in change["summary"]


def test_scope_widened_from_a_resource_group_to_the_subscription(base):
    def edit(config):
        owner = pim(config)["azureRoleBindings"][0]
        owner["scopes"][0]["scope"] = f"/subscriptions/{SUBSCRIPTION}"
        owner["allowBroadScope"] = True

    change = only(
        compare(base, head(edit)),
        kind="scope",
        direction="loosened",
        subject="Maria Santos (admin)",
        role="Owner",
        tier="critical",
        before="resource group rg-identity-prod",
        after=f"subscription {SUBSCRIPTION}",
    )
    assert "widened" in change["summary"]


def test_scope_widened_from_an_administrative_unit_to_the_tenant(base):
    change = only(
        compare(base, head(lambda c: pim(c)["roleBindings"][2].pop("scope"))),
        kind="scope",
        direction="loosened",
        role="User Administrator",
        after="the tenant",
    )
    assert change["before"] == "an administrative unit"


def test_a_package_opened_to_all_members(base):
    change = only(
        compare(base, head(lambda c: journeys(c)[0].pop("requestors"))),
        kind="access-package",
        direction="loosened",
        setting="requestors",
        role="User Admin",
        after="all member users",
    )
    assert "opened to all members" in change["summary"]


def test_a_package_review_and_lifetime(base):
    def edit(config):
        journeys(config)[2]["review"]["frequency"] = "annual"  # the secondary account: 180 days
        journeys(config)[2]["durationInDays"] = 90

    changes = {c["setting"]: c for c in compare(base, head(edit))}
    assert set(changes) == {"review", "assignment lifetime"}
    assert (changes["review"]["kind"], changes["review"]["direction"]) == ("access-review", "loosened")
    assert changes["assignment lifetime"]["direction"] == "tightened"
    assert (changes["assignment lifetime"]["before"], changes["assignment lifetime"]["after"]) == ("180 d", "90 d")


def test_a_journey_of_hours_made_days_long_is_a_loosened_lifetime(base):
    def longer(config):
        del journeys(config)[0]["durationInHours"]  # the User Admin journey: two hours
        journeys(config)[0]["durationInDays"] = 90

    (change,) = [c for c in compare(base, head(longer)) if c["setting"] == "assignment lifetime"]
    assert (change["before"], change["after"], change["direction"]) == ("2 h", "90 d", "loosened")

    def more_hours(config):
        journeys(config)[0]["durationInHours"] = 8

    (change,) = [c for c in compare(base, head(more_hours)) if c["setting"] == "assignment lifetime"]
    assert (change["before"], change["after"], change["direction"]) == ("2 h", "8 h", "loosened")


def test_admin_conditional_access_made_report_only(base):
    def edit(config):
        ca = config["privileged-access:conditionalAccess"]
        ca["enforce"] = ["CA05", "CA06", "CA07"]
        ca["reportOnlyUntil"] = "2099-12-31"

    changes = compare(base, head(edit))
    assert changes and all(c["kind"] == "conditional-access" and c["direction"] == "loosened" for c in changes)
    assert all(c["setting"] == "state" and (c["before"], c["after"]) == ("enabled", "report-only") for c in changes)
    assert {c["subject"].split()[0] for c in changes} == {"PUM-CA01", "PUM-CA02", "PUM-CA03", "PUM-CA04"}
    assert all("no longer enforces anything for admins" in c["summary"] for c in changes)


def test_loosened_changes_come_first(base):
    def edit(config):
        pim(config)["roleBindings"][2]["activation"]["maxDuration"] = "PT1H"  # tighter
        pim(config)["roleBindings"][0]["eligible"].append("pedro")  # added
        journeys(config)[0].pop("requestors")  # loosened

    directions = [c["direction"] for c in compare(base, head(edit))]
    assert directions == ["loosened", "added", "tightened"]


def test_the_cli_on_two_reports(base, tmp_path):
    before, after = tmp_path / "base.json", tmp_path / "head.json"
    before.write_text(json.dumps(base))
    after.write_text(json.dumps(head(lambda c: pim(c)["roleBindings"][0]["eligible"].append("pedro"))))
    code, out, err = run_cli("diff", "--cwd", ROOT, str(before), str(after), "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["summary"] == {"added": 1}
    (change,) = document["changes"]
    assert {k: change[k] for k in ("kind", "direction", "subject", "role", "scope")} == {
        "kind": "eligibility",
        "direction": "added",
        "subject": "Pedro Alves (admin)",
        "role": "Global Administrator",
        "scope": "the tenant",
    }
    assert "before" in change and "after" in change
    code, out, _ = run_cli("diff", "--cwd", ROOT, str(before), str(after))
    assert code == 0 and "Added (1):" in out and "Pedro Alves (admin) becomes eligible" in out
    target = tmp_path / "comment.md"
    code, out, _ = run_cli(
        "diff", "--cwd", ROOT, str(before), str(after), "--format", "markdown", "--output", str(target)
    )
    text = target.read_text()
    assert (code, out) == (0, "") and text.startswith("### Privilege changes") and "Pedro Alves (admin)" in text


def test_markdown_stays_under_a_github_comment_and_escapes_names():
    changes = [
        {"kind": "eligibility", "direction": "added", "summary": f"<img src=x> @everyone user{i} becomes **eligible**"}
        for i in range(20_000)
    ]
    text = pum_diff.render_markdown(changes, "base", "head")
    assert len(text) < 65_000
    assert "more changes are not shown here" in text
    assert "<img" not in text and "&lt;img src=x&gt;" in text
    assert "@everyone" not in text and "**eligible**" not in text


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not JSON (line 1, column 1), so not a pum JSON report"),
        ("[1, 2]", "not a pum JSON report (a JSON object"),
        ('{"project": "p", "stack": "s"}', "`resources` is missing or not a list"),
        ('{"project": "p", "stack": "s", "resources": [{"urn": "u", "type": "t"}]}', "resources[0].name is missing"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_a_pum_report(base, tmp_path, content, message):
    good, bad = tmp_path / "base.json", tmp_path / "bad.json"
    good.write_text(json.dumps(base))
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    code, out, err = run_cli("diff", "--cwd", ROOT, str(good), str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"pum: error: {bad}: ") and message in err and "Traceback" not in err


def test_bad_command_lines(tmp_path):
    missing = str(tmp_path / "nope.json")
    code, _, err = run_cli("diff", "--cwd", ROOT, missing, missing)
    assert code == 2 and f"{missing}: no such file" in err
    code, _, err = run_cli("diff", "--cwd", ROOT, missing)
    assert code == 2 and "give two pum JSON reports (BASE HEAD)" in err
    code, _, err = run_cli("diff", "--cwd", ROOT, "--base-ref", "no-such-branch-anywhere")
    assert code == 2 and "--base-ref no-such-branch-anywhere: no such commit" in err
    code, _, err = run_cli("diff", "--cwd", ROOT, "--base-ref", "--upload-pack=x")
    assert code == 2
    code, _, err = run_cli("diff", "--cwd", str(tmp_path), missing, missing)
    assert code == 2 and "[tool.pum] diff is not set" in err


def _git(directory, *args):
    subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True)


def test_the_stack_at_two_git_refs(tmp_path):
    """--base-ref/--head-ref preview the project as committed at each ref, in temporary directories removed after."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        shutil.copy(os.path.join(ROOT, name), repo / name)
    for name in ("automation", "components", "policies", "privilege_map", "stacks"):
        shutil.copytree(os.path.join(ROOT, name), repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    stack = repo / "stacks" / "Pulumi.example.yaml"
    config = yaml.safe_load(stack.read_text())
    config["config"]["privileged-access:pim"]["roleBindings"][0]["eligible"].append("pedro")
    stack.write_text(yaml.safe_dump(config))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}

    def run(*args, stack="example"):
        pum = [sys.executable, "-m", "pum", "diff", "--cwd", str(repo), "--stack", stack, "--format", "json"]
        result = subprocess.run([*pum, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
        return result.returncode, result.stdout, result.stderr

    code, out, err = run("--base-ref", "main")  # against the working tree
    assert code == 0, err
    document = json.loads(out)
    assert document["base"].startswith("example at main (") and document["head"] == "example (working tree)"
    (change,) = document["changes"]
    assert (change["kind"], change["direction"], change["subject"]) == ("eligibility", "added", "Pedro Alves (admin)")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "pedro")
    code, out, err = run("--base-ref", "main~1", "--head-ref", "main")
    assert code == 0, err
    assert [c["subject"] for c in json.loads(out)["changes"]] == ["Pedro Alves (admin)"]
    code, out, err = run("--base-ref", "main", "--head-ref", "main")
    assert (code, json.loads(out)["changes"]) == (0, [])
    code, out, err = run("--base-ref", "nope")
    assert code == 2 and "--base-ref nope: no such commit" in err and "Traceback" not in err
    code, out, err = run("--base-ref", "main", "--head-ref", "nope")  # said before any preview
    assert code == 2 and "--head-ref nope: no such commit" in err
    # a pull request that adds a stack: everything in it is new
    shutil.copy(stack, repo / "stacks" / "Pulumi.added.yaml")
    code, out, err = run("--base-ref", "main", stack="added")
    assert code == 0, err
    document = json.loads(out)
    assert document["base"].startswith("added at main (") and document["base"].endswith("has no Pulumi.added.yaml")
    added = {(c["kind"], c["subject"], c["role"]) for c in document["changes"]}
    assert {c["direction"] for c in document["changes"]} <= {"added", "tightened"}
    assert ("standing-access", "Emergency access A", "Global Administrator") in added
    assert ("eligibility", "Pedro Alves (admin)", "Global Administrator") in added
    code, out, err = run("--base-ref", "main", stack="typo")
    assert code == 2 and "stack 'typo' has no stack file at either side" in err
    assert os.listdir(scratch) == []  # every exported tree and report is gone


def test_standing_access_added_for_a_new_break_glass_account(base):
    def edit(config):
        config["privileged-access:breakGlass"]["accounts"].append(
            {"upn": "bg-charlie@contoso.onmicrosoft.com", "displayName": "Emergency access C"}
        )

    changes = [c for c in compare(base, head(edit)) if c["kind"] == "standing-access"]
    change = only(
        changes, direction="added", subject="Emergency access C", role="Global Administrator", scope="the tenant"
    )
    assert change["after"] == "active, permanently"


def test_eligibility_lifetime_and_mfa(base):
    def edit(config):
        binding = pim(config)["roleBindings"][2]
        binding["eligibilityLifetime"] = "P90D"
        binding["activation"]["requireMfa"] = False
        binding["activation"]["authenticationContext"] = "c1"

    changes = {c["setting"]: c for c in compare(base, head(edit))}
    assert set(changes) == {"lifetime", "MFA", "authentication context"}, [c["summary"] for c in changes.values()]
    assert (changes["lifetime"]["kind"], changes["lifetime"]["direction"]) == ("eligibility-lifetime", "tightened")
    assert (changes["lifetime"]["before"], changes["lifetime"]["after"]) == ("180 d", "90 d")
    assert changes["MFA"]["direction"] == "loosened"
    assert (changes["authentication context"]["direction"], changes["authentication context"]["after"]) == (
        "tightened",
        "c1",
    )


def test_malformed_inputs_never_crash_the_comparison(base):
    """A report is whatever a program declared: every input of every resource in a shape the comparison does not
    expect still compares (the hook's failure would be exit 3, not a diff)."""
    for odd in (None, 1, "x", [], {}, [None, 3], {"a": [1]}, True):
        broken = copy.deepcopy(base)
        for resource in broken["resources"]:
            resource["inputs"] = {key: odd for key in resource["inputs"]}
        changes = compare(base, broken)
        assert all(isinstance(c["summary"], str) for c in changes)
        compare(broken, base)
        compare(broken, broken)


def _inputs(report: dict, name: str) -> dict:
    (resource,) = [r for r in report["resources"] if r["name"] == name]
    return resource["inputs"]


def test_changes_only_a_hand_written_program_makes(base):
    """The model refuses these, another program need not: an admin CA policy excluding a role, and a package whose
    approval is switched off (edited in the JSON report, as such a program's preview would show them)."""
    from privileged_facts.roles import ENTRA_ROLES

    changed = copy.deepcopy(base)
    users = _inputs(changed, "conditional-access-ca01")["conditions"]["users"]
    users["excludedRoles"] = [ENTRA_ROLES["Global Administrator"]]
    users["includedRoles"].remove(ENTRA_ROLES["Privileged Role Administrator"])
    _inputs(changed, "journeys-domain-admin-members")["approvalSettings"]["approvalRequired"] = False
    changes = compare(base, changed)
    assert all(c["direction"] == "loosened" for c in changes)
    by_setting = {c["setting"]: c for c in changes}
    assert set(by_setting) == {"excluded roles", "included roles", "approval"}
    assert by_setting["excluded roles"]["role"] == "Global Administrator"
    assert by_setting["included roles"]["role"] == "Privileged Role Administrator"
    assert "now excludes Global Administrator" in by_setting["excluded roles"]["summary"]
    assert by_setting["approval"]["after"] == "no approval" and by_setting["approval"]["role"] == "Domain Admin"
    assert not any(GUID.search(c["summary"]) for c in changes)


def test_a_private_access_app_widened(base):
    def edit(config):
        segment = config["privileged-access:privateAccess"]["apps"][0]["segments"][0]
        segment["destinationHost"] = "10.20.0.0/16"

    changes = compare(base, head(edit))
    change = only(changes, kind="network-access", direction="loosened", setting="segments")
    assert change["role"] == "PUM SSH to Linux servers"
    assert "now also 10.20.0.0/16 port 22-22/tcp; no longer 10.20.0.0/24 port 22-22/tcp" in change["summary"]
