"""A small Microsoft Graph client for the dynamic providers (stdlib urllib, no SDK).

Guarantees:
- Authentication: env ``PUM_GRAPH_TOKEN`` when set (a static bearer token), otherwise
  ``azure.identity.DefaultAzureCredential`` for scope ``https://graph.microsoft.com/.default``
  (workload identity federation in pipelines, Azure CLI locally). A token that is empty or not a
  printable header value is refused before anything is sent.
- The token never leaves the Graph origin: the base URL (env ``PUM_GRAPH_BASE_URL``, default
  ``https://graph.microsoft.com``) must be ``https`` (plain ``http`` only on loopback, for the local
  stand-in) without credentials, query or fragment; every request path must start with ``/`` and the
  resulting URL must be on that same origin; ``@odata.nextLink`` is only followed on that origin (and a
  listing is bounded: a repeated link or more than ``MAX_PAGES`` pages is an error); and no redirect is
  ever followed (the Graph JSON endpoints we call never redirect): a 3xx raises ``redirectRefused``,
  naming only the target's origin.
- The token never appears in an error, its code or a log line: everything the client puts there is
  redacted of the token in its raw, percent-encoded (any hex case, ``+`` for spaces, doubly encoded),
  JSON-escaped and base64 forms (standard and URL-safe, also inside a longer base64 string), stripped of
  control characters, and cut short.
- Retries, for GET/PATCH/PUT/DELETE: 429, 502, 503, 504 and "no answer" (connection refused, dropped
  or reset, a timeout, a malformed or cut-off HTTP answer; status 0). POST is retried only on 429
  (Graph does not process a throttled request): a POST answered 5xx or 3xx, or not answered at all, may
  have taken effect, so it raises at once and its :attr:`GraphError.may_have_applied` is True (the
  providers then look the object up and adopt it instead of creating a second one).
- Waiting: ``Retry-After`` is honoured in seconds or as an HTTP-date (against the injectable wall clock
  ``wall_clock=``), else exponential backoff with jitter up to ``max_delay``. No retry is ever
  immediate: every wait is at least ``RetryPolicy.min_delay`` (``Retry-After: 0``, negative, or a past
  date). A wait that would pass ``max_total_wait`` (the sum of all waits of one request) or the
  request's ``deadline`` is not taken: the Graph error is raised instead. Reads of a just-created object
  retry 404 a bounded number of times (``retry_not_found=True``).
- Deadline: one ``request()`` (all its attempts and waits) ends by ``RetryPolicy.deadline`` seconds
  on the injectable monotonic clock (``clock=``): each socket timeout is ``min(timeout, remaining)``, a
  body still arriving at the deadline is abandoned (no answer), and once the deadline has passed the
  call raises ``deadlineExceeded`` (carrying the status of the last answer; 408 if nothing was sent).
  Attempts and the total wait stay bounded even when an injected ``sleep=`` does not advance the clock.
- Answers: a 2xx must carry a JSON object, or nothing at all (``{}`` is returned); anything else
  raises ``invalidResponse``. Everything else raises :class:`GraphError` (status, code, message,
  request-id, method, path without its query).
"""

from __future__ import annotations

import base64
import email.utils
import functools
import http.client
import json
import logging
import math
import os
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC
from typing import TYPE_CHECKING, Any

from privileged_facts.values import is_guid

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_BASE_URL = "https://graph.microsoft.com"
ARM_SCOPE = "https://management.azure.com/.default"
ARM_BASE_URL = "https://management.azure.com"
RETRY_STATUSES = frozenset({429, 502, 503, 504})  # POST: 429 only
MAX_RESPONSE_BYTES = 32 << 20  # a success body larger than this is refused
MAX_ERROR_BYTES = 64 << 10  # of an error body, only this much is read
MAX_PAGES = 1000  # pages of one get_all
NOT_SENT = 408  # the status of a deadlineExceeded raised before any request was sent
_REDACTED = "[redacted]"
_MIN_SECRET = 8  # shorter strings are not real credentials and would mangle ordinary words
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_TOKEN_SHAPE = re.compile(r"[\x21-\x7e]+")  # a header value: printable ASCII, no whitespace
_DELAY_SECONDS = re.compile(r"-?\d+(?:\.\d+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]")


