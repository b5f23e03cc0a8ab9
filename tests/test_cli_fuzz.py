"""Issue 17: generated stack files and pack configs through the real `pum preview`: an exit code of the contract
(0, 1, 2 or 3), never a traceback, and an input error names the file.

Stack files mix what PyYAML and the Pulumi CLI read differently or not at all: timestamps, `!!binary`, `!!set` and
other tags, anchors and aliases (recursive, undefined, exploding), deep nesting, duplicate keys, a missing or
misspelt `config:` wrapper or namespace, non-UTF-8 bytes. Pack configs mix NaN and Infinity, deep nesting, wrong
types, unknown policies and properties. The plain program and the sample pack keep each example fast; the count is
fixed (PUM_FUZZ_EXAMPLES raises it) and derandomised in CI (tests/conftest.py).
"""

import json
import os

import pytest
from clihelp import plain_project, run_cli
from conftest import SAMPLE_PACK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("PUM_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def project(tmp_path_factory):
    """A fresh copy of the plain project for each test (the examples of one test share it)."""
    return plain_project(tmp_path_factory.mktemp("fuzz") / "p")


def _check(code, err, filename):
    assert code in (0, 1, 2, 3), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert filename in err, err


_KEYS = st.sampled_from(
    [
        "plain-program:groupName",
        "plain-program:apiKey",
        "plain-program:extra",
        "plain-programm:groupName",
        "azuread:tenantId",
        "azure-nativ:location",
        "mycompany:owner",
        "groupName",
        "'quoted:key'",
        "? complex",
    ]
)
_SCALARS = st.sampled_from(
    [
        "Tier Zero",
        "2026-06-30",
        "2026-06-30T10:00:00Z",
        "12:30:00",
        "yes",
        "off",
        ".nan",
        "-.inf",
        "0x1F",
        "0o17",
        "1e400",
        "9" * 5000,
        "~",
        '"quoted"',
        "'single'",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!!pairs [a: 1]",
        "!!timestamp 2020-01-01",
        "!!python/tuple [1]",
        "!!python/object/apply:os.system [true]",
        "!local x",
        "!!str 12",
        "!!int '3'",
        "!!float nope",
        "!!bool maybe",
        "{secure: v1:abc}",
        "*undefined",
        "|\n    block text",
        "[a, b, {c: d}]",
        "{a: 1, a: 2}",
        "{<<: {x: 1}, x: 2}",
    ]
)


@st.composite
def _values(draw, anchors):
    kind = draw(st.sampled_from(["scalar", "scalar", "anchor", "alias", "deep", "recursive", "bomb"]))
    if kind == "scalar":
        return draw(_SCALARS)
    if kind == "anchor":
        name = f"a{len(anchors)}"
        anchors.append(name)
        return f"&{name} [{draw(_SCALARS)}, {draw(_SCALARS)}]"
    if kind == "alias":
        return f"*{draw(st.sampled_from(anchors))}" if anchors else "*nothing"
    if kind == "deep":
        depth = draw(st.integers(1, 300))
        opener = draw(st.sampled_from(["[", "{k: "]))
        return opener * depth + "x" + ("]" if opener == "[" else "}") * depth
    if kind == "recursive":
        return "&self [*self]"
    levels = draw(st.integers(2, 9))
    return "&b0 [x, x, x, x, x, x, x, x]" + "".join(
        f"\n  k{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 8)}]" for i in range(1, levels)
    )


@st.composite
def stack_files(draw):
    anchors: list[str] = []
    header = draw(st.sampled_from(["config:\n", "config:\n", "config:\n", "", "confg:\n", "- config:\n"]))
    lines = [header] if header else []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(_KEYS)
        lines.append(f"  {key}: {draw(_values(anchors))}\n" if header else f"{key}: {draw(_values(anchors))}\n")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["secretsprovider: passphrase\n", "encryptionsalt: x\n", "stack: dev\n"])))
    data = "".join(lines).encode("utf-8")
    if draw(st.integers(0, 9)) == 0:  # non-UTF-8 bytes somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3\x28", b"\x00"])) + data[at:]
    return data


@FUZZ
@given(data=stack_files())
def test_generated_stack_files_exit_with_a_contract_code_and_no_traceback(project, data):
    with open(os.path.join(project, "Pulumi.dev.yaml"), "wb") as handle:
        handle.write(data)
    code, _, err = run_cli(
        "preview", "--cwd", project, "--stack", "dev", "--policy-pack", SAMPLE_PACK, "--format", "json"
    )
    _check(code, err, "Pulumi.dev.yaml")


_LEAF = st.one_of(
    st.sampled_from(["advisory", "mandatory", "disabled", "remediate", "strict", "", "Mandatory"]),
    st.integers(-5, 5),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1.5, True, None]),
    st.lists(st.sampled_from(["62e90394-69f5-4237-9190-012177145e10", "x", 1]), max_size=3),
)
_PROPERTY = st.sampled_from(["enforcementLevel", "forbiddenRoles", "forbidenRoles", "productoin", "x"])
_POLICY = st.sampled_from(
    ["no-forbidden-role", "unknown-first", "group-role-link", "all", "no-forbiden-role", "environments", "other"]
)
_ENTRY = st.one_of(_LEAF, st.dictionaries(_PROPERTY, _LEAF, max_size=3))


@st.composite
def pack_configs(draw):
    shape = draw(st.sampled_from(["object", "object", "object", "deep", "list", "scalar", "empty"]))
    if shape == "deep":
        depth = draw(st.integers(20, 3000))
        return ('{"no-forbidden-role": {"forbiddenRoles": ' + "[" * depth + "]" * depth + "}}").encode()
    if shape == "list":
        return b"[1, 2]"
    if shape == "scalar":
        return draw(st.sampled_from([b"1", b'"advisory"', b"NaN", b"null"]))
    if shape == "empty":
        return draw(st.sampled_from([b"", b"  \n", b"{}"]))
    text = json.dumps(draw(st.dictionaries(_POLICY, _ENTRY, max_size=4)))  # NaN/Infinity as Python writes them
    data = text.encode()
    if draw(st.integers(0, 9)) == 0:
        data = data[:-1] + b"\xff" + data[-1:]
    return data


@FUZZ
@given(data=pack_configs())
def test_generated_pack_configs_exit_with_a_contract_code_and_no_traceback(project, data):
    config = os.path.join(project, "config.json")
    with open(config, "wb") as handle:
        handle.write(data)
    code, _, err = run_cli(
        "preview", "--cwd", project, "--stack", "dev", "--policy-pack", SAMPLE_PACK, "--policy-pack-config", config
    )
    _check(code, err, "config.json")
