"""Generated exports and ScubaGear files through the real `pum audit`: exit 0, 1 or 2 (never 3: the hook does not
crash on bad data), never a traceback, and bad input names the file. The pack is this project's (the audit is only
useful with it); the example count is small and fixed (PUM_FUZZ_EXAMPLES raises it), derandomised in CI."""

from __future__ import annotations

import hashlib
import json
import os

from clihelp import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = settings(
    max_examples=int(os.environ.get("PUM_FUZZ_EXAMPLES", "40")) // 2 or 1,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
_GUIDS = st.sampled_from(
    ["62e90394-69f5-4237-9190-012177145e10", "3A110E77-1B2C-4D3E-8F4A-5B6C7D8E9F01", "not-a-guid", ""]
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=8), _GUIDS
)
_KEYS = st.sampled_from(
    [
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "assignmentType",
        "scheduleInfo",
        "expiration",
        "type",
        "endDateTime",
        "startDateTime",
        "conditions",
        "users",
        "includeUsers",
        "excludeUsers",
        "state",
        "grantControls",
        "builtInControls",
        "properties",
        "scope",
        "policy",
        "rules",
        "displayName",
        "accessId",
        "groupId",
        "RoleTemplateId",
        "Assignments",
        "Rules",
        "PrincipalId",
        "EndDateTime",
        "StartDateTime",
        "Conditions",
        "State",
        "TenantId",
    ]
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=6)),
    max_leaves=30,
)
_NAMES = st.sampled_from(
    [
        ("graph", "roleAssignmentSchedules", None),
        ("graph", "roleEligibilitySchedules", None),
        ("graph", "roleManagementPolicyAssignments", None),
        ("graph", "conditionalAccessPolicies", None),
        ("graph", "groups", None),
        ("graph", "groupOwners", "9a0a0001-2c3d-4e5f-9a6b-7c8d9e0f1a05"),
        ("graph", "directoryObjects", "3a110e77-1b2c-4d3e-8f4a-5b6c7d8e9f01"),
        ("arm", "roleAssignments", "/subscriptions/4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f"),
        ("arm", "roleEligibilitySchedules", "/subscriptions/4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f"),
    ]
)


def _check(code: int, err: str, where: str) -> None:
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert where in err, err


@FUZZ
@given(files=st.lists(st.tuples(_NAMES, _JSON), min_size=1, max_size=4), manifest_extra=_JSON)
def test_generated_exports(tmp_path_factory, files, manifest_extra):
    directory = tmp_path_factory.mktemp("export")
    entries = []
    for index, ((api, name, key), value) in enumerate(files):
        data = json.dumps({"request": "GET x", "value": value}).encode()
        relative = f"{api}/{name}-{index}.json"
        (directory / api).mkdir(exist_ok=True)
        (directory / relative).write_bytes(data)
        entry = {"api": api, "name": name, "file": relative, "sha256": hashlib.sha256(data).hexdigest()}
        if key is not None:
            entry["key"] = key
        entries.append(entry)
    manifest = {"format": "pum-export", "version": 1, "files": entries, "errors": []}
    if isinstance(manifest_extra, dict):
        manifest.update({k: v for k, v in manifest_extra.items() if k not in ("format", "version", "files")})
    (directory / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = run_cli("audit", "--cwd", ROOT, "--from", str(directory), "--format", "json")
    _check(code, err, str(directory))


@FUZZ
@given(
    document=st.dictionaries(
        st.sampled_from(
            [
                "privileged_roles",
                "conditional_access_policies",
                "privileged_users",
                "tenant_details",
                "aad_unsuccessful_commands",
                "timestamp_zulu",
            ]
        ),
        _JSON,
        min_size=1,
        max_size=6,
    )
)
def test_generated_scubagear_files(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("scuba") / "ProviderSettingsExport.json"
    path.write_text(json.dumps(document))
    code, _, err = run_cli("audit", "--cwd", ROOT, "--from", str(path), "--format", "json")
    _check(code, err, str(path))
