"""Issue 16, class 12 and 10 for the stack model: errors never show a secret value (the real CLI decrypts
`secure:` values and names the secret keys), and the renamed tenant flag points to its new name."""

import pytest

from components.model import ModelError, parse_model

SECRET = "s3cr3t-range"


def problems(config, secret_keys=()):
    with pytest.raises(ModelError) as error:
        parse_model(config, "Pulumi.dev.yaml", secret_keys=secret_keys)
    return str(error.value)


def test_a_secret_areas_values_never_appear_even_quoted_by_a_validator():
    config = {"privileged-access:conditionalAccess": {"namedLocations": [{"name": "hq", "ipRanges": [SECRET]}]}}
    assert SECRET in problems(config)  # not secret: the bad value is shown to help
    text = problems(config, secret_keys=["privileged-access:conditionalAccess"])
    assert SECRET not in text and "namedLocations[0].ipRanges" in text and "[secret]" in text


def test_a_secret_value_is_not_shown_in_another_areas_message_either():
    config = {
        "privileged-access:principals": {
            "groups": {"approvers": {"objectId": "3f1c6a52-8f2e-4a8b-9a53-6f0c2d7e9b11", "displayName": SECRET}}
        },
        "privileged-access:tenant": {"namePrefix": SECRET},
    }
    text = problems(config, secret_keys=["privileged-access:principals"])
    assert SECRET not in text and "privileged-access:tenant.namePrefix" in text


def test_the_old_production_flag_is_refused_with_a_did_you_mean():
    text = problems({"privileged-access:tenant": {"production": True}})
    assert "privileged-access:tenant.production: unknown key 'production'; did you mean 'protectFromDeletion'?" in text


def test_protect_from_deletion_defaults_on():
    assert parse_model({}, "Pulumi.dev.yaml").tenant.protect_from_deletion is True


def test_the_rollout_end_date_reaches_the_component_args():
    from components.model.conditional_access import ConditionalAccessSettings
    from components.stack import conditional_access_args

    settings = ConditionalAccessSettings.model_validate({"reportOnlyUntil": "2030-01-31"})
    args = conditional_access_args(settings, break_glass_user_ids=["a", "b"])
    assert args.report_only_until == "2030-01-31"
