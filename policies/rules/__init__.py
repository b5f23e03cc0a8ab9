"""The pack's policies. Each area module exports POLICIES; add the area's name to AREAS here.

`POLICIES` is assembled on first use (PEP 562), so that components importing the shared facts in
`policies.rules.catalog` do not execute every policy module a second time (the pack's own copy is
loaded as `rules`): about 15 ms of every preview.
"""
from importlib import import_module

AREAS = ("pim", "conditional_access", "paw", "access_packages", "private_access")


def __getattr__(name: str):
    if name != "POLICIES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    policies = [policy for area in AREAS for policy in import_module(f".{area}", __name__).POLICIES]
    globals()["POLICIES"] = policies
    return policies
