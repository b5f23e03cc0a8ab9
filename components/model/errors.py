"""ModelError: every stack-config problem, each line naming the stack file, the dotted path, the value and the fix."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

import pulumi

NAMESPACE = "privileged-access"
_SHOWN = 80


def unique_keys(items: list, what: str) -> list:
    """`items` when their `key`s are distinct (they name resources), else ValueError naming the repeated ones."""
    keys = [item.key for item in items]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"{what} keys must be unique; {dupes} appear more than once")
    return items


def format_path(loc: tuple) -> str:
    """('pim', 'roleBindings', 1, 'activation') -> 'privileged-access:pim.roleBindings[1].activation'."""
    if not loc:
        return "config"
    text = f"{NAMESPACE}:{_key(loc[0])}"
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{_key(part)}"
    return text


def _key(part: Any) -> str:
    """A key as written, or quoted (JSON escapes) when it holds anything unusual such as a line break."""
    text = str(part)
    return text if re.fullmatch(r"[\w@ -]+", text) else json.dumps(text)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


@dataclass(frozen=True)
class Issue:
    loc: tuple
    value: Any
    message: str
    secret: bool = False

    def redacted(self) -> Issue:
        return replace(self, secret=True)

    def scrubbed(self, secrets: frozenset[str]) -> Issue:
        """This issue with every secret text in its message replaced, and its value hidden if it holds one."""
        message = self.message
        for text in sorted(secrets, key=len, reverse=True):
            message = message.replace(text, "[secret]")
        holds = self.value is not None and any(text in repr(self.value) for text in secrets)
        return replace(self, message=message, secret=self.secret or holds)

    def render(self, source: str) -> str:
        line = f"{source}: {format_path(self.loc)}: {self.message}"
        if self.secret:
            return line + " (value is secret, not shown)"
        if self.value is not None and _shown(self.value) not in self.message:
            line += f" (got {_shown(self.value)})"
        return line


class ModelError(pulumi.RunError):
    """Invalid stack config. `pulumi up` prints it without a traceback; the offline engine exits 2."""

    exit_code = 2

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = list(issues)
        lines = [issue.render(source) for issue in self.issues]
        head = f"{source}: {len(lines)} problems in the stack config:\n" if len(lines) > 1 else ""
        super().__init__(head + "\n".join(lines))
