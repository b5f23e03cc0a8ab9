"""GraphClient against answers the Graph stand-in never gives: redirects, dropped or malformed answers,
non-JSON success bodies, echoes of the token in encoded forms, and paths that would leave the Graph origin.

Each test runs its own tiny loopback server (another port is another origin) that answers from a script
and records every request it receives, with its Authorization header. Nothing really sleeps.
"""

from __future__ import annotations

import base64
import json
import logging
import pickle
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from components.graph.client import GraphClient, GraphError, RetryPolicy

# printable ASCII with the characters every encoding treats specially: / + = & ? " \ < > ~
TOKEN = 'eyJ0eXAiOiJKV1Qi.eyJhdWQiOi/Jz+ZXI=&q?"\\<>~sig-Xy_9'
Reply = tuple[int, dict, bytes] | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    method: str
    path: str
    authorization: str
    body: bytes


class Scripted:
    """A loopback HTTP server answering from ``replies`` in order, then ``default``; at most ``budget``
    requests are answered normally (then 400), so a client that loops still ends."""

    def __init__(self, *replies: Reply, default: Reply = (200, {}, b"{}"), budget: int = 40):
        self.replies, self.default, self.budget = list(replies), default, budget
        self.requests: list[Seen] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Scripted:
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                scripted._handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append(Seen(h.command, h.path, h.headers.get("Authorization", ""), body))
            over = len(self.requests) > self.budget
            reply = self.replies.pop(0) if self.replies else self.default
        if over:
            reply = (400, {}, b'{"error": {"code": "budget", "message": "request budget exhausted"}}')
        if callable(reply):
            reply(h)
            return
        status, headers, data = reply
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


def drop(h: BaseHTTPRequestHandler) -> None:
    """Read the request, answer nothing, close the connection (RemoteDisconnected)."""


def garbage(h: BaseHTTPRequestHandler) -> None:
    h.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")  # BadStatusLine


def truncated(h: BaseHTTPRequestHandler) -> None:
    h.send_response(201)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "100")
    h.end_headers()
    h.wfile.write(b'{"id": "half')  # IncompleteRead


