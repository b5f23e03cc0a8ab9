"""Issue 17: a `--policy-pack-config` that would silently not apply is exit 2 with a did-you-mean.

The CLI's pkg/resource/analyzer/config.go is the reference: levels, an empty file, an entry with neither level nor
properties and `all` behave as there. pum is stricter only where a typo would weaken the gate: an unknown policy,
a property its schema does not declare, properties under `all`, and JSON the CLI refuses (NaN, Infinity).
"""

import pytest
from clihelp import plain_project, preview


@pytest.fixture
def project(tmp_path):
    return plain_project(tmp_path / "p")


def _run(project, tmp_path, text):
    path = tmp_path / "config.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return preview(project, "--policy-pack-config", str(path))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"no-forbiden-role": "advisory"}', "no policy 'no-forbiden-role'; did you mean 'no-forbidden-role'?"),
        ('{"no-forbidden-role": {"forbidenRoles": []}}', "has no config property 'forbidenRoles'; did you mean"),
        ('{"unknown-first": {"productoin": true}}', "policy 'unknown-first' has no config property 'productoin'"),
        ('{"nothing-like-it": {"x": 1}}', "no policy 'nothing-like-it'; it has no-forbidden-role"),
        ('{"all": {"enforcementLevel": "advisory", "x": 1}}', "all: takes only an enforcement level"),
        ('{"no-forbidden-role": "strict"}', "'strict' is not a valid enforcement level"),
        ('{"no-forbidden-role": {"enforcementLevel": 3}}', "3 is not a valid enforcement level"),
        ('{"no-forbidden-role": 5}', "5 is not valid; use an enforcement level string"),
        ('{"no-forbidden-role": {"forbiddenRoles": "GA"}}', "'GA' is not of type 'array'"),
        ('{"no-forbidden-role": {"forbiddenRoles": [NaN]}}', "NaN is not a JSON number"),
        ('{"no-forbidden-role": {"forbiddenRoles": [Infinity]}}', "Infinity is not a JSON number"),
        ("[1]", "must be a JSON object keyed by policy name"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "nested"),
        ('{"environments": ["prod"]}', "cannot open Pulumi ESC environments offline"),
        (b'{"no-forbidden-role": "advisory\xff"}', "not UTF-8 text"),
        ("{", "invalid JSON in policy pack config"),
    ],
)
def test_a_config_that_would_not_apply_is_exit_2(project, tmp_path, text, fragment):
    code, _, err = _run(project, tmp_path, text)
    assert code == 2, err
    assert fragment in err and "config.json" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text, code",
    [
        ("", 1),  # an empty file is no config, as in the CLI
        ('{"all": "advisory"}', 0),
        ('{"no-forbidden-role": {}}', 1),  # dropped, as in the CLI
        ('{"no-forbidden-role": {"enforcementLevel": "advisory"}, "unknown-first": "disabled"}', 0),
        ('{"no-forbidden-role": {"forbiddenRoles": []}, "unknown-first": "advisory"}', 0),
    ],
)
def test_a_config_the_cli_accepts_still_applies(project, tmp_path, text, code):
    result, _, err = _run(project, tmp_path, text)
    assert result == code, err
