"""RunbookContent: publishes a runbook file of this repository into an Automation runbook over ARM.

Why a dynamic provider: pulumi-azure-native's `automation.Runbook` takes content only as a link
(`publishContentLink`: a URI Azure Automation downloads, with an optional `contentHash`); it has no inline
content. A link means a place Azure can download from: a public blob or repository, or a SAS URL, which would be
a long-lived bearer credential in the plan and state. ARM itself has the two calls the portal uses (Automation
REST API 2024-10-23, `RunbookDraft_ReplaceContent` and `Runbook_Publish`, specification/automation/
resource-manager/Microsoft.Automation/.../runbook.json in Azure/azure-rest-api-specs):

    PUT  {runbookId}/draft/content?api-version=2024-10-23    body: the script, Content-Type: text/powershell
    POST {runbookId}/publish?api-version=2024-10-23          202 Accepted (long-running), or 200
    GET  {runbookId}/content?api-version=2024-10-23          the published script (text/powershell)

So the script goes from the repository to ARM with the deploying identity's token and nowhere else: no blob, no
SAS, no public URL. The plan pins the file's SHA-256 (`contentHash`, computed from the file at preview); `check`
refuses content whose hash differs, and every create, update and read compares the *published* content's hash
with the pinned one, so drift (an edit in the portal) shows as a change and the next `up` publishes the file again.

Guarantees (the Graph providers' rules, docs/graph-providers.md): inputs are taken as the host carries them; the
PUT is idempotent (replacing the draft with the same text twice is the same draft) and the publish is confirmed by
reading the published content back, so a lost answer is never a duplicate or a silent failure; the token goes only
to the ARM origin (``PUM_ARM_BASE_URL``, default https://management.azure.com; https, plain http only on
loopback), redirects are refused and the token is redacted from every error (the Graph client's machinery,
:class:`ArmClient`). Delete does nothing: the content goes with the `automation.Runbook` resource it belongs to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from typing import Any

import pulumi
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.graph.base import check_result, from_host
from components.graph.client import GraphClient, GraphError, _Answer

API_VERSION = "2024-10-23"
ARM_SCOPE = "https://management.azure.com/.default"
DEFAULT_ARM_URL = "https://management.azure.com"
RUNBOOK_ID = re.compile(
    r"^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w.()]+/providers/Microsoft\.Automation/automationAccounts/"
    r"[A-Za-z0-9-]+/runbooks/[A-Za-z0-9_-]+$",
    re.IGNORECASE,
)
PUBLISH_ATTEMPTS = 10  # reads of the published content after a publish (ARM publishes asynchronously)
PUBLISH_DELAY = 3.0


def content_hash(text: str) -> str:
    """The SHA-256 of a runbook's text (UTF-8), upper-case hex as Automation's ContentHash writes it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().upper()


class ArmError(GraphError):
    """An ARM call failed (the Graph client's error, worded for ARM; never the token)."""

    def __init__(self, status: int, code: str, message: str, request_id: str = "", method: str = "", path: str = ""):
        super().__init__(status, code, message, request_id, method, path)
        where = f"{method} {path} " if method else ""
        rid = f" (request-id {request_id})" if request_id else ""
        Exception.__init__(self, f"Azure Resource Manager {where}failed: HTTP {status} {code}: {message}{rid}")


def _as_arm(err: GraphError) -> ArmError:
    return ArmError(err.status, err.code, err.message, err.request_id, err.method, err.path)


class _ArmToken:
    """Lazily asks DefaultAzureCredential for an ARM token and refreshes it before expiry."""

    def __init__(self) -> None:
        self._credential: Any = None
        self._token: str | None = None
        self._expires_on = 0.0

    def __call__(self) -> str:
        if self._token and time.time() < self._expires_on - 300:
            return self._token
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        access = self._credential.get_token(ARM_SCOPE)
        self._token, self._expires_on = access.token, float(access.expires_on)
        return self._token


class ArmClient(GraphClient):
    """The Graph client's transport (retries, deadline, origin check, no redirects, redaction) pointed at ARM,
    with text bodies for the runbook content calls. Authentication: env ``PUM_ARM_TOKEN`` when set, otherwise
    DefaultAzureCredential for the ARM scope."""

    def __init__(self, base_url: str | None = None, token: Callable[[], str] | None = None, **kwargs: Any) -> None:
        static = os.environ.get("PUM_ARM_TOKEN") or None
        super().__init__(
            base_url=base_url or os.environ.get("PUM_ARM_BASE_URL") or DEFAULT_ARM_URL,
            token=token or ((lambda: static) if static else _ArmToken()),
            **kwargs,
        )
        self._text = False

    def text(self, method: str, path: str, body: str | None = None) -> str:
        """One call with a text/powershell body and answer (the answer's text, '' when it has none)."""
        self._text = True
        try:
            answer = self.request(method, path, {"api-version": API_VERSION}, body)
        finally:
            self._text = False
        return str(answer.get("text", ""))

    def _error(self, method: str, path: str, answer: _Answer, fault: tuple[str, str] | None = None) -> GraphError:
        return _as_arm(super()._error(method, path, answer, fault))

    def _deadline_error(self, method: str, path: str, last: _Answer | None) -> GraphError:
        return _as_arm(super()._deadline_error(method, path, last))

    def _payload(self, answer: _Answer, method: str, path: str) -> dict:
        if self._text:
            return {"text": answer.raw.decode("utf-8", "replace")}
        return super()._payload(answer, method, path)

    def _prepare(self, method: str, data: bytes | None, token: str) -> tuple[bytes | None, dict[str, str]]:
        data, headers = super()._prepare(method, data, token)
        if self._text:
            headers["Accept"] = "text/powershell, application/json"
            if data is not None:
                data = json.loads(data).encode("utf-8")  # the JSON string request() made, as the script itself
                headers["Content-Type"] = "text/powershell"
        if method == "POST" and data is None:
            data = b""  # ARM wants a Content-Length on an empty POST
        return data, headers


