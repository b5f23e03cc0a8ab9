"""Eligibility that expires without surprises: end dates from a declared start (never from the clock), lapsed
eligibilities left out rather than re-created, renewal as a new start date, and the pack's advance warning.

Every clock here is injected: `build(..., today=...)` for the stack, `rules.common.CLOCK` for the pack."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_model import short_config

from components.model import parse_model
from components.stack import build
from pum.engine import run_preview

START = "2027-01-04"
END = "2027-07-03T00:00:00Z"  # 2027-01-04 + P180D
AZURE_SCOPE = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-apps"
KINDS = {
    "direct": "pim-user-administrator-eligible-ana",
    "pimGroup": "pim-helpdesk-administrator-eligible-ana",
}


def _config(start: str | None = START, **binding) -> dict:
    config = short_config(
        defaults={"notificationRecipients": ["pim@contoso.com"], **({"eligibilityStart": start} if start else {})},
        roleBindings=[
            {"role": "User Administrator", "mode": "direct", "eligible": ["ana"], **binding},
            {"role": "Helpdesk Administrator", "eligible": ["ana"], **binding},
        ],
        azureRoleBindings=[
            {
                "role": "Reader",
                "scopes": [{"scope": AZURE_SCOPE}],
                "eligible": ["ana"],
                "manageSettings": False,
                **binding,
            }
        ],
    )
    return config


def _plan(config: dict, today: dt.date, packs: list[str] | None = None):
    model = parse_model(config, "stacks/Pulumi.test.yaml")
    return run_preview(lambda: build(model, today=today), policy_packs=packs or [])


def _schedules(report) -> dict[str, dict]:
    """Each eligibility's schedule inputs, by resource name."""
    out = {}
    for r in report.resources:
        if "-eligible-" not in r.name:
            continue
        inputs = r.inputs
        out[r.name] = {k: inputs.get(k) for k in ("scheduleInfo", "startDate", "expirationDate", "duration")}
    return out


def test_end_dates_are_the_same_at_any_clock_time_before_the_end():
    seen = [
        _schedules(_plan(_config(), today))
        for today in (dt.date(2026, 12, 1), dt.date(2027, 3, 9), dt.date(2027, 7, 2))
    ]
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) == 3
    direct = seen[0][KINDS["direct"]]["scheduleInfo"]
    assert direct == {
        "startDateTime": "2027-01-04T00:00:00Z",
        "expiration": {"type": "afterDateTime", "endDateTime": END},
    }
    group = seen[0][KINDS["pimGroup"]]
    assert (group["startDate"], group["expirationDate"], group["duration"]) == ("2027-01-04T00:00:00Z", END, None)
    (azure,) = [v for k, v in seen[0].items() if k.startswith("azure-")]
    assert azure["scheduleInfo"] == {
        "startDateTime": "2027-01-04T00:00:00Z",
        "expiration": {"type": "AfterDateTime", "endDateTime": END},
    }


def test_without_a_declared_start_the_lifetime_runs_from_creation():
    (direct,) = [
        v for k, v in _schedules(_plan(_config(start=None), dt.date(2027, 1, 5))).items() if k == KINDS["direct"]
    ]
    assert direct["scheduleInfo"] == {"expiration": {"type": "afterDuration", "duration": "P180D"}}


@pytest.mark.parametrize("today", [dt.date(2027, 7, 3), dt.date(2027, 7, 4), dt.date(2028, 2, 1)])
def test_a_lapsed_eligibility_is_left_out_and_the_plan_says_so(today):
    report = _plan(_config(), today)
    assert _schedules(report) == {}  # never re-created for a new lifetime
    warnings = [text for level, text in report.diagnostics if level == "warning" and "lapsed" in text]
    assert len(warnings) == 3, report.diagnostics
    assert all("2027-07-03T00:00:00Z" in w and "eligibilityStart" in w for w in warnings)
    assert any("privileged-access:pim.roleBindings[0]" in w for w in warnings)
    assert any("privileged-access:pim.azureRoleBindings[0]" in w for w in warnings)


def test_renewal_is_a_new_start_date_in_the_stack():
    today = dt.date(2027, 8, 1)
    assert _schedules(_plan(_config(), today)) == {}
    renewed = _schedules(_plan(_config(start="2027-08-01"), today))
    assert renewed[KINDS["direct"]]["scheduleInfo"] == {
        "startDateTime": "2027-08-01T00:00:00Z",
        "expiration": {"type": "afterDateTime", "endDateTime": "2028-01-28T00:00:00Z"},
    }
    # a binding's own start overrides the default: one binding renewed, the other still lapsed
    config = _config()
    config["privileged-access:pim"]["roleBindings"][0]["eligibilityStart"] = "2027-08-01"
    assert set(_schedules(_plan(config, today))) == {KINDS["direct"]}


