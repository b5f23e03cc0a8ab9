"""A small KQL lexer: what the monitoring policies and the detections' schema test read of a query.

It splits a query into code tokens and string literals, dropping comments, so that a table name, an account's UPN
or an operator is found only where KQL would read it (not in a comment, not inside another string). It does not
parse KQL: the policies judge the query's shape (docs/monitoring.md says what they accept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY = 100_000  # characters; longer queries are refused unread

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*)
  | (?P<multi>```.*?```|~~~.*?~~~)
  | (?P<verbatim>[hH]?@"(?:[^"]|"")*"|[hH]?@'(?:[^']|'')*')
  | (?P<string>[hH]?"(?:[^"\\\n]|\\.)*"|[hH]?'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_$][A-Za-z0-9_]*(?:-[A-Za-z]+)*)
  | (?P<number>\d+(?:\.\d+)?[a-z]*)
  | (?P<op>!~|!=|=~|==|<=|>=|!|[^\s\w"'`])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


@dataclass(frozen=True)
class Lexed:
    code: tuple[str, ...]
    """Code tokens in order: names (mv-expand, in~ as 'in' then '~'), numbers, operators."""
    strings: tuple[str, ...]
    """The value of every string literal."""


class KqlError(ValueError):
    """The query cannot be read (too long, an unterminated string)."""


def _value(token: str, kind: str) -> str:
    token = token[1:] if token[:1] in "hH" and token[1:2] in "@\"'" else token
    if kind == "multi":
        return token[3:-3]
    if kind == "verbatim":
        quote = token[1]
        return token[2:-1].replace(quote * 2, quote)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def lex(query: str) -> Lexed:
    if len(query) > MAX_QUERY:
        raise KqlError(f"the query is longer than {MAX_QUERY} characters")
    code: list[str] = []
    strings: list[str] = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise KqlError(f"the query cannot be read at character {position} (an unterminated string?)")
        kind, token = match.lastgroup or "", match.group()
        position = match.end()
        if kind in ("space", "comment"):
            continue
        if kind in ("string", "verbatim", "multi"):
            strings.append(_value(token, kind))
        else:
            code.append(token)
    return Lexed(tuple(code), tuple(strings))
