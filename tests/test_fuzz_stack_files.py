"""Generated and mutated stack files through the real `pum preview` path: never a traceback.

Whatever a person writes in stacks/Pulumi.<stack>.yaml, pum answers with a plan (exit 0/1) or one
clear message naming the stack file (exit 2) — never exit 3 or a traceback from our own code.
"""

import contextlib
import copy
import io
import os
import shutil

import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pum.cli import main

with open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml"), encoding="utf-8") as handle:
    EXAMPLE = yaml.safe_load(handle)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.text(max_size=12),
    st.sampled_from(
        ["P9999D", "PT0H", "PT2H", "/", "Global Administrator", "nope@x", "00000000-0000-0000-0000-000000000000"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


@st.composite
def mutated_stacks(draw):
    doc = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc["config"]) if p]
        path = draw(st.sampled_from(paths))
        parent = doc["config"]
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "unknown-key"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["enforce", "rolez", "maxDurration", "scope", "x"])) + "x"] = draw(values)
    return yaml.safe_dump(doc, sort_keys=False)


def _project(tmp_path_factory):
    project = tmp_path_factory.mktemp("fuzz")
    shutil.copy(os.path.join(ROOT, "Pulumi.yaml"), project)
    shutil.copy(os.path.join(ROOT, "__main__.py"), project)
    (project / "stacks").mkdir()
    return project


def _preview(project, text):
    (project / "stacks" / "Pulumi.fuzz.yaml").write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "preview",
                "--cwd",
                str(project),
                "--stack",
                "fuzz",
                "--format",
                "json",
                "--policy-pack",
                os.path.join(ROOT, "policies"),
            ]
        )
    return code, err.getvalue()


FUZZ = settings(
    max_examples=int(os.environ.get("PUM_FUZZ_EXAMPLES", "25")), deadline=None, suppress_health_check=list(HealthCheck)
)


@FUZZ
@given(text=mutated_stacks())
def test_mutated_example_stacks_give_a_plan_or_a_clear_error(tmp_path_factory, text):
    code, err = _preview(_project(tmp_path_factory), text)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert "Pulumi.fuzz.yaml" in err, err


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("config:- {}[]'\"#\n\tab1&*!|>%@`")), max_size=80))
def test_arbitrary_text_never_crashes(tmp_path_factory, text):
    code, err = _preview(_project(tmp_path_factory), text)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