def graph_error(status: int, code: str, message: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    body = json.dumps({"error": {"code": code, "message": message, "innerError": {"request-id": "rid-1"}}})
    return status, {"Content-Type": "application/json", **(headers or {})}, body.encode()


@pytest.fixture
def serve():
    started: list[Scripted] = []

    def start(*replies: Reply, **kwargs: Any) -> Scripted:
        server = Scripted(*replies, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def client_for(server: Scripted, sleeps: list | None = None, **kwargs: Any) -> GraphClient:
    return GraphClient(
        base_url=server.url,
        token=lambda: TOKEN,
        sleep=(sleeps if sleeps is not None else []).append,
        jitter=lambda: 1.0,
        **kwargs,
    )


def windows(secret: str, size: int = 10) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def leaked(text: str, secret: str = TOKEN) -> list[str]:
    """Pieces of ``secret`` (10 characters or more) that appear in ``text``."""
    return [w for w in windows(secret) if w in text]


# -- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_and_the_token_never_reaches_the_location(serve, method, status):
    elsewhere = serve()  # another port: another origin, recording whatever reaches it
    location = f"{elsewhere.url}/steal?access_token={urllib.parse.quote(TOKEN, safe='')}"
    graph = serve((status, {"Location": location}, b""))
    sleeps: list = []
    with pytest.raises(GraphError) as err:
        client_for(graph, sleeps).request(method, "/v1.0/things", body=None if method == "GET" else {"a": 1})
    assert elsewhere.requests == []  # not even without the token
    assert len(graph.requests) == 1 and graph.requests[0].authorization == f"Bearer {TOKEN}" and sleeps == []
    e = err.value
    assert (e.status, e.code) == (status, "redirectRefused")
    assert elsewhere.url in e.message  # the target origin, and nothing more of the Location
    assert "steal" not in str(e) and "access_token" not in str(e) and not leaked(str(e))
    assert e.may_have_applied is (method == "POST")


def test_a_redirect_on_the_same_origin_is_refused_too(serve):
    graph = serve((302, {"Location": "/v1.0/elsewhere"}, b""), default=(200, {}, b'{"followed": true}'))
    with pytest.raises(GraphError) as err:
        client_for(graph).get("/v1.0/things")
    assert err.value.code == "redirectRefused" and graph.url in err.value.message
    assert [r.path for r in graph.requests] == ["/v1.0/things"]


# -- no answer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", [drop, garbage, truncated], ids=lambda f: f.__name__)
def test_a_post_without_an_answer_is_never_repeated(serve, how):
    graph = serve(how, default=(201, {}, b'{"id": "second"}'))
    sleeps: list = []
    with pytest.raises(GraphError) as err:
        client_for(graph, sleeps).post("/v1.0/things", {"displayName": "x"})
    assert len(graph.requests) == 1 and sleeps == []
    assert (err.value.status, err.value.code) == (0, "networkError")
    assert err.value.may_have_applied and "look the object up" in err.value.message


@pytest.mark.parametrize("how", [drop, garbage, truncated], ids=lambda f: f.__name__)
def test_a_read_without_an_answer_is_retried_boundedly(serve, how):
    graph = serve(how, how, default=(200, {}, b'{"id": "x"}'))
    sleeps: list = []
    assert client_for(graph, sleeps).get("/v1.0/things/x") == {"id": "x"}
    assert len(graph.requests) == 3 and sleeps == [1.0, 2.0]
    graph = serve(default=how)
    with pytest.raises(GraphError) as err:
        client_for(graph, retry=RetryPolicy(max_attempts=3)).get("/v1.0/things/x")
    assert err.value.status == 0 and not err.value.may_have_applied and len(graph.requests) == 3


@pytest.mark.parametrize("verb", ["GET", "PATCH", "PUT", "DELETE"])
def test_server_errors_are_retried_for_idempotent_verbs_and_never_for_post(serve, verb):
    script = (graph_error(503, "ServiceUnavailable", "busy"), (502, {}, b""), (504, {}, b"<html>gateway</html>"))
    graph = serve(*script, default=(204, {}, b""))
    sleeps: list = []
    client_for(graph, sleeps).request(verb, "/v1.0/things/x", body=None if verb in ("GET", "DELETE") else {"a": 1})
    assert [r.method for r in graph.requests] == [verb] * 4 and sleeps == [1.0, 2.0, 4.0]
    graph = serve(*script, default=(201, {}, b'{"id": "second"}'))
    with pytest.raises(GraphError) as err:
        client_for(graph, sleeps).post("/v1.0/things", {"a": 1})
    assert (err.value.status, err.value.code) == (503, "ServiceUnavailable") and err.value.may_have_applied
    assert len(graph.requests) == 1 and sleeps == [1.0, 2.0, 4.0]


# -- success bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"<html>Sign in</html>", b"[1, 2]", b'"text"', b"null", b"42", b'{"id": '])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_success_that_is_not_a_json_object_is_an_error(serve, body, method):
    graph = serve((200, {"Content-Type": "text/html"}, body), (204, {}, b""), (200, {}, b""))
    client = client_for(graph)
    with pytest.raises(GraphError) as err:
        client.request(method, "/v1.0/things", body=None if method == "GET" else {})
    assert (err.value.status, err.value.code) == (200, "invalidResponse")
    assert body.decode() in err.value.message and len(graph.requests) == 1
    # no body at all (204, or an empty 200) is the empty object
    assert client.request(method, "/v1.0/things", body=None if method == "GET" else {}) == {}
    assert client.request(method, "/v1.0/things", body=None if method == "GET" else {}) == {}


def test_the_excerpt_of_a_bad_body_is_short_and_redacted_before_it_is_cut(serve):
    # the token straddles the 200th character: cutting first would leave its start behind
    body = ("x" * 185 + TOKEN + "y" * 5000).encode()
    graph = serve((200, {"Content-Type": "text/plain"}, body))
    with pytest.raises(GraphError) as err:
        client_for(graph).get("/v1.0/things")
    assert err.value.code == "invalidResponse" and len(err.value.message) < 300
    assert not leaked(str(err.value), TOKEN[:10] + TOKEN) and "[redacted]" in err.value.message


# -- redaction ----------------------------------------------------------------------------------


def _percent_case(text: str, upper: Callable[[int], bool]) -> str:
    count = iter(range(len(text)))
    return re.sub(r"%[0-9A-Fa-f]{2}", lambda m: m.group().upper() if upper(next(count)) else m.group().lower(), text)


def _embedded_base64(prefix: bytes) -> tuple[str, str]:
    encoded = base64.b64encode(prefix + TOKEN.encode()).decode()
    return encoded, encoded[len(prefix) * 4 // 3 + 2 : -3]  # the part that encodes only the token


_QUOTED = urllib.parse.quote(TOKEN, safe="")
# (how Graph might echo the token, the part of that echo that must never survive)
FORMS = {
    "percent": (_QUOTED, _QUOTED),
    "percent-lower": (_percent_case(_QUOTED, lambda i: False),) * 2,
    "percent-mixed": (_percent_case(_QUOTED, lambda i: i % 2 == 0),) * 2,
    "quote-plus": (urllib.parse.quote_plus(TOKEN),) * 2,
    "percent-twice": (urllib.parse.quote(_QUOTED, safe=""),) * 2,
    "json": (json.dumps(TOKEN)[1:-1],) * 2,
    "json-solidus": (json.dumps(TOKEN)[1:-1].replace("/", "\\/"),) * 2,
    "json-unicode": ("".join(f"\\u{ord(c):04x}" for c in TOKEN),) * 2,
    "base64": (base64.b64encode(TOKEN.encode()).decode(),) * 2,
    "base64url": (base64.urlsafe_b64encode(TOKEN.encode()).decode().rstrip("="),) * 2,
    "base64-in-basic": _embedded_base64(b"Bearer "),  # 7 bytes before it
    "base64-offset-2": _embedded_base64(b"u:"),
    "base64-offset-0": _embedded_base64(b"abc"),
}


def _fields(err: GraphError) -> str:
    return "\n".join([str(err), repr(err.args), err.code, err.message, err.request_id, err.path])


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_the_token_echoed_in_any_encoding_is_redacted_everywhere(serve, caplog, form):
    echo, secret = FORMS[form]
    caplog.set_level(logging.DEBUG, logger="components.graph")
    json_error = graph_error(400, f"Bad{echo}", f"header {echo} rejected", {"request-id": f"rid-{echo}"})
    text_error = (400, {"Content-Type": "text/plain"}, f"proxy says: token {echo} expired".encode())
    text_success = (200, {"Content-Type": "text/plain"}, f"welcome {echo}".encode())
    graph = serve(json_error, text_error, text_success)
    client = client_for(graph)
    for _ in range(3):
        with pytest.raises(GraphError) as err:
            client.get("/v1.0/things")
        text = _fields(err.value)
        assert secret not in text and TOKEN not in text and not leaked(text, secret), form
        assert "[redacted]" in err.value.message
    assert caplog.records and secret not in caplog.text and TOKEN not in caplog.text


# -- what is sent, and where --------------------------------------------------------------------


def test_a_path_cannot_carry_the_token_to_another_origin(serve):
    elsewhere = serve()
    graph = serve()
    client = client_for(graph)
    port = elsewhere.url.rsplit(":", 1)[1]
    for path in [f"@127.0.0.1:{port}/v1.0/x", f".localhost:{port}/x", "v1.0/x", "/v1.0/a b", "/v1.0/\r\nX-Evil: 1"]:
        with pytest.raises(ValueError):
            client.get(path)
    assert elsewhere.requests == [] and graph.requests == []


def test_the_base_url_must_keep_the_token_on_an_https_origin():
    for refused in [
        "http://graph.microsoft.com",
        "http://graph.example:8080",
        "https://user:pw@graph.microsoft.com",
        "https://graph.microsoft.com?x=1",
        "https://graph.microsoft.com#x",
        "ftp://graph.microsoft.com",
        "graph.microsoft.com",
        "https://graph.microsoft.com:port",
    ]:
        with pytest.raises(ValueError):
            GraphClient(base_url=refused, token=lambda: TOKEN)
    for accepted in ["https://graph.microsoft.com/", "http://127.0.0.1:1", "http://localhost:8080", "http://[::1]:80"]:
        assert GraphClient(base_url=accepted, token=lambda: TOKEN).base_url == accepted.rstrip("/")


@pytest.mark.parametrize("bad", ["", "two words", "abc\r\nX-Evil: 1", "caf\u00e9-token-value"])
def test_a_malformed_token_is_refused_before_anything_is_sent(serve, bad):
    graph = serve()
    with pytest.raises(GraphError) as err:
        GraphClient(base_url=graph.url, token=lambda: bad, sleep=[].append).get("/v1.0/things")
    assert (err.value.status, err.value.code) == (401, "invalidToken") and graph.requests == []
    assert not err.value.may_have_applied


def test_a_body_that_is_not_json_is_refused_before_anything_is_sent(serve):
    graph = serve()
    with pytest.raises(ValueError):
        client_for(graph).post("/v1.0/things", {"weight": float("nan")})
    assert graph.requests == []


def test_a_next_link_loop_ends(serve):
    page = json.dumps({"value": [1]}).encode()
    graph = serve(default=(200, {}, page))
    looping = json.dumps({"value": [1], "@odata.nextLink": graph.url + "/v1.0/things?$skiptoken=a"}).encode()
    graph.default = (200, {}, looping)
    with pytest.raises(GraphError) as err:
        client_for(graph).get_all("/v1.0/things")
    assert err.value.code == "nextLinkLoop" and len(graph.requests) == 2


def test_a_page_that_is_not_a_collection_is_an_error(serve):
    graph = serve((200, {}, b'{"value": {"id": 1}}'))
    with pytest.raises(GraphError) as err:
        client_for(graph).get_all("/v1.0/things")
    assert err.value.code == "invalidResponse"


def test_graph_error_survives_pickling_with_its_fields():
    err = GraphError(503, "ServiceUnavailable", "busy", "rid", "POST", "/v1.0/x")
    back = pickle.loads(pickle.dumps(err))
    assert (back.status, back.code, back.message, back.request_id, back.method, back.path) == (
        503,
        "ServiceUnavailable",
        "busy",
        "rid",
        "POST",
        "/v1.0/x",
    )
    assert str(back) == str(err) and back.may_have_applied
