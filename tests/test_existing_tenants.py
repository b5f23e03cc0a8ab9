"""Existing tenants, end to end through the CLI: `pum export` from the stand-in tenant (tests/standin_tenant.py),
`pum audit --from` (each planted problem found, naming the tenant object), drift against a stack, `pum import`, and
the imported stack's preview (the problems still reported) and round trip (no drift for what was adopted)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from clihelp import run_cli
from graph_models import check_exchange
from standin_tenant import (
    ALICE,
    BLOCK_ALL,
    BOB,
    BREAK_GLASS_1,
    BREAK_GLASS_2,
    GA,
    GA_GROUP,
    MALLORY,
    OWEN,
    PRA,
    SUBSCRIPTION,
    TENANT_ID,
    USER_ADMIN,
    TenantStandIn,
    planted_tenant,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCOPE = f"/subscriptions/{SUBSCRIPTION}"
PLANTED = {  # policy -> the tenant object (display name, ID) its finding must name
    "entra-no-standing-privileged-role": ("Mallory Hand", MALLORY),
    "pim-eligibility-must-expire": ("Bob Permanent", BOB),
    "role-assignable-group-no-static-members": ("PIM Global Administrators", GA_GROUP),
    "ca-no-tenant-lockout": ("Block legacy everything", BLOCK_ALL),
    "azure-no-standing-privileged-role-subscription": ("Mallory Hand", MALLORY),
}


def serve(monkeypatch, tenant=None, **kwargs) -> TenantStandIn:
    standin = TenantStandIn(tenant, **kwargs).start()
    for name in ("GRAPH", "ARM"):
        monkeypatch.setenv(f"PUM_{name}_BASE_URL", standin.url)
        monkeypatch.setenv(f"PUM_{name}_TOKEN", standin.token)
    return standin


def checked(standin: TenantStandIn) -> None:
    standin.stop()
    assert not standin.violations, standin.violations
    graph = [r for r in standin.exchanges if r.path.startswith(("/v1.0/", "/beta/"))]
    problems = check_exchange(graph)
    assert not problems, "exchanges Microsoft's SDK models disagree with:\n" + "\n".join(problems)


@pytest.fixture
def exported(monkeypatch, tmp_path):
    """The planted tenant, exported with `pum export` (Graph and the subscription)."""
    standin = serve(monkeypatch)
    target = tmp_path / "export"
    code, out, err = run_cli("export", "--cwd", ROOT, "--output", str(target), "--scope", SCOPE)
    checked(standin)
    assert code == 0, err
    assert standin.token not in "".join(p.read_text() for p in target.rglob("*.json"))
    return target, standin


def pack_config(tmp_path) -> str:
    """The pack config naming the tenant's break-glass accounts (the audit cannot know them otherwise)."""
    from pum.engine import _load_packs

    (pack,) = _load_packs([os.path.join(ROOT, "policies")], [])
    names = [p.name for p in pack.policies if "breakGlassObjectIds" in json.dumps(p.config_schema or {})]
    path = tmp_path / "pack.json"
    path.write_text(json.dumps({n: {"breakGlassObjectIds": [BREAK_GLASS_1, BREAK_GLASS_2]} for n in names}))
    return str(path)


def audit(*args) -> tuple[int, dict, str]:
    code, out, err = run_cli("audit", "--cwd", ROOT, "--format", "json", *args)
    return code, (json.loads(out) if out.strip() else {}), err


# --- export --------------------------------------------------------------------------------------------------------


def test_export_reads_every_endpoint_pages_and_writes_a_checked_manifest(exported):
    target, standin = exported
    manifest = json.loads((target / "manifest.json").read_text())
    assert (manifest["format"], manifest["version"], manifest["tenantId"]) == ("pum-export", 1, TENANT_ID)
    assert manifest["scopes"] == [SCOPE] and manifest["errors"] == []
    from tenant.endpoints import ALL

    names = {(f["api"], f["name"]) for f in manifest["files"]}
    assert names == {(e.api, e.name) for e in ALL}
    by_name = {(f["api"], f["name"], f.get("key")): f for f in manifest["files"]}
    schedules = by_name[("graph", "roleAssignmentSchedules", None)]
    assert schedules["count"] == 4  # served two per page: the export followed @odata.nextLink
    assert json.loads((target / schedules["file"]).read_text())["value"][3]["id"] == "mallory-ga"
    assert by_name[("graph", "groupOwners", GA_GROUP)]["count"] == 1
    assert by_name[("arm", "roleAssignments", SCOPE)]["count"] == 2  # ARM's nextLink followed too
    assert {r.method for r in standin.exchanges} == {"GET"}
    assert any("$skiptoken" in r.query or "$skipToken" in r.query for r in standin.exchanges)


