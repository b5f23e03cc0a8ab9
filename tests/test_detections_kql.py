"""The detections' KQL uses only documented tables and columns (tests/fixtures/log_tables.json, copied from Microsoft's
Azure Monitor table reference), reads members only of dynamic columns and only the members Microsoft Graph documents
for them, and the monitoring component exports only categories Entra accepts. The lexer the pack judges queries with
is fuzzed: any text is read or refused with KqlError, never a crash."""

from __future__ import annotations

import json
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rules.kql import MAX_QUERY, KqlError, lex

from components.detections import detections, routing_query
from components.model.monitoring import ENTRA_LOG_CATEGORIES

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "log_tables.json").read_text())
TABLES = {name: table["columns"] for name, table in FIXTURE["tables"].items()}

# Members of the dynamic values the queries read (Microsoft Graph v1.0 resources, microsoftgraph/
# microsoft-graph-docs-contrib api-reference/v1.0/resources/): deviceDetail.md, auditActivityInitiator.md (user, app),
# userIdentity.md, appIdentity.md, targetResource.md (an element of AuditLogs.TargetResources).
MEMBERS = {
    "DeviceDetail": {"deviceId", "displayName", "trustType", "isCompliant", "isManaged", "operatingSystem", "browser"},
    "InitiatedBy": {"user", "app"},
    "user": {"id", "displayName", "userPrincipalName", "ipAddress"},
    "app": {"appId", "displayName", "servicePrincipalId", "servicePrincipalName"},
    "Target": {"id", "displayName", "type", "userPrincipalName", "groupType", "modifiedProperties"},
}
KQL_WORDS = {
    "let", "union", "where", "project", "extend", "mv-expand", "distinct", "summarize", "by", "in", "and", "or",
    "has", "has_any", "startswith", "tostring", "coalesce", "ago", "ingestion_time", "dynamic",
}  # fmt: skip

ALL = detections(break_glass_upns=["bg1@contoso.onmicrosoft.com"], paw_prefix="paw", window_minutes=60)
QUERIES = {d.key: (d.query, d.tables) for d in ALL} | {"routing": (routing_query(["x"]), ("SecurityAlert",))}


def test_every_detection_is_built():
    assert {d.key for d in ALL} == {
        "break-glass-sign-in",
        "tier0-activation-outside-paw",
        "role-assigned-outside-pim",
        "privileged-configuration-changed",
    }


def _statements(code: tuple[str, ...]) -> list[list[str]]:
    statements, current = [], []
    for token in code:
        if token == ";":
            statements.append(current)
            current = []
        else:
            current.append(token)
    return [*statements, current]


@pytest.mark.parametrize("key", list(QUERIES))
def test_a_query_reads_only_documented_tables_and_columns(key):
    query, declared_tables = QUERIES[key]
    assert set(declared_tables) <= set(TABLES), f"undocumented table in {declared_tables}"
    code = lex(query).code
    named = {t for t in code if t in TABLES}
    assert named == set(declared_tables), f"{key} reads {named}, declares {declared_tables}"
    defined = {code[i + 1] for i, t in enumerate(code[:-1]) if t == "let"}
    defined |= {code[i] for i in range(len(code) - 1) if code[i + 1] == "="}
    for statement in _statements(code):
        tables = [t for t in statement if t in TABLES]
        for i, token in enumerate(statement):
            if not (token[0].isalpha() or token[0] == "_") or token in TABLES or token in KQL_WORDS:
                continue
            if i and statement[i - 1] == ".":  # a member: of a documented dynamic value
                parent = statement[i - 2]
                assert token in MEMBERS.get(parent, set()), f"{key}: {parent}.{token} is not documented"
                continue
            if token in defined:
                continue
            for table in tables:
                assert token in TABLES[table], f"{key}: {table} has no column {token}"
                if i + 1 < len(statement) and statement[i + 1] == ".":
                    assert TABLES[table][token] == "dynamic", f"{key}: {table}.{token} is not dynamic"
            assert tables, f"{key}: {token} is neither a column, a KQL word nor a name the query defines"


def test_the_entra_diagnostic_setting_exports_only_categories_entra_accepts():
    assert set(ENTRA_LOG_CATEGORIES) <= set(FIXTURE["entraDiagnosticCategories"]["categories"])


def test_the_lexer_finds_names_only_outside_comments_and_strings():
    lexed = lex('SigninLogs // AuditLogs\n| where x == "AuditLogs" and y == @"a""b" and z == h\'s\'')
    assert "AuditLogs" not in lexed.code and lexed.strings == ("AuditLogs", 'a"b', "s")


def test_the_lexer_refuses_an_unterminated_string_and_an_oversized_query():
    with pytest.raises(KqlError):
        lex('SigninLogs | where x == "open')
    with pytest.raises(KqlError):
        lex("a" * (MAX_QUERY + 1))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_the_lexer_reads_or_refuses_any_text(text):
    try:
        lexed = lex(text)
    except KqlError:
        return
    assert all(isinstance(t, str) and t for t in lexed.code)
