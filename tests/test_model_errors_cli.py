"""Every model error, through `pum preview` (exit 2): the stack file, the dotted path in the stack file's own terms
and what is allowed there, in plain words, with none of pydantic's internals (union members, validator names,
"Input should be a valid ...")."""

import pytest
from clihelp import preview
from conftest import ROOT

BASE = """\
config:
  privileged-access:tenant:
    protectFromDeletion: {protect}
  privileged-access:principals:
    people:
      ana:
        displayName: Ana
        dailyUpn: ana@contoso.com
        adminAccount: {{upn: adm-ana@contoso.onmicrosoft.com}}
        leavingDate: {leaving}
  privileged-access:pim:
    roleBindings:
      - role: User Administrator
        mode: {mode}
        eligible: {eligible}
        tier: {tier}
  privileged-access:conditionalAccess:
    enabled: false
    enforce: {enforce}
"""
GOOD = {
    "eligible": "[ana]",
    "protect": "true",
    "leaving": "2030-06-30",
    "mode": "pimGroup",
    "tier": "1",
    "enforce": "true",
}
INTERNALS = ("Input should", "function-", "list[", "literal[", ".bool", "Value error", "pydantic", "Traceback", "[key]")


@pytest.fixture
def project(tmp_path):
    """A project that runs this repository's program (`main` is its directory) on a stack file of the test's."""
    (tmp_path / "stacks").mkdir()
    project_file = f"name: privileged-access\nruntime: python\nmain: {ROOT}\nstackConfigDir: stacks\n"
    (tmp_path / "Pulumi.yaml").write_text(project_file)
    return tmp_path


def _preview(project, **bad):
    (project / "stacks" / "Pulumi.dev.yaml").write_text(BASE.format(**{**GOOD, **bad}))
    return preview(project)


def test_the_base_stack_is_valid(project):
    code, _, err = _preview(project)
    assert code in (0, 1), err  # previewed (the sample pack may find violations): no model error


@pytest.mark.parametrize(
    "bad, path, allowed",
    [
        ({"leaving": "31/12/2030"}, "principals.people.ana.leavingDate", "must be a date written YYYY-MM-DD"),
        ({"leaving": "2030-02-30"}, "principals.people.ana.leavingDate", "is not a day of the calendar"),
        ({"leaving": "1924905600"}, "principals.people.ana.leavingDate", "must be a date written YYYY-MM-DD"),
        ({"protect": '"false"'}, "tenant.protectFromDeletion", "must be true or false (unquoted): write false without"),
        ({"protect": "yes"}, "tenant.protectFromDeletion", "must be true or false"),
        ({"mode": "permanent"}, "pim.roleBindings[0].mode", "must be one of 'pimGroup', 'direct' or 'eligibleGroup'"),
        ({"mode": "PIMGroup"}, "pim.roleBindings[0].mode", "did you mean 'pimGroup'?"),
        ({"tier": '"1"'}, "pim.roleBindings[0].tier", "must be a whole number from 0 to 2 (unquoted): write 1 without"),
        ({"tier": "true"}, "pim.roleBindings[0].tier", "must be a whole number from 0 to 2"),
        ({"enforce": "[CA01, CA99]"}, "conditionalAccess.enforce[1]", "must be one of 'CA01', 'CA02', 'CA03', 'CA04',"),
        ({"eligible": "ana"}, "pim.roleBindings[0].eligible", "must be a list (each item a key of lower-case letters"),
        ({"eligible": "[{ana: 1}]"}, "pim.roleBindings[0].eligible[0]", "must be a key of lower-case letters, digits"),
        ({"enforce": "sometimes"}, "conditionalAccess.enforce", "must be true or false (unquoted), or a list (each"),
    ],
)
def test_a_bad_value_names_the_file_the_path_and_what_is_allowed(project, bad, path, allowed):
    code, out, err = _preview(project, **bad)
    assert code == 2 and not out, err
    lines = [line for line in err.splitlines() if f"privileged-access:{path}: " in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("stacks/Pulumi.dev.yaml: ") or "stacks/Pulumi.dev.yaml: privileged-access:" in lines[0]
    assert allowed in lines[0], lines[0]
    for internal in INTERNALS:
        assert internal not in err, (internal, err)
