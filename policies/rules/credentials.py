"""Policies for credentials (issue 20). Each entry of POLICIES is a pulumi-policy policy; WHEN_UNKNOWN says for each what
it does when a deciding value is unknown at preview (the README's table)."""

from __future__ import annotations

POLICIES: list = []
WHEN_UNKNOWN: dict[str, str] = {}
