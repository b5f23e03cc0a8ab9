"""Shared pieces of the Graph dynamic providers: the provider base class, diffing, validation helpers.

Providers stay picklable (pulumi serialises them with dill): they hold no client, only an optional
``client_factory`` (None in real use; tests inject one to route sleeps), and build a
:class:`GraphClient` inside each method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from privileged_facts.values import is_guid, is_unknown
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, ResourceProvider

from .client import GraphClient


def require_guid(value: Any, field: str) -> None:
    """Raise a clear error for a plain string that is not a GUID (Outputs pass: checked by Graph)."""
    if isinstance(value, str) and not is_unknown(value) and not is_guid(value):
        raise ValueError(
            f"{field}: {value!r} is not an object ID (a GUID such as '62e90394-69f5-4237-9190-012177145e10')"
        )


def check_result(news: dict, checks: Iterable[tuple[str, Callable[[], None]]]) -> CheckResult:
    """Run (property, validator) pairs; each ValueError becomes a CheckFailure for that property."""
    failures = []
    for prop, validate in checks:
        try:
            validate()
        except ValueError as err:
            failures.append(CheckFailure(prop, str(err)))
    return CheckResult(news, failures)


def diff(
    olds: dict,
    news: dict,
    keys: Iterable[str],
    replace_keys: Iterable[str] = (),
    normalize: Callable[[str, Any], Any] | None = None,
    delete_before_replace: bool = False,
) -> DiffResult:
    """Compare declared input keys only (outputs and __provider are ignored)."""
    norm = normalize or (lambda _k, v: v)
    changed = [k for k in keys if norm(k, olds.get(k)) != norm(k, news.get(k))]
    replaces = [k for k in changed if k in set(replace_keys)]
    return DiffResult(
        changes=bool(changed),
        replaces=replaces,
        stables=[k for k in keys if k not in changed],
        delete_before_replace=delete_before_replace if replaces else None,
    )


def project(live: Any, declared: Any) -> Any:
    """The part of a live Graph object that the declaration speaks about (keys it sets, same
    list positions), so fields Graph adds do not show as drift while changed values do."""
    if isinstance(declared, dict) and isinstance(live, dict):
        return {k: project(live.get(k), v) for k, v in declared.items()}
    if isinstance(declared, list) and isinstance(live, list) and len(declared) == len(live):
        return [project(lv, dv) for lv, dv in zip(live, declared)]
    return live


def pick(props: dict, keys: Iterable[str]) -> dict:
    return {k: props[k] for k in keys if k in props and props[k] is not None}


def output(wire_name: str) -> property:
    """A snake_case attribute for an output that travels under its camelCase wire name (a dynamic
    Resource names its Output attributes after the wire keys)."""
    return property(lambda self: self.__dict__[wire_name], doc=f"Output ``{wire_name}``.")


class GraphProvider(ResourceProvider):
    """Base of every Graph-backed dynamic provider."""

    serialize_as_secret_always = False  # nothing secret is captured; a captured secret stays secret

    def __init__(self, client_factory: Callable[[], GraphClient] | None = None) -> None:
        super().__init__()
        self._client_factory = client_factory

    def client(self) -> GraphClient:
        return self._client_factory() if self._client_factory else GraphClient.from_env()
