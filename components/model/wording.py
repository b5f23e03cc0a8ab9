"""pydantic's validation errors in the stack file's own terms: its dotted path, what is allowed there, the fix.

pydantic reports a location in its own terms: a union adds a segment naming the member it tried (`enforce.bool`,
`enforce."list[literal['CA01',...]]"`, `function-after[_duration(), str]`), and every member that failed is an error
of its own. Its messages say "Input should be a valid boolean". Here the location is walked alongside the model's
annotations, so that only the stack file's keys and list positions remain; a union's errors become the one that
matters (the member the value took the shape of) or one "must be A or B"; and each kind of error says what the
stack file may hold there, in plain words (true or false, a whole number from 1 to 365, one of 'a', 'b', a date
written YYYY-MM-DD, an object with the keys ...).
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .pim import PATTERN_HINTS
from .scalars import DATE_FORM

_MISMATCH = {
    "bool_type",
    "bool_parsing",
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "string_type",
    "list_type",
    "tuple_type",
    "set_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "dataclass_type",
    "literal_error",
    "none_required",
    "date_type",
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "is_instance_of",
}
"""Kinds that say only "the value is not of this member's type" (in a union: the value took another shape)."""


@dataclass(frozen=True)
class Located:
    """One pydantic error placed in the stack file: its path there, the annotation and field found at that path,
    and the union (if any) whose member the error is about."""

    error: Mapping[str, Any]
    loc: tuple
    annotation: Any
    field: FieldInfo | None
    union: tuple | None  # (path of the union, its members) when the raw location passed through a union
    inside_member: bool  # the raw location went on past the member's tag (the value had that member's shape)
    parent_model: type[BaseModel] | None  # the model whose key the path ends at (for unknown keys)


def _strip(annotation: Any) -> Any:
    """Without Annotated and without None in a union (`Bool | None` -> bool, `X | Y | None` -> X | Y)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _members(annotation: Any) -> list[Any]:
    """The members of a union of several types (None left out), else []."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return []


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _aliases(model: type[BaseModel]) -> dict[str, tuple[str, FieldInfo]]:
    return {(f.alias or n): (n, f) for n, f in model.model_fields.items()}


def _member_for(members: list[Any], following: Any) -> Any:
    """The union member a raw location continues into: a list for a position, a model holding the key, a mapping."""
    for member in members:
        stripped = _strip(member)
        origin = typing.get_origin(stripped)
        if isinstance(following, int) and origin in (list, tuple, set, frozenset):
            return member
        if isinstance(following, str) and _is_model(stripped) and following in _aliases(stripped):
            return member
    for member in members:
        if isinstance(following, str) and typing.get_origin(_strip(member)) is dict:
            return member
    return None


def locate(error: Mapping[str, Any], root: type[BaseModel]) -> Located:
    """Walk the raw location alongside the annotations from `root`; drop the segments that name union members."""
    raw = tuple(error.get("loc", ()))
    clean: list[Any] = []
    annotation: Any = root
    field: FieldInfo | None = None
    union: tuple | None = None
    inside = False
    parent: type[BaseModel] | None = None
    index = 0
    while index < len(raw):
        part = raw[index]
        current = _strip(annotation)
        members = _members(current)
        if members and annotation is not None:
            following = raw[index + 1] if index + 1 < len(raw) else None
            if union is None:
                union = (tuple(clean), tuple(members))
                inside = following is not None
            annotation, field = _member_for(members, following), None
            index += 1  # the member's tag: pydantic's, not the stack file's
            continue
        field = None
        origin = typing.get_origin(current)
        if _is_model(current):
            parent = current
            found = _aliases(current).get(part) if isinstance(part, str) else None
            annotation, field = (found[1].annotation, found[1]) if found else (None, None)
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
            annotation = typing.get_args(current)[0] if typing.get_args(current) else None
        elif origin is dict:
            key_type, value_type = typing.get_args(current) or (None, None)
            if index + 1 < len(raw) and raw[index + 1] == "[key]":  # the key itself is wrong
                clean.extend((part, "[key]"))
                annotation, index = key_type, index + 2
                continue
            annotation = value_type
        else:
            annotation = None
        clean.append(part)
        index += 1
    return Located(error, tuple(clean), annotation, field, union, inside, parent)


# ---------------------------------------------------------------- what a type allows, in words


def _pattern(annotation: Any, field: FieldInfo | None = None) -> str | None:
    """The regex a text value must match: the field's, or its annotation's (through Annotated and Optional only)."""
    stack: list[Any] = [annotation, *(field.metadata if field else ())]
    while stack:
        item = stack.pop()
        if isinstance(item, FieldInfo):
            stack.extend(item.metadata)
            continue
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
        origin = typing.get_origin(item)
        if origin is typing.Annotated:
            stack.extend(typing.get_args(item))
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(item) if a is not type(None)]
            stack.extend(members if len(members) == 1 else [])
    return None


def _text_words(annotation: Any, field: FieldInfo | None = None) -> str:
    pattern = _pattern(annotation, field)
    if pattern in PATTERN_HINTS:
        return PATTERN_HINTS[pattern]
    return f"text matching {pattern}" if pattern else "text"


def describe(annotation: Any, depth: int = 0) -> str:
    """What a value of this annotation is, as a stack-file author writes it."""
    if _strip(annotation) is str:
        return _text_words(annotation)
    annotation = _strip(annotation)
    members = _members(annotation)
    if members:
        return ", or ".join(describe(m, depth) for m in members)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return "true or false (unquoted)"
    if annotation is int:
        return "a whole number (unquoted)"
    if annotation is float:
        return "a number"
    if annotation is dt.date:
        return DATE_FORM
    if origin is typing.Literal:
        options = [repr(v) for v in typing.get_args(annotation)]
        return "one of " + (", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0])
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        item: Any = _strip(args[0]) if args else None
        if _is_model(item):
            return f"a list of objects with the keys {', '.join(_aliases(item))}"
        return f"a list (each item {describe(args[0], depth + 1)})" if item is not None and depth < 2 else "a list"
    if origin is dict:
        args = typing.get_args(annotation)
        value: Any = _strip(args[1]) if len(args) == 2 else None
        if _is_model(value):
            return f"a mapping of names you choose to objects with the keys {', '.join(_aliases(value))}"
        shown = describe(args[1], depth + 1) if value is not None and depth < 2 else "values"
        return f"a mapping of names you choose to {shown}"
    if _is_model(annotation):
        return f"an object with the keys {', '.join(_aliases(annotation))}"
    return "a value of another kind"


def _bounds(field: FieldInfo | None) -> tuple[Any, Any]:
    low = high = None
    for item in field.metadata if field else ():
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Gt):
            low = f"more than {item.gt}"
        elif isinstance(item, Le):
            high = item.le
        elif isinstance(item, Lt):
            high = f"less than {item.lt}"
    return low, high


def _lengths(field: FieldInfo | None) -> tuple[Any, Any]:
    low = high = None
    for item in field.metadata if field else ():
        if isinstance(item, MinLen):
            low = item.min_length
        elif isinstance(item, MaxLen):
            high = item.max_length
    return low, high


def _number_words(field: FieldInfo | None) -> str:
    low, high = _bounds(field)
    if low is not None and high is not None:
        return f"a whole number from {low} to {high} (unquoted)"
    if low is not None:
        return f"a whole number, at least {low} (unquoted)"
    if high is not None:
        return f"a whole number, at most {high} (unquoted)"
    return "a whole number (unquoted)"


def _quoted_hint(value: Any, kind: str) -> str:
    if isinstance(value, str) and kind.startswith("bool") and value.strip().lower() in {"true", "false"}:
        return f": write {value.strip().lower()} without quotes"
    if isinstance(value, str) and kind.startswith("int") and value.strip().lstrip("-").isdigit():
        return f": write {value.strip()} without quotes"
    if isinstance(value, bool | int | float) and kind == "string_type":
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return f': put it in quotes, "{text}"'
    return ""


def _literal_hint(value: Any, annotation: Any) -> str:
    options = [str(v) for v in typing.get_args(_strip(annotation))]
    if not isinstance(value, str) or not options:
        return ""
    same = [o for o in options if o.lower() == value.lower()]
    close = same or difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def message(located: Located) -> str:
    """What is wrong at the path and what is allowed there."""
    error, annotation, field = located.error, located.annotation, located.field
    kind = str(error.get("type", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if _strip(annotation) is str:
            wanted = _text_words(annotation, field)
        else:
            wanted = describe(annotation) if annotation is not None else "a value"
        about = f": {field.description.rstrip('.')}" if field is not None and field.description else ""
        return f"is required but missing; add it ({wanted}){about}"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false (unquoted)" + _quoted_hint(value, kind)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be {_number_words(field)}" + _quoted_hint(value, kind)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if field is not None:
            return f"must be {_number_words(field)}"
        bound = next(iter(ctx.values()), "?")
        return f"must be {'at least' if kind.startswith('greater') else 'at most'} {bound}"
    if kind == "string_type":
        if _pattern(annotation, field):
            return f"must be {_text_words(annotation, field)}"
        return "must be text" + _quoted_hint(value, kind)
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        low, high = _lengths(field)
        low = ctx.get("min_length", low)
        high = ctx.get("max_length", high)
        count = low if kind == "too_short" else high
        items = "item" if count == 1 else "items"
        return f"must have at least {count} {items}" if kind == "too_short" else f"must have at most {count} {items}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"must be {PATTERN_HINTS[pattern]}" if pattern in PATTERN_HINTS else f"must match the pattern {pattern}"
    if kind == "literal_error":
        allowed = describe(annotation) if annotation is not None else f"one of {ctx.get('expected')}"
        return f"must be {allowed}{_literal_hint(value, annotation)}"
    if kind == "union_mismatch":
        return f"must be {describe(annotation)}"
    if kind.startswith("date_"):
        return f"must be {DATE_FORM}"
    if kind in _MISMATCH:
        return f"must be {describe(annotation)}" if annotation is not None else "has the wrong kind of value"
    text = str(error.get("msg", "is invalid")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return "must be " + text.removeprefix("Input should be ") if text.startswith("Input should be ") else text


def _choose(group: list[Located]) -> list[Located]:
    """Of one union's errors, those about the member the value had the shape of; [] when it had none's."""
    return [e for e in group if e.inside_member or str(e.error.get("type", "")) not in _MISMATCH]


def issues(errors: Iterable[Mapping[str, Any]], root: type[BaseModel]) -> list[Located]:
    """The errors placed in the stack file, one per problem, in pydantic's order: a union's errors chosen, or merged
    into one "must be A or B" when the value had the shape of none of its members."""
    located = [locate(e, root) for e in errors]
    groups: dict[tuple, list[Located]] = {}
    for item in located:
        if item.union is not None:
            groups.setdefault((item.union[0], item.union[1]), []).append(item)
    out: list[Located] = []
    done: set[tuple] = set()
    for item in located:
        if item.union is None:
            out.append(item)
            continue
        key = (item.union[0], item.union[1])
        if key in done:
            continue
        done.add(key)
        group = groups[key]
        chosen = _choose(group)
        if chosen:
            out.extend(chosen)
            continue
        path, members = item.union
        merged = {**item.error, "type": "union_mismatch"}
        either: Any = typing.Union.__getitem__(members)  # the union again, from its members
        out.append(Located(merged, path, either, None, None, False, item.parent_model))
    return out
