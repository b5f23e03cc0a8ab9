"""Issue 17: every bad stack file is exit 2 naming the file, the field and the fix; nothing to preview is an error.

The stack file is read as the Pulumi CLI reads it (pum.yaml_loader): unquoted dates stay strings, duplicate keys
are refused, tags with no JSON value are refused, and aliases and depth are bounded.
"""

import json
import os
import time

import pytest
from clihelp import plain_project, preview, run_cli
from conftest import SAMPLE_PACK

from pum.yaml_loader import MAX_DEPTH, YamlError, load_text


@pytest.fixture
def project(tmp_path):
    return plain_project(tmp_path / "p")


def _stack(project, text):
    with open(os.path.join(project, "Pulumi.dev.yaml"), "wb" if isinstance(text, bytes) else "w") as handle:
        handle.write(text)


def test_a_stack_without_a_stack_file_lists_the_stacks_and_suggests_one(project):
    code, out, err = preview(project, stack="dve")
    assert code == 2 and not out
    assert "Pulumi.dve.yaml: no stack file for stack 'dve'" in err
    assert "did you mean --stack dev?" in err and "the stacks here are: dev" in err
    assert "--allow-empty-config" in err and "Traceback" not in err


def test_allow_empty_config_previews_a_program_that_needs_none(project):
    code, _, err = preview(project, "--allow-empty-config", stack="other")
    assert code == 1, err  # the plain program's GA assignment is still a mandatory violation


@pytest.mark.parametrize("text", ["", "# nothing\n", "config:\n", "config: {}\n"])
def test_an_empty_stack_file_is_an_error(project, text):
    _stack(project, text)
    code, _, err = preview(project)
    assert code == 2 and "Pulumi.dev.yaml: the stack file declares no config" in err
    assert preview(project, "--allow-empty-config")[0] == 1


def test_config_without_its_wrapper_is_an_error(project):
    _stack(project, "plain-program:groupName: Tier Zero\n")
    code, _, err = preview(project)
    assert code == 2 and "is a config key outside `config:`" in err and "Indent it under a `config:` section" in err


def test_an_unknown_top_level_key_has_a_did_you_mean(project):
    _stack(project, "confg:\n  plain-program:groupName: x\n")
    code, _, err = preview(project)
    assert code == 2 and "unknown top-level key 'confg'; did you mean 'config'?" in err


@pytest.mark.parametrize(
    "key, suggestion",
    [
        ("plain-programm:groupName", "plain-program"),
        ("Plain-Program:groupName", "plain-program"),
        ("azuredd:x", "azuread"),
    ],
)
def test_a_misspelt_namespace_is_an_error_with_a_did_you_mean(project, key, suggestion):
    _stack(project, f"config:\n  plain-program:groupName: x\n  {key}: y\n")
    code, _, err = preview(project)
    assert code == 2 and f"unknown namespace {key.split(':')[0]!r}; did you mean {suggestion!r}?" in err


def test_an_unrelated_namespace_is_allowed(project):
    _stack(project, "config:\n  plain-program:groupName: x\n  mycompany:owner: y\n")
    assert preview(project)[0] == 1


def test_a_project_named_privileged_access_catches_priviledged_access(tmp_path):
    project = plain_project(tmp_path / "p")
    with open(os.path.join(project, "Pulumi.yaml"), "w") as handle:
        handle.write("name: privileged-access\nruntime: python\n")
    _stack(project, "config:\n  priviledged-access:pim: {}\n")
    code, _, err = preview(project)
    assert code == 2 and "did you mean 'privileged-access'?" in err


def test_a_directory_or_broken_symlink_as_the_stack_file_is_an_error(project):
    path = os.path.join(project, "Pulumi.dev.yaml")
    os.remove(path)
    os.mkdir(path)
    assert preview(project)[0] == 2 and "not a regular file" in preview(project)[2]
    os.rmdir(path)
    os.symlink(os.path.join(project, "nowhere.yaml"), path)
    code, _, err = preview(project)
    assert code == 2 and "a symlink to nothing" in err
    os.remove(path)
    os.symlink(path, path)  # a loop
    code, _, err = preview(project)
    assert code == 2 and "a symlink to nothing" in err


