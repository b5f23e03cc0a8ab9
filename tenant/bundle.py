"""Reads an export directory (`pum export`) or a ScubaGear ProviderSettingsExport.json, checked and bounded.

An export is input a pull request or an attacker may hand us, so: the manifest must be a pum export of a known
version; each file it lists must be a relative path inside the directory (no `..`, no absolute path, no symbolic
link), at most ``MAX_FILE_BYTES`` (``MAX_TOTAL_BYTES`` together), valid UTF-8 JSON no deeper than Python's
recursion limit, and match the SHA-256 the manifest records (a truncated or edited file is refused, not read
half-way). A file the directory holds but the manifest does not list is ignored. Every problem raises
:class:`InputError` naming the file, the field and the fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from typing import Any

from .export import FORMAT, MANIFEST, VERSION

MAX_FILE_BYTES = 64 << 20
MAX_TOTAL_BYTES = 512 << 20
MAX_FILES = 20_000


class InputError(ValueError):
    """A broken, forged or unreadable export: pum exits 2 with this message."""

    pum_exit_code = 2


@dataclass
class Tenant:
    """What an export holds: ``graph``/``arm`` collections by endpoint name (per-object ones by key), and what the
    export could not read (``errors``, from its manifest)."""

    source: str
    kind: str  # "pum-export" | "scubagear"
    tenant_id: str | None = None
    exported_at: str | None = None
    graph: dict[str, Any] = field(default_factory=dict)
    arm: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    scopes: list[str] | None = None  # the ARM scopes exported (None: not a pum export)

    def items(self, api: str, name: str, key: str | None = None) -> list:
        """The items of one collection (or of one object's: ``key``), [] when the export has none."""
        table = self.graph if api == "graph" else self.arm
        value = table.get(name)
        if key is not None:
            value = (value or {}).get(key) if isinstance(value, dict) else None
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def read_json(path: str, label: str, limit: int = MAX_FILE_BYTES) -> Any:
    """JSON from a regular file (not a link), bounded; InputError naming ``label`` otherwise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise InputError(f"{label}: not a regular file (a link or a directory); an export holds plain files only")
    if info.st_size > limit:
        raise InputError(f"{label}: larger than {limit >> 20} MiB; is this really an export?")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return data, _parse(data, label)


MAX_DEPTH = 64  # Graph's deepest answers (a CA policy's conditions) are under ten levels


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:  # readers disagree on which one counts; so must we not guess
            raise ValueError(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _parse(data: bytes, label: str) -> Any:
    try:
        document = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text, so not JSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{label}: JSON nested too deeply to be an export") from None
    except ValueError as exc:
        raise InputError(f"{label}: {exc}; export again") from None
    if _depth(document) > MAX_DEPTH:
        raise InputError(f"{label}: JSON nested too deeply to be an export (over {MAX_DEPTH} levels)")
    try:
        json.dumps(document).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{label}: holds text that is not valid Unicode (a lone surrogate); export again") from None
    return document


def _inside(root: str, relative: Any, label: str) -> str:
    if not isinstance(relative, str) or not relative or os.path.isabs(relative) or "\\" in relative:
        raise InputError(f"{label}: 'file' must be a relative path inside the export, not {relative!r}")
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InputError(f"{label}: 'file' {relative!r} leaves the export directory; re-run pum export")
    path = os.path.join(root, *parts)
    if os.path.realpath(path) != os.path.join(os.path.realpath(root), *parts):
        raise InputError(f"{label}: 'file' {relative!r} goes through a symbolic link; an export holds plain files")
    return path


def load_export(directory: str) -> Tenant:
    """The export in ``directory`` (checked as the module docstring says)."""
    where = os.path.join(directory, MANIFEST)
    _, manifest = read_json(where, where, 16 << 20)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{where}: 'format' is not {FORMAT!r}; give a directory written by `pum export`")
    if manifest.get("version") != VERSION:
        raise InputError(
            f"{where}: 'version' {manifest.get('version')!r} is not {VERSION}; export again with this pum, "
            "or audit it with the pum that wrote it"
        )
    files, errors = manifest.get("files"), manifest.get("errors", [])
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise InputError(f"{where}: 'files' must be a list of at most {MAX_FILES} entries")
    if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
        raise InputError(f"{where}: 'errors' must be a list of objects")
    tenant = Tenant(
        directory,
        FORMAT,
        manifest.get("tenantId") if isinstance(manifest.get("tenantId"), str) else None,
        manifest.get("exportedAt") if isinstance(manifest.get("exportedAt"), str) else None,
        errors=errors,
    )
    total = 0
    listed: set[tuple[str, str, str | None]] = set()
    for index, entry in enumerate(files):
        label = f"{where}: files[{index}]"
        if (
            not isinstance(entry, dict)
            or entry.get("api") not in ("graph", "arm")
            or not isinstance(entry.get("name"), str)
        ):
            raise InputError(f"{label}: needs 'api' (graph or arm), 'name', 'file' and 'sha256'")
        key = entry.get("key")
        _check_entry(entry, key, label, listed)
        path = _inside(directory, entry.get("file"), label)
        data, document = read_json(path, f"{directory}/{entry['file']}")
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise InputError(f"{directory}: the export's files pass {MAX_TOTAL_BYTES >> 20} MiB together")
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise InputError(
                f"{directory}/{entry['file']}: its SHA-256 is not the one {MANIFEST} records (files[{index}].sha256):"
                " the file was changed or cut short after the export; export again"
            )
        if not isinstance(document, dict) or "value" not in document:
            raise InputError(f"{directory}/{entry['file']}: no 'value' (the Graph or ARM answer); export again")
        _check_value(document["value"], entry, f"{directory}/{entry['file']}")
        table = tenant.graph if entry["api"] == "graph" else tenant.arm
        if key is None:
            table[entry["name"]] = document["value"]
        else:
            table.setdefault(entry["name"], {})[key] = document["value"]
    scopes = manifest.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        raise InputError(f"{where}: 'scopes' must be a list of ARM scopes")
    _check_complete(tenant, listed, scopes, where)
    tenant.scopes = list(scopes)
    return tenant


def _check_entry(entry: dict, key: Any, label: str, listed: set) -> None:
    """One manifest entry: an endpoint this version exports, once, with a key exactly when it is per object."""
    from .endpoints import ALL

    endpoint = next((e for e in ALL if (e.api, e.name) == (entry["api"], entry["name"])), None)
    if endpoint is None:
        raise InputError(f"{label}: {entry['api']} {entry['name']!r} is not something pum export reads")
    if (key is None) != (endpoint.per is None) or (key is not None and not isinstance(key, str)):
        need = "no 'key' (it is read once)" if endpoint.per is None else f"a 'key' (it is read per {endpoint.per})"
        raise InputError(f"{label}: {entry['name']} takes {need}")
    identity = (entry["api"], entry["name"], key)
    if identity in listed:
        raise InputError(f"{label}: {entry['api']} {entry['name']}{' ' + key if key else ''} is listed twice")
    listed.add(identity)


def _check_complete(tenant: Tenant, listed: set, scopes: list[str], where: str) -> None:
    """Every read the export makes is in it, as a file or as an error: a missing one would be a clean area nobody
    read. Per-object reads are checked for every group the export lists and every scope it names."""
    from .endpoints import ALL

    failed = {(e.get("api"), e.get("name"), e.get("key")) for e in tenant.errors}
    groups = [str(g.get("id")).lower() for g in tenant.items("graph", "groups") if isinstance(g.get("id"), str)]
    expected: list[tuple[str, str, str | None]] = []
    for e in ALL:
        if e.per is None:
            expected.append((e.api, e.name, None))
        elif e.per == "group":
            expected += [(e.api, e.name, g) for g in groups]
        elif e.per == "scope":
            expected += [(e.api, e.name, x) for x in scopes]
    missing = [x for x in expected if x not in listed and x not in failed]
    if missing:
        api, name, key = missing[0]
        raise InputError(
            f"{where}: the export lacks {api} {name}{' for ' + key if key else ''} (and {len(missing) - 1} more), "
            "neither as a file nor as an error; it is incomplete or was edited: export again"
        )


def _check_value(value: Any, entry: dict, label: str) -> None:
    """A collection is a list of objects and a single object an object, as Graph and ARM answer them: anything else
    is refused (silently skipping an item would hide what the tenant holds)."""
    from .endpoints import ALL

    single = any(e.single for e in ALL if (e.api, e.name) == (entry["api"], entry["name"]))
    if single:
        if not isinstance(value, dict):
            raise InputError(f"{label}: 'value' must be the object Graph answered; export again")
        return
    if not isinstance(value, list):
        raise InputError(f"{label}: 'value' must be the list of items Graph or ARM answered; export again")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InputError(f"{label}: value[{index}] is not an object; export again")


def load(source: str) -> Tenant:
    """An export directory, or a ScubaGear ProviderSettingsExport.json file (tenant.scuba)."""
    if os.path.isdir(source):
        return load_export(source)
    if os.path.isfile(source):
        from .scuba import load_scuba

        return load_scuba(source)
    raise InputError(
        f"--from {source}: no such directory or file; give a `pum export` directory or ScubaGear's "
        "ProviderSettingsExport.json"
    )