def test_a_refused_read_is_listed_exit_1_and_the_audit_reports_the_gap(monkeypatch, tmp_path):
    standin = serve(monkeypatch)
    standin.throttle_matching("GET", "/identity/conditionalAccess/policies", n=5, status=403, retry_after=None)
    target = tmp_path / "export"
    code, out, err = run_cli("export", "--cwd", ROOT, "--output", str(target))
    standin.stop()
    assert code == 1 and "not exported: GET /v1.0/identity/conditionalAccess/policies: 403" in out
    manifest = json.loads((target / "manifest.json").read_text())
    (error,) = manifest["errors"]
    assert error["name"] == "conditionalAccessPolicies" and error["permission"] == "Policy.Read.All"
    code, report, _ = audit("--from", str(target))
    gaps = [v for v in report["violations"] if v["policy"] == "export-complete"]
    assert code == 1 and len(gaps) == 1 and gaps[0]["enforcementLevel"] == "mandatory"
    assert "grant Policy.Read.All" in gaps[0]["message"]


def test_export_is_all_or_nothing_and_replaces_only_an_export(monkeypatch, tmp_path):
    import tenant.export as export_module

    target = tmp_path / "export"
    standin = serve(monkeypatch)
    monkeypatch.setattr(export_module, "MAX_OBJECTS", 0)  # fails after the first reads
    code, _, err = run_cli("export", "--cwd", ROOT, "--output", str(target))
    assert code == 2 and "at most 0" in err
    assert os.listdir(tmp_path) == []  # no half-written export, no temporary directory left
    monkeypatch.setattr(export_module, "MAX_OBJECTS", 5000)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    code, _, err = run_cli("export", "--cwd", ROOT, "--output", str(other))
    assert code == 2 and "is not a pum export" in err and (other / "mine.txt").read_text() == "keep me"
    assert run_cli("export", "--cwd", ROOT, "--output", str(target))[0] == 0
    assert run_cli("export", "--cwd", ROOT, "--output", str(target))[0] == 0  # an export is replaced
    standin.stop()
    assert sorted(os.listdir(tmp_path)) == ["export", "notes"]


@pytest.mark.parametrize("scope", ["/", "/subscriptions/x", "subscriptions/" + SUBSCRIPTION, SCOPE + "/../x"])
def test_a_bad_scope_is_a_usage_error(monkeypatch, tmp_path, scope):
    code, _, err = run_cli("export", "--cwd", ROOT, "--output", str(tmp_path / "e"), "--scope", scope)
    assert code == 2 and "--scope" in err and "Traceback" not in err


# --- audit ---------------------------------------------------------------------------------------------------------


def test_audit_finds_each_planted_problem_naming_the_tenant_object(exported, tmp_path):
    target, _ = exported
    code, report, err = audit("--from", str(target), "--policy-pack-config", pack_config(tmp_path))
    assert code == 1, err
    assert report["audit"]["tenant"] == TENANT_ID and report["audit"]["source"] == "pum-export"
    for policy, (name, object_id) in PLANTED.items():
        found = [v for v in report["violations"] if v["policy"] == policy and v["enforcementLevel"] == "mandatory"]
        assert any(name in (v["urn"] or "") + v["message"] and object_id in (v["urn"] or "") for v in found), policy
    # the break-glass accounts the config names are not standing access; the owner of the GA group is named
    standing = [v["urn"] for v in report["violations"] if v["policy"] == "entra-no-standing-privileged-role"]
    assert not any(BREAK_GLASS_1 in u or BREAK_GLASS_2 in u for u in standing)
    owners = [v for v in report["violations"] if v["policy"] == "role-assignable-group-no-static-members"]
    assert any("owners" in v["message"] for v in owners)
    assert all(r["inputs"] for r in report["resources"])  # the post-deployment view: properties known


