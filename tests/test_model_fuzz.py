"""Fuzz: generated and mutated stack configs only ever yield a StackModel or a ModelError naming the file."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model import example_config

from components.model import ModelError, StackModel, parse_model

SOURCE = "stacks/Pulumi.fuzz.yaml"
BASE = example_config()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["/", "P180D", "PT2H", "PT0M", "P999D", "c1", "emea-users", "maria", "Owner", "Global Administrator", "direct"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=15), inner, max_size=4)),
    max_leaves=12,
)
keys = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "role",
            "scope",
            "eligible",
            "activation",
            "maxDuration",
            "approvers",
            "mode",
            "scopes",
            "policyName",
            "accounts",
            "upn",
            "people",
            "adminAccount",
            "leavingDate",
            "roleBindings",
            "azureRoleBindings",
        ]
    ),
)


def _containers(node, path=()):
    """Every dict/list inside `node`, with its path."""
    yield path, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        if isinstance(child, (dict, list)):
            yield from _containers(child, (*path, key))


@st.composite
def mutated_configs(draw):
    config = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(config))
        _, target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            if action == "replace":
                target[key] = draw(values)
            elif action == "delete":
                del target[key]
            else:
                target[draw(keys)] = draw(values)
        elif isinstance(target, list) and target:
            index = draw(st.integers(0, len(target) - 1))
            if action == "delete":
                del target[index]
            else:
                target[index] = draw(values)
    return config


def _check(config) -> None:
    try:
        model = parse_model(config, SOURCE)
    except ModelError as exc:
        text = str(exc)
        assert text and all(line.startswith(SOURCE + ": ") for line in text.splitlines())
    else:
        assert isinstance(model, StackModel)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_configs())
def test_mutated_example_configs_never_raise_anything_but_model_error(config):
    _check(config)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.one_of(
            keys,
            st.sampled_from(
                [
                    "privileged-access:pim",
                    "privileged-access:principals",
                    "privileged-access:breakGlass",
                    "privileged-access:tenant",
                    "privileged-access:administrativeUnits",
                    "privileged-access:x",
                    "azuread:tenantId",
                ]
            ),
        ),
        values,
        max_size=5,
    )
)
def test_generated_configs_never_raise_anything_but_model_error(config):
    _check(config)
