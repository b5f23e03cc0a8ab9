"""Benchmark: `pum audit` of synthetic tenants (the stand-in's planted tenant, scaled up).

For each size N it writes an export with N directory role assignments (a third standing), N eligibilities (one in
ten permanent), N/10 role-assignable groups with owners, N/20 CA policies and N/5 Azure role assignments, then runs
`tenant.audit.resources` (reading, checking and shaping the export) and the pack on the result, in this process.
Prints one JSON line per size: objects, resources, load_seconds, audit_seconds, peak_mb, mandatory. The figure to
watch: time grows about linearly with the tenant (audit 10x the objects in at most ~12x the time).

Usage: .venv/bin/python bench/audit.py [SIZE ...]   (default 500 2000 5000)
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "policies")]
GA = "62e90394-69f5-4237-9190-012177145e10"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
SUBSCRIPTION = "/subscriptions/4c7e1b2a-9d3f-4e8a-b6c5-1a2b3c4d5e6f"


def _id(n: int, kind: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}-{n}"))


def _schedule(n: int, permanent: bool) -> dict:
    expiration = (
        {"type": "noExpiration"} if permanent else {"type": "afterDateTime", "endDateTime": "2027-03-30T00:00:00Z"}
    )
    return {"startDateTime": "2026-10-01T00:00:00Z", "expiration": expiration}


def write_export(directory: str, n: int) -> int:
    users = [_id(i, "user") for i in range(n)]
    groups = [_id(i, "group") for i in range(max(1, n // 10))]
    graph = {
        "roleAssignmentSchedules": [
            {
                "id": f"a{i}",
                "principalId": users[i],
                "roleDefinitionId": GA,
                "directoryScopeId": "/",
                "assignmentType": "Assigned" if i % 3 == 0 else "Activated",
                "scheduleInfo": _schedule(i, True),
            }
            for i in range(n)
        ],
        "roleEligibilitySchedules": [
            {
                "id": f"e{i}",
                "principalId": users[i],
                "roleDefinitionId": GA,
                "directoryScopeId": "/",
                "scheduleInfo": _schedule(i, i % 10 == 0),
            }
            for i in range(n)
        ],
        "groups": [
            {"id": g, "displayName": f"group {i}", "isAssignableToRole": True, "securityEnabled": True}
            for i, g in enumerate(groups)
        ],
        "conditionalAccessPolicies": [
            {
                "id": _id(i, "ca"),
                "displayName": f"policy {i}",
                "state": "enabled",
                "conditions": {
                    "users": {"includeUsers": ["All"], "excludeUsers": users[:2]},
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"],
                },
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
            }
            for i in range(max(1, n // 20))
        ],
    }
    per_group = {"groupOwners": {g: [{"id": users[0]}] for g in groups}}
    arm = {
        "roleAssignments": {
            SUBSCRIPTION: [
                {
                    "id": f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/{_id(i, 'ra')}",
                    "name": _id(i, "ra"),
                    "properties": {
                        "roleDefinitionId": f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
                        "principalId": users[i],
                        "principalType": "User",
                        "scope": SUBSCRIPTION,
                    },
                }
                for i in range(max(1, n // 5))
            ]
        }
    }
    files = []

    def put(api: str, name: str, value, key: str | None = None) -> None:
        relative = f"{api}/{name}" + (f"/{hashlib.sha256(key.encode()).hexdigest()[:16]}" if key else "") + ".json"
        data = json.dumps({"request": "GET bench", "value": value}).encode()
        os.makedirs(os.path.dirname(os.path.join(directory, relative)), exist_ok=True)
        with open(os.path.join(directory, relative), "wb") as handle:
            handle.write(data)
        files.append(
            {
                "api": api,
                "name": name,
                "file": relative,
                "sha256": hashlib.sha256(data).hexdigest(),
                **({"key": key} if key else {}),
            }
        )

    from tenant.endpoints import ALL

    for name, value in graph.items():
        put("graph", name, value)
    for name, table in {**per_group, **arm}.items():
        for key, value in table.items():
            put("arm" if name in arm else "graph", name, value, key)
    written = {(f["api"], f["name"], f.get("key")) for f in files}
    for e in ALL:  # every other read, answered empty: a complete export
        keys = {None: [None], "group": groups, "scope": [SUBSCRIPTION]}.get(e.per, [])
        for key in keys:
            if (e.api, e.name, key) not in written:
                put(e.api, e.name, [], key)
    with open(os.path.join(directory, "manifest.json"), "w") as handle:
        json.dump(
            {"format": "pum-export", "version": 1, "scopes": [SUBSCRIPTION], "files": files, "errors": []}, handle
        )
    return sum(len(v) for v in graph.values()) + len(groups) + len(arm["roleAssignments"][SUBSCRIPTION])


def measure(n: int) -> dict:
    from pum.audit import audit_report
    from pum.engine import _load_packs
    from tenant.audit import resources

    packs = _load_packs([os.path.join(ROOT, "policies")], [])
    with tempfile.TemporaryDirectory() as directory:
        objects = write_export(directory, n)
        started = time.perf_counter()
        found = resources(directory)
        loaded = time.perf_counter()
        report = audit_report("privileged-access", "tenant", found, packs, "bench")
        done = time.perf_counter()
    return {
        "objects": objects,
        "resources": len(found["resources"]),
        "load_seconds": round(loaded - started, 3),
        "audit_seconds": round(done - loaded, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "mandatory": len(report.mandatory),
    }


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [500, 2000, 5000]:
        print(json.dumps({"size": size, **measure(size)}), flush=True)