def test_a_fixed_tenant_is_not_reported_for_what_was_fixed(monkeypatch, tmp_path):
    tenant = planted_tenant()
    tenant["roleAssignmentSchedules"] = [s for s in tenant["roleAssignmentSchedules"] if s["principalId"] != MALLORY]
    tenant["roleEligibilitySchedules"] = [s for s in tenant["roleEligibilitySchedules"] if s["principalId"] != BOB]
    tenant["groupOwners"][GA_GROUP] = []
    tenant["conditionalAccessPolicies"] = [p for p in tenant["conditionalAccessPolicies"] if p["id"] != BLOCK_ALL]
    tenant["arm"]["roleAssignments"][SCOPE] = tenant["arm"]["roleAssignments"][SCOPE][1:]
    standin = serve(monkeypatch, tenant)
    target = tmp_path / "export"
    assert run_cli("export", "--cwd", ROOT, "--output", str(target), "--scope", SCOPE)[0] == 0
    checked(standin)
    _, report, _ = audit("--from", str(target), "--policy-pack-config", pack_config(tmp_path))
    for policy, (_, object_id) in PLANTED.items():
        assert not [v for v in report["violations"] if v["policy"] == policy and object_id in (v["urn"] or "")]


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_audit_writes_every_report_format(exported, fmt):
    target, _ = exported
    code, out, err = run_cli("audit", "--cwd", ROOT, "--from", str(target), "--format", fmt)
    assert code == 1 and "Mallory Hand" in out, err


def _tampered(exported, tmp_path, change) -> str:
    source, _ = exported
    copy = tmp_path / "tampered"
    shutil.copytree(source, copy)
    change(copy)
    return str(copy)


def _manifest_edit(edit):
    def change(directory):
        path = directory / "manifest.json"
        manifest = json.loads(path.read_text())
        edit(manifest, directory)
        path.write_text(json.dumps(manifest))

    return change


def _forge_file(directory):
    path = directory / "graph" / "roleAssignmentSchedules.json"
    data = json.loads(path.read_text())
    data["value"] = [s for s in data["value"] if s["principalId"] != MALLORY]  # hide the standing GA
    path.write_text(json.dumps(data))


def _link(directory):
    target = directory / "graph" / "groups.json"
    target.unlink()
    target.symlink_to("/etc/hostname")


