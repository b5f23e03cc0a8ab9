"""docs/scenario.md shows real plan excerpts: every excerpt is checked against an offline run of the example stack.

- "`name` (Type):" followed by a ```json block: the resource's inputs exactly as `pum preview --format json`
  shows them (unknowns null, `__provider` left out).
- "`name` (rules excerpt):": each rule shown is the resource's rule of that id, with at least the fields shown.
- a tree block (lines starting " +  "): each line names a type and a resource the plan creates, the child under
  its parent.
- the ```mermaid block: exactly what `pum graph --format mermaid` prints.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import ROOT

from privilege_map import render
from pum.engine import run_preview
from pum.report.json_report import as_dict

DOC = os.path.join(ROOT, "docs", "scenario.md")
EXCERPT = re.compile(r"^`([\w.-]+)` \(([\w ]+)\):\n```json\n(.*?)\n```", re.M | re.S)
TREE = re.compile(r"^```\n((?: \+  .*\n)+)```", re.M)
TREE_LINE = re.compile(r"^ \+  [│ ]*[├└]─ (\S+)\s+(\S+)\s+create$")


@pytest.fixture(scope="module")
def run():
    report = run_preview(ROOT, cwd=ROOT, stack="example")
    as_json = as_dict(report)
    return report, {r["name"]: r for r in as_json["resources"]}


@pytest.fixture(scope="module")
def doc():
    with open(DOC, encoding="utf-8") as handle:
        return handle.read()


def test_the_json_excerpts_are_the_plan(run, doc):
    _, resources = run
    excerpts = EXCERPT.findall(doc)
    assert len(excerpts) >= 10
    for name, kind, body in excerpts:
        assert name in resources, f"docs/scenario.md shows {name!r}, which the example's plan does not create"
        shown = json.loads(body)
        inputs = {k: v for k, v in resources[name]["inputs"].items() if k != "__provider"}
        if kind == "rules excerpt":
            live = {rule["id"]: rule for rule in inputs["rules"]}
            for rule in shown:
                assert {k: live[rule["id"]].get(k) for k in rule} == rule, f"{name}: rule {rule['id']}"
        else:
            assert resources[name]["type"].rsplit(":", 1)[-1] == kind, name
            assert shown == inputs, f"docs/scenario.md's excerpt of {name!r} is not the plan's inputs"


def test_the_tree_excerpts_are_the_plan(run, doc):
    _, resources = run
    trees = TREE.findall(doc)
    assert trees
    for tree in trees:
        for line in tree.splitlines():
            match = TREE_LINE.match(line)
            assert match, f"not a plan line: {line!r}"
            kind, name = match.groups()
            assert name in resources and resources[name]["type"] == kind, line


def test_the_privilege_map_is_pum_graph(run, doc):
    report, _ = run
    (mermaid,) = re.findall(r"^```mermaid\n(.*?)```", doc, re.M | re.S)
    assert mermaid == render(report, "mermaid")
