"""RunbookContent (components/runbook_content.py) against a loopback ARM stand-in, with inputs as the dynamic-provider
host carries them: publishes the pinned file once, a next `up` writes nothing, drift is repaired, faults (lost
answers, throttling, server errors, a redirect) neither duplicate nor leak the token, and a file that changed after it
was pinned is refused.

The stand-in answers as ARM does for the three calls (Automation REST API 2024-10-23): `PUT {runbook}/draft/content`
takes `text/powershell` and answers 202 Accepted without a body; `POST {runbook}/publish` answers 202 Accepted and
publishes the draft (after `publish_lag` reads, as the long-running operation completes); `GET {runbook}/content`
answers the published script as `text/powershell`, or 404 with an ARM error body when nothing is published. Paths
are case-insensitive and every call needs `api-version=2024-10-23` and the bearer token."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from provider_host import HostConverted, HostProcess, refresh, up

from components.graph.client import GraphError, RetryPolicy
from components.runbook_content import API_VERSION, ArmClient, RunbookContentProvider, content_hash

TOKEN = "arm-standin-token-0123456789abcdef"
RUNBOOK = (
    "/subscriptions/00000000-0000-4000-8000-0000000000B2/resourceGroups/rg-pam/providers/Microsoft.Automation/"
    "automationAccounts/aa-contoso-pam/runbooks/Add-AdGroupMembership"
)
SCRIPT = 'param([string] $SamAccountName)\r\nWrite-Output "Added $SamAccountName"\r\n'


class ArmStandIn:
    """Runbooks keyed by lower-case ID: {'draft': str|None, 'published': str|None}; faults by (method, suffix)."""

    def __init__(self, runbooks=(RUNBOOK,), publish_lag: int = 0) -> None:
        self.runbooks = {r.lower(): {"draft": None, "published": None} for r in runbooks}
        self.publish_lag = publish_lag
        self.pending: dict[str, int] = {}
        self.faults: list[tuple[str, str, object]] = []  # (method, path suffix, status | "drop" | ("redirect", url))
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status, body=b"", content_type="application/json", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status, code, message):
                self._answer(status, json.dumps({"error": {"code": code, "message": message}}).encode())

            def _handle(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                path, query = parts.path, urllib.parse.parse_qs(parts.query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stand_in.calls.append((self.command, path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._error(401, "AuthenticationFailed", "no or wrong bearer token")
                if query.get("api-version") != [API_VERSION]:
                    stand_in.violations.append(f"{self.command} {path} without api-version {API_VERSION}")
                    return self._error(400, "InvalidApiVersionParameter", "api-version")
                for index, (method, suffix, action) in enumerate(stand_in.faults):
                    if method == self.command and path.lower().endswith(suffix.lower()):
                        del stand_in.faults[index]
                        if action == "drop":
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return None
                        if isinstance(action, tuple):
                            return self._answer(307, headers={"Location": action[1] + path})
                        if action == 429:
                            return self._answer(429, b"{}", headers={"Retry-After": "1"})
                        if action == "apply-then-drop":  # the call took effect, its answer is lost
                            stand_in._apply(self.command, path, body)
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return None
                        return self._error(int(action), "InternalServerError", "transient")
                return stand_in._route(self, path, body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _handle

            def log_message(self, *args) -> None:
                pass

        self.handler = Handler
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _split(self, path: str) -> tuple[str, str]:
        low = path.lower()
        for suffix in ("/draft/content", "/publish", "/content"):
            if low.endswith(suffix):
                return low[: -len(suffix)], suffix
        return low, ""

    def _apply(self, method: str, path: str, body: bytes) -> None:
        runbook, suffix = self._split(path)
        book = self.runbooks[runbook]
        if (method, suffix) == ("PUT", "/draft/content"):
            book["draft"] = body.decode("utf-8")
        elif (method, suffix) == ("POST", "/publish"):
            self.pending[runbook] = self.publish_lag

    def _route(self, handler, path: str, body: bytes):
        runbook, suffix = self._split(path)
        book = self.runbooks.get(runbook)
        if book is None:
            return handler._error(404, "ResourceNotFound", "The Resource was not found.")
        method = handler.command
        if (method, suffix) == ("PUT", "/draft/content"):
            if not (handler.headers.get("Content-Type") or "").startswith("text/powershell"):
                self.violations.append(f"PUT draft without text/powershell: {handler.headers.get('Content-Type')}")
                return handler._error(415, "UnsupportedMediaType", "text/powershell")
            self._apply(method, path, body)
            return handler._answer(202, headers={"Location": self.url + path + "/operationResults/1"})
        if (method, suffix) == ("POST", "/publish"):
            if book["draft"] is None:
                return handler._error(400, "BadRequest", "The runbook has no draft to publish.")
            self._apply(method, path, body)
            return handler._answer(202, headers={"Location": self.url + path + "/operationResults/2"})
        if (method, suffix) == ("GET", "/content"):
            if runbook in self.pending:
                if self.pending[runbook] <= 0:
                    book["published"], book["draft"] = book["draft"], None
                    del self.pending[runbook]
                else:
                    self.pending[runbook] -= 1
            if book["published"] is None:
                return handler._error(404, "NotFound", "The runbook has no published content.")
            return handler._answer(200, book["published"].encode("utf-8"), "text/powershell")
        self.violations.append(f"{method} {path}")
        return handler._error(405, "MethodNotAllowed", method)

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


@pytest.fixture
def arm(monkeypatch):
    standin = ArmStandIn()
    monkeypatch.setenv("PUM_ARM_BASE_URL", standin.url)
    monkeypatch.setenv("PUM_ARM_TOKEN", TOKEN)
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, standin.violations


def quick_client(base_url=None) -> ArmClient:
    return ArmClient(
        base_url=base_url,
        token=lambda: TOKEN,
        sleep=lambda _s: None,
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, min_delay=0.01, max_delay=0.02, deadline=20),
    )


def host() -> HostConverted:
    return HostConverted(RunbookContentProvider(client_factory=quick_client))


def inputs(text=SCRIPT, runbook=RUNBOOK):
    return {"graphKind": "runbookContent", "runbookId": runbook, "content": text, "contentHash": content_hash(text)}


def test_create_publishes_the_pinned_text_and_the_next_up_writes_nothing(arm):
    state, what = up(host(), inputs())
    assert what == "create"
    assert arm.runbooks[RUNBOOK.lower()]["published"] == SCRIPT  # byte for byte, CRLF kept
    assert state.outputs["publishedHash"] == content_hash(SCRIPT) == state.outputs["contentHash"]
    assert state.id == RUNBOOK + "/content"
    writes = len(arm.writes())
    assert writes == 2  # one PUT of the draft, one publish
    again, what = up(host(), inputs(), state)
    assert what == "same" and len(arm.writes()) == writes
    refreshed = refresh(host(), again)
    assert refreshed is not None and refreshed.outputs["publishedHash"] == content_hash(SCRIPT)


def test_a_runbook_that_already_has_the_pinned_content_is_adopted_without_writing(arm):
    arm.runbooks[RUNBOOK.lower()]["published"] = SCRIPT
    state, what = up(host(), inputs())
    assert what == "create" and arm.writes() == []
    assert state.outputs["publishedHash"] == content_hash(SCRIPT)


def test_a_changed_file_is_an_update_that_publishes_it(arm):
    state, _ = up(host(), inputs())
    changed = SCRIPT + "# v2\r\n"
    state, what = up(host(), inputs(changed), state)
    assert what == "update" and arm.runbooks[RUNBOOK.lower()]["published"] == changed


def test_an_edit_in_the_portal_is_drift_that_the_next_up_repairs(arm):
    state, _ = up(host(), inputs())
    arm.runbooks[RUNBOOK.lower()]["published"] = "Write-Output 'edited in the portal'"
    drifted = refresh(host(), state)
    assert drifted is not None and drifted.outputs["publishedHash"] != content_hash(SCRIPT)
    repaired, what = up(host(), inputs(), drifted)
    assert what == "update" and arm.runbooks[RUNBOOK.lower()]["published"] == SCRIPT


def test_content_removed_in_the_portal_reads_as_gone(arm):
    state, _ = up(host(), inputs())
    arm.runbooks[RUNBOOK.lower()]["published"] = None
    assert refresh(host(), state) is None


def test_a_file_that_changed_after_it_was_pinned_is_refused():
    checked, failures = host().check({}, {**inputs(), "content": SCRIPT + "tampered"})
    assert [prop for prop, _ in failures] == ["contentHash"]


@pytest.mark.parametrize("kind", [None, "RunbookContent", "conditionalAccessPolicy"])
def test_a_content_resource_that_does_not_carry_its_own_kind_is_refused(kind):
    _, failures = host().check({}, {**inputs(), "graphKind": kind})
    assert [prop for prop, _ in failures] == ["graphKind"]


@pytest.mark.parametrize("bad", ["/subscriptions/x/runbooks/y", "https://evil.example/runbooks/x", ""])
def test_a_runbook_id_that_is_not_an_automation_runbook_is_refused(bad):
    _, failures = host().check({}, inputs(runbook=bad))
    assert "runbookId" in [prop for prop, _ in failures]


def test_a_new_runbook_is_a_replace(arm):
    other = RUNBOOK.replace("Add-AdGroupMembership", "Remove-AdGroupMembership")
    arm.runbooks[other.lower()] = {"draft": None, "published": None}
    state, _ = up(host(), inputs())
    state, what = up(host(), inputs(runbook=other), state)
    assert what == "replace" and arm.runbooks[other.lower()]["published"] == SCRIPT


def test_publish_is_confirmed_through_arms_asynchronous_completion(arm):
    arm.publish_lag = 3
    state, _ = up(host(), inputs())
    assert state.outputs["publishedHash"] == content_hash(SCRIPT)


def test_a_publish_that_never_completes_fails_and_says_so(arm, monkeypatch):
    import components.runbook_content as module

    monkeypatch.setattr(module, "PUBLISH_ATTEMPTS", 3)
    arm.publish_lag = 100
    with pytest.raises(GraphError) as caught:
        up(host(), inputs())
    assert caught.value.code == "publishUnconfirmed"


@pytest.mark.parametrize(
    "fault",
    [
        ("PUT", "/draft/content", 503),
        ("PUT", "/draft/content", 429),
        ("PUT", "/draft/content", "drop"),
        ("PUT", "/draft/content", "apply-then-drop"),
        ("GET", "/content", 502),
        ("GET", "/content", "drop"),
        ("POST", "/publish", "apply-then-drop"),
        ("POST", "/publish", 504),
        ("POST", "/publish", 429),
    ],
)
def test_lost_answers_throttling_and_server_errors_end_published_once(arm, fault):
    arm.faults.append(fault)
    state, _ = up(host(), inputs())
    assert arm.runbooks[RUNBOOK.lower()]["published"] == SCRIPT
    assert state.outputs["publishedHash"] == content_hash(SCRIPT)
    publishes = [c for c in arm.calls if c[0] == "POST"]
    assert len(publishes) <= 2  # a 429 is retried once; a publish with a lost answer is confirmed, not repeated


def test_a_redirect_is_refused_and_the_token_never_leaves_the_origin(arm, other_origin):
    arm.faults.append(("PUT", "/draft/content", ("redirect", other_origin.url)))
    with pytest.raises(GraphError) as caught:
        up(host(), inputs())
    assert caught.value.code == "redirectRefused"
    assert other_origin.authorizations == [] and other_origin.paths == []
    assert TOKEN not in str(caught.value)


def test_the_token_is_never_in_an_error(arm):
    arm.runbooks.clear()  # every call answers 404 with an ARM error body

    def leaky():
        client = quick_client()
        return client

    provider = RunbookContentProvider(client_factory=leaky)
    with pytest.raises(GraphError) as caught:
        up(HostConverted(provider), inputs())
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


@pytest.mark.parametrize("base", ["http://arm.example.com", "https://user:pw@management.azure.com", "ftp://x"])
def test_only_https_or_loopback_origins_are_accepted(base):
    with pytest.raises(ValueError):
        ArmClient(base_url=base, token=lambda: TOKEN)


def test_host_converted_upper_case_ids_are_the_same_runbook(arm):
    state, _ = up(host(), inputs())
    upper = RUNBOOK.replace("rg-pam", "RG-PAM").replace("aa-contoso-pam", "AA-CONTOSO-PAM")
    # ARM IDs are case-insensitive: the stand-in (like ARM) finds the same runbook, nothing is duplicated
    assert arm.runbooks[upper.lower()]["published"] == SCRIPT


def test_through_the_real_dynamic_provider_host(arm):
    with HostProcess(RunbookContentProvider(), env={"PUM_ARM_BASE_URL": arm.url, "PUM_ARM_TOKEN": TOKEN}) as real:
        state, what = up(real, inputs())
        assert what == "create" and arm.runbooks[RUNBOOK.lower()]["published"] == SCRIPT
        again, what = up(real, inputs(), state)
        assert what == "same"


def test_an_imported_content_resource_reads_from_its_id_alone(arm):
    arm.runbooks[RUNBOOK.lower()]["published"] = SCRIPT
    provider = RunbookContentProvider(client_factory=quick_client)
    result = provider.read(RUNBOOK + "/content", {})
    assert result.outs["runbookId"] == RUNBOOK and result.outs["publishedHash"] == content_hash(SCRIPT)