def test_a_leaver_ends_on_the_last_day_when_that_is_sooner():
    config = _config()
    config["privileged-access:principals"]["people"]["ana"]["leavingDate"] = "2027-02-14"
    for today in (dt.date(2026, 12, 1), dt.date(2027, 2, 1)):
        direct = _schedules(_plan(config, today))[KINDS["direct"]]["scheduleInfo"]
        assert direct["expiration"] == {"type": "afterDateTime", "endDateTime": "2027-02-15T00:00:00Z"}


def test_a_bad_start_date_is_a_model_error_naming_the_field():
    from components.model.errors import ModelError

    with pytest.raises(ModelError) as caught:
        parse_model(_config(start="2027-13-01"), "stacks/Pulumi.test.yaml")
    assert "eligibilityStart" in str(caught.value)


# --- the pack's warning --------------------------------------------------------------------------------------------


def _warnings(monkeypatch, moment: dt.datetime, start: str = START, config_days: int | None = None, tmp_path=None):
    from rules import common

    monkeypatch.setattr(common, "CLOCK", lambda: moment)
    configs = []
    if config_days is not None:
        path = tmp_path / "pack.json"
        path.write_text(json.dumps({"pim-eligibility-expiring": {"eligibilityExpiryWarningDays": config_days}}))
        configs = [str(path)]
    model = parse_model(_config(start=start), "stacks/Pulumi.test.yaml")
    report = run_preview(
        lambda: build(model, today=moment.date()), policy_packs=["policies"], policy_pack_configs=configs
    )
    return [v for v in report.violations if v.policy == "pim-eligibility-expiring"]


def test_the_pack_warns_before_an_eligibility_ends(monkeypatch):
    found = _warnings(monkeypatch, dt.datetime(2027, 6, 25, 9, tzinfo=dt.UTC))
    assert len(found) == 3 and all(v.enforcement_level == "advisory" for v in found)
    assert all("2027-07-03T00:00:00Z (in 7 day(s))" in v.message and "eligibilityStart" in v.message for v in found)


def test_no_warning_long_before_the_end(monkeypatch):
    assert _warnings(monkeypatch, dt.datetime(2027, 3, 1, tzinfo=dt.UTC)) == []


def test_the_warning_window_is_configurable(monkeypatch, tmp_path):
    moment = dt.datetime(2027, 5, 20, tzinfo=dt.UTC)
    assert _warnings(monkeypatch, moment) == []
    assert len(_warnings(monkeypatch, moment, config_days=60, tmp_path=tmp_path)) == 3


def test_a_plan_that_still_declares_a_lapsed_eligibility_is_told(monkeypatch):
    """A program that declares an ended eligibility itself (not through the stack builder) is told it lapsed."""
    from rules import common
    from rules.expiry import _expiring

    monkeypatch.setattr(common, "CLOCK", lambda: dt.datetime(2027, 8, 1, tzinfo=dt.UTC))
    messages: list[str] = []

    class Args:
        resource_type = "pulumi-python:dynamic:Resource"
        props = {
            "graphKind": "directoryRoleEligibility",
            "scheduleInfo": {
                "startDateTime": "2027-01-04T00:00:00Z",
                "expiration": {"type": "afterDateTime", "endDateTime": END},
            },
        }
        urn = "urn:pulumi:dev::test::pulumi-python:dynamic:Resource::x"
        name = "x"

        @staticmethod
        def get_config():
            return {}

    _expiring(Args(), lambda message, urn=None: messages.append(message))
    assert len(messages) == 1 and "has lapsed" in messages[0]


def test_the_renewal_reads_as_a_lifetime_change_in_the_pull_request():
    """`pum diff` (privilege_map.diff) says what a renewal changes: the eligibility now lasts until the new end."""
    from privilege_map.diff import compare
    from pum.report.json_report import as_dict

    today = dt.date(2027, 6, 1)
    base = as_dict(_plan(_config(), today))
    head = as_dict(_plan(_config(start="2027-06-01"), today))
    changes = [c for c in compare(base, head) if "until 2027-11-28T00:00:00Z" in c["summary"]]
    assert changes and all(c["direction"] == "loosened" for c in changes), compare(base, head)
    assert any("until 2027-07-03T00:00:00Z" in c["summary"] for c in changes)


def test_a_journey_group_eligibility_starts_on_the_declared_day_and_its_lapse_is_said():
    config = _config()
    config["privileged-access:pim"]["roleBindings"] = [
        {"role": "User Administrator", "mode": "eligibleGroup", "name": "ua-journey"}
    ]
    config["privileged-access:pim"]["azureRoleBindings"] = []
    before = _plan(config, dt.date(2027, 2, 1))
    (group,) = [r for r in before.resources if r.name == "pim-ua-journey-eligible"]
    assert group.inputs["scheduleInfo"] == {
        "startDateTime": "2027-01-04T00:00:00Z",
        "expiration": {"type": "afterDuration", "duration": "P180D"},
    }
    assert not [t for _, t in before.diagnostics if "lapsed" in t]
    after = _plan(config, dt.date(2027, 7, 3))
    assert [t for _, t in after.diagnostics if "the journey group" in t and "lapsed on 2027-07-03" in t]