def test_duplicate_keys_are_an_error_naming_both_lines(project):
    _stack(project, "config:\n  plain-program:groupName: a\n  plain-program:groupName: b\n")
    code, _, err = preview(project)
    assert code == 2
    assert "Pulumi.dev.yaml:3:3: duplicate key 'plain-program:groupName' (first at line 2)" in err


def test_an_unquoted_date_stays_a_string_as_under_the_cli(project):
    _stack(
        project, "config:\n  plain-program:groupName: 2026-06-30\n  plain-program:people: {leavingDate: 2026-06-30}\n"
    )
    code, out, err = preview(project, "--format", "json")
    assert code == 1, err
    group = next(r for r in json.loads(out)["resources"] if r["name"] == "tier0")
    assert group["inputs"]["displayName"] == "2026-06-30"


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("!!binary aGVsbG8=", "the tag !!binary has no JSON value"),
        ("!!set {a, b}", "the tag !!set has no JSON value"),
        ("!!python/object:os.system x", "has no JSON value"),
        (".nan", "'.nan' is not a JSON number"),
        ("&a [*a]", "an alias refers to the value that contains it"),
    ],
)
def test_values_with_no_json_meaning_are_errors(project, value, fragment):
    _stack(project, f"config:\n  plain-program:groupName: {value}\n")
    code, _, err = preview(project)
    assert code == 2 and fragment in err and "Pulumi.dev.yaml:2:" in err


def test_a_yaml_alias_bomb_is_refused_at_once(project):
    lines = ["config:", "  plain-program:a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  plain-program:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    _stack(project, "\n".join(lines) + "\n")  # 1.3 KB expanding to 9**10 values
    started = time.monotonic()
    code, _, err = preview(project)
    assert code == 2 and "expands to more than" in err
    assert time.monotonic() - started < 5


def test_deep_nesting_is_refused(project):
    _stack(project, "config:\n  plain-program:groupName: " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = preview(project)
    assert code == 2 and f"nested deeper than {MAX_DEPTH} levels" in err


def test_a_non_utf8_stack_file_is_an_error(project):
    _stack(project, b"config:\n  plain-program:groupName: caf\xe9\n")
    code, _, err = preview(project)
    assert code == 2 and "Pulumi.dev.yaml:2: not UTF-8 text" in err


def test_a_bad_stack_name_is_an_error(project):
    code, _, err = preview(project, stack="../../etc/passwd")
    assert code == 2 and "a stack name may contain only" in err


def test_pulumi_yaml_is_read_with_the_same_loader(project):
    with open(os.path.join(project, "Pulumi.yaml"), "w") as handle:
        handle.write("name: a\nname: b\nruntime: python\n")
    code, _, err = preview(project)
    assert code == 2 and "Pulumi.yaml:2:1: duplicate key 'name'" in err


def test_the_loader_reads_scalars_as_yaml_1_2_does():
    doc = load_text("a: 2026-06-30\nb: yes\nc: 12:30\nd: 1e3\ne: true\nf: 0x10\ng: 2026-06-30T10:00:00Z\n", "f")
    assert doc == {"a": "2026-06-30", "b": "yes", "c": "12:30", "d": 1000.0, "e": True, "f": 16, "g": doc["g"]}
    assert doc["g"] == "2026-06-30T10:00:00Z"
    assert load_text("base: &b {x: 1}\nk:\n  <<: *b\n  x: 2\n", "f")["k"] == {"x": 2}  # a merge is no duplicate
    with pytest.raises(YamlError, match="larger than|too deeply|deeper"):
        load_text("a: " + "{x: " * 200 + "1" + "}" * 200, "f")


def test_the_graph_command_checks_the_stack_too(project):
    code, _, err = run_cli("graph", "--cwd", project, "--stack", "nope")
    assert code == 2 and ("no stack file" in err or "[tool.pum] graph" in err)
    assert SAMPLE_PACK  # the plain project has no [tool.pum]: graph says which key to set, or the stack is missing
