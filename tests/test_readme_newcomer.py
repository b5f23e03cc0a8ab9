"""The README's newcomer sections stay true: the licence table names real stack areas, and the Makefile installs
what the quick start says (preview without the test extra, uv when it is on PATH, pip otherwise)."""

import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

from components.model import StackModel

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def _section(heading: str) -> str:
    return re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", README, re.S | re.M).group(1)


def test_the_licence_table_names_stack_areas_that_exist():
    areas = {field.alias or name for name, field in StackModel.model_fields.items()}
    named = re.findall(r"^\| [^|]*\(`(\w+)`\) \|", _section("Before you start: licences"), re.M)
    assert named and set(named) <= areas, set(named) - areas
    # the licensed areas the toolkit deploys are all in the table
    assert {"pim", "accessPackages", "lifecycle", "conditionalAccess", "privateAccess", "paw"} <= set(named)


def test_the_first_deployment_points_at_the_minimal_stack_and_the_documented_arm_api():
    first = _section("Your first deployment (a test tenant)")
    assert "cp docs/minimal-stack.yaml stacks/Pulumi.test.yaml" in first
    assert "Microsoft.Authorization/roleManagementPolicies" in first and "api-version=2020-10-01" in first
    assert "roleDefinitionId eq '$scope/providers/Microsoft.Authorization/roleDefinitions/$role'" in first


def _dry_run(target: str, uv: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    # -B: every target out of date, -n: print the recipes without running them
    return subprocess.run(
        [make, "-s", "-n", "-B", "-C", ROOT, target, f"UV={uv}"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("uv", ["", "/opt/bin/uv"])
def test_make_preview_installs_without_the_test_extra_and_lint_adds_it(uv):
    preview, lint = _dry_run("preview", uv), _dry_run("lint", uv)
    assert "-e ." in preview and ".[test]" not in preview
    assert "-e '.[test]'" in lint
    for recipe in (preview, lint):
        if uv:
            assert f"{uv} pip install" in recipe and f"{uv} venv --quiet --seed" in recipe and "-m pip" not in recipe
        else:
            assert "-m pip install" in recipe and "python3 -m venv" in recipe and "uv" not in recipe
