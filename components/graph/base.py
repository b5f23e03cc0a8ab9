"""Shared pieces of the Graph dynamic providers: the provider base class, diffing, validation helpers.

Providers stay picklable (pulumi serialises them with dill): they hold no client, only an optional
``client_factory`` (None in real use; tests inject one to route sleeps), and build a
:class:`GraphClient` inside each method.

Values as the host gives them: the dynamic-provider host carries every property as a protobuf
``Struct``, so whole numbers reach a provider as floats (pulumi/pulumi#13830) and ``None`` values are
dropped. Graph stores and answers object IDs in lower case. :class:`GraphProvider` therefore passes
everything the host hands it through :func:`from_host` (integral floats back to ints, GUIDs lower-case)
before a subclass sees it, so the bodies sent to Graph carry Int32 values as integers and comparisons
with Graph's answers never see a case difference.

Creates are idempotent (:func:`create_or_adopt`): a provider first looks for the object it would
create by a key it controls and adopts it; a POST whose answer was lost is never repeated blindly.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

import pulumi
from privileged_facts.values import is_guid, is_unknown
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, ResourceProvider

from .client import GraphClient, GraphError

T = TypeVar("T")
_EMBEDDED_GUID = re.compile(r"(?<=/)[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def from_host(value: Any) -> Any:
    """``value`` as Graph speaks it: integral floats as ints, GUIDs (alone or ending a path such as
    ``/administrativeUnits/{id}``) in lower case; other values unchanged."""
    if isinstance(value, dict):
        return {k: from_host(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_host(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        if is_guid(value):
            return value.lower()
        if value.startswith("/"):
            return _EMBEDDED_GUID.sub(lambda m: m.group(0).lower(), value)
    return value


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


def project(live: Any, declared: Any, same: Callable[[Any, Any], bool] | None = None) -> Any:
    """The part of a live Graph object that the declaration speaks about (keys it sets, same
    list positions), so fields Graph adds do not show as drift while changed values do.

    With ``same`` (for collections Graph keeps unordered, such as approvers), a live list item is
    paired with the declared item whose projection it matches (``same(projection, declared)``)
    wherever Graph listed it; items that match nothing are paired by position, so they still differ.
    """
    if isinstance(declared, dict) and isinstance(live, dict):
        return {k: project(live.get(k), v, same) for k, v in declared.items()}
    if isinstance(declared, list) and isinstance(live, list) and len(declared) == len(live):
        if same is None:
            return [project(lv, dv) for lv, dv in zip(live, declared)]
        free = list(range(len(live)))
        paired: list[int | None] = []
        for dv in declared:
            hit = next((i for i in free if same(project(live[i], dv, same), dv)), None)
            paired.append(hit)
            if hit is not None:
                free.remove(hit)
        rest = iter(free)
        return [project(live[next(rest) if i is None else i], dv, same) for i, dv in zip(paired, declared)]
    return live


def pick(props: dict, keys: Iterable[str]) -> dict:
    return {k: props[k] for k in keys if k in props and props[k] is not None}


def odata_quote(value: str) -> str:
    """A string literal for an OData ``$filter`` (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def owner_tag(resource_name: str) -> str:
    """A stable marker for the object one resource of one stack creates: the same on every ``up`` of
    that resource, different for any other resource, stack or project (a SHA-256 prefix, no names)."""
    key = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
    return "pum:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class CreateOutcomeUnknown(GraphError):
    """A create whose answer was lost and whose object could not (yet) be found: never repeated."""


def create_or_adopt(
    client: GraphClient, what: str, find: Callable[[], T | None], post: Callable[[], T], look_first: bool = True
) -> tuple[T, bool]:
    """Look for the object first (``find``; skipped with ``look_first=False`` when the caller has just
    listed what exists) and adopt it; otherwise POST once.

    Returns ``(object, adopted)``. When the POST's answer is lost (:attr:`GraphError.may_have_applied`:
    5xx, a redirect or no answer at all), the POST is not repeated: the object is looked up again
    through Graph's replication lag (the client's not-found budget), adopted when found, and otherwise
    :class:`CreateOutcomeUnknown` is raised, so that the next ``up``, which looks first, adopts it.
    """
    found = find() if look_first else None
    if found is not None:
        return found, True
    try:
        return post(), False
    except GraphError as err:
        if not err.may_have_applied:
            raise
        lost = err
    policy = client.retry
    for attempt in range(1, policy.not_found_attempts):
        client.pause(policy.not_found_delay * attempt)
        found = find()
        if found is not None:
            return found, True
    raise CreateOutcomeUnknown(
        lost.status,
        "createOutcomeUnknown",
        f"the create of {what} may have taken effect (the answer was lost: {lost.code}) but it cannot be "
        "found yet; run `pulumi up` again: it looks for it first and adopts it instead of creating another",
        lost.request_id,
        lost.method,
        lost.path,
    )


def only(found: list[T], what: str) -> T | None:
    """The one object a lookup found, None for none; more than one is an error naming them."""
    if len(found) > 1:
        ids = ", ".join(str(o.get("id")) if isinstance(o, dict) else str(o) for o in found[:5])
        raise GraphError(
            409,
            "ambiguousAdoption",
            f"{len(found)} objects match {what} ({ids}); delete the extra ones or import one with `pulumi import`",
        )
    return found[0] if found else None


def output(wire_name: str) -> property:
    """A snake_case attribute for an output that travels under its camelCase wire name (a dynamic
    Resource names its Output attributes after the wire keys)."""
    return property(lambda self: self.__dict__[wire_name], doc=f"Output ``{wire_name}``.")


class GraphProvider(ResourceProvider):
    """Base of every Graph-backed dynamic provider.

    The host-facing methods normalise what the host hands over (:func:`from_host`) and delegate to
    ``_check``, ``_diff``, ``_create``, ``_read``, ``_update`` and ``_delete``.
    """

    serialize_as_secret_always = False  # nothing secret is captured; a captured secret stays secret
    graph_kind: ClassVar[str | None] = None
    """The graphKind this provider serves: its module's ``GRAPH_KIND``, taken when the subclass is defined."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("graph_kind") is None:
            cls.graph_kind = getattr(sys.modules.get(cls.__module__), "GRAPH_KIND", None)

    def __init__(self, client_factory: Callable[[], GraphClient] | None = None) -> None:
        super().__init__()
        self._client_factory = client_factory

    def client(self) -> GraphClient:
        return self._client_factory() if self._client_factory else GraphClient.from_env()

    def check(self, olds: dict, news: dict) -> Any:
        """Refuses a graphKind other than this provider's own, literally: the policy pack recognises a resource by it,
        so a caller-chosen spelling (``entraRoleSetting``, ``conditional_access_policy``, none, a value computed at
        preview) would let our provider write to Graph what the pack does not judge as what it is."""
        news = from_host(news)
        kind = news.get("graphKind")
        if type(self).graph_kind is not None and kind != type(self).graph_kind:
            shown = (
                "a value unknown at preview" if is_unknown(kind) else repr(kind) if isinstance(kind, str) else "none"
            )
            return CheckResult(
                news,
                [
                    CheckFailure(
                        "graphKind",
                        f"graphKind is {shown}; this provider serves only {type(self).graph_kind!r}, literally "
                        "(the policy pack recognises the resource by it): declare it through its Resource class",
                    )
                ],
            )
        return self._check(from_host(olds), news)

    def diff(self, id_: str, olds: dict, news: dict) -> Any:
        return self._diff(id_, from_host(olds), from_host(news))

    def create(self, props: dict) -> Any:
        return self._create(from_host(props))

    def read(self, id_: str, props: dict) -> Any:
        return self._read(id_, from_host(props))

    def update(self, id_: str, olds: dict, news: dict) -> Any:
        return self._update(id_, from_host(olds), from_host(news))

    def delete(self, id_: str, props: dict) -> None:
        self._delete(id_, from_host(props))

    def _check(self, olds: dict, news: dict) -> Any:
        return CheckResult(news, [])

    def _diff(self, id_: str, olds: dict, news: dict) -> Any:
        raise NotImplementedError

    def _create(self, props: dict) -> Any:
        raise NotImplementedError

    def _read(self, id_: str, props: dict) -> Any:
        raise NotImplementedError

    def _update(self, id_: str, olds: dict, news: dict) -> Any:
        raise NotImplementedError

    def _delete(self, id_: str, props: dict) -> None:
        raise NotImplementedError