class GraphError(Exception):
    """A Graph call failed: HTTP status, Graph error code, message and request-id (never the token).

    Status 0 means no HTTP answer (the request may or may not have reached Graph).
    """

    def __init__(self, status: int, code: str, message: str, request_id: str = "", method: str = "", path: str = ""):
        self.status, self.code, self.message = status, code, message
        self.request_id, self.method, self.path = request_id, method, path
        where = f"{method} {path} " if method else ""
        rid = f" (request-id {request_id})" if request_id else ""
        super().__init__(f"Microsoft Graph {where}failed: HTTP {status} {code}: {message}{rid}")

    @property
    def may_have_applied(self) -> bool:
        """True when this was a POST that Graph may have carried out although it did not say so: no
        answer (status 0), a redirect (3xx), a server error (5xx), or a success whose body could not
        be read (it did take effect). Never retried by the client."""
        status = self.status
        unreadable_success = 200 <= status < 300 and self.code == "invalidResponse"
        return self.method.upper() == "POST" and (
            status == 0 or 300 <= status < 400 or status >= 500 or unreadable_success
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.status, self.code, self.message, self.request_id, self.method, self.path))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retries (seconds). ``max_total_wait`` caps the sum of all waits of one request,
    ``deadline`` its whole duration (attempts and waits), ``min_delay`` is the shortest wait."""

    max_attempts: int = 6
    max_total_wait: float = 180.0
    base_delay: float = 1.0
    max_delay: float = 32.0
    not_found_attempts: int = 6
    not_found_delay: float = 2.0
    min_delay: float = 1.0
    deadline: float = 300.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"RetryPolicy.{f.name} must be a finite number, not {value!r}")
        if self.max_attempts < 1 or self.not_found_attempts < 1:
            raise ValueError("RetryPolicy attempts must be at least 1")
        if min(self.max_total_wait, self.base_delay, self.max_delay, self.not_found_delay) < 0:
            raise ValueError("RetryPolicy delays must not be negative")
        if self.min_delay <= 0 or self.deadline <= 0:
            raise ValueError("RetryPolicy.min_delay and RetryPolicy.deadline must be positive")


def _static_token(variable: str = "PUM_GRAPH_TOKEN") -> str | None:
    return os.environ.get(variable) or None


class _CredentialToken:
    """Lazily asks DefaultAzureCredential for a token of ``scope`` (Graph's by default) and refreshes it before
    expiry."""

    def __init__(self, scope: str = GRAPH_SCOPE) -> None:
        self._scope = scope
        self._credential: DefaultAzureCredential | None = None
        self._token: str | None = None
        self._expires_on = 0.0

    def __call__(self) -> str:
        if self._token and time.time() < self._expires_on - 300:
            return self._token
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        access = self._credential.get_token(self._scope)
        self._token, self._expires_on = access.token, float(access.expires_on)
        return self._token


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: the 3xx reaches the caller as an HTTPError and nothing goes to Location."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> None:
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _Abandoned(Exception):
    """A body stopped being read: past the deadline, or larger than allowed."""


@dataclass
class _Answer:
    status: int  # 0: no HTTP answer
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    fault: tuple[str, str] | None = None  # (code, message) when the client, not Graph, names the failure


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL (never its credentials, path or query)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(an unparseable URL)"
    return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"


def _base64_cores(secret: bytes) -> list[str]:
    """The parts of any base64 text that encode ``secret``, whatever its alignment in the encoded data."""
    cores = []
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + secret).decode("ascii").rstrip("=")
            if (offset + len(secret)) % 3:
                text = text[:-1]  # its last character also encodes whatever follows the secret
            cores.append(text[(0, 2, 3)[offset] :])  # the first ones also encode whatever precedes it
    return [c for c in dict.fromkeys(cores) if len(c) >= _MIN_SECRET]


@functools.lru_cache(maxsize=8)  # a client per provider call: compile each token's pattern once
def _secret_pattern(secret: str) -> re.Pattern[str]:
    """Matches ``secret`` raw, percent-encoded (either hex case, ``+`` for space, also ``%25``-encoded
    twice), JSON-escaped (``\\uXXXX``, ``\\/``, ``\\"``, ``\\\\``), any mix of those, or in base64."""

    def one(ch: str) -> str:
        octets = "".join(f"%(?:25)?(?i:{b:02x})" for b in ch.encode("utf-8"))
        forms = [re.escape(ch), octets]
        if ch == " ":
            forms.append(r"\+")
        if ord(ch) < 0x10000:
            forms.append(rf"\\u(?i:{ord(ch):04x})")
        if ch in '/"\\':
            forms.append(re.escape("\\" + ch))
        return "(?:" + "|".join(forms) + ")"

    encoded = "".join(one(ch) for ch in secret)
    cores = [re.escape(c) for c in _base64_cores(secret.encode("utf-8"))]
    return re.compile("|".join([encoded, *cores]))


class GraphClient:
    """Calls Microsoft Graph with bounded retries; see the module docstring for the guarantees."""

    def __init__(
        self,
        base_url: str | None = None,
        token: Callable[[], str] | None = None,
        sleep: Callable[[float], None] | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 60.0,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.base_url = (base_url or os.environ.get("PUM_GRAPH_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self._origin = _check_base_url(self.base_url)
        static = _static_token()
        self._token = token or ((lambda: static) if static else _CredentialToken())
        self._sleep = sleep or time.sleep
        self.retry = retry
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.timeout = float(timeout)
        self._jitter = jitter
        self._clock = clock
        self._wall_clock = wall_clock
        self._opener = urllib.request.build_opener(_RefuseRedirects)
        self._secrets: dict[str, re.Pattern[str]] = {}  # the tokens this client sent, newest last
        self.next_link_key = "@odata.nextLink"  # where a collection page names the next one (ARM: nextLink)

    @classmethod
    def from_env(cls, **kwargs: Any) -> GraphClient:
        return cls(**kwargs)

    @classmethod
    def for_arm(cls, **kwargs: Any) -> GraphClient:
        """A client of Azure Resource Manager with the same guarantees: base URL ``PUM_ARM_BASE_URL`` (default
        ``https://management.azure.com``), token ``PUM_ARM_TOKEN`` or DefaultAzureCredential for ARM's scope; a
        listing follows ARM's ``nextLink`` (same origin only, bounded) instead of ``@odata.nextLink``."""
        static = _static_token("PUM_ARM_TOKEN")
        kwargs.setdefault("base_url", os.environ.get("PUM_ARM_BASE_URL") or ARM_BASE_URL)
        kwargs.setdefault("token", (lambda: static) if static else _CredentialToken(ARM_SCOPE))
        client = cls(**kwargs)
        client.next_link_key = "nextLink"
        return client

    def caller_id(self) -> str | None:
        """The object ID of the identity this client calls Graph as (the bearer token's ``oid`` claim),
        or None when the token does not say. Read, not verified: it only tells the providers who "we" are."""
        return self.token_guid("oid")

    def token_guid(self, claim: str) -> str | None:
        """A GUID claim of the bearer token (``oid``, ``tid``), lower-case, or None. Read, not verified."""
        parts = self._bearer().split(".")
        if len(parts) != 3:
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (ValueError, TypeError):
            return None
        value = claims.get(claim) if isinstance(claims, dict) else None
        return value.lower() if isinstance(value, str) and is_guid(value) else None

    def pause(self, seconds: float) -> None:
        """Wait between lookups of an object Graph may still be replicating (the injectable sleep)."""
        self._sleep(max(self.retry.min_delay, seconds))

    # -- public verbs ---------------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None, retry_not_found: bool = False) -> Any:
        return self.request("GET", path, params=params, retry_not_found=retry_not_found)

    def get_all(self, path: str, params: dict | None = None, retry_not_found: bool = False) -> list:
        """GET a collection, following ``@odata.nextLink`` on the same origin only (boundedly)."""
        page = self.get(path, params, retry_not_found)
        items: list = []
        seen: set[str] = set()
        while True:
            values = page.get("value", [])
            if not isinstance(values, list):
                raise GraphError(200, "invalidResponse", "a collection page whose value is not a list", "", "GET", path)
            items.extend(values)
            link = page.get(self.next_link_key)
            if not link:
                return items
            if not isinstance(link, str):
                raise GraphError(200, "invalidResponse", "an @odata.nextLink that is not a string", "", "GET", path)
            if not link.startswith(self.base_url + "/") or _origin(link) != self._origin:
                raise GraphError(
                    0,
                    "untrustedNextLink",
                    "Graph returned a nextLink on another origin; refusing to send the token there",
                    method="GET",
                    path=path,
                )
            if link in seen or len(seen) >= MAX_PAGES:
                code, what = ("nextLinkLoop", "repeated") if link in seen else ("tooManyPages", f"over {MAX_PAGES}")
                raise GraphError(
                    200, code, f"the listing's @odata.nextLink pages are {what}; giving up", "", "GET", path
                )
            seen.add(link)
            page = self.request("GET", link[len(self.base_url) :], retry_not_found=retry_not_found)

    def post(self, path: str, body: Any, retry_not_found: bool = False) -> Any:
        return self.request("POST", path, body=body, retry_not_found=retry_not_found)

    def patch(self, path: str, body: Any, retry_not_found: bool = False) -> Any:
        return self.request("PATCH", path, body=body, retry_not_found=retry_not_found)

    def put(self, path: str, body: Any, retry_not_found: bool = False) -> Any:
        return self.request("PUT", path, body=body, retry_not_found=retry_not_found)

    def delete(self, path: str, missing_ok: bool = True) -> None:
        try:
            self.request("DELETE", path)
        except GraphError as err:
            if not (missing_ok and err.status == 404):
                raise

    # -- core -----------------------------------------------------------------------------------
    def request(
        self, method: str, path: str, params: dict | None = None, body: Any = None, retry_not_found: bool = False
    ) -> Any:
        method = method.upper()
        url = self._url(path, params)
        # allow_nan=False: NaN/Infinity are not JSON, and Graph would be handed something we did not mean
        data = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        policy = self.retry
        deadline_at = self._clock() + policy.deadline
        waited, attempt, not_found = 0.0, 0, 0
        last: _Answer | None = None
        while True:
            if self._clock() >= deadline_at:
                raise self._deadline_error(method, path, last)
            attempt += 1
            answer = self._send(method, url, data, deadline_at)
            if answer is None:  # the deadline passed before the request went out
                raise self._deadline_error(method, path, last)
            last = answer
            log.debug("graph %s %s -> %s", method, self._clean(path.split("?")[0]), answer.status)
            if 200 <= answer.status < 300 and answer.fault is None:
                return self._payload(answer, method, path)
            # a redirect is refused and a faulty 2xx is final; POST may have been applied unless throttled
            delay = None
            retriable = answer.status == 429 or (
                method != "POST" and (answer.status == 0 or answer.status in RETRY_STATUSES)
            )
            if retriable and attempt < policy.max_attempts:
                delay = self._retry_after(answer.headers)
                if delay is None:
                    jitter = min(1.0, max(0.0, float(self._jitter())))
                    delay = min(policy.max_delay, policy.base_delay * 2 ** min(attempt - 1, 64)) * (0.5 + jitter / 2)
            elif answer.status == 404 and retry_not_found and not_found < policy.not_found_attempts - 1:
                not_found += 1
                delay = policy.not_found_delay * not_found
            if delay is not None:
                delay = max(policy.min_delay, delay)  # never at once (Retry-After: 0, negative, a past date)
            if (
                delay is None
                or not delay < math.inf
                or waited + delay > policy.max_total_wait
                or self._clock() + delay >= deadline_at
            ):
                raise self._error(method, path, answer)
            waited += delay
            log.info(
                "graph %s %s: HTTP %s, retrying in %.1f s",
                method,
                self._clean(path.split("?")[0]),
                answer.status,
                delay,
            )
            self._sleep(delay)

    def _url(self, path: str, params: dict | None) -> str:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"a Graph path must start with '/', not {path!r}")
        url = self.base_url + path
        if params:
            url += ("&" if "?" in path else "?") + urllib.parse.urlencode(
                params, quote_via=urllib.parse.quote, safe="$',()/"
            )
        if _URL_UNSAFE.search(url) or _origin(url) != self._origin:
            raise ValueError(f"refusing a Graph path that leaves {self._origin} or is not URL-safe: {path!r}")
        return url

    def _retry_after(self, headers: dict) -> float | None:
        value = (headers.get("retry-after") or "").strip()
        if not value:
            return None
        if _DELAY_SECONDS.fullmatch(value):
            return float(value)  # may be negative (floored by the caller) or inf (too long: give up)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # neither seconds nor an HTTP-date: back off instead
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)  # "-0000": UTC, as HTTP-dates are
        return when.timestamp() - self._wall_clock()

    def _bearer(self) -> str:
        token = self._token()
        if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
            raise GraphError(401, "invalidToken", "the credential returned an empty or malformed access token")
        if token not in self._secrets and len(token) >= _MIN_SECRET:
            self._secrets[token] = _secret_pattern(token)
            while len(self._secrets) > 4:
                self._secrets.pop(next(iter(self._secrets)))
        return token

    def _prepare(self, method: str, data: bytes | None, token: str) -> tuple[bytes | None, dict[str, str]]:
        """The body and headers of one request: JSON both ways (the ARM client's text bodies override this)."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        return data, headers

    def _send(self, method: str, url: str, data: bytes | None, deadline_at: float) -> _Answer | None:
        token = self._bearer()
        remaining = deadline_at - self._clock()
        if remaining <= 0:
            return None
        data, headers = self._prepare(method, data, token)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            resp = self._opener.open(req, timeout=min(self.timeout, remaining))
        except urllib.error.HTTPError as err:
            with err:
                headers = {k.lower(): v for k, v in err.headers.items()}
                try:
                    raw = self._read(err, MAX_ERROR_BYTES, deadline_at, truncate=True)
                except (OSError, http.client.HTTPException, _Abandoned):
                    raw = b""  # the status arrived; the body did not
            return _Answer(err.code, headers, raw)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            # no HTTP answer: refused, reset, dropped, timed out, or not HTTP at all
            reason = getattr(err, "reason", None) or err
            return _Answer(0, fault=("networkError", f"{type(reason).__name__}: {reason}"))
        with resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            try:
                raw = self._read(resp, MAX_RESPONSE_BYTES, deadline_at)
            except (OSError, http.client.HTTPException) as err:
                return _Answer(0, fault=("networkError", f"the answer was cut off: {type(err).__name__}: {err}"))
            except _Abandoned as err:
                if str(err) == "deadline":
                    return _Answer(0, fault=("deadlineExceeded", "the answer was still arriving at the deadline"))
                return _Answer(resp.status, headers, fault=("invalidResponse", str(err)))
        return _Answer(resp.status, headers, raw)

    def _read(self, resp: Any, limit: int, deadline_at: float, truncate: bool = False) -> bytes:
        chunks, size = [], 0
        while size <= limit:
            chunk = resp.read(min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if self._clock() >= deadline_at:
                raise _Abandoned("deadline")
        raw = b"".join(chunks)
        if size > limit:
            if truncate:
                return raw[:limit]
            raise _Abandoned(f"the answer is larger than {limit} bytes")
        if not truncate and getattr(resp, "length", None):  # http.client reads b"" past a cut: say so
            raise http.client.IncompleteRead(raw, resp.length)
        return raw

    # -- answers and errors ---------------------------------------------------------------------
    def redact(self, text: str) -> str:
        """``text`` with every token this client sent replaced, in each form the module docstring lists (for what
        callers write out of an answer: an answer that echoes the token must not carry it any further)."""
        return self._redact(text)

    def _redact(self, text: str) -> str:
        for pattern in self._secrets.values():
            text = pattern.sub(_REDACTED, text)
        return text

    def _clean(self, text: str, limit: int = 1000) -> str:
        """Redacted, without control characters (never deleted, so no pieces are joined), cut short.
        Redaction comes first, so a cut never leaves the start of a token behind."""
        text = self._redact(_CONTROL.sub("?", self._redact(text)))
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _excerpt(self, raw: bytes) -> str:
        return self._clean(raw[:MAX_ERROR_BYTES].decode("utf-8", "replace"), 200) or "(empty)"

    def _payload(self, answer: _Answer, method: str, path: str) -> dict:
        if not answer.raw:
            return {}  # 204, or a 2xx without a body
        try:
            value = json.loads(answer.raw)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            raise self._error(
                method,
                path,
                answer,
                ("invalidResponse", f"the answer is not a JSON object: {self._excerpt(answer.raw)}"),
            )
        return value

    def _error(self, method: str, path: str, answer: _Answer, fault: tuple[str, str] | None = None) -> GraphError:
        status, headers = answer.status, answer.headers
        fault = fault or answer.fault
        request_id: Any = headers.get("request-id") or ""
        if fault:
            code, message = fault
        elif 300 <= status < 400:
            location = headers.get("location")
            try:
                target = _origin(urllib.parse.urljoin(self.base_url + path, location)) if location else "nowhere"
            except ValueError:
                target = "(an unparseable location)"
            code = "redirectRefused"
            message = f"Graph redirected to {target}; redirects are refused so the token stays on {self._origin}"
        else:
            try:
                payload = json.loads(answer.raw) if answer.raw else {}
            except (ValueError, RecursionError):
                payload = None
            err = payload.get("error", {}) if isinstance(payload, dict) else None
            if err is None:
                code, message = "invalidResponse", f"not a Graph error: {self._excerpt(answer.raw)}"
            else:
                if not isinstance(err, dict):
                    err = {"message": str(err)}
                inner = err.get("innerError") or err.get("innererror") or {}
                if not request_id and isinstance(inner, dict):
                    request_id = inner.get("request-id") or ""
                code = str(err.get("code") or "unknown")
                message = str(err.get("message") or payload or "no response body")
        made = GraphError(
            status,
            self._clean(code, 100),
            self._clean(message),
            self._clean(str(request_id), 100),
            method,
            self._clean(path.split("?")[0], 300),
        )
        if made.may_have_applied:
            made = GraphError(
                made.status,
                made.code,
                made.message + " (the POST may have been applied: look the object up before creating it again)",
                made.request_id,
                made.method,
                made.path,
            )
        log.debug("graph %s %s failed: HTTP %s %s", method, made.path, status, made.code)
        return made

    def _deadline_error(self, method: str, path: str, last: _Answer | None) -> GraphError:
        if last is None:
            return GraphError(
                NOT_SENT,
                "deadlineExceeded",
                f"the {self.retry.deadline:g} s deadline passed before the request was sent",
                "",
                method,
                self._clean(path.split("?")[0], 300),
            )
        before = self._error(method, path, last)
        return GraphError(
            before.status,
            "deadlineExceeded",
            f"gave up at the {self.retry.deadline:g} s deadline; the last answer was HTTP {before.status} "
            f"{before.code}: {before.message}",
            before.request_id,
            method,
            before.path,
        )


def _check_base_url(base_url: str) -> str:
    """The origin of a base URL the token may be sent to, or ValueError."""
    parts = urllib.parse.urlsplit(base_url)
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)
    if not host or not secure or "@" in parts.netloc or parts.query or parts.fragment or _URL_UNSAFE.search(base_url):
        raise ValueError(
            "the Graph base URL must be https://host[:port][/path] (http only on loopback), without credentials, "
            f"query or fragment: {base_url!r}"
        )
    try:
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        raise ValueError(f"the Graph base URL has an invalid port: {base_url!r}") from None
    return _origin(base_url)
