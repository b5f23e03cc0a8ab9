"""The program refuses a stack with no `privileged-access:*` key or no config at all (issue 17, item 3): a model
error (exit 2 through pum) naming the stack file and what to add, not a one-resource plan."""

import json

import pulumi
import pytest

from components.model import ModelError, load_model


class _NoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return "", {}

    def call(self, args):
        return {}


@pytest.fixture
def qa_program(monkeypatch, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: privileged-access\nruntime: python\nstackConfigDir: stacks\n")
    monkeypatch.chdir(tmp_path)
    pulumi.runtime.set_mocks(_NoMocks(), project="privileged-access", stack="qa")
    yield
    pulumi.runtime.set_all_config({})


def test_an_empty_config_is_a_model_error_naming_the_stack_file_and_what_to_add(qa_program):
    pulumi.runtime.set_all_config({})
    with pytest.raises(ModelError) as caught:
        load_model()
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "stacks/Pulumi.qa.yaml: config: the stack has no config, so this program would declare nothing; add the "
        "areas to declare, at least privileged-access:principals and privileged-access:pim (with "
        "privileged-access:breakGlass before privileged-access:conditionalAccess); stacks/Pulumi.example.yaml is a "
        "complete example to start from"
    )


def test_a_config_with_only_other_namespaces_is_a_model_error(qa_program):
    pulumi.runtime.set_all_config(
        {"azuread:tenantId": "00000000-0000-4000-8000-0000000000a1", "azure-native:location": "westeurope"}
    )
    with pytest.raises(ModelError) as caught:
        load_model()
    assert str(caught.value).startswith(
        "stacks/Pulumi.qa.yaml: config: has no privileged-access:* key (only azure-native:location, "
        "azuread:tenantId), so this program would declare nothing; add the areas to declare"
    )


def test_one_area_of_explicit_config_is_enough(qa_program):
    pulumi.runtime.set_all_config({"privileged-access:tenant": json.dumps({"namePrefix": "QA"})})
    assert load_model().tenant.name_prefix == "QA"
