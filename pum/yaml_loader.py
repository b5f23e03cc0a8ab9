"""A bounded YAML loader for Pulumi.yaml, stack files and PulumiPolicy.yaml, reading them as the Pulumi CLI does.

The CLI reads these files with go-yaml v3 (YAML 1.2-like) into plain values; PyYAML's `safe_load` is YAML 1.1.
Where the two differ, this loader follows the CLI or refuses the file with a message that says what to write:

- unquoted dates and times (`leavingDate: 2026-06-30`) stay strings, as under the CLI, never `datetime`;
- `yes`/`no`/`on`/`off` stay strings (go-yaml v3 reads only `true`/`false` as booleans into untyped values);
- a duplicate key in a mapping is an error naming both lines (the CLI refuses it too; PyYAML keeps the last);
- tags with no JSON value (`!!binary`, `!!set`, `!!omap`, `!!pairs`, `!!timestamp`, any `!local` or
  `!!python/...` tag) are refused: config reaches the program as JSON;
- `.nan` and `.inf` are refused (JSON has no such numbers);
- bounds: the file's size, its nesting depth and the size of the document once aliases are expanded (an alias
  bomb of a kilobyte would otherwise expand to gigabytes), and an alias that contains itself.

Errors are `YamlError` (a ValueError) whose message starts with `path:line:column`.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 4 << 20  # a stack file is kilobytes; four megabytes is far beyond any real one
MAX_DEPTH = 64  # nesting of mappings and sequences, aliases expanded
MAX_NODES = 200_000  # values in the document once aliases are expanded

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
_JSON_TAGS = {
    "tag:yaml.org,2002:null",
    _BOOL,
    _INT,
    _FLOAT,
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    _MERGE,
}


class YamlError(ValueError):
    """A file that is not YAML this loader accepts; the message names file, line and fix."""


def _where(path: str, node_or_mark: Any) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    if mark is None or not hasattr(mark, "line"):
        return path
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with the CLI's scalars, no non-JSON tags, no duplicate keys, and bounded depth and expansion."""

    path = "<yaml>"

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlError(
                f"{_where(self.path, self.peek_event())}: nested deeper than {MAX_DEPTH} levels; flatten the structure"
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node, self.path)
        return self.construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if isinstance(node, MappingNode):
            seen: dict[tuple[type, Any], Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue  # `<<: *base` then `key: override` is the point of a merge, not a duplicate
                if not isinstance(key_node, ScalarNode):
                    raise YamlError(f"{_where(self.path, key_node)}: a mapping key must be a plain string or number")
                key = self.construct_object(key_node)
                if (type(key), key) in seen:
                    first = seen[(type(key), key)].start_mark.line + 1
                    raise YamlError(
                        f"{_where(self.path, key_node)}: duplicate key {key!r} (first at line {first}); "
                        "the Pulumi CLI refuses duplicate keys: keep one and merge the two"
                    )
                seen[(type(key), key)] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node: Any) -> float:
        value = super().construct_yaml_float(node)
        if math.isnan(value) or math.isinf(value):
            raise YamlError(f"{_where(self.path, node)}: {node.value!r} is not a JSON number; quote it or use a number")
        return value

    def construct_undefined(self, node: Any) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlError(
            f"{_where(self.path, node)}: the tag {tag} has no JSON value (the Pulumi CLI reads config as "
            "plain strings, numbers, booleans, lists and mappings); remove the tag or quote the value"
        )


def _refuse(loader: StrictLoader, node: Any) -> Any:
    return loader.construct_undefined(node)


# Scalars as YAML 1.2's core schema reads them (go-yaml v3 into untyped values): timestamps and yes/no/on/off stay
# strings, `12:30` is a string rather than a base-60 number, `1e5` is a number.
_REPLACED = (_TIMESTAMP, _BOOL, _INT, _FLOAT)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
StrictLoader.add_implicit_resolver(_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
StrictLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
StrictLoader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)
for _tag in list(StrictLoader.yaml_constructors):
    if _tag is not None and _tag not in _JSON_TAGS:
        StrictLoader.yaml_constructors[_tag] = _refuse
StrictLoader.yaml_constructors[None] = _refuse
StrictLoader.yaml_constructors[_BOOL] = lambda loader, node: node.value.lower() == "true"
StrictLoader.yaml_constructors[_FLOAT] = StrictLoader.construct_yaml_float


def _check_expansion(root: Node, path: str) -> None:
    """Refuse a document whose aliases expand it beyond MAX_NODES values or MAX_DEPTH levels, or contain themselves.

    Aliases share nodes, so sizes and depths are computed once per node (iteratively: no recursion to exhaust)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_stack.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if size[key] > MAX_NODES:
                raise YamlError(
                    f"{_where(path, node)}: the document expands to more than {MAX_NODES} values through its aliases "
                    "(*name); write the values out, or use fewer aliases"
                )
            if depth[key] > MAX_DEPTH:
                raise YamlError(
                    f"{_where(path, node)}: nested deeper than {MAX_DEPTH} levels once aliases are expanded; "
                    "flatten the structure"
                )
            continue
        if key in size:
            continue
        if key in on_stack:
            raise YamlError(f"{_where(path, node)}: an alias refers to the value that contains it; remove the cycle")
        on_stack.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_stack:
                raise YamlError(
                    f"{_where(path, child)}: an alias refers to the value that contains it; remove the cycle"
                )
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def load_text(text: str, path: str) -> Any:
    """Parse `text` (the contents of `path`) with StrictLoader; errors are YamlError naming path:line:column."""
    loader = None
    try:
        loader = StrictLoader(text)  # the reader refuses unprintable characters here already
        loader.path = path
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{_where(path, mark)}: invalid YAML: {problem}; fix the syntax at that line") from None
    except RecursionError:
        raise YamlError(f"{path}: nested too deeply to read; flatten the structure") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise YamlError(f"{path}: cannot read a value: {exc}; quote it") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_text(path: str, limit: int, what: str) -> str:
    """A user's file as text: at most `limit` bytes, UTF-8 only (a leading BOM dropped); every failure is a YamlError
    naming the file and the fix. Stack files, Pulumi.yaml and pack configs are all read through it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise YamlError(f"{path}: is a directory, not a {what}; point at the file") from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise YamlError(f"{path}: larger than {limit} bytes; a {what} is a few kilobytes, is this the right file?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(f"{path}:{line}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


def load_file(path: str, what: str = "file") -> Any:
    """Read and parse a YAML file: bounded in size, UTF-8 only; every failure is a YamlError naming the file."""
    return load_text(read_text(path, MAX_BYTES, what), path)
