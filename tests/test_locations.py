"""Findings point at the stack-file entry the resource came from (the project's `[tool.pum] locations` hook)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from components import locations
from pum.engine import run_preview
from pum.report.locations import line_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "stacks", "Pulumi.example.yaml")


@pytest.fixture(scope="module")
def example_report():
    return run_preview(ROOT, cwd=ROOT, stack="example", policy_packs=[])


def test_every_top_level_component_of_the_example_has_an_entry_with_a_line(example_report):
    found = locations.for_report(example_report)
    top_level = [
        r
        for r in example_report.resources
        if r.type.startswith("privileged-access:") and (r.parent or "").endswith("privileged-access-example")
    ]
    assert top_level and {r.urn for r in top_level} <= set(found)
    for urn, path in found.items():
        assert line_of(EXAMPLE, path) is not None, (urn, path)
    by_name = {r.name: found[r.urn] for r in top_level}
    assert by_name["pim-user-admin-emea"].startswith("privileged-access:pim.roleBindings[")
    assert by_name["private-access-ssh-linux"] == "privileged-access:privateAccess.apps[0]"


def test_a_finding_carries_the_line_of_the_entry_the_author_changed(tmp_path):
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        shutil.copy(os.path.join(ROOT, name), project / name)
    for name in ("components", "policies"):
        (project / name).symlink_to(os.path.join(ROOT, name), target_is_directory=True)
    with open(EXAMPLE, encoding="utf-8") as handle:
        text = handle.read()
    assert text.count("    enforce: true\n") == 1
    stack = project / "stacks" / "Pulumi.violating.yaml"
    stack.write_text(text.replace("    enforce: true\n", "    enforce: false\n"))
    pum = [sys.executable, "-m", "pum", "preview", "--cwd", str(project), "--stack", "violating", "--format", "json"]
    result = subprocess.run(pum, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    ca_line = text.splitlines().index("  privileged-access:conditionalAccess:") + 1
    on_ca = [v for v in report["violations"] if v["urn"] and "::conditional-access-" in v["urn"]]
    assert on_ca and all(
        v["location"]
        == {"file": "stacks/Pulumi.violating.yaml", "path": "privileged-access:conditionalAccess", "line": ca_line}
        for v in on_ca
    )
