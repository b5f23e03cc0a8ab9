"""`pum export`: a tenant's privileged state, read-only, into an export directory (format: README "Existing tenants").

Guarantees:
- Read-only: only GET requests (tenant.endpoints), through components.graph.client (bounded retries, the token never
  leaves Graph's or ARM's origin, never in an error, a file or the manifest).
- Complete or it says so: a request Graph or ARM refused (a missing permission, a throttle that outlasted the retries)
  is listed in the manifest's ``errors`` and the export's exit is 1; ``pum audit`` reports each such gap as a
  mandatory "not exported" finding, never as a clean area.
- The directory is written whole or not at all: it is built beside the target and renamed into place; an existing
  directory is replaced only when it is itself a pum export (or empty).
- Bounded: at most ``MAX_OBJECTS`` per-object requests (groups, principals) and ``MAX_SCOPES`` ARM scopes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from privileged_facts.values import is_guid

from components.graph.client import GraphClient, GraphError

from .endpoints import ARM, GRAPH, Endpoint

FORMAT = "pum-export"
VERSION = 1
MANIFEST = "manifest.json"
MAX_OBJECTS = 5000
MAX_SCOPES = 50
_SCOPE = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}(/resourceGroups/[-\w._()]{1,90})?"
    r"|/providers/Microsoft\.Management/managementGroups/[-\w._()]{1,90}"
)


class ExportError(Exception):
    """A usage problem (a bad scope, a target that is not an export): pum exits 2 with the message."""

    pum_exit_code = 2


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """The ARM scopes, each a subscription, resource group or management group ID; anything else is refused."""
    checked = []
    for scope in scopes:
        if not isinstance(scope, str) or not _SCOPE.fullmatch(scope):
            raise ExportError(
                f"--scope {scope!r} is not an Azure scope; give /subscriptions/<id>, "
                "/subscriptions/<id>/resourceGroups/<name> or /providers/Microsoft.Management/managementGroups/<id>"
            )
        checked.append(scope)
    if len(checked) > MAX_SCOPES:
        raise ExportError(f"--scope is given {len(checked)} times; at most {MAX_SCOPES} scopes per export")
    return checked


def _key_file(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key.strip("/"))[:200] or "root"


class _Writer:
    def __init__(self, root: str) -> None:
        self.root = root
        self.files: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []

    def read(self, client: GraphClient, endpoint: Endpoint, key: str | None = None) -> Any:
        path, params = endpoint.request(key)
        shown = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        try:
            value = client.get(path, params) if endpoint.single else client.get_all(path, params)
        except GraphError as err:
            self.errors.append(
                {
                    "name": endpoint.name,
                    "api": endpoint.api,
                    **({"key": key} if key is not None else {}),
                    "request": f"GET {shown}",
                    "status": err.status,
                    "code": err.code,
                    "message": str(err.args[0] if err.args else err)[:500],
                    "permission": endpoint.permission,
                }
            )
            return None
        relative = f"{endpoint.api}/{endpoint.name}" + (f"/{_key_file(key)}" if key is not None else "") + ".json"
        text = json.dumps({"request": f"GET {shown}", "value": value}, indent=1, sort_keys=True)
        data = client.redact(text).encode()  # an answer that echoed the token never carries it into a file
        target = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
        self.files.append(
            {
                "name": endpoint.name,
                "api": endpoint.api,
                **({"key": key} if key is not None else {}),
                "request": f"GET {shown}",
                "file": relative,
                "count": len(value) if isinstance(value, list) else 1,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        return value


def _principals(values: dict[str, Any]) -> list[str]:
    """Every principal the role data and the CA policies name (users, groups, service principals), in order."""
    seen: dict[str, None] = {}
    for name in ("roleAssignmentSchedules", "roleEligibilitySchedules"):
        for item in values.get(name) or []:
            if isinstance(item, dict) and is_guid(item.get("principalId")):
                seen[item["principalId"].lower()] = None
    for policy in values.get("conditionalAccessPolicies") or []:
        users = ((policy or {}).get("conditions") or {}).get("users") or {}
        for field in ("includeUsers", "excludeUsers", "includeGroups", "excludeGroups"):
            for object_id in users.get(field) or []:
                if is_guid(object_id):
                    seen[object_id.lower()] = None
    return list(seen)


def _subscriptions(scopes: list[str]) -> list[str]:
    return list(dict.fromkeys(s.split("/")[2].lower() for s in scopes if s.startswith("/subscriptions/")))


def _collect(root: str, scopes: list[str], graph: GraphClient, arm: GraphClient | None) -> _Writer:
    writer = _Writer(root)
    values: dict[str, Any] = {}
    for endpoint in GRAPH:
        if endpoint.per is None:
            values[endpoint.name] = writer.read(graph, endpoint)
    groups = [g["id"].lower() for g in values.get("groups") or [] if isinstance(g, dict) and is_guid(g.get("id"))]
    principals = _principals(values)
    for kind, keys in (("group", groups), ("principal", principals)):
        if len(keys) > MAX_OBJECTS:
            raise ExportError(f"the tenant has {len(keys)} {kind}s to read; at most {MAX_OBJECTS} per export")
        for endpoint in (e for e in GRAPH if e.per == kind):
            for key in keys:
                writer.read(graph, endpoint, key)
    if scopes and arm is not None:
        for endpoint in ARM:
            keys = _subscriptions(scopes) if endpoint.per == "subscription" else scopes
            for key in keys:
                writer.read(arm, endpoint, key)
    return writer


def _is_export(directory: str) -> bool:
    """True when ``directory`` holds a pum export and nothing else: its manifest, the files the manifest lists and
    their folders (so replacing it can never delete a file of anyone else's that sits there)."""
    try:
        with open(os.path.join(directory, MANIFEST), "rb") as handle:
            manifest = json.loads(handle.read(1 << 20))
        listed = {os.path.normpath(f["file"]) for f in manifest["files"]} | {MANIFEST}
        if manifest.get("format") != FORMAT:
            return False
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return False
    for folder, _folders, names in os.walk(directory):
        for name in names:
            if os.path.normpath(os.path.relpath(os.path.join(folder, name), directory)) not in listed:
                return False
    return True


def _place(built: str, target: str) -> None:
    """Moves the finished export into place (replacing an earlier export or an empty directory only)."""
    if os.path.lexists(target):
        if not os.path.isdir(target) or os.path.islink(target):
            raise ExportError(f"{target}: exists and is not a directory; choose another --output")
        if os.listdir(target) and not _is_export(target):
            raise ExportError(f"{target}: exists and is not a pum export; choose an empty or new --output")
        old = tempfile.mkdtemp(prefix=".pum-export-old-", dir=os.path.dirname(target))
        os.replace(target, os.path.join(old, "export"))
        os.replace(built, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(built, target)


def export(
    directory: str,
    scopes: Iterable[str] = (),
    *,
    graph: GraphClient | None = None,
    arm: GraphClient | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Export the tenant (and the ARM ``scopes``) into ``directory``; returns the manifest written."""
    checked = check_scopes(scopes)
    target = os.path.abspath(directory)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise ExportError(f"{parent}: no such directory for --output")
    graph = graph or GraphClient()
    arm = arm if arm is not None else (GraphClient.for_arm() if checked else None)
    built = tempfile.mkdtemp(prefix=".pum-export-", dir=parent)
    try:
        writer = _collect(built, checked, graph, arm)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exportedAt": now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "tenantId": graph.token_guid("tid"),
            "scopes": checked,
            "files": writer.files,
            "errors": writer.errors,
        }
        with open(os.path.join(built, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
        _place(built, target)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return manifest