GRAPH_KIND = "runbookContent"  # the pack's marker for our dynamic resources (privileged_facts.graph_kinds)
KEYS = ("graphKind", "runbookId", "content", "contentHash")


class RunbookContentProvider(ResourceProvider):
    """Replaces a runbook's draft with the pinned text, publishes it and confirms the published hash."""

    def __init__(self, client_factory: Callable[[], ArmClient] | None = None) -> None:
        self.client_factory = client_factory

    def _client(self) -> ArmClient:
        return self.client_factory() if self.client_factory else ArmClient()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> Any:
        news = from_host(news)

        def runbook() -> None:
            value = news.get("runbookId")
            if not is_unknown(value) and not (isinstance(value, str) and RUNBOOK_ID.match(value)):
                raise ValueError(f"runbookId {value!r} is not an Automation runbook's ARM ID")

        def kind() -> None:
            if news.get("graphKind") != GRAPH_KIND:
                raise ValueError(f"graphKind must be {GRAPH_KIND!r}: the pack recognises this resource by it")

        def pinned() -> None:
            text, pin = news.get("content"), news.get("contentHash")
            if not isinstance(text, str) or not text.strip():
                raise ValueError("content must be the runbook's text")
            if not isinstance(pin, str) or content_hash(text) != pin.upper():
                raise ValueError("contentHash is not the SHA-256 of content: the file changed after it was pinned")

        return check_result(news, [("graphKind", kind), ("runbookId", runbook), ("contentHash", pinned)])

    def _published_hash(self, client: ArmClient, runbook_id: str) -> str | None:
        try:
            return content_hash(client.text("GET", f"{runbook_id}/content"))
        except GraphError as err:
            if err.status == 404:
                return None  # never published (or the runbook is gone)
            raise

    def _publish(self, props: dict[str, Any]) -> dict[str, Any]:
        client = self._client()
        runbook_id, pin = props["runbookId"], props["contentHash"].upper()
        if self._published_hash(client, runbook_id) != pin:
            client.text("PUT", f"{runbook_id}/draft/content", props["content"])  # idempotent: the same draft again
            for _publish in range(2):
                try:
                    client.text("POST", f"{runbook_id}/publish")
                except GraphError as err:
                    if not err.may_have_applied:
                        raise
                    # the answer was lost: maybe published, maybe not; the read-back decides, and publishing the
                    # same draft once more is harmless
                if self._confirmed(client, runbook_id, pin):
                    break
            else:
                raise ArmError(
                    0, "publishUnconfirmed", f"the published content of {runbook_id} does not have the pinned hash"
                )
        return {**{k: props[k] for k in KEYS}, "contentHash": pin, "publishedHash": pin}

    def _confirmed(self, client: ArmClient, runbook_id: str, pin: str) -> bool:
        """Whether the published content reaches the pinned hash within the publish's completion time."""
        for attempt in range(PUBLISH_ATTEMPTS):
            if self._published_hash(client, runbook_id) == pin:
                return True
            client.pause(PUBLISH_DELAY * (attempt + 1))
        return False

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = from_host(props)
        return CreateResult(id_=f"{props['runbookId']}/content", outs=self._publish(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._publish(from_host(news)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = from_host(props)
        runbook_id = props.get("runbookId") or id_.removesuffix("/content")  # `pulumi import` gives only the ID
        published = self._published_hash(self._client(), runbook_id)
        if published is None:
            return ReadResult(id_="", outs={})  # gone: the next up publishes again
        return ReadResult(id_=id_, outs={**props, "runbookId": runbook_id, "publishedHash": published})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = from_host(olds), from_host(news)
        replaces = [] if olds.get("runbookId") == news.get("runbookId") else ["runbookId"]
        pin = str(news.get("contentHash", "")).upper()
        drifted = str(olds.get("publishedHash") or olds.get("contentHash") or "").upper() != pin
        changed = bool(replaces) or drifted or str(olds.get("contentHash") or "").upper() != pin
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # the content is deleted with its automation.Runbook


class RunbookContent(pulumi.dynamic.Resource):
    """The published content of one runbook, pinned to a repository file's SHA-256 (outputs: runbookId,
    contentHash, publishedHash)."""

    def __init__(
        self,
        name: str,
        *,
        runbook_id: pulumi.Input[str],
        content: str,
        opts: pulumi.ResourceOptions | None = None,
        provider: RunbookContentProvider | None = None,
    ) -> None:
        super().__init__(
            provider or RunbookContentProvider(),
            name,
            {
                "graphKind": GRAPH_KIND,
                "runbookId": runbook_id,
                "content": content,
                "contentHash": content_hash(content),
                "publishedHash": None,
            },
            opts,
        )
