"""pum knows nothing of this project: another project tells it its defaults in its own `[tool.pum]` table."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import PLAIN_PROGRAM, SAMPLE_PACK

from pum.errors import UsageError
from pum.tool_config import load_tool_config


def pum(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pum", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def foreign(tmp_path):
    """A copy of a plain azuread project with the sample pack inside it, and its own pyproject.toml."""
    project = tmp_path / "foreign"
    shutil.copytree(PLAIN_PROGRAM, project)
    shutil.copytree(SAMPLE_PACK, project / "guardrails")
    (project / "helpers.py").write_text(
        "def schema():\n    return {'title': 'foreign stack file'}\n\n"
        "def draw(report, fmt):\n    return f'{fmt}: {len(report.resources)} resources\\n'\n"
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "foreign"\n\n[tool.pum]\npolicy-packs = ["guardrails"]\nstack = "dev"\n'
        'schema = "helpers:schema"\ngraph = "helpers:draw"\n'
    )
    return project


def test_another_project_gets_its_own_pack_stack_schema_and_map(foreign, tmp_path):
    preview = pum("preview", "--cwd", str(foreign), "--format", "json", cwd=tmp_path)
    assert preview.returncode == 1, preview.stderr
    report = json.loads(preview.stdout)
    assert report["stack"] == "dev" and report["project"] == "plain-program"
    assert {v["policyPack"] for v in report["violations"]} == {"sample"}
    schema = pum("schema", "--cwd", str(foreign), cwd=tmp_path)
    assert schema.returncode == 0 and json.loads(schema.stdout) == {"title": "foreign stack file"}
    graph = pum("graph", "--cwd", str(foreign), "--format", "mermaid", cwd=tmp_path)
    assert graph.returncode == 0 and graph.stdout.startswith("mermaid: ")


def test_a_project_without_configuration_must_name_its_stack_and_pack(tmp_path):
    project = tmp_path / "bare"
    shutil.copytree(PLAIN_PROGRAM, project)
    no_stack = pum("preview", "--cwd", str(project), "--policy-pack", SAMPLE_PACK, cwd=tmp_path)
    assert no_stack.returncode == 2 and "pass --stack NAME" in no_stack.stderr
    no_pack = pum("preview", "--cwd", str(project), "--stack", "dev", cwd=tmp_path)
    assert no_pack.returncode == 2 and "no policy pack" in no_pack.stderr
    schema = pum("schema", "--cwd", str(project), cwd=tmp_path)
    assert schema.returncode == 2 and "[tool.pum] schema is not set" in schema.stderr
    assert "Traceback" not in no_stack.stderr + no_pack.stderr + schema.stderr


@pytest.mark.parametrize(
    "table, fragment",
    [
        ('stak = "dev"', "unknown key 'stak'; did you mean 'stack'?"),
        ('policy-packs = "guardrails"', "policy-packs must be a list of non-empty strings"),
        ('schema = "helpers.schema"', "name a function as 'module:function'"),
        ("stack = ", "invalid TOML"),
        ("stack = 3", "stack must be a non-empty string"),
    ],
)
def test_a_bad_table_is_a_usage_error_naming_file_and_key(tmp_path, table, fragment):
    (tmp_path / "pyproject.toml").write_text(f"[tool.pum]\n{table}\n")
    with pytest.raises(UsageError) as error:
        load_tool_config(str(tmp_path))
    assert str(tmp_path / "pyproject.toml") in str(error.value) and fragment in str(error.value)


def test_a_hook_that_fails_to_import_is_a_usage_error(foreign):
    (foreign / "helpers.py").write_text("raise RuntimeError('broken helper')\n")
    with pytest.raises(UsageError, match="cannot import 'helpers': RuntimeError: broken helper"):
        load_tool_config(str(foreign)).hook("schema")
    sys.modules.pop("helpers", None)


def test_paths_are_relative_to_the_project(foreign):
    config = load_tool_config(str(foreign))
    assert config.policy_packs == (os.path.join(str(foreign), "guardrails"),)
    assert config.stack == "dev" and config.stack_file_types == ()
