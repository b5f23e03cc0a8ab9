"""Make a cloud-only account's password unknown to everyone, Pulumi's state included, over Microsoft Graph.

``PasswordDiscard`` (graphKind ``passwordDiscard``) exists because ``azuread.User`` cannot create a user without a
password (the provider requires ``password`` at create and keeps it, secret-encrypted, in the stack state), while a
passwordless secondary admin account must have no password anyone knows. Right after the user is created, this
resource sets the user's password to one generated in the provider process (``secrets``, 64 characters) and
forgotten at once::

    PATCH /v1.0/users/{id}
    {"passwordProfile": {"password": <never stored>, "forceChangePasswordNextSignIn": false,
                         "forceChangePasswordNextSignInWithMfa": false}}

(https://learn.microsoft.com/graph/api/user-update, "Example 3: Update the passwordProfile of a user and reset
their password"; the body is checked against msgraph's ``user.User`` / ``password_profile.PasswordProfile``). The
generated password is never an input or output of the resource, never logged and never in an error: the Graph
client's messages carry Graph's answer, and this provider also cuts the password out of any message before it is
raised. So the ``RandomPassword`` result in state is no longer the account's password, and no password for the
account exists anywhere: the person signs in with a Temporary Access Pass issued at onboarding (by the journey
automation, never by Pulumi) and registers a passkey (docs/passwordless-onboarding.md).

Inputs: ``userId`` (the user's object ID; a new user means a new discard: it is a replace key). Outputs:
``discardedAt``, the user's ``lastPasswordChangeDateTime`` as Graph answers it after the discard.

Idempotent: a create runs once per user and a repeated PATCH only sets another unknown password (a lost answer is
retried by the client: PATCH is idempotent in effect). ``read`` (refresh) compares the user's live
``lastPasswordChangeDateTime`` with ``discardedAt``: a later change means someone set a password since (a helpdesk
reset, self-service reset), so ``read`` reports ``state: passwordSetSince`` and the next ``up`` discards it again;
a deleted user reads as gone. ``update`` discards again; ``delete`` does nothing (the password stays unknown).

Graph permission: ``User-PasswordProfile.ReadWrite.All`` (application; the least privileged permission for
``passwordProfile``, https://learn.microsoft.com/graph/api/user-update), with the deploying identity holding at
least User Administrator. Setting the password of a user who already holds a privileged Entra role needs
Privileged Authentication Administrator (https://learn.microsoft.com/entra/identity/role-based-access-control/
privileged-roles-permissions, "Who can reset passwords"): a re-discard of such an account without it fails with
Graph's 403, named in the error, and changes nothing.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, diff, output, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = "passwordDiscard"
DISCARDED = "discarded"
SET_SINCE = "passwordSetSince"
LENGTH = 64  # Entra accepts 8..256 characters; 64 random characters from 4 classes is far beyond guessing
_SPECIAL = "!#$%&*+-.:=?@^_~"  # characters Entra's password policy allows, none that need escaping anywhere
_ALPHABET = string.ascii_letters + string.digits + _SPECIAL
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, _SPECIAL)


def unknowable_password(length: int = LENGTH) -> str:
    """A password nobody will ever know: ``length`` characters from ``secrets``, every character class present
    (Entra's complexity rule wants three of four)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if all(any(c in cls for c in candidate) for cls in _CLASSES):
            return candidate


def _user_path(user_id: str) -> str:
    return f"/v1.0/users/{user_id}"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class PasswordDiscardProvider(GraphProvider):
    """CRUD for ``PasswordDiscard``; see the module docstring."""

    KEYS = ("graphKind", "userId", "state")

    def _check(self, olds: dict, news: dict):
        return check_result(news, [("userId", lambda: require_guid(news.get("userId"), "userId"))])

    def _diff(self, id_: str, olds: dict, news: dict):
        return diff(olds, news, self.KEYS, ("graphKind", "userId"))

    def _discard(self, client: GraphClient, user_id: str) -> str:
        password = unknowable_password()
        body = {
            "passwordProfile": {
                "password": password,
                "forceChangePasswordNextSignIn": False,
                "forceChangePasswordNextSignInWithMfa": False,
            }
        }
        try:
            # retry_not_found: the user was created a moment ago and may not have replicated yet
            client.patch(_user_path(user_id), body, retry_not_found=True)
        except GraphError as err:
            # Graph does not echo a password, but nothing here relies on that: the message never carries it
            message = err.message.replace(password, "[discarded password]")
            if err.status == 403:
                message += (
                    "; the deploying identity needs User-PasswordProfile.ReadWrite.All and User Administrator, or "
                    "Privileged Authentication Administrator for an account that already holds a privileged role"
                )
            raise GraphError(err.status, err.code, message, err.request_id, err.method, err.path) from None
        finally:
            del body, password
        live = client.get(_user_path(user_id), {"$select": "id,lastPasswordChangeDateTime"}, retry_not_found=True)
        return str(live.get("lastPasswordChangeDateTime") or "")

    def _outs(self, user_id: str, discarded_at: str, state: str = DISCARDED) -> dict:
        return {"graphKind": GRAPH_KIND, "userId": user_id, "state": state, "discardedAt": discarded_at}

    def _create(self, props: dict) -> CreateResult:
        user_id = props["userId"]
        return CreateResult(user_id, self._outs(user_id, self._discard(self.client(), user_id)))

    def _read(self, id_: str, props: dict) -> ReadResult:
        client = self.client()
        try:
            live = client.get(_user_path(id_), {"$select": "id,lastPasswordChangeDateTime"})
        except GraphError as err:
            if err.status == 404:
                return ReadResult(None, {})
            raise
        changed = _when(live.get("lastPasswordChangeDateTime"))
        discarded = _when(props.get("discardedAt"))
        state = SET_SINCE if changed and (discarded is None or changed > discarded) else DISCARDED
        outs = self._outs(id_, str(props.get("discardedAt") or ""), state)
        return ReadResult(id_, outs, {k: outs[k] for k in self.KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        return UpdateResult(self._outs(id_, self._discard(self.client(), id_)))

    def _delete(self, id_: str, props: dict) -> None:
        """Nothing to undo: the password stays one nobody knows."""


class PasswordDiscard(Resource):
    """The password of user ``user_id`` replaced, right after its creation, by one nobody knows (not in state).

    Guarantees: after ``up`` the account's password is none that Pulumi state, outputs or logs hold; a password set
    since (seen on refresh) is discarded again by the next ``up``. Outputs: ``discarded_at``.
    """

    discarded_at = output("discardedAt")

    def __init__(
        self,
        name: str,
        user_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        _provider: PasswordDiscardProvider | None = None,
    ):
        require_guid(user_id, "user_id")
        super().__init__(
            _provider or PasswordDiscardProvider(),
            name,
            {"graphKind": GRAPH_KIND, "userId": user_id, "state": DISCARDED, "discardedAt": None},
            opts,
        )
