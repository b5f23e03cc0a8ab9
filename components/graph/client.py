"""A small Microsoft Graph client for the dynamic providers (stdlib urllib, no SDK).

Guarantees:
- Authentication: env ``PUM_GRAPH_TOKEN`` when set (a static bearer token), otherwise
  ``azure.identity.DefaultAzureCredential`` for scope ``https://graph.microsoft.com/.default``
  (workload identity federation in pipelines, Azure CLI locally). The token is never logged and
  never appears in an error message (any echo of it in a Graph response is redacted).
- Base URL: env ``PUM_GRAPH_BASE_URL`` (default ``https://graph.microsoft.com``); paths carry the
  version (``/v1.0/...``, ``/beta/...``). ``@odata.nextLink`` is only followed on that same origin,
  so the token is never sent to another host.
- Retries: 429/502/503/504 honour ``Retry-After`` (seconds), else exponential backoff with jitter;
  attempts and the total wait are bounded. Reads of a just-created object retry 404 a bounded number
  of times (``retry_not_found=True``). Sleeping is injectable (``sleep=``) so tests never wait.
- Everything else raises :class:`GraphError` (status, code, message, request-id).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_BASE_URL = "https://graph.microsoft.com"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_REDACTED = "[redacted]"


class GraphError(Exception):
    """A Graph call failed: HTTP status, Graph error code, message and request-id (never the token)."""

    def __init__(self, status: int, code: str, message: str, request_id: str = "", method: str = "", path: str = ""):
        self.status, self.code, self.message = status, code, message
        self.request_id, self.method, self.path = request_id, method, path
        where = f"{method} {path} " if method else ""
        rid = f" (request-id {request_id})" if request_id else ""
        super().__init__(f"Microsoft Graph {where}failed: HTTP {status} {code}: {message}{rid}")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retries. ``max_total_wait`` caps the sum of all sleeps of one request."""

    max_attempts: int = 6
    max_total_wait: float = 180.0
    base_delay: float = 1.0
    max_delay: float = 32.0
    not_found_attempts: int = 6
    not_found_delay: float = 2.0


def _static_token() -> str | None:
    return os.environ.get("PUM_GRAPH_TOKEN") or None


class _CredentialToken:
    """Lazily asks DefaultAzureCredential for a Graph token and refreshes it before expiry."""

    def __init__(self) -> None:
        self._credential: DefaultAzureCredential | None = None
        self._token: str | None = None
        self._expires_on = 0.0

    def __call__(self) -> str:
        if self._token and time.time() < self._expires_on - 300:
            return self._token
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        access = self._credential.get_token(GRAPH_SCOPE)
        self._token, self._expires_on = access.token, float(access.expires_on)
        return self._token


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
    ):
        self.base_url = (base_url or os.environ.get("PUM_GRAPH_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        static = _static_token()
        self._token = token or ((lambda: static) if static else _CredentialToken())
        self._sleep = sleep or time.sleep
        self.retry = retry
        self.timeout = timeout
        self._jitter = jitter
        self._last_token = ""

    @classmethod
    def from_env(cls, **kwargs: Any) -> GraphClient:
        return cls(**kwargs)

    # -- public verbs ---------------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None, retry_not_found: bool = False) -> Any:
        return self.request("GET", path, params=params, retry_not_found=retry_not_found)

    def get_all(self, path: str, params: dict | None = None, retry_not_found: bool = False) -> list:
        """GET a collection, following ``@odata.nextLink`` on the same origin only."""
        page = self.get(path, params, retry_not_found)
        items = list(page.get("value", []))
        while page.get("@odata.nextLink"):
            link = page["@odata.nextLink"]
            if not link.startswith(self.base_url + "/"):
                raise GraphError(
                    0,
                    "untrustedNextLink",
                    "Graph returned a nextLink on another origin; refusing to send the token there",
                    method="GET",
                    path=path,
                )
            page = self.request("GET", link[len(self.base_url) :], retry_not_found=retry_not_found)
            items.extend(page.get("value", []))
        return items

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
        url = self.base_url + path
        if params:
            url += ("&" if "?" in path else "?") + urllib.parse.urlencode(
                params, quote_via=urllib.parse.quote, safe="$',()/"
            )
        data = None if body is None else json.dumps(body).encode("utf-8")
        waited, attempt, not_found = 0.0, 0, 0
        while True:
            attempt += 1
            status, headers, payload = self._send(method, url, data)
            log.debug("graph %s %s -> %s", method, path, status)
            if 0 < status < 400:
                return payload
            delay = None
            transient = status in RETRY_STATUSES or (status == 0 and method != "POST")
            if transient and attempt < self.retry.max_attempts:
                delay = self._retry_after(headers)
                if delay is None:
                    delay = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
                    delay *= 0.5 + self._jitter() / 2
            elif status == 404 and retry_not_found and not_found < self.retry.not_found_attempts - 1:
                not_found += 1
                delay = self.retry.not_found_delay * not_found
            if delay is None or waited + delay > self.retry.max_total_wait:
                raise self._error(status, headers, payload, method, path)
            waited += delay
            self._sleep(delay)

    @staticmethod
    def _retry_after(headers: dict) -> float | None:
        value = headers.get("retry-after")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None  # an HTTP-date: fall back to backoff

    def _send(self, method: str, url: str, data: bytes | None) -> tuple[int, dict, Any]:
        token = self._token()
        self._last_token = token
        req = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, _json(resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, {k.lower(): v for k, v in err.headers.items()}, _json(err.read())
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            # Status 0: no HTTP answer. Retried except for POST (it may have been applied).
            return 0, {}, {"error": {"code": "networkError", "message": self._redact(str(reason))}}

    def _redact(self, text: str) -> str:
        # very short strings are not real credentials and would mangle ordinary words
        token = self._last_token
        return text.replace(token, _REDACTED) if len(token) >= 8 else text

    def _error(self, status: int, headers: dict, payload: Any, method: str, path: str) -> GraphError:
        err = payload.get("error", {}) if isinstance(payload, dict) else {}
        if not isinstance(err, dict):
            err = {"message": str(err)}
        inner = err.get("innerError") or err.get("innererror") or {}
        request_id = headers.get("request-id") or inner.get("request-id") or ""
        message = self._redact(str(err.get("message") or payload or "no response body"))
        return GraphError(
            status,
            self._redact(str(err.get("code") or "unknown")),
            message,
            str(request_id),
            method,
            path.split("?")[0],
        )


def _json(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {"error": {"code": "invalidResponse", "message": raw[:200].decode("utf-8", "replace")}}
