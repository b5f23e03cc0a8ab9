"""The pack loads standalone (as `pulumi preview --policy-pack policies` runs it) and every policy
carries the metadata the design requires; the shared helpers read proxied props without raising."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

from privileged_facts.values import UNKNOWN, is_unknown
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy
from rules import common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICIES_DIR = os.path.join(ROOT, "policies")

_PROBE = r"""
import json, re, sys
sys.path.insert(0, ".")
import rules
from pulumi_policy import EnforcementLevel, Policy
out = []
for p in rules.POLICIES:
    assert isinstance(p, Policy), p
    out.append({"name": p.name, "description": p.description,
                "level": p.enforcement_level.value if p.enforcement_level else None,
                "severity": p.severity.value if p.severity else None, "remediation": p.remediation_steps,
                "framework": p.framework.name if p.framework else None,
                "module": type(p.validate).__module__ if callable(p.validate) else None})
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("components", "pum", "policies", "pulumi_azuread",
                                                               "pulumi_azure_native"))
print(json.dumps({"policies": out, "leaked": leaked}))
"""


def _standalone():
    done = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE], cwd=POLICIES_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_pack_loads_standalone_and_every_policy_has_its_metadata():
    loaded = _standalone()
    assert loaded["leaked"] == [], "rules/ must import only pulumi_policy and the standard library"
    policies = loaded["policies"]
    names = [p["name"] for p in policies]
    assert len(names) == len(set(names)), "policy names must be unique"
    import re

    for p in policies:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", p["name"]), p["name"]
        assert p["description"] and p["description"].rstrip().endswith((".", ")")), p["name"]
        assert p["level"] in ("advisory", "mandatory"), p["name"]
        assert p["severity"] in ("low", "medium", "high", "critical"), p["name"]
        assert p["remediation"] and len(p["remediation"]) > 20, p["name"]


def test_pim_policies_are_registered_with_framework_references():
    from rules import pim

    registered = {p["name"]: p for p in _standalone()["policies"]}
    for policy in pim.POLICIES:
        assert policy.name in registered
        assert registered[policy.name]["framework"], f"{policy.name} has no framework reference"


# --- unknown-safe readers (in depth: tests/test_policy_reads.py) ----------------------------------------


def test_get_and_elements_never_raise_on_unknowns():
    props = unknown_checking_proxy(
        {
            "a": {"id": UNKNOWN_STRING_VALUE, "list": ["x", UNKNOWN_STRING_VALUE]},
            "whole": UNKNOWN_STRING_VALUE,
            "flag": False,
        }
    )
    assert common.get(props, "a", "id") is UNKNOWN
    assert common.get(props, "whole", "deeper") is UNKNOWN
    assert common.get(props, "missing", "deeper") is None
    assert common.get(props, "flag") is False
    assert common.elements(common.get(props, "a", "list")) == ["x", UNKNOWN]
    assert common.elements(common.get(props, "whole")) == [UNKNOWN]
    assert is_unknown(UNKNOWN_STRING_VALUE) and not is_unknown("x")


def _resource(urn, rtype, parent=None, props=None, deps=None, protect=False):
    return SimpleNamespace(
        urn=urn,
        resource_type=rtype,
        parent=parent,
        name=urn,
        props=unknown_checking_proxy(props or {}),
        property_dependencies=deps or {},
        opts=SimpleNamespace(protect=protect),
    )


def test_break_glass_is_recognised_by_config_id_and_by_the_shape_the_component_guarantees():
    component = _resource("bg", "privileged-access:index:BreakGlassAccounts")
    wrapper = _resource("bg-inner", "pkg:index:Wrapper", parent=component)
    password = _resource("bg-pw", common.RANDOM_PASSWORD, parent=wrapper)
    shape = {"userPrincipalName": "bg1@contoso.onmicrosoft.com", "password": UNKNOWN_STRING_VALUE}
    account = _resource("bg-user", common.USER, wrapper, shape, {"password": [password]}, protect=True)
    other = _resource("someone", common.USER)
    forged = [  # a BreakGlassAccounts type token alone proves nothing
        _resource("known-pw", common.USER, wrapper, {**shape, "password": "Summer2026!"}, protect=True),
        _resource(
            "federated",
            common.USER,
            wrapper,
            {**shape, "userPrincipalName": "bg@contoso.com"},
            {"password": [password]},
        ),
        _resource("unprotected", common.USER, wrapper, shape, {"password": [password]}),
    ]
    everything = [component, wrapper, password, account, other, *forged]
    urns = common.break_glass_urns([component, wrapper, account, other])
    assert urns == {"bg", "bg-inner", "bg-user"}
    assert [b.name for b in common.break_glass_resources([component, wrapper, account, other])] == ["bg-user"]
    accounts = common.break_glass_accounts(everything)
    assert accounts == {"bg-user"}

    def grant(urn, target, parent=wrapper, protect=True):
        return _resource(
            urn,
            common.ROLE_ASSIGNMENT,
            parent=parent,
            props={"principalObjectId": UNKNOWN_STRING_VALUE},
            deps={"principalObjectId": [target]},
            protect=protect,
        )

    via_id = _resource("a2", common.ROLE_ASSIGNMENT, props={"principalObjectId": "ABC"})
    ids = frozenset({"abc"})
    assert common.is_break_glass(grant("a1", account), "principalObjectId", ids, accounts)
    assert common.is_break_glass(via_id, "principalObjectId", ids, accounts)
    assert not common.is_break_glass(grant("a3", other), "principalObjectId", ids, accounts)
    assert not common.is_break_glass(grant("a4", account, parent=None), "principalObjectId", ids, accounts)
    assert not common.is_break_glass(grant("a5", account, protect=False), "principalObjectId", ids, accounts)


def test_role_grants_resolve_unknown_role_and_principal_through_dependencies():
    role = _resource("role", common.DIRECTORY_ROLE, props={"displayName": "Global Administrator"})
    group = _resource("group", common.GROUP)
    member = _resource(
        "m",
        common.ROLE_MEMBER,
        props={"roleObjectId": UNKNOWN_STRING_VALUE, "memberObjectId": UNKNOWN_STRING_VALUE},
        deps={"roleObjectId": [role], "memberObjectId": [group]},
    )
    (grant,) = common.role_grants([role, group, member])
    assert (grant.role, grant.principal, grant.scope, grant.active) == (
        "62e90394-69f5-4237-9190-012177145e10",
        "group",
        "/",
        True,
    )


def test_settings_fall_back_to_secure_defaults_and_honour_config():
    args = SimpleNamespace(get_config=lambda: {})
    assert common.setting(args, "maxEligibilityDuration") == "P180D"
    assert common.duration_setting(args, "criticalMaxActivationDuration").total_seconds() == 3600
    args = SimpleNamespace(get_config=lambda: {"maxActivationDuration": "PT4H", "breakGlassObjectIds": [" AB "]})
    assert common.duration_setting(args, "maxActivationDuration").total_seconds() == 4 * 3600
    assert common.id_setting(args, "breakGlassObjectIds") == {"ab"}


def test_relations_resolve_the_same_when_ids_are_known_as_in_a_preview_of_an_existing_stack():
    """A real preview of an existing stack knows every ID: a grant, a member policy and a GroupMember that name the
    group by its known object ID (and depend on it) match it exactly as they do by dependency when IDs are unknown."""
    from rules import pim_stack

    gid, approvers_id = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
    group = _resource("g", common.GROUP, props={"objectId": gid, "assignableToRole": True})
    approvers = _resource("approvers", common.GROUP, props={"objectId": approvers_id})
    grant = _resource(
        "ga",
        common.ROLE_ASSIGNMENT,
        props={"roleId": "62e90394-69f5-4237-9190-012177145e10", "principalObjectId": gid.upper()},
        deps={"principalObjectId": [group]},
    )
    policy = _resource(
        "policy",
        pim_stack.GROUP_POLICY,
        props={
            "groupId": gid,
            "roleId": "member",
            "activationRules": {
                "maximumDuration": "PT1H",
                "requireApproval": True,
                "approvalStage": {"primaryApprovers": [{"objectId": approvers_id}]},
            },
        },
        deps={"groupId": [group]},
    )
    member = _resource("member", pim_stack.GROUP_MEMBER, props={"groupObjectId": gid, "memberObjectId": "u"})
    args = SimpleNamespace(resources=[group, approvers, grant, policy, member], get_config=lambda: {})
    results: dict[str, list] = {}
    for p in pim_stack.POLICIES:
        found = results.setdefault(p.name, [])
        p.validate(args, lambda message, urn=None, found=found: found.append((urn, message)))
    assert results["entra-no-standing-privileged-role"] == []
    assert results["pim-group-requires-policy"] == []
    assert [urn for urn, _ in results["pim-group-no-static-members"]] == ["member"]
    assert results["pim-critical-role-approval"] == []
    assert [urn for urn, _ in results["pim-critical-role-activation-duration"]] == []
