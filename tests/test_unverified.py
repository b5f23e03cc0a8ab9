"""Unknown means unverified: the one way a policy reports a deciding value it cannot see at preview."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UnknownValueError
from rules.common import UNKNOWN_AT_PREVIEW, config_schema, unverified, verifying


class Args:
    def __init__(self, config=None):
        self.config = config

    def get_config(self):
        return self.config


def test_by_default_an_unknown_deciding_value_is_a_violation_at_the_policys_level():
    reported = []
    unverified(Args(), lambda message, urn=None: reported.append((message, urn)), "Group 'x' duration", "urn:x")
    [(message, urn)] = reported
    assert urn == "urn:x" and message.startswith("Group 'x' duration is unknown at preview")
    assert "cannot verify" in message and UNKNOWN_AT_PREVIEW in message


def test_advisory_config_defers_to_the_sdks_note_after_everything_certain_is_reported():
    reported = []

    @verifying
    def validate(args, report):
        unverified(args, report, "first unknown")
        report("a certain violation")
        unverified(args, report, "second unknown")

    with pytest.raises(UnknownValueError):
        validate(Args({UNKNOWN_AT_PREVIEW: "advisory"}), reported.append)
    assert reported == ["a certain violation"]


def test_advisory_without_the_wrapper_raises_at_once():
    with pytest.raises(UnknownValueError):
        unverified(Args({UNKNOWN_AT_PREVIEW: "advisory"}), lambda *_: None, "x")


def test_every_policy_schema_offers_the_setting_with_a_mandatory_default():
    schema = config_schema("maxActivationDuration").properties
    assert schema[UNKNOWN_AT_PREVIEW]["default"] == "mandatory"
    assert schema[UNKNOWN_AT_PREVIEW]["enum"] == ["mandatory", "advisory"]