TAMPERING = {
    "a file changed after the export": (_forge_file, "SHA-256"),
    "a path out of the export": (
        _manifest_edit(lambda m, d: m["files"][0].update(file="../../etc/passwd")),
        "leaves the export directory",
    ),
    "an absolute path": (_manifest_edit(lambda m, d: m["files"][0].update(file="/etc/passwd")), "relative path"),
    "a symbolic link": (_link, "symbolic link"),
    "another format": (_manifest_edit(lambda m, d: m.update(format="other")), "'format'"),
    "a later version": (_manifest_edit(lambda m, d: m.update(version=2)), "'version'"),
    "files not a list": (_manifest_edit(lambda m, d: m.update(files={})), "'files'"),
    "errors not a list": (_manifest_edit(lambda m, d: m.update(errors="none")), "'errors'"),
    "deep JSON": (lambda d: (d / "manifest.json").write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
    "not JSON": (lambda d: (d / "manifest.json").write_text("{"), "not JSON"),
    "no manifest": (lambda d: (d / "manifest.json").unlink(), "no such file"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_broken_or_forged_export_is_refused_exit_2(exported, tmp_path, case):
    change, words = TAMPERING[case]
    code, report, err = audit("--from", _tampered(exported, tmp_path, change))
    assert code == 2 and words in err and "Traceback" not in err, err


def test_audit_of_a_missing_source_is_a_usage_error(tmp_path):
    code, _, err = audit("--from", str(tmp_path / "nothing"))
    assert code == 2 and "no such directory or file" in err


# --- ScubaGear ----------------------------------------------------------------------------------------------------

SCUBA = os.path.join(ROOT, "tests", "fixtures", "scuba", "ProviderSettingsExport.json")


def test_scubagear_export_is_judged_by_the_same_pack():
    code, report, err = audit("--from", SCUBA)
    assert code == 1, err
    assert (
        report["audit"]["source"] == "scubagear" and report["audit"]["tenant"] == "7d3c1a52-4b8e-4f0a-9c61-2e5f8a9b0c11"
    )
    standing = [v["urn"] for v in report["violations"] if v["policy"] == "entra-no-standing-privileged-role"]
    assert any("Mallory Hand" in u and "0a1b2c3d-3333-4a4a-8b8b-000000000003" in u for u in standing)
    lockout = [v["urn"] for v in report["violations"] if v["policy"] == "ca-no-tenant-lockout"]
    assert any("Block legacy everything" in u for u in lockout)
    text = run_cli("audit", "--cwd", ROOT, "--from", SCUBA)[1]
    assert "ScubaGear's export holds no eligibilities" in text


def test_scubagear_failed_commands_are_gaps(tmp_path):
    data = json.loads(open(SCUBA, encoding="utf-8").read())
    data["aad_unsuccessful_commands"] = ["Get-MgBetaIdentityConditionalAccessPolicy"]
    path = tmp_path / "ProviderSettingsExport.json"
    path.write_text(json.dumps(data))
    _, report, _ = audit("--from", str(path))
    gaps = [v for v in report["violations"] if v["policy"] == "export-complete"]
    assert len(gaps) == 1 and "Get-MgBetaIdentityConditionalAccessPolicy" in gaps[0]["message"]


def test_a_json_file_that_is_not_scubagear_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    code, _, err = audit("--from", str(path))
    assert code == 2 and "ProviderSettingsExport.json" in err


# --- drift -------------------------------------------------------------------------------------------------------


def test_drift_against_the_example_stack_lists_both_directions(exported):
    target, _ = exported
    code, report, err = audit("--from", str(target), "--stack", "example")
    assert code == 1, err
    unmanaged = {(d["kind"], (d["object"] or {}).get("id")) for d in report["drift"] if d["direction"] == "unmanaged"}
    assert ("standing role", MALLORY) in unmanaged  # standing access created by hand
    assert ("role-assignable group", GA_GROUP) in unmanaged  # an unmanaged PIM group
    assert ("CA policy", BLOCK_ALL) in unmanaged  # a CA policy outside the baseline
    missing = [d["summary"] for d in report["drift"] if d["direction"] == "missing"]
    assert any("conditional-access-ca01" in s for s in missing)  # the baseline the tenant lacks
    text = run_cli("audit", "--cwd", ROOT, "--from", str(target), "--stack", "example")[1]
    assert "In the tenant, not in the stack:" in text and "In the stack, not in the tenant:" in text


def test_drift_needs_an_existing_stack(exported):
    target, _ = exported
    code, _, err = audit("--from", str(target), "--stack", "no-such-stack")
    assert code == 2 and "no-such-stack" in err


# --- import ------------------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A copy of this project to import into (pum import writes its stack file there)."""
    copy = tmp_path / "project"
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        os.makedirs(copy, exist_ok=True)
        shutil.copy(os.path.join(ROOT, name), copy / name)
    for name in ("components", "policies", "privilege_map", "tenant", "stacks"):
        shutil.copytree(os.path.join(ROOT, name), copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_import_writes_a_stack_that_keeps_reporting_the_problems_and_round_trips(exported, project, tmp_path):
    target, _ = exported
    confirm = ("--break-glass", BREAK_GLASS_1, "--break-glass", BREAK_GLASS_2)
    code, out, err = run_cli("import", "--cwd", str(project), "--from", str(target), "--stack", "adopted", *confirm)
    assert code == 0, err
    stack_file = project / "stacks" / "Pulumi.adopted.yaml"
    imports = json.loads((project / "adopted.import.json").read_text())
    report = (project / "adopted.import-report.md").read_text()
    import yaml

    config = yaml.safe_load(stack_file.read_text())["config"]
    assert config["azuread:tenantId"] == TENANT_ID
    assert [a["upn"] for a in config["privileged-access:breakGlass"]["accounts"]] == [
        "break.glass.1@contoso.onmicrosoft.com",
        "break.glass.2@contoso.onmicrosoft.com",
    ]
    (binding,) = config["privileged-access:pim"]["roleBindings"]  # Alice's expiring eligibility: just in time
    assert (binding["mode"], binding["eligibilityStart"], binding["eligibilityLifetime"]) == (
        "direct",
        "2026-10-01",
        "P180D",
    )
    adopted = config["privileged-access:adopted"]
    assert {a["principalId"] for a in adopted["roleAssignments"]} == {MALLORY, GA_GROUP}
    assert adopted["roleEligibilities"][0]["principalId"] == BOB and adopted["roleEligibilities"][0]["end"] is None
    assert adopted["groups"][0]["owners"] == [OWEN]
    # nothing silently dropped: every object that is not declared is in the report
    for name in ("Mallory Hand", "Bob Permanent", "PIM Global Administrators", "conditional access"):
        assert name in report
    ids = {e["logicalName"]: e.get("id") for e in imports["resources"]}
    assert ids["adopted-group-pim-global-administrators-9a0a0001"] == f"/groups/{GA_GROUP}"
    assert ids["break-glass-break-glass-1"].startswith("/users/" + BREAK_GLASS_1)
    assert ids["break-glass-break-glass-1-global-admin"] == "/roleManagement/directory/roleAssignments/ra-bg1-ga"
    assert ids["admin-accounts-alice-admin-a11ce001"] == f"/users/{ALICE}"
    parents = {e["name"] for e in imports["resources"] if e.get("component")}
    assert {e["parent"] for e in imports["resources"] if "parent" in e} <= parents
    assert {r["role"] for r in adopted["roleSettings"]} == {GA, PRA, USER_ADMIN}  # the tenant's PIM settings
    # refuses to overwrite without --force
    code, _, err = run_cli("import", "--cwd", str(project), "--from", str(target), "--stack", "adopted", *confirm)
    assert code == 2 and "--force" in err
    # the imported stack previews with the problems still reported
    code, out, err = run_cli("preview", "--cwd", str(project), "--stack", "adopted", "--format", "json")
    assert code == 1, err
    preview = json.loads(out)
    for policy in PLANTED:
        assert [v for v in preview["violations"] if v["policy"] == policy and v["enforcementLevel"] == "mandatory"], (
            policy
        )
    # ... and every kind of finding the audit makes (break-glass named as in the import)
    _, audited, _ = audit("--from", str(target), "--policy-pack-config", pack_config(tmp_path))
    kinds = {v["policy"] for v in audited["violations"] if v["enforcementLevel"] == "mandatory"}
    assert kinds <= {v["policy"] for v in preview["violations"] if v["enforcementLevel"] == "mandatory"}
    assert any(e["type"] == "azure-native:desktopvirtualization:HostPool" for e in imports["resources"])
    # round trip: the tenant holds exactly what the imported stack declares
    code, drift, err = audit("--cwd", str(project), "--from", str(target), "--stack", "adopted")
    assert drift["drift"] == [], drift["drift"]


def test_without_the_config_break_glass_is_standing_access_and_the_candidates_are_named(exported):
    target, _ = exported
    code, report, _ = audit("--from", str(target))
    standing = [v["urn"] for v in report["violations"] if v["policy"] == "entra-no-standing-privileged-role"]
    assert code == 1 and any(BREAK_GLASS_1 in u for u in standing) and any(BREAK_GLASS_2 in u for u in standing)
    text = run_cli("audit", "--cwd", ROOT, "--from", str(target))[1]
    candidates = next(line for line in text.splitlines() if "break-glass candidates" in line)
    assert BREAK_GLASS_1 in text and BREAK_GLASS_2 in text and "breakGlassObjectIds" in text, candidates
    assert MALLORY not in candidates  # no CA policy excludes her


def test_import_declares_break_glass_only_when_asked_and_only_for_candidates(exported, project):
    """A standing Global Administrator is never laundered into a break-glass account by the import itself."""
    import yaml

    target, _ = exported
    code, _, err = run_cli("import", "--cwd", str(project), "--from", str(target), "--stack", "plain")
    assert code == 0, err
    config = yaml.safe_load((project / "stacks" / "Pulumi.plain.yaml").read_text())["config"]
    assert "privileged-access:breakGlass" not in config
    standing = {a["principalId"] for a in config["privileged-access:adopted"]["roleAssignments"]}
    assert {BREAK_GLASS_1, BREAK_GLASS_2, MALLORY} <= standing
    report = (project / "plain.import-report.md").read_text()
    assert f"--break-glass {BREAK_GLASS_1}" in report and f"--break-glass {MALLORY}" not in report
    code, _, err = run_cli(
        "import",
        "--cwd",
        str(project),
        "--from",
        str(target),
        "--stack",
        "laundered",
        "--break-glass",
        BREAK_GLASS_1,
        "--break-glass",
        MALLORY,
    )
    assert code == 2 and "is not a break-glass candidate" in err and MALLORY in err
    assert not (project / "stacks" / "Pulumi.laundered.yaml").exists()
    code, _, err = run_cli(
        "import", "--cwd", str(project), "--from", str(target), "--stack", "one", "--break-glass", BREAK_GLASS_1
    )
    assert code == 2 and "two or more" in err


def test_a_permanent_activation_is_standing_access(monkeypatch, tmp_path):
    tenant = planted_tenant()
    for schedule in tenant["roleAssignmentSchedules"]:
        if schedule["principalId"] == MALLORY:
            schedule["assignmentType"] = "Activated"  # calls itself an activation, never ends
    standin = serve(monkeypatch, tenant)
    target = tmp_path / "export"
    assert run_cli("export", "--cwd", ROOT, "--output", str(target))[0] == 0
    checked(standin)
    _, report, _ = audit("--from", str(target))
    standing = [v["urn"] for v in report["violations"] if v["policy"] == "entra-no-standing-privileged-role"]
    assert any(MALLORY in u for u in standing)


def test_an_export_missing_a_read_or_listing_one_twice_is_refused(exported, tmp_path):
    def drop(manifest, directory):
        manifest["files"] = [f for f in manifest["files"] if f["name"] != "roleAssignmentSchedules"]

    def twice(manifest, directory):
        manifest["files"].append(next(f for f in manifest["files"] if f["name"] == "roleAssignmentSchedules"))

    def keyed(manifest, directory):
        next(f for f in manifest["files"] if f["name"] == "roleAssignmentSchedules")["key"] = "x"

    def owners_of_a_group(manifest, directory):
        manifest["files"] = [f for f in manifest["files"] if f["name"] != "groupOwners"]

    for change, words in (
        (drop, "lacks graph roleAssignmentSchedules"),
        (twice, "listed twice"),
        (keyed, "takes no 'key'"),
        (owners_of_a_group, "lacks graph groupOwners"),
    ):
        path = tmp_path / change.__name__
        code, _, err = audit("--from", _tampered(exported, path, _manifest_edit(change)))
        assert code == 2 and words in err, (change.__name__, err)


def test_duplicate_keys_nan_and_wrong_types_are_refused_not_guessed(exported, tmp_path):
    def duplicate(directory):
        path = directory / "graph" / "roleAssignmentSchedules.json"
        path.write_text(
            path.read_text().replace(
                '"assignmentType": "Assigned"', '"assignmentType": "Assigned", "assignmentType": "Activated"', 1
            )
        )
        _rehash(directory)

    def nan(directory):
        path = directory / "graph" / "roleAssignmentSchedules.json"
        path.write_text(path.read_text().replace('"memberType": "Direct"', '"memberType": NaN', 1))
        _rehash(directory)

    def wrong_type(directory):
        path = directory / "graph" / "roleManagementPolicyAssignments.json"
        data = json.loads(path.read_text())
        data["value"][0]["policy"] = "x"
        path.write_text(json.dumps(data))
        _rehash(directory)

    for change, words in ((duplicate, "appears twice"), (nan, "not a JSON number"), (wrong_type, "wrong type")):
        code, _, err = audit("--from", _tampered(exported, tmp_path / change.__name__, change))
        assert code == 2 and words in err and "Traceback" not in err, (change.__name__, err)


def _rehash(directory) -> None:
    import hashlib

    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((directory / entry["file"]).read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest))


def test_export_never_replaces_a_directory_holding_other_files(exported, monkeypatch, tmp_path):
    target, _ = exported
    (target / "graph" / "notes.txt").write_text("mine")
    standin = serve(monkeypatch)
    code, _, err = run_cli("export", "--cwd", ROOT, "--output", str(target))
    standin.stop()
    assert code == 2 and "not a pum export" in err and (target / "graph" / "notes.txt").read_text() == "mine"


def test_drift_counts_two_objects_of_one_name(exported):
    from tenant.drift import compare

    group = {
        "type": "azuread:index/group:Group",
        "name": "g",
        "properties": {"displayName": "Admins", "objectId": GA_GROUP},
    }
    twin = {**group, "name": "g #2", "properties": {**group["properties"], "objectId": OWEN}}
    plan = {
        "resources": [
            {
                "urn": "u",
                "type": "azuread:index/group:Group",
                "name": "admins",
                "inputs": {"displayName": "Admins", "assignableToRole": True},
            }
        ]
    }
    drift = compare({"resources": [group, twin]}, plan)
    assert [d["direction"] for d in drift] == ["unmanaged"]


@pytest.mark.parametrize(
    ("file", "change"),
    [
        ("graph/roleAssignmentSchedules.json", lambda v: v[3].update(roleDefinitionId=62)),
        ("graph/conditionalAccessPolicies.json", lambda v: v[0].update(conditions="all")),
        (
            "arm/roleAssignments/subscriptions_4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f.json",
            lambda v: v[0].update(properties="x"),
        ),
    ],
)
def test_a_value_a_verdict_hangs_on_of_the_wrong_type_is_refused(exported, tmp_path, file, change):
    def edit(directory):
        path = directory / file
        data = json.loads(path.read_text())
        change(data["value"])
        path.write_text(json.dumps(data))
        _rehash(directory)

    code, _, err = audit("--from", _tampered(exported, tmp_path, edit))
    assert code == 2 and "wrong type" in err, err


def test_a_paw_host_pool_is_judged_by_the_paw_policies(monkeypatch, tmp_path):
    def paw_findings(tenant) -> set[str]:
        standin = serve(monkeypatch, tenant)
        target = tmp_path / f"export-{len(os.listdir(tmp_path))}"
        assert run_cli("export", "--cwd", ROOT, "--output", str(target), "--scope", SCOPE)[0] == 0
        checked(standin)
        _, report, _ = audit("--from", str(target))
        return {v["policy"] for v in report["violations"] if v["policy"].startswith("paw-host-pool")}

    assert paw_findings(planted_tenant()) == set()  # the stand-in's PAW is personal, private, redirections off
    tenant = planted_tenant()
    (pool,) = tenant["arm"]["hostPools"][SUBSCRIPTION]
    pool["properties"].update(hostPoolType="Pooled", publicNetworkAccess="Enabled")
    assert {"paw-host-pool-personal", "paw-host-pool-no-public-network"} <= paw_findings(tenant)


def _edit_value(file: str, change):
    def edit(directory):
        path = directory / file
        data = json.loads(path.read_text())
        change(data["value"])
        path.write_text(json.dumps(data))
        _rehash(directory)

    return edit


ARM_ASSIGNMENTS = "arm/roleAssignments/subscriptions_4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f.json"


def _reader_twin(items):
    twin = json.loads(json.dumps(items[0]))
    twin["properties"]["roleDefinitionId"] = twin["properties"]["roleDefinitionId"].replace(
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    )
    items.insert(0, twin)


def _far_activation(items):
    mallory = next(i for i in items if i["principalId"] == MALLORY)
    mallory["assignmentType"] = "Activated"
    mallory["scheduleInfo"]["expiration"] = {"type": "afterDateTime", "endDateTime": "9999-12-31T00:00:00Z"}


@pytest.mark.parametrize(
    ("name", "edit", "policy", "object_id"),
    [
        (
            "an 'activation' lasting years",
            _edit_value("graph/roleAssignmentSchedules.json", _far_activation),
            "entra-no-standing-privileged-role",
            MALLORY,
        ),
        (
            "CA state in capitals",
            _edit_value("graph/conditionalAccessPolicies.json", lambda v: v[0].update(state="ENABLED")),
            "ca-no-tenant-lockout",
            BLOCK_ALL,
        ),
    ],
)
def test_disguised_problems_are_still_reported(exported, tmp_path, name, edit, policy, object_id):
    code, report, err = audit("--from", _tampered(exported, tmp_path, edit))
    assert code == 1, err
    assert [v for v in report["violations"] if v["policy"] == policy and object_id in (v["urn"] or "")], name


def _spaced_group_id(directory):
    """The GA group's ID with a trailing space, and its per-group reads keyed to match (a consistent manifest)."""
    _edit_value("graph/groups.json", lambda v: v[0].update(id=v[0]["id"] + " "))(directory)
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["files"]:
        if entry.get("key") == GA_GROUP:
            entry["key"] = GA_GROUP + " "
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("two different ARM objects of one ID", _edit_value(ARM_ASSIGNMENTS, _reader_twin)),
        ("a group ID that is not Graph's", _spaced_group_id),
    ],
)
def test_ambiguous_objects_are_refused(exported, tmp_path, name, edit):
    code, _, err = audit("--from", _tampered(exported, tmp_path, edit))
    assert code == 2 and "not what Graph or ARM answered" in err, (name, err)
