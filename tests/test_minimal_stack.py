"""The README's first stack (docs/minimal-stack.yaml) is what it says: short, valid, and clean under the pack."""

import datetime as dt
import os

import jsonschema
import pytest
from conftest import ROOT

from components.model import stack_file_schema
from pum.engine import run_preview
from pum.yaml_loader import load_file

MINIMAL = os.path.join(ROOT, "docs", "minimal-stack.yaml")


def _config() -> dict:
    return load_file(MINIMAL, "stack file")["config"]  # read as pum and the Pulumi CLI read a stack file


def test_it_is_a_short_file_and_valid_against_the_schema():
    lines = [line for line in open(MINIMAL, encoding="utf-8") if line.strip() and not line.lstrip().startswith("#")]
    assert (
        len(lines) <= 26
    )  # twenty-one, and five of monitoring (every stack with break-glass accounts needs its alert)
    jsonschema.validate(load_file(MINIMAL, "stack file"), stack_file_schema())


@pytest.mark.parametrize("start", ["enforced", "report-only rollout"])
def test_it_previews_with_no_mandatory_violation(start):
    config = _config()
    if start == "report-only rollout":  # the README's report-only first deployment, with its end date ahead
        until = dt.date.today() + dt.timedelta(days=30)
        config["privileged-access:conditionalAccess"] = {"enforce": False, "reportOnlyUntil": until.isoformat()}
    report = run_preview(ROOT, stack="test", config=config)
    assert report.mandatory == [], [(v.policy, v.message) for v in report.mandatory]
    types = {r.type for r in report.resources}
    assert "privileged-access:index:BreakGlassAccounts" in types
    assert "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy" in types


def test_destroy_protection_is_as_the_readme_says():
    """protectFromDeletion: false leaves the admin account deletable; break-glass accounts are always protected."""
    report = run_preview(ROOT, stack="test", config=_config())
    users = {r.name: r.protect for r in report.resources if r.type == "azuread:index/user:User"}
    break_glass = {name: protect for name, protect in users.items() if name.startswith("break-glass")}
    assert break_glass and all(break_glass.values()), users
    assert not any(protect for name, protect in users.items() if name not in break_glass), users
