"""`pum graph`: the privilege map built from a recorded plan, as Mermaid and as a self-contained
HTML page rendered in headless Chromium (Debian package `chromium`)."""

import os
import re
import shutil
import subprocess

import pulumi_azuread as azuread
import pytest

from components.graph.role_eligibility import DirectoryRoleEligibility
from privilege_map import build_map, path_is_standing, render
from pum.engine import run_preview

GA = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
CONNECTOR = "33333333-3333-4333-8333-333333333333"


def program():
    """Break-glass standing GA; a journey granting a group eligible for User Administrator on an AU
    (2 h activation with MFA) and assigned to an SSH Private Access app covered by CA."""
    from components.graph.private_access import PrivateAccessApplication
    from components.graph.role_settings import EntraRoleSettings, build_role_rules

    bg = azuread.User(
        "bg", display_name="Emergency access A", user_principal_name="bg@contoso.onmicrosoft.com", password="x"
    )
    azuread.DirectoryRoleAssignment("bg-ga", role_id=GA, principal_object_id=bg.object_id)
    group = azuread.Group(
        "ua-group", display_name="PUM-T1-User Administrator", security_enabled=True, assignable_to_role=True
    )
    au = azuread.AdministrativeUnit("au", display_name="EMEA users")
    DirectoryRoleEligibility(
        "ua-eligible",
        principal_id=group.object_id,
        role_definition_id=USER_ADMIN,
        directory_scope_id=au.object_id.apply(lambda i: f"/administrativeUnits/{i}"),
        duration="P180D",
        justification="journey",
    )
    EntraRoleSettings(
        "ua-settings", role_definition_id=USER_ADMIN, rules=build_role_rules(activation_max_duration="PT2H")
    )
    catalog = azuread.AccessPackageCatalog("catalog", display_name="Journeys", description="j")
    resource = azuread.AccessPackageResourceCatalogAssociation(
        "resource", catalog_id=catalog.id, resource_origin_id=group.object_id, resource_origin_system="AadGroup"
    )
    package = azuread.AccessPackage("user-admin", catalog_id=catalog.id, display_name="User Admin", description="d")
    azuread.AccessPackageResourcePackageAssociation(
        "grant", access_package_id=package.id, catalog_resource_association_id=resource.id
    )
    azuread.AccessPackageAssignmentPolicy(
        "policy",
        access_package_id=package.id,
        display_name="p",
        description="p",
        duration_in_days=180,
        requestor_settings={"requests_accepted": True, "scope_type": "AllExistingDirectoryMemberUsers"},
        approval_settings={
            "approval_required": True,
            "approval_stages": [
                {"approval_timeout_in_days": 7, "primary_approvers": [{"subject_type": "requestorManager"}]}
            ],
        },
        assignment_review_settings={
            "enabled": True,
            "review_frequency": "halfyearly",
            "access_review_timeout_behavior": "removeAccess",
        },
    )
    app = PrivateAccessApplication(
        "ssh",
        display_name="SSH Linux servers",
        connector_group_id=CONNECTOR,
        segments=[
            {"destinationHost": "10.20.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22"], "protocol": "tcp"}
        ],
        assigned_group_ids=[group.object_id],
    )
    azuread.ConditionalAccessPolicy(
        "ssh-ca",
        display_name="ssh",
        state="enabled",
        conditions={
            "users": {"included_groups": [group.object_id]},
            "client_app_types": ["all"],
            "applications": {"included_applications": [app.appId]},
        },
        grant_controls={"operator": "AND", "built_in_controls": ["compliantDevice"]},
    )


@pytest.fixture(scope="module")
def report():
    return run_preview(program, policy_packs=[])


def test_paths_follow_the_plan_and_mark_standing_versus_jit(report):
    privilege_map = build_map(report)
    rows = {
        " → ".join([privilege_map.nodes[p[0].src].label] + [privilege_map.nodes[e.dst].label for e in p]): (
            path_is_standing(p),
            [c for e in p for c in e.controls],
        )
        for p in privilege_map.paths()
    }
    standing, controls = rows["Emergency access A → Global Administrator → tenant (directory)"]
    assert standing and controls == ["active assignment"]
    journey = (
        "all member users → User Admin → PUM-T1-User Administrator → User Administrator → "
        "administrative unit: EMEA users"
    )
    standing, controls = rows[journey]
    assert not standing
    for control in (
        "approval: manager",
        "expires after 180 d",
        "review halfyearly (removeAccess)",
        "eligible (activate in PIM)",
        "activation ≤ 2 h",
        "MFA",
        "eligibility P180D",
    ):
        assert control in controls
    ssh = "all member users → User Admin → PUM-T1-User Administrator → Private Access: SSH Linux servers"
    assert "compliant device" in rows[ssh][1]


def test_mermaid_marks_jit_dashed_and_standing_thick(report):
    text = render(report, "mermaid")
    assert text.startswith("flowchart LR\n")
    assert re.search(r'-\. "JIT: eligible \(activate in PIM\)[^"]*activation ≤ 2 h', text)
    assert '== "standing: active assignment" ==>' in text
    assert '"User Admin"]:::journey' in text and '"administrative unit: EMEA users"]:::scope' in text


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")


def _run(binary, profile, *args):
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1500,900",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_html_page_is_self_contained_and_renders_in_headless_chromium(report, tmp_path):
    page = render(report, "html")
    assert (
        not re.search(r"(src|href)=\"(https?:)?//", page)
        and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
        and "https://" not in page
    )
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    binary = _chromium()
    dom = _run(binary, tmp_path / "profile-dom", "--dump-dom", path.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for kind, label in (
        ("principal", "Emergency access A"),
        ("journey", "User Admin"),
        ("group", "PUM-T1-User Administrator"),
        ("role", "User Administrator"),
        ("scope", "administrative unit: EMEA users"),
        ("app", "Private Access: SSH Linux servers"),
    ):
        assert f'data-kind="{kind}" data-label="{label}"' in dom.stdout
    assert dom.stdout.count('<tr class="path">') == 3 and "just in time" in dom.stdout
    screenshot = tmp_path / "map.png"
    shot = _run(binary, tmp_path / "profile-shot", f"--screenshot={screenshot}", path.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1500, 900)
    if os.environ.get("PUM_GRAPH_SCREENSHOT"):
        shutil.copy(screenshot, os.environ["PUM_GRAPH_SCREENSHOT"])
