"""The shape of the house, read from the imports: pum is generic, components never import a policy, and every
module has one name.

Every import statement in the project's source (module level or inside a function) is resolved to the file it
loads. The names a file can be imported under are the packages' installed names (pyproject.toml) and, for the
pack, the names its own directory gives (`rules`, `privileged_facts`).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict

from conftest import ROOT

# Top-level import name -> directory, as installed (pyproject.toml) or as the pack's directory provides them.
ROOTS = {
    "pum": "pum",
    "components": "components",
    "privilege_map": "privilege_map",
    "privileged_facts": "policies/privileged_facts",
    "rules": "policies/rules",
    "policies": "policies",  # not a package: importing it (policies.rules...) is the second name this test forbids
}
SOURCES = ("pum", "components", "privilege_map", "policies", "bench", "tools", "tests", "__main__.py")


def _module_file(name: str) -> str | None:
    """The project file that import name `name` loads, or None for a module outside the project."""
    top, *rest = name.split(".")
    if top not in ROOTS:
        return None
    base = os.path.join(ROOT, ROOTS[top], *rest)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return os.path.relpath(candidate, ROOT)
    return os.path.relpath(base, ROOT) if os.path.isdir(base) else None


def _package_of(path: str) -> str | None:
    """The import name of the package that holds source file `path` (for relative imports)."""
    directory = os.path.dirname(path)
    for top, root in sorted(ROOTS.items(), key=lambda item: -len(item[1])):
        if directory == root or directory.startswith(root + "/"):
            return ".".join([top, *filter(None, directory[len(root) :].split("/"))])
    return None


def _source_files() -> list[str]:
    files = []
    for entry in SOURCES:
        top = os.path.join(ROOT, entry)
        if os.path.isfile(top):
            files.append(entry)
            continue
        for directory, subdirectories, names in os.walk(top):
            subdirectories[:] = [d for d in subdirectories if d not in ("node_modules", "__pycache__", "fixtures")]
            files += [os.path.relpath(os.path.join(directory, n), ROOT) for n in names if n.endswith(".py")]
    return sorted(files)


def _imports(path: str) -> list[tuple[str, int]]:
    """(absolute module name, line) for every import in `path`; `from x import y` also tries `x.y`."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    package = _package_of(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = (package or "").split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((base, node.lineno))
            found += [
                (f"{base}.{alias.name}", node.lineno) for alias in node.names if _module_file(f"{base}.{alias.name}")
            ]
    return found


def _edges() -> list[tuple[str, int, str, str]]:
    """(importing file, line, import name, imported file) for every import of a project module."""
    edges = []
    for path in _source_files():
        for name, line in _imports(path):
            target = _module_file(name)
            if target is not None:
                edges.append((path, line, name, target))
    return edges


def test_pum_imports_nothing_of_this_project():
    project = ("components/", "policies/", "privilege_map/")
    bad = [
        f"{path}:{line} imports {name}"
        for path, line, name, target in _edges()
        if path.startswith("pum/") and target.startswith(project)
    ]
    assert bad == [], "pum/ must stay generic (the project configures it in [tool.pum]):\n" + "\n".join(bad)


def test_no_component_imports_a_policy():
    bad = [
        f"{path}:{line} imports {name}"
        for path, line, name, target in _edges()
        if path.startswith(("components/", "privilege_map/"))
        and target.startswith("policies/")
        and not target.startswith("policies/privileged_facts/")
    ]
    assert bad == [], "components share facts through privileged_facts, never the pack's rules:\n" + "\n".join(bad)


def test_the_pack_imports_only_its_own_directory():
    bad = [
        f"{path}:{line} imports {name}"
        for path, line, name, target in _edges()
        if path.startswith("policies/") and not target.startswith("policies/")
    ]
    assert bad == [], "the pack runs standalone from policies/:\n" + "\n".join(bad)


def test_every_module_is_imported_under_one_name():
    names: dict[str, set[str]] = defaultdict(set)
    where: dict[str, list[str]] = defaultdict(list)
    for path, line, name, target in _edges():
        if target.endswith(".py"):
            names[target].add(name)
            where[target].append(f"{path}:{line} ({name})")
    twice = {target: sorted(found) for target, found in names.items() if len(found) > 1}
    assert twice == {}, "\n".join(f"{t} as {n}: " + ", ".join(where[t]) for t, n in twice.items())


def test_a_preview_loads_each_file_once():
    """At run time too: after a preview of the example stack (pack loaded, components built, map drawn), no file
    is in sys.modules under two names."""
    probe = (
        "import json, sys\n"
        "from pum.engine import run_preview\n"
        "from privilege_map import render\n"
        "render(run_preview('.', stack='example'), 'mermaid')\n"
        "files = {}\n"
        "for name, module in list(sys.modules.items()):\n"
        "    path = getattr(module, '__file__', None)\n"
        "    if path and path.startswith(sys.argv[1]):\n"
        "        files.setdefault(path, []).append(name)\n"
        "print(json.dumps({p: n for p, n in files.items() if len(n) > 1}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, ROOT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "{}"


def test_the_walk_sees_a_second_name(tmp_path):
    """The walk itself: `policies.rules.common` and `rules.common` are the same file under two names."""
    assert _module_file("policies.rules.common") == _module_file("rules.common") == "policies/rules/common.py"
    assert _package_of("policies/rules/pim.py") == "rules"
    assert _package_of("policies/privileged_facts/roles.py") == "privileged_facts"
    assert _module_file("privileged_facts.values") == "policies/privileged_facts/values.py"
